"""A citizen's photo is public only after staff review it: with the answer, or approved earlier (issue 3)."""

import importlib
import io

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from tinhso.core.audit import AuditEntry
from tinhso.core.testing import make_user
from tinhso.feedback import actions
from tinhso.feedback.models import Attachment, Report
from tinhso.feedback.views_public import SESSION_CODES

OPEN311 = "/open311/v2"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def photo(name: str = "anh.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "orange").save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def file_url(item: Attachment) -> str:
    return reverse("feedback:file", args=[item.pk])


def answer(report: Report, clerk) -> Report:
    report = actions.accept_report(report=report, actor=clerk)
    return actions.answer_report(report=report, actor=clerk, answer="Đã vá ổ gà.")


def open311_item(client, report: Report, **params) -> dict:
    [item] = client.get(f"{OPEN311}/requests/{report.code}.json", params).json()
    return item


def open311_list(client, **params) -> dict:
    return {i["service_request_id"]: i for i in client.get(f"{OPEN311}/requests.json", params).json()}


@pytest.fixture
def case(category, inside):
    return actions.submit_report(category=category, description="Ổ gà sâu", photos=[photo()], **inside)


def test_an_unanswered_cases_photo_is_on_no_public_surface(client, case):
    item = case.attachments.get()
    assert item.is_public and not item.published and item.reviewed_at is None
    assert client.get(file_url(item)).status_code == 404
    page = client.get(reverse("feedback:track", args=[case.code])).content.decode()
    assert case.code in page and file_url(item) not in page
    assert case.code not in client.get(reverse("feedback:public_list")).content.decode()
    assert case.code not in client.get(reverse("feedback:public_geojson")).content.decode()
    assert open311_item(client, case)["media_url"] is None
    assert open311_item(client, case, extensions="true")["media_url"] is None
    assert open311_list(client)[case.code]["media_url"] is None
    assert open311_list(client, extensions="true")[case.code]["media_url"] is None


def test_the_answer_publishes_the_photo_everywhere(client, case, clerk):
    item = case.attachments.get()
    report = answer(case, clerk)
    item.refresh_from_db()
    assert item.published and item.reviewed_at == report.answered_at
    assert client.get(file_url(item)).status_code == 200
    assert file_url(item) in client.get(reverse("feedback:track", args=[case.code])).content.decode()
    assert file_url(item) in client.get(reverse("feedback:public_list")).content.decode()
    features = client.get(reverse("feedback:public_geojson")).json()["features"]
    assert [f["properties"]["report_code"] for f in features] == [case.code]
    assert open311_item(client, case)["media_url"].endswith(file_url(item))
    assert open311_list(client, extensions="true")[case.code]["media_url"].endswith(file_url(item))
    entry = AuditEntry.objects.get(action="feedback.answer", object_id=str(case.pk))
    assert entry.extra["published_attachments"] == [item.pk]


def test_a_hidden_photo_is_never_published(client, case, clerk):
    item = case.attachments.get()
    actions.set_attachment_public(attachment=item, actor=clerk, is_public=False)
    with pytest.raises(ValidationError):
        actions.approve_attachment(attachment=item, actor=clerk)
    answer(case, clerk)
    item.refresh_from_db()
    assert not item.is_shown
    assert client.get(file_url(item)).status_code == 404
    assert file_url(item) not in client.get(reverse("feedback:track", args=[case.code])).content.decode()
    page = client.get(reverse("feedback:public_list")).content.decode()
    assert case.code in page and file_url(item) not in page
    assert open311_item(client, case, extensions="true")["media_url"] is None


def test_a_photo_added_after_the_answer_waits_for_review(client, case, clerk):
    report = answer(case, clerk)
    late = actions.add_attachment(report=report, upload=photo("muon.jpg"), kind=Attachment.Kind.PHOTO)
    first = report.attachments.exclude(pk=late.pk).get()
    page = client.get(reverse("feedback:public_list")).content.decode()
    assert file_url(first) in page and file_url(late) not in page
    assert open311_item(client, report)["media_url"].endswith(file_url(first))
    assert client.get(file_url(late)).status_code == 404


def test_staff_approve_a_photo_before_the_answer_and_it_is_audited(client, case, clerk):
    item = case.attachments.get()
    actions.approve_attachment(attachment=item, actor=clerk)
    item.refresh_from_db()
    assert item.is_shown and item.reviewed_at is not None
    entry = AuditEntry.objects.get(action="feedback.attachment.approve", object_id=str(case.pk))
    assert entry.extra == {"attachment": item.pk} and entry.changes == {"published": [False, True]}
    assert client.get(file_url(item)).status_code == 200
    assert file_url(item) in client.get(reverse("feedback:track", args=[case.code])).content.decode()
    assert open311_item(client, case)["media_url"].endswith(file_url(item))
    actions.approve_attachment(attachment=item, actor=clerk)  # twice: nothing more to record
    assert AuditEntry.objects.filter(action="feedback.attachment.approve").count() == 1


def test_another_agencys_clerk_cannot_approve(client, case, clerk_elsewhere):
    item = case.attachments.get()
    with pytest.raises(PermissionDenied):
        actions.approve_attachment(attachment=item, actor=clerk_elsewhere)
    client.force_login(clerk_elsewhere)
    url = reverse("feedback:case_action", args=[case.code, "duyet-anh"])
    assert client.post(url, {"attachment": item.pk, "public": "1"}).status_code == 404
    item.refresh_from_db()
    assert not item.published
    assert not AuditEntry.objects.filter(action="feedback.attachment.approve").exists()


@pytest.mark.parametrize("persona", ["anonymous", "citizen"])
def test_the_public_cannot_approve(client, case, persona):
    if persona == "citizen":
        client.force_login(make_user("Nguyễn Văn Dân"))
    url = reverse("feedback:case_action", args=[case.code, "duyet-anh"])
    response = client.post(url, {"attachment": case.attachments.get().pk, "public": "1"})
    assert response.status_code in (302, 403, 404)
    assert not case.attachments.get().published


def test_the_staff_page_shows_the_review_state_and_approves(client, case, clerk):
    item = case.attachments.get()
    client.force_login(clerk)
    page = client.get(reverse("feedback:case", args=[case.code])).content.decode()
    assert "Chờ duyệt" in page and "Duyệt công khai ngay" in page
    url = reverse("feedback:case_action", args=[case.code, "duyet-anh"])
    response = client.post(url, {"attachment": item.pk, "public": "1"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.is_shown
    page = client.get(reverse("feedback:case", args=[case.code])).content.decode()
    assert "Duyệt công khai ngay" not in page


def test_showing_a_hidden_photo_again_is_a_review(client, case, clerk):
    item = case.attachments.get()
    actions.set_attachment_public(attachment=item, actor=clerk, is_public=False)
    actions.set_attachment_public(attachment=item, actor=clerk, is_public=True)
    item.refresh_from_db()
    assert item.is_shown
    entry = AuditEntry.objects.filter(action="feedback.attachment.visibility").latest("pk")
    assert entry.changes == {"is_public": [False, True], "published": [False, True]}


def test_the_reporter_still_sees_their_own_photos(client, category, inside):
    owner = make_user("Trần Thị Chủ")
    report = actions.submit_report(category=category, description="Ổ gà", photos=[photo()], reporter=owner, **inside)
    item = report.attachments.get()
    client.force_login(owner)
    assert client.get(file_url(item)).status_code == 200
    assert file_url(item) in client.get(reverse("feedback:track", args=[report.code])).content.decode()
    client.logout()
    assert client.get(file_url(item)).status_code == 404


def test_the_browser_that_filed_the_case_sees_its_photos(client, case):
    item = case.attachments.get()
    session = client.session
    session[SESSION_CODES] = [case.code]
    session.save()
    assert client.get(file_url(item)).status_code == 200
    page = client.get(reverse("feedback:track", args=[case.code])).content.decode()
    assert file_url(item) in page and "Ảnh chưa được cán bộ duyệt" in page


def test_the_data_migration_publishes_only_answered_cases(case, category, inside, clerk):
    answered = answer(
        actions.submit_report(category=category, description="Đã xong", photos=[photo()], **inside), clerk
    )
    Attachment.objects.update(published=False, reviewed_at=None)
    migration = importlib.import_module("tinhso.feedback.migrations.0008_publish_reviewed_photos")
    migration.publish_answered(apps, None)
    done = answered.attachments.get()
    assert done.published and done.reviewed_at == answered.answered_at
    assert not case.attachments.get().published
