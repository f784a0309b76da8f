"""The notification outbox: written with the business change, delivered by the worker, retried, never in the way."""

import socket
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tinhso.core import notify as outbox
from tinhso.core.channels import FakeSmsGateway, SendError
from tinhso.core.models import Agency, AuditEntry, Notification
from tinhso.core.testing import Role, make_agency, make_member, run_queued_tasks

pytestmark = pytest.mark.django_db

CONTEXT = {"title": "Phản ánh PA-2025-0001", "message": "Phản ánh của ông/bà đã được tiếp nhận."}
DELIVER = "tinhso.core.tasks.deliver_notification"
SWEEP = "tinhso.core.tasks.sweep_notifications"


def queued(task_path: str) -> int:
    return DBTaskResult.objects.ready().filter(task_path=task_path).count()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_down_settings():
    """Task settings pointing at a Redis that does not answer: the queue is down."""
    url = f"redis://127.0.0.1:{closed_port()}/0"
    return override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default", "notifications"]}},
        RQ_QUEUES={name: {"URL": url} for name in ("default", "notifications")},
    )


def receive_report(*, phone: str, code: str, key: str | None = None) -> tuple[Agency, Notification]:
    """A stand-in business action: one write plus the citizen's SMS, in one transaction."""
    with transaction.atomic():
        record = make_agency(code, f"Hồ sơ {code}")
        message = outbox.notify(
            channel="sms", recipient=phone, template="generic", context=CONTEXT, obj=record, idempotency_key=key
        )
    return record, message


def test_it_renders_the_vietnamese_template_when_the_row_is_written():
    row = outbox.notify(channel="email", recipient="dan@example.vn", template="generic", context=CONTEXT)

    assert row.subject == "[Tỉnh số] Phản ánh PA-2025-0001"
    assert row.body.startswith("Kính gửi ông/bà,")
    assert "Phản ánh của ông/bà đã được tiếp nhận." in row.body
    assert row.status == Notification.Status.PENDING
    assert row.context == CONTEXT


def test_it_does_not_escape_plain_text_messages():
    row = outbox.notify(
        channel="sms", recipient="0912345678", template="generic", context={"title": "A & B", "message": "<ok>"}
    )

    assert row.body == "A & B: <ok>"


def test_it_delivers_after_commit_through_the_task_worker(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        record, row = receive_report(phone="091 234 5678", code="HS1")
        assert queued(DELIVER) == 0  # nothing is enqueued before the business transaction commits

    assert queued(DELIVER) == 1
    run_queued_tasks()

    row.refresh_from_db()
    assert row.status == Notification.Status.SENT
    assert row.attempts == 1
    assert row.external_id.startswith("fake-sms-")
    assert row.object_type == "core.agency" and row.object_id == str(record.pk)
    [sent] = FakeSmsGateway.sent
    assert sent.recipient == "0912345678"
    assert sent.body == row.body


def test_email_goes_out_through_django_mail(django_capture_on_commit_callbacks, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        row = outbox.notify(channel="email", recipient="dan@example.vn", template="generic", context=CONTEXT)
    run_queued_tasks()

    row.refresh_from_db()
    assert row.status == Notification.Status.SENT
    [sent] = mail.outbox
    assert sent.subject == row.subject
    assert sent.extra_headers["Message-ID"] == row.external_id


def test_a_rolled_back_action_sends_nothing(django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks(execute=True)
    with capture as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        outbox.notify(channel="sms", recipient="0912345678", template="generic", context=CONTEXT)
        raise RuntimeError("the business action failed")

    assert callbacks == []
    assert not Notification.objects.exists()


def test_the_same_idempotency_key_returns_the_same_row(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _, first = receive_report(phone="0912345678", code="HS1", key="report:1:received")
        again = outbox.notify(
            channel="sms",
            recipient="0912345678",
            template="generic",
            context=CONTEXT,
            idempotency_key="report:1:received",
        )

    assert again.pk == first.pk
    assert Notification.objects.count() == 1
    assert queued(DELIVER) == 1


def test_an_invalid_recipient_is_recorded_dead_without_failing_the_action(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        record, row = receive_report(phone="12345", code="HS1")

    assert Agency.objects.filter(pk=record.pk).exists()
    assert row.status == Notification.Status.DEAD
    assert "không hợp lệ" in row.last_error
    assert queued(DELIVER) == 0


def test_a_missing_template_is_recorded_dead_without_failing_the_action(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        record = Agency.objects.create(code="HS2", name="Hồ sơ thử", kind=Agency.Kind.OTHER)
        row = outbox.notify(channel="sms", recipient="0912345678", template="no_such_template", context=CONTEXT)

    assert Agency.objects.filter(pk=record.pk).exists()
    row.refresh_from_db()
    assert row.status == Notification.Status.DEAD
    assert "TemplateDoesNotExist" in row.last_error
    assert queued(DELIVER) == 0


def test_the_action_commits_when_the_gateway_raises(django_capture_on_commit_callbacks):
    FakeSmsGateway.failure = ConnectionResetError("gateway hung up")
    with django_capture_on_commit_callbacks(execute=True):
        record, row = receive_report(phone="0912345678", code="HS1")
    run_queued_tasks()

    assert Agency.objects.filter(pk=record.pk).exists()
    row.refresh_from_db()
    assert row.status == Notification.Status.FAILED
    assert row.attempts == 1
    assert "gateway hung up" in row.last_error
    assert row.next_attempt_at > timezone.now()


def test_the_action_commits_when_the_gateway_raises_inside_an_immediate_backend(django_capture_on_commit_callbacks):
    FakeSmsGateway.failure = TimeoutError("gateway timed out")
    immediate = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": []}}
    with override_settings(TASKS=immediate), django_capture_on_commit_callbacks(execute=True):
        record, row = receive_report(phone="0912345678", code="HS1")

    assert Agency.objects.filter(pk=record.pk).exists()
    row.refresh_from_db()
    assert row.status == Notification.Status.FAILED
    assert "gateway timed out" in row.last_error


def test_the_action_commits_when_the_queue_is_down_and_the_sweeper_delivers_later(django_capture_on_commit_callbacks):
    with redis_down_settings(), django_capture_on_commit_callbacks(execute=True):
        record, row = receive_report(phone="0912345678", code="HS1")

    assert Agency.objects.filter(pk=record.pk).exists()
    row.refresh_from_db()
    assert row.status == Notification.Status.PENDING
    assert queued(DELIVER) == 0
    assert FakeSmsGateway.sent == []

    # The queue is back: the scheduler's sweep finds the message and the worker delivers it.
    from tinhso.core.tasks import sweep_notifications

    sweep_notifications.enqueue()
    run_queued_tasks()

    row.refresh_from_db()
    assert row.status == Notification.Status.SENT
    assert [m.recipient for m in FakeSmsGateway.sent] == ["0912345678"]


def test_the_sweeper_stops_quietly_while_the_queue_is_down():
    row = outbox.notify(channel="sms", recipient="0912345678", template="generic", context=CONTEXT)
    with redis_down_settings():
        assert outbox.sweep() == 0
    row.refresh_from_db()
    assert row.status == Notification.Status.PENDING


def test_the_sweeper_enqueues_only_due_open_messages():
    due = outbox.notify(channel="sms", recipient="0912345678", template="generic", context=CONTEXT)
    later = outbox.notify(channel="sms", recipient="0912345679", template="generic", context=CONTEXT)
    sent = outbox.notify(channel="sms", recipient="0912345670", template="generic", context=CONTEXT)
    now = timezone.now()
    Notification.objects.filter(pk=later.pk).update(
        status=Notification.Status.FAILED, next_attempt_at=now + timedelta(minutes=5)
    )
    Notification.objects.filter(pk=sent.pk).update(status=Notification.Status.SENT)

    assert outbox.sweep(now=now) == 1
    [task] = DBTaskResult.objects.filter(task_path=DELIVER)
    assert task.args_kwargs["args"] == [due.pk]


def test_failures_back_off_1_5_30_120_720_minutes_then_give_up():
    FakeSmsGateway.failure = SendError("gateway busy")
    row = outbox.notify(channel="sms", recipient="0912345678", template="generic", context=CONTEXT)
    now = row.next_attempt_at
    waits = []
    for _ in range(6):
        status = outbox.deliver(row.pk, now=now)
        row.refresh_from_db()
        if status == Notification.Status.FAILED:
            waits.append(row.next_attempt_at - now)
            now = row.next_attempt_at
    assert [w / timedelta(minutes=1) for w in waits] == [1, 5, 30, 120, 720]
    assert row.status == Notification.Status.DEAD
    assert row.attempts == 6
    assert "gateway busy" in row.last_error


def test_it_does_not_attempt_before_the_retry_time():
    FakeSmsGateway.failure = SendError("gateway busy")
    row = outbox.notify(channel="sms", recipient="0912345678", template="generic", context=CONTEXT)
    outbox.deliver(row.pk, now=row.next_attempt_at)
    FakeSmsGateway.failure = None
    row.refresh_from_db()

    outbox.deliver(row.pk, now=row.next_attempt_at - timedelta(seconds=1))

    row.refresh_from_db()
    assert row.status == Notification.Status.FAILED
    assert row.attempts == 1
    assert FakeSmsGateway.sent == []


def test_a_permanent_refusal_gives_up_at_once():
    FakeSmsGateway.failure = SendError("số thuê bao không tồn tại", permanent=True)
    row = outbox.notify(channel="sms", recipient="0912345678", template="generic", context=CONTEXT)

    assert outbox.deliver(row.pk) == Notification.Status.DEAD
    row.refresh_from_db()
    assert row.attempts == 1


def test_a_second_worker_cannot_send_a_message_already_being_sent(monkeypatch):
    row = outbox.notify(channel="sms", recipient="0912345678", template="generic", context=CONTEXT)
    inner = []
    original = FakeSmsGateway.send

    def send_while_another_worker_tries(self, message):
        inner.append(outbox.deliver(row.pk))  # a duplicate task runs while the first send is in flight
        return original(self, message)

    monkeypatch.setattr(FakeSmsGateway, "send", send_while_another_worker_tries)

    assert outbox.deliver(row.pk) == Notification.Status.SENT
    assert inner and inner[0] != Notification.Status.SENT
    assert len(FakeSmsGateway.sent) == 1
    row.refresh_from_db()
    assert row.attempts == 1


def test_a_sent_message_is_not_sent_again_by_a_stale_task():
    row = outbox.notify(channel="sms", recipient="0912345678", template="generic", context=CONTEXT)
    outbox.deliver(row.pk)

    assert outbox.deliver(row.pk) == Notification.Status.SENT
    assert len(FakeSmsGateway.sent) == 1


def test_admin_can_retry_a_dead_message_now(client, admin_user, django_capture_on_commit_callbacks):
    row = outbox.notify(channel="sms", recipient="0912345678", template="generic", context=CONTEXT)
    Notification.objects.filter(pk=row.pk).update(status=Notification.Status.DEAD, attempts=6, last_error="x")
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:core_notification_changelist"),
            {"action": "retry_now", "_selected_action": [row.pk]},
        )

    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == Notification.Status.PENDING
    assert row.attempts == 0
    assert queued(DELIVER) == 1
    assert AuditEntry.objects.filter(action="notification.retry", object_id=str(row.pk)).exists()
    run_queued_tasks()
    row.refresh_from_db()
    assert row.status == Notification.Status.SENT


def test_staff_without_change_permission_cannot_retry(client, agency):
    row = outbox.notify(channel="sms", recipient="0912345678", template="generic", context=CONTEXT)
    Notification.objects.filter(pk=row.pk).update(status=Notification.Status.DEAD)
    staff = make_member(Role.CLERK, agency, "Nhân Viên Xem", is_staff=True)
    client.force_login(staff)

    response = client.post(
        reverse("admin:core_notification_changelist"), {"action": "retry_now", "_selected_action": [row.pk]}
    )

    assert response.status_code == 403
    row.refresh_from_db()
    assert row.status == Notification.Status.DEAD


def test_a_zalo_user_id_is_a_valid_zalo_recipient_but_not_an_sms_one():
    from tinhso.core.channels import zalo_user

    zalo = outbox.notify(channel="zalo", recipient=zalo_user("6142009876543"), template="generic", context=CONTEXT)
    sms = outbox.notify(channel="sms", recipient=zalo_user("6142009876543"), template="generic", context=CONTEXT)
    bad = outbox.notify(channel="zalo", recipient=zalo_user("61 42;drop"), template="generic", context=CONTEXT)

    assert zalo.status == Notification.Status.PENDING and zalo.recipient == "zalo-user:6142009876543"
    assert sms.status == Notification.Status.DEAD
    assert bad.status == Notification.Status.DEAD
