import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tinhso.core.channels import FakeSmsGateway
from tinhso.core.models import AuditEntry
from tinhso.core.testing import make_user
from tinhso.identity import levels

PASSWORD = "mat-khau-thu-nghiem-1"
NEW_PASSWORD = "hoa-sen-no-giua-ho-9"


def sign_in(client, phone, password=PASSWORD):
    return client.post(reverse("login"), {"login": phone, "password": password})


def last_code() -> str:
    return re.search(r"\b(\d{6})\b", FakeSmsGateway.sent[-1].body).group(1)


def register(client, phone="0987654321", **extra):
    data = {
        "full_name": "Nguyễn Thị Mới",
        "phone": phone,
        "email": "",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "consent": "on",
        **extra,
    }
    return client.post(reverse("identity:register"), data)


# --- Sign-in ------------------------------------------------------------------------------


def test_a_citizen_signs_in_with_the_phone_in_any_notation_and_it_is_audited(client, citizen):
    response = sign_in(client, "+84 912 345 678")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(citizen.pk)
    assert client.session[levels.SESSION_KEY]["amr"] == ["pwd"]
    entry = AuditEntry.objects.filter(action="auth.login").get()
    assert entry.actor_id == citizen.pk and entry.extra["amr"] == ["pwd"]


def test_sign_in_renews_the_session_key(client, citizen):
    client.get(reverse("login"))
    session = client.session
    session["x"] = 1
    session.save()
    before = session.session_key
    sign_in(client, citizen.phone)
    assert client.session.session_key != before


def test_a_wrong_password_and_an_unknown_phone_get_the_same_answer(client, citizen):
    wrong = sign_in(client, citizen.phone, "sai-mat-khau-123")
    unknown = sign_in(client, "0977777777", "sai-mat-khau-123")
    assert wrong.status_code == unknown.status_code == 200
    assert "Số điện thoại hoặc mật khẩu không đúng." in wrong.content.decode()
    assert "Số điện thoại hoặc mật khẩu không đúng." in unknown.content.decode()
    assert AuditEntry.objects.filter(action="auth.login_failed").count() == 2
    assert "0912345678" not in str(list(AuditEntry.objects.values_list("object_repr", flat=True)))


def test_logout_is_audited_and_needs_a_post(client, citizen):
    sign_in(client, citizen.phone)
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="auth.logout", actor=citizen).exists()


def test_argon2_is_the_first_password_hasher():
    import tinhso.settings as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


# --- Registration by phone code ---------------------------------------------------------------


def test_a_citizen_registers_with_a_phone_code_and_is_signed_in_at_level_zero(client, db):
    response = register(client, phone="098 765 4321", email="moi@example.vn")
    assert response["Location"] == reverse("identity:register_confirm")
    assert FakeSmsGateway.sent[-1].recipient == "0987654321"
    assert not get_user_model().objects.filter(phone="0987654321").exists()

    response = client.post(reverse("identity:register_confirm"), {"code": last_code()})
    assert response["Location"] == reverse("identity:profile")
    user = get_user_model().objects.get(phone="0987654321")
    assert user.full_name == "Nguyễn Thị Mới" and user.email == "moi@example.vn"
    assert user.check_password(NEW_PASSWORD)
    assert levels.user_level(user) == 0
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session[levels.SESSION_KEY]["amr"] == ["otp"]
    assert AuditEntry.objects.filter(action="identity.register", actor=user).exists()
    assert client.get(reverse("identity:profile")).status_code == 200


def test_a_wrong_code_creates_nothing(client, db):
    register(client)
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(reverse("identity:register_confirm"), {"code": wrong})
    assert "Mã xác minh không đúng hoặc đã hết hạn." in response.content.decode()
    assert not get_user_model().objects.filter(phone="0987654321").exists()


def test_registering_a_taken_number_looks_the_same_and_never_succeeds(client, citizen):
    response = register(client, phone=citizen.phone)
    assert response["Location"] == reverse("identity:register_confirm")
    message = FakeSmsGateway.sent[-1]
    assert message.recipient == citizen.phone and not re.search(r"\d{6}", message.body)
    for code in ("123456", "000000"):
        client.post(reverse("identity:register_confirm"), {"code": code})
    assert get_user_model().objects.filter(phone=citizen.phone).count() == 1
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)


def test_a_registration_refuses_a_weak_password_and_a_bad_phone(client, db):
    response = register(client, phone="12345", password1="123", password2="123")
    content = response.content.decode()
    assert response.status_code == 200 and "Số điện thoại không hợp lệ" in content
    assert not FakeSmsGateway.sent


def test_a_code_is_used_once(db):
    from tinhso.identity import actions

    challenge, code = actions.start_phone_challenge(phone="0987654321", purpose="register", usable=True)
    assert actions.check_phone_code(challenge_id=challenge.pk, code=code) is not None
    assert actions.check_phone_code(challenge_id=challenge.pk, code=code) is None


def test_a_challenge_closes_after_five_wrong_codes(db):
    from tinhso.identity import actions

    challenge, code = actions.start_phone_challenge(phone="0987654321", purpose="register", usable=True)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert actions.check_phone_code(challenge_id=challenge.pk, code=wrong) is None
    assert actions.check_phone_code(challenge_id=challenge.pk, code=code) is None


# --- Separate throttles -------------------------------------------------------------------------


def test_a_flood_of_wrong_codes_does_not_lock_the_password_login(client, citizen):
    for _ in range(12):
        client.post(reverse("identity:password_reset"), {"phone": citizen.phone}, follow=False)
        for _ in range(5):
            client.post(reverse("identity:password_reset_confirm"), {"code": "999999", **_passwords()})
    response = client.post(reverse("identity:password_reset_confirm"), {"code": "999999", **_passwords()})
    assert "Nhập sai mã quá nhiều lần" in response.content.decode()
    assert sign_in(client, citizen.phone).status_code == 302
    assert client.session["_auth_user_id"] == str(citizen.pk)


def test_a_flood_of_wrong_passwords_does_not_lock_the_code_reset(client, citizen):
    for _ in range(8):
        sign_in(client, citizen.phone, "sai-mat-khau-123")
    assert "Đăng nhập sai quá nhiều lần" in sign_in(client, citizen.phone).content.decode()
    client.post(reverse("identity:password_reset"), {"phone": citizen.phone})
    response = client.post(reverse("identity:password_reset_confirm"), {"code": last_code(), **_passwords()})
    assert response["Location"] == reverse("login")
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)


def _passwords():
    return {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}


# --- Password reset -------------------------------------------------------------------------------


def test_reset_for_an_unknown_number_looks_the_same_and_sends_nothing(client, db):
    response = client.post(reverse("identity:password_reset"), {"phone": "0966666666"})
    assert response["Location"] == reverse("identity:password_reset_confirm")
    assert not FakeSmsGateway.sent
    response = client.post(reverse("identity:password_reset_confirm"), {"code": "123456", **_passwords()})
    assert "Mã xác minh không đúng hoặc đã hết hạn." in response.content.decode()


def test_reset_by_code_sets_the_password_and_ends_every_session(client, citizen):
    from django.test import Client

    other = Client()
    sign_in(other, citizen.phone)
    assert other.get(reverse("identity:profile")).status_code == 200
    client.post(reverse("identity:password_reset"), {"phone": citizen.phone})
    client.post(reverse("identity:password_reset_confirm"), {"code": last_code(), **_passwords()})
    assert other.get(reverse("identity:profile")).status_code == 302
    assert AuditEntry.objects.filter(action="auth.password_reset", actor=citizen).exists()


def test_the_owner_is_told_by_sms_after_a_reset(client, citizen, django_capture_on_commit_callbacks):
    from tinhso.core.models import Notification

    client.post(reverse("identity:password_reset"), {"phone": citizen.phone})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("identity:password_reset_confirm"), {"code": last_code(), **_passwords()})
    notice = Notification.objects.get(recipient=citizen.phone)
    assert "vừa được đặt lại" in notice.body


# --- Officials and the second factor ----------------------------------------------------------------


@pytest.fixture
def official(admin_user, agency):
    from tinhso.identity import actions

    user = actions.create_official(
        admin=admin_user, phone="0911222333", full_name="Cán Bộ Mới", agency=agency, role="clerk"
    )
    user.set_password(PASSWORD)
    user.save()
    return user


def test_an_official_must_set_up_a_second_factor_before_anything_else(client, official):
    sign_in(client, official.phone)
    response = client.get(reverse("identity:profile"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_index"))
    assert client.get(reverse("mfa_index")).status_code == 200


def test_an_official_with_totp_signs_in_with_a_code_and_gets_mfa_in_amr(client, official):
    from allauth.mfa.totp.internal.auth import (
        TOTP,
        format_hotp_value,
        generate_totp_secret,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    secret = generate_totp_secret()
    TOTP.activate(official, secret)
    response = sign_in(client, official.phone)
    assert response.status_code == 302 and "_auth_user_id" not in client.session
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    response = client.post(response["Location"], {"code": code})
    assert client.session["_auth_user_id"] == str(official.pk)
    assert set(client.session[levels.SESSION_KEY]["amr"]) >= {"pwd", "otp", "mfa"}
    assert client.get(reverse("identity:profile")).status_code == 200
    assert AuditEntry.objects.filter(action="auth.mfa_used", actor=official).exists()


def test_only_an_administrator_creates_officials(client, clerk, citizen, admin_user, agency):
    url = reverse("identity:official_create")
    assert client.get(url)["Location"].startswith(reverse("login"))
    for persona in (citizen, clerk):
        client.force_login(persona)
        assert client.get(url).status_code == 403
    client.force_login(admin_user)
    data = {"full_name": "Lê Văn Cán", "phone": "0933444555", "agency": agency.pk, "role": "clerk"}
    assert client.post(url, data).status_code == 302
    created = get_user_model().objects.get(phone="0933444555")
    assert created.identity.requires_mfa and not created.has_usable_password()
    assert created.memberships.get().agency == agency


# --- Levels and the services that need them -----------------------------------------------------


def test_require_level_leads_a_user_below_it_to_the_page_that_explains_how_to_raise_it(rf, citizen):
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse

    from tinhso.identity import actions

    levels.register_service_level("test.online_application", 1)

    @levels.require_level("test.online_application")
    def view(request):
        return HttpResponse("ok")

    request = rf.get("/nop-ho-so/")
    request.user = AnonymousUser()
    assert view(request)["Location"].startswith(reverse("login"))
    request.user = citizen
    response = view(request)
    assert response["Location"].startswith(reverse("identity:raise_level") + "?can=1")
    actions.set_assurance_level(user=citizen, level=1, source="clerk")
    citizen.refresh_from_db()
    assert view(request).content == b"ok"


def test_the_raise_level_page_explains_vneid_and_the_one_stop_shop(client, citizen):
    client.force_login(citizen)
    response = client.get(reverse("identity:raise_level"), {"can": 2, "next": "https://evil.example/"})
    content = response.content.decode()
    assert "mức 2" in content and "bộ phận một cửa" in content
    assert 'href="https://evil.example/"' not in content


# --- In-person verification by a clerk --------------------------------------------------------------


def test_a_clerk_verifies_a_citizen_at_the_one_stop_shop(client, clerk, citizen):
    client.force_login(clerk)
    url = reverse("identity:verify") + f"?phone={citizen.phone}"
    assert client.get(url).status_code == 200
    data = {"birth_date": "01/02/1985", "sex": "F", "id_number": "019185001234", "checked_card": "on"}
    response = client.post(url, data)
    assert response.status_code == 302
    assert levels.user_level(citizen) == 1
    assert AuditEntry.objects.filter(action="personal_data.view", actor=clerk).exists()


def test_the_verification_page_refuses_citizens_and_anonymous_users(client, citizen):
    url = reverse("identity:verify")
    assert client.get(url)["Location"].startswith(reverse("login"))
    client.force_login(citizen)
    assert client.get(url).status_code == 403
    other = make_user("Người Khác")
    assert client.post(url + f"?phone={other.phone}", {"id_number": "019185001234"}).status_code == 403


def test_a_verification_with_an_inconsistent_id_number_shows_an_error(client, clerk, citizen):
    client.force_login(clerk)
    url = reverse("identity:verify") + f"?phone={citizen.phone}"
    data = {"birth_date": "01/02/1990", "sex": "F", "id_number": "019185001234", "checked_card": "on"}
    response = client.post(url, data)
    assert response.status_code == 200 and "khác năm sinh" in response.content.decode()
    assert levels.user_level(citizen) == 0


# --- The audit of sign-ins -------------------------------------------------------------------------


def test_an_administrator_searches_the_sign_in_log(client, admin_user, citizen):
    sign_in(client, citizen.phone, "sai-mat-khau-123")
    client.force_login(admin_user)
    response = client.get(reverse("identity:audit_log"), {"action": "auth.login_failed"})
    assert response.status_code == 200
    assert "Đăng nhập thất bại" in response.content.decode()
    assert "0912***678" in response.content.decode()


def test_the_sign_in_log_refuses_clerks_citizens_and_anonymous_users(client, clerk, clerk_elsewhere, citizen):
    url = reverse("identity:audit_log")
    assert client.get(url)["Location"].startswith(reverse("login"))
    for persona in (citizen, clerk, clerk_elsewhere):
        client.force_login(persona)
        assert client.get(url).status_code == 403


def test_passwords_with_the_platforms_own_words_are_refused(client, db):
    response = register(client, password1="TinhSo-2025!", password2="TinhSo-2025!")
    assert "tên hệ thống" in response.content.decode()
    assert not FakeSmsGateway.sent


def test_a_disabled_account_is_signed_out_of_every_session(client, citizen):
    sign_in(client, citizen.phone)
    citizen.is_active = False
    citizen.save()
    assert client.get(reverse("identity:profile")).status_code == 302


def test_a_password_reset_does_not_bypass_the_second_factor(client, citizen):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(citizen, generate_totp_secret())
    client.post(reverse("identity:password_reset"), {"phone": citizen.phone})
    client.post(reverse("identity:password_reset_confirm"), {"code": last_code(), **_passwords()})
    response = sign_in(client, citizen.phone, NEW_PASSWORD)
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session


def test_the_sign_in_log_also_shows_the_single_sign_on_events(client, admin_user, citizen):
    from tinhso.core import audit

    audit.record(actor=citizen, action="sso.consent", object_type="oauth2_provider.application", object_id="7")
    audit.record(actor=citizen, action="feedback.submit", object_type="feedback.report", object_id="1")
    client.force_login(admin_user)
    content = client.get(reverse("identity:audit_log")).content.decode()
    assert "Đồng ý chia sẻ với ứng dụng" in content
    assert "feedback.submit" not in content
