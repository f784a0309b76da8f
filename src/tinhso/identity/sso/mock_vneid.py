"""A mock VNeID for the demo and the tests: an OpenID Connect provider where the tester picks a test person and the
account level (1 or 2). Served under /o/vneid-gia-lap/ only when settings.VNEID_MOCK is on (default: debug only).

Codes and access tokens are signed (django.core.signing) rather than stored, so it works across processes; it is
not a security boundary and must never run in production.
"""

from __future__ import annotations

import json
import time
import uuid
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core import signing
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from jwcrypto import jwk, jwt

from tinhso.identity.sso.keys import dev_key
from tinhso.identity.sso.upstream import pkce_challenge

CLIENT_ID = "tinhso-gia-lap"
CODE_SALT = "tinhso.sso.mock_vneid.code"
TOKEN_SALT = "tinhso.sso.mock_vneid.token"  # noqa: S105 - a signing namespace, not a secret

#: Fictional people; their ID numbers follow the structure rules (province of birth registration, century and sex,
#: year) so the account side accepts them.
PEOPLE = {
    "an": {"name": "Nguyễn Văn An", "birthdate": "1990-05-14", "id_number": "019090001234", "gender": "male"},
    "binh": {"name": "Trần Thị Bình", "birthdate": "1985-11-02", "id_number": "019185004321", "gender": "female"},
    "cuong": {"name": "Hoàng Văn Cường", "birthdate": "2003-01-20", "id_number": "006203007788", "gender": "male"},
}


def _enabled() -> None:
    if not settings.VNEID_MOCK:
        raise Http404


def issuer(request) -> str:
    return request.build_absolute_uri(reverse("sso:mock_vneid_authorize")).rstrip("/")


def metadata(request) -> dict:
    base = issuer(request)
    return {
        "issuer": base,
        "authorization_endpoint": base + "/",
        "token_endpoint": base + "/token",
        "userinfo_endpoint": base + "/userinfo",
        "jwks_uri": base + "/jwks",
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["openid", "profile"],
        "claims_supported": ["sub", "name", "birthdate", "gender", "id_number", "level"],
    }


def _key() -> jwk.JWK:
    pem = dev_key(settings.DATA_DIR / "vneid-gia-lap")
    return jwk.JWK.from_pem(pem.encode())


def jwks_document() -> dict:
    key = _key()
    public = json.loads(key.export_public())
    return {"keys": [{**public, "alg": "RS256", "use": "sig", "kid": key.thumbprint()}]}


def claims_for(person: str, level: int) -> dict:
    data = PEOPLE[person]
    return {"sub": f"vneid-gia-lap-{person}", **data, "level": level}


class ChooseForm(forms.Form):
    person = forms.ChoiceField(
        label=_("Người thử nghiệm"),
        choices=[(k, f"{v['name']} · {v['birthdate']}") for k, v in PEOPLE.items()],
        widget=forms.RadioSelect,
    )
    level = forms.TypedChoiceField(
        label=_("Mức tài khoản VNeID"),
        choices=[(1, _("Mức 1 (đăng ký trên ứng dụng)")), (2, _("Mức 2 (cấp tại công an)"))],
        coerce=int,
        initial=2,
        widget=forms.RadioSelect,
    )


@require_http_methods(["GET", "POST"])
def authorize(request):
    """The sign-in page: choose who you are and at which level; the code goes back to the platform's callback."""
    _enabled()
    params = request.POST if request.method == "POST" else request.GET
    redirect_uri = params.get("redirect_uri", "")
    # Only the platform's own callback: the mock must not become an open redirector.
    callback = request.build_absolute_uri(reverse("sso:vneid_callback"))
    if params.get("client_id") != CLIENT_ID or redirect_uri != callback:
        return render(request, "sso/mock_vneid.html", {"invalid": True}, status=400)
    keep = {k: params.get(k, "") for k in ("client_id", "redirect_uri", "state", "nonce", "code_challenge")}
    form = ChooseForm(request.POST or None)
    if request.method == "POST" and "cancel" in request.POST:
        return HttpResponseRedirect(f"{redirect_uri}?{urlencode({'error': 'access_denied', 'state': keep['state']})}")
    if request.method == "POST" and form.is_valid():
        code = signing.dumps(
            {"p": form.cleaned_data["person"], "l": form.cleaned_data["level"], **keep}, salt=CODE_SALT
        )
        return HttpResponseRedirect(f"{redirect_uri}?{urlencode({'code': code, 'state': keep['state']})}")
    return render(request, "sso/mock_vneid.html", {"form": form, "keep": keep})


def exchange(request, data) -> tuple[int, dict]:
    """The token endpoint's work: check the code, PKCE and redirect URI; return (status, JSON body)."""
    try:
        code = signing.loads(data.get("code", ""), salt=CODE_SALT, max_age=120)
    except signing.BadSignature:
        return 400, {"error": "invalid_grant"}
    if (
        data.get("client_id") != code["client_id"]
        or data.get("redirect_uri") != code["redirect_uri"]
        or pkce_challenge(data.get("code_verifier", "")) != code["code_challenge"]
    ):
        return 400, {"error": "invalid_grant"}
    now = int(time.time())
    claims = claims_for(code["p"], code["l"])
    key = _key()
    token = jwt.JWT(
        header={"alg": "RS256", "kid": key.thumbprint(), "typ": "JWT"},
        claims={
            **claims,
            "iss": issuer(request),
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "auth_time": now,
            "nonce": code["nonce"],
            "jti": str(uuid.uuid4()),
            "amr": ["face"] if code["l"] == 1 else ["face", "fpt"],
        },
    )
    token.make_signed_token(key)
    access = signing.dumps({"p": code["p"], "l": code["l"]}, salt=TOKEN_SALT)
    return 200, {"access_token": access, "token_type": "Bearer", "expires_in": 300, "id_token": token.serialize()}


@csrf_exempt  # a back-channel call from the client, authenticated by the code and PKCE, never by a cookie
@require_http_methods(["POST"])
def token(request):
    _enabled()
    status, body = exchange(request, request.POST)
    return JsonResponse(body, status=status)


def discovery(request):
    _enabled()
    return JsonResponse(metadata(request))


def jwks(request):
    _enabled()
    return JsonResponse(jwks_document())


@csrf_exempt
@require_http_methods(["GET", "POST"])
def userinfo(request):
    _enabled()
    header = request.headers.get("Authorization", "")
    try:
        data = signing.loads(header.removeprefix("Bearer ").strip(), salt=TOKEN_SALT, max_age=300)
    except signing.BadSignature:
        return JsonResponse({"error": "invalid_token"}, status=401)
    return JsonResponse(claims_for(data["p"], data["l"]))
