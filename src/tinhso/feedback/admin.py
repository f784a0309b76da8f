"""Back-office data of the 1022 module that administrators edit: categories, routing, deadlines, templates.

Cases themselves are handled in the staff workspace (/phan-anh/xu-ly/), where every step goes through an action;
the admin shows them read-only for support.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tinhso.core.admin import AuditedModelAdmin, ReadOnlyAdmin
from tinhso.feedback.models import Category, DeadlinePolicy, InboundMessage, Report, ResponseTemplate, RoutingRule


class RoutingRuleInline(admin.TabularInline):
    model = RoutingRule
    extra = 0
    autocomplete_fields = ["unit", "agency"]
    verbose_name = _("quy tắc theo xã, phường")
    verbose_name_plural = _("quy tắc theo xã, phường")


class DeadlinePolicyInline(admin.TabularInline):
    model = DeadlinePolicy
    extra = 0


@admin.register(Category)
class CategoryAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "group", "default_agency", "default_level", "is_public", "is_active"]
    list_filter = ["group", "default_level", "is_public", "is_active"]
    search_fields = ["code", "name", "keywords"]
    autocomplete_fields = ["default_agency"]
    inlines = [RoutingRuleInline, DeadlinePolicyInline]


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(AuditedModelAdmin):
    list_display = ["__str__", "accept_hours", "answer_days", "answer_hours", "warn_before_hours"]
    list_filter = ["level"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(AuditedModelAdmin):
    list_display = ["category", "unit", "agency"]
    list_filter = ["category"]
    autocomplete_fields = ["category", "unit", "agency"]


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(AuditedModelAdmin):
    list_display = ["title", "agency", "category"]
    list_filter = ["category"]
    search_fields = ["title", "body"]
    autocomplete_fields = ["agency", "category"]


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["code", "category", "status", "channel", "agency", "unit", "created_at", "answer_due_at"]
    list_filter = ["status", "channel", "level", "category"]
    search_fields = ["code"]
    date_hierarchy = "created_at"
    # Personal data stays out of the support view; staff see it (audited) on the case page.
    exclude = ["reporter_name", "reporter_phone", "reporter_email", "description", "search_text"]


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "channel", "external_id", "report", "error"]
    list_filter = ["channel"]
    exclude = ["sender", "text"]
