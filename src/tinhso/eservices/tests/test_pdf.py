"""The one-stop forms render to PDF with their Vietnamese text intact, in the version in force on their date."""

import datetime as dt
from types import SimpleNamespace

import pytest

from tinhso.core.calendar import TZ
from tinhso.eservices import pdf
from tinhso.eservices.tests.pdftext import pdf_text

RECEIVED = dt.datetime(2026, 3, 9, 9, 15, tzinfo=TZ)
DUE = dt.datetime(2026, 3, 16, 9, 15, tzinfo=TZ)


def application():
    procedure = SimpleNamespace(name="Đăng ký khai sinh", code="1.001193")
    return SimpleNamespace(
        code="000.00.12.H62-260309-0001",
        applicant_name="Nguyễn Thị Hường",
        organisation_name="",
        applicant_email="",
        procedure=procedure,
        get_channel_display=lambda: "Trực tuyến",
    )


def base(**extra):
    return {
        "app": application(),
        "agency_name": "UBND Phường Phan Đình Phùng",
        "place": "Phan Đình Phùng",
        "issued_at": RECEIVED,
        "clerk_name": "Phạm Văn Chuyên Viên",
        "lookup_url": "http://127.0.0.1:8000/dich-vu-cong/tra-cuu/000.00.12.H62-260309-0001/",
        **extra,
    }


def text_of(form, context, on=dt.date(2026, 3, 9)):
    data = pdf.render(form, context, on=on)
    assert data.startswith(b"%PDF-")
    return " ".join(pdf_text(data).split())


def test_receipt_prints_the_code_documents_and_due_time_with_diacritics():
    context = base(
        documents=[{"name": "Tờ khai đăng ký khai sinh", "original": 1, "copy": 0, "files": 1}],
        legal_time="05 ngày làm việc",
        received_at=RECEIVED,
        due_at=DUE,
        return_method="Trực tuyến",
        fee=8000,
        address="Số 5, tổ 3",
        phone="091***678",
        book_no="01/2026",
        qr=pdf.qr_data_uri("http://127.0.0.1:8000/"),
    )
    text = text_of(pdf.RECEIPT, context)
    for expected in (
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Mẫu số 01",
        "000.00.12.H62-260309-0001",
        "Nguyễn Thị Hường",
        "Tờ khai đăng ký khai sinh",
        "Đăng ký khai sinh",
        "09 giờ 15 phút, ngày 16/03/2026",
        "8.000 đồng",
        "Phạm Văn Chuyên Viên",
    ):
        assert expected in text, expected


def test_supplement_refusal_and_apology_letters():
    text = text_of(pdf.SUPPLEMENT, base(items=["Bản sao giấy chứng nhận kết hôn"], reason="Thiếu giấy tờ"))
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert "Bản sao giấy chứng nhận kết hôn" in text
    text = text_of(pdf.REFUSAL, base(reason="Không thuộc thẩm quyền giải quyết"))
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text and "Không thuộc thẩm quyền giải quyết" in text
    context = base(
        received_at=RECEIVED,
        original_due_at=DUE,
        new_due_at=DUE + dt.timedelta(days=2),
        reason="Cần xác minh thực địa",
        signer_name="Vũ Văn Lãnh Đạo",
    )
    text = text_of(pdf.APOLOGY, context)
    assert "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in text
    assert "thành thật xin lỗi" in text and "ngày 18/03/2026" in text
    # Before Decree 118/2025 the same letter was Mẫu 04 under its old title.
    text = text_of(pdf.APOLOGY, context, on=dt.date(2025, 6, 30))
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text and "Thông tư 01/2018/TT-VPCP" in text


def test_control_slip_and_tracking_book_from_rows():
    rows = [
        {
            "sender": "Bộ phận một cửa",
            "receiver": "Phòng Văn hóa - Xã hội",
            "handed_at": RECEIVED,
            "due_at": DUE,
            "done_at": DUE,
            "result": "Đúng hạn",
            "step": "Thẩm định",
            "note": "",
        },
    ]
    text = text_of(pdf.CONTROL_SLIP, base(rows=rows, competent_name="UBND Phường Phan Đình Phùng"))
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text and "Mẫu số 06" in text
    assert "Phòng Văn hóa - Xã hội" in text and "Đúng hạn" in text
    book = [
        {
            "code": "000.00.12.H62-260309-0001",
            "procedure": "Đăng ký khai sinh",
            "applicant": "Nguyễn Thị Hường",
            "contact": "",
            "agency": "UBND",
            "received_at": RECEIVED,
            "due_at": DUE,
            "transferred_at": RECEIVED,
            "done_at": None,
            "returned_at": None,
            "note": "",
        }
    ]
    text = text_of(pdf.TRACKING_BOOK, base(rows=book, period_label="Tháng 03/2026"))
    assert "SỔ THEO DÕI HỒ SƠ" in text and "Mẫu số 07" in text and "Nguyễn Thị Hường" in text


def test_the_version_follows_the_date():
    assert pdf.version_for(pdf.CONTROL_SLIP, on=dt.date(2025, 6, 30)).number == "05"
    assert pdf.version_for(pdf.CONTROL_SLIP, on=dt.date(2025, 7, 1)).number == "06"
    with pytest.raises(LookupError):
        pdf.version_for(pdf.RECEIPT, on=dt.date(2010, 1, 1))
