from django.db import models
from django.utils import timezone


class ScheduledRun(models.Model):
    """A claim on one run of a recurring job, so several schedulers never run the same slot twice."""

    job = models.CharField(max_length=120)
    slot = models.DateTimeField()
    claimed_at = models.DateTimeField(default=timezone.now)
    claimed_by = models.CharField(max_length=120, blank=True)
    task_result_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "scheduled run"
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="scheduled_run_unique")]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot:%d/%m/%Y %H:%M}"
