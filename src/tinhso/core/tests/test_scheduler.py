"""Recurring jobs: slots, one claim per slot across schedulers, the command and its shutdown."""

import os
import signal
import socket
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from tinhso.core.models import ScheduledRun
from tinhso.core.schedule import JOBS, Job, Scheduler, claim_and_enqueue, recurring
from tinhso.core.tasks import prune_scheduled_runs
from tinhso.core.testing import run_queued_tasks

VN = ZoneInfo("Asia/Ho_Chi_Minh")
TICK = "tinhso.core.tests.test_scheduler.tick"


@task()
def tick() -> None:
    """A do-nothing task to schedule in tests."""


def local(*args) -> datetime:
    return datetime(*args, tzinfo=VN)


def enqueued(path: str = TICK) -> int:
    return DBTaskResult.objects.filter(task_path=path).count()


def queue_down():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again when the block ends: nothing listens there
    return override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default", "notifications"]}},
        RQ_QUEUES={name: {"URL": f"redis://127.0.0.1:{port}/0"} for name in ("default", "notifications")},
    )


@pytest.mark.parametrize(
    ("every", "now", "slot"),
    [
        (timedelta(minutes=5), local(2025, 7, 1, 10, 7, 30), local(2025, 7, 1, 10, 5)),
        (timedelta(minutes=5), local(2025, 7, 1, 10, 5), local(2025, 7, 1, 10, 5)),
        (timedelta(days=1), local(2025, 7, 1, 6, 59), local(2025, 7, 1, 0, 0)),  # local midnight, not UTC
        (timedelta(hours=1), local(2025, 7, 1, 0, 0, 1), local(2025, 7, 1, 0, 0)),
        ("0 7 * * 1-5", local(2025, 7, 7, 6, 59), local(2025, 7, 4, 7, 0)),  # Monday before 7:00 → Friday
        ("0 7 * * 1-5", local(2025, 7, 7, 7, 0, 30), local(2025, 7, 7, 7, 0)),
        ("*/15 * * * *", local(2025, 7, 1, 10, 44, 59), local(2025, 7, 1, 10, 30)),
        ("30 2 1 * *", local(2025, 7, 15, 12, 0), local(2025, 7, 1, 2, 30)),
    ],
)
def test_a_job_slot_is_the_latest_due_instant_in_local_time(every, now, slot):
    job = recurring("test.slot", every=every, task=tick)
    JOBS.pop("test.slot")

    assert job.slot(now) == slot
    assert job.slot(now.astimezone(ZoneInfo("UTC"))) == slot


@pytest.mark.parametrize("every", [timedelta(seconds=30), "every monday", "0 7 * *", "61 * * * *"])
def test_it_refuses_bad_schedules(every):
    with pytest.raises(ValueError):
        recurring("test.bad", every=every, task=tick)
    assert "test.bad" not in JOBS


def test_the_notification_sweeper_is_declared():
    job = JOBS["core.sweep_notifications"]
    assert job.every == timedelta(minutes=1)
    assert job.task.name == "sweep_notifications"


@pytest.mark.django_db
def test_it_enqueues_each_slot_once_and_the_next_slot_again():
    scheduler = Scheduler(jobs=[Job(name="test.tick", task=tick, every=timedelta(minutes=5))], name="a")
    start = local(2025, 7, 1, 10, 1)

    assert scheduler.run_pending(start) == ["test.tick"]
    assert scheduler.run_pending(start + timedelta(minutes=2)) == []
    assert scheduler.run_pending(start + timedelta(minutes=4)) == ["test.tick"]

    assert enqueued() == 2
    assert list(ScheduledRun.objects.values_list("slot", flat=True).order_by("slot")) == [
        local(2025, 7, 1, 10, 0),
        local(2025, 7, 1, 10, 5),
    ]


@pytest.mark.django_db
def test_two_schedulers_on_the_same_slot_enqueue_once():
    jobs = [Job(name="test.tick", task=tick, every=timedelta(minutes=1))]
    now = local(2025, 7, 1, 10, 0, 30)

    first = Scheduler(jobs=jobs, name="app1:100").run_pending(now)
    second = Scheduler(jobs=jobs, name="app2:200").run_pending(now)

    assert sorted([first, second]) == [[], ["test.tick"]]
    assert enqueued() == 1
    assert ScheduledRun.objects.get().claimed_by == "app1:100"


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_racing_in_parallel_enqueue_once():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's shared in-memory test database locks tables instead of waiting; races run on PostgreSQL.")
    job = Job(name="test.tick", task=tick, every=timedelta(minutes=1))
    slot = job.slot(timezone.now())
    barrier = threading.Barrier(4)
    results = []

    def race(name):
        try:
            barrier.wait()
            results.append(claim_and_enqueue(job, slot, claimed_by=name))
        finally:
            connection.close()

    threads = [threading.Thread(target=race, args=(f"scheduler-{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [False, False, False, True]
    assert enqueued() == 1
    assert ScheduledRun.objects.count() == 1


@pytest.mark.django_db
def test_a_slot_whose_enqueue_failed_is_claimed_again_when_the_queue_is_back():
    scheduler = Scheduler(jobs=[Job(name="test.tick", task=tick, every=timedelta(minutes=5))], name="a")
    now = local(2025, 7, 1, 10, 1)

    with queue_down():
        assert scheduler.run_pending(now) == []
    assert not ScheduledRun.objects.exists()

    assert scheduler.run_pending(now + timedelta(seconds=5)) == ["test.tick"]
    assert enqueued() == 1


@pytest.mark.django_db
def test_the_command_once_enqueues_the_declared_jobs_then_the_worker_runs_them():
    call_command("scheduler", "--once")

    assert ScheduledRun.objects.filter(job="core.sweep_notifications").exists()
    assert enqueued("tinhso.core.tasks.sweep_notifications") == 1

    run_queued_tasks()
    assert DBTaskResult.objects.successful().filter(task_path="tinhso.core.tasks.sweep_notifications").count() == 1


@pytest.mark.django_db
def test_the_command_stops_cleanly_on_sigterm(monkeypatch):
    ticks = []

    def tick_then_get_terminated(self, now=None):
        ticks.append(now)
        os.kill(os.getpid(), signal.SIGTERM)
        return []

    monkeypatch.setattr(Scheduler, "run_pending", tick_then_get_terminated)
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command("scheduler", "--interval", "60")
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)

    assert len(ticks) == 1


@pytest.mark.django_db
def test_pruning_keeps_recent_claims_and_each_jobs_latest():
    now = timezone.now()
    old, recent = now - timedelta(days=40), now - timedelta(days=1)
    ScheduledRun.objects.create(job="minutely", slot=old)
    ScheduledRun.objects.create(job="minutely", slot=recent)
    ScheduledRun.objects.create(job="yearly", slot=old - timedelta(days=300))
    ScheduledRun.objects.create(job="yearly", slot=old)

    assert prune_scheduled_runs.call() == 2

    remaining = set(ScheduledRun.objects.values_list("job", "slot"))
    assert remaining == {("minutely", recent), ("yearly", old)}


@pytest.mark.django_db
def test_pruning_task_results_keeps_recent_and_unfinished_ones():
    from tinhso.core.tasks import prune_task_results

    tick.enqueue()
    run_queued_tasks()
    old = DBTaskResult.objects.successful().get()
    DBTaskResult.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(days=8))
    recent = tick.enqueue()
    run_queued_tasks()
    waiting = tick.enqueue()

    assert prune_task_results.call() == 1
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {recent.db_result.pk, waiting.db_result.pk}
