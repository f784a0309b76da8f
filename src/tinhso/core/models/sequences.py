from django.db import models


class Sequence(models.Model):
    """A named counter for human-readable codes (PA-2026-004217), one row per name and period."""

    name = models.CharField(max_length=60)
    period = models.CharField(max_length=16, blank=True)
    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "sequence"
        constraints = [models.UniqueConstraint(fields=["name", "period"], name="sequence_unique")]

    def __str__(self) -> str:
        return f"{self.name}/{self.period}={self.value}"
