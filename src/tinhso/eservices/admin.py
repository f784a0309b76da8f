"""The catalogue in the admin: sectors, procedures, their versions (frozen once used), agency electronic codes,
and the spreadsheet import (background, with a progress bar) and export."""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tinhso.core import audit
from tinhso.core.admin import AuditedModelAdmin, FoldedSearchMixin, ReadOnlyAdmin
from tinhso.eservices import catalogue
from tinhso.eservices.forms import MAX_DOCUMENT_BYTES
from tinhso.eservices.models import AgencyCode, CatalogueImport, Procedure, ProcedureVersion, Sector
from tinhso.eservices.models_processing import IndicatorRollup, Payment, StepRecord


@admin.register(Sector)
class SectorAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "sort_order"]
    search_fields = ["code", "name"]


@admin.register(AgencyCode)
class AgencyCodeAdmin(AuditedModelAdmin):
    list_display = ["code", "agency"]
    search_fields = ["code", "agency__name"]
    autocomplete_fields = ["agency"]


class PrettyJSONWidget(forms.Textarea):
    def format_value(self, value):
        try:
            return json.dumps(json.loads(value) if isinstance(value, str) else value, ensure_ascii=False, indent=2)
        except (TypeError, ValueError):
            return value


class VersionForm(forms.ModelForm):
    class Meta:
        model = ProcedureVersion
        fields = [
            "procedure",
            "number",
            "effective_from",
            "effective_to",
            "legal_basis",
            "form_schema",
            "documents",
            "steps",
        ]
        widgets = {
            name: PrettyJSONWidget(attrs={"rows": 16, "cols": 100}) for name in ("form_schema", "documents", "steps")
        }

    def clean(self):
        cleaned = super().clean()
        checks = (
            ("form_schema", catalogue.validate_schema),
            ("documents", catalogue.validate_documents),
            ("steps", catalogue.validate_steps),
        )
        for name, check in checks:
            if name in cleaned:
                for problem in check(cleaned[name]):
                    self.add_error(name, problem)
        return cleaned


class VersionInline(admin.TabularInline):
    model = ProcedureVersion
    fields = ["number", "effective_from", "effective_to", "used_at"]
    readonly_fields = ["number", "effective_from", "effective_to", "used_at"]
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(AuditedModelAdmin):
    form = VersionForm
    list_display = ["procedure", "number", "effective_from", "effective_to", "used_at"]
    list_filter = ["procedure__sector"]
    search_fields = ["procedure__code", "procedure__search_name"]
    autocomplete_fields = ["procedure"]
    actions = ["copy_as_new_version"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            # Applications were filed under it: only closing it (effective_to) stays possible.
            return [
                "procedure",
                "number",
                "effective_from",
                "legal_basis",
                "form_schema",
                "documents",
                "steps",
                "used_at",
            ]
        return ["used_at"]

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.is_frozen)

    @admin.action(description=gettext_lazy("Tạo phiên bản mới từ phiên bản đã chọn"))
    def copy_as_new_version(self, request, queryset):
        for version in queryset.select_related("procedure"):
            with transaction.atomic():
                latest = version.procedure.versions.order_by("-number").first()
                copy = ProcedureVersion.objects.create(
                    procedure=version.procedure,
                    number=latest.number + 1,
                    effective_from=timezone.localdate(),
                    legal_basis=version.legal_basis,
                    form_schema=version.form_schema,
                    documents=version.documents,
                    steps=version.steps,
                )
                audit.record(
                    actor=request.user, action="eservices.version_copied", obj=copy, extra={"from": version.pk}
                )
        messages.success(request, _("Đã tạo phiên bản mới; hãy sửa rồi đặt ngày áp dụng."))


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Bảng tính danh mục (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        error_messages={"required": gettext_lazy("Vui lòng chọn tệp .xlsx.")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_DOCUMENT_BYTES:
            raise ValidationError(_("Tệp quá lớn (tối đa 10 MB)."))
        head = upload.read(4)
        upload.seek(0)
        if head != b"PK\x03\x04":
            raise ValidationError(_("Tệp không phải bảng tính Excel (.xlsx)."))
        return upload


@admin.register(Procedure)
class ProcedureAdmin(FoldedSearchMixin, AuditedModelAdmin):
    list_display = ["code", "name", "sector", "agency", "authority_level", "level", "processing_time", "is_public"]
    list_filter = ["sector", "authority_level", "level", "is_public", "is_active"]
    search_fields = ["code", "search_name"]
    autocomplete_fields = ["agency", "receiving_agency"]
    inlines = [VersionInline]
    change_list_template = "eservices/admin/procedure_changelist.html"

    def get_urls(self):
        own = [
            path("nhap/", self.admin_site.admin_view(self.import_view), name="eservices_procedure_import"),
            path(
                "nhap/<int:pk>/",
                self.admin_site.admin_view(self.import_status),
                name="eservices_procedure_import_status",
            ),
            path("xuat/", self.admin_site.admin_view(self.export_view), name="eservices_procedure_export"),
        ]
        return own + super().get_urls()

    def _require_change(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied

    def import_view(self, request):
        self._require_change(request)
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            from tinhso.eservices.tasks_catalogue import import_catalogue

            upload = form.cleaned_data["file"]
            with transaction.atomic():
                job = CatalogueImport(original_name=upload.name[:255], created_by=request.user)
                job.file.save(f"{timezone.now():%Y%m%d%H%M%S}.xlsx", upload, save=False)
                job.save()
                audit.record(actor=request.user, action="eservices.catalogue_import", obj=job)
                transaction.on_commit(lambda: import_catalogue.enqueue(job.pk))
            return redirect("admin:eservices_procedure_import_status", pk=job.pk)
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": _("Nhập danh mục từ bảng tính"),
            "opts": self.model._meta,
            "recent": CatalogueImport.objects.all()[:10],
        }
        return render(request, "eservices/admin/import.html", context)

    def import_status(self, request, pk: int):
        self._require_change(request)
        job = get_object_or_404(CatalogueImport, pk=pk)
        context = {
            **self.admin_site.each_context(request),
            "job": job,
            "title": _("Tiến độ nhập danh mục"),
            "opts": self.model._meta,
        }
        if request.headers.get("HX-Request"):
            return render(request, "eservices/admin/_import_progress.html", context)
        return render(request, "eservices/admin/import_status.html", context)

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        data = catalogue.export_workbook(Procedure.objects.order_by("sort_order", "code"))
        audit.record(actor=request.user, action="eservices.catalogue_export", object_type="eservices.procedure")
        response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="danh-muc-thu-tuc-{timezone.localdate():%Y%m%d}.xlsx"'
        return response


@admin.register(CatalogueImport)
class CatalogueImportAdmin(admin.ModelAdmin):
    list_display = [
        "original_name",
        "state",
        "processed_rows",
        "total_rows",
        "created_count",
        "updated_count",
        "created_at",
    ]
    readonly_fields = [f.name for f in CatalogueImport._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def response_change(self, request, obj):  # pragma: no cover - read-only
        return redirect(reverse("admin:eservices_procedure_import_status", args=[obj.pk]))


# --- Processing records: read-only, for the IT centre's checks and the fee reconciliation ------------------
# They change only through tinhso.eservices.processing (audited); the admin shows no applicant's personal data.


@admin.register(StepRecord)
class StepRecordAdmin(ReadOnlyAdmin):
    list_display = ["application_code", "index", "name", "agency", "started_at", "due_at", "finished_at", "outcome"]
    list_filter = ["outcome", "agency"]
    list_select_related = ["application", "agency"]
    search_fields = ["application__code"]
    date_hierarchy = "started_at"

    @admin.display(description=gettext_lazy("mã hồ sơ"), ordering="application__code")
    def application_code(self, obj):
        return obj.application.code


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["transaction_ref", "application_code", "amount", "method", "gateway", "status", "paid_at"]
    list_filter = ["status", "method", "gateway"]
    list_select_related = ["application"]
    search_fields = ["transaction_ref", "receipt_no", "application__code"]
    date_hierarchy = "created_at"
    exclude = ["recorded_by"]

    @admin.display(description=gettext_lazy("mã hồ sơ"), ordering="application__code")
    def application_code(self, obj):
        return obj.application.code


@admin.register(IndicatorRollup)
class IndicatorRollupAdmin(ReadOnlyAdmin):
    list_display = ["month", "agency", "procedure", "received", "finished", "finished_on_time", "refreshed_at"]
    list_filter = ["month", "agency"]
    list_select_related = ["agency", "procedure"]
