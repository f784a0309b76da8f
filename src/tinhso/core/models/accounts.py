from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tinhso.core.phone import normalize_phone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, phone: str, password: str | None = None, **fields):
        user = self.model(phone=normalize_phone(phone), **fields)
        if fields.get("email"):
            user.email = self.normalize_email(fields["email"])
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, phone: str, password: str | None = None, **fields):
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(phone, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person: citizen or official. Phone first; e-mail optional."""

    phone = models.CharField(_("số điện thoại"), max_length=16, unique=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    is_staff = models.BooleanField(
        _("vào trang quản trị"), default=False, help_text=_("Được đăng nhập trang quản trị Django.")
    )
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    date_joined = models.DateTimeField(_("ngày tạo"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "phone"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.full_name or self.phone

    def clean(self):
        super().clean()
        self.phone = normalize_phone(self.phone)
        self.email = type(self).objects.normalize_email(self.email)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.rsplit(" ", 1)[-1] if self.full_name else self.phone


class Role(models.TextChoices):
    """What a member may do inside an agency. A user with no membership is a citizen."""

    CITIZEN = "citizen", _("Công dân")
    OPERATOR = "operator", _("Điện thoại viên 1022")
    CLERK = "clerk", _("Chuyên viên")
    LEADER = "leader", _("Lãnh đạo cơ quan")
    COMMUNE_OFFICIAL = "commune_official", _("Cán bộ cấp xã")
    PROVINCE_LEADER = "province_leader", _("Lãnh đạo tỉnh")
    ADMIN = "admin", _("Quản trị hệ thống")


class Membership(models.Model):
    """A user's role inside one agency."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    title = models.CharField(_("chức danh"), max_length=120, blank=True)
    is_active = models.BooleanField(_("còn hiệu lực"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("phân công")
        verbose_name_plural = _("phân công")
        constraints = [
            models.UniqueConstraint(fields=["user", "agency", "role"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.agency}"
