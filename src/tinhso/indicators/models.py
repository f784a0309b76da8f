"""Socio-economic indicators: what is measured, its values by period and unit, their revisions, and targets.

The shape follows DHIS2 (data element × org unit × period × disaggregation → value, with an audit trail) and
Vietnamese statistics practice: every value has a release status (ước tính → sơ bộ → chính thức), a source,
and a price basis that belongs to the indicator, so one series never mixes 2010 and 2020 prices
(Thông tư 13/2019/TT-BKHĐT). Periods are fields, not a table: see `periods.py`.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tinhso.indicators.periods import Period, PeriodType, from_fields

#: Stored precision: four decimals hold PAPI's 45,7875 and a ratio's 93,6508 before display rounding.
VALUE_DIGITS = {"max_digits": 22, "decimal_places": 4}


class Aggregation(models.TextChoices):
    SUM = "sum", _("Cộng dồn")
    AVG = "avg", _("Bình quân")
    LAST = "last", _("Lấy số cuối kỳ")
    NONE = "none", _("Không tổng hợp")


class PriceBasis(models.TextChoices):
    CURRENT = "current", _("Giá hiện hành")
    COMPARATIVE_2010 = "comparative_2010", _("Giá so sánh năm 2010")
    COMPARATIVE_2020 = "comparative_2020", _("Giá so sánh năm 2020")
    NOT_APPLICABLE = "na", _("Không áp dụng")


class Status(models.TextChoices):
    ESTIMATE = "estimate", _("Ước tính")
    PRELIMINARY = "preliminary", _("Sơ bộ")
    OFFICIAL = "official", _("Chính thức")


class Qualifier(models.TextChoices):
    """How exact a figure is as its source states it: "trên 20.000" is not "20.000"."""

    EXACT = "", _("Chính xác")
    MORE_THAN = ">", _("Hơn")
    AT_LEAST = ">=", _("Ít nhất")
    LESS_THAN = "<", _("Dưới")
    ABOUT = "~", _("Khoảng")


class IndicatorQuerySet(models.QuerySet):
    def public(self) -> "IndicatorQuerySet":
        return self.filter(is_public=True)


class Indicator(models.Model):
    """A figure the province follows: GRDP, exports, the share of new-rural-area communes, a PAPI rank."""

    code = models.SlugField(_("mã"), max_length=40, unique=True, allow_unicode=False)
    name_vi = models.CharField(_("tên"), max_length=255)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=255, blank=True)
    unit = models.CharField(_("đơn vị tính"), max_length=40, help_text=_("nghìn tỷ đồng, tỷ USD, %, hạng, xã…"))
    decimals = models.PositiveSmallIntegerField(
        _("số chữ số thập phân tối đa khi hiển thị"), default=1, help_text=_("Các số 0 ở cuối không hiển thị.")
    )
    time_aggregation = models.CharField(
        _("tổng hợp theo thời gian"), max_length=8, choices=Aggregation.choices, default=Aggregation.SUM
    )
    unit_aggregation = models.CharField(
        _("tổng hợp theo địa bàn"), max_length=8, choices=Aggregation.choices, default=Aggregation.SUM
    )
    # A formula is data, never evaluated text: numerator / denominator × factor, over the same unit and period.
    numerator = models.ForeignKey(
        "self",
        verbose_name=_("tử số"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    denominator = models.ForeignKey(
        "self",
        verbose_name=_("mẫu số"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    factor = models.DecimalField(_("hệ số nhân"), max_digits=12, decimal_places=4, default=Decimal(1))
    price_basis = models.CharField(
        _("loại giá"), max_length=20, choices=PriceBasis.choices, default=PriceBasis.NOT_APPLICABLE
    )
    higher_is_better = models.BooleanField(_("càng cao càng tốt"), default=True)
    department = models.ForeignKey(
        "core.Agency",
        verbose_name=_("cơ quan chịu trách nhiệm"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indicators",
    )
    definition = models.TextField(_("khái niệm, phương pháp tính"), blank=True)
    legal_source = models.CharField(_("căn cứ pháp lý"), max_length=255, blank=True)
    is_public = models.BooleanField(_("công khai"), default=True)
    sort_order = models.PositiveIntegerField(_("thứ tự"), default=0)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(numerator__isnull=True) & models.Q(denominator__isnull=True))
                | (models.Q(numerator__isnull=False) & models.Q(denominator__isnull=False)),
                name="indicator_formula_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name_vi} ({self.unit})"

    @property
    def has_formula(self) -> bool:
        return self.numerator_id is not None

    def clean(self) -> None:
        if self.has_formula and self.pk is not None and self.pk in (self.numerator_id, self.denominator_id):
            raise ValidationError(_("Công thức không được dùng chính chỉ tiêu này."))


class PeriodFields(models.Model):
    """The period as a type and its first and last day (see periods.py for why not a table)."""

    period_type = models.CharField(_("loại kỳ"), max_length=8, choices=PeriodType.choices)
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))

    class Meta:
        abstract = True

    @property
    def period(self) -> Period:
        return from_fields(self.period_type, self.period_start, self.period_end)

    @period.setter
    def period(self, value: Period) -> None:
        self.period_type, self.period_start, self.period_end = value.type, value.start, value.end


class Value(PeriodFields):
    """The current figure of one indicator × period × unit × breakdown; its earlier versions are revisions."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("chỉ tiêu"), on_delete=models.PROTECT, related_name="values"
    )
    unit = models.ForeignKey(
        "core.AdminUnit", verbose_name=_("địa bàn"), on_delete=models.PROTECT, related_name="indicator_values"
    )
    breakdown = models.CharField(
        _("phân tổ"), max_length=32, blank=True, default="", help_text=_("Để trống cho số tổng; ví dụ: cn-xd, nam.")
    )
    value = models.DecimalField(_("giá trị"), **VALUE_DIGITS)
    qualifier = models.CharField(_("mức chính xác"), max_length=2, choices=Qualifier.choices, blank=True, default="")
    rank_of = models.PositiveSmallIntegerField(
        _("xếp hạng trong số"), null=True, blank=True, help_text=_("Với chỉ tiêu xếp hạng: số tỉnh được xếp (63, 34).")
    )
    status = models.CharField(_("tình trạng số liệu"), max_length=12, choices=Status.choices)
    source = models.CharField(_("nguồn"), max_length=500)
    is_derived = models.BooleanField(_("số suy ra"), default=False)
    derivation = models.CharField(_("cách suy ra"), max_length=255, blank=True)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người nhập"), null=True, blank=True, on_delete=models.PROTECT
    )
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("số liệu")
        verbose_name_plural = _("số liệu")
        ordering = ["indicator", "period_start", "unit", "breakdown"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit", "period_type", "period_start", "breakdown"], name="value_key"
            ),
        ]
        indexes = [models.Index(fields=["indicator", "period_start", "unit"], name="value_series")]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period.code} {self.unit.code}: {self.value}"


class ValueRevision(models.Model):
    """One version of a value as it was recorded; append-only, the newest equals the value row."""

    value_row = models.ForeignKey(Value, verbose_name=_("số liệu"), on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField(_("phiên bản"))
    value = models.DecimalField(_("giá trị"), **VALUE_DIGITS)
    qualifier = models.CharField(_("mức chính xác"), max_length=2, choices=Qualifier.choices, blank=True, default="")
    status = models.CharField(_("tình trạng số liệu"), max_length=12, choices=Status.choices)
    source = models.CharField(_("nguồn"), max_length=500)
    is_derived = models.BooleanField(_("số suy ra"), default=False)
    derivation = models.CharField(_("cách suy ra"), max_length=255, blank=True)
    reason = models.CharField(_("lý do điều chỉnh"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người nhập"), null=True, blank=True, on_delete=models.PROTECT
    )
    recorded_at = models.DateTimeField(_("nhập lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("phiên bản số liệu")
        verbose_name_plural = _("lịch sử số liệu")
        ordering = ["value_row", "version"]
        constraints = [models.UniqueConstraint(fields=["value_row", "version"], name="value_revision_version")]

    def __str__(self) -> str:
        return f"v{self.version}: {self.value}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Lịch sử số liệu chỉ được ghi thêm, không được sửa.")
        super().save(*args, **kwargs)


class Target(models.Model):
    """A planned figure: a level or a growth rate, for a plan term, a year, or with no set date."""

    class Series(models.TextChoices):
        PLAN_2021_2025 = "plan_2021_2025", _("Kế hoạch 5 năm 2021–2025")
        PLAN_2026_2030 = "plan_2026_2030", _("Kế hoạch 5 năm 2026–2030")
        YEARLY = "yearly", _("Kế hoạch năm")
        OTHER = "other", _("Mục tiêu khác (theo nghị quyết, đề án, chương trình)")

    class Kind(models.TextChoices):
        LEVEL = "level", _("Mức đạt")
        GROWTH = "growth", _("Tốc độ tăng (%)")

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("chỉ tiêu"), on_delete=models.PROTECT, related_name="targets"
    )
    unit = models.ForeignKey(
        "core.AdminUnit", verbose_name=_("địa bàn"), on_delete=models.PROTECT, related_name="indicator_targets"
    )
    breakdown = models.CharField(_("phân tổ"), max_length=32, blank=True, default="")
    series = models.CharField(_("loại kế hoạch"), max_length=16, choices=Series.choices)
    kind = models.CharField(_("loại mục tiêu"), max_length=8, choices=Kind.choices, default=Kind.LEVEL)
    # A target may carry no date ("sớm đạt doanh thu 1 tỷ USD"): the period fields are then empty.
    period_type = models.CharField(_("loại kỳ"), max_length=8, choices=PeriodType.choices, blank=True)
    period_start = models.DateField(_("từ ngày"), null=True, blank=True)
    period_end = models.DateField(_("đến ngày"), null=True, blank=True)
    value = models.DecimalField(_("giá trị"), **VALUE_DIGITS)
    qualifier = models.CharField(_("mức chính xác"), max_length=2, choices=Qualifier.choices, blank=True, default="")
    basis = models.CharField(_("căn cứ"), max_length=500, help_text=_("Nghị quyết, kế hoạch, đề án hoặc nguồn khác."))
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("mục tiêu")
        verbose_name_plural = _("mục tiêu")
        ordering = ["indicator", "period_start", "unit"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(period_type="", period_start__isnull=True, period_end__isnull=True)
                    | (~models.Q(period_type="") & models.Q(period_start__isnull=False, period_end__isnull=False))
                ),
                name="target_period_complete",
            ),
        ]

    def __str__(self) -> str:
        when = self.period.code if self.period else "—"
        return f"{self.indicator.code} {when} {self.unit.code}: {self.value}"

    @property
    def period(self) -> Period | None:
        if not self.period_type:
            return None
        return from_fields(self.period_type, self.period_start, self.period_end)
