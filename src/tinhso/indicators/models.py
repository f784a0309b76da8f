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


# --- Data sets: who reports which indicators, for which period, by when (DHIS2's data set and approval) ---------


class DataSet(models.Model):
    """A group of indicators one agency reports for each period, with its entry window and deadline.

    The window and the deadline are counted in days from the period's last day: a monthly estimate is entered
    before the month ends (opens at -5), and the department has until the 10th of the next month (deadline 10).
    """

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    agency = models.ForeignKey(
        "core.Agency", verbose_name=_("cơ quan báo cáo"), on_delete=models.PROTECT, related_name="indicator_datasets"
    )
    period_type = models.CharField(
        _("kỳ báo cáo"),
        max_length=8,
        choices=[(c, label) for c, label in PeriodType.choices if c in ("month", "quarter", "year")],
    )
    indicators = models.ManyToManyField(Indicator, through="DataSetIndicator", verbose_name=_("chỉ tiêu"))
    units = models.ManyToManyField(
        "core.AdminUnit",
        verbose_name=_("địa bàn"),
        blank=True,
        related_name="+",
        help_text=_("Để trống: địa bàn của cơ quan báo cáo."),
    )
    opens_days = models.IntegerField(_("mở nhập (ngày so với cuối kỳ)"), default=-5)
    deadline_days = models.IntegerField(_("hạn nộp (ngày sau cuối kỳ)"), default=10)
    closes_days = models.IntegerField(_("đóng nhập (ngày sau cuối kỳ)"), default=30)
    jump_threshold = models.DecimalField(
        _("ngưỡng biến động cần xác nhận (%)"), max_digits=6, decimal_places=1, default=Decimal(30)
    )
    source = models.CharField(_("nguồn ghi cho số liệu"), max_length=500, blank=True)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        verbose_name = _("bộ số liệu")
        verbose_name_plural = _("bộ số liệu")
        ordering = ["agency__sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens_days__lte=models.F("deadline_days"))
                & models.Q(deadline_days__lte=models.F("closes_days")),
                name="dataset_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DataSetIndicator(models.Model):
    """One indicator in a data set, with its validation rules."""

    dataset = models.ForeignKey(DataSet, on_delete=models.CASCADE, related_name="members")
    indicator = models.ForeignKey(Indicator, verbose_name=_("chỉ tiêu"), on_delete=models.PROTECT, related_name="+")
    required = models.BooleanField(_("bắt buộc"), default=True)
    min_value = models.DecimalField(_("giá trị nhỏ nhất"), null=True, blank=True, **VALUE_DIGITS)
    max_value = models.DecimalField(_("giá trị lớn nhất"), null=True, blank=True, **VALUE_DIGITS)
    sort_order = models.PositiveIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("chỉ tiêu trong bộ số liệu")
        verbose_name_plural = _("chỉ tiêu trong bộ số liệu")
        ordering = ["sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["dataset", "indicator"], name="dataset_indicator_once")]

    def __str__(self) -> str:
        return f"{self.dataset.code}: {self.indicator.code}"


class Submission(PeriodFields):
    """One agency's report of one data set for one period: draft → submitted → approved (locked); reopened."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Đang nhập")
        SUBMITTED = "submitted", _("Chờ phê duyệt")
        RETURNED = "returned", _("Bị trả lại")
        APPROVED = "approved", _("Đã phê duyệt")

    dataset = models.ForeignKey(
        DataSet, verbose_name=_("bộ số liệu"), on_delete=models.PROTECT, related_name="submissions"
    )
    state = models.CharField(_("trạng thái"), max_length=10, choices=State.choices, default=State.DRAFT)
    due_on = models.DateField(_("hạn nộp"))
    submitted_at = models.DateTimeField(_("gửi duyệt lúc"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("phê duyệt lúc"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    return_reason = models.CharField(_("lý do trả lại"), max_length=500, blank=True)
    overdue_warned_at = models.DateTimeField(_("đã cảnh báo quá hạn lúc"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("kỳ báo cáo")
        verbose_name_plural = _("kỳ báo cáo")
        ordering = ["dataset", "-period_start"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "period_type", "period_start"], name="submission_once"),
        ]

    def __str__(self) -> str:
        return f"{self.dataset.code} {self.period.code}"

    @property
    def agency_id(self) -> int:
        return self.dataset.agency_id

    @property
    def is_locked(self) -> bool:
        return self.state == self.State.APPROVED

    @property
    def is_editable(self) -> bool:
        return self.state in (self.State.DRAFT, self.State.RETURNED)


class SubmissionEntry(models.Model):
    """One cell of a submission: an indicator's figure for one unit, with the clerk's confirmation of a jump."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="entries")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("core.AdminUnit", on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("giá trị"), null=True, blank=True, **VALUE_DIGITS)
    jump_confirmed = models.BooleanField(_("đã xác nhận biến động"), default=False)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("ô số liệu")
        verbose_name_plural = _("ô số liệu")
        constraints = [
            models.UniqueConstraint(fields=["submission", "indicator", "unit"], name="submission_entry_once"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.unit.code}: {self.value}"


class SubmissionEvent(models.Model):
    """The history of a submission as people see it: saved, submitted, approved, returned, reopened."""

    class Kind(models.TextChoices):
        SAVED = "saved", _("Lưu nháp")
        IMPORTED = "imported", _("Nhập từ tệp")
        SUBMITTED = "submitted", _("Gửi duyệt")
        APPROVED = "approved", _("Phê duyệt")
        RETURNED = "returned", _("Trả lại")
        REOPENED = "reopened", _("Mở lại")
        OVERDUE = "overdue", _("Quá hạn")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("sự kiện"), max_length=10, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    reason = models.CharField(_("lý do"), max_length=500, blank=True)
    at = models.DateTimeField(_("lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("lịch sử kỳ báo cáo")
        verbose_name_plural = _("lịch sử kỳ báo cáo")
        ordering = ["submission", "at", "id"]

    def __str__(self) -> str:
        return f"{self.submission} {self.kind}"


class ImportJob(models.Model):
    """An upload being checked and applied in the background; the page polls its progress."""

    class State(models.TextChoices):
        PENDING = "pending", _("Đang chờ")
        RUNNING = "running", _("Đang xử lý")
        DONE = "done", _("Hoàn tất")
        FAILED = "failed", _("Có lỗi, không nhập")

    dataset = models.ForeignKey(DataSet, on_delete=models.CASCADE, related_name="imports")
    file_name = models.CharField(_("tên tệp"), max_length=255)
    content = models.BinaryField()
    state = models.CharField(_("trạng thái"), max_length=8, choices=State.choices, default=State.PENDING)
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    rows_total = models.PositiveIntegerField(default=0)
    rows_applied = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("lần nhập tệp")
        verbose_name_plural = _("lần nhập tệp")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name
