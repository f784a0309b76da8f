"""A citizen finds a procedure without diacritics, fills the form from its schema, uploads the documents,
checks the answers and submits, in headless Chromium; the public lookup then shows the timeline."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tinhso.eservices.models import Application, Status
from tinhso.eservices.tests.conftest import PDF

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(browser_page, user) -> None:
    client = Client()
    client.force_login(user)
    browser_page.page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": browser_page.base_url,
            }
        ]
    )


def test_a_citizen_applies_online_and_follows_the_application(browser_page, citizen, procedure, version, tmp_path):
    page = browser_page.page
    sign_in(browser_page, citizen)
    browser_page.goto(reverse("eservices:home"))
    page.locator("#id_q").fill("giay phep xay dung")
    page.locator("#procedure-list").get_by_text(procedure.name).wait_for()
    with page.expect_navigation():
        page.locator("#procedure-list").get_by_text(procedure.name).click()
    with page.expect_navigation():
        page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Bắt đầu").click()

    assert page.get_by_label("Họ và tên").input_value() == "Trần Thị Bình"  # prefilled
    page.get_by_label("Số tầng").fill("9")
    with page.expect_navigation():
        page.get_by_role("button", name="Tiếp tục").click()
    assert page.get_by_text("Vui lòng nhập địa chỉ công trình.").is_visible()
    assert page.get_by_text("Số tầng không được lớn hơn 7.").is_visible()
    page.get_by_label("Địa chỉ công trình").fill("Tổ 5, phường Phan Đình Phùng")
    page.get_by_label("Số tầng").fill("3")
    with page.expect_navigation():
        page.get_by_role("button", name="Tiếp tục").click()

    scan = tmp_path / "don.pdf"
    scan.write_bytes(PDF)
    for code in ("don", "ban_ve"):
        page.locator(f"#file-{code}").set_input_files(str(scan))
        with page.expect_navigation():
            page.locator(f"#doc-{code} button").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Tiếp tục: kiểm tra hồ sơ").click()
    assert page.get_by_text("Tổ 5, phường Phan Đình Phùng").is_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Nộp hồ sơ").click()

    application = Application.objects.get(applicant=citizen)
    assert application.status == Status.REGISTERED
    assert page.locator("#application-code").inner_text() == application.code
    assert page.locator(".esv-qr svg").count() == 1
    browser_page.screenshot("eservices-submitted")

    with page.expect_navigation():
        page.get_by_role("link", name="Theo dõi hồ sơ").click()
    assert re.search(re.escape(application.code), page.content())
    assert page.locator(".timeline").get_by_text("Nộp hồ sơ").is_visible()
    assert "Trần Thị Bình" not in page.locator("main").inner_text()  # the header shows who is signed in
    browser_page.assert_clean()
