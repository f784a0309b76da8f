"""Officials (accounts an administrator created) may open nothing but the second-factor set-up until they have one."""

from django.shortcuts import redirect
from django.urls import reverse

from tinhso.identity.models import Profile

SESSION_FLAG = "identity_mfa_ok"


def _has_second_factor(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()


class RequireOfficialMfa:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.session.get(SESSION_FLAG):
            if Profile.objects.filter(user=user, requires_mfa=True).exists() and not _has_second_factor(user):
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
