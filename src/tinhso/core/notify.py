"""The notification outbox: write the message with the business change, deliver it later, retry with backoff.

`notify()` only writes a row in the caller's transaction and asks for delivery once that transaction commits;
nothing it does can fail the business action. Delivery runs in the task worker (`deliver`), one claimed attempt
at a time; the sweeper re-enqueues whatever is due, so a lost enqueue or a crashed worker only delays a message.
"""

import json
import logging
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone, translation

from tinhso.core import audit
from tinhso.core.channels import Message, SendError, get_channel, zalo_user, zalo_user_id
from tinhso.core.models import Notification
from tinhso.core.phone import normalize_phone

logger = logging.getLogger(__name__)

# Wait before attempt 2, 3, ...; after the last one fails the message is given up (status dead).
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
SWEEP_BATCH = 500
_OPEN = (Notification.Status.PENDING, Notification.Status.FAILED)


def render(*, channel: str, template: str, context: dict[str, Any]) -> tuple[str, str]:
    """Return (subject, body) of `template` for `channel`, rendered in Vietnamese as plain text."""
    with translation.override("vi"):
        body = _render_text(f"notifications/{template}.{channel}.txt", context)
        subject = ""
        if channel == Notification.Channel.EMAIL:
            # Mail headers are one line; template files end with a newline.
            subject = " ".join(_render_text(f"notifications/{template}.email.subject.txt", context).split())
    return subject, body.strip()


def _render_text(name: str, context: dict[str, Any]) -> str:
    # Messages are plain text: HTML escaping would show "&amp;" to the citizen.
    return get_template(name).template.render(Context(context, autoescape=False))


def _clean_recipient(channel: str, recipient: str) -> str:
    if channel == Notification.Channel.EMAIL:
        validate_email(recipient.strip())
        return recipient.strip()
    user_id = zalo_user_id(recipient.strip()) if channel == Notification.Channel.ZALO else None
    if user_id is not None:
        if not user_id.isascii() or not user_id.isalnum() or len(user_id) > 64:
            raise ValidationError("Mã người dùng Zalo không hợp lệ.")
        return zalo_user(user_id)
    return normalize_phone(recipient)


def notify(
    *,
    channel: str,
    recipient: str,
    template: str,
    context: dict[str, Any],
    obj: models.Model | None = None,
    idempotency_key: str | None = None,
) -> Notification:
    """Queue one message in the outbox and deliver it after the caller's transaction commits.

    With `idempotency_key`, a repeated call (a retried request, a re-run task) returns the row the first call
    wrote instead of sending twice; the insert runs in a savepoint, so a concurrent duplicate neither sends twice
    nor breaks the caller's transaction. An invalid recipient is kept as a dead row with the reason, not raised:
    a citizen's mistyped phone number must not stop the clerk's action.
    """
    channel = Notification.Channel(channel).value
    if idempotency_key:
        existing = Notification.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    row = Notification(
        channel=channel,
        recipient=recipient,
        template=template,
        idempotency_key=idempotency_key or None,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
    )
    try:
        row.recipient = _clean_recipient(channel, recipient)
    except ValidationError as exc:
        row.status = Notification.Status.DEAD
        row.last_error = f"Người nhận không hợp lệ: {'; '.join(exc.messages)}"
    try:
        row.context = json.loads(json.dumps(context, cls=DjangoJSONEncoder))
        row.subject, row.body = render(channel=channel, template=template, context=context)
    except Exception as exc:
        # A broken template or an unstorable context is a bug to fix, not a reason to undo the caller's action:
        # keep the message as a dead row that says why.
        logger.exception("Notification template %s for %s could not be rendered", template, channel)
        row.context = {}
        row.status = Notification.Status.DEAD
        row.last_error = f"Không dựng được nội dung: {type(exc).__name__}: {exc}"[:2000]
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        if not idempotency_key:
            raise
        return Notification.objects.get(idempotency_key=idempotency_key)
    if row.status == Notification.Status.PENDING:
        transaction.on_commit(partial(enqueue_delivery, row.pk))
    return row


def enqueue_delivery(notification_id: int) -> bool:
    """Ask the task queue to deliver one notification; return False (and log) if the queue refused."""
    from tinhso.core.tasks import deliver_notification

    try:
        deliver_notification.enqueue(notification_id)
    except Exception:
        # The queue is down or full: the row stays due in the outbox and the sweeper enqueues it later.
        logger.warning("Could not enqueue notification %s; the sweeper will retry.", notification_id, exc_info=True)
        return False
    return True


def retry_delay(attempt: int) -> timedelta:
    """Return how long to wait after failed attempt number `attempt` (1-based)."""
    return RETRY_DELAYS[min(attempt, len(RETRY_DELAYS)) - 1]


def deliver(notification_id: int, *, now: datetime | None = None) -> str:
    """Make one delivery attempt if the notification is due and nobody else holds it; return its status after.

    The claim is a conditional UPDATE on (status, next_attempt_at, attempts): only one worker can win it, and
    it pushes next_attempt_at to the retry time, which is the lease: if the worker dies while sending, the
    sweeper picks the message up again once that time has passed. The provider call runs outside any
    transaction, so a slow gateway holds no database lock.
    """
    clock = (lambda: now) if now is not None else timezone.now
    now = clock()
    row = Notification.objects.filter(pk=notification_id).first()
    if row is None or row.status not in _OPEN or row.next_attempt_at > now:
        return row.status if row else "missing"
    attempt = row.attempts + 1
    if attempt > MAX_ATTEMPTS:
        # Only after a worker died during the last attempt: that attempt counts, so give up now.
        Notification.objects.filter(pk=row.pk, attempts=row.attempts).update(status=Notification.Status.DEAD)
        return Notification.Status.DEAD
    claimed = Notification.objects.filter(
        pk=row.pk, status=row.status, attempts=row.attempts, next_attempt_at__lte=now
    ).update(attempts=attempt, next_attempt_at=now + retry_delay(attempt))
    if not claimed:
        return "skipped"
    message = Message(
        recipient=row.recipient,
        body=row.body,
        subject=row.subject,
        template=row.template,
        data=row.context,
        reference=f"tinhso-{row.pk}",
    )
    try:
        external_id = get_channel(row.channel).send(message)
    except Exception as exc:
        return _record_failure(row, attempt=attempt, exc=exc, finished_at=clock())
    Notification.objects.filter(pk=row.pk).update(
        status=Notification.Status.SENT, sent_at=clock(), external_id=str(external_id)[:128], last_error=""
    )
    return Notification.Status.SENT


def _record_failure(row: Notification, *, attempt: int, exc: Exception, finished_at: datetime) -> str:
    permanent = isinstance(exc, SendError) and exc.permanent
    status = Notification.Status.DEAD if permanent or attempt >= MAX_ATTEMPTS else Notification.Status.FAILED
    fields: dict[str, Any] = {"status": status, "last_error": f"{type(exc).__name__}: {exc}"[:2000]}
    if status == Notification.Status.FAILED:
        # Count the wait from the end of this attempt, not its start: a slow timeout must not shorten it.
        fields["next_attempt_at"] = finished_at + retry_delay(attempt)
    Notification.objects.filter(pk=row.pk).update(**fields)
    logger.warning("Notification %s attempt %s failed (%s): %s", row.pk, attempt, status, exc)
    return status


def sweep(*, now: datetime | None = None, limit: int = SWEEP_BATCH) -> int:
    """Enqueue delivery of every due pending or failed notification (oldest first); return how many."""
    now = now or timezone.now()
    due = (
        Notification.objects.filter(status__in=_OPEN, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    count = 0
    for pk in due:
        if not enqueue_delivery(pk):
            break  # the queue is down; the next sweep tries again
        count += 1
    return count


@transaction.atomic
def retry_now(*, notifications: models.QuerySet[Notification], actor) -> int:
    """Make failed, dead or waiting notifications due now and enqueue them; return how many."""
    rows = list(notifications.exclude(status=Notification.Status.SENT).select_for_update())
    now = timezone.now()
    for row in rows:
        before = audit.snapshot(row, ["status", "attempts", "next_attempt_at"])
        if row.status == Notification.Status.DEAD:
            row.attempts = 0  # a manual retry gets the whole backoff schedule again
        row.status = Notification.Status.PENDING
        row.next_attempt_at = now
        row.save(update_fields=["status", "attempts", "next_attempt_at"])
        after = audit.snapshot(row, ["status", "attempts", "next_attempt_at"])
        audit.record(actor=actor, action="notification.retry", obj=row, changes=audit.diff(before, after))
        transaction.on_commit(partial(enqueue_delivery, row.pk))
    return len(rows)
