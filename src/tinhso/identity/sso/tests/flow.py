"""Helpers driving the provider through Django's test client, as a relying party would."""

import base64
import hashlib
import json
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

from jwcrypto import jwk, jwt

SECRET = "bi-mat-cua-ung-dung-thu-nghiem"


def pkce():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize_url(application, *, challenge, scope="openid profile", nonce="n-123", state="s-456", **extra):
    query = {
        "response_type": "code",
        "client_id": application.client_id,
        "redirect_uri": application.redirect_uris.split()[0],
        "scope": scope,
        "state": state,
        "nonce": nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **extra,
    }
    return "/o/authorize/?" + urlencode({k: v for k, v in query.items() if v is not None})


def redirect_params(response) -> dict:
    assert response.status_code == 302, response.content[:500]
    return {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}


def get_code(client, application, verifier_challenge=None, **extra):
    verifier, challenge = verifier_challenge or pkce()
    response = client.get(authorize_url(application, challenge=challenge, **extra))
    params = redirect_params(response)
    assert "code" in params, params
    return params["code"], verifier


def exchange(client, application, code, verifier):
    return client.post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": application.redirect_uris.split()[0],
            "client_id": application.client_id,
            "client_secret": SECRET,
            "code_verifier": verifier,
        },
    )


def id_token_claims(client, token: str) -> dict:
    keys = jwk.JWKSet.from_json(json.dumps(client.get("/o/.well-known/jwks.json").json()))
    return json.loads(jwt.JWT(jwt=token, key=keys).claims)
