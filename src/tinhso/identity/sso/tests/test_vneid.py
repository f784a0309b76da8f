import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import RequestFactory

from tinhso.core.models import AuditEntry
from tinhso.identity import levels
from tinhso.identity.sso import mock_vneid
from tinhso.identity.sso.tests.flow import authorize_url, exchange, get_code, id_token_claims, pkce
from tinhso.identity.sso.upstream import MockProvider, OidcProvider, UpstreamError, pkce_challenge

pytestmark = pytest.mark.django_db


def _query(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def through_mock_vneid(client, *, person="binh", level=2, next_url="/tai-khoan/"):
    """Run the VNeID sign-in in the mock as a browser would; return the callback's response."""
    start = client.get("/o/vneid/", {"next": next_url})
    assert start.status_code == 302
    assert start["Location"].startswith("http://testserver/o/vneid-gia-lap/?")
    params = _query(start["Location"])
    page = client.get("/o/vneid-gia-lap/", params)
    assert page.status_code == 200
    assert "VNeID giả lập" in page.content.decode()
    chosen = client.post("/o/vneid-gia-lap/", {**params, "person": person, "level": level})
    assert chosen.status_code == 302
    return client.get(urlsplit(chosen["Location"]).path, _query(chosen["Location"]))


def test_vneid_level_2_links_the_signed_in_account_and_raises_its_level(client, citizen):
    client.force_login(citizen)
    done = through_mock_vneid(client)
    assert done.status_code == 302 and done["Location"] == "/tai-khoan/"
    citizen.refresh_from_db()
    assert citizen.identity.assurance_level == 2
    assert citizen.identity.vneid_subject == "vneid-gia-lap-binh"
    assert citizen.identity.id_number == "019185004321"
    assert "fed" in client.session[levels.SESSION_KEY]["amr"]
    assert AuditEntry.objects.filter(action="identity.vneid_link", actor=citizen).exists()


def test_a_linked_vneid_signs_the_citizen_in(client, citizen):
    client.force_login(citizen)
    through_mock_vneid(client, level=1)
    client.logout()
    through_mock_vneid(client, level=1)
    assert client.session["_auth_user_id"] == str(citizen.pk)
    assert AuditEntry.objects.filter(action="auth.login", actor=citizen, extra__amr=["fed"]).exists()


def test_an_unlinked_vneid_never_creates_or_picks_an_account(client, citizen):
    response = through_mock_vneid(client, person="an")
    assert response.status_code == 200
    assert "chưa liên kết" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_callback_with_another_state_is_refused(client, citizen):
    client.force_login(citizen)
    client.get("/o/vneid/")
    response = client.get("/o/vneid/ve/", {"state": "forged", "code": "x"})
    assert response.status_code == 400


def test_cancelling_at_vneid_changes_nothing(client, citizen):
    client.force_login(citizen)
    params = _query(client.get("/o/vneid/", {"next": "/tai-khoan/"})["Location"])
    cancelled = client.post("/o/vneid-gia-lap/", {**params, "cancel": "1"})
    back = client.get(urlsplit(cancelled["Location"]).path, _query(cancelled["Location"]))
    assert back["Location"] == "/tai-khoan/"
    assert levels.user_level(citizen) == 0


def test_the_mock_refuses_another_redirect_uri(client):
    response = client.get(
        "/o/vneid-gia-lap/", {"client_id": mock_vneid.CLIENT_ID, "redirect_uri": "https://attacker.example/cb"}
    )
    assert response.status_code == 400


def test_the_mock_is_off_unless_enabled(client, settings, citizen):
    settings.VNEID_MOCK = False
    client.force_login(citizen)
    assert client.get("/o/vneid/").status_code == 404
    assert client.get("/o/vneid-gia-lap/.well-known/openid-configuration").status_code == 404
    assert client.post("/o/vneid-gia-lap/token", {}).status_code == 404


def test_the_mock_speaks_openid_connect_over_http(client):
    meta = client.get("/o/vneid-gia-lap/.well-known/openid-configuration").json()
    assert meta["issuer"] == "http://testserver/o/vneid-gia-lap"
    assert client.get("/o/vneid-gia-lap/jwks").json()["keys"][0]["kty"] == "RSA"
    assert client.post("/o/vneid-gia-lap/token", {"code": "forged"}).status_code == 400


def _mock_token(nonce="n1", level=2):
    request = RequestFactory().get("/")
    verifier = "v" * 50
    callback = request.build_absolute_uri("/o/vneid/ve/")
    from django.core import signing

    code = signing.dumps(
        {
            "p": "an",
            "l": level,
            "client_id": mock_vneid.CLIENT_ID,
            "redirect_uri": callback,
            "state": "s",
            "nonce": nonce,
            "code_challenge": pkce_challenge(verifier),
        },
        salt=mock_vneid.CODE_SALT,
    )
    status, body = mock_vneid.exchange(
        request, {"code": code, "client_id": mock_vneid.CLIENT_ID, "redirect_uri": callback, "code_verifier": verifier}
    )
    assert status == 200
    return request, body["id_token"]


def test_the_client_checks_the_id_token_nonce_audience_issuer_and_signature():
    provider = MockProvider()
    request, token = _mock_token(nonce="right")
    meta = provider.metadata(request)
    claims = provider.verify_id_token(request, token, meta=meta, nonce="right")
    assert provider.identity(claims).level == 2
    with pytest.raises(UpstreamError, match="nonce"):
        provider.verify_id_token(request, token, meta=meta, nonce="wrong")
    with pytest.raises(UpstreamError, match="issuer"):
        provider.verify_id_token(request, token, meta={**meta, "issuer": "https://other"}, nonce="right")
    other = MockProvider()
    other.client_id = "someone-else"
    with pytest.raises(UpstreamError, match="another client"):
        other.verify_id_token(request, token, meta=meta, nonce="right")
    header, payload, signature = token.split(".")
    with pytest.raises(UpstreamError, match="signature"):
        provider.verify_id_token(request, f"{header}.{payload}.{signature[::-1]}", meta=meta, nonce="right")


def test_the_claim_mapping_comes_from_settings():
    provider = OidcProvider(
        discovery_url="https://vneid.example/.well-known/openid-configuration",
        client_id="c",
        client_secret="s",
        scopes="openid",
        claims={"name": "ho_ten", "birth_date": "ngay_sinh", "id_number": "so_dinh_danh", "level": "muc"},
    )
    identity = provider.identity(
        {"sub": "x", "ho_ten": "Lê Văn Cường", "ngay_sinh": "20/01/2003", "so_dinh_danh": "006203007788", "muc": "2"}
    )
    assert (identity.full_name, identity.birth_date.isoformat(), identity.id_number, identity.level) == (
        "Lê Văn Cường",
        "2003-01-20",
        "006203007788",
        2,
    )
    assert json.dumps(identity.claims)


def test_step_up_through_vneid_returns_to_the_client_with_the_higher_acr(client, citizen, trusted_rp):
    client.force_login(citizen)
    verifier, challenge = pkce()
    url = authorize_url(trusted_rp, challenge=challenge, acr_values="urn:vn-tn:eid:loa:3")
    first = client.get(url)
    assert first.status_code == 302
    next_url = _query(first["Location"])["next"]
    assert next_url == url
    back = through_mock_vneid(client, next_url=next_url)
    assert back["Location"] == url
    code, _ = get_code(client, trusted_rp, verifier_challenge=(verifier, challenge), acr_values="urn:vn-tn:eid:loa:3")
    claims = id_token_claims(client, exchange(client, trusted_rp, code, verifier).json()["id_token"])
    assert claims["acr"] == "urn:vn-tn:eid:loa:3"
    assert "fed" in claims["amr"]
