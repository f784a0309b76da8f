"""Pages django-allauth renders itself (no project override) speak Vietnamese through locale_thirdparty."""

import pytest
from django.urls import reverse

PASSWORD = "mat-khau-thu-nghiem-1"


@pytest.fixture
def signed_in(client, citizen):
    assert client.post(reverse("login"), {"login": citizen.phone, "password": PASSWORD}).status_code == 302
    assert client.post(reverse("account_reauthenticate"), {"password": PASSWORD}).status_code == 302
    return client


@pytest.mark.parametrize(
    ("url_name", "vietnamese", "english"),
    [
        ("mfa_list_webauthn", ["Khóa bảo mật", "Chưa thêm khóa bảo mật nào."], ["Security Keys", "No security keys"]),
        (
            "mfa_add_webauthn",
            ["Thêm khóa bảo mật", "Chức năng này cần bật JavaScript.", "Tên khóa bảo mật"],
            ["Add Security Key", "requires JavaScript", "Name:"],
        ),
    ],
)
def test_allauth_mfa_pages_are_in_vietnamese(signed_in, url_name, vietnamese, english):
    response = signed_in.get(reverse(url_name))
    assert response.status_code == 200
    page = response.content.decode()
    for text in vietnamese:
        assert text in page
    for text in english:
        assert text not in page


def test_the_session_list_is_in_vietnamese(signed_in):
    page = signed_in.get(reverse("usersessions_list")).content.decode()
    assert "Phiên đăng nhập" in page or "phiên đăng nhập" in page
    assert "Sign Out Other Sessions" not in page and "User Sessions" not in page


def test_allauth_messages_are_translated():
    from django.utils import translation
    from django.utils.translation import gettext, ngettext

    with translation.override("vi"):
        assert gettext("Signed out of all other sessions.") == "Đã đăng xuất khỏi mọi thiết bị khác."
        assert gettext("Authenticator app activated.") == "Đã bật ứng dụng xác thực."
        assert "mã khôi phục" in ngettext(
            "There is %(unused_count)s out of %(total_count)s recovery codes available.",
            "There are %(unused_count)s out of %(total_count)s recovery codes available.",
            3,
        )
