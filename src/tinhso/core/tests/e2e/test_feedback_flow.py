"""The 1022 module end to end in headless Chromium: a citizen, an operator, a clerk and the citizen again."""

import io
import re

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from tinhso.core.models import Agency, Role
from tinhso.core.testing import make_agency, make_member, make_unit, make_user
from tinhso.feedback.models import Attachment, Category, Level, Report, RoutingRule

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "mat-khau-thu-nghiem-1"  # make_user's default
PHONE = {"width": 390, "height": 844}
CODE = re.compile(r"PA-\d{4}-\d{6}")


@pytest.fixture
def setting():
    """A commune with its committee, a roads category routed there to a department, its clerk, an operator."""
    commune = make_unit("05443", "Phường Phan Đình Phùng", lon=105.80, lat=21.55, kind="phuong")
    make_agency("UBND-05443", "UBND Phường Phan Đình Phùng", kind=Agency.Kind.COMMUNE_COMMITTEE, unit=commune)
    department = make_agency("SXD", "Sở Xây dựng")
    roads = Category.objects.create(code="giao-thong", name="Giao thông, hạ tầng đường bộ", group="Giao thông")
    # Without the rule the case would go to the commune's committee: the point on the map decides the agency.
    RoutingRule.objects.create(category=roads, unit=commune, agency=department)
    centre = make_agency("TD1022", "Tổng đài 1022", kind=Agency.Kind.SUB_UNIT)
    return {
        "commune": commune,
        "department": department,
        "roads": roads,
        "citizen": make_user("Trần Thị Bình", phone="0912345678"),
        "clerk": make_member(Role.CLERK, department, "Phạm Văn Chuyên Viên"),
        "operator": make_member(Role.OPERATOR, centre, "Lê Thị Điện Thoại Viên"),
    }


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 90, 60)).save(buffer, "JPEG")
    return buffer.getvalue()


def sign_in(browser_page, user) -> None:
    """Start a new session (no cookies) and sign in through the login form."""
    page = browser_page.page
    page.context.clear_cookies()
    browser_page.goto(reverse("login"))
    page.get_by_label("Số điện thoại").fill(user.phone)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập").click()
    assert "/dang-nhap/" not in page.url


def click_map_at(page, map_id: str, lat: float, lon: float) -> None:
    """Click a Leaflet map at (lat, lon), through the map's own projection, once its boundaries are drawn."""
    page.wait_for_selector(f"#{map_id}[data-map-units]")
    x, y = page.evaluate(
        "([id, lat, lon]) => { const p = document.getElementById(id).leafletMap.latLngToContainerPoint([lat, lon]);"
        " return [p.x, p.y]; }",
        [map_id, lat, lon],
    )
    page.locator(f"#{map_id}").click(position={"x": x, "y": y})


def test_citizen_operator_and_clerk_take_a_case_from_report_to_rating(browser_page, setting):
    page = browser_page.page
    citizen, clerk, operator = setting["citizen"], setting["clerk"], setting["operator"]

    # The citizen, signed in on a phone, files a report with a photo at a point picked on the map.
    page.set_viewport_size(PHONE)
    sign_in(browser_page, citizen)
    browser_page.goto(reverse("feedback:submit"))
    page.get_by_label("Lĩnh vực").select_option("giao-thong")
    page.get_by_label("Nội dung phản ánh").fill("Ổ gà lớn giữa đường Hoàng Văn Thụ, xe máy dễ ngã khi trời mưa.")
    click_map_at(page, "report-map", 21.57, 105.82)
    expect(page.locator("#report-map .leaflet-marker-icon")).to_have_count(1)
    assert abs(float(page.locator("#id_lat").input_value()) - 21.57) < 0.001
    assert abs(float(page.locator("#id_lon").input_value()) - 105.82) < 0.001
    page.locator("#id_photos").set_input_files({"name": "o-ga.jpg", "mimeType": "image/jpeg", "buffer": jpeg()})
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    browser_page.screenshot("feedback-submit-phone")
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi phản ánh").click()
    citizen_code = page.locator("#report-code").inner_text().strip()
    assert CODE.fullmatch(citizen_code)
    expect(page.locator("h1")).to_have_text("Đã nhận phản ánh của ông/bà")
    browser_page.screenshot("feedback-submitted-phone")

    # The 1022 operator types a caller's report, marks it urgent and reads the new code back.
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(browser_page, operator)
    browser_page.goto(reverse("feedback:operator"))
    page.get_by_label("Số điện thoại người gọi").fill("0987654321")
    page.get_by_label("Họ tên người gọi").fill("Nguyễn Văn Gọi")
    page.get_by_label("Lĩnh vực").select_option(label=setting["roads"].name)
    page.get_by_label("Nội dung phản ánh").fill("Cây đổ chắn ngang đường Quang Trung sau giông, xe không qua được.")
    page.get_by_label("Địa chỉ").fill("đường Quang Trung, phường Phan Đình Phùng")
    page.get_by_label("Khẩn (thiên tai, tai nạn, mất an ninh…)").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Ghi nhận phản ánh").click()
    success = page.locator(".message-success").first.inner_text()
    operator_code = CODE.search(success).group(0)
    assert operator_code != citizen_code
    expect(page.locator(".operator-recent")).to_contain_text(operator_code)
    browser_page.screenshot("feedback-operator")

    # The department's clerk finds the citizen's case in the inbox, accepts it and answers it.
    sign_in(browser_page, clerk)
    browser_page.goto(reverse("feedback:inbox"))
    expect(page.locator("table.inbox")).to_contain_text(citizen_code)
    browser_page.screenshot("feedback-inbox")
    with page.expect_navigation():
        page.get_by_role("link", name=citizen_code).click()
    page.locator("#tiep-nhan summary").click()
    with page.expect_navigation():
        page.locator("#tiep-nhan").get_by_role("button", name="Tiếp nhận", exact=True).click()
    expect(page.locator(".case-status")).to_contain_text("Đã tiếp nhận")
    answer = "Ngày 12/3, Sở Xây dựng đã vá ổ gà trên đường Hoàng Văn Thụ. Cảm ơn ông/bà đã phản ánh."
    page.locator("#tra-loi summary").click()
    page.get_by_label("Nội dung trả lời (công khai)").fill(answer)
    with page.expect_navigation():
        page.locator("#tra-loi").get_by_role("button", name="Trả lời", exact=True).click()
    expect(page.locator(".case-status")).to_contain_text("Đã trả lời")
    browser_page.screenshot("feedback-case")

    # The citizen sees the answer on the tracking page and rates it.
    page.set_viewport_size(PHONE)
    sign_in(browser_page, citizen)
    browser_page.goto(reverse("feedback:track", args=[citizen_code]))
    expect(page.locator(".answer")).to_contain_text("đã vá ổ gà")
    expect(page.locator("body")).not_to_contain_text(citizen.phone)
    assert page.locator(".photos img").count() == 1
    browser_page.screenshot("feedback-track-phone")
    page.get_by_label("Hài lòng", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.locator(".status")).to_contain_text("Đã đóng")
    expect(page.locator("main")).to_contain_text("Hài lòng")

    web = Report.objects.get(code=citizen_code)
    assert (web.channel, web.status, web.rating) == (Report.Channel.WEB, Report.Status.CLOSED, Report.Rating.SATISFIED)
    assert (web.reporter, web.unit, web.agency) == (citizen, setting["commune"], setting["department"])
    assert web.public_answer == answer
    assert web.attachments.filter(kind=Attachment.Kind.PHOTO).count() == 1
    call = Report.objects.get(code=operator_code)
    assert (call.channel, call.level, call.received_by) == (Report.Channel.HOTLINE, Level.URGENT, operator)
    assert call.reporter_phone == "0987654321"
    assert Report.objects.count() == 2
    browser_page.assert_clean()


def test_anonymous_reporter_rates_with_the_signed_link_from_the_answer_message(browser_page, setting):
    from tinhso.feedback import actions

    report = actions.submit_report(
        category=setting["roads"], description="Đèn đường hỏng.", lon=105.82, lat=21.57, reporter_phone="0987000111"
    )
    actions.accept_report(report=report, actor=setting["clerk"])
    actions.answer_report(report=report, actor=setting["clerk"], answer="Đã thay bóng đèn.")
    page = browser_page.page
    page.set_viewport_size(PHONE)
    # The path and key of the link sent by SMS with the answer; no account, no session.
    link = actions.rating_url(report)
    browser_page.goto(link[link.index("/phan-anh/") :])
    page.get_by_label("Không hài lòng", exact=True).check()
    page.get_by_label("Lý do chưa hài lòng").fill("Đèn lại tắt sau hai ngày.")
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.locator(".status")).to_contain_text("Đang xử lý")
    report.refresh_from_db()
    assert (report.rating, report.status, report.reopened_count) == (
        Report.Rating.UNSATISFIED,
        Report.Status.IN_PROGRESS,
        1,
    )
    browser_page.assert_clean()
