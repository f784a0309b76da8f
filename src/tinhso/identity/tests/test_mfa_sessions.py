from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from allauth.usersessions.models import UserSession
from django.test import Client
from django.urls import reverse

from tinhso.core.models import AuditEntry

PASSWORD = "mat-khau-thu-nghiem-1"


def sign_in(client, user):
    response = client.post(reverse("login"), {"login": user.phone, "password": PASSWORD})
    assert response.status_code == 302
    return response


def test_a_citizen_turns_on_an_authenticator_app_and_it_is_audited(client, citizen, django_capture_on_commit_callbacks):
    sign_in(client, citizen)
    page = client.get(reverse("mfa_index")).content.decode()
    assert "Ứng dụng xác thực (OTP)" in page
    response = client.get(reverse("mfa_activate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    key_before = client.session.session_key
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    # Stepping up renews the session key and adds to the session's amr.
    assert client.session.session_key != key_before
    assert AuditEntry.objects.filter(action="auth.reauthenticated", actor=citizen).exists()
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200 and "data:image/svg+xml" in response.content.decode()
    secret = response.context["form"].secret
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("mfa_activate_totp"), {"code": code})
    assert Authenticator.objects.filter(user=citizen, type="totp").exists()
    assert AuditEntry.objects.filter(action="auth.mfa_added", actor=citizen).exists()


def test_a_wrong_second_factor_is_audited(client, citizen):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(citizen, generate_totp_secret())
    response = sign_in(client, citizen)
    response = client.post(response["Location"], {"code": "000000"})
    assert "Mã không đúng." in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="auth.mfa_failed", actor=citizen).exists()


def test_an_official_cannot_remove_the_last_second_factor(admin_user, agency):
    from allauth.mfa.adapter import get_adapter
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from tinhso.identity import actions

    official = actions.create_official(
        admin=admin_user, phone="0911222333", full_name="Cán Bộ", agency=agency, role="clerk"
    )
    totp = TOTP.activate(official, generate_totp_secret()).instance
    assert not get_adapter().can_delete_authenticator(totp)


def test_the_session_list_signs_out_every_other_session(client, citizen):
    other = Client(HTTP_USER_AGENT="Điện thoại khác")
    sign_in(other, citizen)
    sign_in(client, citizen)
    assert UserSession.objects.filter(user=citizen).count() == 2
    page = client.get(reverse("usersessions_list")).content.decode()
    assert "Đăng xuất khỏi mọi phiên khác" in page and "Phiên hiện tại" in page
    client.post(reverse("usersessions_list"))
    assert UserSession.objects.filter(user=citizen).count() == 1
    assert other.get(reverse("identity:profile")).status_code == 302
    assert client.get(reverse("identity:profile")).status_code == 200


def test_every_account_page_renders_inside_the_platform_layout(client, citizen):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(citizen, generate_totp_secret())
    client.force_login(citizen)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    names = [
        "mfa_index",
        "mfa_add_webauthn",
        "mfa_list_webauthn",
        "mfa_generate_recovery_codes",
        "mfa_deactivate_totp",
        "account_email",
        "account_change_password",
        "usersessions_list",
    ]
    for name in names:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert "site-header" in response.content.decode(), name


def test_an_administrator_ends_a_users_sessions_in_the_admin(client, admin_user, citizen, clerk):
    other = Client()
    sign_in(other, citizen)
    session = UserSession.objects.get(user=citizen)
    client.force_login(admin_user)
    url = reverse("admin:usersessions_usersession_changelist")
    assert client.get(url, {"q": citizen.phone}).status_code == 200
    client.post(url, {"action": "end_sessions", "_selected_action": [session.pk]})
    assert not UserSession.objects.filter(user=citizen).exists()
    assert other.get(reverse("identity:profile")).status_code == 302
    assert AuditEntry.objects.filter(action="auth.session_end", actor=admin_user).exists()
    client.force_login(clerk)
    assert client.get(url).status_code == 302  # not staff: sent to the admin's login


def test_a_citizen_adds_an_email_after_confirming_the_password(client, citizen):
    from allauth.account.models import EmailAddress

    sign_in(client, citizen)
    response = client.post(reverse("account_email"), {"action_add": "", "email": "binh@example.vn"})
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.post(reverse("account_email"), {"action_add": "", "email": "binh@example.vn"})
    assert EmailAddress.objects.filter(user=citizen, email="binh@example.vn", verified=False).exists()
    assert "binh@example.vn" in client.get(reverse("account_email")).content.decode()


def test_a_clerk_made_outside_the_officials_page_cannot_remove_the_last_factor_when_the_rule_is_on(
    clerk, citizen, settings
):
    from allauth.mfa.adapter import get_adapter
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    settings.IDENTITY_REQUIRE_STAFF_MFA = True
    totp = TOTP.activate(clerk, generate_totp_secret()).instance
    assert not get_adapter().can_delete_authenticator(totp)
    citizens_totp = TOTP.activate(citizen, generate_totp_secret()).instance
    assert get_adapter().can_delete_authenticator(citizens_totp)  # a citizen's factor is optional
