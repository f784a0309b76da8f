"""What an administrator allows each OpenID Connect client, and what each citizen consented to share with it."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oauth2_provider.settings import oauth2_settings


def _default_scopes() -> str:
    return "openid profile"


class ClientPolicy(models.Model):
    """The rules for one registered client (django-oauth-toolkit's Application) beside its redirect URIs."""

    application = models.OneToOneField(
        oauth2_settings.APPLICATION_MODEL, on_delete=models.CASCADE, related_name="policy", verbose_name=_("ứng dụng")
    )
    allowed_scopes = models.CharField(
        _("phạm vi được phép"),
        max_length=255,
        default=_default_scopes,
        help_text=_("Cách nhau bởi dấu cách: openid profile phone email id_number."),
    )
    trusted = models.BooleanField(
        _("ứng dụng nội bộ của tỉnh"),
        default=False,
        help_text=_("Không hỏi người dùng đồng ý chia sẻ (chỉ cho ứng dụng do tỉnh vận hành)."),
    )
    may_read_id_number = models.BooleanField(
        _("được đọc đầy đủ số định danh"),
        default=False,
        help_text=_("Nếu không, số định danh được che một phần. Mỗi lần trả số đầy đủ đều được ghi nhật ký."),
    )
    agency = models.ForeignKey(
        "core.Agency", verbose_name=_("cơ quan chủ quản"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("chính sách ứng dụng kết nối")
        verbose_name_plural = _("chính sách ứng dụng kết nối")

    def __str__(self) -> str:
        return str(self.application)


class Consent(models.Model):
    """A citizen's agreement that a client may read the listed scopes; revoking it also revokes the tokens."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_consents")
    application = models.ForeignKey(oauth2_settings.APPLICATION_MODEL, on_delete=models.CASCADE, related_name="+")
    scopes = models.CharField(_("phạm vi"), max_length=255)
    granted_at = models.DateTimeField(_("đồng ý lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("sự đồng ý chia sẻ")
        verbose_name_plural = _("sự đồng ý chia sẻ")
        constraints = [models.UniqueConstraint(fields=["user", "application"], name="sso_consent_unique")]

    def __str__(self) -> str:
        return f"{self.user} → {self.application}"

    def covers(self, scopes) -> bool:
        return set(scopes) <= set(self.scopes.split())
