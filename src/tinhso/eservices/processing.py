"""Every write of the processing side: reception at the one-stop shop, the internal steps, supplements, fees,
the apology letter, results and their return, withdrawal and suspension.

Each function is keyword-only and transactional: it locks the application, checks who may act, writes, adds the
timeline entry and the audit entry, and queues the applicant's notification (delivered after the commit).

The clock (Decree 118/2025/NĐ-CP; rules in `deadlines.py`): nothing runs before valid receipt (`accept`); a request
for supplements or for the fee pauses it, and the due times (the application's, the current step's) move forward by
the office time spent waiting when it resumes; an apology letter sets a new due time and keeps `original_due_at`.

Who may act: reception, the return of results and counter payments belong to the clerks (and leaders) of the
receiving agency; a step belongs to the agency and role the procedure version gives it (leaders of that agency may
act on it too); province-wide roles may act anywhere.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.core import audit, permissions, sequences
from tinhso.core.models import Agency, Role
from tinhso.core.notify import notify
from tinhso.eservices import deadlines, payments
from tinhso.eservices.actions import record_event
from tinhso.eservices.deadlines import LegalTime
from tinhso.eservices.forms import CleanDocument
from tinhso.eservices.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    Channel,
    Status,
    TimeUnit,
)
from tinhso.eservices.models_processing import Pause, Payment, StepRecord

RECEPTION_ROLES = (Role.CLERK, Role.LEADER, Role.COMMUNE_OFFICIAL)
RETURN_ONLINE, RETURN_POST, RETURN_COUNTER = "online", "post", "counter"
RETURN_METHODS = {
    RETURN_ONLINE: "Trực tuyến (kho dữ liệu trên Cổng DVC)",
    RETURN_POST: "Qua dịch vụ bưu chính công ích",
    RETURN_COUNTER: "Trực tiếp tại bộ phận một cửa",
}
RECEIPT_SEQUENCE = "eservices.receipt"
_CLOSED = (Status.REFUSED, Status.WITHDRAWN, Status.STOPPED, Status.RETURNED)


# --- Who may act ---------------------------------------------------------------------------------------------------


def can_receive(user, application: Application) -> bool:
    """Return whether the user works at the receiving one-stop shop of the application."""
    return permissions.can_act_in(user, application.receiving_agency_id, *RECEPTION_ROLES)


def can_handle(user, step: StepRecord | None) -> bool:
    """Return whether the user may act on a step: its agency and role, or a leader of its agency."""
    if step is None:
        return False
    roles = {step.role} | ({Role.COMMUNE_OFFICIAL} if step.role == Role.CLERK else set())
    return permissions.can_act_in(user, step.agency_id, *roles) or permissions.can_act_in(
        user, step.agency_id, Role.LEADER
    )


def can_oversee(user, application: Application) -> bool:
    """Return whether the user leads the competent or the receiving agency (or the province)."""
    return permissions.can_act_in(user, application.agency_id, Role.LEADER) or permissions.can_act_in(
        user, application.receiving_agency_id, Role.LEADER
    )


def visible_to(user) -> QuerySet[Application]:
    """Return the submitted applications a staff member may see: their reception desk's, their current step's,
    and, for leaders, their agencies'. Province-wide roles see all; anyone else sees none."""
    submitted = Application.objects.submitted()
    if permissions.is_province_wide(user):
        return submitted
    condition = Q(pk__in=[])
    reception = permissions.agency_ids_for(user, *RECEPTION_ROLES) or set()
    if reception:
        condition |= Q(receiving_agency_id__in=reception)
    for role in (Role.CLERK, Role.COMMUNE_OFFICIAL, Role.LEADER):
        ids = permissions.agency_ids_for(user, role) or set()
        if not ids:
            continue
        step_role = Role.CLERK if role == Role.COMMUNE_OFFICIAL else role
        open_steps = StepRecord.objects.filter(application=OuterRef("pk"), finished_at=None, agency_id__in=ids)
        if role != Role.LEADER:
            open_steps = open_steps.filter(role=step_role)
        condition |= Exists(open_steps)
        if role == Role.LEADER:
            condition |= Q(agency_id__in=ids)
    return submitted.filter(condition)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("Bạn không có quyền xử lý hồ sơ này ở bước hiện tại."))


def _require_status(application: Application, *allowed: int) -> None:
    if application.status not in allowed:
        raise ValidationError(
            _("Hồ sơ đang ở trạng thái “%(status)s”, không thực hiện được thao tác này.")
            % {"status": application.get_status_display()},
            code="bad_status",
        )


# --- Helpers -------------------------------------------------------------------------------------------------------


def _lock(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("procedure", "version", "agency", "receiving_agency")
        .get(pk=application.pk)
    )


def legal_time(application: Application) -> LegalTime:
    """Return the application's legal processing time, in the procedure's unit."""
    hours = application.legal_hours or application.procedure.processing_hours
    if application.procedure.processing_unit == TimeUnit.DAYS and hours % deadlines.HOURS_PER_DAY == 0:
        return LegalTime(hours // deadlines.HOURS_PER_DAY, deadlines.DAYS)
    return LegalTime(hours, deadlines.HOURS)


def open_step(application: Application) -> StepRecord | None:
    return application.step_records.filter(finished_at=None).select_related("agency").first()


def step_agency(application: Application, spec: dict) -> Agency:
    """Return the agency of a step spec: "" the competent agency, "receiving" the receiving one, else its code."""
    code = (spec or {}).get("agency", "")
    if code == "receiving":
        return application.receiving_agency
    if code:
        found = Agency.objects.filter(code=code, is_active=True).first()
        if found is not None:
            return found
    return application.agency


def _audit(actor, action: str, application: Application, before: dict, **extra) -> None:
    audit.record(
        actor=actor,
        action=f"eservices.{action}",
        obj=application,
        changes=audit.diff(before, audit.snapshot(application)),
        extra=extra or None,
    )


def _tell(application: Application, event: ApplicationEvent, title: str, message: str) -> None:
    """Queue a message to the applicant by SMS, else e-mail; never raises (the outbox keeps failures)."""
    from tinhso.eservices.actions import lookup_url

    if application.applicant_phone:
        channel, recipient = "sms", application.applicant_phone
    elif application.applicant_email:
        channel, recipient = "email", application.applicant_email
    else:
        return
    notify(
        channel=channel,
        recipient=recipient,
        template="generic",
        context={
            "title": title,
            "message": message,
            "url": lookup_url(application),
            "code": application.code,
            "name": application.applicant_name,
        },
        obj=application,
        idempotency_key=f"eservices:{event.pk}:{channel}",
    )


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y")


def _start_step(application: Application, index: int, *, actor, now: dt.datetime, from_agency=None) -> StepRecord:
    """Open step `index` of the version (or one "Giải quyết hồ sơ" step when the version lists none)."""
    steps = application.version.steps or []
    if steps:
        spec = steps[index]
        agency, hours = step_agency(application, spec), float(spec.get("hours") or 0)
        due = deadlines.step_due(now, hours, agency=agency) if hours else application.due_at
        name, code, role = spec.get("name") or spec.get("code", ""), spec.get("code", ""), spec.get("role") or "clerk"
    else:
        agency, hours, due = application.agency, 0.0, application.due_at
        name, code, role = "Giải quyết hồ sơ", "giai_quyet", Role.CLERK
    record = StepRecord.objects.create(
        application=application,
        index=index,
        code=code,
        name=name[:200],
        agency=agency,
        role=role,
        hours=hours,
        handed_by=actor if getattr(actor, "pk", None) else None,
        handed_from=from_agency,
        started_at=now,
        due_at=due or now,
    )
    application.current_step = index
    application.current_agency = agency
    application.step_due_at = record.due_at
    application.status = Status.PROCESSING
    return record


def _finish_step(step: StepRecord | None, *, actor, now: dt.datetime, outcome: str, note: str = "") -> None:
    if step is None:
        return
    step.finished_at, step.finished_by, step.outcome = now, actor if getattr(actor, "pk", None) else None, outcome
    if note:
        step.note = note[:2000]
    step.save(update_fields=["finished_at", "finished_by", "outcome", "note"])


def _reception_is_first_step(steps: list[dict]) -> bool:
    """Return whether step 1 of the internal process is the reception itself (done by `accept`)."""
    return len(steps) > 1 and steps[0].get("agency") == "receiving"


def _pause(application: Application, reason: str, now: dt.datetime) -> None:
    application.paused_at = now
    Pause.objects.create(application=application, reason=reason, started_at=now)


def _resume(application: Application, now: dt.datetime) -> float:
    """Close the running pause and move the due times forward by its office time; return the hours paused."""
    if application.paused_at is None:
        return 0.0
    paused = deadlines.paused_time(application.paused_at, now, agency=application.agency)
    hours = paused.total_seconds() / 3600
    if application.due_at:
        application.due_at = deadlines.resume_due(application.due_at, paused, agency=application.agency)
    step = open_step(application)
    if step is not None:
        step.due_at = deadlines.resume_due(step.due_at, paused, agency=step.agency)
        step.paused_hours += hours
        step.save(update_fields=["due_at", "paused_hours"])
        application.step_due_at = step.due_at
    application.paused_hours += hours
    application.paused_at = None
    Pause.objects.filter(application=application, ended_at=None).update(ended_at=now, working_hours=hours)
    return hours


def _save(application: Application, now: dt.datetime) -> None:
    application.updated_at = now
    application.save()


def _attach(application: Application, *, actor, requirement: str, document: CleanDocument, kind: str, now):
    stored = ApplicationDocument(
        application=application,
        requirement=requirement,
        kind=kind,
        original_name=document.original_name[:255],
        content_type=document.content_type,
        size=document.size,
        sha256=hashlib.sha256(document.data).hexdigest(),
        is_digitised=True,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
        created_at=now,
    )
    stored.file.save(document.stored_name, document.content(), save=False)
    stored.save()
    return stored


# --- Reception (one-stop shop) -------------------------------------------------------------------------------------


@transaction.atomic
def file_walk_in(
    *,
    actor,
    procedure,
    agency: Agency | None = None,
    applicant_name: str,
    applicant_phone: str = "",
    applicant_email: str = "",
    applicant_address: str = "",
    applicant_id_number: str = "",
    organisation_name: str = "",
    form_data: dict,
    scans: Iterable[tuple[str, CleanDocument]] = (),
    idempotency_key: str,
) -> Application:
    """File an application at the counter for a visitor: the clerk types the form and scans the papers.

    The result is a submitted application (status 1) of the walk-in channel, ready for `accept`, `refuse` or
    `request_supplement`; the scans are stored as digitised documents (Decree 107/2021: digitise at reception).
    """
    from tinhso.eservices import actions

    receiving = procedure.receiving_agency or procedure.agency or agency
    if receiving is None or not permissions.can_act_in(actor, receiving, *RECEPTION_ROLES):
        raise PermissionDenied(_("Bạn không làm việc tại bộ phận một cửa tiếp nhận thủ tục này."))
    draft = actions.start_application(
        actor=actor,
        procedure=procedure,
        agency=agency,
        channel=Channel.WALK_IN,
        applicant_name=applicant_name,
        applicant_phone=applicant_phone,
        applicant_email=applicant_email,
        applicant_address=applicant_address,
        applicant_id_number=applicant_id_number,
        organisation_name=organisation_name,
    )
    actions.save_draft(actor=actor, application=draft, form_data=form_data)
    for requirement, document in scans:
        actions.attach_document(
            actor=actor,
            application=draft,
            requirement=requirement,
            document=document,
            kind=ApplicationDocument.Kind.SCANNED,
        )
    return actions.submit_application(actor=actor, application=draft, idempotency_key=idempotency_key)


@transaction.atomic
def accept(*, actor, application: Application, note: str = "") -> Application:
    """Receive a complete application (Mẫu 01): start the clock, fix the due date, hand it to the first step."""
    application = _lock(application)
    _require(can_receive(actor, application))
    _require_status(application, Status.REGISTERED)
    before = audit.snapshot(application)
    now = timezone.now()
    start = deadlines.clock_start(
        now, agency=application.receiving_agency, cutoff=application.procedure.same_day_cutoff
    )
    application.received_at, application.received_by = now, actor
    application.due_at = application.original_due_at = deadlines.due_from(
        start, legal_time(application), agency=application.agency
    )
    application.status = Status.RECEIVED
    application.documents.filter(replaced_at=None).exclude(kind=ApplicationDocument.Kind.RESULT).update(
        is_digitised=True
    )
    received = record_event(
        application, ApplicationEvent.Kind.RECEIVED, actor=actor, old=Status.REGISTERED, reason=note
    )
    steps = application.version.steps or []
    first = 0
    if _reception_is_first_step(steps):
        # Step 1 of the internal process is this reception: recorded as done now.
        reception = _start_step(application, 0, actor=actor, now=now)
        _finish_step(reception, actor=actor, now=now, outcome=StepRecord.Outcome.DONE, note=note)
        first = 1
    if first < max(len(steps), 1):
        _start_step(application, first, actor=actor, now=now, from_agency=application.receiving_agency)
    _save(application, now)
    record_event(application, ApplicationEvent.Kind.TRANSFERRED, actor=actor, old=Status.RECEIVED)
    _audit(actor, "received", application, before)
    _tell(
        application,
        received,
        _("Hồ sơ %(code)s đã được tiếp nhận") % {"code": application.code},
        _("Hẹn trả kết quả: %(due)s.") % {"due": _local(application.due_at)},
    )
    return application


@transaction.atomic
def refuse(*, actor, application: Application, reason: str) -> Application:
    """Refuse to receive an application (Mẫu 03), with the reason the applicant is told."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Vui lòng ghi rõ lý do từ chối.")}, code="reason")
    application = _lock(application)
    _require(can_receive(actor, application))
    _require_status(application, Status.REGISTERED, Status.SUPPLEMENT)
    if application.received_at is not None:
        raise ValidationError(_("Hồ sơ đã được tiếp nhận; hãy dùng “Dừng xử lý”."), code="received")
    before, old, now = audit.snapshot(application), application.status, timezone.now()
    application.status, application.closed_at = Status.REFUSED, now
    _save(application, now)
    event = record_event(application, ApplicationEvent.Kind.REFUSED, actor=actor, old=old, reason=reason)
    _audit(actor, "refused", application, before)
    _tell(application, event, _("Hồ sơ %(code)s không được tiếp nhận") % {"code": application.code}, reason)
    return application


@transaction.atomic
def request_supplement(*, actor, application: Application, reason: str, items: list[str]) -> Application:
    """Ask for missing or corrected documents, all at once (Mẫu 02).

    At reception (before valid receipt) the clock has not started and stays so; during processing it pauses
    until the applicant supplies the documents.
    """
    items = [item.strip() for item in items if item and item.strip()]
    if not items:
        raise ValidationError({"items": _("Vui lòng ghi các giấy tờ, nội dung cần bổ sung.")}, code="items")
    application = _lock(application)
    before, old, now = audit.snapshot(application), application.status, timezone.now()
    if application.status == Status.REGISTERED:
        _require(can_receive(actor, application))
    else:
        _require_status(application, Status.PROCESSING)
        _require(can_handle(actor, open_step(application)))
        _pause(application, Pause.Reason.SUPPLEMENT, now)
    application.status = Status.SUPPLEMENT
    _save(application, now)
    event = record_event(
        application,
        ApplicationEvent.Kind.SUPPLEMENT_REQUESTED,
        actor=actor,
        old=old,
        reason=(reason or "").strip(),
        data={"items": items, "at_reception": application.received_at is None},
    )
    _audit(actor, "supplement_requested", application, before)
    _tell(
        application,
        event,
        _("Hồ sơ %(code)s cần bổ sung") % {"code": application.code},
        _("Cần bổ sung: %(items)s.") % {"items": "; ".join(items)},
    )
    return application


def _is_applicant(actor, application: Application) -> bool:
    owner = application.applicant_id and getattr(actor, "pk", None) == application.applicant_id
    return bool(owner) or bool(application.filed_by_id and getattr(actor, "pk", None) == application.filed_by_id)


@transaction.atomic
def supply(
    *, actor, application: Application, documents: Iterable[tuple[str, CleanDocument]], note: str = ""
) -> Application:
    """Hand in the documents asked for: the applicant online (or the clerk at the counter for them).

    Back to reception (status 1) when the request came at reception; else back to processing, with the due times
    moved forward by the office time spent waiting.
    """
    documents = list(documents)
    if not documents and not note.strip():
        raise ValidationError({"documents": _("Vui lòng tải lên giấy tờ bổ sung.")}, code="empty")
    application = _lock(application)
    _require(_is_applicant(actor, application) or can_receive(actor, application))
    _require_status(application, Status.SUPPLEMENT)
    before, now = audit.snapshot(application), timezone.now()
    for requirement, document in documents:
        if requirement and application.version.document(requirement) is None:
            raise ValidationError({"documents": _("Giấy tờ không có trong thành phần hồ sơ.")}, code="requirement")
        _attach(
            application,
            actor=actor,
            requirement=requirement,
            document=document,
            kind=ApplicationDocument.Kind.SUPPLEMENT,
            now=now,
        )
    hours = _resume(application, now)
    application.status = Status.PROCESSING if application.received_at else Status.REGISTERED
    _save(application, now)
    record_event(
        application,
        ApplicationEvent.Kind.SUPPLEMENTED,
        actor=actor,
        old=Status.SUPPLEMENT,
        reason=note.strip(),
        data={"files": len(documents), "paused_hours": round(hours, 2)},
    )
    _audit(actor, "supplemented", application, before, files=len(documents))
    return application


# --- Processing steps ------------------------------------------------------------------------------------------------


@transaction.atomic
def complete_step(*, actor, application: Application, note: str = "", branch: bool = False) -> Application:
    """Finish the current step and hand the file to the next one (or the step's branch); after the last step the
    application is done (status 9) and goes back to the receiving desk for the return of the result."""
    application = _lock(application)
    _require_status(application, Status.PROCESSING)
    step = open_step(application)
    _require(can_handle(actor, step))
    before, now = audit.snapshot(application), timezone.now()
    _finish_step(step, actor=actor, now=now, outcome=StepRecord.Outcome.DONE, note=note)
    record_event(application, ApplicationEvent.Kind.STEP_DONE, actor=actor, old=Status.PROCESSING, reason=note.strip())
    steps = application.version.steps or []
    following = step.index + 1
    if branch:
        goto = ((steps[step.index] if step.index < len(steps) else {}).get("branch") or {}).get("goto")
        codes = [s.get("code") for s in steps]
        if goto not in codes:
            raise ValidationError(_("Bước này không có nhánh rẽ."), code="no_branch")
        following = codes.index(goto)
    if following < len(steps):
        _start_step(application, following, actor=actor, now=now, from_agency=step.agency)
        _save(application, now)
        record_event(application, ApplicationEvent.Kind.TRANSFERRED, actor=actor, old=Status.PROCESSING)
    else:
        application.status, application.completed_at = Status.DONE, now
        application.current_step, application.step_due_at = None, None
        application.current_agency = application.receiving_agency
        _save(application, now)
        done = record_event(application, ApplicationEvent.Kind.DONE, actor=actor, old=Status.PROCESSING)
        _tell(
            application,
            done,
            _("Hồ sơ %(code)s đã có kết quả") % {"code": application.code},
            _("Kết quả giải quyết đã sẵn sàng để trả."),
        )
    _audit(actor, "step_done", application, before, step=step.index)
    return application


@transaction.atomic
def send_back(*, actor, application: Application, reason: str) -> Application:
    """Return the file to the previous step (for example, the leader asks the appraiser to redo a check)."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Vui lòng ghi rõ lý do trả lại.")}, code="reason")
    application = _lock(application)
    _require_status(application, Status.PROCESSING)
    step = open_step(application)
    _require(can_handle(actor, step))
    if step.index == 0 or not application.version.steps:
        raise ValidationError(_("Đây là bước đầu tiên, không trả lại được."), code="first")
    previous = step.index - 1
    if previous == 0 and _reception_is_first_step(application.version.steps):
        raise ValidationError(_("Không trả lại bước tiếp nhận; hãy yêu cầu bổ sung hồ sơ."), code="first")
    before, now = audit.snapshot(application), timezone.now()
    _finish_step(step, actor=actor, now=now, outcome=StepRecord.Outcome.SENT_BACK, note=reason)
    _start_step(application, previous, actor=actor, now=now, from_agency=step.agency)
    _save(application, now)
    record_event(application, ApplicationEvent.Kind.RETURNED_TO_STEP, actor=actor, old=Status.PROCESSING, reason=reason)
    _audit(actor, "step_sent_back", application, before, step=step.index)
    return application


@transaction.atomic
def apologise(*, actor, application: Application, new_due_at: dt.datetime, reason: str) -> Application:
    """Send the apology letter with a new date (Mẫu 04) for a file that will be late; keep the original due date."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Vui lòng ghi rõ lý do chậm trả kết quả.")}, code="reason")
    application = _lock(application)
    _require(
        permissions.can_act_in(actor, application.agency_id, Role.CLERK, Role.LEADER, Role.COMMUNE_OFFICIAL)
        or can_handle(actor, open_step(application))
    )
    _require_status(application, Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT, Status.FINANCIAL)
    if application.due_at is None or new_due_at <= application.due_at:
        raise ValidationError({"new_due_at": _("Ngày hẹn mới phải sau ngày hẹn hiện tại.")}, code="new_due_at")
    before, now = audit.snapshot(application), timezone.now()
    old_due = application.due_at
    application.original_due_at = application.original_due_at or old_due
    application.due_at = new_due_at
    _save(application, now)
    event = record_event(
        application,
        ApplicationEvent.Kind.APOLOGY,
        actor=actor,
        old=application.status,
        reason=reason.strip(),
        data={"previous_due_at": old_due.isoformat(), "new_due_at": new_due_at.isoformat()},
    )
    _audit(actor, "apologised", application, before)
    _tell(
        application,
        event,
        _("Xin lỗi về việc chậm trả kết quả hồ sơ %(code)s") % {"code": application.code},
        _("Ngày hẹn trả kết quả mới: %(due)s. Lý do: %(reason)s")
        % {"due": _local(new_due_at), "reason": reason.strip()},
    )
    return application


@transaction.atomic
def upload_result(*, actor, application: Application, document: CleanDocument, note: str = "") -> ApplicationDocument:
    """Store the result as an electronic document (signed PDF, scan of the decision): Decision 766 indicator 4.1."""
    application = _lock(application)
    _require_status(application, Status.PROCESSING, Status.DONE)
    _require(can_handle(actor, open_step(application)) or can_receive(actor, application))
    now = timezone.now()
    application.documents.filter(kind=ApplicationDocument.Kind.RESULT, replaced_at=None).update(replaced_at=now)
    stored = _attach(
        application, actor=actor, requirement="", document=document, kind=ApplicationDocument.Kind.RESULT, now=now
    )
    record_event(
        application, ApplicationEvent.Kind.DOCUMENT, actor=actor, old=application.status, public=False, reason=note
    )
    audit.record(actor=actor, action="eservices.result_uploaded", obj=application, extra={"document": stored.pk})
    return stored


def fee_outstanding(application: Application) -> int:
    """Return the fee still to pay (0 when none is due or it is paid)."""
    paid = application.payments.filter(status=Payment.Status.PAID).aggregate(total=Sum("amount"))["total"] or 0
    return max(application.fee_amount - paid, 0)


@transaction.atomic
def return_result(*, actor, application: Application, method: str, note: str = "") -> Application:
    """Hand the result to the applicant online, by post or at the counter (status 10). The fee must be paid.

    Allowed once the file is done, or during a last step at the receiving desk ("Trả kết quả"), which it closes.
    """
    if method not in RETURN_METHODS:
        raise ValidationError({"method": _("Hình thức trả kết quả không hợp lệ.")}, code="method")
    application = _lock(application)
    step = open_step(application)
    steps = application.version.steps or []
    last_desk_step = (
        application.status == Status.PROCESSING
        and step is not None
        and step.index == len(steps) - 1
        and step.agency_id == application.receiving_agency_id
    )
    if not last_desk_step:
        _require_status(application, Status.DONE)
    _require(can_receive(actor, application) or (last_desk_step and can_handle(actor, step)))
    if fee_outstanding(application):
        raise ValidationError(_("Người nộp chưa nộp đủ phí, lệ phí."), code="fee_unpaid")
    has_result = application.documents.filter(kind=ApplicationDocument.Kind.RESULT, replaced_at=None).exists()
    if method == RETURN_ONLINE and not has_result:
        raise ValidationError(_("Trả kết quả trực tuyến cần tệp kết quả điện tử."), code="no_result")
    before, old, now = audit.snapshot(application), application.status, timezone.now()
    if last_desk_step:
        _finish_step(step, actor=actor, now=now, outcome=StepRecord.Outcome.DONE, note=note)
        application.completed_at = application.completed_at or now
    application.status, application.returned_at, application.closed_at = Status.RETURNED, now, now
    application.current_step, application.step_due_at = None, None
    _save(application, now)
    event = record_event(
        application,
        ApplicationEvent.Kind.RESULT_RETURNED,
        actor=actor,
        old=old,
        reason=note.strip(),
        data={"method": method},
    )
    _audit(actor, "result_returned", application, before, method=method)
    _tell(
        application,
        event,
        _("Đã trả kết quả hồ sơ %(code)s") % {"code": application.code},
        _("Hình thức nhận: %(method)s. Mời Ông/Bà đánh giá mức độ hài lòng.") % {"method": RETURN_METHODS[method]},
    )
    return application


def _close(application: Application, *, actor, kind: str, status: int, reason: str) -> Application:
    before, old, now = audit.snapshot(application), application.status, timezone.now()
    _resume(application, now)
    _finish_step(open_step(application), actor=actor, now=now, outcome=StepRecord.Outcome.CLOSED, note=reason)
    application.status, application.closed_at = status, now
    application.current_step, application.step_due_at = None, None
    _save(application, now)
    event = record_event(application, kind, actor=actor, old=old, reason=reason)
    _audit(actor, kind, application, before)
    _tell(application, event, f"{application.code}: {application.get_status_display()}", reason)
    return application


@transaction.atomic
def withdraw(*, actor, application: Application, reason: str) -> Application:
    """Record the applicant's withdrawal (status 7), by the applicant online or by a clerk at their request."""
    application = _lock(application)
    _require(
        _is_applicant(actor, application)
        or can_receive(actor, application)
        or can_handle(actor, open_step(application))
    )
    _require_status(
        application, Status.REGISTERED, Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT, Status.FINANCIAL
    )
    return _close(
        application,
        actor=actor,
        kind=ApplicationEvent.Kind.WITHDRAWN,
        status=Status.WITHDRAWN,
        reason=(reason or "").strip() or _("Người nộp rút hồ sơ."),
    )


@transaction.atomic
def stop(*, actor, application: Application, reason: str) -> Application:
    """Stop processing (status 8, "Thông báo dừng giải quyết hồ sơ"), with the reason, by the competent agency."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Vui lòng ghi rõ lý do dừng xử lý.")}, code="reason")
    application = _lock(application)
    _require(can_oversee(actor, application) or can_handle(actor, open_step(application)))
    _require_status(application, Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT, Status.FINANCIAL)
    return _close(application, actor=actor, kind=ApplicationEvent.Kind.STOPPED, status=Status.STOPPED, reason=reason)


@dataclass
class BulkResult:
    done: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def bulk(action, *, actor, applications: Iterable[Application], **kwargs) -> BulkResult:
    """Apply one action to several applications, each in its own transaction; report what failed and why.

    Only the actions that need no judgement per file are offered in bulk (finishing a step, returning results):
    receipt, refusal and supplement requests are decided file by file.
    """
    if action not in (complete_step, return_result):
        raise ValueError("Thao tác này không được thực hiện hàng loạt.")
    result = BulkResult()
    for application in applications:
        try:
            action(actor=actor, application=application, **kwargs)
        except (PermissionDenied, ValidationError) as exc:
            messages = getattr(exc, "messages", None) or [str(exc) or _("Không có quyền.")]
            result.failed[application.code] = " ".join(messages)
        else:
            result.done.append(application.code)
    return result


# --- Fees ------------------------------------------------------------------------------------------------------------


def _receipt_no(now: dt.datetime) -> str:
    year = timezone.localtime(now).year
    return f"BL-{year}-{sequences.next_value(RECEIPT_SEQUENCE, str(year)):06d}"


@transaction.atomic
def request_fee(*, actor, application: Application, note: str = "") -> Application:
    """Ask the applicant to pay the fee before the result (status 6); the clock pauses until it is paid."""
    application = _lock(application)
    _require_status(application, Status.PROCESSING)
    _require(can_handle(actor, open_step(application)) or can_receive(actor, application))
    if not fee_outstanding(application):
        raise ValidationError(_("Hồ sơ không còn phí, lệ phí phải nộp."), code="no_fee")
    before, now = audit.snapshot(application), timezone.now()
    _pause(application, Pause.Reason.FEE, now)
    application.status = Status.FINANCIAL
    _save(application, now)
    event = record_event(
        application, ApplicationEvent.Kind.FEE_REQUESTED, actor=actor, old=Status.PROCESSING, reason=note
    )
    _audit(actor, "fee_requested", application, before)
    _tell(
        application,
        event,
        _("Hồ sơ %(code)s: mời nộp phí, lệ phí") % {"code": application.code},
        _("Số tiền: %(amount)s đồng.") % {"amount": f"{fee_outstanding(application):,}".replace(",", ".")},
    )
    return application


def _paid(application: Application, payment: Payment, *, actor, now: dt.datetime) -> None:
    payment.status, payment.paid_at, payment.receipt_no = Payment.Status.PAID, now, _receipt_no(now)
    payment.save(update_fields=["status", "paid_at", "receipt_no"])
    old = application.status
    if application.status == Status.FINANCIAL and not fee_outstanding(application):
        _resume(application, now)
        application.status = Status.PROCESSING
        _save(application, now)
    record_event(
        application,
        ApplicationEvent.Kind.PAID,
        actor=actor,
        old=old,
        data={"amount": payment.amount, "method": payment.method, "receipt": payment.receipt_no},
    )
    audit.record(
        actor=actor,
        action="eservices.paid",
        obj=application,
        extra={"payment": payment.pk, "amount": payment.amount, "method": payment.method},
    )


@transaction.atomic
def start_online_payment(*, actor, application: Application, return_url: str) -> tuple[Payment, payments.Checkout]:
    """Open a payment of the outstanding fee at the gateway; the applicant is then redirected to it."""
    application = _lock(application)
    _require(_is_applicant(actor, application))
    if application.status in _CLOSED or application.is_draft:
        raise ValidationError(_("Hồ sơ không ở trạng thái nộp phí."), code="bad_status")
    amount = fee_outstanding(application)
    if not amount:
        raise ValidationError(_("Hồ sơ không còn phí, lệ phí phải nộp."), code="no_fee")
    gateway = payments.get_gateway()
    if gateway is None:
        raise ValidationError(
            _("Chưa có cổng thanh toán trực tuyến: vui lòng nộp phí tại bộ phận một cửa."), code="no_gateway"
        )
    checkout = gateway.start(
        reference=application.code,
        amount=amount,
        description=f"Phí, lệ phí hồ sơ {application.code}",
        return_url=return_url,
    )
    payment = Payment.objects.create(
        application=application,
        amount=amount,
        method=Payment.Method.ONLINE,
        gateway=gateway.name,
        transaction_ref=checkout.transaction_ref,
        recorded_by=actor,
    )
    audit.record(actor=actor, action="eservices.payment_started", obj=application, extra={"payment": payment.pk})
    return payment, checkout


@transaction.atomic
def confirm_online_payment(*, params: dict[str, str], actor=None) -> Payment:
    """Record the gateway's signed answer; idempotent (a repeated callback changes nothing).

    Raises `payments.PaymentError` for an unsigned, unknown or mismatched answer.
    """
    gateway = payments.get_gateway()
    if gateway is None:
        raise payments.PaymentError("Online payment is not configured.")
    result = gateway.verify(params)
    payment = Payment.objects.select_for_update().filter(transaction_ref=result.transaction_ref).first()
    if payment is None or payment.application.code != result.reference or payment.amount != result.amount:
        raise payments.PaymentError("Giao dịch không khớp với hồ sơ.")
    if payment.status != Payment.Status.PENDING:
        return payment
    application = _lock(payment.application)
    now = timezone.now()
    if result.status != payments.PAID:
        payment.status = Payment.Status.FAILED
        payment.save(update_fields=["status"])
        audit.record(actor=actor, action="eservices.payment_failed", obj=application, extra={"payment": payment.pk})
        return payment
    _paid(application, payment, actor=actor, now=now)
    return payment


@transaction.atomic
def record_counter_payment(*, actor, application: Application) -> Payment:
    """Record a fee paid in cash at the counter, with its receipt number."""
    application = _lock(application)
    _require(can_receive(actor, application))
    amount = fee_outstanding(application)
    if not amount:
        raise ValidationError(_("Hồ sơ không còn phí, lệ phí phải nộp."), code="no_fee")
    now = timezone.now()
    payment = Payment.objects.create(
        application=application,
        amount=amount,
        method=Payment.Method.COUNTER,
        gateway="",
        transaction_ref=f"TM-{application.pk}-{int(now.timestamp() * 1000)}",
        recorded_by=actor,
    )
    _paid(application, payment, actor=actor, now=now)
    return payment


# --- Reading recorded transitions ------------------------------------------------------------------------------------

TIMELINESS = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}


def control_slip_rows(application: Application, *, now: dt.datetime | None = None) -> list[dict]:
    """Return the hand-overs of the process-control slip, from the recorded steps."""
    rows = []
    records = application.step_records.select_related("agency", "handed_from", "handed_by", "finished_by")
    for record in records:
        sender = record.handed_from or application.receiving_agency
        person = f" ({record.handed_by.full_name})" if record.handed_by else ""
        rows.append(
            {
                "sender": f"{sender.name}{person}",
                "receiver": record.agency.name,
                "handed_at": timezone.localtime(record.started_at),
                "due_at": timezone.localtime(record.due_at),
                "done_at": timezone.localtime(record.finished_at) if record.finished_at else None,
                "result": TIMELINESS[record.timeliness(now)] if record.finished_at else "",
                "step": record.name,
                "note": record.get_outcome_display() if record.outcome == StepRecord.Outcome.SENT_BACK else "",
            }
        )
    return rows


def tracking_book_rows(applications: QuerySet[Application], *, limit: int = 5000) -> list[dict]:
    """Return the rows of the tracking book (sổ theo dõi hồ sơ) for the given applications (at most `limit`)."""
    from tinhso.core.phone import mask_phone

    rows = []
    ordered = applications.select_related("procedure", "agency").prefetch_related("step_records")
    for app in ordered.order_by("received_at", "pk")[:limit]:
        transfers = [r.started_at for r in app.step_records.all() if r.agency_id != app.receiving_agency_id]
        rows.append(
            {
                "code": app.code,
                "procedure": app.procedure.name,
                "applicant": app.applicant_name,
                "contact": mask_phone(app.applicant_phone) if app.applicant_phone else "",
                "agency": app.agency.name,
                "received_at": timezone.localtime(app.received_at) if app.received_at else None,
                "due_at": timezone.localtime(app.original_due_at or app.due_at) if app.due_at else None,
                "transferred_at": timezone.localtime(min(transfers)) if transfers else None,
                "done_at": timezone.localtime(app.completed_at) if app.completed_at else None,
                "returned_at": timezone.localtime(app.returned_at) if app.returned_at else None,
                "note": app.get_status_display(),
            }
        )
    return rows


def reconciliation(*, agency_ids: set[int] | None, start: dt.date, end: dt.date) -> dict:
    """Return the fee reconciliation of a period: paid payments by method and gateway, and the mismatches
    (returned applications whose fee is not fully paid, payments still pending at the gateway)."""
    lo = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    hi = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    paid = Payment.objects.filter(status=Payment.Status.PAID, paid_at__gte=lo, paid_at__lt=hi)
    pending = Payment.objects.filter(status=Payment.Status.PENDING, created_at__gte=lo, created_at__lt=hi)
    returned = Application.objects.filter(
        status=Status.RETURNED, returned_at__gte=lo, returned_at__lt=hi, fee_amount__gt=0
    )
    if agency_ids is not None:
        paid = paid.filter(application__receiving_agency_id__in=agency_ids)
        pending = pending.filter(application__receiving_agency_id__in=agency_ids)
        returned = returned.filter(receiving_agency_id__in=agency_ids)
    totals = {}
    for row in paid.values("method", "gateway").annotate(total=Sum("amount")).order_by("method", "gateway"):
        totals[(row["method"], row["gateway"])] = row["total"]
    paid_by_app = {
        row["application"]: row["total"]
        for row in Payment.objects.filter(status=Payment.Status.PAID, application__in=returned)
        .values("application")
        .annotate(total=Sum("amount"))
    }
    unpaid = [app for app in returned.select_related("procedure") if paid_by_app.get(app.pk, 0) < app.fee_amount]
    return {
        "payments": list(paid.select_related("application").order_by("paid_at")),
        "totals": totals,
        "total": sum(totals.values()),
        "pending": list(pending.select_related("application")),
        "unpaid_returned": unpaid,
    }
