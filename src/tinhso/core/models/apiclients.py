import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# What the API throttle can parse: a whole number, "/", and a period starting with s, m, h or d.
_RATE = re.compile(r"^[0-9]+/[smhd][a-z]*$")


class ApiClient(models.Model):
    """A machine client of the API (a partner app, a module, a camera system) with its own key and rate."""

    name = models.CharField(_("tên ứng dụng"), max_length=160)
    key_prefix = models.CharField(_("tiền tố khóa"), max_length=12, unique=True)
    key_hash = models.CharField(max_length=128, editable=False)
    agency = models.ForeignKey(
        "core.Agency", verbose_name=_("cơ quan"), null=True, blank=True, on_delete=models.PROTECT
    )
    contact = models.CharField(_("đầu mối liên hệ"), max_length=255, blank=True)
    rate = models.CharField(
        _("giới hạn tần suất"),
        max_length=20,
        default="600/min",
        help_text=_("Dạng số/đơn vị: 600/min, 10000/hour, 100000/day."),
    )
    scopes = models.JSONField(_("phạm vi"), default=list, blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)

    class Meta:
        verbose_name = _("ứng dụng kết nối API")
        verbose_name_plural = _("ứng dụng kết nối API")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        # A rate the throttle cannot parse would fail every request of this client with a server error.
        if not _RATE.match(self.rate or ""):
            raise ValidationError({"rate": self._meta.get_field("rate").help_text})
