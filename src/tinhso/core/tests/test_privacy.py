import pytest
from django.template import Context, Template

from tinhso.core import phone, privacy
from tinhso.core.privacy import mask_address, mask_email, mask_id_number


def test_phone_masking_is_the_one_from_the_phone_module():
    assert privacy.mask_phone is phone.mask_phone
    assert privacy.mask_phone("0912345678") == "0912***678"


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("nguyenvana@gmail.com", "ng********@gmail.com"),
        ("an@thainguyen.gov.vn", "a***@thainguyen.gov.vn"),  # a short name still hides something
        ("", ""),
        ("khong-phai-thu", "***"),
    ],
)
def test_mask_email_keeps_the_domain_and_hides_the_name(email, masked):
    assert mask_email(email) == masked


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("019203001245", "0192******45"),
        ("0192 0300 1245", "0192******45"),
        ("121234567", "12*****67"),  # the old 9-digit identity card
        ("1234", "****"),
        ("", ""),
    ],
)
def test_mask_id_number_shows_only_the_head_and_the_last_two_digits(number, masked):
    assert mask_id_number(number) == masked


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        (
            "Số 12, ngõ 34, đường Quang Trung, Phường Phan Đình Phùng, Tỉnh Thái Nguyên",
            "***, Phường Phan Đình Phùng, Tỉnh Thái Nguyên",
        ),
        ("so 5 Xanh Pon, p. Phan Dinh Phung, Thai Nguyen", "***, p. Phan Dinh Phung, Thai Nguyen"),
        ("Xóm Đồng Kiệm; Xã Phú Lạc; Thái Nguyên", "***, Xã Phú Lạc, Thái Nguyên"),
        ("Xã Phú Lạc, Tỉnh Thái Nguyên", "Xã Phú Lạc, Tỉnh Thái Nguyên"),
        ("Km 5, Tỉnh lộ 261, Tỉnh Thái Nguyên", "***, Tỉnh Thái Nguyên"),  # a provincial road is not the province
        ("Km 5, Xa lộ 3, Xã Phú Lạc", "***, Xã Phú Lạc"),
        ("12 Quang Trung phường Phan Đình Phùng", "***, phường Phan Đình Phùng"),
        ("Tổ 7, đường Bắc Kạn", "***"),  # nothing safe to keep
        ("", ""),
    ],
)
def test_mask_address_hides_house_and_street_but_keeps_commune_and_province(address, masked):
    assert mask_address(address) == masked


def render(source: str, **context) -> str:
    return Template("{% load tinhso %}" + source).render(Context(context))


def test_template_filters_mask_personal_data():
    person = {
        "phone": "0912345678",
        "email": "nguyenvana@gmail.com",
        "id_number": "019203001245",
        "address": "Số 12, đường Quang Trung, Phường Phan Đình Phùng",
    }
    out = render(
        "{{ p.phone|mask_phone }}|{{ p.email|mask_email }}|"
        "{{ p.id_number|mask_id_number }}|{{ p.address|mask_address }}",
        p=person,
    )
    assert out == "0912***678|ng********@gmail.com|0192******45|***, Phường Phan Đình Phùng"


def test_template_filters_accept_missing_values_and_escape_what_they_keep():
    assert render("[{{ none|mask_phone }}][{{ none|mask_email }}]", none=None) == "[][]"
    assert render("{{ a|mask_address }}", a="Số 1, Phường <b>X</b>") == "***, Phường &lt;b&gt;X&lt;/b&gt;"


def test_contacts_typed_into_free_text_are_masked():
    text = privacy.mask_contacts("Gọi 0912 345 678 hoặc viết an.nguyen@example.vn, số nhà 12")
    assert "345" not in text and "an.nguyen@example.vn" not in text
    assert text.startswith("Gọi 0912***678 hoặc viết ") and text.endswith(", số nhà 12")
