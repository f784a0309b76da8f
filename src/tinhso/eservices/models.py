"""Online public services: the procedure catalogue (thủ tục hành chính), its versions, applications (hồ sơ),
their documents and timeline.

The application's status follows the national public service portal's (DVCQG) codes 1–10 so a later
synchronisation needs no remapping; 0 is a local draft that is never synchronised. The internal processing
steps (quy trình nội bộ) are data on the procedure version, kept apart from the status.

Shapes of the JSON columns of `ProcedureVersion` (checked by `catalogue.validate_*`):

- ``form_schema``: ``{"fields": [{"name": "ho_ten", "label": "Họ và tên", "type": "text", "required": true,
  "help": "…", "max_length": 150, "min_length": 0, "min": 0, "max": 10, "pattern": "^[0-9]{12}$",
  "pattern_message": "…", "choices": [["nam", "Nam"], …], "prefill": "full_name", "section": "…"}, …]}``;
  ``type`` is one of `catalogue.FIELD_TYPES`; ``prefill`` names a profile attribute (`catalogue.PREFILL_KEYS`).
- ``documents``: ``[{"code": "to_khai", "name": "Tờ khai …", "original": 1, "copy": 0, "electronic": true,
  "required": true, "help": "…"}, …]``: thành phần hồ sơ, with the number of originals and copies and whether an
  electronic copy (upload) is accepted.
- ``steps``: ``[{"code": "tiep_nhan", "name": "Tiếp nhận hồ sơ", "agency": "", "role": "clerk", "hours": 4,
  "branch": {"label": "…", "goto": "tham_dinh"}}, …]`` in order; ``agency`` is an agency code, "" for the
  competent agency, "receiving" for the receiving agency; ``hours`` are working hours (8 h = 1 working day).
"""

import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tinhso.core.privacy import mask_id_number
from tinhso.core.text import fold


class Sector(models.Model):
    """A field of procedures (lĩnh vực): Hộ tịch, Đất đai, Xây dựng, …"""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=160)
    sort_order = models.PositiveIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class AgencyCode(models.Model):
    """An agency's electronic identifier (mã định danh điện tử, QCVN 102:2016), the first part of application codes."""

    agency = models.OneToOneField(
        "core.Agency", verbose_name=_("cơ quan"), on_delete=models.CASCADE, related_name="eservices_code"
    )
    code = models.CharField(
        _("mã định danh điện tử"), max_length=32, unique=True, help_text=_("Ví dụ: 000.00.12.H62 (theo danh mục).")
    )

    class Meta:
        verbose_name = _("mã định danh cơ quan")
        verbose_name_plural = _("mã định danh cơ quan")

    def __str__(self) -> str:
        return f"{self.code} · {self.agency}"


class Level(models.TextChoices):
    """Decree 42/2022/NĐ-CP: the two levels of online public services."""

    FULL = "full", _("Toàn trình")
    PARTIAL = "partial", _("Một phần")


class AuthorityLevel(models.TextChoices):
    """Which tier decides (cấp thực hiện); a commune procedure is decided by the commune the applicant chooses."""

    PROVINCE = "province", _("Cấp tỉnh")
    COMMUNE = "commune", _("Cấp xã")


class TimeUnit(models.TextChoices):
    DAYS = "days", _("ngày làm việc")
    HOURS = "hours", _("giờ làm việc")


class ProcedureQuerySet(models.QuerySet):
    def published(self) -> "ProcedureQuerySet":
        return self.filter(is_public=True, is_active=True)

    def search(self, query: str) -> "ProcedureQuerySet":
        """Return the procedures whose code or name contains every word of `query`, with or without diacritics."""
        qs = self
        for word in fold(query).split():
            qs = qs.filter(search_name__contains=word)
        return qs


class Procedure(models.Model):
    """An administrative procedure of the catalogue; what is shown to the public and copied onto applications."""

    code = models.CharField(
        _("mã thủ tục"),
        max_length=32,
        unique=True,
        help_text=_("Mã trên Cơ sở dữ liệu quốc gia về TTHC, ví dụ 1.001193."),
    )
    name = models.CharField(_("tên thủ tục"), max_length=400)
    search_name = models.CharField(max_length=500, editable=False, blank=True)
    sector = models.ForeignKey(Sector, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT, related_name="procedures")
    authority_level = models.CharField(
        _("cấp thực hiện"), max_length=10, choices=AuthorityLevel.choices, default=AuthorityLevel.PROVINCE
    )
    agency = models.ForeignKey(
        "core.Agency",
        verbose_name=_("cơ quan giải quyết"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="procedures",
        help_text=_("Để trống với thủ tục cấp xã: người nộp chọn UBND xã, phường."),
    )
    receiving_agency = models.ForeignKey(
        "core.Agency",
        verbose_name=_("nơi tiếp nhận"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Để trống: chính cơ quan giải quyết tiếp nhận (bộ phận một cửa)."),
    )
    level = models.CharField(_("mức độ dịch vụ công"), max_length=8, choices=Level.choices, default=Level.PARTIAL)
    description = models.TextField(_("trình tự thực hiện"), blank=True)
    conditions = models.TextField(_("yêu cầu, điều kiện"), blank=True)
    legal_basis = models.TextField(_("căn cứ pháp lý"), blank=True)
    result_type = models.CharField(_("kết quả thực hiện"), max_length=300, blank=True)
    fee_amount = models.PositiveBigIntegerField(
        _("phí, lệ phí (đồng)"), default=0, help_text=_("Số tiền thu khi nộp trực tuyến; 0 nếu không thu.")
    )
    fee_note = models.TextField(_("ghi chú phí, lệ phí"), blank=True)
    processing_time = models.PositiveIntegerField(_("thời hạn giải quyết"), default=0)
    processing_unit = models.CharField(
        _("đơn vị thời hạn"), max_length=6, choices=TimeUnit.choices, default=TimeUnit.DAYS
    )
    same_day_cutoff = models.TimeField(
        _("giờ chốt nhận trong ngày"),
        null=True,
        blank=True,
        help_text=_("Hồ sơ nhận sau giờ này tính từ ngày làm việc tiếp theo (thường 15:00)."),
    )
    source_url = models.URLField(_("nguồn"), max_length=400, blank=True)
    is_public = models.BooleanField(_("công khai"), default=True)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)
    sort_order = models.PositiveIntegerField(_("thứ tự"), default=0)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    objects = ProcedureQuerySet.as_manager()

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["sort_order", "name"]
        indexes = [models.Index(fields=["sector", "agency"], name="procedure_sector_agency")]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    def save(self, *args, **kwargs):
        self.search_name = fold(f"{self.code} {self.name}")
        super().save(*args, **kwargs)

    @property
    def processing_hours(self) -> int:
        """Return the legal processing time in working hours (1 working day = 8 h)."""
        return self.processing_time * (8 if self.processing_unit == TimeUnit.DAYS else 1)

    def current_version(self, on=None) -> "ProcedureVersion | None":
        """Return the version in force on `on` (today by default): the latest effective one."""
        day = on or timezone.localdate()
        return (
            self.versions.filter(effective_from__lte=day)
            .filter(models.Q(effective_to__isnull=True) | models.Q(effective_to__gte=day))
            .order_by("-effective_from", "-number")
            .first()
        )


class ProcedureVersion(models.Model):
    """The form, required documents and internal steps of a procedure from a date; frozen once an application
    has been filed under it (edit by adding a new version)."""

    FROZEN_FIELDS = ("form_schema", "documents", "steps", "number", "effective_from", "procedure_id")

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("thủ tục"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("phiên bản"))
    effective_from = models.DateField(_("áp dụng từ ngày"))
    effective_to = models.DateField(_("áp dụng đến ngày"), null=True, blank=True)
    legal_basis = models.TextField(
        _("văn bản ban hành"),
        blank=True,
        help_text=_("Quyết định công bố thủ tục, quy trình nội bộ của phiên bản này."),
    )
    form_schema = models.JSONField(_("biểu mẫu điện tử"), default=dict, blank=True)
    documents = models.JSONField(_("thành phần hồ sơ"), default=list, blank=True)
    steps = models.JSONField(_("quy trình nội bộ"), default=list, blank=True)
    used_at = models.DateTimeField(_("dùng lần đầu lúc"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("phiên bản thủ tục")
        verbose_name_plural = _("phiên bản thủ tục")
        ordering = ["procedure", "-number"]
        constraints = [models.UniqueConstraint(fields=["procedure", "number"], name="procedure_version_unique")]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = ProcedureVersion.objects.filter(pk=self.pk).values(*self.FROZEN_FIELDS, "used_at").first()
            if stored and stored["used_at"] is not None:
                changed = [name for name in self.FROZEN_FIELDS if stored[name] != getattr(self, name)]
                if changed:
                    raise ValidationError(
                        _("Phiên bản đã được dùng cho hồ sơ nên không sửa được; hãy tạo phiên bản mới."),
                        code="frozen",
                    )
        super().save(*args, **kwargs)

    @property
    def is_frozen(self) -> bool:
        return self.used_at is not None

    def step(self, index: int | None) -> dict | None:
        if index is None or not 0 <= index < len(self.steps):
            return None
        return self.steps[index]

    @property
    def fields(self) -> list[dict]:
        return list((self.form_schema or {}).get("fields", []))

    def document(self, code: str) -> dict | None:
        return next((doc for doc in self.documents if doc.get("code") == code), None)


class Status(models.IntegerChoices):
    """The national portal's (DVCQG) status codes; 0 is a local draft, never synchronised."""

    DRAFT = 0, _("Bản nháp")
    REGISTERED = 1, _("Mới đăng ký")
    RECEIVED = 2, _("Được tiếp nhận")
    REFUSED = 3, _("Không được tiếp nhận")
    PROCESSING = 4, _("Đang xử lý")
    SUPPLEMENT = 5, _("Yêu cầu bổ sung giấy tờ")
    FINANCIAL = 6, _("Yêu cầu thực hiện nghĩa vụ tài chính")
    WITHDRAWN = 7, _("Công dân yêu cầu rút hồ sơ")
    STOPPED = 8, _("Dừng xử lý")
    DONE = 9, _("Đã xử lý xong")
    RETURNED = 10, _("Đã trả kết quả")


#: Statuses in which the clock runs or the file waits on the administration.
OPEN_STATUSES = (Status.REGISTERED, Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT, Status.FINANCIAL)
#: Statuses in which the file is waiting for the applicant (the clock is paused).
PAUSED_STATUSES = (Status.SUPPLEMENT, Status.FINANCIAL)
CLOSED_STATUSES = (Status.REFUSED, Status.WITHDRAWN, Status.STOPPED, Status.DONE, Status.RETURNED)


class Channel(models.IntegerChoices):
    """How the application came in (DVCQG codes)."""

    WALK_IN = 1, _("Trực tiếp")
    ONLINE = 2, _("Trực tuyến")
    POST = 3, _("Bưu chính công ích")


class ApplicationQuerySet(models.QuerySet):
    def submitted(self) -> "ApplicationQuerySet":
        return self.exclude(status=Status.DRAFT)

    def open(self) -> "ApplicationQuerySet":
        return self.filter(status__in=OPEN_STATUSES)

    def of_applicant(self, user) -> "ApplicationQuerySet":
        return self.filter(applicant=user)


class Application(models.Model):
    """One application (hồ sơ) for a procedure, from a draft to the returned result."""

    code = models.CharField(_("mã hồ sơ"), max_length=48, unique=True, null=True, blank=True)
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("thủ tục"), on_delete=models.PROTECT, related_name="applications"
    )
    version = models.ForeignKey(
        ProcedureVersion, verbose_name=_("phiên bản thủ tục"), on_delete=models.PROTECT, related_name="applications"
    )
    status = models.PositiveSmallIntegerField(_("trạng thái"), choices=Status.choices, default=Status.DRAFT)
    channel = models.PositiveSmallIntegerField(_("kênh nộp"), choices=Channel.choices, default=Channel.ONLINE)
    level = models.CharField(_("mức độ dịch vụ công"), max_length=8, choices=Level.choices, blank=True)
    agency = models.ForeignKey(
        "core.Agency",
        verbose_name=_("cơ quan giải quyết"),
        on_delete=models.PROTECT,
        related_name="eservice_applications",
    )
    receiving_agency = models.ForeignKey(
        "core.Agency", verbose_name=_("nơi tiếp nhận"), on_delete=models.PROTECT, related_name="+"
    )

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nộp (tài khoản)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="eservice_applications",
    )
    # Who the application is for, as declared: the account holder online, the visitor at the counter.
    applicant_name = models.CharField(_("họ tên người nộp"), max_length=150)
    applicant_phone = models.CharField(_("điện thoại"), max_length=16, blank=True)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    applicant_id_encrypted = models.TextField(blank=True, editable=False)
    organisation_name = models.CharField(_("tổ chức, doanh nghiệp"), max_length=255, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ nộp thay"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Hồ sơ nộp trực tiếp: cán bộ một cửa nhập thay người dân."),
    )

    form_data = models.JSONField(_("nội dung tờ khai"), default=dict, blank=True)
    fee_amount = models.PositiveBigIntegerField(_("phí, lệ phí (đồng)"), default=0)
    legal_hours = models.PositiveIntegerField(_("thời hạn giải quyết (giờ làm việc)"), default=0)
    idempotency_key = models.CharField(max_length=120, unique=True, null=True, blank=True, editable=False)
    search_text = models.TextField(editable=False, blank=True)

    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    updated_at = models.DateTimeField(_("cập nhật lúc"), default=timezone.now)
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    received_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True, db_index=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_at = models.DateTimeField(_("hẹn trả kết quả"), null=True, blank=True)
    original_due_at = models.DateTimeField(
        _("hạn ban đầu"), null=True, blank=True, help_text=_("Giữ nguyên khi có văn bản xin lỗi hẹn lại, để thống kê.")
    )
    paused_at = models.DateTimeField(_("tạm dừng tính thời hạn từ"), null=True, blank=True)
    paused_hours = models.FloatField(_("số giờ làm việc đã tạm dừng"), default=0)
    current_step = models.PositiveSmallIntegerField(_("bước hiện tại"), null=True, blank=True)
    current_agency = models.ForeignKey(
        "core.Agency",
        verbose_name=_("đơn vị đang xử lý"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    step_due_at = models.DateTimeField(_("hạn của bước"), null=True, blank=True)
    completed_at = models.DateTimeField(_("xử lý xong lúc"), null=True, blank=True)
    returned_at = models.DateTimeField(_("trả kết quả lúc"), null=True, blank=True)
    closed_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)

    rating = models.PositiveSmallIntegerField(_("đánh giá (1–5)"), null=True, blank=True)
    rating_comment = models.TextField(_("ý kiến đánh giá"), blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["applicant", "-created_at"], name="application_applicant"),
            models.Index(fields=["agency", "status", "due_at"], name="application_queue"),
            models.Index(fields=["current_agency", "status", "step_due_at"], name="application_step_queue"),
            models.Index(fields=["procedure", "received_at"], name="application_procedure"),
            models.Index(fields=["agency", "received_at"], name="application_agency_received"),
        ]

    def __str__(self) -> str:
        return self.code or _("Bản nháp #%(id)s") % {"id": self.pk}

    def save(self, *args, **kwargs):
        self.search_text = fold(" ".join(filter(None, [self.code or "", self.applicant_name, self.organisation_name])))
        super().save(*args, **kwargs)

    @property
    def applicant_id_number(self) -> str:
        """Return the declared personal ID number (decrypted); audit whoever is shown it."""
        from tinhso.identity import crypto

        return crypto.decrypt(self.applicant_id_encrypted)

    @applicant_id_number.setter
    def applicant_id_number(self, value: str) -> None:
        from tinhso.identity import crypto

        self.applicant_id_encrypted = crypto.encrypt((value or "").strip())

    @property
    def applicant_id_masked(self) -> str:
        return mask_id_number(self.applicant_id_number) if self.applicant_id_encrypted else ""

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        if not self.is_open or self.status in PAUSED_STATUSES or self.due_at is None:
            return False
        return self.due_at < now


class PrivateStorage(FileSystemStorage):
    """Files outside MEDIA_ROOT (which debug mode serves at /media/): no URL at all, served only by the
    access-checked view. Root: setting ESERVICES_PRIVATE_ROOT, else DATA_DIR/private; read at each use."""

    @property
    def base_location(self):
        root = getattr(settings, "ESERVICES_PRIVATE_ROOT", None) or Path(settings.DATA_DIR) / "private"
        return str(root)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None


def private_storage() -> PrivateStorage:
    return PrivateStorage()


def document_path(instance: "ApplicationDocument", filename: str) -> str:
    # Under MEDIA_ROOT, which is never published: files are served only by the access-checked view.
    stamp = timezone.now()
    return f"eservices/{stamp:%Y/%m}/{instance.application_id}/{filename}"


class ApplicationDocument(models.Model):
    """One file of an application: a required document uploaded or scanned, a supplement, or a result."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Người nộp tải lên")
        SCANNED = "scanned", _("Số hóa tại bộ phận một cửa")
        SUPPLEMENT = "supplement", _("Bổ sung")
        RESULT = "result", _("Kết quả giải quyết")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    requirement = models.CharField(
        _("thành phần hồ sơ"), max_length=60, blank=True, help_text=_("Mã thành phần trong phiên bản thủ tục.")
    )
    kind = models.CharField(_("loại"), max_length=12, choices=Kind.choices, default=Kind.SUBMITTED)
    file = models.FileField(upload_to=document_path, storage=private_storage, max_length=255)
    original_name = models.CharField(_("tên tệp gốc"), max_length=255, blank=True)
    content_type = models.CharField(_("định dạng"), max_length=80)
    size = models.PositiveIntegerField(_("dung lượng"))
    sha256 = models.CharField(max_length=64, editable=False)
    is_digitised = models.BooleanField(
        _("đã số hóa"), default=False, help_text=_("Bản điện tử có giá trị sử dụng (chỉ tiêu số hóa, QĐ 766).")
    )
    reused_from = models.ForeignKey(
        "self",
        verbose_name=_("tái sử dụng từ"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    replaced_at = models.DateTimeField(_("bị thay thế lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("tệp hồ sơ")
        verbose_name_plural = _("tệp hồ sơ")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["application", "requirement"], name="application_document_req")]

    def __str__(self) -> str:
        return self.original_name or self.file.name


class ApplicationEvent(models.Model):
    """One entry of an application's timeline; public entries show on the lookup page without personal data."""

    class Kind(models.TextChoices):
        DRAFT_SAVED = "draft_saved", _("Lưu bản nháp")
        SUBMITTED = "submitted", _("Nộp hồ sơ")
        RECEIVED = "received", _("Tiếp nhận hồ sơ")
        REFUSED = "refused", _("Từ chối tiếp nhận")
        SUPPLEMENT_REQUESTED = "supplement_req", _("Yêu cầu bổ sung hồ sơ")
        SUPPLEMENTED = "supplemented", _("Người nộp bổ sung hồ sơ")
        TRANSFERRED = "transferred", _("Chuyển xử lý")
        STEP_STARTED = "step_started", _("Bắt đầu bước xử lý")
        STEP_DONE = "step_done", _("Hoàn thành bước xử lý")
        RETURNED_TO_STEP = "step_back", _("Trả lại bước trước")
        FEE_REQUESTED = "fee_requested", _("Yêu cầu nộp phí, lệ phí")
        PAID = "paid", _("Đã nộp phí, lệ phí")
        PAUSED = "paused", _("Tạm dừng tính thời hạn")
        RESUMED = "resumed", _("Tiếp tục tính thời hạn")
        APOLOGY = "apology", _("Xin lỗi và hẹn lại ngày trả kết quả")
        DONE = "done", _("Đã xử lý xong")
        RESULT_RETURNED = "result_returned", _("Trả kết quả")
        WITHDRAWN = "withdrawn", _("Rút hồ sơ")
        STOPPED = "stopped", _("Dừng xử lý")
        RATED = "rated", _("Người nộp đánh giá")
        NOTE = "note", _("Ghi chú nội bộ")
        DOCUMENT = "document", _("Thêm tệp")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agency = models.ForeignKey("core.Agency", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    from_status = models.PositiveSmallIntegerField(choices=Status.choices, null=True, blank=True)
    to_status = models.PositiveSmallIntegerField(choices=Status.choices, null=True, blank=True)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    is_public = models.BooleanField(default=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("diễn biến hồ sơ")
        verbose_name_plural = _("diễn biến hồ sơ")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["application", "at"], name="application_event_at")]

    def __str__(self) -> str:
        return f"{self.application_id} {self.get_kind_display()}"


from tinhso.eservices.models_processing import IndicatorRollup, Pause, Payment, StepRecord  # noqa: E402, F401


class CatalogueImport(models.Model):
    """One upload of the catalogue spreadsheet, processed in the background; its progress and row errors."""

    class State(models.TextChoices):
        PENDING = "pending", _("Đang chờ")
        RUNNING = "running", _("Đang nhập")
        DONE = "done", _("Hoàn tất")
        FAILED = "failed", _("Không nhập được")

    file = models.FileField(upload_to="eservices/imports/%Y/%m/", storage=private_storage, max_length=255)
    original_name = models.CharField(_("tên tệp"), max_length=255, blank=True)
    state = models.CharField(_("trạng thái"), max_length=8, choices=State.choices, default=State.PENDING)
    total_rows = models.PositiveIntegerField(_("số dòng"), default=0)
    processed_rows = models.PositiveIntegerField(_("đã xử lý"), default=0)
    created_count = models.PositiveIntegerField(_("thủ tục mới"), default=0)
    updated_count = models.PositiveIntegerField(_("thủ tục cập nhật"), default=0)
    errors = models.JSONField(_("lỗi từng dòng"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("tải lên lúc"), default=timezone.now)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("lần nhập danh mục")
        verbose_name_plural = _("lần nhập danh mục")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.original_name} · {self.get_state_display()}"

    @property
    def percent(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0
