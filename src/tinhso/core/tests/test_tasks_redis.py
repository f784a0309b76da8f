"""The scale-out queue: tasks on Redis through RQ, run by a real RQ worker against the real Redis server."""

import os
import signal

import pytest
from django.test import override_settings

from tinhso.core import notify as outbox
from tinhso.core.channels import FakeSmsGateway
from tinhso.core.models import Notification
from tinhso.core.testing import skip_or_fail

pytestmark = [pytest.mark.redis, pytest.mark.django_db]

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
QUEUES = ["default", "notifications"]


@pytest.fixture
def redis_queue():
    """Point the task backend at the test Redis database, empty before and after the test."""
    import redis

    conn = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        conn.ping()
    except redis.RedisError as exc:
        skip_or_fail(f"No Redis answers at {REDIS_URL} (set TEST_REDIS_URL): {exc}")
    conn.flushdb()  # only this database: TEST_REDIS_URL names one kept for tests
    settings = override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": QUEUES}},
        RQ_QUEUES={name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 60} for name in QUEUES},
    )
    with settings:
        yield conn
    conn.flushdb()
    conn.close()


def run_rq_worker(*queue_names: str) -> None:
    """Run an RQ worker in this process until the queues are empty (burst mode)."""
    import django_rq
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    queues = [django_rq.get_queue(name, job_class=Job) for name in queue_names]
    worker = SimpleWorker(queues, connection=queues[0].connection, job_class=Job)
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        worker.work(burst=True, with_scheduler=False)
    finally:
        for sig, handler in saved.items():  # the worker installs its own; give pytest its handlers back
            signal.signal(sig, handler)


def test_a_notification_is_delivered_through_redis_by_an_rq_worker(redis_queue, django_capture_on_commit_callbacks):
    import django_rq

    with django_capture_on_commit_callbacks(execute=True):
        row = outbox.notify(
            channel="sms", recipient="0912345678", template="generic", context={"title": "Thử", "message": "Redis"}
        )
    assert django_rq.get_queue("notifications").count == 1
    assert row.status == Notification.Status.PENDING

    run_rq_worker("notifications")

    row.refresh_from_db()
    assert row.status == Notification.Status.SENT
    assert [m.body for m in FakeSmsGateway.sent] == [row.body]
    assert django_rq.get_queue("notifications").count == 0


def test_the_sweeper_runs_on_rq_and_enqueues_due_messages_there(redis_queue):
    from django_tasks import TaskResultStatus

    from tinhso.core.tasks import sweep_notifications

    # Written while the queue was unreachable: due in the outbox, in no queue.
    row = outbox.notify(
        channel="sms", recipient="0912345678", template="generic", context={"title": "A", "message": "B"}
    )
    result = sweep_notifications.enqueue()

    run_rq_worker("default", "notifications")

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 1
    row.refresh_from_db()
    assert row.status == Notification.Status.SENT
