"""django-allauth adapters: Vietnamese messages, phone numbers as the login, and the audit trail of sign-ins."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.adapter import DefaultMFAAdapter
from django.utils.translation import gettext_lazy as _

from tinhso.core import audit
from tinhso.core.phone import mask_phone
from tinhso.identity import levels

#: allauth authenticator types → RFC 8176 `amr` values.
_MFA_AMR = {"totp": "otp", "webauthn": "hwk", "recovery_codes": "mfa"}

# One message for every wrong phone number or password, whether the account exists or not (ASVS 6.3.8).
WRONG_CREDENTIALS = _("Số điện thoại hoặc mật khẩu không đúng.")


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "account_inactive": _("Tài khoản này đang bị khóa."),
        "username_password_mismatch": WRONG_CREDENTIALS,
        "phone_password_mismatch": WRONG_CREDENTIALS,
        "invalid_login": WRONG_CREDENTIALS,
        "too_many_login_attempts": _("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau ít phút."),
        "incorrect_password": _("Mật khẩu không đúng."),
        "enter_current_password": _("Vui lòng nhập mật khẩu hiện tại."),
        "incorrect_code": _("Mã không đúng."),
    }

    def is_open_for_signup(self, request) -> bool:
        # Citizens register with a phone code (identity:register), officials are created by administrators.
        return False

    def login(self, request, user) -> None:
        # Read before login(): switching from another signed-in user flushes the session.
        records = get_authentication_records(request, user)
        super().login(request, user)
        methods = ["pwd"] if any(r.get("method") == "password" for r in records) else []
        for record in records:
            if record.get("method") == "mfa":
                methods += [_MFA_AMR.get(record.get("type"), "mfa"), "mfa"]
        for method in dict.fromkeys(methods or ["pwd"]):
            levels.record_authentication(request, method)
        audit.record(actor=user, action="auth.login", obj=user, object_repr=str(user), extra={"amr": methods})

    def logout(self, request) -> None:
        user = request.user
        if user.is_authenticated:
            audit.record(actor=user, action="auth.logout", obj=user, object_repr=str(user))
        super().logout(request)

    def pre_authenticate(self, request, **credentials) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except Exception:
            _audit_failure(credentials, reason="throttled")
            raise

    def authentication_failed(self, request, **credentials) -> None:
        _audit_failure(credentials, reason="credentials")


def _audit_failure(credentials: dict, *, reason: str) -> None:
    login = str(credentials.get("username") or credentials.get("phone") or "")
    audit.record(
        action="auth.login_failed",
        object_type="core.user",
        object_repr=mask_phone(login)[:255],
        extra={"reason": reason},
    )


class MfaAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": _("Mã không đúng."),
        "cannot_delete_authenticator": _("Tài khoản cán bộ không được tắt xác thực hai lớp."),
        "unverified_email": _("Hãy xác minh thư điện tử trước khi bật xác thực hai lớp."),
        "add_email_blocked": _("Không thể thêm thư điện tử khi đang bật xác thực hai lớp."),
        "cannot_generate_recovery_codes": _("Cần bật xác thực hai lớp trước khi tạo mã khôi phục."),
    }

    def get_totp_label(self, user) -> str:
        return user.phone

    def can_delete_authenticator(self, authenticator) -> bool:
        """Officials must keep a second factor: they may replace one, never remove the last."""
        from allauth.mfa.models import Authenticator

        from tinhso.identity.middleware import must_use_second_factor

        if not must_use_second_factor(authenticator.user):
            return True
        others = Authenticator.objects.filter(
            user_id=authenticator.user_id, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
        ).exclude(pk=authenticator.pk)
        return others.exists()
