"""Every write of the applicant's side of an application: start, save a draft, attach a document, submit, rate.

The processing side (reception, steps, supplements, fees, results) lives in `processing.py`.
"""

import hashlib
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.core import audit, sequences
from tinhso.core.models import Agency
from tinhso.core.notify import notify
from tinhso.eservices.catalogue import SchemaForm, prefill_values
from tinhso.eservices.forms import CleanDocument
from tinhso.eservices.models import (
    AgencyCode,
    Application,
    ApplicationDocument,
    ApplicationEvent,
    AuthorityLevel,
    Channel,
    Procedure,
    ProcedureVersion,
    Status,
)

CODE_SEQUENCE = "eservices.application"


def electronic_code(agency: Agency) -> str:
    """Return the agency's electronic identifier (first part of its application codes), else its own code."""
    code = AgencyCode.objects.filter(agency=agency).values_list("code", flat=True).first()
    return code or agency.code


def issue_code(agency: Agency, when=None) -> str:
    """Return a new application code `<agency electronic code>-<yyMMdd>-<4-digit daily sequence>` (brief §3)."""
    prefix = electronic_code(agency)
    day = timezone.localtime(when or timezone.now()).strftime("%y%m%d")
    number = sequences.next_value(f"{CODE_SEQUENCE}:{prefix}"[:60], day)
    return f"{prefix}-{day}-{number:04d}"


def lookup_url(application: Application) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("eservices:lookup_code", args=[application.code])


def record_event(application: Application, kind: str, *, actor=None, public=True, reason="", old=None, data=None):
    """Add a step to the application's timeline (also used by processing.py): who, which agency, status change."""
    return ApplicationEvent.objects.create(
        application=application,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        agency=application.current_agency or application.receiving_agency,
        from_status=old,
        to_status=application.status,
        step=application.current_step,
        is_public=public,
        reason=reason,
        data=data or {},
    )


def _require_owner(actor, application: Application) -> None:
    """Only the applicant (or the clerk who files it at the counter) may change a draft."""
    owner = application.applicant_id and actor is not None and application.applicant_id == actor.pk
    filer = application.filed_by_id and actor is not None and application.filed_by_id == actor.pk
    if not (owner or filer):
        raise PermissionDenied(_("Bạn không có quyền với hồ sơ này."))


def _require_draft(application: Application) -> None:
    if application.status != Status.DRAFT:
        raise ValidationError(_("Hồ sơ đã nộp, không sửa được nữa."), code="not_draft")


def _competent_agency(procedure: Procedure, agency: Agency | None) -> Agency:
    if procedure.authority_level == AuthorityLevel.COMMUNE or procedure.agency_id is None:
        if agency is None or agency.kind != Agency.Kind.COMMUNE_COMMITTEE or not agency.is_active:
            raise ValidationError({"agency": _("Vui lòng chọn UBND xã, phường giải quyết hồ sơ.")}, code="agency")
        return agency
    return procedure.agency


@transaction.atomic
def start_application(
    *,
    actor,
    procedure: Procedure,
    agency: Agency | None = None,
    channel: int = Channel.ONLINE,
    applicant=None,
    applicant_name: str = "",
    applicant_phone: str = "",
    applicant_email: str = "",
    applicant_address: str = "",
    applicant_id_number: str = "",
    organisation_name: str = "",
) -> Application:
    """Open a draft under the procedure's version in force, prefilled from the applicant's profile.

    Online, the actor is the applicant; at the counter (`channel=WALK_IN`) the actor is the clerk and the
    applicant's details are given (`applicant` may be the person's account, if they have one).
    """
    if not procedure.is_active:
        raise ValidationError(_("Thủ tục này hiện không áp dụng."), code="inactive")
    version = procedure.current_version()
    if version is None:
        raise ValidationError(_("Thủ tục này chưa có biểu mẫu đang áp dụng."), code="no_version")
    competent = _competent_agency(procedure, agency)
    online = channel == Channel.ONLINE
    person = actor if online else applicant
    application = Application(
        procedure=procedure,
        version=version,
        channel=channel,
        level=procedure.level,
        agency=competent,
        receiving_agency=procedure.receiving_agency or competent,
        applicant=person,
        applicant_name=applicant_name or (person.full_name if person else ""),
        applicant_phone=applicant_phone or (person.phone if person else ""),
        applicant_email=applicant_email or (person.email if person else ""),
        applicant_address=applicant_address,
        organisation_name=organisation_name,
        filed_by=None if online else actor,
        form_data=prefill_values(person, version.form_schema),
    )
    application.applicant_id_number = applicant_id_number
    application.save()
    audit.record(actor=actor, action="eservices.draft_started", obj=application, extra={"procedure": procedure.code})
    return application


@transaction.atomic
def save_draft(*, actor, application: Application, form_data: dict) -> Application:
    """Keep the answers given so far (unvalidated: a draft may be incomplete) to resume later."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    _require_owner(actor, application)
    _require_draft(application)
    known = {spec["name"] for spec in application.version.fields}
    application.form_data = {key: value for key, value in form_data.items() if key in known}
    application.updated_at = timezone.now()
    application.save(update_fields=["form_data", "updated_at", "search_text"])
    return application


@transaction.atomic
def attach_document(
    *,
    actor,
    application: Application,
    requirement: str,
    document: CleanDocument,
    kind: str = ApplicationDocument.Kind.SUBMITTED,
) -> ApplicationDocument:
    """Store one checked file for a required document, replacing the previous file of the same document."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    _require_owner(actor, application)
    _require_draft(application)
    spec = application.version.document(requirement)
    if spec is None:
        raise ValidationError({"requirement": _("Giấy tờ không có trong thành phần hồ sơ.")}, code="requirement")
    if not spec.get("electronic", True) and kind == ApplicationDocument.Kind.SUBMITTED:
        raise ValidationError(
            {"requirement": _("Giấy tờ này phải nộp bản giấy tại bộ phận một cửa.")}, code="paper_only"
        )
    now = timezone.now()
    application.documents.filter(requirement=requirement, replaced_at__isnull=True, kind=kind).update(replaced_at=now)
    stored = ApplicationDocument(
        application=application,
        requirement=requirement,
        kind=kind,
        original_name=document.original_name[:255],
        content_type=document.content_type,
        size=document.size,
        sha256=hashlib.sha256(document.data).hexdigest(),
        is_digitised=kind == ApplicationDocument.Kind.SCANNED,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
        created_at=now,
    )
    stored.file.save(document.stored_name, document.content(), save=False)
    stored.save()
    audit.record(
        actor=actor,
        action="eservices.document_attached",
        obj=application,
        extra={"document": stored.pk, "requirement": requirement, "size": stored.size},
    )
    return stored


def missing_documents(application: Application) -> list[dict]:
    """Return the required documents that accept an electronic copy and have none yet."""
    present = set(
        application.documents.filter(replaced_at__isnull=True)
        .order_by()
        .values_list("requirement", flat=True)
        .distinct()
    )
    return [
        doc
        for doc in application.version.documents
        if doc.get("required", True) and doc.get("electronic", True) and doc["code"] not in present
    ]


def validate_answers(application: Application, form_data: dict | None = None) -> SchemaForm:
    """Return the bound schema form of the application's answers (check `is_valid()` and `errors`)."""
    data = application.form_data if form_data is None else form_data
    form = SchemaForm(
        data={k: v for k, v in data.items() if v is not None and v is not False}, schema=application.version.form_schema
    )
    form.is_valid()
    return form


@transaction.atomic
def submit_application(*, actor, application: Application, idempotency_key: str) -> Application:
    """Submit a complete draft: give it its code and status 1 (Mới đăng ký), notify the applicant after commit.

    Idempotent: a retry with the same key (a double click, a lost reply) returns the application the first call
    submitted, with the same code. The row, its event and the audit entry commit together; the notification is
    an outbox row in the same transaction, delivered only after the commit (so never for a rolled-back submit).
    """
    key = f"submit:{idempotency_key}"[:120]
    done = Application.objects.filter(idempotency_key=key).first()
    if done is not None:
        _require_owner(actor, done)
        return done
    application = (
        Application.objects.select_for_update()
        .select_related("version", "procedure", "receiving_agency")
        .get(pk=application.pk)
    )
    _require_owner(actor, application)
    if application.idempotency_key == key:
        return application  # a concurrent retry committed while this call waited for the row lock
    _require_draft(application)
    form = validate_answers(application)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data(), code="invalid_answers")
    missing = missing_documents(application)
    if missing and application.channel == Channel.ONLINE:
        raise ValidationError(
            {"documents": [_("Còn thiếu: %(name)s.") % {"name": doc["name"]} for doc in missing]}, code="missing"
        )
    now = timezone.now()
    application.form_data = form.json_data()
    application.code = issue_code(application.receiving_agency, now)
    application.status = Status.REGISTERED
    application.submitted_at = now
    application.updated_at = now
    application.idempotency_key = key
    application.level = application.procedure.level
    application.fee_amount = application.procedure.fee_amount
    application.legal_hours = application.procedure.processing_hours
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:
        # A concurrent retry with the same key won the race; it holds the submitted application.
        done = Application.objects.filter(idempotency_key=key).first()
        if done is None:
            raise
        return done
    ProcedureVersion.objects.filter(pk=application.version_id, used_at__isnull=True).update(used_at=now)
    event = record_event(application, ApplicationEvent.Kind.SUBMITTED, actor=actor, old=Status.DRAFT)
    audit.record(
        actor=actor,
        action="eservices.submitted",
        obj=application,
        changes={"status": [Status.DRAFT, Status.REGISTERED], "code": [None, application.code]},
    )
    _tell_applicant(
        application,
        event,
        _("Đã nhận hồ sơ %(code)s") % {"code": application.code},
        _("Hồ sơ “%(procedure)s” đã được gửi tới %(agency)s. Tra cứu tình trạng bằng mã hồ sơ.")
        % {"procedure": application.procedure.name, "agency": application.receiving_agency.name},
    )
    return application


def _tell_applicant(application: Application, event: ApplicationEvent, title: str, message: str) -> None:
    """Queue the message to the applicant by SMS, else e-mail (never raises: the outbox keeps failures)."""
    context = {"title": title, "message": message, "url": lookup_url(application), "code": application.code}
    if application.applicant_phone:
        channel, recipient = "sms", application.applicant_phone
    elif application.applicant_email:
        channel, recipient = "email", application.applicant_email
    else:
        return
    context["name"] = application.applicant_name
    notify(
        channel=channel,
        recipient=recipient,
        template="generic",
        context=context,
        obj=application,
        idempotency_key=f"eservices:{event.pk}:{channel}",
    )


@transaction.atomic
def delete_draft(*, actor, application: Application) -> None:
    """Discard a draft and its files."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    _require_owner(actor, application)
    _require_draft(application)
    for document in application.documents.all():
        document.file.delete(save=False)
    audit.record(actor=actor, action="eservices.draft_deleted", obj=application)
    application.delete()


@transaction.atomic
def rate_application(*, actor, application: Application, rating: int, comment: str = "") -> Application:
    """Record the applicant's satisfaction (1–5) once the result is returned (Decision 766, group MDHL)."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if not (application.applicant_id and actor is not None and application.applicant_id == actor.pk):
        raise PermissionDenied(_("Chỉ người nộp hồ sơ mới đánh giá được."))
    if application.status not in (Status.DONE, Status.RETURNED):
        raise ValidationError(_("Chỉ đánh giá được khi đã có kết quả."), code="not_done")
    if application.rated_at is not None:
        raise ValidationError(_("Hồ sơ này đã được đánh giá."), code="already_rated")
    if not 1 <= int(rating) <= 5:
        raise ValidationError({"rating": _("Vui lòng chọn từ 1 đến 5 sao.")}, code="rating")
    application.rating, application.rating_comment, application.rated_at = int(rating), comment.strip(), timezone.now()
    application.save(update_fields=["rating", "rating_comment", "rated_at", "search_text"])
    record_event(application, ApplicationEvent.Kind.RATED, actor=actor, public=False, old=application.status)
    audit.record(actor=actor, action="eservices.rated", obj=application, extra={"rating": application.rating})
    return application


def new_idempotency_key() -> str:
    return uuid.uuid4().hex
