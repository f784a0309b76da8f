"""What the operations dashboard keeps of its own: the thresholds that raise alerts, edited by administrators.

The figures themselves belong to the modules (indicator values in `indicators`, the 1022 rates in `feedback`
through `core.registry.FIGURES`); the dashboard only reads them.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class AlertRule(models.Model):
    """A threshold on one figure: an alert shows while the latest value is below (or above) it."""

    class Direction(models.TextChoices):
        BELOW = "below", _("Thấp hơn ngưỡng")
        ABOVE = "above", _("Cao hơn ngưỡng")

    class Level(models.TextChoices):
        WARNING = "warning", _("Cảnh báo")
        CRITICAL = "critical", _("Nghiêm trọng")

    indicator = models.ForeignKey(
        "indicators.Indicator",
        verbose_name=_("chỉ tiêu"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    figure_key = models.CharField(
        _("số liệu của phân hệ"),
        max_length=64,
        blank=True,
        help_text=_("Khóa số liệu một phân hệ đăng ký, ví dụ feedback.answer_on_time; để trống khi chọn chỉ tiêu."),
    )
    direction = models.CharField(_("cảnh báo khi"), max_length=8, choices=Direction.choices, default=Direction.BELOW)
    threshold = models.DecimalField(_("ngưỡng"), max_digits=22, decimal_places=4)
    level = models.CharField(_("mức độ"), max_length=10, choices=Level.choices, default=Level.WARNING)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        verbose_name = _("ngưỡng cảnh báo")
        verbose_name_plural = _("ngưỡng cảnh báo")
        ordering = ["indicator__sort_order", "figure_key", "threshold"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(indicator__isnull=False) & models.Q(figure_key=""))
                | (models.Q(indicator__isnull=True) & ~models.Q(figure_key="")),
                name="alert_rule_one_source",
            ),
        ]

    def __str__(self) -> str:
        source = self.indicator.code if self.indicator_id else self.figure_key
        sign = "<" if self.direction == self.Direction.BELOW else ">"
        return f"{source} {sign} {self.threshold.normalize():f}"

    def clean(self) -> None:
        if bool(self.indicator_id) == bool(self.figure_key):
            raise ValidationError(_("Chọn đúng một nguồn: một chỉ tiêu hoặc một số liệu của phân hệ."))
        if self.figure_key:
            from tinhso.core.registry import FIGURES

            if self.figure_key not in FIGURES:
                raise ValidationError({"figure_key": _("Không có số liệu nào đăng ký với khóa này.")})

    def crossed(self, value: Decimal | float | int | None) -> bool:
        """Return whether `value` is on the wrong side of the threshold (a missing value raises no alert)."""
        if value is None:
            return False
        number = Decimal(str(value))
        return number < self.threshold if self.direction == self.Direction.BELOW else number > self.threshold
