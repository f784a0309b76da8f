"""Every official must use a second factor, however the account was made (IDENTITY_REQUIRE_STAFF_MFA).

The test environment turns the rule off (core/testing_env.py: many browser tests sign staff in by password);
these tests turn it on with the `settings` fixture. The personas are made by `make_user`/`make_member`, as the
Django admin and `load_demo_accounts` make them: none has `Profile.requires_mfa`.
"""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse
from django.urls import reverse

from tinhso.core import permissions
from tinhso.core.api import issue_api_key
from tinhso.core.models import ApiClient, Role
from tinhso.core.testing import make_member, make_user
from tinhso.identity.middleware import SESSION_FLAG, RequireOfficialMfa

STAFF_PERSONAS = ["clerk", "leader", "operator", "admin_user", "staff_flag_only", "commune_official"]


@pytest.fixture
def staff_flag_only(db):
    """Someone given Django's staff flag in the admin, with no membership."""
    return make_user("Nhân Viên Quản Trị", is_staff=True)


@pytest.fixture
def commune_official(agency):
    return make_member(Role.COMMUNE_OFFICIAL, agency, "Đỗ Thị Phường")


@pytest.fixture
def rule_on(settings):
    settings.IDENTITY_REQUIRE_STAFF_MFA = True


def _activate_totp(user):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())


def _sent_to_setup(response) -> bool:
    return response.status_code == 302 and response["Location"] == f"{reverse('mfa_index')}?batbuoc=1"


@pytest.mark.parametrize("persona", STAFF_PERSONAS)
def test_an_official_without_a_second_factor_is_sent_to_the_setup_from_every_page(client, persona, request, rule_on):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    for url in ("/", reverse("identity:profile"), reverse("identity:connected_apps"), "/quan-tri/"):
        assert _sent_to_setup(client.get(url)), url
    assert _sent_to_setup(client.post(reverse("identity:details"), {}))
    assert SESSION_FLAG not in client.session


@pytest.mark.parametrize("persona", ["clerk", "admin_user"])
def test_the_setup_sign_out_and_static_pages_stay_open_to_an_official_without_a_second_factor(
    client, persona, request, rule_on
):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("mfa_index"), {"batbuoc": "1"}).status_code == 200
    # Adding a factor asks for the password again first (force_login is no fresh sign-in): that page is open too.
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_reauthenticate"))
    assert client.get(response["Location"]).status_code == 200
    assert client.get("/static/core/favicon.svg").status_code == 200
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and not response["Location"].startswith(reverse("mfa_index"))
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("persona", STAFF_PERSONAS)
def test_an_official_with_totp_opens_every_page(client, persona, request, rule_on):
    user = request.getfixturevalue(persona)
    _activate_totp(user)
    client.force_login(user)
    assert client.get(reverse("identity:profile")).status_code == 200
    assert client.get("/").status_code == 200
    assert client.session[SESSION_FLAG] is True


def test_a_passkey_counts_as_the_second_factor(client, clerk, rule_on):
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(user=clerk, type=Authenticator.Type.WEBAUTHN, data={"name": "Khóa của tôi"})
    client.force_login(clerk)
    assert client.get(reverse("identity:profile")).status_code == 200


def test_recovery_codes_alone_are_not_a_second_factor(client, clerk, rule_on):
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(user=clerk, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "x"})
    client.force_login(clerk)
    assert _sent_to_setup(client.get(reverse("identity:profile")))


def test_an_official_signing_in_by_password_is_sent_to_the_setup(client, clerk, rule_on):
    response = client.post(reverse("login"), {"login": clerk.phone, "password": "mat-khau-thu-nghiem-1"})
    assert client.session["_auth_user_id"] == str(clerk.pk)
    assert _sent_to_setup(client.get(response["Location"]))


def test_a_citizen_is_never_forced(client, citizen, rule_on):
    client.force_login(citizen)
    assert client.get(reverse("identity:profile")).status_code == 200
    assert client.get("/").status_code == 200


def test_a_membership_that_is_no_longer_active_does_not_make_an_official(client, clerk, rule_on):
    clerk.memberships.update(is_active=False)
    client.force_login(clerk)
    assert client.get(reverse("identity:profile")).status_code == 200


def test_with_the_rule_off_staff_made_outside_the_official_page_are_not_forced(client, clerk, admin_user, settings):
    settings.IDENTITY_REQUIRE_STAFF_MFA = False
    for user in (clerk, admin_user):
        client.force_login(user)
        assert client.get(reverse("identity:profile")).status_code == 200
        client.logout()


def test_with_the_rule_off_an_account_made_at_the_official_page_is_still_forced(client, admin_user, agency, settings):
    from tinhso.identity import actions

    settings.IDENTITY_REQUIRE_STAFF_MFA = False
    official = actions.create_official(
        admin=admin_user, phone="0911222444", full_name="Cán Bộ Mới", agency=agency, role="clerk"
    )
    client.force_login(official)
    assert _sent_to_setup(client.get(reverse("identity:profile")))


def test_api_key_requests_are_unaffected(client, clerk, rule_on):
    key = issue_api_key(ApiClient.objects.create(name="Ứng dụng tỉnh"))
    response = client.get(reverse("api-units"), HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert response.status_code == 200


def test_the_check_reuses_the_requests_roles_and_is_skipped_once_passed(rf, clerk, rule_on, django_assert_num_queries):
    _activate_totp(clerk)
    seen = {}

    def view(request):
        seen["roles"] = permissions.roles(request.user)
        return HttpResponse("ok")

    middleware = RequireOfficialMfa(view)
    request = rf.get("/")
    request.user, request.session = clerk, SessionStore()
    # The memberships and the authenticator; the view's role check then costs nothing.
    with django_assert_num_queries(2):
        assert middleware(request).status_code == 200
    assert seen["roles"] == {Role.CLERK} and request.session[SESSION_FLAG] is True

    again = rf.get("/")
    again.user, again.session = type(clerk).objects.get(pk=clerk.pk), request.session
    with django_assert_num_queries(0):
        assert RequireOfficialMfa(lambda r: HttpResponse("ok"))(again).status_code == 200
