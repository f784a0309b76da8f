from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tinhso.core.admin import AuditedModelAdmin, ReadOnlyAdmin, ReadOnlyMixin
from tinhso.indicators import display
from tinhso.indicators.models import DataSet, DataSetIndicator, Indicator, Submission, Target, Value, ValueRevision


@admin.register(Indicator)
class IndicatorAdmin(AuditedModelAdmin):
    list_display = ["code", "name_vi", "unit", "price_basis", "department", "is_public"]
    list_filter = ["is_public", "price_basis", "department"]
    search_fields = ["code", "name_vi", "name_en"]
    autocomplete_fields = ["department", "numerator", "denominator"]
    fieldsets = [
        (None, {"fields": ["code", "name_vi", "name_en", "unit", "decimals", "department", "is_public", "sort_order"]}),
        (_("Tổng hợp"), {"fields": ["time_aggregation", "unit_aggregation", "price_basis", "higher_is_better"]}),
        (_("Công thức (tử số / mẫu số × hệ số)"), {"fields": ["numerator", "denominator", "factor"]}),
        (_("Khái niệm và căn cứ"), {"fields": ["definition", "legal_source"]}),
    ]


class RevisionInline(admin.TabularInline):
    model = ValueRevision
    extra = 0
    can_delete = False
    fields = ["version", "value", "qualifier", "status", "source", "is_derived", "reason", "recorded_by", "recorded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Value)
class ValueAdmin(ReadOnlyMixin, AuditedModelAdmin):
    """Values are shown, never edited here: every write goes through actions.record_value, which keeps revisions."""

    list_display = ["indicator", "period_code", "unit", "breakdown", "shown", "status", "is_derived", "version"]
    list_filter = ["status", "is_derived", "period_type", "indicator"]
    search_fields = ["indicator__code", "indicator__name_vi", "unit__name", "unit__code"]
    list_select_related = ["indicator", "unit"]
    inlines = [RevisionInline]

    @admin.display(description=_("kỳ"), ordering="period_start")
    def period_code(self, obj) -> str:
        return obj.period.code

    @admin.display(description=_("giá trị"))
    def shown(self, obj) -> str:
        return display.format_value(obj.value, decimals=obj.indicator.decimals, qualifier=obj.qualifier)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Value._meta.concrete_fields]


@admin.register(Target)
class TargetAdmin(AuditedModelAdmin):
    list_display = ["indicator", "series", "kind", "period_start", "period_end", "unit", "value", "basis"]
    list_filter = ["series", "kind", "indicator"]
    search_fields = ["indicator__code", "indicator__name_vi", "basis"]
    autocomplete_fields = ["indicator", "unit"]
    list_select_related = ["indicator", "unit"]


class DataSetIndicatorInline(admin.TabularInline):
    model = DataSetIndicator
    extra = 0
    autocomplete_fields = ["indicator"]


@admin.register(DataSet)
class DataSetAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "agency", "period_type", "deadline_days", "is_active"]
    list_filter = ["period_type", "is_active"]
    search_fields = ["code", "name", "agency__name"]
    autocomplete_fields = ["agency", "units"]
    inlines = [DataSetIndicatorInline]


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    """Read-only: reports change only through the entry form and its actions, which audit every step."""

    list_display = ["dataset", "period_start", "state", "due_on", "submitted_at", "approved_at"]
    list_filter = ["state", "dataset"]
    list_select_related = ["dataset"]
