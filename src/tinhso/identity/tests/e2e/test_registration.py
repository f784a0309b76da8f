"""Registration by phone code and sign-in with a second factor, in headless Chromium."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tinhso.core.channels import FakeSmsGateway

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_citizen_registers_with_a_phone_code_and_lands_on_the_profile(browser_page):
    page = browser_page.page
    browser_page.goto(reverse("login"))
    page.locator("#link-register").click()
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
    assert page.url.endswith(reverse("identity:profile"))
    assert page.locator("#profile-level").get_attribute("data-level") == "0"
    assert get_user_model().objects.filter(phone="0987654321").exists()
    browser_page.assert_clean()
