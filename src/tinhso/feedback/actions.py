"""Every write to a case goes through one of these functions: it checks who may act, writes, records the
timeline and the audit entry, and queues the notifications (sent only after the transaction commits).
"""

import copy
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.core import audit, calendar, geo, permissions
from tinhso.core.channels import zalo_user
from tinhso.core.models import AdminUnit, Agency, ApiClient, Role
from tinhso.core.notify import notify
from tinhso.core.phone import normalize_phone
from tinhso.core.sequences import next_value
from tinhso.feedback.models import (
    Attachment,
    Category,
    DeadlinePolicy,
    Event,
    Extension,
    Follower,
    InboundMessage,
    Level,
    Report,
    ReportShare,
    RoutingRule,
)

#: Who works on cases inside an agency; operators of the 1022 centre act on every case they receive.
HANDLER_ROLES = (Role.CLERK, Role.LEADER, Role.COMMUNE_OFFICIAL)
MAX_DESCRIPTION = 4000
MESSAGE_CHANNELS = (Report.Channel.SMS, Report.Channel.ZALO)


@dataclass(frozen=True)
class Clocks:
    accept_hours: int
    answer_days: int
    answer_hours: int
    warn_before_hours: int


# Defaults when no policy row exists (feedback-1022.md §2): Hà Nội QĐ 1207/QĐ-UBND (2025) accepts within 8 working
# hours and answers urgent cases within 4; Đà Nẵng answers within 3 working days. Complex cases: 10 working days
# (our assumption, to be set by the province).
DEFAULT_CLOCKS = {
    Level.URGENT: Clocks(accept_hours=2, answer_days=0, answer_hours=4, warn_before_hours=1),
    Level.NORMAL: Clocks(accept_hours=8, answer_days=3, answer_hours=0, warn_before_hours=4),
    Level.COMPLEX: Clocks(accept_hours=8, answer_days=10, answer_hours=0, warn_before_hours=8),
}


def clocks_for(*, category: Category, level: str) -> Clocks:
    """Return the deadline policy of a category and level: its own row, the default row, or the built-in default."""
    # One query for both rows (each is unique by its constraint); the category's own row wins.
    rows = DeadlinePolicy.objects.filter(Q(category=category) | Q(category__isnull=True), level=level)
    policy = min(rows, key=lambda row: row.category_id is None, default=None)
    if policy is None:
        return DEFAULT_CLOCKS[Level(level)]
    return Clocks(policy.accept_hours, policy.answer_days, policy.answer_hours, policy.warn_before_hours)


def route(*, category: Category, unit: AdminUnit | None) -> Agency | None:
    """Return the agency responsible for `category` at `unit`: commune rule, province rule, category default,
    then the commune's People's Committee."""
    # One query for the commune's rule and the province rule (each unique by its constraint); the commune's wins.
    places = Q(unit__isnull=True) | Q(unit=unit) if unit is not None else Q(unit__isnull=True)
    rules = RoutingRule.objects.filter(places, category=category).select_related("agency")
    rule = min(rules, key=lambda row: row.unit_id is None, default=None)
    if rule:
        return rule.agency
    if category.default_agency_id:
        return category.default_agency
    if unit is not None:
        return Agency.objects.active().filter(unit=unit, kind=Agency.Kind.COMMUNE_COMMITTEE).first()
    return None


def _answer_due(report: Report, start: dt.datetime) -> dt.datetime:
    clocks = clocks_for(category=report.category, level=report.level)
    if clocks.answer_hours:
        return calendar.add_working_hours(start, clocks.answer_hours, agency=report.agency)
    return calendar.add_working_days(start, clocks.answer_days, agency=report.agency)


def tracking_url(report: Report) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("feedback:track", args=[report.code])


RATING_SALT = "feedback.rate"
#: How long the rating link in the answer message works (days): the case closes unrated well before that.
RATING_LINK_DAYS = 60


def rating_url(report: Report) -> str:
    """Return the tracking link with a signed key that lets a reporter without an account rate the answer."""
    key = signing.dumps(report.code, salt=RATING_SALT)
    return f"{tracking_url(report)}?k={key}"


def is_reporter(report: Report, follower: Follower) -> bool:
    """Return whether a follower is the person who filed the case (same account, phone or e-mail)."""
    if report.reporter_id:
        return follower.user_id == report.reporter_id
    if follower.zalo_id and not follower.phone and report.channel == Report.Channel.ZALO:
        # The Zalo user whose message made the case (a follower of a merged duplicate is not).
        return InboundMessage.objects.filter(report=report, channel="zalo", sender=follower.zalo_id).exists()
    return bool(
        (report.reporter_phone and follower.phone == report.reporter_phone)
        or (report.reporter_email and not follower.phone and follower.email == report.reporter_email)
    )


def _event(report: Report, kind: str, *, actor=None, public=False, text="", old_status="", data=None) -> Event:
    return Event.objects.create(
        report=report,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        is_public=public,
        text=text,
        from_status=old_status,
        to_status=report.status,
        data=data or {},
    )


def _tell_followers(
    report: Report, event: Event, title: str, message: str, *, rating_link: bool = False, followers=None
) -> None:
    """Queue a message to everyone following the case (never raises: the outbox keeps failures).

    With `rating_link`, the reporter's message carries the signed link that lets them rate without an account.
    `followers` saves the look-up when the caller already holds them all (a case it has just created).
    """
    if followers is None:
        followers = report.followers.select_related("user")
    for follower in followers:
        url = rating_url(report) if rating_link and is_reporter(report, follower) else tracking_url(report)
        context = {"title": title, "message": message, "url": url, "code": report.code}
        phone = follower.phone or (follower.user.phone if follower.user else "")
        email = follower.email or (follower.user.email if follower.user else "")
        if phone:
            notify(
                channel="sms",
                recipient=phone,
                template="generic",
                context=context,
                obj=report,
                idempotency_key=f"feedback:{event.pk}:{follower.pk}:sms",
            )
        elif email:
            notify(
                channel="email",
                recipient=email,
                template="generic",
                context=context,
                obj=report,
                idempotency_key=f"feedback:{event.pk}:{follower.pk}:email",
            )
        elif follower.zalo_id:
            notify(
                channel="zalo",
                recipient=zalo_user(follower.zalo_id),
                template="generic",
                context=context,
                obj=report,
                idempotency_key=f"feedback:{event.pk}:{follower.pk}:zalo",
            )


def _due_text(moment: dt.datetime | None) -> str:
    """Return a deadline as the citizen reads it: 14:30 05/12/2026, in the province's time."""
    return timezone.localtime(moment).strftime("%H:%M %d/%m/%Y") if moment else ""


def _require_staff(actor, report: Report | None = None, *roles: str) -> None:
    wanted = roles or (*HANDLER_ROLES, Role.OPERATOR)
    if report is None:
        if not permissions.roles(actor) & {*wanted, *permissions.PROVINCE_WIDE_ROLES}:
            raise PermissionDenied(_("Bạn không có quyền xử lý phản ánh."))
        return
    if Role.OPERATOR in wanted and Role.OPERATOR in permissions.roles(actor):
        return  # the 1022 centre receives and dispatches every case
    if not permissions.can_act_on(actor, report, *wanted):
        raise PermissionDenied(_("Phản ánh này không thuộc cơ quan của bạn."))


def _require_status(report: Report, *allowed: str) -> None:
    if report.status not in allowed:
        raise ValidationError(
            _("Không thể thực hiện khi phản ánh đang ở trạng thái “%(status)s”.")
            % {"status": report.get_status_display()},
            code="invalid_status",
        )


def _save(report: Report, *fields: str) -> None:
    report.updated_at = timezone.now()
    report.save(update_fields=[*fields, "updated_at", "search_text"])


# --- Submission ---------------------------------------------------------------------------------------------


@transaction.atomic
def submit_report(
    *,
    category: Category,
    description: str,
    channel: str = Report.Channel.WEB,
    title: str = "",
    lon: float | None = None,
    lat: float | None = None,
    address: str = "",
    reporter=None,
    reporter_name: str = "",
    reporter_phone: str = "",
    reporter_email: str = "",
    reporter_zalo_id: str = "",
    is_anonymous: bool = False,
    level: str | None = None,
    attributes: dict | None = None,
    photos: Iterable[UploadedFile] = (),
    received_by=None,
    api_client=None,
    idempotency_key: str | None = None,
) -> Report:
    """Accept a report from any channel; return the stored case (the same one again for a repeated key).

    The case and its first timeline entry are committed before any message is attempted.
    """
    if idempotency_key:
        existing = Report.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    description = (description or "").strip()
    errors = {}
    if not category.is_active:
        errors["category"] = _("Lĩnh vực này không còn tiếp nhận phản ánh.")
    if not description:
        errors["description"] = _("Vui lòng mô tả nội dung phản ánh.")
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = _("Nội dung dài quá %(n)s ký tự.") % {"n": MAX_DESCRIPTION}
    if (lon is None) != (lat is None):
        errors["lat"] = _("Cần cả kinh độ và vĩ độ.")
    # An SMS or Zalo message often names no place; the 1022 operator completes it when accepting the case.
    if lon is None and not address.strip() and channel not in MESSAGE_CHANNELS:
        errors["address"] = _("Vui lòng chọn vị trí trên bản đồ hoặc nhập địa chỉ.")
    if is_anonymous and not category.allows_anonymous:
        errors["is_anonymous"] = _("Lĩnh vực này không nhận phản ánh ẩn danh.")
    if reporter_phone:
        try:
            reporter_phone = normalize_phone(reporter_phone)
        except ValidationError as exc:
            errors["reporter_phone"] = exc.messages[0]
    if errors:
        raise ValidationError(errors)

    unit = None
    if lon is not None:
        unit = geo.locate(lon, lat)
        if unit is None:
            raise ValidationError({"lat": _("Vị trí nằm ngoài địa bàn tỉnh.")}, code="outside")
    elif address:
        from tinhso.core.address import resolve_old_address

        match = resolve_old_address(address)
        unit = match.unit if match else None
    if unit is not None:
        unit = copy.copy(unit)  # the geo cache's instance is shared by every request; never write through it

    now = timezone.now()
    level = level or category.default_level
    report = Report(
        category=category,
        description=description,
        channel=channel,
        title=title.strip()[:200],
        lon=lon,
        lat=lat,
        address=address.strip()[:255],
        unit=unit,
        level=level,
        attributes=attributes or {},
        reporter=reporter if getattr(reporter, "is_authenticated", False) else None,
        reporter_name="" if is_anonymous else reporter_name.strip(),
        reporter_phone=reporter_phone,
        reporter_email=reporter_email.strip(),
        is_anonymous=is_anonymous,
        received_by=received_by,
        api_client=api_client,
        is_public=category.is_public,
        idempotency_key=idempotency_key or None,
        created_at=now,
        updated_at=now,
    )
    report.agency = route(category=category, unit=unit)
    clocks = clocks_for(category=category, level=level)
    report.accept_due_at = calendar.add_working_hours(now, clocks.accept_hours, agency=report.agency)
    report.code = f"PA-{now:%Y}-{next_value('feedback.report', f'{now:%Y}'):06d}"
    try:
        with transaction.atomic():
            report.save(force_insert=True)
    except IntegrityError:
        if idempotency_key and Report.objects.filter(idempotency_key=idempotency_key).exists():
            return Report.objects.get(idempotency_key=idempotency_key)
        raise
    for photo in photos:
        add_attachment(report=report, upload=photo, kind=Attachment.Kind.PHOTO, actor=reporter)
    event = _event(report, Event.Kind.SUBMITTED, actor=received_by or reporter, public=True)
    followers = []
    if report.reporter or report.reporter_phone or report.reporter_email or reporter_zalo_id:
        # A new case has no followers yet: insert the reporter directly (follow_report's look-up would find none).
        followers.append(
            Follower.objects.create(
                report=report,
                user=report.reporter,
                phone=report.reporter_phone,
                email=report.reporter_email,
                zalo_id=reporter_zalo_id[:64],
            )
        )
    audit.record(
        actor=received_by or reporter,
        action="feedback.submit",
        obj=report,
        extra={"channel": channel, "agency": report.agency_id, "unit": unit.code if unit else None},
    )
    _tell_followers(
        report,
        event,
        _("Đã nhận phản ánh %(code)s") % {"code": report.code},
        _("Cảm ơn ông/bà. Mã phản ánh của ông/bà là %(code)s.") % {"code": report.code},
        followers=followers,
    )
    return report


def add_attachment(
    *, report: Report, upload: UploadedFile, kind: str, actor=None, is_public: bool | None = None
) -> Attachment:
    """Store a checked upload (see uploads.py) on the case; only photos are public unless told otherwise."""
    from tinhso.feedback.uploads import clean_upload

    cleaned = clean_upload(upload, kind=kind)
    attachment = Attachment(
        report=report,
        kind=kind,
        content_type=cleaned.content_type,
        size=cleaned.size,
        # A call recording or an internal document holds the caller's voice and details: never public by default.
        is_public=kind == Attachment.Kind.PHOTO if is_public is None else is_public,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    # Nothing is published at upload: staff review it when they answer the case or approve it (approve_attachment).
    attachment.file.save(cleaned.name, cleaned.content, save=False)
    attachment.save()
    return attachment


@transaction.atomic
def follow_report(*, report: Report, user=None, phone: str = "", email: str = "", zalo_id: str = "") -> Follower:
    """Add someone to the people told about the case's public steps (idempotent)."""
    user = user if getattr(user, "is_authenticated", False) else None
    if user is not None:
        follower, _created = Follower.objects.get_or_create(
            report=report, user=user, defaults={"phone": phone, "email": email}
        )
        return follower
    if phone:
        follower, _created = Follower.objects.get_or_create(
            report=report, phone=normalize_phone(phone), defaults={"email": email}
        )
        return follower
    if email:
        follower = Follower.objects.filter(report=report, user__isnull=True, phone="", email=email).first()
        return follower or Follower.objects.create(report=report, email=email)
    if zalo_id:
        follower, _created = Follower.objects.get_or_create(report=report, zalo_id=zalo_id[:64])
        return follower
    raise ValidationError(_("Cần số điện thoại hoặc thư điện tử để theo dõi phản ánh."))


# --- Handling ------------------------------------------------------------------------------------------------


@transaction.atomic
def accept_report(*, report: Report, actor, agency: Agency | None = None, level: str | None = None) -> Report:
    """Tiếp nhận: start the answer clock; optionally assign the responsible agency at the same time."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    _require_staff(actor, report)
    _require_status(report, Report.Status.NEW)
    old = report.status
    now = timezone.now()
    if level:
        report.level = Level(level).value
    report.accepted_at = now
    report.status = Report.Status.ACCEPTED
    # The clock runs on the calendar of the agency that will answer, but the agency itself changes in
    # assign_report, which checks the actor's right on the case as it stands: a clerk may hand it elsewhere.
    current = report.agency
    if agency is not None:
        report.agency = agency
    report.answer_due_at = _answer_due(report, now)
    report.agency = current
    _save(report, "status", "accepted_at", "answer_due_at", "level")
    event = _event(report, Event.Kind.ACCEPTED, actor=actor, public=True, old_status=old)
    audit.record(actor=actor, action="feedback.accept", obj=report, changes={"status": [old, report.status]})
    if agency is not None:
        return assign_report(report=report, actor=actor, agency=agency)  # one message, with the agency's name
    _tell_followers(
        report,
        event,
        _("Phản ánh %(code)s đã được tiếp nhận") % {"code": report.code},
        _("Hạn trả lời: %(due)s.") % {"due": _due_text(report.answer_due_at)},
    )
    return report


@transaction.atomic
def assign_report(*, report: Report, actor, agency: Agency, note: str = "") -> Report:
    """Give the case to the agency that will handle it."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    _require_staff(actor, report)
    _require_status(report, Report.Status.ACCEPTED, Report.Status.ASSIGNED, Report.Status.IN_PROGRESS)
    old, old_agency = report.status, report.agency_id
    report.agency = agency
    report.assigned_at = timezone.now()
    report.status = Report.Status.ASSIGNED
    _save(report, "agency", "assigned_at", "status")
    event = _event(
        report,
        Event.Kind.ASSIGNED,
        actor=actor,
        public=True,
        old_status=old,
        text=note,
        data={"agency": agency.pk, "agency_name": agency.name},
    )
    audit.record(
        actor=actor,
        action="feedback.assign",
        obj=report,
        changes={"agency": [old_agency, agency.pk], "status": [old, report.status]},
    )
    _tell_followers(
        report,
        event,
        _("Phản ánh %(code)s đã được chuyển xử lý") % {"code": report.code},
        _("Cơ quan xử lý: %(agency)s.") % {"agency": agency.name},
    )
    return report


@transaction.atomic
def transfer_report(*, report: Report, actor, agency: Agency, reason: str) -> Report:
    """Send the case on to another agency, with the reason on the record."""
    if not reason.strip():
        raise ValidationError({"reason": _("Vui lòng ghi lý do chuyển.")})
    report = Report.objects.select_for_update().get(pk=report.pk)
    _require_staff(actor, report)
    _require_status(report, Report.Status.ACCEPTED, Report.Status.ASSIGNED, Report.Status.IN_PROGRESS)
    if agency.pk == report.agency_id:
        raise ValidationError({"agency": _("Phản ánh đang thuộc cơ quan này.")})
    old, old_agency = report.status, report.agency_id
    report.agency = agency
    report.assigned_at = timezone.now()
    report.status = Report.Status.ASSIGNED
    _save(report, "agency", "assigned_at", "status")
    event = _event(
        report,
        Event.Kind.TRANSFERRED,
        actor=actor,
        public=True,
        old_status=old,
        text=reason.strip(),
        data={"from_agency": old_agency, "agency": agency.pk, "agency_name": agency.name},
    )
    audit.record(
        actor=actor,
        action="feedback.transfer",
        obj=report,
        changes={"agency": [old_agency, agency.pk]},
        extra={"reason": reason.strip()},
    )
    _tell_followers(
        report,
        event,
        _("Phản ánh %(code)s được chuyển cơ quan khác") % {"code": report.code},
        _("Cơ quan xử lý mới: %(agency)s.") % {"agency": agency.name},
    )
    return report


@transaction.atomic
def start_work(*, report: Report, actor) -> Report:
    report = Report.objects.select_for_update().get(pk=report.pk)
    _require_staff(actor, report, *HANDLER_ROLES)
    _require_status(report, Report.Status.ASSIGNED, Report.Status.ACCEPTED)
    old = report.status
    report.status = Report.Status.IN_PROGRESS
    _save(report, "status")
    event = _event(report, Event.Kind.STARTED, actor=actor, public=True, old_status=old)
    audit.record(actor=actor, action="feedback.start", obj=report, changes={"status": [old, report.status]})
    _tell_followers(
        report,
        event,
        _("Phản ánh %(code)s đang được xử lý") % {"code": report.code},
        _("Hạn trả lời: %(due)s.") % {"due": _due_text(report.answer_due_at)},
    )
    return report


@transaction.atomic
def add_note(*, report: Report, actor, text: str) -> Event:
    """Write an internal note: staff only, never shown to the public."""
    if not text.strip():
        raise ValidationError({"text": _("Ghi chú trống.")})
    _require_staff(actor, report)
    event = _event(report, Event.Kind.NOTE, actor=actor, public=False, text=text.strip())
    audit.record(actor=actor, action="feedback.note", obj=report)
    return event


@transaction.atomic
def request_information(*, report: Report, actor, message: str) -> Report:
    """Ask the citizen for more information; the answer clock pauses until resume_report."""
    if not message.strip():
        raise ValidationError({"message": _("Vui lòng ghi rõ thông tin cần bổ sung.")})
    report = Report.objects.select_for_update().get(pk=report.pk)
    _require_staff(actor, report, *HANDLER_ROLES)
    _require_status(report, Report.Status.ACCEPTED, Report.Status.ASSIGNED, Report.Status.IN_PROGRESS)
    old = report.status
    report.status = Report.Status.WAITING
    report.paused_at = timezone.now()
    _save(report, "status", "paused_at")
    event = _event(report, Event.Kind.WAITING, actor=actor, public=True, old_status=old, text=message.strip())
    audit.record(actor=actor, action="feedback.wait", obj=report, changes={"status": [old, report.status]})
    _tell_followers(
        report, event, _("Phản ánh %(code)s cần bổ sung thông tin") % {"code": report.code}, message.strip()
    )
    return report


@transaction.atomic
def resume_report(*, report: Report, actor=None, text: str = "", photos: Iterable[UploadedFile] = ()) -> Report:
    """End a pause: the answer deadline moves by the working time the case waited.

    The citizen's supplement may add photos, checked and re-encoded as at submission, up to MAX_PHOTOS in all.
    """
    from tinhso.feedback.uploads import MAX_PHOTOS

    report = Report.objects.select_for_update().get(pk=report.pk)
    if actor is not None and permissions.is_staff_member(actor):
        _require_staff(actor, report, *HANDLER_ROLES)
    elif actor is None or report.reporter_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Chỉ người gửi hoặc cán bộ xử lý được bổ sung thông tin."))
    _require_status(report, Report.Status.WAITING)
    photos = list(photos)
    if photos:
        room = MAX_PHOTOS - report.attachments.filter(kind=Attachment.Kind.PHOTO).count()
        if len(photos) > room:
            message = _("Mỗi phản ánh có tối đa %(n)s ảnh; chỉ còn gửi thêm được %(room)s ảnh.") % {
                "n": MAX_PHOTOS,
                "room": max(room, 0),
            }
            raise ValidationError({"photos": message}, code="too_many")
    added = [add_attachment(report=report, upload=photo, kind=Attachment.Kind.PHOTO, actor=actor) for photo in photos]
    now = timezone.now()
    waited = calendar.working_time_between(report.paused_at, now, agency=report.agency)
    if report.answer_due_at:
        report.answer_due_at = calendar.add_working_hours(report.answer_due_at, waited, agency=report.agency)
    report.status = Report.Status.IN_PROGRESS
    report.paused_at = None
    _save(report, "status", "paused_at", "answer_due_at")
    event = _event(
        report,
        Event.Kind.RESUMED,
        actor=actor,
        public=True,
        old_status=Report.Status.WAITING,
        text=text.strip(),
        data={"paused_seconds": int(waited.total_seconds()), "attachments": [a.pk for a in added]},
    )
    audit.record(actor=actor, action="feedback.resume", obj=report, extra={"photos": len(added)})
    _tell_followers(
        report,
        event,
        _("Phản ánh %(code)s tiếp tục được xử lý") % {"code": report.code},
        _("Hạn trả lời mới: %(due)s.") % {"due": _due_text(report.answer_due_at)},
    )
    return report


@transaction.atomic
def answer_report(*, report: Report, actor, answer: str) -> Report:
    """Publish the agency's answer to the citizen."""
    if not answer.strip():
        raise ValidationError({"answer": _("Vui lòng nhập nội dung trả lời.")})
    report = Report.objects.select_for_update().get(pk=report.pk)
    _require_staff(actor, report, *HANDLER_ROLES)
    _require_status(report, Report.Status.ASSIGNED, Report.Status.IN_PROGRESS, Report.Status.ACCEPTED)
    old = report.status
    report.status = Report.Status.ANSWERED
    report.public_answer = answer.strip()
    report.answered_at = timezone.now()
    report.answered_by = actor
    _save(report, "status", "public_answer", "answered_at", "answered_by")
    # Answering is the review: the files staff did not hide are published with the answer.
    reviewed = report.attachments.filter(is_public=True, published=False)
    published = list(reviewed.values_list("pk", flat=True))
    if published:
        reviewed.update(published=True, reviewed_at=report.answered_at)
    event = _event(report, Event.Kind.ANSWERED, actor=actor, public=True, old_status=old, text=report.public_answer)
    audit.record(
        actor=actor,
        action="feedback.answer",
        obj=report,
        changes={"status": [old, report.status]},
        extra={"published_attachments": published} if published else None,
    )
    _tell_followers(
        report,
        event,
        _("Phản ánh %(code)s đã có trả lời") % {"code": report.code},
        _("Mời ông/bà xem trả lời và đánh giá mức độ hài lòng."),
        rating_link=True,
    )
    for duplicate in report.duplicates.all():
        _tell_followers(
            duplicate,
            event,
            _("Phản ánh %(code)s đã có trả lời") % {"code": report.code},
            _("Phản ánh ông/bà theo dõi đã được trả lời."),
        )
    return report


@transaction.atomic
def close_report(*, report: Report, actor=None) -> Report:
    """Close an answered case (after rating, or when nobody rated it in time)."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    if actor is not None:
        _require_staff(actor, report)
    _require_status(report, Report.Status.ANSWERED)
    report.status = Report.Status.CLOSED
    report.closed_at = timezone.now()
    _save(report, "status", "closed_at")
    event = _event(report, Event.Kind.CLOSED, actor=actor, public=True, old_status=Report.Status.ANSWERED)
    audit.record(actor=actor, action="feedback.close", obj=report)
    if actor is not None:  # closed by staff; a close without an actor follows the citizen's own rating
        _tell_followers(
            report,
            event,
            _("Phản ánh %(code)s đã kết thúc") % {"code": report.code},
            _("Phản ánh đã được trả lời và đóng."),
        )
    return report


@transaction.atomic
def reject_report(*, report: Report, actor, reason: str, note: str, duplicate_of: Report | None = None) -> Report:
    """Refuse a case (out of scope, duplicate, not enough information); the reason is shown to the citizen."""
    reason = Report.RejectionReason(reason).value
    if not note.strip():
        raise ValidationError({"note": _("Vui lòng giải thích lý do từ chối cho người dân.")})
    report = Report.objects.select_for_update().get(pk=report.pk)
    _require_staff(actor, report)
    _require_status(report, *Report.OPEN_STATUSES)
    old = report.status
    report.status = Report.Status.REJECTED
    report.rejection_reason = reason
    report.rejection_note = note.strip()
    report.closed_at = timezone.now()
    if duplicate_of is not None:
        if duplicate_of.pk == report.pk:
            raise ValidationError({"duplicate_of": _("Không thể gộp phản ánh vào chính nó.")})
        report.duplicate_of = duplicate_of
    _save(report, "status", "rejection_reason", "rejection_note", "closed_at", "duplicate_of")
    event = _event(
        report,
        Event.Kind.REJECTED,
        actor=actor,
        public=True,
        old_status=old,
        text=report.rejection_note,
        data={"reason": reason},
    )
    audit.record(actor=actor, action="feedback.reject", obj=report, extra={"reason": reason})
    _tell_followers(
        report,
        event,
        _("Phản ánh %(code)s không được tiếp nhận") % {"code": report.code},
        f"{report.get_rejection_reason_display()}: {report.rejection_note}",
    )
    return report


@transaction.atomic
def merge_reports(*, duplicate: Report, into: Report, actor) -> Report:
    """Close `duplicate` as a duplicate of `into`; its followers follow `into` from now on."""
    _require_staff(actor, into)
    if not into.is_open and into.status not in Report.PUBLISHED_STATUSES:
        raise ValidationError({"into": _("Phản ánh gốc đã bị từ chối.")})
    reject_report(
        report=duplicate,
        actor=actor,
        reason=Report.RejectionReason.DUPLICATE,
        note=_("Nội dung trùng với phản ánh %(code)s; kết quả xử lý sẽ được thông báo theo phản ánh đó.")
        % {"code": into.code},
        duplicate_of=into,
    )
    for follower in duplicate.followers.all():
        if follower.user_id or follower.phone or follower.email or follower.zalo_id:
            follow_report(
                report=into, user=follower.user, phone=follower.phone, email=follower.email, zalo_id=follower.zalo_id
            )
    _event(into, Event.Kind.MERGED, actor=actor, public=False, data={"duplicate": duplicate.code})
    audit.record(actor=actor, action="feedback.merge", obj=into, extra={"duplicate": duplicate.code})
    return into


@transaction.atomic
def share_report(*, report: Report, actor, agency: Agency) -> ReportShare:
    """Invite another agency to coordinate: its staff may see and act on the case."""
    _require_staff(actor, report)
    share, created = ReportShare.objects.get_or_create(report=report, agency=agency)
    if created:
        _event(report, Event.Kind.SHARED, actor=actor, data={"agency": agency.pk, "agency_name": agency.name})
        audit.record(actor=actor, action="feedback.share", obj=report, extra={"agency": agency.pk})
    return share


@transaction.atomic
def attach_file(*, report: Report, actor, upload: UploadedFile, kind: str, is_public: bool = False) -> Attachment:
    """Add a staff member's photo or document to the case, noted on the internal timeline.

    A file the staff member marks public is reviewed by them: it is published at once.
    """
    _require_staff(actor, report)
    attachment = add_attachment(report=report, upload=upload, kind=kind, actor=actor, is_public=is_public)
    if is_public:
        attachment.published, attachment.reviewed_at = True, timezone.now()
        attachment.save(update_fields=["published", "reviewed_at"])
    _event(report, Event.Kind.ATTACHMENT, actor=actor, data={"attachment": attachment.pk, "kind": kind})
    audit.record(actor=actor, action="feedback.attach", obj=report, extra={"attachment": attachment.pk, "kind": kind})
    return attachment


@transaction.atomic
def set_attachment_public(*, attachment: Attachment, actor, is_public: bool) -> Attachment:
    """Show or hide a file on the public pages (a face or a number plate in a photo, say).

    Showing a file is a staff review: it is published at once, even before the answer.
    """
    attachment = Attachment.objects.select_for_update().select_related("report").get(pk=attachment.pk)
    _require_staff(actor, attachment.report)
    changes = {}
    if attachment.is_public != is_public:
        changes["is_public"] = [attachment.is_public, is_public]
        attachment.is_public = is_public
    if is_public and not attachment.published:
        changes["published"] = [False, True]
        attachment.published, attachment.reviewed_at = True, timezone.now()
    if changes:
        attachment.save(update_fields=["is_public", "published", "reviewed_at"])
        audit.record(
            actor=actor,
            action="feedback.attachment.visibility",
            obj=attachment.report,
            changes=changes,
            extra={"attachment": attachment.pk},
        )
    return attachment


@transaction.atomic
def approve_attachment(*, attachment: Attachment, actor) -> Attachment:
    """Approve a file for publication before the answer: staff checked it shows no face, plate or personal data.

    Only staff of the case's agency (or of an agency it is shared with) may approve; the approval is audited.
    A hidden file must be shown again (set_attachment_public) rather than approved.
    """
    attachment = Attachment.objects.select_for_update().select_related("report").get(pk=attachment.pk)
    _require_staff(actor, attachment.report)
    if not attachment.is_public:
        raise ValidationError(_("Tệp đang bị ẩn; hãy hiện công khai nếu muốn đăng."), code="hidden")
    if not attachment.published:
        attachment.published, attachment.reviewed_at = True, timezone.now()
        attachment.save(update_fields=["published", "reviewed_at"])
        audit.record(
            actor=actor,
            action="feedback.attachment.approve",
            obj=attachment.report,
            changes={"published": [False, True]},
            extra={"attachment": attachment.pk},
        )
    return attachment


@transaction.atomic
def edit_public_text(*, report: Report, actor, text: str) -> Report:
    """Set the redacted text published instead of the citizen's words; blank publishes the original."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    _require_staff(actor, report)
    text = text.strip()
    if len(text) > MAX_DESCRIPTION:
        raise ValidationError({"text": _("Nội dung dài quá %(n)s ký tự.") % {"n": MAX_DESCRIPTION}})
    old = report.public_description
    if old != text:
        report.public_description = text
        _save(report, "public_description")
        # The audit entry keeps both versions: the original is never lost by redaction.
        audit.record(
            actor=actor, action="feedback.public_text", obj=report, changes={"public_description": [old, text]}
        )
    return report


# --- Deadlines ------------------------------------------------------------------------------------------------


@transaction.atomic
def request_extension(*, report: Report, actor, new_due_at: dt.datetime, reason: str) -> Extension:
    if not reason.strip():
        raise ValidationError({"reason": _("Vui lòng ghi lý do gia hạn.")})
    _require_staff(actor, report, *HANDLER_ROLES)
    _require_status(report, Report.Status.ACCEPTED, Report.Status.ASSIGNED, Report.Status.IN_PROGRESS)
    if report.answer_due_at and new_due_at <= report.answer_due_at:
        raise ValidationError({"new_due_at": _("Hạn mới phải sau hạn hiện tại.")})
    extension = Extension.objects.create(
        report=report, requested_by=actor, new_due_at=new_due_at, reason=reason.strip()
    )
    _event(report, Event.Kind.NOTE, actor=actor, text=_("Đề nghị gia hạn: %(reason)s") % {"reason": reason.strip()})
    audit.record(
        actor=actor, action="feedback.extension.request", obj=report, extra={"new_due_at": new_due_at.isoformat()}
    )
    return extension


@transaction.atomic
def decide_extension(*, extension: Extension, actor, approve: bool) -> Extension:
    """A leader of the responsible agency approves or refuses a new deadline."""
    extension = Extension.objects.select_for_update().select_related("report").get(pk=extension.pk)
    report = extension.report
    _require_staff(actor, report, Role.LEADER)
    if extension.status != Extension.Status.PENDING:
        raise ValidationError(_("Đề nghị gia hạn này đã được quyết định."))
    extension.status = Extension.Status.APPROVED if approve else Extension.Status.REFUSED
    extension.decided_by = actor
    extension.decided_at = timezone.now()
    extension.save()
    if approve:
        old_due = report.answer_due_at
        report.answer_due_at = extension.new_due_at
        report.warned_at = None
        _save(report, "answer_due_at", "warned_at")
        event = _event(
            report,
            Event.Kind.EXTENDED,
            actor=actor,
            public=True,
            text=extension.reason,
            data={
                "old_due_at": old_due.isoformat() if old_due else None,
                "new_due_at": extension.new_due_at.isoformat(),
            },
        )
        _tell_followers(
            report,
            event,
            _("Phản ánh %(code)s được gia hạn") % {"code": report.code},
            _("Hạn trả lời mới: %(due)s. Lý do: %(reason)s")
            % {"due": _due_text(report.answer_due_at), "reason": extension.reason},
        )
    audit.record(actor=actor, action="feedback.extension.decide", obj=report, extra={"approved": approve})
    return extension


# --- The citizen's side --------------------------------------------------------------------------------------


@transaction.atomic
def add_comment(*, report: Report, text: str, api_client, update_id: str, data: dict | None = None) -> Event:
    """Record a citizen's comment relayed by a partner app (Open311 servicerequestupdates); staff read it.

    The comment stays off the public timeline: a citizen's words may carry personal data. `update_id` is the
    app's own id of the comment; the same id twice from the same app is refused, so a retry never doubles it.
    """
    text = (text or "").strip()
    if not text:
        raise ValidationError({"description": _("Vui lòng nhập nội dung ý kiến.")})
    if len(text) > MAX_DESCRIPTION:
        raise ValidationError({"description": _("Nội dung dài quá %(n)s ký tự.") % {"n": MAX_DESCRIPTION}})
    report = Report.objects.select_for_update().get(pk=report.pk)
    # The lock on the app's row serialises its comments, so two retries racing cannot both pass the check.
    ApiClient.objects.select_for_update().filter(pk=api_client.pk).first()
    seen = Event.objects.filter(kind=Event.Kind.COMMENT, data__api_client=api_client.pk, data__update_id=update_id)
    if seen.exists():
        message = _("Ý kiến với mã %(id)s đã được gửi.") % {"id": update_id}
        raise ValidationError({"update_id": message}, code="duplicate")
    event = _event(
        report,
        Event.Kind.COMMENT,
        text=text,
        data={**(data or {}), "api_client": api_client.pk, "update_id": update_id},
    )
    audit.record(actor=None, action="feedback.comment", obj=report, extra={"api_client": api_client.pk})
    return event


@transaction.atomic
def rate_report(*, report: Report, rating: str, reason: str = "", actor=None) -> Report:
    """Record the citizen's rating; "not satisfied" reopens the case once and counts against the agency."""
    rating = Report.Rating(rating).value
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.reporter_id and getattr(actor, "pk", None) != report.reporter_id:
        raise PermissionDenied(_("Chỉ người gửi phản ánh được đánh giá."))
    _require_status(report, Report.Status.ANSWERED)
    if rating == Report.Rating.UNSATISFIED and not reason.strip():
        raise ValidationError({"reason": _("Vui lòng cho biết vì sao ông/bà chưa hài lòng.")})
    report.rating = rating
    report.rating_reason = reason.strip()
    report.rated_at = timezone.now()
    _save(report, "rating", "rating_reason", "rated_at")
    _event(report, Event.Kind.RATED, actor=actor, public=True, text=report.rating_reason, data={"rating": rating})
    audit.record(actor=actor, action="feedback.rate", obj=report, extra={"rating": rating})
    if rating == Report.Rating.UNSATISFIED and report.reopened_count == 0:
        old = report.status
        now = timezone.now()
        report.status = Report.Status.IN_PROGRESS
        report.reopened_count += 1
        report.answer_due_at = _answer_due(report, now)
        report.warned_at = report.escalated_at = None
        _save(report, "status", "reopened_count", "answer_due_at", "warned_at", "escalated_at")
        event = _event(report, Event.Kind.REOPENED, public=True, old_status=old, text=report.rating_reason)
        audit.record(actor=actor, action="feedback.reopen", obj=report)
        _tell_followers(
            report,
            event,
            _("Phản ánh %(code)s được mở lại") % {"code": report.code},
            _("Cơ quan xử lý lại theo ý kiến của người dân. Hạn trả lời mới: %(due)s.")
            % {"due": _due_text(report.answer_due_at)},
        )
    else:
        close_report(report=report)
    return Report.objects.get(pk=report.pk)
