"""The staff pages of processing: queue, application page and its actions, forms as PDF, walk-in, reports,
the Decision 766 dashboard, and the applicant's supplement and payment pages; who is refused each."""

import datetime as dt

import pytest
from django.urls import reverse

from tinhso.core.models import AuditEntry
from tinhso.eservices import indicators766, processing
from tinhso.eservices.models import Status
from tinhso.eservices.models_processing import Payment
from tinhso.eservices.tests.conftest import PDF, pdf
from tinhso.eservices.tests.pdftext import pdf_text as raw_pdf_text


def pdf_text(data: bytes) -> str:
    return " ".join(raw_pdf_text(data).split())


def staff_urls(app):
    doc = app.documents.first()
    return [
        reverse("eservices:staff_queue"),
        reverse("eservices:staff_application", args=[app.code]),
        reverse("eservices:staff_document", args=[app.code, doc.pk]),
        reverse("eservices:staff_form_pdf", args=[app.code, "control_slip"]),
        reverse("eservices:staff_walk_in"),
        reverse("eservices:staff_tracking_book"),
        reverse("eservices:staff_reconciliation"),
        reverse("eservices:dashboard_766"),
        reverse("eservices:dashboard_766_export", args=["csv"]),
    ]


@pytest.fixture
def received(submitted, clerk):
    return processing.accept(actor=clerk, application=submitted)


def test_anonymous_is_sent_to_sign_in_everywhere(client, received):
    for url in staff_urls(received):
        response = client.get(url)
        assert response.status_code == 302 and "/dang-nhap/" in response["Location"], url
    response = client.post(reverse("eservices:staff_act", args=[received.code, "complete"]))
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def test_a_citizen_is_refused_everywhere(client, received, citizen):
    client.force_login(citizen)
    for url in staff_urls(received):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("eservices:staff_act", args=[received.code, "complete"])).status_code == 403


def test_another_agencys_clerk_finds_nothing(client, received, clerk_elsewhere):
    client.force_login(clerk_elsewhere)
    queue = client.get(reverse("eservices:staff_queue"), {"tab": "all"})
    assert queue.status_code == 200 and received.code not in queue.content.decode()
    for url in staff_urls(received)[1:4]:
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("eservices:staff_act", args=[received.code, "complete"]))
    assert response.status_code == 404
    received.refresh_from_db()
    assert processing.open_step(received).code == "tham_dinh"
    # Reports show only their own desks' data; the dashboard is for leaders.
    assert client.get(reverse("eservices:dashboard_766")).status_code == 403


def test_the_clerk_queue_lists_their_step_and_filters_by_due(client, received, clerk):
    client.force_login(clerk)
    page = client.get(reverse("eservices:staff_queue")).content.decode()
    assert received.code in page and "Thẩm định hồ sơ" in page
    assert received.code not in client.get(reverse("eservices:staff_queue"), {"due": "overdue"}).content.decode()
    assert received.code not in client.get(reverse("eservices:staff_queue"), {"q": "khong-co-ai"}).content.decode()
    assert received.code in client.get(reverse("eservices:staff_queue"), {"q": "tran thi binh"}).content.decode()
    partial = client.get(reverse("eservices:staff_queue"), HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode()
    # Bad filter values give the unfiltered list, never a 500.
    assert client.get(reverse("eservices:staff_queue"), {"status": "x", "procedure": "abc"}).status_code == 200


def test_reception_through_the_page_and_the_receipt_pdf(client, submitted, clerk):
    client.force_login(clerk)
    assert submitted.code in client.get(reverse("eservices:staff_queue"), {"tab": "reception"}).content.decode()
    page = client.get(reverse("eservices:staff_application", args=[submitted.code])).content.decode()
    assert "Tiếp nhận hồ sơ (in giấy hẹn)" in page and "Trần Thị Bình" in page
    response = client.post(reverse("eservices:staff_act", args=[submitted.code, "accept"]), {"note-note": ""})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.PROCESSING
    receipt = client.get(reverse("eservices:staff_form_pdf", args=[submitted.code, "receipt"]))
    assert receipt["Content-Type"] == "application/pdf"
    text = pdf_text(receipt.content)
    assert submitted.code in text and "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert (
        submitted.due_at.astimezone(dt.UTC)
        and f"{submitted.due_at.astimezone(processing.timezone.get_current_timezone()):%d/%m/%Y}" in text
    )
    assert AuditEntry.objects.filter(action="personal_data.view", object_id=str(submitted.pk)).exists()


def test_a_supplement_request_with_a_form_error_changes_nothing(client, submitted, clerk):
    client.force_login(clerk)
    client.post(reverse("eservices:staff_act", args=[submitted.code, "supplement"]), {"supplement-items": "  "})
    submitted.refresh_from_db()
    assert submitted.status == Status.REGISTERED
    client.post(
        reverse("eservices:staff_act", args=[submitted.code, "supplement"]),
        {"supplement-items": "Bản vẽ mặt bằng\nẢnh hiện trạng", "supplement-reason": "Thiếu"},
    )
    submitted.refresh_from_db()
    assert submitted.status == Status.SUPPLEMENT
    text = pdf_text(client.get(reverse("eservices:staff_form_pdf", args=[submitted.code, "supplement"])).content)
    assert "Ảnh hiện trạng" in text


def test_the_applicant_supplies_and_pays_online(client, submitted, clerk, citizen):
    processing.request_supplement(actor=clerk, application=submitted, reason="", items=["Bản vẽ có chữ ký"])
    client.force_login(citizen)
    url = reverse("eservices:supply", args=[submitted.pk])
    assert "Bản vẽ có chữ ký" in client.get(url).content.decode()
    bad = client.post(url, {"file-ban_ve": pdf("x.pdf", b"not a pdf")})
    assert bad.status_code == 400
    response = client.post(url, {"file-ban_ve": pdf("ban-ve.pdf", PDF)})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.REGISTERED
    response = client.post(reverse("eservices:pay", args=[submitted.pk]))
    assert response.status_code == 302
    back = client.get(response["Location"])
    assert back.status_code == 200 and "BL-" in back.content.decode()
    assert Payment.objects.get().status == Payment.Status.PAID
    assert client.get(reverse("eservices:payment_return"), {"ref": "x", "sig": "y"}).status_code == 400


def test_other_people_cannot_supply_or_pay(client, submitted, clerk, clerk_elsewhere):
    processing.request_supplement(actor=clerk, application=submitted, reason="", items=["Đơn"])
    client.force_login(clerk_elsewhere)
    assert client.get(reverse("eservices:supply", args=[submitted.pk])).status_code == 404
    assert client.post(reverse("eservices:pay", args=[submitted.pk])).status_code == 404


def test_walk_in_filing_through_the_page(client, clerk, procedure, version):
    client.force_login(clerk)
    start = client.get(reverse("eservices:staff_walk_in"))
    assert procedure.name in start.content.decode()
    url = reverse("eservices:staff_walk_in") + f"?thu_tuc={procedure.code}"
    invalid = client.post(url, {"nguoi_nop-applicant_name": ""})
    assert invalid.status_code == 400
    data = {
        "nguoi_nop-applicant_name": "Lò Văn Mạnh",
        "nguoi_nop-applicant_phone": "0987654321",
        "to_khai-ho_ten": "Lò Văn Mạnh",
        "to_khai-so_dien_thoai": "0987654321",
        "to_khai-dia_chi_cong_trinh": "Bản Pác Nặm",
        "to_khai-so_tang": "2",
        "scan-don": pdf(),
        "idempotency_key": "walk-1",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    app = processing.Application.objects.get(applicant_name="Lò Văn Mạnh")
    assert app.status == Status.REGISTERED and app.documents.count() == 1


def test_steps_results_and_return_through_the_pages(client, received, clerk, leader):
    client.force_login(clerk)
    client.post(reverse("eservices:staff_act", args=[received.code, "complete"]), {"note-note": "Đạt"})
    client.force_login(leader)
    assert received.code in client.get(reverse("eservices:staff_queue")).content.decode()
    client.post(reverse("eservices:staff_act", args=[received.code, "complete"]))
    client.force_login(clerk)
    client.post(reverse("eservices:staff_act", args=[received.code, "result"]), {"result-file": pdf("gp.pdf")})
    client.post(reverse("eservices:staff_act", args=[received.code, "pay_counter"]))
    client.post(reverse("eservices:staff_act", args=[received.code, "return"]), {"return-method": "online"})
    received.refresh_from_db()
    assert received.status == Status.RETURNED
    slip = pdf_text(client.get(reverse("eservices:staff_form_pdf", args=[received.code, "control_slip"])).content)
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in slip and "Lãnh đạo phê duyệt" in slip
    book = client.get(reverse("eservices:staff_tracking_book"), {"start": "2000-01-01", "end": "2100-12-31"})
    assert received.code in pdf_text(book.content)
    report = client.get(
        reverse("eservices:staff_reconciliation"), {"start": "2000-01-01", "end": "2100-12-31", "format": "csv"}
    )
    assert received.code in report.content.decode("utf-8")


def test_bulk_through_the_queue(client, received, clerk):
    client.force_login(clerk)
    response = client.post(reverse("eservices:staff_bulk"), {"action": "complete", "codes": [received.code]})
    assert response.status_code == 302
    received.refresh_from_db()
    assert processing.open_step(received).code == "phe_duyet"


def test_the_dashboard_for_leaders_with_drill_down_and_exports(client, received, leader, agency):
    indicators766.refresh_month(processing.timezone.localdate())
    client.force_login(leader)
    page = client.get(reverse("eservices:dashboard_766")).content.decode()
    assert agency.name in page and "Giải quyết đúng hạn" in page
    drill = client.get(reverse("eservices:dashboard_766"), {"agency": agency.pk}).content.decode()
    assert received.procedure.name in drill
    csv_text = client.get(reverse("eservices:dashboard_766_export", args=["csv"])).content.decode("utf-8")
    assert agency.name in csv_text
    xlsx = client.get(reverse("eservices:dashboard_766_export", args=["xlsx"]))
    assert xlsx.content[:2] == b"PK"


def test_the_page_asks_for_the_apology_letter_before_the_due_date(client, received, clerk, leader):
    client.force_login(clerk)
    url = reverse("eservices:staff_application", args=[received.code])
    assert "gửi văn bản xin lỗi" not in client.get(url).content.decode()
    soon = processing.timezone.now() + dt.timedelta(minutes=30)
    processing.Application.objects.filter(pk=received.pk).update(due_at=soon, original_due_at=soon)
    assert "gửi văn bản xin lỗi" in client.get(url).content.decode()
    received.refresh_from_db()
    processing.apologise(
        actor=leader, application=received, new_due_at=soon + dt.timedelta(days=20), reason="Cần xác minh thực địa"
    )
    assert "gửi văn bản xin lỗi" not in client.get(url).content.decode()


def test_without_a_gateway_the_applicant_is_told_to_pay_at_the_counter(client, submitted, citizen, settings):
    settings.ESERVICES_PAYMENT = {"gateway": "none"}
    client.force_login(citizen)
    response = client.post(reverse("eservices:pay", args=[submitted.pk]), follow=True)
    assert "nộp phí tại bộ phận một cửa" in response.content.decode()
    assert not Payment.objects.exists()
    assert client.get(reverse("eservices:payment_return"), {"ref": "x", "sig": "y"}).status_code == 400


def test_the_gateway_may_send_back_a_payer_whose_session_ended(client, submitted, citizen):
    client.force_login(citizen)
    checkout = client.post(reverse("eservices:pay", args=[submitted.pk]))
    assert checkout.status_code == 302
    client.logout()
    back = client.get(checkout["Location"])
    assert back.status_code == 200
    assert Payment.objects.get().status == Payment.Status.PAID
    assert client.get(checkout["Location"]).status_code == 200  # a repeated callback changes nothing
    assert Payment.objects.get().status == Payment.Status.PAID
