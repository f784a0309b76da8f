"""VNeID as the upstream identity provider: a small interface, the OpenID Connect implementation, and the mock.

The Ministry's protocol details arrive with the connection agreement (Decree 69/2024/NĐ-CP Art. 18); everything
specific to it is configuration: the discovery URL, the client, and which claim holds each attribute
(settings.VNEID_CLAIMS). The mock (mock_vneid.py) speaks the same OpenID Connect, so the real client code checks its
id_tokens too; only the transport differs (in-process, so the demo needs no second server).

allauth's `openid_connect` social provider was not used: it would create accounts from VNeID and log in by itself,
while here VNeID only raises the level of an account the citizen proved with their phone, through
`tinhso.identity.actions.link_vneid`, and records the session's `amr`.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.core.cache import cache
from jwcrypto import jwk, jwt
from jwcrypto.common import JWException


class UpstreamError(Exception):
    """The upstream provider refused, failed or answered something that does not verify."""


@dataclass(frozen=True)
class UpstreamIdentity:
    subject: str
    full_name: str
    birth_date: dt.date | None
    id_number: str
    level: int
    claims: dict = field(default_factory=dict, repr=False)


class UpstreamIdentityProvider(Protocol):
    name: str

    def authorization_url(self, request, *, redirect_uri: str, state: str, nonce: str, code_challenge: str) -> str:
        """Return where to send the browser to sign in."""

    def complete(self, request, *, code: str, redirect_uri: str, code_verifier: str, nonce: str) -> UpstreamIdentity:
        """Exchange the code and return the verified identity, or raise UpstreamError."""


def pkce_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _parse_date(value) -> dt.date | None:
    if not value:
        return None
    text = str(value)
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%Y%m%d"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


class OidcProvider:
    """A confidential OpenID Connect client: code flow with PKCE S256, nonce, id_token checked against the JWKS."""

    name = "vneid"
    timeout = 10

    def __init__(self, *, discovery_url: str, client_id: str, client_secret: str, scopes: str, claims: dict):
        self.discovery_url = discovery_url
        self.client_id = client_id
        self.client_secret = client_secret
        self.scopes = scopes
        self.claims = claims

    # Transport: HTTP here, in-process for the mock.
    def _get_json(self, request, url: str) -> dict:
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as response:  # noqa: S310 - https only (settings)
                return json.loads(response.read())
        except (OSError, ValueError) as error:
            raise UpstreamError(f"GET {url}: {error}") from error

    def _post_form(self, request, url: str, data: dict) -> dict:
        body = urllib.parse.urlencode(data).encode()
        call = urllib.request.Request(url, data=body, headers={"Accept": "application/json"}, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(call, timeout=self.timeout) as response:  # noqa: S310
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            raise UpstreamError(f"POST {url}: HTTP {error.code}") from error
        except (OSError, ValueError) as error:
            raise UpstreamError(f"POST {url}: {error}") from error

    def metadata(self, request) -> dict:
        key = f"sso:upstream-metadata:{self.discovery_url}"
        data = cache.get(key)
        if data is None:
            data = self._get_json(request, self.discovery_url)
            for name in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"):
                if not data.get(name):
                    raise UpstreamError(f"discovery document without {name}")
            cache.set(key, data, 3600)
        return data

    def authorization_url(self, request, *, redirect_uri, state, nonce, code_challenge) -> str:
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": redirect_uri,
            "scope": self.scopes,
            "state": state,
            "nonce": nonce,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        }
        endpoint = self.metadata(request)["authorization_endpoint"]
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{urllib.parse.urlencode(query)}"

    def complete(self, request, *, code, redirect_uri, code_verifier, nonce) -> UpstreamIdentity:
        meta = self.metadata(request)
        tokens = self._post_form(
            request,
            meta["token_endpoint"],
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "code_verifier": code_verifier,
            },
        )
        if "id_token" not in tokens:
            raise UpstreamError(f"token response without id_token: {tokens.get('error', '')}")
        claims = self.verify_id_token(request, tokens["id_token"], meta=meta, nonce=nonce)
        return self.identity(claims)

    def verify_id_token(self, request, token: str, *, meta: dict, nonce: str) -> dict:
        keys = jwk.JWKSet.from_json(json.dumps(self._get_json(request, meta["jwks_uri"])))
        try:
            checked = jwt.JWT(jwt=token, key=keys, algs=["RS256", "ES256", "PS256"], expected_type="JWS")
            claims = json.loads(checked.claims)
        except (JWException, ValueError) as error:
            raise UpstreamError(f"id_token signature: {error}") from error
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        now = time.time()
        if claims.get("iss") != meta["issuer"]:
            raise UpstreamError("id_token from another issuer")
        if self.client_id not in audiences:
            raise UpstreamError("id_token for another client")
        if float(claims.get("exp", 0)) < now - 60:
            raise UpstreamError("id_token expired")
        if claims.get("nonce") != nonce:
            raise UpstreamError("id_token nonce does not match")
        return claims

    def identity(self, claims: dict) -> UpstreamIdentity:
        def claim(name: str):
            return claims.get(self.claims.get(name, name))

        try:
            level = int(claim("level") or 1)
        except (TypeError, ValueError):
            level = 1
        return UpstreamIdentity(
            subject=str(claims.get("sub") or ""),
            full_name=str(claim("name") or ""),
            birth_date=_parse_date(claim("birth_date")),
            id_number=str(claim("id_number") or ""),
            level=max(1, min(2, level)),  # VNeID accounts are level 1 or 2 (Decree 69/2024 Art. 12)
            claims=claims,
        )


#: The claim names the mock emits, whatever the real VNeID's mapping is.
MOCK_CLAIMS = {"name": "name", "birth_date": "birthdate", "id_number": "id_number", "level": "level"}


class MockProvider(OidcProvider):
    """The mock VNeID of mock_vneid.py, reached in-process."""

    name = "vneid-mock"

    def __init__(self):
        super().__init__(
            discovery_url="mock",
            client_id="tinhso-gia-lap",
            client_secret="",
            scopes="openid profile",
            claims=MOCK_CLAIMS,
        )

    def metadata(self, request) -> dict:
        from tinhso.identity.sso import mock_vneid

        return mock_vneid.metadata(request)

    def _get_json(self, request, url):
        from tinhso.identity.sso import mock_vneid

        return mock_vneid.jwks_document()

    def _post_form(self, request, url, data):
        from tinhso.identity.sso import mock_vneid

        status, body = mock_vneid.exchange(request, data)
        if status != 200:
            raise UpstreamError(f"mock token endpoint: {body.get('error')}")
        return body


def get_provider() -> UpstreamIdentityProvider | None:
    """Return the configured VNeID: the real one when its discovery URL is set, else the mock when enabled."""
    if settings.VNEID_DISCOVERY_URL:
        return OidcProvider(
            discovery_url=settings.VNEID_DISCOVERY_URL,
            client_id=settings.VNEID_CLIENT_ID,
            client_secret=settings.VNEID_CLIENT_SECRET,
            scopes=settings.VNEID_SCOPES,
            claims=settings.VNEID_CLAIMS,
        )
    if settings.VNEID_MOCK:
        return MockProvider()
    return None
