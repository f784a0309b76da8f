"""The one-stop shop and the departments: the clerks' queue, an application's processing page and its actions,
walk-in filing, the forms as PDF, the tracking book and the fee reconciliation.

Every view requires a staff role; an application is looked up only among `processing.visible_to(user)`, so another
agency's file is a 404, in lists as on its own page; each action checks again who may act (processing.py).
"""

import csv
import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tinhso.core import audit, calendar, permissions
from tinhso.core.models import Agency
from tinhso.core.permissions import role_required
from tinhso.core.phone import mask_phone
from tinhso.core.privacy import mask_address
from tinhso.core.text import fold
from tinhso.eservices import deadlines, pdf, processing
from tinhso.eservices import forms_staff as f
from tinhso.eservices.actions import new_idempotency_key
from tinhso.eservices.catalogue import SchemaForm, display_value
from tinhso.eservices.forms import clean_document
from tinhso.eservices.indicators766 import received_between
from tinhso.eservices.models import OPEN_STATUSES, Application, ApplicationDocument, ApplicationEvent, Procedure, Status
from tinhso.eservices.models_processing import StepRecord

STAFF_ROLES = (*processing.RECEPTION_ROLES,)
PAGE_SIZE = 25


def _application_or_404(request, code: str) -> Application:
    queryset = processing.visible_to(request.user).select_related(
        "procedure", "version", "agency", "receiving_agency", "current_agency"
    )
    return get_object_or_404(queryset, code=code.strip())


# --- The queue ------------------------------------------------------------------------------------------------------


def _my_steps(user):
    """Return the open steps of the user's agencies and roles (a leader: every open step of their agencies)."""
    if permissions.is_province_wide(user):
        return StepRecord.objects.filter(finished_at=None)
    condition = Q(pk__in=[])
    for role in (permissions.Role.CLERK, permissions.Role.COMMUNE_OFFICIAL, permissions.Role.LEADER):
        ids = permissions.agency_ids_for(user, role) or set()
        if ids:
            step_role = permissions.Role.CLERK if role == permissions.Role.COMMUNE_OFFICIAL else role
            condition |= (
                Q(agency_id__in=ids) if role == permissions.Role.LEADER else Q(agency_id__in=ids, role=step_role)
            )
    return StepRecord.objects.filter(condition, finished_at=None)


def _reception(user):
    ids = permissions.agency_ids_for(user, *processing.RECEPTION_ROLES)
    waiting = Q(status=Status.REGISTERED) | Q(status=Status.SUPPLEMENT, received_at=None) | Q(status=Status.DONE)
    queryset = Application.objects.filter(waiting)
    return queryset if ids is None else queryset.filter(receiving_agency_id__in=ids)


def queue_rows(user, form: f.QueueFilterForm, now: dt.datetime):
    """Return (tab, rows) of the queue: open steps with their application, or applications at reception."""
    tab = form.value("tab") or "steps"
    due, status, q = form.value("due"), form.value("status"), form.value("q")
    near = calendar.add_working_days(now, 1)
    words = fold(q or "").split()[:6]
    if tab == "steps":
        rows = _my_steps(user).select_related("application__procedure", "agency")
        if status:
            rows = rows.filter(application__status=status)
        if form.value("procedure"):
            rows = rows.filter(application__procedure_id=form.value("procedure"))
        if form.value("step"):
            rows = rows.filter(code=form.value("step"))
        if due == "overdue":
            rows = rows.filter(due_at__lt=now)
        elif due == "near":
            rows = rows.filter(due_at__gte=now, due_at__lte=near)
        elif due == "on_time":
            rows = rows.filter(due_at__gte=now)
        for word in words:
            rows = rows.filter(application__search_text__contains=word)
        return tab, rows.order_by("due_at", "pk")
    apps = _reception(user) if tab == "reception" else processing.visible_to(user)
    if status:
        apps = apps.filter(status=status)
    elif tab == "all":
        apps = apps.filter(status__in=(*OPEN_STATUSES, Status.DONE))
    if form.value("procedure"):
        apps = apps.filter(procedure_id=form.value("procedure"))
    if due == "overdue":
        apps = apps.filter(due_at__lt=now)
    elif due == "near":
        apps = apps.filter(due_at__gte=now, due_at__lte=near)
    elif due == "on_time":
        apps = apps.filter(due_at__gte=now)
    for word in words:
        apps = apps.filter(search_text__contains=word)
    order = ("submitted_at", "pk") if tab == "reception" else ("due_at", "pk")
    return tab, apps.select_related("procedure", "current_agency").order_by(*order)


@require_GET
@role_required(*STAFF_ROLES)
def queue(request):
    procedures = Procedure.objects.filter(is_active=True).order_by("code")
    form = f.QueueFilterForm(request.GET or None, procedures=procedures)
    now = timezone.now()
    tab, rows = queue_rows(request.user, form, now)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "tab": tab, "page": page, "now": now, "tabs": f.TABS, "bulk": f.BulkForm()}
    template = (
        "eservices/staff/_queue_results.html" if request.headers.get("HX-Request") else "eservices/staff/queue.html"
    )
    return render(request, template, context)


@require_POST
@role_required(*STAFF_ROLES)
def bulk(request):
    visible = processing.visible_to(request.user)
    codes = request.POST.getlist("codes")
    form = f.BulkForm(request.POST, codes=codes)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("eservices:staff_queue")
    apps = list(visible.filter(code__in=form.cleaned_data["codes"]))
    if form.cleaned_data["action"] == "complete":
        result = processing.bulk(processing.complete_step, actor=request.user, applications=apps)
    else:
        result = processing.bulk(
            processing.return_result, actor=request.user, applications=apps, method=processing.RETURN_ONLINE
        )
    if result.done:
        messages.success(
            request, _("Đã xử lý %(n)s hồ sơ: %(codes)s") % {"n": len(result.done), "codes": ", ".join(result.done)}
        )
    for code, reason in result.failed.items():
        messages.error(request, f"{code}: {reason}")
    return redirect("eservices:staff_queue")


# --- One application ------------------------------------------------------------------------------------------------


def _available_actions(user, app: Application, step: StepRecord | None) -> set[str]:
    actions: set[str] = set()
    receive = processing.can_receive(user, app)
    handle = processing.can_handle(user, step)
    if app.status == Status.REGISTERED and receive:
        actions |= {"accept", "supplement", "refuse"}
    if app.status == Status.SUPPLEMENT and app.received_at is None and receive:
        actions |= {"refuse", "supply"}
    if app.status == Status.SUPPLEMENT and receive:
        actions.add("supply")
    if app.status == Status.PROCESSING and handle:
        actions |= {"complete", "supplement", "result"}
        if step and step.index > 0:
            actions.add("send_back")
        spec = app.version.step(step.index) if step else None
        if spec and spec.get("branch"):
            actions.add("branch")
        if processing.fee_outstanding(app):
            actions.add("fee")
    if app.status in (Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT, Status.FINANCIAL):
        if handle or permissions.can_act_in(user, app.agency_id, *processing.RECEPTION_ROLES):
            actions.add("apology")
        if handle or processing.can_oversee(user, app):
            actions.add("stop")
        if handle or receive:
            actions.add("withdraw")
    last_desk = (
        app.status == Status.PROCESSING
        and step is not None
        and step.index == len(app.version.steps or []) - 1
        and step.agency_id == app.receiving_agency_id
    )
    if (app.status == Status.DONE and receive) or (last_desk and handle):
        actions |= {"return", "result"}
    if (
        receive
        and processing.fee_outstanding(app)
        and app.status not in (Status.REFUSED, Status.WITHDRAWN, Status.STOPPED, Status.RETURNED)
    ):
        actions.add("pay_counter")
    return actions


def _forms_for(actions: set[str]) -> dict:
    return {
        "refuse": f.ReasonForm(prefix="refuse"),
        "supplement": f.SupplementForm(prefix="supplement"),
        "apology": f.ApologyForm(prefix="apology"),
        "result": f.ResultForm(prefix="result"),
        "return": f.ReturnForm(prefix="return"),
        "send_back": f.ReasonForm(prefix="send_back"),
        "stop": f.ReasonForm(prefix="stop"),
        "withdraw": f.ReasonForm(prefix="withdraw"),
        "note": f.NoteForm(prefix="note"),
    }


def _pdf_forms(app: Application) -> list[tuple[str, str]]:
    kinds = set(app.events.values_list("kind", flat=True))
    available = []
    if app.received_at:
        available.append((pdf.RECEIPT, _("Giấy tiếp nhận và hẹn trả kết quả")))
    if ApplicationEvent.Kind.SUPPLEMENT_REQUESTED in kinds:
        available.append((pdf.SUPPLEMENT, _("Phiếu yêu cầu bổ sung")))
    if ApplicationEvent.Kind.REFUSED in kinds:
        available.append((pdf.REFUSAL, _("Phiếu từ chối tiếp nhận")))
    if ApplicationEvent.Kind.APOLOGY in kinds:
        available.append((pdf.APOLOGY, _("Văn bản xin lỗi và hẹn lại")))
    if app.received_at:
        available.append((pdf.CONTROL_SLIP, _("Phiếu kiểm soát quá trình giải quyết")))
    return available


@require_GET
@role_required(*STAFF_ROLES)
def application(request, code: str):
    app = _application_or_404(request, code)
    step = processing.open_step(app)
    actions = _available_actions(request.user, app, step)
    answers = [
        (spec.get("label", spec["name"]), display_value(spec, app.form_data.get(spec["name"])))
        for spec in app.version.fields
    ]
    context = {
        "app": app,
        "step": step,
        "actions": actions,
        "forms": _forms_for(actions),
        "answers": answers,
        "documents": app.documents.filter(replaced_at=None).order_by("kind", "created_at"),
        "events": app.events.select_related("actor", "agency").order_by("at", "id"),
        "steps": app.step_records.select_related("agency", "handed_by", "finished_by"),
        "phone": mask_phone(app.applicant_phone) if app.applicant_phone else "",
        "address": mask_address(app.applicant_address) if app.applicant_address else "",
        "fee_outstanding": processing.fee_outstanding(app),
        "payments": app.payments.all(),
        "pdf_forms": _pdf_forms(app),
        "now": timezone.now(),
        # Decree 118/2025: a file that will be late gets the apology letter before its due date.
        "needs_apology": app.is_open
        and app.paused_at is None
        and app.due_at is not None
        and app.due_at == (app.original_due_at or app.due_at)
        and deadlines.needs_apology(app.due_at, timezone.now(), agency=app.agency),
    }
    return render(request, "eservices/staff/application.html", context)


def _bound(form_class, request, prefix):
    return form_class(request.POST, request.FILES or None, prefix=prefix)


def _run(request, app: Application, action: str):
    """Parse the action's form and call its processing function; return a message or raise ValidationError."""
    user = request.user
    if action == "accept":
        processing.accept(actor=user, application=app, note=request.POST.get("note-note", ""))
        return _("Đã tiếp nhận hồ sơ; đã in được giấy hẹn.")
    if action == "complete" or action == "branch":
        processing.complete_step(
            actor=user, application=app, note=request.POST.get("note-note", ""), branch=action == "branch"
        )
        return _("Đã hoàn thành bước và chuyển tiếp hồ sơ.")
    if action == "fee":
        processing.request_fee(actor=user, application=app)
        return _("Đã yêu cầu người nộp thực hiện nghĩa vụ tài chính.")
    if action == "pay_counter":
        payment = processing.record_counter_payment(actor=user, application=app)
        return _("Đã thu phí, biên lai số %(no)s.") % {"no": payment.receipt_no}
    form_classes = {
        "refuse": f.ReasonForm,
        "supplement": f.SupplementForm,
        "apology": f.ApologyForm,
        "result": f.ResultForm,
        "return": f.ReturnForm,
        "send_back": f.ReasonForm,
        "stop": f.ReasonForm,
        "withdraw": f.ReasonForm,
    }
    if action not in form_classes:
        raise Http404
    form = _bound(form_classes[action], request, action)
    if not form.is_valid():
        raise ValidationError([e for errors in form.errors.values() for e in errors])
    data = form.cleaned_data
    if action == "refuse":
        processing.refuse(actor=user, application=app, reason=data["reason"])
        return _("Đã từ chối tiếp nhận hồ sơ.")
    if action == "supplement":
        processing.request_supplement(actor=user, application=app, reason=data["reason"], items=data["items"])
        return _("Đã gửi yêu cầu bổ sung hồ sơ.")
    if action == "apology":
        processing.apologise(actor=user, application=app, new_due_at=form.new_due_at(), reason=data["reason"])
        return _("Đã gửi văn bản xin lỗi và hẹn lại ngày trả kết quả.")
    if action == "result":
        processing.upload_result(actor=user, application=app, document=data["file"], note=data["note"])
        return _("Đã lưu tệp kết quả điện tử.")
    if action == "return":
        processing.return_result(actor=user, application=app, method=data["method"], note=data["note"])
        return _("Đã trả kết quả cho người nộp.")
    if action == "send_back":
        processing.send_back(actor=user, application=app, reason=data["reason"])
        return _("Đã trả hồ sơ về bước trước.")
    if action == "stop":
        processing.stop(actor=user, application=app, reason=data["reason"])
        return _("Đã dừng xử lý hồ sơ.")
    processing.withdraw(actor=user, application=app, reason=data["reason"])
    return _("Đã ghi nhận rút hồ sơ.")


@require_POST
@role_required(*STAFF_ROLES)
def act(request, code: str, action: str):
    app = _application_or_404(request, code)
    try:
        message = _run(request, app, action)
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.success(request, message)
    if (
        action in ("refuse", "withdraw", "stop", "return")
        or not processing.visible_to(request.user).filter(pk=app.pk).exists()
    ):
        return (
            redirect("eservices:staff_queue")
            if not processing.visible_to(request.user).filter(pk=app.pk).exists()
            else redirect("eservices:staff_application", code=app.code)
        )
    return redirect("eservices:staff_application", code=app.code)


@require_GET
@role_required(*STAFF_ROLES)
def document(request, code: str, pk: int):
    """Serve one file of an application to staff who may see it; every access is audited."""
    app = _application_or_404(request, code)
    doc = get_object_or_404(ApplicationDocument, pk=pk, application=app)
    audit.record_personal_data_access(actor=request.user, obj=app, fields=[f"document:{doc.pk}"], purpose="xử lý hồ sơ")
    response = FileResponse(doc.file.open("rb"), content_type=doc.content_type)
    response["Content-Disposition"] = f'inline; filename="{doc.pk}.{doc.file.name.rsplit(".", 1)[-1]}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- The forms as PDF -----------------------------------------------------------------------------------------------


def _last_event(app: Application, kind: str) -> ApplicationEvent:
    event = app.events.filter(kind=kind).order_by("-at", "-id").first()
    if event is None:
        raise Http404
    return event


def form_context(app: Application, form: str, *, user) -> tuple[dict, dt.date]:
    """Return the context and the document date of one form of an application, from its recorded events."""
    if form == pdf.RECEIPT:
        if not app.received_at:
            raise Http404
        event = _last_event(app, ApplicationEvent.Kind.RECEIVED)
        files: dict[str, int] = {}
        for requirement in app.documents.filter(replaced_at=None).values_list("requirement", flat=True):
            files[requirement] = files.get(requirement, 0) + 1
        documents = [dict(doc, files=files.get(doc.get("code"), 0)) for doc in app.version.documents]
        legal = processing.legal_time(app)
        unit = _("ngày làm việc") if legal.unit == "days" else _("giờ làm việc")
        context = pdf.common(app, issued_at=app.received_at, clerk=event.actor or app.received_by) | {
            "documents": documents,
            "legal_time": f"{legal.amount:02d} {unit}",
            "received_at": timezone.localtime(app.received_at),
            "due_at": timezone.localtime(app.original_due_at or app.due_at),
            "return_method": processing.RETURN_METHODS[
                processing.RETURN_ONLINE if app.channel == 2 else processing.RETURN_COUNTER
            ],
            "fee": app.fee_amount,
            "address": app.applicant_address,
            "phone": app.applicant_phone,
            "email": app.applicant_email,
            "book_no": f"{timezone.localtime(app.received_at):%m/%Y}",
            "qr": pdf.qr_data_uri(pdf.lookup_url(app.code)),
        }
        return context, timezone.localtime(app.received_at).date()
    if form == pdf.SUPPLEMENT:
        event = _last_event(app, ApplicationEvent.Kind.SUPPLEMENT_REQUESTED)
        context = pdf.common(app, issued_at=event.at, clerk=event.actor) | {
            "items": event.data.get("items", []),
            "reason": event.reason,
        }
        return context, timezone.localtime(event.at).date()
    if form == pdf.REFUSAL:
        event = _last_event(app, ApplicationEvent.Kind.REFUSED)
        return pdf.common(app, issued_at=event.at, clerk=event.actor) | {"reason": event.reason}, timezone.localtime(
            event.at
        ).date()
    if form == pdf.APOLOGY:
        event = _last_event(app, ApplicationEvent.Kind.APOLOGY)
        context = pdf.common(app, agency=app.agency, issued_at=event.at, clerk=event.actor) | {
            "received_at": timezone.localtime(app.received_at),
            "original_due_at": timezone.localtime(dt.datetime.fromisoformat(event.data["previous_due_at"])),
            "new_due_at": timezone.localtime(dt.datetime.fromisoformat(event.data["new_due_at"])),
            "reason": event.reason,
            "signer_name": "",
        }
        return context, timezone.localtime(event.at).date()
    if form == pdf.CONTROL_SLIP:
        if not app.received_at:
            raise Http404
        context = pdf.common(app, clerk=user) | {
            "rows": processing.control_slip_rows(app),
            "competent_name": app.agency.name,
            "cooperating": ", ".join(
                sorted(
                    {r.agency.name for r in app.step_records.select_related("agency")}
                    - {app.agency.name, app.receiving_agency.name}
                )
            ),
        }
        return context, timezone.localtime(app.received_at).date()
    raise Http404


@require_GET
@role_required(*STAFF_ROLES)
def form_pdf(request, code: str, form: str):
    app = _application_or_404(request, code)
    context, day = form_context(app, form, user=request.user)
    data = pdf.render(form, context, on=day)
    audit.record_personal_data_access(actor=request.user, obj=app, fields=[f"form:{form}"], purpose="in biểu mẫu")
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{form}-{app.code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@role_required(*STAFF_ROLES)
def tracking_book(request):
    """The tracking book (sổ theo dõi hồ sơ) of the user's reception desks for a period, as PDF."""
    period = f.PeriodForm(request.GET or None)
    start, end = period.period()
    ids = permissions.agency_ids_for(request.user, *processing.RECEPTION_ROLES)
    apps = received_between(start, end)
    if ids is not None:
        apps = apps.filter(receiving_agency_id__in=ids)
    agencies = permissions.agencies_for(request.user, *processing.RECEPTION_ROLES)
    name = agencies.first().name if ids is not None and len(ids) == 1 else _("Các bộ phận một cửa")
    rows = processing.tracking_book_rows(apps)
    audit.record(
        actor=request.user,
        action="eservices.tracking_book_printed",
        extra={"start": start, "end": end, "rows": len(rows)},
    )
    context = {
        "rows": rows,
        "agency_name": name,
        "place": "Thái Nguyên",
        "issued_at": timezone.localtime(),
        "period_label": _("Từ ngày %(start)s đến ngày %(end)s")
        % {"start": f"{start:%d/%m/%Y}", "end": f"{end:%d/%m/%Y}"},
    }
    data = pdf.render(pdf.TRACKING_BOOK, context, on=end)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="so-theo-doi-{start:%Y%m%d}-{end:%Y%m%d}.pdf"'
    return response


# --- Walk-in filing ---------------------------------------------------------------------------------------------------


def _receivable(user):
    ids = permissions.agency_ids_for(user, *processing.RECEPTION_ROLES)
    procedures = Procedure.objects.filter(is_active=True).select_related("agency")
    if ids is None:
        return procedures
    return procedures.filter(
        Q(receiving_agency_id__in=ids) | Q(receiving_agency=None, agency_id__in=ids) | Q(agency=None)
    )


@require_http_methods(["GET", "POST"])
@role_required(*STAFF_ROLES)
def walk_in(request):
    procedures = _receivable(request.user)
    chosen = procedures.filter(code=request.GET.get("thu_tuc", "")).first()
    if chosen is None:
        form = f.WalkInStartForm(request.GET or None, procedures=procedures)
        if form.is_bound and form.is_valid():
            return redirect(f"{reverse('eservices:staff_walk_in')}?thu_tuc={form.cleaned_data['procedure'].code}")
        return render(request, "eservices/staff/walk_in_start.html", {"form": form})
    version = chosen.current_version()
    if version is None:
        raise Http404
    applicant = f.ApplicantForm(request.POST or None, prefix="nguoi_nop")
    answers = SchemaForm(request.POST or None, schema=version.form_schema, prefix="to_khai")
    scan_errors: list[str] = []
    if request.method == "POST" and applicant.is_valid() and answers.is_valid():
        scans = []
        for doc in version.documents:
            upload = request.FILES.get(f"scan-{doc['code']}")
            if upload:
                try:
                    scans.append((doc["code"], clean_document(upload)))
                except ValidationError as exc:
                    scan_errors.extend(exc.messages)
        agency = None
        if chosen.agency_id is None:
            # A commune procedure filed at a commune's desk is decided by that commune.
            desks = permissions.agencies_for(request.user, *processing.RECEPTION_ROLES)
            agency = desks.filter(kind=Agency.Kind.COMMUNE_COMMITTEE).first()
        if not scan_errors:
            try:
                app = processing.file_walk_in(
                    actor=request.user,
                    procedure=chosen,
                    agency=agency,
                    form_data=answers.json_data(),
                    scans=scans,
                    idempotency_key=request.POST.get("idempotency_key") or new_idempotency_key(),
                    **applicant.cleaned_data,
                )
            except ValidationError as exc:
                scan_errors.extend(exc.messages)
            else:
                messages.success(request, _("Đã nhập hồ sơ %(code)s; kiểm tra rồi tiếp nhận.") % {"code": app.code})
                return redirect("eservices:staff_application", code=app.code)
    context = {
        "procedure": chosen,
        "version": version,
        "applicant": applicant,
        "answers": answers,
        "scan_errors": scan_errors,
        "idempotency_key": request.POST.get("idempotency_key") or new_idempotency_key(),
    }
    return render(request, "eservices/staff/walk_in.html", context, status=400 if request.method == "POST" else 200)


# --- Fees ------------------------------------------------------------------------------------------------------------


@require_GET
@role_required(*STAFF_ROLES)
def reconciliation(request):
    """The fee reconciliation report of the user's desks for a period (HTML, or CSV with ?format=csv)."""
    period = f.PeriodForm(request.GET or None)
    start, end = period.period()
    report = processing.reconciliation(
        agency_ids=permissions.agency_ids_for(request.user, *processing.RECEPTION_ROLES), start=start, end=end
    )
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="doi-soat-phi-{start:%Y%m%d}-{end:%Y%m%d}.csv"'
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow(
            [
                _("Mã hồ sơ"),
                _("Số biên lai"),
                _("Mã giao dịch"),
                _("Hình thức"),
                _("Cổng"),
                _("Số tiền"),
                _("Thời điểm"),
            ]
        )
        for payment in report["payments"]:
            writer.writerow(
                [
                    payment.application.code,
                    payment.receipt_no,
                    payment.transaction_ref,
                    payment.get_method_display(),
                    payment.gateway,
                    payment.amount,
                    timezone.localtime(payment.paid_at).strftime("%d/%m/%Y %H:%M"),
                ]
            )
        return response
    return render(
        request, "eservices/staff/reconciliation.html", {"form": period, "report": report, "start": start, "end": end}
    )
