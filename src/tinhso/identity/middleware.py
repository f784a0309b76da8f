"""Officials may open nothing but the second-factor set-up until they have one.

An official is anyone who holds a staff role (`tinhso.core.permissions.STAFF_ROLES`, a superuser counts as an
administrator) or Django's `is_staff` flag, however the account was made (the official-creation page, the Django
admin, `tinhso load_demo_accounts`, a shell), when `IDENTITY_REQUIRE_STAFF_MFA` is on (the default outside
DEBUG), plus every account whose profile says `requires_mfa` (set by `identity.actions.create_official`), always.

Cost: the roles come from `permissions.roles`, whose membership list is cached on the user object for the request,
so views and the context processor reuse it; once a session has passed the check a session flag skips it (no
query at all) until the session ends (sign-out, or the next sign-in of another account).
"""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from tinhso.core import permissions
from tinhso.identity.models import Profile

SESSION_FLAG = "identity_mfa_ok"


def _has_second_factor(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()


def is_official(user) -> bool:
    """Return whether the person acts for the province: a staff role anywhere, or the staff/superuser flag."""
    return bool(user.is_staff or user.is_superuser or permissions.is_staff_member(user))


def must_use_second_factor(user) -> bool:
    """Return whether the signed-in person must have a second factor (TOTP or WebAuthn) to use the site."""
    if getattr(settings, "IDENTITY_REQUIRE_STAFF_MFA", True) and is_official(user):
        return True
    return Profile.objects.filter(user=user, requires_mfa=True).exists()


class RequireOfficialMfa:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.session.get(SESSION_FLAG):
            if must_use_second_factor(user) and not _has_second_factor(user):
                if not self._allowed(request.path):
                    return redirect(f"{reverse('mfa_index')}?batbuoc=1")
            else:
                request.session[SESSION_FLAG] = True
        return self.get_response(request)

    @staticmethod
    def _allowed(path: str) -> bool:
        prefixes = [
            reverse("mfa_index"),
            reverse("logout"),
            reverse("account_reauthenticate"),
            reverse("account_change_password"),
            reverse("account_set_password"),
            "/static/",
            "/i18n/",
        ]
        return any(path.startswith(prefix) for prefix in prefixes)
