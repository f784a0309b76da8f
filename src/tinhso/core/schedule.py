"""Recurring jobs, declared in one registry and run by `tinhso scheduler`.

A module declares its jobs from its AppConfig.ready():

    recurring("feedback.deadline_check", every=timedelta(minutes=15), task=tasks.check_deadlines)
    recurring("feedback.daily_digest", every="0 7 * * 1-5", task=tasks.send_digest)  # cron, local time

Each job has slots: the instants it should run at (multiples of `every` counted from local midnight of
1 January 2000, or the minutes a cron expression matches, in the platform's time zone). A scheduler that finds
a job's latest slot unclaimed claims it by inserting a ScheduledRun row; the unique (job, slot) constraint lets
exactly one of several schedulers win, and only the winner enqueues the task. A scheduler that was down runs
each job's latest missed slot once when it comes back, not every missed one.
"""

import logging
import os
import socket
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from croniter import croniter
from django.conf import settings
from django.db import IntegrityError, close_old_connections, transaction
from django.utils import timezone
from django_tasks.base import Task

from tinhso.core.models import ScheduledRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    task: Task
    every: timedelta | None = None
    cron: str | None = None
    kwargs: dict = field(default_factory=dict)

    def slot(self, now: datetime) -> datetime:
        """Return the latest instant at or before `now` when this job should have run."""
        tz = ZoneInfo(settings.TIME_ZONE)
        local = timezone.localtime(now, tz)
        if self.every is not None:
            epoch = datetime(2000, 1, 1, tzinfo=tz)
            return epoch + ((local - epoch) // self.every) * self.every
        # croniter's get_prev is strictly before its start: start at the next minute so this minute counts.
        start = local.replace(second=0, microsecond=0) + timedelta(minutes=1)
        return croniter(self.cron, start).get_prev(datetime)


JOBS: dict[str, Job] = {}


def recurring(name: str, *, every: timedelta | str, task: Task, kwargs: dict | None = None) -> Job:
    """Declare (or redeclare) the recurring job `name`: run `task` every `every` (timedelta or cron expression)."""
    if isinstance(every, timedelta):
        if every < timedelta(minutes=1):
            raise ValueError(f"Job {name!r}: the shortest interval is one minute.")
        job = Job(name=name, task=task, every=every, kwargs=kwargs or {})
    else:
        if not croniter.is_valid(every) or len(every.split()) != 5:
            raise ValueError(f"Job {name!r}: {every!r} is not a five-field cron expression.")
        job = Job(name=name, task=task, cron=every, kwargs=kwargs or {})
    if len(name) > ScheduledRun._meta.get_field("job").max_length:
        raise ValueError(f"Job name {name!r} is too long.")
    JOBS[name] = job
    return job


def claim_and_enqueue(job: Job, slot: datetime, *, claimed_by: str) -> bool:
    """Claim `slot` of `job` and enqueue its task; return False if another scheduler already claimed it.

    Claim and enqueue share one transaction: if enqueueing fails the claim is rolled back, so the slot is
    tried again on the next tick instead of being lost. On PostgreSQL a concurrent claimer blocks on the
    unique index until the first one commits, then gets the IntegrityError.
    """
    try:
        with transaction.atomic():
            run = ScheduledRun.objects.create(job=job.name, slot=slot, claimed_by=claimed_by[:120])
            result = job.task.enqueue(**job.kwargs)
            run.task_result_id = str(result.id)[:64]
            run.save(update_fields=["task_result_id"])
    except IntegrityError:
        return False
    logger.info("Enqueued %s for %s", job.name, timezone.localtime(slot).isoformat())
    return True


class Scheduler:
    """Enqueue each job's due slot once; several instances on several machines share the work safely."""

    def __init__(self, *, jobs: Iterable[Job] | None = None, name: str | None = None):
        self.jobs = list(jobs) if jobs is not None else None
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.stopping = threading.Event()
        self._seen: dict[str, datetime] = {}  # the last slot known to be claimed, to skip the insert until the next

    def run_pending(self, now: datetime | None = None) -> list[str]:
        """Claim and enqueue every job whose current slot is unclaimed; return the names enqueued by this call."""
        now = now or timezone.now()
        enqueued = []
        for job in self.jobs if self.jobs is not None else list(JOBS.values()):
            slot = job.slot(now)
            if self._seen.get(job.name) == slot:
                continue
            try:
                if claim_and_enqueue(job, slot, claimed_by=self.name):
                    enqueued.append(job.name)
            except Exception:
                # The queue or database is unavailable: leave the slot unclaimed and try again next tick.
                logger.exception("Could not enqueue %s; will retry.", job.name)
                continue
            self._seen[job.name] = slot
        return enqueued

    def run_forever(self, *, interval: float) -> None:
        """Tick every `interval` seconds until stop() is called (by SIGTERM/SIGINT in the command)."""
        logger.info("Scheduler %s started with %s jobs", self.name, len(self.jobs or JOBS))
        while not self.stopping.is_set():
            close_old_connections()
            self.run_pending()
            self.stopping.wait(interval)
        close_old_connections()
        logger.info("Scheduler %s stopped", self.name)

    def stop(self) -> None:
        self.stopping.set()
