"""On a phone-sized screen, a clerk types a month's figures, meets a flagged jump, confirms it and submits; the
leader approves and the period is locked, in headless Chromium."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client

from tinhso.indicators import actions, periods
from tinhso.indicators.models import Indicator, Status, Submission, Value

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
URL = "/chi-tieu/bo-so-lieu/sxd-thang/2025-03/"


def sign_in(browser_page, user) -> None:
    client = Client()
    client.force_login(user)
    browser_page.page.context.clear_cookies()
    browser_page.page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": browser_page.base_url,
            }
        ]
    )


def test_a_clerk_confirms_a_jump_and_the_leader_approves(browser_page, dataset, clerk, leader, province):
    von = Indicator.objects.get(code="xd-von")
    actions.record_value(
        indicator=von,
        period=periods.month(2025, 2),
        unit=province,
        value="100",
        status=Status.OFFICIAL,
        source="x",
        actor=None,
    )
    page = browser_page.page
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(browser_page, clerk)
    browser_page.goto(URL)
    page.locator("#v-xd-von-19").fill("1.030,5")
    page.locator("#v-xd-nha-19").fill("12")
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi duyệt").click()
    assert "cần đánh dấu xác nhận" in page.locator("#error-xd-von-19").inner_text()
    page.locator("#ok-xd-von-19").check()
    page.locator("#note-xd-von-19").fill("Khởi công dự án lớn")
    browser_page.screenshot("indicators-entry-jump")
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi duyệt").click()
    assert page.locator("#submission-state").get_attribute("data-state") == "submitted"
    sign_in(browser_page, leader)
    browser_page.goto(URL)
    with page.expect_navigation():
        page.get_by_role("button", name="Phê duyệt").click()
    assert page.locator("#submission-state").get_attribute("data-state") == "approved"
    browser_page.screenshot("indicators-entry-approved")
    assert Submission.objects.get().state == "approved"
    assert Value.objects.get(indicator=von, period_start=periods.month(2025, 3).start).value == Decimal("1030.5")
    browser_page.assert_clean()
