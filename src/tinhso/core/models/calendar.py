import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """An administrator's override of the working calendar for one date."""

    class Kind(models.TextChoices):
        DAY_OFF = "off", _("Ngày nghỉ")
        WORKING_DAY = "work", _("Ngày làm việc (làm bù)")

    date = models.DateField(_("ngày"))
    kind = models.CharField(_("loại"), max_length=4, choices=Kind.choices)
    name = models.CharField(_("lý do"), max_length=160)
    agency = models.ForeignKey(
        "core.Agency",
        verbose_name=_("cơ quan"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Để trống: áp dụng cho toàn tỉnh."),
    )

    class Meta:
        verbose_name = _("ngày điều chỉnh lịch làm việc")
        verbose_name_plural = _("lịch làm việc: ngày điều chỉnh")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint("date", Coalesce("agency", Value(0)), name="calendar_day_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y}: {self.name}"


class OfficeHours(models.Model):
    """Office hours of one agency (or the province's default when agency is empty)."""

    agency = models.OneToOneField(
        "core.Agency", verbose_name=_("cơ quan"), null=True, blank=True, on_delete=models.CASCADE
    )
    morning_start = models.TimeField(_("sáng bắt đầu"), default=dt.time(7, 30))
    morning_end = models.TimeField(_("sáng kết thúc"), default=dt.time(11, 30))
    afternoon_start = models.TimeField(_("chiều bắt đầu"), default=dt.time(13, 30))
    afternoon_end = models.TimeField(_("chiều kết thúc"), default=dt.time(17, 0))
    saturday_morning = models.BooleanField(
        _("làm việc sáng thứ Bảy"),
        default=False,
        help_text=_("Ví dụ bộ phận một cửa tiếp nhận sáng thứ Bảy."),
    )

    class Meta:
        verbose_name = _("giờ làm việc")
        verbose_name_plural = _("lịch làm việc: giờ làm việc")
        constraints = [
            models.UniqueConstraint(Coalesce("agency", Value(0)), name="office_hours_unique"),
        ]

    def __str__(self) -> str:
        who = self.agency or _("Mặc định toàn tỉnh")
        periods = ", ".join(f"{start:%H:%M}–{end:%H:%M}" for start, end in self.periods())
        return f"{who}: {periods}"

    def clean(self):
        if not (self.morning_start < self.morning_end <= self.afternoon_start < self.afternoon_end):
            raise ValidationError(
                _("Giờ làm việc phải theo thứ tự: sáng bắt đầu < sáng kết thúc ≤ chiều bắt đầu < chiều kết thúc.")
            )

    def periods(self) -> list[tuple[dt.time, dt.time]]:
        return [(self.morning_start, self.morning_end), (self.afternoon_start, self.afternoon_end)]
