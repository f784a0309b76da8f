"""The OpenID Connect provider's rules: scopes each client may ask, claims per scope, `acr`/`amr`/`auth_time`.

django-oauth-toolkit calls `Validator` (settings.OAUTH2_PROVIDER["OAUTH2_VALIDATOR_CLASS"]) and `ClientScopes`.
The session's sign-in facts (level, methods, time) are taken when the code is issued and stored on the grant, since
the token endpoint runs without the user's session.
"""

from __future__ import annotations

import hashlib
import json

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import Grant
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import BaseScopes

from tinhso.core import audit
from tinhso.core.privacy import mask_id_number
from tinhso.identity import levels

#: Assurance level (tinhso.identity.levels) → `acr` value (docs/sso.md; reference brief section 4).
ACR_BY_LEVEL = {
    levels.LEVEL_SELF_REGISTERED: "urn:vn-tn:eid:loa:1",
    levels.LEVEL_VERIFIED: "urn:vn-tn:eid:loa:2",
    levels.LEVEL_VNEID_2: "urn:vn-tn:eid:loa:3",
}
LEVEL_BY_ACR = {acr: level for level, acr in ACR_BY_LEVEL.items()}
#: Officials created by administrators who signed in with a second factor in this session.
ACR_OFFICIAL = "urn:vn-tn:eid:official"
ACR_VALUES = [*ACR_BY_LEVEL.values(), ACR_OFFICIAL]

SCOPES = {
    "openid": _("Đăng nhập bằng tài khoản Tỉnh số"),
    "profile": _("Họ tên, ngày sinh, giới tính"),
    "phone": _("Số điện thoại"),
    "email": _("Thư điện tử"),
    "id_number": _("Số định danh cá nhân"),
}
DEFAULT_CLIENT_SCOPES = "openid profile"
AUTH_KEY = "_tinhso_auth"  # inside the grant's stored `claims`


def requested_level(acr_values: str | None) -> int | None:
    """Return the lowest level among the requested `acr_values` this provider knows, or None."""
    wanted = [LEVEL_BY_ACR[value] for value in (acr_values or "").split() if value in LEVEL_BY_ACR]
    return min(wanted) if wanted else None


def is_official(user) -> bool:
    profile = getattr(user, "identity", None)
    return bool(profile is not None and profile.requires_mfa)


def session_context(request) -> dict:
    """Return this session's sign-in facts to store on a grant: acr, amr, auth_time."""
    user = request.user
    amr = levels.session_amr(request) or ["pwd"]
    auth_time = levels.session_auth_time(request)
    if auth_time is None and user.last_login:
        auth_time = int(user.last_login.timestamp())
    acr = ACR_BY_LEVEL[levels.session_level(request)]
    try:
        official = is_official(user)
    except Exception:  # no profile yet: a citizen
        official = False
    if official and "mfa" in amr:
        acr = ACR_OFFICIAL
    return {"acr": acr, "amr": amr, "auth_time": auth_time or int(timezone.now().timestamp())}


def client_policy(application):
    from tinhso.identity.sso.models import ClientPolicy

    if application is None:
        return None
    try:
        return application.policy
    except ClientPolicy.DoesNotExist:
        return None


class ClientScopes(BaseScopes):
    """Every scope for discovery; for one client only those an administrator allowed it."""

    def get_all_scopes(self):
        return {name: str(label) for name, label in SCOPES.items()}

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        if application is None:
            return list(SCOPES)
        policy = client_policy(application)
        allowed = (policy.allowed_scopes if policy else DEFAULT_CLIENT_SCOPES).split()
        return [scope for scope in allowed if scope in SCOPES]

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return ["openid"]


def _profile(user):
    try:
        return user.identity
    except Exception:
        return None


def _birthdate(request):
    profile = _profile(request.user)
    return profile.birth_date.isoformat() if profile and profile.birth_date else None


def _gender(request):
    profile = _profile(request.user)
    return {"M": "male", "F": "female"}.get(profile.sex if profile else "")


def _phone(request):
    phone = request.user.phone or ""
    return "+84" + phone[1:] if phone.startswith("0") else phone


def _email_verified(request):
    from allauth.account.models import EmailAddress

    email = request.user.email
    return bool(email) and EmailAddress.objects.filter(user=request.user, email__iexact=email, verified=True).exists()


def _id_number(request):
    """The ID number, in clear only for clients an administrator allowed to read it; each clear release is audited."""
    profile = _profile(request.user)
    if profile is None or not profile.id_number_encrypted or getattr(request, "tinhso_in_id_token", False):
        return None
    policy = client_policy(getattr(request, "client", None))
    if policy is None or not policy.may_read_id_number:
        return mask_id_number(profile.id_number)
    audit.record(
        actor=request.user,
        action="personal_data.release",
        obj=request.user,
        object_repr=str(request.user),
        extra={"fields": ["id_number"], "client": request.client.client_id, "purpose": "oidc"},
    )
    return profile.id_number


def _level(request):
    profile = _profile(request.user)
    return int(profile.assurance_level) if profile else levels.LEVEL_SELF_REGISTERED


#: (stored hash, SHA-256 of the presented secret) pairs that verified, per process. Client secrets are long random
#: strings hashed with the platform's password hasher (Argon2: ~0.5 s and 100 MB each); checking it on every token
#: request capped the token endpoint near one request a second on two cores. A rotated secret has a new hash.
_VERIFIED_SECRETS: dict[tuple[str, str], bool] = {}
_VERIFIED_MAX = 512


class Validator(OAuth2Validator):
    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "id_number": "id_number",
        "assurance_level": "openid",
    }

    def _check_secret(self, provided_secret, stored_secret):
        key = (stored_secret, hashlib.sha256((provided_secret or "").encode()).hexdigest())
        if key in _VERIFIED_SECRETS:
            return True
        valid = super()._check_secret(provided_secret, stored_secret)
        if valid:
            if len(_VERIFIED_SECRETS) >= _VERIFIED_MAX:
                _VERIFIED_SECRETS.clear()
            _VERIFIED_SECRETS[key] = True
        return valid

    def get_additional_claims(self):
        # The request-agnostic form, so discovery lists the claims (reference brief section 6).
        return {
            "name": lambda r: r.user.full_name or None,
            "birthdate": _birthdate,
            "gender": _gender,
            "locale": lambda r: "vi",
            "phone_number": _phone,
            "phone_number_verified": lambda r: True,
            "email": lambda r: r.user.email or None,
            "email_verified": _email_verified,
            "id_number": _id_number,
            "assurance_level": _level,
        }

    def get_oidc_claims(self, token, token_handler, request):
        claims = super().get_oidc_claims(token, token_handler, request)
        return {name: value for name, value in claims.items() if value is not None}

    def get_discovery_claims(self, request):
        return [*super().get_discovery_claims(request), "acr", "amr", "auth_time", "iss", "aud", "exp", "iat", "nonce"]

    # --- Silent authentication (prompt=none): the view decides, see views.AuthorizeView -------------------------

    def validate_silent_login(self, request) -> bool:
        # Only signed-in users reach validation (AuthorizeView sends the others `login_required`).
        return True

    def validate_silent_authorization(self, request) -> bool:
        # Consent is checked by AuthorizeView, which answers `consent_required` when it is missing.
        return True

    # --- acr, amr, auth_time ---------------------------------------------------------------------------------

    def _create_authorization_code(self, request, code, expires=None):
        grant = super()._create_authorization_code(request, code, expires)
        context = getattr(request, "tinhso_auth", None)
        if context:
            stored = json.loads(grant.claims or "{}")
            stored[AUTH_KEY] = context
            grant.claims = json.dumps(stored)
            grant.save(update_fields=["claims"])
        return grant

    def get_id_token_dictionary(self, token, token_handler, request):
        # The ID number goes only to userinfo: id_tokens travel through browsers and logs.
        request.tinhso_in_id_token = True
        try:
            claims, expiration = super().get_id_token_dictionary(token, token_handler, request)
        finally:
            request.tinhso_in_id_token = False
        stored = getattr(request, "claims", None)
        context = stored.get(AUTH_KEY) if isinstance(stored, dict) else None
        if context:
            claims.update(acr=context["acr"], amr=context["amr"], auth_time=int(context["auth_time"]))
        else:  # a refresh: no session, the account's proven level
            claims["acr"] = ACR_BY_LEVEL[levels.user_level(request.user)]
        return claims, expiration

    # --- Audit ----------------------------------------------------------------------------------------------

    def _save_bearer_token(self, token, request, *args, **kwargs):
        with transaction.atomic():
            result = super()._save_bearer_token(token, request, *args, **kwargs)
            if request.user is not None and getattr(request.user, "is_authenticated", False):
                audit.record(
                    actor=request.user,
                    action="sso.token_issued",
                    obj=request.client,
                    object_repr=str(request.client.name)[:255],
                    extra={"grant_type": request.grant_type, "scope": token.get("scope", "")},
                )
        return result

    def revoke_token(self, token, token_type_hint, request, *args, **kwargs):
        with transaction.atomic():
            super().revoke_token(token, token_type_hint, request, *args, **kwargs)
            audit.record(
                action="sso.token_revoked",
                obj=request.client,
                object_repr=str(request.client.name)[:255],
                extra={"hint": token_type_hint or ""},
            )

    def validate_code(self, client_id, code, client, request, *args, **kwargs):
        valid = super().validate_code(client_id, code, client, request, *args, **kwargs)
        if not valid and not Grant.objects.filter(code=code).exists():
            # A second use of a code (or a forged one): OAuth 2.1 says revoke what the first use issued; DOT
            # deletes the grant on use, so the reuse is only logged here.
            audit.record(action="sso.code_refused", obj=client, object_repr=str(client.name)[:255])
        return valid
