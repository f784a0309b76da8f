"""The staff workspace (inbox, bulk assign, case page and its actions) and the 1022 operator console.

Every view checks the role with `role_required`; a case is looked up only among the cases the user's agencies
may see, so another agency's case is a 404, in lists as on its own page. The actions check the right to act.
"""

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.forms.utils import flatatt
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tinhso.core import audit, calendar, permissions
from tinhso.core.models import Agency, Role
from tinhso.core.permissions import role_required
from tinhso.core.phone import normalize_phone
from tinhso.core.text import fold
from tinhso.feedback import actions
from tinhso.feedback import forms_staff as f
from tinhso.feedback.models import Attachment, DeadlinePolicy, Level, Report, ResponseTemplate

WORKSPACE_ROLES = (*actions.HANDLER_ROLES, Role.OPERATOR)
PAGE_SIZE = 25
CONTACT_FIELDS = ("reporter_name", "reporter_phone", "reporter_email")
INBOX_DEFERRED = ("attributes", "category__attributes", "unit__boundary")


# --- Who sees what ------------------------------------------------------------------------------------------------


def visible_agency_ids(user) -> set[int] | None:
    """Return the agencies whose cases the user sees; None for every case (the 1022 centre dispatches them all)."""
    if Role.OPERATOR in permissions.roles(user):
        return None
    return permissions.agency_ids_for(user, *actions.HANDLER_ROLES)


def _visible(user):
    return Report.objects.visible_to_agencies(visible_agency_ids(user))


def _case_or_404(request, code: str) -> Report:
    reports = _visible(request.user).select_related("category", "agency", "unit", "reporter", "received_by")
    return get_object_or_404(reports, code=code.strip().upper())


def _is_handler(user, report: Report) -> bool:
    return permissions.can_act_on(user, report, *actions.HANDLER_ROLES)


def _is_leader(user, report: Report) -> bool:
    return permissions.can_act_on(user, report, Role.LEADER)


# --- Inbox ----------------------------------------------------------------------------------------------------------


def _near_due_threshold(now: dt.datetime) -> dt.datetime:
    """Return the end of the "near due" window: one working day, or the longest warning any policy asks for."""
    hours = max(
        [c.warn_before_hours for c in actions.DEFAULT_CLOCKS.values()]
        + list(DeadlinePolicy.objects.values_list("warn_before_hours", flat=True))
    )
    return max(calendar.add_working_days(now, 1), calendar.add_working_hours(now, hours))


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filter_reports(reports, form: f.InboxFilterForm, now: dt.datetime):
    """Return `reports` narrowed by the inbox filters and sorted as asked."""
    status = form.value("status")
    if status is None:
        reports = reports.open()
    elif status != "all":
        reports = reports.filter(status=status)
    due = form.value("due")
    if due == "overdue":
        reports = reports.overdue(now)
    elif due == "near":
        until = _near_due_threshold(now)
        reports = (
            reports.open()
            .exclude(status=Report.Status.WAITING)
            .filter(
                Q(accepted_at__isnull=True, accept_due_at__gte=now, accept_due_at__lte=until)
                | Q(accepted_at__isnull=False, answer_due_at__gte=now, answer_due_at__lte=until)
            )
        )
    for name in ("category", "unit", "channel"):
        value = form.value(name)
        if value:
            reports = reports.filter(**{name: value})
    if form.value("date_from"):
        reports = reports.filter(created_at__gte=_local_midnight(form.value("date_from")))
    if form.value("date_to"):
        reports = reports.filter(created_at__lt=_local_midnight(form.value("date_to") + dt.timedelta(days=1)))
    # search_text is folded (no diacritics, lower case): fold the query the same way, every word must appear.
    for word in fold(form.value("q") or "").split()[:8]:
        reports = reports.filter(search_text__contains=word)
    sort = form.value("sort") or "due"
    if sort == "new":
        return reports.order_by("-created_at", "-pk")
    if sort == "old":
        return reports.order_by("created_at", "pk")
    return reports.annotate(due_at=Coalesce("answer_due_at", "accept_due_at")).order_by(
        F("due_at").asc(nulls_last=True), "created_at", "pk"
    )


def _selectable_agencies(ids: set[int] | None) -> list[Agency]:
    agencies = Agency.objects.active() if ids is None else Agency.objects.filter(pk__in=ids)
    return list(agencies.order_by("sort_order", "name").only("pk", "name"))


def _mark_due(reports, now: dt.datetime) -> None:
    """Set `due`, `overdue` and `near_due` on each listed case for the template."""
    until = None
    for report in reports:
        report.due = report.answer_due_at or report.accept_due_at
        report.overdue = report.is_overdue(now)
        report.near_due = False
        if not report.overdue and report.is_open and report.status != Report.Status.WAITING and report.due:
            until = until or _near_due_threshold(now)
            report.near_due = report.due <= until


class QuickSelect(forms.Select):
    """A plain <select> built in Python. Django renders each option through the template engine: with the 92
    communes, the agencies and the categories that was most of the inbox page's time (docs/benchmarks.md)."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        chosen = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((v, mark_safe(" selected") if str(v) in chosen else "", label) for v, label in self.choices),
        )
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(attrs), options)


def quick_select(field: forms.Field, attrs: dict) -> None:
    """Give `field` a QuickSelect; a model choice's options are read as (id, name) pairs in one plain query."""
    if isinstance(field, forms.ModelChoiceField):
        empty = [] if field.empty_label is None else [("", field.empty_label)]
        choices = empty + list(field.queryset.values_list("pk", "name"))
    else:
        choices = field.widget.choices
    field.widget = QuickSelect(attrs=attrs)
    field.widget.choices = choices


def _quick_filters(form: f.InboxFilterForm) -> f.InboxFilterForm:
    for field in form.fields.values():
        if type(field.widget) is forms.Select:
            quick_select(field, field.widget.attrs)
    return form


def _bulk_form() -> f.BulkAssignForm:
    form = f.BulkAssignForm()
    quick_select(form.fields["agency"], {"id": "bulk-agency"})
    return form


@role_required(*WORKSPACE_ROLES)
@require_GET
def inbox(request):
    """List the cases of the user's agencies with filters; an HTMX request gets the results part only."""
    ids = visible_agency_ids(request.user)
    agencies = _selectable_agencies(ids)
    form = _quick_filters(f.InboxFilterForm(request.GET or None, agencies=agencies))
    chosen = form.value("agency")
    reports = Report.objects.visible_to_agencies({chosen} if chosen else ids)
    now = timezone.now()
    # The list shows none of the JSON columns (the case's and category's attributes, the commune's boundary).
    reports = reports.select_related("category", "unit", "agency").defer(*INBOX_DEFERRED)
    reports = filter_reports(reports, form, now)
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    _mark_due(page.object_list, now)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "bulk_form": _bulk_form(),
        "next": request.get_full_path(),
    }
    if request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request"):
        return render(request, "feedback/staff/_inbox_results.html", context)
    return render(request, "feedback/staff/inbox.html", context)


def _next_or(request, default: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


@role_required(*WORKSPACE_ROLES)
@require_POST
def bulk_assign(request):
    """Give several cases to one agency in one transaction; new cases are accepted first. Report each outcome."""
    back = _next_or(request, reverse("feedback:inbox"))
    form = f.BulkAssignForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(back)
    agency, wanted = form.cleaned_data["agency"], form.cleaned_data["reports"]
    found = {r.pk: r for r in _visible(request.user).filter(pk__in=wanted)}
    done, refused = [], []
    with transaction.atomic():
        for pk in wanted:
            report = found.get(pk)
            if report is None:
                refused.append(_("phản ánh #%(id)s: không tìm thấy") % {"id": pk})
                continue
            try:
                if report.status == Report.Status.NEW:
                    actions.accept_report(report=report, actor=request.user, agency=agency)
                else:
                    actions.assign_report(report=report, actor=request.user, agency=agency)
            except (ValidationError, PermissionDenied) as exc:
                refused.append(f"{report.code}: {_error_text(exc)}")
            else:
                done.append(report.code)
    if done:
        messages.success(
            request,
            _("Đã chuyển %(n)s phản ánh cho %(agency)s: %(codes)s.")
            % {"n": len(done), "agency": agency.name, "codes": ", ".join(done)},
        )
    if refused:
        messages.error(request, _("Không chuyển được: %(list)s.") % {"list": "; ".join(refused)})
    return redirect(back)


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or _("Bạn không có quyền thực hiện thao tác này.")


# --- The case page and its actions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseAction:
    """One form on the case page: when it shows, who may use it, and the action it calls."""

    title: str
    form: type[forms.Form]
    run: Callable[..., str]
    statuses: tuple[str, ...] | None = None  # None: in every status
    handlers_only: bool = False  # clerks, leaders and commune officials of the case (not operators)
    button: str = ""


WORKING = (Report.Status.ACCEPTED, Report.Status.ASSIGNED, Report.Status.IN_PROGRESS)


def _run_accept(request, report, data) -> str:
    actions.accept_report(report=report, actor=request.user, agency=data["agency"], level=data["level"] or None)
    return _("Đã tiếp nhận phản ánh %(code)s.") % {"code": report.code}


def _run_assign(request, report, data) -> str:
    actions.assign_report(report=report, actor=request.user, agency=data["agency"], note=data["note"])
    return _("Đã chuyển phản ánh cho %(agency)s.") % {"agency": data["agency"].name}


def _run_transfer(request, report, data) -> str:
    actions.transfer_report(report=report, actor=request.user, agency=data["agency"], reason=data["reason"])
    return _("Đã chuyển phản ánh sang %(agency)s.") % {"agency": data["agency"].name}


def _run_start(request, report, data) -> str:
    actions.start_work(report=report, actor=request.user)
    return _("Đã bắt đầu xử lý.")


def _run_note(request, report, data) -> str:
    actions.add_note(report=report, actor=request.user, text=data["text"])
    return _("Đã thêm ghi chú nội bộ.")


def _run_request_information(request, report, data) -> str:
    actions.request_information(report=report, actor=request.user, message=data["message"])
    return _("Đã đề nghị người dân bổ sung thông tin; thời hạn tạm dừng.")


def _run_resume(request, report, data) -> str:
    actions.resume_report(report=report, actor=request.user)
    return _("Đã tiếp tục xử lý; thời hạn được tính tiếp.")


def _run_answer(request, report, data) -> str:
    actions.answer_report(report=report, actor=request.user, answer=data["answer"])
    return _("Đã gửi trả lời cho người dân.")


def _run_close(request, report, data) -> str:
    actions.close_report(report=report, actor=request.user)
    return _("Đã đóng phản ánh.")


def _run_reject(request, report, data) -> str:
    actions.reject_report(report=report, actor=request.user, reason=data["reason"], note=data["note"])
    return _("Đã từ chối phản ánh.")


def _run_extension(request, report, data) -> str:
    actions.request_extension(report=report, actor=request.user, new_due_at=data["new_due_at"], reason=data["reason"])
    return _("Đã gửi đề nghị gia hạn cho lãnh đạo duyệt.")


def _run_decide_extension(request, report, data) -> str:
    extension = report.extensions.filter(pk=data["extension"]).first()
    if extension is None:
        raise ValidationError(_("Không tìm thấy đề nghị gia hạn."))
    approve = data["decision"] == "approve"
    actions.decide_extension(extension=extension, actor=request.user, approve=approve)
    return _("Đã duyệt gia hạn.") if approve else _("Đã không duyệt gia hạn.")


def _run_merge(request, report, data) -> str:
    into = _visible(request.user).filter(code=data["into"]).first()
    if into is None:
        raise ValidationError({"into": _("Không tìm thấy phản ánh có mã này.")})
    if into.pk == report.pk:
        raise ValidationError({"into": _("Không thể gộp phản ánh vào chính nó.")})
    actions.merge_reports(duplicate=report, into=into, actor=request.user)
    return _("Đã gộp vào phản ánh %(code)s.") % {"code": into.code}


def _run_share(request, report, data) -> str:
    actions.share_report(report=report, actor=request.user, agency=data["agency"])
    return _("Đã mời %(agency)s phối hợp.") % {"agency": data["agency"].name}


def _run_visibility(request, report, data) -> str:
    attachment = report.attachments.filter(pk=data["attachment"]).first()
    if attachment is None:
        raise ValidationError(_("Không tìm thấy tệp đính kèm."))
    actions.set_attachment_public(attachment=attachment, actor=request.user, is_public=data["public"])
    return _("Tệp đã được hiện công khai.") if data["public"] else _("Tệp đã được ẩn khỏi trang công khai.")


def _run_approve(request, report, data) -> str:
    attachment = report.attachments.filter(pk=data["attachment"]).first()
    if attachment is None:
        raise ValidationError(_("Không tìm thấy tệp đính kèm."))
    actions.approve_attachment(attachment=attachment, actor=request.user)
    return _("Đã duyệt công khai tệp.")


def _run_public_text(request, report, data) -> str:
    actions.edit_public_text(report=report, actor=request.user, text=data["text"])
    return _("Đã lưu nội dung công khai.")


def _run_upload(request, report, data) -> str:
    try:
        actions.attach_file(
            report=report, actor=request.user, upload=data["file"], kind=data["kind"], is_public=data["is_public"]
        )
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    return _("Đã đính kèm tệp.")


CASE_ACTIONS: dict[str, CaseAction] = {
    "tiep-nhan": CaseAction(pgettext_lazy("button", "Tiếp nhận"), f.AcceptForm, _run_accept, (Report.Status.NEW,)),
    "phan-cong": CaseAction(gettext_lazy("Chuyển cơ quan xử lý"), f.AssignForm, _run_assign, WORKING),
    "chuyen": CaseAction(gettext_lazy("Chuyển cơ quan khác (có lý do)"), f.TransferForm, _run_transfer, WORKING),
    "bat-dau": CaseAction(
        pgettext_lazy("button", "Bắt đầu xử lý"),
        f.ConfirmForm,
        _run_start,
        (Report.Status.ACCEPTED, Report.Status.ASSIGNED),
        handlers_only=True,
    ),
    "tra-loi": CaseAction(pgettext_lazy("button", "Trả lời"), f.AnswerForm, _run_answer, WORKING, handlers_only=True),
    "yeu-cau-bo-sung": CaseAction(
        gettext_lazy("Đề nghị người dân bổ sung"), f.RequestInformationForm, _run_request_information, WORKING, True
    ),
    "tiep-tuc": CaseAction(
        pgettext_lazy("button", "Tiếp tục xử lý"),
        f.ConfirmForm,
        _run_resume,
        (Report.Status.WAITING,),
        handlers_only=True,
    ),
    "gia-han": CaseAction(
        gettext_lazy("Đề nghị gia hạn"), f.ExtensionForm, _run_extension, WORKING, handlers_only=True
    ),
    "duyet-gia-han": CaseAction(gettext_lazy("Duyệt gia hạn"), f.DecideExtensionForm, _run_decide_extension),
    "ghi-chu": CaseAction(gettext_lazy("Ghi chú nội bộ"), f.NoteForm, _run_note),
    "tu-choi": CaseAction(pgettext_lazy("button", "Từ chối"), f.RejectForm, _run_reject, Report.OPEN_STATUSES),
    "gop": CaseAction(gettext_lazy("Gộp vào phản ánh trùng"), f.MergeForm, _run_merge, Report.OPEN_STATUSES),
    "phoi-hop": CaseAction(gettext_lazy("Mời cơ quan phối hợp"), f.ShareForm, _run_share, Report.OPEN_STATUSES),
    "dong": CaseAction(gettext_lazy("Đóng phản ánh"), f.ConfirmForm, _run_close, (Report.Status.ANSWERED,)),
    "noi-dung-cong-khai": CaseAction(gettext_lazy("Nội dung công khai"), f.PublicTextForm, _run_public_text),
    "an-hien-tep": CaseAction(gettext_lazy("Ẩn/hiện tệp"), f.AttachmentVisibilityForm, _run_visibility),
    # The same form (the file's id); `public` is sent as 1 and not read: approving always publishes.
    "duyet-anh": CaseAction(gettext_lazy("Duyệt công khai tệp"), f.AttachmentVisibilityForm, _run_approve),
    "dinh-kem": CaseAction(gettext_lazy("Đính kèm tệp"), f.UploadForm, _run_upload),
}

# Forms drawn by the template in their own place (the extension list, the photo list), not in the action list.
_INLINE_ACTIONS = {"duyet-gia-han", "an-hien-tep", "duyet-anh", "noi-dung-cong-khai", "dinh-kem"}


def available_actions(user, report: Report) -> list[str]:
    """Return the slugs of the case actions the user may take on the case in its current status."""
    handler = _is_handler(user, report)
    available = []
    for slug, spec in CASE_ACTIONS.items():
        if spec.statuses is not None and report.status not in spec.statuses:
            continue
        if spec.handlers_only and not handler:
            continue
        if slug == "duyet-gia-han" and not _is_leader(user, report):
            continue
        available.append(slug)
    return available


def _response_templates(report: Report):
    return ResponseTemplate.objects.filter(
        Q(agency__isnull=True) | Q(agency_id=report.agency_id),
        Q(category__isnull=True) | Q(category_id=report.category_id),
    ).order_by("title")


def _initial(slug: str, request, report: Report, templates) -> dict:
    if slug == "tra-loi" and request.GET.get("mau", "").isdigit():
        chosen = templates.filter(pk=int(request.GET["mau"])).first()
        return {"answer": chosen.body} if chosen else {}
    if slug == "noi-dung-cong-khai":
        return {"text": report.public_description}
    return {}


def _render_case(request, report: Report, *, bound: tuple[str, forms.Form] | None = None, show_contact=False):
    templates = _response_templates(report)
    slugs = available_actions(request.user, report)
    case_forms = {slug: CASE_ACTIONS[slug].form(initial=_initial(slug, request, report, templates)) for slug in slugs}
    if bound is not None:
        case_forms[bound[0]] = bound[1]
    context = {
        "report": report,
        "now": timezone.now(),
        "overdue": report.is_overdue(),
        "events": report.events.select_related("actor"),
        "attachments": report.attachments.all(),
        "extensions": report.extensions.select_related("requested_by", "decided_by").order_by("-requested_at"),
        "shares": report.shares.select_related("agency"),
        "duplicates": report.duplicates.only("code"),
        "templates": templates,
        # Keyed for the template, where a hyphen cannot be looked up.
        "forms": {slug.replace("-", "_"): form for slug, form in case_forms.items()},
        "map_layers": [reverse("feedback:case_point", args=[report.code])] if report.lon is not None else [],
        "action_list": [(slug, CASE_ACTIONS[slug], case_forms[slug]) for slug in slugs if slug not in _INLINE_ACTIONS],
        "failed": bound,
        "show_contact": show_contact,
        "has_contact": any(getattr(report, name) for name in CONTACT_FIELDS),
        "can_decide": "duyet-gia-han" in slugs,
    }
    return render(request, "feedback/staff/case.html", context, status=400 if bound else 200)


@role_required(*WORKSPACE_ROLES)
@require_GET
def case(request, code: str):
    """Show everything staff need about one case, and the forms for the steps it allows now."""
    return _render_case(request, _case_or_404(request, code))


def _add_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@role_required(*WORKSPACE_ROLES)
@require_POST
def case_action(request, code: str, action: str):
    """Run one step on the case from its form; errors come back on the form, a refusal is a 403."""
    spec = CASE_ACTIONS.get(action)
    if spec is None:
        raise Http404
    report = _case_or_404(request, code)
    form = spec.form(request.POST, request.FILES)
    if form.is_valid():
        try:
            message = spec.run(request, report, form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, message)
            return redirect("feedback:case", code=report.code)
    return _render_case(request, report, bound=(action, form))


@role_required(*WORKSPACE_ROLES)
@require_POST
def case_contact(request, code: str):
    """Show the reporter's name, phone and e-mail unmasked, and log that this person saw them."""
    report = _case_or_404(request, code)
    fields = [name for name in CONTACT_FIELDS if getattr(report, name)]
    audit.record_personal_data_access(actor=request.user, obj=report, fields=fields, purpose="feedback.case")
    if request.headers.get("HX-Request"):
        return render(request, "feedback/staff/_contact.html", {"report": report, "show_contact": True})
    return _render_case(request, report, show_contact=True)


@role_required(*WORKSPACE_ROLES)
@require_GET
def case_point(request, code: str):
    """Return the case's point as GeoJSON for the map on the case page."""
    report = _case_or_404(request, code)
    features = []
    if report.lon is not None and report.lat is not None:
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [report.lon, report.lat]},
                "properties": {"name": report.code, "kind_label": report.address},
            }
        )
    return JsonResponse(
        {"type": "FeatureCollection", "features": features}, content_type="application/geo+json; charset=utf-8"
    )


@role_required(*WORKSPACE_ROLES)
@require_GET
def attachment(request, code: str, pk: int):
    """Hand a case's file to staff; a recording or a document is personal data, so reading it is logged."""
    report = _case_or_404(request, code)
    item = get_object_or_404(report.attachments, pk=pk)
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    if item.kind != Attachment.Kind.PHOTO:
        audit.record_personal_data_access(
            actor=request.user, obj=report, fields=[f"attachment:{item.pk}"], purpose=f"feedback.{item.kind}"
        )
    response = FileResponse(handle, content_type=item.content_type, as_attachment=item.kind == "document")
    response["Cache-Control"] = "private, no-store"
    return response


# --- The 1022 operator console ----------------------------------------------------------------------------------


def _submit_call(request, form: f.OperatorForm) -> Report | None:
    """Store the call as a case (and its recording) or put the errors on the form; None when refused."""
    data = form.cleaned_data
    try:
        with transaction.atomic():
            report = actions.submit_report(
                category=data["category"],
                description=data["description"],
                channel=Report.Channel.HOTLINE,
                address=data["address"],
                lon=data["lon"],
                lat=data["lat"],
                reporter_name=data["reporter_name"],
                reporter_phone=data["reporter_phone"],
                level=Level.URGENT if data["urgent"] else None,
                received_by=request.user,
                idempotency_key=f"hotline:{data['token']}",
            )
            if data["recording"]:
                try:
                    actions.add_attachment(
                        report=report, upload=data["recording"], kind=Attachment.Kind.RECORDING, actor=request.user
                    )
                except ValidationError as exc:
                    raise ValidationError({"recording": exc.messages}) from None
    except ValidationError as exc:
        _add_errors(form, exc)
        return None
    return report


@role_required(Role.OPERATOR)
@require_http_methods(["GET", "POST"])
def operator(request):
    """Type a caller's report while on the phone; a repeated submission of the same form never makes two cases."""
    form = f.OperatorForm(request.POST or None, request.FILES or None, initial={"token": f.new_token()})
    if request.method == "POST" and form.is_valid():
        earlier = Report.objects.filter(idempotency_key=f"hotline:{form.cleaned_data['token']}").first()
        if earlier is not None:
            messages.info(request, _("Cuộc gọi này đã được ghi nhận: mã %(code)s.") % {"code": earlier.code})
            return redirect("feedback:operator")
        report = _submit_call(request, form)
        if report is not None:
            messages.success(
                request, _("Đã ghi nhận phản ánh, mã %(code)s. Hãy đọc mã cho người gọi.") % {"code": report.code}
            )
            if form.cleaned_data["accept_now"]:
                try:
                    actions.accept_report(report=report, actor=request.user, agency=form.cleaned_data["agency"])
                except (ValidationError, PermissionDenied) as exc:
                    messages.warning(request, _("Chưa tiếp nhận được: %(error)s") % {"error": _error_text(exc)})
                else:
                    messages.success(request, _("Đã tiếp nhận phản ánh %(code)s.") % {"code": report.code})
            return redirect("feedback:operator")
    recent = Report.objects.filter(received_by=request.user).select_related("category").order_by("-created_at")[:10]
    status = 400 if request.method == "POST" else 200
    return render(request, "feedback/staff/operator.html", {"form": form, "recent": recent}, status=status)


_DIGITS = re.compile(r"\D")


@role_required(Role.OPERATOR)
@require_GET
def operator_lookup(request):
    """Return the caller's earlier cases, found by the phone number typed so far (an HTMX fragment)."""
    raw = request.GET.get("reporter_phone", "")[:20]
    reports = Report.objects.none()
    try:
        reports = Report.objects.filter(reporter_phone=normalize_phone(raw))
    except ValidationError:
        digits = _DIGITS.sub("", raw)
        if len(digits) >= 6 and digits.startswith("0"):
            reports = Report.objects.filter(reporter_phone__startswith=digits)
    reports = reports.select_related("category").order_by("-created_at")[:20]
    return render(request, "feedback/staff/_caller_cases.html", {"reports": reports, "phone": raw})
