"""Citizen reports and questions (phản ánh, kiến nghị), their routing, deadlines and timeline."""

from django.conf import settings
from django.db import models
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tinhso.core.privacy import mask_contacts
from tinhso.core.text import fold


class Level(models.TextChoices):
    """How fast a case must move; sets both clocks through DeadlinePolicy."""

    URGENT = "urgent", _("Khẩn")
    NORMAL = "normal", _("Bình thường")
    COMPLEX = "complex", _("Phức tạp")


class Category(models.Model):
    """A kind of report (lĩnh vực); its code is the Open311 service_code."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=160)
    group = models.CharField(_("nhóm lĩnh vực"), max_length=120, blank=True)
    description = models.TextField(_("mô tả"), blank=True)
    keywords = models.CharField(_("từ khóa"), max_length=255, blank=True)
    default_agency = models.ForeignKey(
        "core.Agency",
        verbose_name=_("cơ quan xử lý mặc định"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    default_level = models.CharField(_("mức độ mặc định"), max_length=8, choices=Level.choices, default=Level.NORMAL)
    is_public = models.BooleanField(
        _("công khai"), default=True, help_text=_("Phản ánh thuộc lĩnh vực này được đăng công khai sau khi trả lời.")
    )
    allows_anonymous = models.BooleanField(_("cho phép gửi ẩn danh"), default=True)
    attributes = models.JSONField(
        _("câu hỏi bổ sung"),
        default=list,
        blank=True,
        help_text=_("Danh sách thuộc tính Open311: code, datatype, required, description, order, values."),
    )
    is_active = models.BooleanField(_("đang dùng"), default=True)
    sort_order = models.PositiveIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class DeadlinePolicy(models.Model):
    """The two clocks of a case: accept/assign within N working hours, answer within M working days."""

    category = models.ForeignKey(
        Category,
        verbose_name=_("lĩnh vực"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Để trống: mặc định cho mọi lĩnh vực."),
    )
    level = models.CharField(_("mức độ"), max_length=8, choices=Level.choices)
    accept_hours = models.PositiveIntegerField(_("tiếp nhận, phân công trong (giờ làm việc)"))
    answer_days = models.PositiveIntegerField(_("trả lời trong (ngày làm việc)"), default=0)
    answer_hours = models.PositiveIntegerField(
        _("hoặc trả lời trong (giờ làm việc)"), default=0, help_text=_("Dùng cho mức khẩn; 0 nếu tính theo ngày.")
    )
    warn_before_hours = models.PositiveIntegerField(_("nhắc trước hạn (giờ làm việc)"), default=4)

    class Meta:
        verbose_name = _("thời hạn xử lý")
        verbose_name_plural = _("thời hạn xử lý")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "level"], name="deadline_policy_unique", condition=models.Q(category__isnull=False)
            ),
            models.UniqueConstraint(
                fields=["level"], name="deadline_policy_default_unique", condition=models.Q(category__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category or _('Mặc định')} · {self.get_level_display()}"


class RoutingRule(models.Model):
    """Category × commune → responsible agency; an empty commune means the whole province."""

    category = models.ForeignKey(Category, verbose_name=_("lĩnh vực"), on_delete=models.CASCADE, related_name="rules")
    unit = models.ForeignKey(
        "core.AdminUnit",
        verbose_name=_("xã, phường"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    agency = models.ForeignKey(
        "core.Agency", verbose_name=_("cơ quan xử lý"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("quy tắc chuyển xử lý")
        verbose_name_plural = _("quy tắc chuyển xử lý")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "unit"], name="routing_rule_unique", condition=models.Q(unit__isnull=False)
            ),
            models.UniqueConstraint(
                fields=["category"], name="routing_rule_default_unique", condition=models.Q(unit__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} · {self.unit or _('toàn tỉnh')} → {self.agency}"


#: Most shared cases listed by id in an inbox query (see ReportQuerySet.visible_to_agencies).
SHARED_LIMIT = 1000


class ReportQuerySet(models.QuerySet):
    def open(self) -> "ReportQuerySet":
        return self.filter(status__in=Report.OPEN_STATUSES)

    def public(self) -> "ReportQuerySet":
        return self.filter(is_public=True, duplicate_of__isnull=True, status__in=Report.PUBLISHED_STATUSES)

    def overdue(self, now=None) -> "ReportQuerySet":
        now = now or timezone.now()
        return (
            self.open()
            .filter(models.Q(answer_due_at__lt=now) | models.Q(accepted_at__isnull=True, accept_due_at__lt=now))
            .exclude(status=Report.Status.WAITING)
        )

    def visible_to_agencies(self, agency_ids: set[int] | None) -> "ReportQuerySet":
        """Return the cases owned by, or shared with, the given agencies (None: every case)."""
        if agency_ids is None:
            return self
        # The shared cases' ids are read first and passed as a list: PostgreSQL then combines the inbox index on
        # (agency, status, due) with the primary key (a BitmapOr). `OR id IN (subquery)` cannot use an index and
        # scans every case of the status (about 0,5 s at a million cases). A share is rare; past SHARED_LIMIT
        # shares the subquery is kept rather than sending an unbounded list.
        shared = ReportShare.objects.filter(agency_id__in=agency_ids).values_list("report_id", flat=True)
        ids = list(shared[: SHARED_LIMIT + 1])
        if not ids:
            return self.filter(agency_id__in=agency_ids)
        return self.filter(
            models.Q(agency_id__in=agency_ids) | models.Q(pk__in=ids if len(ids) <= SHARED_LIMIT else shared)
        )


class Report(models.Model):
    """One citizen report or question (phản ánh, kiến nghị), whatever channel it came by."""

    class Status(models.TextChoices):
        NEW = "new", _("Mới gửi")
        ACCEPTED = "accepted", _("Đã tiếp nhận")
        ASSIGNED = "assigned", _("Đã chuyển cơ quan xử lý")
        IN_PROGRESS = "in_progress", _("Đang xử lý")
        WAITING = "waiting", _("Chờ người dân bổ sung")
        ANSWERED = "answered", _("Đã trả lời")
        CLOSED = "closed", _("Đã đóng")
        REJECTED = "rejected", pgettext_lazy("case status", "Từ chối")

    class Channel(models.TextChoices):
        WEB = "web", _("Cổng thông tin")
        HOTLINE = "hotline", _("Tổng đài 1022")
        API = "api", _("Ứng dụng (Open311)")
        SMS = "sms", _("Tin nhắn SMS")
        ZALO = "zalo", _("Zalo OA")

    class RejectionReason(models.TextChoices):
        OUT_OF_SCOPE = "out_of_scope", _("Không thuộc phạm vi tiếp nhận")
        DUPLICATE = "duplicate", _("Trùng với phản ánh khác")
        NOT_ENOUGH_INFO = "not_enough_info", _("Không đủ thông tin để xử lý")

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("Hài lòng")
        UNSATISFIED = "unsatisfied", _("Không hài lòng")

    OPEN_STATUSES = (Status.NEW, Status.ACCEPTED, Status.ASSIGNED, Status.IN_PROGRESS, Status.WAITING)
    PUBLISHED_STATUSES = (Status.ANSWERED, Status.CLOSED)

    code = models.CharField(_("mã phản ánh"), max_length=20, unique=True)
    category = models.ForeignKey(Category, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT)
    level = models.CharField(_("mức độ"), max_length=8, choices=Level.choices, default=Level.NORMAL)
    status = models.CharField(_("trạng thái"), max_length=12, choices=Status.choices, default=Status.NEW, db_index=True)
    channel = models.CharField(_("kênh"), max_length=8, choices=Channel.choices, default=Channel.WEB)
    title = models.CharField(_("tiêu đề"), max_length=200, blank=True)
    description = models.TextField(_("nội dung"))
    public_description = models.TextField(
        _("nội dung công khai"),
        blank=True,
        help_text=_("Bản đã lược bỏ thông tin cá nhân để đăng công khai; để trống thì dùng nội dung gốc."),
    )
    attributes = models.JSONField(_("thông tin bổ sung"), default=dict, blank=True)
    lon = models.FloatField(_("kinh độ"), null=True, blank=True)
    lat = models.FloatField(_("vĩ độ"), null=True, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    unit = models.ForeignKey(
        "core.AdminUnit",
        verbose_name=_("xã, phường"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    agency = models.ForeignKey(
        "core.Agency",
        verbose_name=_("cơ quan xử lý"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người gửi"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    reporter_name = models.CharField(_("họ tên người gửi"), max_length=150, blank=True)
    reporter_phone = models.CharField(_("điện thoại người gửi"), max_length=16, blank=True, db_index=True)
    reporter_email = models.EmailField(_("thư điện tử người gửi"), blank=True)
    is_anonymous = models.BooleanField(_("ẩn danh"), default=False)
    api_client = models.ForeignKey("core.ApiClient", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("điện thoại viên"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_public = models.BooleanField(_("công khai"), default=True)
    idempotency_key = models.CharField(max_length=120, unique=True, null=True, blank=True)
    search_text = models.TextField(editable=False, blank=True)

    created_at = models.DateTimeField(_("thời điểm gửi"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), default=timezone.now)
    accept_due_at = models.DateTimeField(_("hạn tiếp nhận"), null=True, blank=True)
    answer_due_at = models.DateTimeField(_("hạn trả lời"), null=True, blank=True, db_index=True)
    accepted_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("phân công lúc"), null=True, blank=True)
    answered_at = models.DateTimeField(_("trả lời lúc"), null=True, blank=True)
    closed_at = models.DateTimeField(_("đóng lúc"), null=True, blank=True)
    paused_at = models.DateTimeField(_("tạm dừng từ"), null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    escalated_at = models.DateTimeField(null=True, blank=True, editable=False)

    public_answer = models.TextField(_("nội dung trả lời"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rejection_reason = models.CharField(_("lý do từ chối"), max_length=16, choices=RejectionReason.choices, blank=True)
    rejection_note = models.TextField(_("giải thích"), blank=True)
    duplicate_of = models.ForeignKey(
        "self", verbose_name=_("trùng với"), null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    rating = models.CharField(_("đánh giá"), max_length=12, choices=Rating.choices, blank=True)
    rating_reason = models.TextField(_("lý do không hài lòng"), blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("số lần mở lại"), default=0)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("phản ánh")
        verbose_name_plural = _("phản ánh")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["agency", "status", "answer_due_at"], name="report_inbox"),
            models.Index(fields=["category", "status", "created_at"], name="report_category"),
            models.Index(fields=["unit", "created_at"], name="report_unit"),
            models.Index(fields=["updated_at"], name="report_updated"),
            # The inbox's default page: an agency's open cases by deadline, read in index order (LIMIT 25) instead
            # of sorting every open case of the agency (14,000 at a million cases: 90 ms on PostgreSQL).
            models.Index(
                F("agency"),
                Coalesce("answer_due_at", "accept_due_at"),
                F("created_at"),
                F("id"),
                name="report_inbox_due",
                # Report.OPEN_STATUSES (not reachable from Meta); the inbox's filter must imply this condition.
                condition=models.Q(status__in=["new", "accepted", "assigned", "in_progress", "waiting"]),
            ),
            # The inbox's period filters and its newest/oldest orders within an agency.
            models.Index(fields=["agency", "created_at"], name="report_agency_created"),
            # The statistics' handling-time sample: the latest answered cases, read in index order.
            models.Index(
                fields=["answered_at", "id"], name="report_answered", condition=models.Q(answered_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs):
        self.search_text = fold(" ".join(filter(None, [self.code, self.title, self.description, self.address])))
        super().save(*args, **kwargs)

    @property
    def public_text(self) -> str:
        """Return the text shown to the public: the redacted version, else the citizen's, contacts masked."""
        return mask_contacts(self.public_description or self.description)

    def shared_agency_ids(self) -> list[int]:
        return list(self.shares.values_list("agency_id", flat=True))

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def is_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        if not self.is_open or self.status == self.Status.WAITING:
            return False
        if self.accepted_at is None and self.accept_due_at and self.accept_due_at < now:
            return True
        return bool(self.answer_due_at and self.answer_due_at < now)


class ReportShare(models.Model):
    """Another agency asked to coordinate on a case: its staff may see and act on it."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="shares")
    agency = models.ForeignKey("core.Agency", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "agency"], name="report_share_unique")]

    def __str__(self) -> str:
        return f"{self.report_id} ↔ {self.agency_id}"


class Event(models.Model):
    """One step of a case's timeline; public steps are shown on the tracking page."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("timeline event", "Gửi phản ánh")
        ACCEPTED = "accepted", pgettext_lazy("timeline event", "Tiếp nhận")
        ASSIGNED = "assigned", pgettext_lazy("timeline event", "Chuyển cơ quan xử lý")
        TRANSFERRED = "transferred", pgettext_lazy("timeline event", "Chuyển cơ quan khác")
        STARTED = "started", pgettext_lazy("timeline event", "Bắt đầu xử lý")
        NOTE = "note", pgettext_lazy("timeline event", "Ghi chú nội bộ")
        WAITING = "waiting", pgettext_lazy("timeline event", "Đề nghị người dân bổ sung")
        RESUMED = "resumed", pgettext_lazy("timeline event", "Tiếp tục xử lý")
        EXTENDED = "extended", pgettext_lazy("timeline event", "Gia hạn")
        ANSWERED = "answered", pgettext_lazy("timeline event", "Trả lời")
        CLOSED = "closed", pgettext_lazy("timeline event", "Đóng")
        REJECTED = "rejected", pgettext_lazy("timeline event", "Từ chối")
        REOPENED = "reopened", pgettext_lazy("timeline event", "Mở lại")
        RATED = "rated", pgettext_lazy("timeline event", "Người dân đánh giá")
        MERGED = "merged", pgettext_lazy("timeline event", "Gộp phản ánh trùng")
        SHARED = "shared", pgettext_lazy("timeline event", "Mời phối hợp")
        ESCALATED = "escalated", pgettext_lazy("timeline event", "Báo cáo quá hạn")
        ATTACHMENT = "attachment", pgettext_lazy("timeline event", "Đính kèm")
        COMMENT = "comment", pgettext_lazy("timeline event", "Ý kiến người dân qua ứng dụng")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_public = models.BooleanField(default=False)
    text = models.TextField(blank=True)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("diễn biến")
        verbose_name_plural = _("diễn biến")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["at"], name="event_at_public", condition=models.Q(is_public=True))]

    def __str__(self) -> str:
        return f"{self.report.code} {self.get_kind_display()}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    stamp = timezone.now()
    return f"feedback/{stamp:%Y/%m}/{instance.report.code}/{filename}"


class AttachmentQuerySet(models.QuerySet):
    def shown(self):
        """The files anyone may see: not hidden and reviewed by staff (see Attachment.published)."""
        return self.filter(is_public=True, published=True)


class Attachment(models.Model):
    """A photo, call recording or document attached to a case.

    A file is shown on public surfaces only when it is both public (not hidden by staff) and published: a
    citizen's photo waits for review until staff answer the case (or approve the photo earlier), so a face or a
    number plate is never public before a staff member has looked at it.
    """

    class Kind(models.TextChoices):
        PHOTO = "photo", _("Ảnh")
        RECORDING = "recording", _("Ghi âm cuộc gọi")
        DOCUMENT = "document", _("Tài liệu")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    file = models.FileField(upload_to=attachment_path, max_length=255)
    content_type = models.CharField(max_length=80)
    size = models.PositiveIntegerField()
    is_public = models.BooleanField(_("công khai"), default=True)
    published = models.BooleanField(_("đã duyệt công khai"), default=False)
    reviewed_at = models.DateTimeField(_("thời điểm duyệt"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.file.name

    @property
    def is_shown(self) -> bool:
        """Whether anyone may see the file (on a public case): not hidden and reviewed by staff."""
        return self.is_public and self.published

    @property
    def awaits_review(self) -> bool:
        return self.is_public and not self.published


class Follower(models.Model):
    """Someone told about each public step of a case (the reporter, or a citizen following a duplicate)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    phone = models.CharField(max_length=16, blank=True)
    email = models.EmailField(blank=True)
    # The Zalo user id of someone who wrote to the province's Official Account: replies go back through the OA.
    zalo_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["report", "user"], name="follower_user_unique", condition=models.Q(user__isnull=False)
            ),
            models.UniqueConstraint(
                fields=["report", "phone"], name="follower_phone_unique", condition=~models.Q(phone="")
            ),
            models.UniqueConstraint(
                fields=["report", "zalo_id"], name="follower_zalo_unique", condition=~models.Q(zalo_id="")
            ),
        ]

    def __str__(self) -> str:
        return str(self.user_id or self.phone or self.email or self.zalo_id)


class ResponseTemplate(models.Model):
    """A reusable answer text for an agency (or everyone) and optionally a category."""

    agency = models.ForeignKey(
        "core.Agency", verbose_name=_("cơ quan"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    category = models.ForeignKey(Category, verbose_name=_("lĩnh vực"), null=True, blank=True, on_delete=models.CASCADE)
    title = models.CharField(_("tên mẫu"), max_length=160)
    body = models.TextField(_("nội dung"))

    class Meta:
        verbose_name = _("mẫu trả lời")
        verbose_name_plural = _("mẫu trả lời")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Extension(models.Model):
    """A request to move a case's answer deadline, decided by a leader of the agency."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ duyệt")
        APPROVED = "approved", _("Đã duyệt")
        REFUSED = "refused", pgettext_lazy("extension status", "Không duyệt")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    new_due_at = models.DateTimeField(_("hạn mới"))
    reason = models.TextField(_("lý do"))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("gia hạn")
        verbose_name_plural = _("gia hạn")

    def __str__(self) -> str:
        return f"{self.report_id}: {self.new_due_at:%d/%m/%Y %H:%M}"


class InboundMessage(models.Model):
    """A message received by SMS or Zalo OA, kept as received; a new case is made from it at most once."""

    channel = models.CharField(max_length=8, choices=[("sms", "SMS"), ("zalo", "Zalo OA")])
    external_id = models.CharField(max_length=128)
    sender = models.CharField(max_length=64)
    text = models.TextField()
    received_at = models.DateTimeField(default=timezone.now)
    report = models.ForeignKey(Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("tin nhắn đến")
        verbose_name_plural = _("tin nhắn đến")
        constraints = [models.UniqueConstraint(fields=["channel", "external_id"], name="inbound_message_unique")]

    def __str__(self) -> str:
        return f"{self.channel}:{self.external_id}"
