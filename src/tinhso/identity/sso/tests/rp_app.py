"""A tiny second application that signs its users in through the platform's OpenID Connect provider, as a
provincial app would: Authlib on the server side, its own memory for pending sign-ins, no access to the
provider's database or session. Served beside the platform by the live server in the browser test."""

import html

import requests
from authlib.integrations.requests_client import OAuth2Session
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.urls import path
from joserfc import jwt
from joserfc.jwk import KeySet

from tinhso.urls import urlpatterns as platform_urlpatterns

CONFIG: dict = {}  # client_id, client_secret, acr_values; set by the test
PENDING: dict[str, dict] = {}


def _base(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _session(request) -> OAuth2Session:
    session = OAuth2Session(
        CONFIG["client_id"],
        CONFIG["client_secret"],
        scope="openid profile",
        redirect_uri=_base(request) + "/ung-dung-thu/ve/",
        code_challenge_method="S256",
    )
    session.headers["Connection"] = "close"  # no kept-alive connection into the live server after the test
    return session


def _metadata(request) -> dict:
    return requests.get(_base(request) + "/o/.well-known/openid-configuration", timeout=10).json()


def start(request):
    session = _session(request)
    verifier = "rp-" + "x" * 60
    url, state = session.create_authorization_url(
        _metadata(request)["authorization_endpoint"],
        nonce="rp-nonce-" + str(len(PENDING)),
        code_verifier=verifier,
        acr_values=CONFIG.get("acr_values", ""),
    )
    PENDING[state] = {"verifier": verifier, "nonce": "rp-nonce-" + str(len(PENDING))}
    return HttpResponseRedirect(url)


def callback(request):
    flow = PENDING.pop(request.GET.get("state", ""), None)
    if flow is None or "code" not in request.GET:
        return HttpResponseBadRequest("sign-in refused: " + html.escape(request.GET.get("error", "")))
    meta = _metadata(request)
    session = _session(request)
    token = session.fetch_token(
        meta["token_endpoint"], code=request.GET["code"], code_verifier=flow["verifier"], state=request.GET["state"]
    )
    keys = KeySet.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())
    claims = jwt.decode(token["id_token"], keys, algorithms=["RS256"]).claims
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": meta["issuer"]},
        aud={"essential": True, "value": CONFIG["client_id"]},
        nonce={"essential": True, "value": flow["nonce"]},
    ).validate(claims)
    info = session.get(meta["userinfo_endpoint"]).json()
    body = (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8"><link rel="icon" href="data:,">'
        "<title>Ứng dụng thử nghiệm</title></head><body>"
        f'<h1 id="rp-welcome">Xin chào {html.escape(info.get("name", ""))}</h1>'
        f'<p id="rp-acr">{html.escape(claims["acr"])}</p><p id="rp-amr">{html.escape(" ".join(claims["amr"]))}</p>'
        "</body></html>"
    )
    return HttpResponse(body)


urlpatterns = [
    path("ung-dung-thu/", start),
    path("ung-dung-thu/ve/", callback),
    *platform_urlpatterns,
]
