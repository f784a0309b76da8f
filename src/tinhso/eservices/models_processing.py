"""The processing side's records: each step's hand-over, each pause of the clock, fee payments, and the
Decision 766 monthly rollup. Imported at the end of `models.py`, so they belong to the `eservices` app.

`StepRecord` rows are the hand-over log from which the process-control slip (phiếu kiểm soát quá trình giải quyết)
is printed: who handed the file to which unit, when, by when it was due, when it was done, on time or not. The
open row (``finished_at`` empty) of an application is its current step: the clerks' queue is a query on these rows
by agency and role.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StepRecord(models.Model):
    """One internal step (quy trình nội bộ) of one application: handed over, due, finished."""

    class Outcome(models.TextChoices):
        DONE = "done", _("Hoàn thành")
        SENT_BACK = "sent_back", _("Trả lại bước trước")
        CLOSED = "closed", _("Kết thúc hồ sơ")

    application = models.ForeignKey(
        "eservices.Application", verbose_name=_("hồ sơ"), on_delete=models.CASCADE, related_name="step_records"
    )
    index = models.PositiveSmallIntegerField(_("bước số"))
    code = models.CharField(_("mã bước"), max_length=40, blank=True)
    name = models.CharField(_("tên bước"), max_length=200)
    agency = models.ForeignKey(
        "core.Agency", verbose_name=_("đơn vị xử lý"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("vai trò xử lý"), max_length=20, default="clerk")
    hours = models.FloatField(_("số giờ làm việc"), default=0)
    handed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người giao"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handed_from = models.ForeignKey(
        "core.Agency",
        verbose_name=_("đơn vị giao"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField(_("nhận lúc"), default=timezone.now)
    due_at = models.DateTimeField(_("hạn xử lý"))
    finished_at = models.DateTimeField(_("hoàn thành lúc"), null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(_("kết quả"), max_length=12, choices=Outcome.choices, blank=True)
    paused_hours = models.FloatField(_("giờ tạm dừng trong bước"), default=0)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("các bước xử lý")
        ordering = ["started_at", "id"]
        indexes = [
            models.Index(
                fields=["agency", "role", "due_at"], name="step_open_queue", condition=models.Q(finished_at=None)
            ),
            models.Index(fields=["application", "started_at"], name="step_application"),
        ]
        constraints = [
            # At most one open step per application: the current one.
            models.UniqueConstraint(
                fields=["application"], condition=models.Q(finished_at=None), name="step_one_open_per_application"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id} · {self.name}"

    @property
    def is_open(self) -> bool:
        return self.finished_at is None

    def timeliness(self, now=None) -> str:
        """Return "early", "on_time" or "late" (the control slip's result column); open steps against now."""
        end = self.finished_at or now or timezone.now()
        if end > self.due_at:
            return "late"
        return "early" if self.finished_at and (self.due_at - end).total_seconds() >= 3600 else "on_time"


class Pause(models.Model):
    """One interval in which the clock stood still while the file waited for the applicant."""

    class Reason(models.TextChoices):
        SUPPLEMENT = "supplement", _("Chờ bổ sung hồ sơ")
        FEE = "fee", _("Chờ thực hiện nghĩa vụ tài chính")

    application = models.ForeignKey("eservices.Application", on_delete=models.CASCADE, related_name="pauses")
    reason = models.CharField(_("lý do"), max_length=12, choices=Reason.choices)
    started_at = models.DateTimeField(_("từ"), default=timezone.now)
    ended_at = models.DateTimeField(_("đến"), null=True, blank=True)
    working_hours = models.FloatField(_("số giờ làm việc"), default=0)

    class Meta:
        verbose_name = _("tạm dừng tính thời hạn")
        verbose_name_plural = _("tạm dừng tính thời hạn")
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id} · {self.get_reason_display()}"


class Payment(models.Model):
    """A fee payment: online through the gateway, or in cash at the counter."""

    class Method(models.TextChoices):
        ONLINE = "online", _("Trực tuyến")
        COUNTER = "counter", _("Tại bộ phận một cửa")

    class Status(models.TextChoices):
        PENDING = "pending", _("Đang chờ")
        PAID = "paid", _("Đã thanh toán")
        FAILED = "failed", _("Không thành công")

    application = models.ForeignKey(
        "eservices.Application", verbose_name=_("hồ sơ"), on_delete=models.PROTECT, related_name="payments"
    )
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    method = models.CharField(_("hình thức"), max_length=8, choices=Method.choices)
    gateway = models.CharField(_("cổng thanh toán"), max_length=20, blank=True)
    transaction_ref = models.CharField(_("mã giao dịch"), max_length=64, unique=True)
    status = models.CharField(_("trạng thái"), max_length=8, choices=Status.choices, default=Status.PENDING)
    receipt_no = models.CharField(_("số biên lai"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    paid_at = models.DateTimeField(_("thanh toán lúc"), null=True, blank=True, db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("thanh toán phí, lệ phí")
        verbose_name_plural = _("thanh toán phí, lệ phí")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["receipt_no"], condition=~models.Q(receipt_no=""), name="payment_receipt_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.transaction_ref} · {self.amount}"


class IndicatorRollup(models.Model):
    """Decision 766 counts of the applications received in one month, per agency, commune and procedure.

    Rebuilt month by month from the applications (`indicators.refresh_month`) by a recurring job, so the
    leaders' dashboard sums a few thousand rows for a year instead of scanning every application.
    """

    month = models.DateField(_("tháng"))
    agency = models.ForeignKey("core.Agency", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("core.AdminUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    procedure = models.ForeignKey("eservices.Procedure", on_delete=models.CASCADE, related_name="+")
    received = models.PositiveIntegerField(default=0)
    finished = models.PositiveIntegerField(default=0)
    finished_on_time = models.PositiveIntegerField(default=0)
    open = models.PositiveIntegerField(default=0)
    open_on_time = models.PositiveIntegerField(default=0)
    full_eligible = models.PositiveIntegerField(default=0)
    full_online = models.PositiveIntegerField(default=0)
    fee_bearing = models.PositiveIntegerField(default=0)
    paid_online = models.PositiveIntegerField(default=0)
    e_results = models.PositiveIntegerField(default=0)
    digitised = models.PositiveIntegerField(default=0)
    reused = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    dissatisfied = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("tổng hợp chỉ số 766")
        verbose_name_plural = _("tổng hợp chỉ số 766")
        constraints = [
            models.UniqueConstraint(fields=["month", "agency", "procedure"], name="rollup_month_agency_procedure")
        ]
        indexes = [models.Index(fields=["month", "agency"], name="rollup_month_agency")]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y} · {self.agency_id} · {self.procedure_id}"
