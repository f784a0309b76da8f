"""Background tasks of the core: notification delivery and housekeeping. Thin wrappers over named functions."""

from datetime import timedelta

from django.db.models import Max
from django.utils import timezone
from django_tasks import task

from tinhso.core import notify
from tinhso.core.models import ScheduledRun

SCHEDULED_RUN_RETENTION = timedelta(days=30)


@task(queue_name="notifications")
def deliver_notification(notification_id: int) -> str:
    """Make one delivery attempt for a notification; return its status afterwards."""
    return notify.deliver(notification_id)


@task()
def sweep_notifications() -> int:
    """Enqueue every due pending or failed notification; return how many were enqueued."""
    return notify.sweep()


@task()
def prune_scheduled_runs() -> int:
    """Delete scheduler claims older than the retention period, keeping each job's latest; return how many."""
    cutoff = timezone.now() - SCHEDULED_RUN_RETENTION
    deleted = 0
    for row in ScheduledRun.objects.values("job").annotate(last=Max("slot")):
        # The latest claim of a job must stay: it is what stops a monthly job from running twice in its month.
        count, _ = ScheduledRun.objects.filter(job=row["job"], slot__lt=min(row["last"], cutoff)).delete()
        deleted += count
    return deleted


@task()
def prune_task_results() -> int:
    """Delete finished database-queue results (successful after a week, failed after a month); return how many."""
    from django.db.models import Q
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    # The sweeper alone finishes 1 440 tasks a day; their results are only useful for recent troubleshooting.
    old = Q(status=TaskResultStatus.SUCCESSFUL, finished_at__lte=now - timedelta(days=7)) | Q(
        status=TaskResultStatus.FAILED, finished_at__lte=now - timedelta(days=30)
    )
    deleted, _ = DBTaskResult.objects.finished().filter(old).delete()
    return deleted
