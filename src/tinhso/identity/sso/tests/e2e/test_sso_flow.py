"""Issue 5's browser test in headless Chromium: a citizen registers with a phone code, signs in through the mock
VNeID at level 2, and is sent back signed in to a second application registered as an OpenID Connect client."""

import re

import pytest
from django.urls import reverse

from tinhso.core.channels import FakeSmsGateway
from tinhso.identity import levels
from tinhso.identity.sso.tests import rp_app
from tinhso.identity.sso.tests.conftest import make_client
from tinhso.identity.sso.tests.flow import SECRET

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_new_citizen_reaches_level_2_through_vneid_and_is_signed_in_to_another_app(
    browser_page, live_server, settings
):
    settings.ROOT_URLCONF = "tinhso.identity.sso.tests.rp_app"
    application = make_client("Cổng thông tin Sở Y tế", redirect=f"{live_server.url}/ung-dung-thu/ve/")
    rp_app.CONFIG.update(client_id=application.client_id, client_secret=SECRET, acr_values="urn:vn-tn:eid:loa:3")
    page = browser_page.page

    # 1. Register with a phone code (tinhso.identity): level 0.
    browser_page.goto(reverse("identity:register"))
    page.get_by_label("Họ và tên").fill("Nguyễn Thị Mới")
    page.get_by_label("Số điện thoại").fill("098 765 4321")
    page.locator("#id_password1").fill("hoa-sen-no-giua-ho-9")
    page.locator("#id_password2").fill("hoa-sen-no-giua-ho-9")
    page.locator("#id_consent").check()
    with page.expect_navigation():
        page.locator("#register-submit").click()
    code = re.search(r"\b(\d{6})\b", FakeSmsGateway.sent[-1].body).group(1)
    page.get_by_label("Mã xác minh").fill(code)
    with page.expect_navigation():
        page.locator("#register-confirm-submit").click()
    assert page.locator("#profile-level").get_attribute("data-level") == "0"

    # 2. The other app asks for level 2 (acr loa:3): the provider leads the citizen to raise the level.
    browser_page.goto("/ung-dung-thu/")
    assert "/tai-khoan/nang-muc-dinh-danh/" in page.url
    browser_page.screenshot("sso-1-raise-level")
    with page.expect_navigation():
        page.locator("#link-vneid").click()

    # 3. The mock VNeID: choose a test person at level 2.
    assert "/o/vneid-gia-lap/" in page.url
    page.get_by_label("Trần Thị Bình · 1985-11-02").check()
    page.get_by_label("Mức 2 (cấp tại công an)").check()
    browser_page.screenshot("sso-2-mock-vneid")
    with page.expect_navigation():
        page.locator("#mock-vneid-submit").click()

    # 4. Back at the provider: consent to share the profile with the other app.
    assert page.locator("#consent-scopes").is_visible()
    browser_page.screenshot("sso-3-consent")
    with page.expect_navigation():
        page.locator("#consent-allow").click()

    # 5. Signed in to the other app with the VNeID level.
    assert page.url.startswith(f"{live_server.url}/ung-dung-thu/ve/")
    assert page.locator("#rp-welcome").inner_text() == "Xin chào Trần Thị Bình"
    assert page.locator("#rp-acr").inner_text() == "urn:vn-tn:eid:loa:3"
    assert "fed" in page.locator("#rp-amr").inner_text().split()
    browser_page.screenshot("sso-4-signed-in")
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(phone="0987654321")
    assert levels.user_level(user) == 2
    browser_page.assert_clean()
