"""Identity data kept beside `core.User`: the proven assurance level, the encrypted ID number, VNeID link,
organisations (businesses) and their members, phone challenges, and personal-data deletion requests."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tinhso.core.privacy import mask_id_number
from tinhso.identity import crypto


class Level(models.IntegerChoices):
    """Assurance levels (Decree 69/2024/NĐ-CP mapping in docs/identity.md)."""

    SELF_REGISTERED = 0, _("0 · Tự đăng ký")
    VERIFIED = 1, _("1 · Đã xác minh")
    VNEID_2 = 2, _("2 · VNeID mức 2")


class LevelSource(models.TextChoices):
    SELF = "self", _("Tự đăng ký")
    VNEID = "vneid", _("VNeID")
    CLERK = "clerk", _("Cán bộ một cửa xác minh trực tiếp")
    ADMIN = "admin", _("Quản trị viên")


class Sex(models.TextChoices):
    MALE = "M", _("Nam")
    FEMALE = "F", _("Nữ")


class Profile(models.Model):
    """What has been proven about a person, and how; one row per user, created on first need."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="identity")
    assurance_level = models.PositiveSmallIntegerField(_("mức định danh"), choices=Level.choices, default=0)
    level_source = models.CharField(_("nguồn xác minh"), max_length=10, choices=LevelSource.choices, default="self")
    level_set_at = models.DateTimeField(_("thời điểm xác minh"), null=True, blank=True)
    level_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xác minh"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    sex = models.CharField(_("giới tính"), max_length=1, choices=Sex.choices, blank=True)
    # Encrypted at rest (crypto.py); the digest finds the account without decrypting, and keeps one account per ID.
    id_number_encrypted = models.TextField(blank=True, editable=False)
    id_number_digest = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    vneid_subject = models.CharField(_("mã VNeID (sub)"), max_length=255, null=True, blank=True, unique=True)
    vneid_linked_at = models.DateTimeField(_("liên kết VNeID lúc"), null=True, blank=True)
    requires_mfa = models.BooleanField(
        _("bắt buộc xác thực hai lớp"), default=False, help_text=_("Cán bộ, công chức do quản trị viên tạo.")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ định danh")
        verbose_name_plural = _("hồ sơ định danh")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_assurance_level_display()}"

    @property
    def id_number(self) -> str:
        """The clear ID number; reading it for someone else must be audited (audit.record_personal_data_access)."""
        return crypto.decrypt(self.id_number_encrypted)

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number) if self.id_number_encrypted else ""


class Organisation(models.Model):
    """A business or other organisation acting through its members' accounts."""

    name = models.CharField(_("tên tổ chức"), max_length=255)
    tax_code = models.CharField(_("mã số thuế"), max_length=13, unique=True)
    address = models.CharField(_("địa chỉ trụ sở"), max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="OrganisationMember", related_name="+")

    class Meta:
        verbose_name = _("tổ chức, doanh nghiệp")
        verbose_name_plural = _("tổ chức, doanh nghiệp")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.tax_code})"


class OrganisationMember(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Người đại diện")
        MEMBER = "member", _("Thành viên")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organisations")
    role = models.CharField(_("vai trò"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("thành viên tổ chức")
        verbose_name_plural = _("thành viên tổ chức")
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="identity_org_member_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation}"


class PhoneChallenge(models.Model):
    """A one-time code sent by SMS; only its hash is stored."""

    class Purpose(models.TextChoices):
        REGISTER = "register", _("Đăng ký")
        RESET = "reset", _("Đặt lại mật khẩu")

    phone = models.CharField(max_length=16, db_index=True)
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    code_hash = models.CharField(max_length=128)
    # False when the phone's state (already registered, unknown) means no code can succeed: same screen, no leak.
    usable = models.BooleanField(default=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mã xác minh điện thoại")
        verbose_name_plural = _("mã xác minh điện thoại")

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} · {self.created_at:%d/%m/%Y %H:%M}"


class DeletionRequest(models.Model):
    """A data subject's request to delete their personal data (Decree 13/2023/NĐ-CP Art. 9 and 16)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Đang xem xét")
        DONE = "done", _("Đã xóa")
        REFUSED = "refused", _("Từ chối (có căn cứ pháp luật)")
        WITHDRAWN = "withdrawn", _("Đã rút yêu cầu")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="deletion_requests"
    )
    user_label = models.CharField(max_length=160)
    reason = models.TextField(_("lý do"), blank=True)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("ngày yêu cầu"), default=timezone.now)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answer = models.TextField(_("trả lời"), blank=True)

    class Meta:
        verbose_name = _("yêu cầu xóa dữ liệu cá nhân")
        verbose_name_plural = _("yêu cầu xóa dữ liệu cá nhân")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user_label} · {self.created_at:%d/%m/%Y}"
