import time

import pytest
from oauth2_provider.models import Grant

from tinhso.core.models import AuditEntry
from tinhso.identity import levels
from tinhso.identity.actions import set_assurance_level
from tinhso.identity.sso import actions
from tinhso.identity.sso.models import Consent
from tinhso.identity.sso.tests.conftest import REDIRECT, make_client
from tinhso.identity.sso.tests.flow import (
    SECRET,
    authorize_url,
    exchange,
    get_code,
    id_token_claims,
    pkce,
    redirect_params,
)

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.force_login(user)
    return client


def test_discovery_publishes_acr_values_pkce_s256_and_logout(client):
    data = client.get("/o/.well-known/openid-configuration").json()
    assert data["issuer"] == "http://testserver/o"
    assert data["acr_values_supported"] == [
        "urn:vn-tn:eid:loa:1",
        "urn:vn-tn:eid:loa:2",
        "urn:vn-tn:eid:loa:3",
        "urn:vn-tn:eid:official",
    ]
    assert data["code_challenge_methods_supported"] == ["S256"]
    assert data["response_types_supported"] == ["code"]
    assert data["end_session_endpoint"] == "http://testserver/o/logout/"
    assert {"acr", "amr", "auth_time", "name", "phone_number", "id_number"} <= set(data["claims_supported"])
    assert {"openid", "profile", "phone", "email", "id_number"} <= set(data["scopes_supported"])


def test_jwks_publishes_the_active_and_the_inactive_keys(client, settings):
    from tinhso.identity.sso.keys import generate_pem

    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_RSA_PRIVATE_KEYS_INACTIVE": [generate_pem()]}
    keys = client.get("/o/.well-known/jwks.json").json()["keys"]
    assert len(keys) == 2
    assert len({key["kid"] for key in keys}) == 2


def test_an_anonymous_user_is_sent_to_the_login_page(client, rp):
    response = client.get(authorize_url(rp, challenge=pkce()[1]))
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/?next=")


def test_prompt_none_answers_login_required_when_signed_out(client, rp):
    params = redirect_params(client.get(authorize_url(rp, challenge=pkce()[1], prompt="none")))
    assert params["error"] == "login_required"
    assert params["state"] == "s-456"


def test_prompt_none_answers_consent_required_before_consent(client, rp, citizen):
    params = redirect_params(signed_in(client, citizen).get(authorize_url(rp, challenge=pkce()[1], prompt="none")))
    assert params["error"] == "consent_required"
    assert params["iss"] == "http://testserver/o"


def test_prompt_none_issues_a_code_to_a_trusted_client(client, trusted_rp, citizen):
    code, _verifier = get_code(signed_in(client, citizen), trusted_rp, prompt="none")
    assert Grant.objects.filter(code=code).exists()


def test_the_consent_screen_is_in_vietnamese_and_remembered(client, rp, citizen):
    signed_in(client, citizen)
    challenge = pkce()[1]
    page = client.get(authorize_url(rp, challenge=challenge, scope="openid profile phone"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "muốn dùng tài khoản Tỉnh số của bạn" in text and "Số điện thoại" in text
    form = page.context["form"].initial
    response = client.post(page.request["PATH_INFO"], {**{k: v or "" for k, v in form.items()}, "allow": "1"})
    assert "code" in redirect_params(response)
    assert Consent.objects.get(user=citizen, application=rp).scopes == "openid phone profile"
    assert AuditEntry.objects.filter(action="sso.consent", actor=citizen).exists()
    # Next time: no screen, even silently.
    assert "code" in redirect_params(
        client.get(authorize_url(rp, challenge=challenge, scope="openid profile", prompt="none"))
    )


def test_refusing_consent_answers_access_denied_and_is_audited(client, rp, citizen):
    signed_in(client, citizen)
    page = client.get(authorize_url(rp, challenge=pkce()[1]))
    form = page.context["form"].initial
    response = client.post(page.request["PATH_INFO"], {k: v or "" for k, v in form.items()})
    assert redirect_params(response)["error"] == "access_denied"
    assert AuditEntry.objects.filter(action="sso.consent_refused", actor=citizen).exists()
    assert not Consent.objects.exists()


def test_a_revoked_consent_is_asked_again(client, rp, citizen):
    actions.record_consent(user=citizen, application=rp, scopes=["openid", "profile"])
    signed_in(client, citizen)
    assert "code" in redirect_params(client.get(authorize_url(rp, challenge=pkce()[1], prompt="none")))
    actions.revoke_consent(user=citizen, application=rp)
    assert redirect_params(client.get(authorize_url(rp, challenge=pkce()[1], prompt="none")))["error"] == (
        "consent_required"
    )


def test_a_revocation_from_the_connected_apps_page_voids_the_consent(client, rp, citizen):
    grants = pytest.importorskip("tinhso.identity.grants")
    actions.record_consent(user=citizen, application=rp, scopes=["openid", "profile"])
    grants.revoke_app(user=citizen, application_id=rp.pk)
    signed_in(client, citizen)
    params = redirect_params(client.get(authorize_url(rp, challenge=pkce()[1], prompt="none")))
    assert params["error"] == "consent_required"


def test_a_scope_the_administrator_did_not_allow_is_refused(client, citizen):
    application = make_client(scopes="openid profile")
    params = redirect_params(
        signed_in(client, citizen).get(authorize_url(application, challenge=pkce()[1], scope="openid id_number"))
    )
    assert params["error"] == "invalid_scope"


def test_an_unregistered_redirect_uri_gets_an_error_page_not_a_redirect(client, rp, citizen):
    url = authorize_url(rp, challenge=pkce()[1]).replace("8765%2Fcallback", "8765%2Fother")
    response = signed_in(client, citizen).get(url)
    assert response.status_code == 400


@pytest.mark.parametrize("method", [None, "plain"])
def test_pkce_s256_is_required(client, trusted_rp, citizen, method):
    url = authorize_url(trusted_rp, challenge="x" * 43, code_challenge_method=method)
    if method is None:
        url = authorize_url(trusted_rp, challenge=None, code_challenge_method=None)
    response = signed_in(client, citizen).get(url)
    assert redirect_params(response)["error"] == "invalid_request"
    assert not Grant.objects.exists()


def test_max_age_forces_a_new_sign_in_once(client, trusted_rp, citizen):
    signed_in(client, citizen)
    verifier, challenge = pkce()
    old = int(time.time()) - 600
    session = client.session
    session[levels.SESSION_KEY] = {"amr": ["pwd"], "auth_time": old}
    session.save()
    response = client.get(authorize_url(trusted_rp, challenge=challenge, max_age="60"))
    assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="sso.logout", actor=citizen).exists()
    # Signing in again (as the login page does) satisfies max_age, even max_age=0, without a loop.
    client.force_login(citizen)
    session = client.session
    session[levels.SESSION_KEY] = {"amr": ["pwd"], "auth_time": int(time.time())}
    session.save()
    code, _ = get_code(client, trusted_rp, verifier_challenge=(verifier, challenge), max_age="0")
    tokens = exchange(client, trusted_rp, code, verifier).json()
    assert id_token_claims(client, tokens["id_token"])["auth_time"] >= old + 600


def test_max_age_with_prompt_none_answers_login_required(client, trusted_rp, citizen):
    signed_in(client, citizen)
    session = client.session
    session[levels.SESSION_KEY] = {"amr": ["pwd"], "auth_time": int(time.time()) - 600}
    session.save()
    params = redirect_params(client.get(authorize_url(trusted_rp, challenge=pkce()[1], max_age="60", prompt="none")))
    assert params["error"] == "login_required"


def test_prompt_login_sends_a_signed_in_user_to_sign_in_again(client, trusted_rp, citizen):
    response = signed_in(client, citizen).get(authorize_url(trusted_rp, challenge=pkce()[1], prompt="login"))
    assert response["Location"].startswith("/dang-nhap/?next=")
    assert "_auth_user_id" not in client.session


def test_acr_values_above_the_session_level_trigger_step_up(client, trusted_rp, citizen):
    response = signed_in(client, citizen).get(
        authorize_url(trusted_rp, challenge=pkce()[1], acr_values="urn:vn-tn:eid:loa:3")
    )
    assert response.status_code == 302
    assert "can=2" in response["Location"] or response["Location"].startswith("/o/vneid/")
    params = redirect_params(
        client.get(authorize_url(trusted_rp, challenge=pkce()[1], acr_values="urn:vn-tn:eid:loa:3", prompt="none"))
    )
    assert params["error"] == "interaction_required"


def test_acr_values_met_by_the_session_issue_a_code_with_that_acr(client, trusted_rp, citizen):
    set_assurance_level(user=citizen, level=1, source="clerk")
    code, verifier = get_code(signed_in(client, citizen), trusted_rp, acr_values="urn:vn-tn:eid:loa:2")
    claims = id_token_claims(client, exchange(client, trusted_rp, code, verifier).json()["id_token"])
    assert claims["acr"] == "urn:vn-tn:eid:loa:2"


def test_the_id_token_carries_acr_amr_auth_time_and_nonce(client, trusted_rp, citizen):
    signed_in(client, citizen)
    session = client.session
    session[levels.SESSION_KEY] = {"amr": ["pwd", "otp", "mfa"], "auth_time": 1_780_000_000}
    session.save()
    code, verifier = get_code(client, trusted_rp, nonce="nonce-abc")
    response = exchange(client, trusted_rp, code, verifier)
    assert response.status_code == 200, response.content
    claims = id_token_claims(client, response.json()["id_token"])
    assert claims["acr"] == "urn:vn-tn:eid:loa:1"
    assert claims["amr"] == ["pwd", "otp", "mfa"]
    assert claims["auth_time"] == 1_780_000_000
    assert claims["nonce"] == "nonce-abc"
    assert claims["iss"] == "http://testserver/o"
    assert claims["aud"] == trusted_rp.client_id
    assert claims["sub"] == str(citizen.pk)
    assert AuditEntry.objects.filter(action="sso.authorize", actor=citizen).exists()
    assert AuditEntry.objects.filter(action="sso.token_issued", actor=citizen).exists()


def test_a_reused_code_is_refused_and_logged(client, trusted_rp, citizen):
    code, verifier = get_code(signed_in(client, citizen), trusted_rp)
    assert exchange(client, trusted_rp, code, verifier).status_code == 200
    again = exchange(client, trusted_rp, code, verifier)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"
    assert AuditEntry.objects.filter(action="sso.code_refused").exists()


def test_a_wrong_code_verifier_is_refused(client, trusted_rp, citizen):
    code, _verifier = get_code(signed_in(client, citizen), trusted_rp)
    assert exchange(client, trusted_rp, code, pkce()[0]).json()["error"] == "invalid_grant"


def _userinfo(client, application, user, scope):
    code, verifier = get_code(signed_in(client, user), application, scope=scope)
    token = exchange(client, application, code, verifier).json()["access_token"]
    return client.get("/o/userinfo/", headers={"Authorization": f"Bearer {token}"}).json()


def test_userinfo_answers_the_claims_of_the_granted_scopes_only(client, trusted_rp, citizen):
    data = _userinfo(client, trusted_rp, citizen, "openid profile")
    assert data["sub"] == str(citizen.pk)
    assert data["name"] == "Trần Thị Bình"
    assert "phone_number" not in data and "id_number" not in data
    data = _userinfo(client, trusted_rp, citizen, "openid phone")
    assert data["phone_number"] == "+84912345678"
    assert "name" not in data


def _with_id_number(user):
    import datetime as dt

    from tinhso.identity.actions import profile_of, set_personal_details

    profile_of(user)
    set_personal_details(user=user, birth_date=dt.date(1985, 11, 2), sex="F", id_number="019185004321")


def test_the_id_number_is_masked_unless_the_client_may_read_it(client, trusted_rp, citizen):
    _with_id_number(citizen)
    assert _userinfo(client, trusted_rp, citizen, "openid id_number")["id_number"] == "0191******21"
    assert not AuditEntry.objects.filter(action="personal_data.release").exists()
    allowed = make_client(
        "Cổng DVC",
        trusted=True,
        scopes="openid id_number",
        may_read_id_number=True,
        redirect="http://127.0.0.1:8766/cb",
    )
    assert _userinfo(client, allowed, citizen, "openid id_number")["id_number"] == "019185004321"
    entry = AuditEntry.objects.get(action="personal_data.release")
    assert entry.extra["client"] == allowed.client_id


def test_rp_initiated_logout_with_an_id_token_hint_ends_the_session(client, trusted_rp, citizen):
    code, verifier = get_code(signed_in(client, citizen), trusted_rp)
    id_token = exchange(client, trusted_rp, code, verifier).json()["id_token"]
    response = client.get(
        "/o/logout/",
        {"id_token_hint": id_token, "post_logout_redirect_uri": "http://127.0.0.1:8765/logged-out", "state": "z"},
    )
    assert response.status_code == 302
    assert response["Location"] == "http://127.0.0.1:8765/logged-out?state=z"
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="sso.logout", actor=citizen).exists()


def test_logout_without_a_hint_asks_first_in_vietnamese(client, citizen):
    response = signed_in(client, citizen).get("/o/logout/")
    assert response.status_code == 200
    assert "Bạn có muốn đăng xuất" in response.content.decode()
    assert "_auth_user_id" in client.session


def test_the_client_admin_refuses_a_citizen_and_serves_an_administrator(client, citizen, admin_user, rp):
    assert signed_in(client, citizen).get("/quan-tri/oauth2_provider/application/").status_code == 302
    client.force_login(admin_user)
    page = client.get(f"/quan-tri/oauth2_provider/application/{rp.pk}/change/")
    assert page.status_code == 200
    assert "phạm vi được phép" in page.content.decode().lower()
    assert REDIRECT in page.content.decode()


def test_a_wrong_client_secret_is_refused_even_after_the_right_one_verified(client, trusted_rp, citizen):
    code, verifier = get_code(signed_in(client, citizen), trusted_rp)
    assert exchange(client, trusted_rp, code, verifier).status_code == 200
    code, verifier = get_code(client, trusted_rp)
    response = client.post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "client_id": trusted_rp.client_id,
            "client_secret": "not-the-secret",
            "code_verifier": verifier,
        },
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def _refresh(client, application, refresh_token):
    return client.post(
        "/o/token/",
        {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": application.client_id,
            "client_secret": SECRET,
        },
    )


def test_a_refresh_token_rotates_and_a_reused_one_revokes_its_family(client, trusted_rp, citizen):
    code, verifier = get_code(signed_in(client, citizen), trusted_rp)
    first = exchange(client, trusted_rp, code, verifier).json()
    second = _refresh(client, trusted_rp, first["refresh_token"])
    assert second.status_code == 200
    rotated = second.json()
    assert rotated["refresh_token"] != first["refresh_token"]
    assert id_token_claims(client, rotated["id_token"])["acr"] == "urn:vn-tn:eid:loa:1"
    assert _refresh(client, trusted_rp, first["refresh_token"]).json()["error"] == "invalid_grant"
    # The replay revoked the whole family, the legitimate newest token included.
    assert _refresh(client, trusted_rp, rotated["refresh_token"]).json()["error"] == "invalid_grant"


def test_an_official_signed_in_with_a_second_factor_gets_the_official_acr(client, trusted_rp, clerk):
    from allauth.mfa.models import Authenticator

    from tinhso.identity.models import Profile

    Profile.objects.update_or_create(user=clerk, defaults={"requires_mfa": True})
    Authenticator.objects.create(user=clerk, type=Authenticator.Type.TOTP, data={"secret": "x"})
    signed_in(client, clerk)
    session = client.session
    session[levels.SESSION_KEY] = {"amr": ["pwd", "otp", "mfa"], "auth_time": int(time.time())}
    session.save()
    code, verifier = get_code(client, trusted_rp)
    claims = id_token_claims(client, exchange(client, trusted_rp, code, verifier).json()["id_token"])
    assert claims["acr"] == "urn:vn-tn:eid:official"
