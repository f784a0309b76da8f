"""The public list and map of answered cases: answers and public photos only, never who sent them."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from tinhso.feedback import actions
from tinhso.feedback.models import Attachment, Category

SECRET_NAME = "Nguyễn Thị Riêng Tư"
SECRET_PHONE = "0987654321"
SECRET_EMAIL = "rieng.tu@example.vn"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def photo(name: str) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "orange").save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def conduct(agency):
    return Category.objects.create(code="can-bo", name="Thái độ cán bộ", default_agency=agency, is_public=False)


def answered(category, inside, clerk, *, answer: str, **extra):
    report = actions.submit_report(
        category=category,
        description=f"Phản ánh gửi bởi {SECRET_NAME}, gọi {SECRET_PHONE}",
        reporter_name=SECRET_NAME,
        reporter_phone=SECRET_PHONE,
        reporter_email=SECRET_EMAIL,
        **inside,
        **extra,
    )
    report = actions.accept_report(report=report, actor=clerk)
    return actions.answer_report(report=report, actor=clerk, answer=answer)


@pytest.fixture
def published(category, conduct, inside, clerk):
    shown = answered(category, inside, clerk, answer="Đã vá ổ gà.", photos=[photo("a.jpg"), photo("b.jpg")])
    shown.public_description = "Ổ gà trên đường Hoàng Văn Thụ."
    shown.save(update_fields=["public_description"])
    hidden_photo = shown.attachments.order_by("pk").last()
    Attachment.objects.filter(pk=hidden_photo.pk).update(is_public=False)
    secret = answered(conduct, inside, clerk, answer="Đã kiểm điểm cán bộ.")
    pending = actions.submit_report(category=category, description="Chưa có trả lời", **inside)
    return {"shown": shown, "hidden_photo": hidden_photo, "secret": secret, "pending": pending}


def test_it_lists_answered_public_cases_with_their_answer_and_public_photos(client, published):
    response = client.get(reverse("feedback:public_list"))
    assert response.status_code == 200
    page = response.content.decode()
    shown = published["shown"]
    assert shown.code in page
    assert "Ổ gà trên đường Hoàng Văn Thụ." in page and "Đã vá ổ gà." in page
    public_photo = shown.attachments.get(is_public=True)
    assert reverse("feedback:file", args=[public_photo.pk]) in page
    assert reverse("feedback:file", args=[published["hidden_photo"].pk]) not in page
    assert reverse("feedback:public_geojson") in page  # the map's extra layer


def test_it_never_shows_non_public_categories_pending_cases_or_personal_data(client, published):
    page = client.get(reverse("feedback:public_list")).content.decode()
    assert published["secret"].code not in page and "kiểm điểm" not in page
    assert published["pending"].code not in page
    for secret in (SECRET_NAME, SECRET_PHONE, SECRET_EMAIL):
        assert secret not in page


def test_a_category_made_private_later_disappears_from_the_list(client, published, category):
    Category.objects.filter(pk=category.pk).update(is_public=False)
    page = client.get(reverse("feedback:public_list")).content.decode()
    assert published["shown"].code not in page


def test_it_filters_by_category_commune_and_period(client, published, category, commune, commune_category):
    url = reverse("feedback:public_list")
    assert published["shown"].code in client.get(url, {"category": category.pk}).content.decode()
    assert published["shown"].code not in client.get(url, {"category": commune_category.pk}).content.decode()
    assert published["shown"].code in client.get(url, {"unit": commune.pk}).content.decode()
    assert published["shown"].code not in client.get(url, {"start": "01/01/2099"}).content.decode()


def test_bad_filters_and_pages_never_fail(client, published):
    response = client.get(reverse("feedback:public_list"), {"start": "99/99/2026", "category": "x", "page": "abc"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert client.get(reverse("feedback:public_geojson"), {"unit": "-1"}).status_code == 200


def test_the_geojson_layer_has_only_public_answered_points(client, published):
    response = client.get(reverse("feedback:public_geojson"))
    assert response["Content-Type"] == "application/geo+json"
    features = response.json()["features"]
    assert [f["properties"]["report_code"] for f in features] == [published["shown"].code]
    feature = features[0]
    assert feature["geometry"]["type"] == "Point"
    assert feature["properties"]["category"] == "Giao thông"
    assert feature["properties"]["status"] == "answered"
    assert SECRET_PHONE not in response.content.decode()


def test_a_phone_or_email_typed_into_an_unredacted_text_is_masked(client, category, inside, clerk):
    report = actions.submit_report(
        category=category, description=f"Cống tràn, liên hệ {SECRET_PHONE} hoặc {SECRET_EMAIL}", **inside
    )
    report = actions.answer_report(report=actions.accept_report(report=report, actor=clerk), actor=clerk, answer="Xong")
    page = client.get(reverse("feedback:public_list")).content.decode()
    assert "Cống tràn, liên hệ" in page
    assert SECRET_PHONE not in page and SECRET_EMAIL not in page
