import datetime as dt

from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tinhso.core.text import fold

#: The day the two-tier local government began (Resolution 202/2025/QH15).
REFORM_DATE = dt.date(2025, 7, 1)


class UnitQuerySet(models.QuerySet):
    def valid_on(self, day: dt.date) -> "UnitQuerySet":
        """Return the units in force on `day`."""
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        )

    def current(self) -> "UnitQuerySet":
        return self.valid_on(timezone.localdate())

    def former(self) -> "UnitQuerySet":
        return self.filter(valid_to__lt=timezone.localdate())

    def communes(self) -> "UnitQuerySet":
        return self.filter(level=AdminUnit.Level.COMMUNE)

    def provinces(self) -> "UnitQuerySet":
        return self.filter(level=AdminUnit.Level.PROVINCE)


class AdminUnit(models.Model):
    """An administrative unit (province, former district, commune), current or former."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Cấp tỉnh")
        DISTRICT = "district", _("Cấp huyện (trước 01/07/2025)")
        COMMUNE = "commune", _("Cấp xã")

    class Kind(models.TextChoices):
        PROVINCE = "tinh", _("Tỉnh")
        CITY = "thanh_pho_tw", _("Thành phố trực thuộc trung ương")
        PROVINCIAL_CITY = "thanh_pho", _("Thành phố thuộc tỉnh")
        TOWN = "thi_xa", _("Thị xã")
        DISTRICT = "huyen", _("Huyện")
        URBAN_DISTRICT = "quan", _("Quận")
        COMMUNE = "xa", _("Xã")
        WARD = "phuong", _("Phường")
        TOWNLET = "thi_tran", _("Thị trấn")
        SPECIAL_ZONE = "dac_khu", _("Đặc khu")

    code = models.CharField(_("mã"), max_length=5, db_index=True)
    name = models.CharField(_("tên"), max_length=120)
    short_name = models.CharField(_("tên ngắn"), max_length=100)
    search_name = models.CharField(max_length=120, editable=False, db_index=True)
    level = models.CharField(_("cấp"), max_length=10, choices=Level.choices)
    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("thuộc"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    population = models.PositiveIntegerField(_("dân số"), null=True, blank=True)
    area_km2 = models.DecimalField(_("diện tích (km²)"), max_digits=10, decimal_places=2, null=True, blank=True)
    seat = models.CharField(_("trụ sở"), max_length=255, blank=True)
    boundary = models.JSONField(_("ranh giới (GeoJSON)"), null=True, blank=True)
    min_lon = models.FloatField(null=True, blank=True, editable=False)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lon = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)
    centroid_lon = models.FloatField(_("kinh độ tâm"), null=True, blank=True)
    centroid_lat = models.FloatField(_("vĩ độ tâm"), null=True, blank=True)
    source = models.CharField(_("nguồn"), max_length=255, blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["level", "code"]
        constraints = [
            # A code can be reused by a new unit after a merger (Xã Chu Hương 01921 became
            # part of Xã Thượng Minh 01921), so a code is unique per level and start date.
            models.UniqueConstraint(
                "level",
                "code",
                Coalesce("valid_from", Value(dt.date(1900, 1, 1))),
                name="unit_code_per_period",
            ),
        ]
        indexes = [models.Index(fields=["min_lon", "max_lon", "min_lat", "max_lat"], name="unit_bbox")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.search_name = fold(self.name)
        super().save(*args, **kwargs)

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return (self.valid_from is None or self.valid_from <= today) and (
            self.valid_to is None or self.valid_to >= today
        )


class UnitSuccession(models.Model):
    """A former unit's successor; a divided unit has several, one of them the default."""

    predecessor = models.ForeignKey(AdminUnit, on_delete=models.CASCADE, related_name="successions")
    successor = models.ForeignKey(AdminUnit, on_delete=models.CASCADE, related_name="predecessions")
    divided = models.BooleanField(_("bị chia tách"), default=False)
    is_default = models.BooleanField(_("đơn vị kế thừa chính"), default=True)
    effective_date = models.DateField(_("ngày hiệu lực"), default=REFORM_DATE)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("kế thừa đơn vị")
        verbose_name_plural = _("kế thừa đơn vị")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="unit_succession_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"
