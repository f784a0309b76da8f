"""Interoperability with two independent relying-party libraries against a live server on 127.0.0.1: Authlib
(Python) and openid-client (npm). Each does the protocol work itself: discovery, code + PKCE, id_token checks
(signature, iss, aud, nonce), userinfo, a reused code, RP-initiated logout (reference brief section 8)."""

import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.conf import settings
from django.test import Client
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from tinhso.core.testing import make_user, skip_or_fail
from tinhso.identity.sso.tests.conftest import make_client
from tinhso.identity.sso.tests.flow import SECRET

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # The live server answers these clients from several threads at once, and on SQLite's in-memory test
    # database they all share one connection. `make test` runs them on PostgreSQL, where each thread has its own.
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
        reason="interoperability runs against PostgreSQL: the live server shares one SQLite connection",
    ),
]

# Django's test server now and then closes a connection without answering ("Remote end closed connection without
# response"), on PostgreSQL too, on GETs and POSTs alike. The clients retry such a dropped request at the transport
# level, as a real relying party's HTTP client would; a token request the server had in fact processed would then
# be refused as a reused code and fail the test, so a retry never hides a wrong answer.
RETRY_DROPPED = HTTPAdapter(max_retries=Retry(total=2, connect=2, read=2, status=0, allowed_methods=None))


def http_session(session=None):
    """Return `session` (or a new one) that retries dropped requests and keeps no connection past the test."""
    session = session or requests.Session()
    session.mount("http://", RETRY_DROPPED)
    session.headers["Connection"] = "close"
    return session


REDIRECT = "http://127.0.0.1:8765/callback"
LOGGED_OUT = "http://127.0.0.1:8765/logged-out"
NODE_SCRIPT = Path(__file__).with_name("interop_rp.mjs")
REPO = Path(__file__).resolve().parents[5]


@pytest.fixture
def live(live_server, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    base = live_server.url.replace("localhost", "127.0.0.1")
    citizen = make_user("Trần Thị Bình", phone="0912345678")
    application = make_client("Ứng dụng thử nghiệm", trusted=True, redirect=REDIRECT, post_logout=LOGGED_OUT)
    browser = Client()
    browser.force_login(citizen)
    cookie = f"sessionid={browser.cookies['sessionid'].value}"
    return base, citizen, application, cookie


def _signed_out(base, application, cookie) -> bool:
    """Ask silently for a code with the old cookie: a logged-out session answers login_required."""
    from tinhso.identity.sso.tests.flow import authorize_url, pkce

    answer = http_session().get(
        base + authorize_url(application, challenge=pkce()[1], prompt="none"),
        headers={"Cookie": cookie},
        allow_redirects=False,
        timeout=10,
    )
    return parse_qs(urlsplit(answer.headers["Location"]).query).get("error") == ["login_required"]


def test_authlib_signs_in_validates_the_id_token_and_logs_out(live):
    from authlib.integrations.base_client.errors import OAuthError
    from authlib.integrations.requests_client import OAuth2Session
    from joserfc import jwt  # Authlib's own JOSE library, replacing the deprecated authlib.jose
    from joserfc.jwk import KeySet

    base, citizen, application, cookie = live
    meta = http_session().get(f"{base}/o/.well-known/openid-configuration", timeout=10).json()
    assert meta["issuer"] == f"{base}/o"
    session = OAuth2Session(
        application.client_id,
        SECRET,
        scope="openid profile phone",
        redirect_uri=REDIRECT,
        code_challenge_method="S256",
    )
    # No kept-alive connection may outlive the test: the live server's thread would serve it in the next one.
    http_session(session)
    verifier = "v" * 20 + "interop-authlib-code-verifier-0123456789"
    # Authlib keeps the state and checks it again in fetch_token().
    url, _state = session.create_authorization_url(
        meta["authorization_endpoint"], nonce="nonce-authlib", code_verifier=verifier
    )
    answer = http_session().get(url, headers={"Cookie": cookie}, allow_redirects=False, timeout=10)
    callback = answer.headers["Location"]
    assert callback.startswith(REDIRECT)
    assert parse_qs(urlsplit(callback).query)["iss"] == [meta["issuer"]]  # RFC 9207
    token = session.fetch_token(meta["token_endpoint"], authorization_response=callback, code_verifier=verifier)

    keys = KeySet.import_key_set(http_session().get(meta["jwks_uri"], timeout=10).json())
    claims = jwt.decode(token["id_token"], keys, algorithms=["RS256"]).claims
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": meta["issuer"]},
        aud={"essential": True, "value": application.client_id},
        nonce={"essential": True, "value": "nonce-authlib"},
        exp={"essential": True},
        iat={"essential": True},
    ).validate(claims)
    assert claims["sub"] == str(citizen.pk)
    assert claims["acr"] == "urn:vn-tn:eid:loa:1"
    assert claims["amr"] and claims["auth_time"]

    info = session.get(meta["userinfo_endpoint"]).json()
    assert info == {
        "sub": str(citizen.pk),
        "name": "Trần Thị Bình",
        "locale": "vi",
        "phone_number": "+84912345678",
        "phone_number_verified": True,
        "assurance_level": 0,
    }

    with pytest.raises(OAuthError) as refused:
        session.fetch_token(meta["token_endpoint"], authorization_response=callback, code_verifier=verifier)
    assert refused.value.error == "invalid_grant"

    logout = http_session().get(
        meta["end_session_endpoint"],
        params={"id_token_hint": token["id_token"], "post_logout_redirect_uri": LOGGED_OUT, "state": "bye"},
        headers={"Cookie": cookie},
        allow_redirects=False,
        timeout=10,
    )
    assert logout.status_code == 302 and logout.headers["Location"] == f"{LOGGED_OUT}?state=bye"
    assert _signed_out(base, application, cookie)


def test_openid_client_signs_in_validates_the_id_token_and_logs_out(live):
    node = shutil.which("node")
    if node is None or not (REPO / "node_modules" / "openid-client").is_dir():
        skip_or_fail("!!! openid-client interop skipped: node or node_modules/openid-client is missing (npm ci).")
    base, citizen, application, cookie = live
    result = subprocess.run(
        [node, str(NODE_SCRIPT), f"{base}/o", application.client_id, SECRET, REDIRECT, LOGGED_OUT, cookie],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["issuer"] == f"{base}/o"
    assert report["claims"]["sub"] == str(citizen.pk)
    assert report["claims"]["acr"] == "urn:vn-tn:eid:loa:1"
    assert report["userinfo"]["phone_number"] == "+84912345678"
    assert report["reused"] == "invalid_grant"
    assert report["logout"] == {"status": 302, "location": f"{LOGGED_OUT}?state=tam-biet"}
    assert _signed_out(base, application, cookie)
