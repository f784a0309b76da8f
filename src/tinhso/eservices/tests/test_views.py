import re
from urllib.parse import quote

import pytest
from django.urls import reverse

from tinhso.core.models import AuditEntry
from tinhso.core.testing import make_user
from tinhso.eservices.models import Application, ApplicationDocument, Status
from tinhso.eservices.tests.conftest import PDF, complete_draft, pdf
from tinhso.identity.actions import set_assurance_level
from tinhso.identity.levels import required_level, user_level


def test_the_catalogue_finds_procedures_with_or_without_diacritics(client, procedure, version):
    for query in ("giấy phép xây", "giay phep xay", "1.009994"):
        response = client.get(reverse("eservices:home"), {"q": query})
        assert procedure.name in response.content.decode()
    response = client.get(reverse("eservices:home"), {"q": "khai sinh"})
    assert procedure.name not in response.content.decode()


def test_the_catalogue_filters_by_sector_and_agency_and_answers_htmx_with_the_list(client, procedure, version):
    url = reverse("eservices:home")
    assert procedure.name in client.get(url, {"sector": "xay-dung", "agency": procedure.agency_id}).content.decode()
    assert procedure.name not in client.get(url, {"sector": "ho-tich"}).content.decode()
    partial = client.get(url, {"q": "xay"}, headers={"HX-Request": "true"}).content.decode()
    assert procedure.name in partial and "<html" not in partial
    assert client.get(url, {"agency": "abc"}).status_code == 200  # bad filter input never breaks the page


def test_a_hidden_procedure_is_not_found(client, procedure, version):
    procedure.is_public = False
    procedure.save()
    assert client.get(reverse("eservices:procedure", args=[procedure.code])).status_code == 404
    assert procedure.name not in client.get(reverse("eservices:home")).content.decode()


def test_the_procedure_page_lists_documents_fees_and_time(client, procedure, version):
    page = client.get(reverse("eservices:procedure", args=[procedure.code])).content.decode()
    assert "Bản vẽ thiết kế" in page and "150.000" in page and "10 ngày làm việc" in page


def test_applying_needs_sign_in(client, procedure, version):
    response = client.get(reverse("eservices:start", args=[procedure.code]))
    assert response.status_code == 302 and "next=" in response["Location"]


def test_the_whole_online_application(client, citizen, procedure, version):
    client.force_login(citizen)
    response = client.post(reverse("eservices:start", args=[procedure.code]))
    draft = Application.objects.get(applicant=citizen)
    assert response["Location"] == reverse("eservices:application", args=[draft.pk])
    form_page = client.get(response["Location"]).content.decode()
    assert 'value="Trần Thị Bình"' in form_page  # prefilled from the account
    assert "<legend>Người nộp hồ sơ</legend>" in form_page

    bad = client.post(
        response["Location"], {"action": "next", "ho_ten": "Trần Thị Bình", "so_dien_thoai": "12", "so_tang": "9"}
    )
    content = bad.content.decode()
    assert "Số điện thoại không hợp lệ" in content and "Vui lòng nhập địa chỉ công trình." in content
    assert "Số tầng không được lớn hơn 7." in content

    saved = client.post(
        response["Location"], {"action": "save", "ho_ten": "Trần Thị Bình", "dia_chi_cong_trinh": "Tổ 5"}
    )
    assert saved["Location"] == reverse("eservices:mine")
    draft.refresh_from_db()
    assert draft.form_data["dia_chi_cong_trinh"] == "Tổ 5"  # resumed later from the draft

    answers = {"ho_ten": "Trần Thị Bình", "so_dien_thoai": "0912 345 678", "dia_chi_cong_trinh": "Tổ 5", "so_tang": "3"}
    step = client.post(response["Location"], {"action": "next", **answers})
    assert step["Location"] == reverse("eservices:documents", args=[draft.pk])

    review = client.get(reverse("eservices:review", args=[draft.pk])).content.decode()
    assert "Hồ sơ chưa đủ để nộp" in review
    wrong = client.post(step["Location"], {"requirement": "don", "file": pdf("don.pdf", b"GIF89a not allowed")})
    assert "không phải PDF, JPEG hoặc PNG" in wrong.content.decode()
    for code in ("don", "ban_ve"):
        client.post(step["Location"], {"requirement": code, "file": pdf(f"{code}.pdf")})
    assert ApplicationDocument.objects.filter(application=draft).count() == 2

    review = client.get(reverse("eservices:review", args=[draft.pk])).content.decode()
    assert "0912345678" in review and "Nộp hồ sơ" in review
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', review).group(1)
    done = client.post(reverse("eservices:review", args=[draft.pk]), {"idempotency_key": key})
    assert done["Location"] == reverse("eservices:submitted", args=[draft.pk])
    again = client.post(reverse("eservices:review", args=[draft.pk]), {"idempotency_key": key})
    assert again["Location"] == done["Location"]
    draft.refresh_from_db()
    assert draft.status == Status.REGISTERED and draft.code

    confirmation = client.get(done["Location"]).content.decode()
    assert draft.code in confirmation and "<svg" in confirmation
    assert draft.code in client.get(reverse("eservices:mine")).content.decode()


def test_the_public_lookup_shows_the_timeline_without_personal_data(client, submitted):
    response = client.get(reverse("eservices:lookup"), {"code": submitted.code.lower()})
    assert response["Location"] == reverse("eservices:lookup_code", args=[submitted.code])
    page = client.get(response["Location"]).content.decode()
    assert submitted.code in page and "Nộp hồ sơ" in page and "Có sau khi tiếp nhận hồ sơ hợp lệ" in page
    assert "Trần Thị Bình" not in page and "0912345678" not in page and "Tổ 5" not in page
    qr = client.get(reverse("eservices:lookup_qr", args=[submitted.code]))
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    assert client.get(reverse("eservices:lookup_code", args=["KHONG-CO-0000"])).status_code == 404


def test_a_draft_is_not_visible_in_the_public_lookup(client, citizen, procedure, version):
    draft = complete_draft(citizen, procedure)
    draft.code = "SXD-250101-0009"
    draft.save()
    assert client.get(reverse("eservices:lookup_code", args=[draft.code])).status_code == 404


def test_the_applicant_opens_their_file_and_the_access_is_audited(client, citizen, submitted):
    document = submitted.documents.first()
    client.force_login(citizen)
    response = client.get(reverse("eservices:document_file", args=[document.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Cache-Control"] == "private, no-store"
    assert AuditEntry.objects.filter(action="personal_data.view", object_id=str(submitted.pk)).count() == 1
    detail = client.get(reverse("eservices:application", args=[submitted.pk])).content.decode()
    assert reverse("eservices:document_file", args=[document.pk]) in detail


def test_another_citizen_never_sees_an_application_or_its_files(client, submitted):
    stranger = make_user("Người Lạ")
    set_assurance_level(user=stranger, level=1, source="clerk")  # verified, so only ownership stands in the way
    client.force_login(stranger)
    document = submitted.documents.first()
    assert client.get(reverse("eservices:application", args=[submitted.pk])).status_code == 404
    assert client.get(reverse("eservices:document_file", args=[document.pk])).status_code == 404
    assert client.get(reverse("eservices:submitted", args=[submitted.pk])).status_code == 404
    assert client.post(reverse("eservices:delete", args=[submitted.pk])).status_code == 404
    assert not AuditEntry.objects.filter(action="personal_data.view").exists()


def test_clerks_and_anonymous_users_cannot_open_applicant_files(client, submitted, clerk):
    document = submitted.documents.first()
    assert client.get(reverse("eservices:document_file", args=[document.pk])).status_code == 302  # to sign in
    client.force_login(clerk)
    assert client.get(reverse("eservices:document_file", args=[document.pk])).status_code == 404


@pytest.mark.parametrize("enabled", [True, False])
def test_an_unverified_citizen_is_led_to_raise_the_level_when_the_setting_enables_it(
    client, settings, procedure, version, enabled
):
    settings.ESERVICES_REQUIRE_VERIFIED = enabled
    newcomer = make_user("Người Mới Đăng Ký", phone="0987000111")
    client.force_login(newcomer)
    start = reverse("eservices:start", args=[procedure.code])
    response = client.get(start)
    if enabled:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("identity:raise_level"))
        assert "can=1" in response["Location"] and quote(start, safe="") in response["Location"]
    else:
        assert response.status_code == 200


def test_a_verified_citizen_applies_with_the_check_on(client, settings, citizen, procedure, version):
    settings.ESERVICES_REQUIRE_VERIFIED = True
    assert user_level(citizen) >= 1  # the tests' citizen is verified (conftest)
    client.force_login(citizen)
    assert client.get(reverse("eservices:start", args=[procedure.code])).status_code == 200


def test_online_applications_are_declared_to_need_level_one():
    assert required_level("eservices.apply") == 1


def test_the_applicant_rates_a_returned_application(client, citizen, submitted):
    submitted.status = Status.RETURNED
    submitted.save()
    client.force_login(citizen)
    page = client.get(reverse("eservices:application", args=[submitted.pk])).content.decode()
    assert "Đánh giá mức độ hài lòng" in page
    client.post(reverse("eservices:rate", args=[submitted.pk]), {"rating": "5", "comment": "Tốt"})
    submitted.refresh_from_db()
    assert submitted.rating == 5
