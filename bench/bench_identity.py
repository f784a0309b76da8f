"""Single sign-on under load: the OpenID Connect token endpoint, userinfo and the login page over HTTP.

A real gunicorn server (sync workers, loopback, the bench database; bench/bench_feedback.py's `serve`) and
8 concurrent clients, next to the foundation's bare view (one INSERT, bench/bench_urls.py) measured before and
after in the same run:

- token endpoint: the authorization-code grant with PKCE S256, one fresh code per request (codes are written
  beforehand as the authorization endpoint would, with the session's acr/amr/auth_time), for a confidential client
  (its secret checked against the stored hash: Argon2, the platform's first hasher) and a public client (PKCE only).
  Each response signs an RS256 id_token and writes an access token, a refresh token, an id_token row and an audit
  entry.
- userinfo: GET with the access tokens the token runs issued (profile and phone claims).
- the login page: GET /dang-nhap/ (allauth's form in the platform's template).
"""

import base64
import datetime as dt
import hashlib
import http.client
import json
import os
import secrets
import time
from urllib.parse import urlencode

from django.db import connection
from django.utils import timezone

from bench.bench_feedback import CLIENTS, bare_table, request, serve

N_REQUESTS = int(os.environ.get("BENCH_IDENTITY_REQUESTS", "800"))
WORKERS = int(os.environ.get("BENCH_IDENTITY_WORKERS", "4"))
MAX_SECONDS = float(os.environ.get("BENCH_IDENTITY_SECONDS", "30"))
REDIRECT = "http://127.0.0.1:9/callback"
CLIENT_SECRET = "bench-" + "s" * 40


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def clients():
    """Return (user, confidential application, public application), created on first run."""
    from oauth2_provider.models import get_application_model

    from tinhso.core.models import User
    from tinhso.identity.sso.models import ClientPolicy

    Application = get_application_model()
    user = User.objects.filter(phone="0377000001").first() or User.objects.create_user(
        "0377000001", None, full_name="Người dân đo tải SSO"
    )
    apps = []
    for name, kind in (("bench-sso-confidential", Application.CLIENT_CONFIDENTIAL), ("bench-sso-public", "public")):
        app = Application.objects.filter(name=name).first()
        if app is None:
            app = Application(
                name=name,
                client_type=kind,
                authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
                redirect_uris=REDIRECT,
                algorithm=Application.RS256_ALGORITHM,
                client_secret=CLIENT_SECRET if kind == Application.CLIENT_CONFIDENTIAL else "",
            )
            app.save()
            ClientPolicy.objects.create(application=app, allowed_scopes="openid profile phone", trusted=True)
        apps.append(app)
    return user, apps[0], apps[1]


def codes(user, application, n: int) -> list[tuple[str, str]]:
    """Write `n` authorization codes as the authorization endpoint does; return (code, verifier) pairs."""
    from oauth2_provider.models import Grant

    from tinhso.identity.sso.oidc import AUTH_KEY

    context = {"acr": "urn:vn-tn:eid:loa:1", "amr": ["pwd"], "auth_time": int(time.time())}
    pairs = [(secrets.token_urlsafe(30), secrets.token_urlsafe(48)) for _ in range(n)]
    Grant.objects.bulk_create(
        Grant(
            application=application,
            user=user,
            code=code,
            expires=timezone.now() + dt.timedelta(hours=1),
            redirect_uri=REDIRECT,
            scope="openid profile phone",
            code_challenge=_challenge(verifier),
            code_challenge_method="S256",
            nonce="bench",
            claims=json.dumps({AUTH_KEY: context}),
        )
        for code, verifier in pairs
    )
    return pairs


def run(h) -> None:
    user, confidential, public = clients()
    bare_table()
    secret = secrets.token_urlsafe(48)
    pairs = {
        "confidential": codes(user, confidential, N_REQUESTS + 10),
        "public": codes(user, public, N_REQUESTS + 10),
    }
    connection.close()  # SQLite: let the server's processes write without this one holding anything
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    statuses: dict[str, dict[int, int]] = {}
    access_tokens: list[str] = []

    def count(case, status):
        bucket = statuses.setdefault(case, {})
        bucket[status] = bucket.get(status, 0) + 1

    def token_call(case, application, with_secret):
        def operation(pair):
            code, verifier = pair
            data = {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": REDIRECT,
                "client_id": application.client_id,
                "code_verifier": verifier,
            }
            if with_secret:
                data["client_secret"] = CLIENT_SECRET
            try:
                status, body = request("POST", port, "/o/token/", urlencode(data).encode(), form)
            except (OSError, http.client.HTTPException):
                status, body = 0, b""
            count(case, status)
            if status == 200:
                access_tokens.append(json.loads(body)["access_token"])

        return operation

    def bare(case):
        def operation(i):
            try:
                status, _ = request("POST", port, "/bench/bare/", json.dumps({"text": f"sso {i}"}).encode())
            except (OSError, http.client.HTTPException):
                status = 0
            count(case, status)

        return operation

    def get(case, path, headers=None):
        def operation(item):
            try:
                status, _ = request("GET", port, path, headers=headers(item) if headers else None)
            except (OSError, http.client.HTTPException):
                status = 0
            count(case, status)

        return operation

    bare_case = "bare view: insert one row (HTTP, 8 clients)"
    with serve(workers=WORKERS, secret=secret) as (port, _process):
        for pair in pairs["confidential"][:10]:  # warm every worker (keys, templates, connections)
            token_call("warm-up", confidential, True)(pair)
        for pair in pairs["public"][:10]:
            token_call("warm-up", public, False)(pair)
        first = h.measure_concurrent(
            bare_case, bare(bare_case), range(N_REQUESTS), clients=CLIENTS, max_seconds=MAX_SECONDS
        )
        measured = [
            h.measure_concurrent(
                "token endpoint, confidential client (HTTP, 8 clients)",
                token_call("token confidential", confidential, True),
                pairs["confidential"][10:],
                clients=CLIENTS,
                max_seconds=MAX_SECONDS,
            ),
            h.measure_concurrent(
                "token endpoint, public client + PKCE (HTTP, 8 clients)",
                token_call("token public", public, False),
                pairs["public"][10:],
                clients=CLIENTS,
                max_seconds=MAX_SECONDS,
            ),
        ]
        tokens = list(access_tokens)
        measured.append(
            h.measure_concurrent(
                "userinfo, profile + phone (HTTP, 8 clients)",
                get("userinfo", "/o/userinfo/", lambda i: {"Authorization": f"Bearer {tokens[i % len(tokens)]}"}),
                range(N_REQUESTS),
                clients=CLIENTS,
                max_seconds=MAX_SECONDS,
            )
        )
        measured.append(
            h.measure_concurrent(
                "login page GET /dang-nhap/ (HTTP, 8 clients)",
                get("login page", "/dang-nhap/"),
                range(N_REQUESTS),
                clients=CLIENTS,
                max_seconds=MAX_SECONDS,
            )
        )
        h.measure("login page GET /dang-nhap/ (HTTP, 1 client)", get("login page 1", "/dang-nhap/"), range(200))
        again = h.measure_concurrent(
            f"{bare_case} again", bare(bare_case), range(N_REQUESTS), clients=CLIENTS, max_seconds=MAX_SECONDS
        )
    baseline = (first.per_second + again.per_second) / 2
    first.baseline_of = ", ".join(r.case for r in measured)
    for result in measured:
        share = result.per_second / baseline if baseline else 0
        result.note = f"{share:.0%} of the bare view (mean of its two runs, {baseline:,.0f}/s)"
        print(f"  {result.case}: {result.note}")
    print(f"  statuses: {statuses}")
