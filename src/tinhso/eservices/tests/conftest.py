"""Fixtures of the e-services tests: a small catalogue built the way the admin and the import build it."""

import datetime as dt

import pytest

from tinhso.eservices.models import Level, Procedure, ProcedureVersion, Sector

FORM_SCHEMA = {
    "fields": [
        {
            "name": "ho_ten",
            "label": "Họ và tên",
            "type": "text",
            "required": True,
            "max_length": 150,
            "prefill": "full_name",
            "section": "Người nộp hồ sơ",
        },
        {"name": "so_dien_thoai", "label": "Số điện thoại", "type": "phone", "required": True, "prefill": "phone"},
        {"name": "dia_chi_cong_trinh", "label": "Địa chỉ công trình", "type": "text", "required": True},
        {"name": "so_tang", "label": "Số tầng", "type": "integer", "required": True, "min": 1, "max": 7},
        {"name": "ngay_khoi_cong", "label": "Ngày dự kiến khởi công", "type": "date", "required": False},
    ]
}
DOCUMENTS = [
    {
        "code": "don",
        "name": "Đơn đề nghị cấp giấy phép xây dựng",
        "original": 1,
        "copy": 0,
        "electronic": True,
        "required": True,
    },
    {"code": "ban_ve", "name": "Bản vẽ thiết kế", "original": 2, "copy": 0, "electronic": True, "required": True},
    {
        "code": "giay_dat",
        "name": "Giấy chứng nhận quyền sử dụng đất",
        "original": 0,
        "copy": 1,
        "electronic": True,
        "required": False,
    },
]
STEPS = [
    {"code": "tiep_nhan", "name": "Tiếp nhận hồ sơ", "agency": "receiving", "role": "clerk", "hours": 4},
    {"code": "tham_dinh", "name": "Thẩm định hồ sơ", "agency": "", "role": "clerk", "hours": 56},
    {"code": "phe_duyet", "name": "Lãnh đạo phê duyệt", "agency": "", "role": "leader", "hours": 16},
    {"code": "tra_ket_qua", "name": "Trả kết quả", "agency": "receiving", "role": "clerk", "hours": 4},
]


@pytest.fixture
def sector(db) -> Sector:
    return Sector.objects.create(code="xay-dung", name="Xây dựng")


@pytest.fixture
def procedure(sector, agency) -> Procedure:
    """A construction permit at the department (the `agency` persona's Sở Xây dựng), 10 working days, 150.000 đ."""
    return Procedure.objects.create(
        code="1.009994",
        name="Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
        sector=sector,
        agency=agency,
        level=Level.FULL,
        fee_amount=150_000,
        processing_time=10,
        legal_basis="Luật Xây dựng 2014; Nghị định 175/2024/NĐ-CP",
        result_type="Giấy phép xây dựng",
    )


@pytest.fixture
def version(procedure) -> ProcedureVersion:
    return ProcedureVersion.objects.create(
        procedure=procedure,
        number=1,
        effective_from=dt.date(2025, 7, 1),
        form_schema=FORM_SCHEMA,
        documents=DOCUMENTS,
        steps=STEPS,
    )


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _personas_are_verified(request):
    """Applying online needs level 1 (checked in person, as at a one-stop shop): the tests' people have it, so
    that a refusal in a test comes from ownership or agency, not from the level (tested on its own)."""
    from tinhso.identity.actions import set_assurance_level

    for persona in ("citizen", "clerk", "clerk_elsewhere", "leader"):
        if persona in request.fixturenames:
            set_assurance_level(user=request.getfixturevalue(persona), level=1, source="clerk")


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    # Uploaded documents go to a throwaway private root, never to the repository's var/.
    settings.ESERVICES_PRIVATE_ROOT = tmp_path / "private"


def pdf(name: str = "don.pdf", data: bytes = PDF):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/pdf")


ANSWERS = {
    "ho_ten": "Trần Thị Bình",
    "so_dien_thoai": "0912345678",
    "dia_chi_cong_trinh": "Tổ 5, phường Phan Đình Phùng",
    "so_tang": 3,
}


def complete_draft(citizen, procedure, version=None):
    """Return a draft with valid answers and the two required documents, built through the actions."""
    from tinhso.eservices import actions
    from tinhso.eservices.forms import clean_document

    draft = actions.start_application(actor=citizen, procedure=procedure)
    actions.save_draft(actor=citizen, application=draft, form_data=dict(ANSWERS))
    for code in ("don", "ban_ve"):
        actions.attach_document(actor=citizen, application=draft, requirement=code, document=clean_document(pdf()))
    draft.refresh_from_db()
    return draft


@pytest.fixture
def submitted(citizen, procedure, version):
    from tinhso.eservices import actions

    return actions.submit_application(
        actor=citizen, application=complete_draft(citizen, procedure), idempotency_key="fixture-submit"
    )
