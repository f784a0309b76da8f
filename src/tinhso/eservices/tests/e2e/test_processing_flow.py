"""Issue 4 end to end in headless Chromium: a citizen finds a procedure, fills the form with uploads and submits;
the clerk asks for a supplement; the citizen supplies it; the clerk accepts; the file passes two steps (appraisal
by the clerk, approval by the leader); the result is uploaded and returned online; the public lookup shows every
step with its times."""

import re

import pytest
from django.urls import reverse

from tinhso.eservices.models import Application, Status
from tinhso.eservices.tests.conftest import PDF
from tinhso.eservices.tests.e2e.test_apply_online import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def submit_online(browser_page, citizen, procedure, scan) -> Application:
    page = browser_page.page
    sign_in(browser_page, citizen)
    browser_page.goto(reverse("eservices:home"))
    page.locator("#id_q").fill("xay dung nha o")
    page.locator("#procedure-list").get_by_text(procedure.name).wait_for()
    with page.expect_navigation():
        page.locator("#procedure-list").get_by_text(procedure.name).click()
    with page.expect_navigation():
        page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Bắt đầu").click()
    page.get_by_label("Địa chỉ công trình").fill("Tổ 5, phường Phan Đình Phùng")
    page.get_by_label("Số tầng").fill("3")
    with page.expect_navigation():
        page.get_by_role("button", name="Tiếp tục").click()
    for code in ("don", "ban_ve"):
        page.locator(f"#file-{code}").set_input_files(str(scan))
        with page.expect_navigation():
            page.locator(f"#doc-{code} button").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Tiếp tục: kiểm tra hồ sơ").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Nộp hồ sơ").click()
    return Application.objects.get(applicant=citizen)


def act(page, action: str, fill: dict[str, str] | None = None, files: dict[str, str] | None = None) -> None:
    form = page.locator(f"form.esv-action[action$='/{action}/']")
    for label, value in (fill or {}).items():
        field = form.get_by_label(label)
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)
    for label, path in (files or {}).items():
        form.get_by_label(label).set_input_files(path)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def open_in_queue(browser_page, code: str, tab: str = "steps") -> None:
    page = browser_page.page
    browser_page.goto(reverse("eservices:staff_queue") + f"?tab={tab}")
    with page.expect_navigation():
        page.get_by_role("link", name=code).click()


def test_supplement_two_steps_and_online_return(browser_page, citizen, clerk, leader, procedure, version, tmp_path):
    page = browser_page.page
    scan = tmp_path / "ban-chup.pdf"
    scan.write_bytes(PDF)
    application = submit_online(browser_page, citizen, procedure, scan)
    assert application.status == Status.REGISTERED
    code = application.code

    # The one-stop clerk finds it at reception and asks for a supplement: the clock does not start.
    sign_in(browser_page, clerk)
    open_in_queue(browser_page, code, "reception")
    act(page, "supplement", {"Giấy tờ, nội dung cần bổ sung (mỗi dòng một mục)": "Bản vẽ mặt cắt có chữ ký"})
    assert page.get_by_text("Đã gửi yêu cầu bổ sung hồ sơ.").is_visible()
    application.refresh_from_db()
    assert application.status == Status.SUPPLEMENT and application.due_at is None

    # The citizen sees the request on their application page and supplies the drawing.
    sign_in(browser_page, citizen)
    browser_page.goto(reverse("eservices:application", args=[application.pk]))
    with page.expect_navigation():
        page.get_by_role("link", name="Bổ sung hồ sơ").click()
    assert page.get_by_text("Bản vẽ mặt cắt có chữ ký").is_visible()
    page.get_by_label("Bản vẽ thiết kế").set_input_files(str(scan))
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi bổ sung").click()
    application.refresh_from_db()
    assert application.status == Status.REGISTERED

    # The clerk accepts: receipt (Mẫu 01) with the due date; then appraises (step 1 of 2).
    sign_in(browser_page, clerk)
    open_in_queue(browser_page, code, "reception")
    act(page, "accept")
    application.refresh_from_db()
    assert application.status == Status.PROCESSING and application.due_at
    receipt = page.request.get(browser_page.base_url + reverse("eservices:staff_form_pdf", args=[code, "receipt"]))
    assert receipt.ok and receipt.headers["content-type"] == "application/pdf"
    open_in_queue(browser_page, code)
    act(page, "complete", {"Ghi chú": "Hồ sơ đủ điều kiện"})

    # The leader approves (step 2 of 2).
    sign_in(browser_page, leader)
    open_in_queue(browser_page, code)
    assert page.get_by_text("Lãnh đạo phê duyệt").first.is_visible()
    act(page, "complete")

    # Back at the desk: the clerk uploads the signed permit, takes the fee, returns the result online.
    sign_in(browser_page, clerk)
    open_in_queue(browser_page, code)
    act(page, "result", files={"Tệp kết quả (PDF đã ký số, JPEG hoặc PNG)": str(scan)})
    act(page, "pay_counter")
    act(page, "return", {"Hình thức trả kết quả": "Trực tuyến (kho dữ liệu trên Cổng DVC)"})
    application.refresh_from_db()
    assert application.status == Status.RETURNED
    browser_page.screenshot("eservices-staff-returned")

    # The public lookup shows every step with its times, and no personal data.
    page.context.clear_cookies()
    browser_page.goto(reverse("eservices:lookup_code", args=[code]))
    rows = page.locator(".esv-step")
    assert rows.count() == 4
    names = [rows.nth(i).locator("td").first.inner_text() for i in range(4)]
    assert names == ["Tiếp nhận hồ sơ", "Thẩm định hồ sơ", "Lãnh đạo phê duyệt", "Trả kết quả"]
    for i in range(4):
        times = rows.nth(i).locator("time")
        assert times.count() == 2 and re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", times.nth(1).inner_text())
    timeline = page.locator(".timeline").inner_text()
    for kind in ("Yêu cầu bổ sung hồ sơ", "Người nộp bổ sung hồ sơ", "Tiếp nhận hồ sơ", "Trả kết quả"):
        assert kind in timeline
    assert "Trần Thị Bình" not in page.locator("main").inner_text()
    browser_page.screenshot("eservices-lookup-steps")
    browser_page.assert_clean()
