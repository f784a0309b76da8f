import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tinhso.core.models import Agency, Role
from tinhso.core.testing import make_agency, make_member
from tinhso.feedback import actions
from tinhso.feedback.models import Attachment, Event, Level, Report

URL = "feedback:operator"
CALLER = "0912 888 777"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def wav() -> SimpleUploadedFile:
    return SimpleUploadedFile("cuoc-goi.wav", b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 64, content_type="audio/wav")


def call(category, inside, **extra) -> dict:
    return {
        "token": str(uuid.uuid4()),
        "reporter_phone": CALLER,
        "reporter_name": "Bùi Văn Gọi",
        "category": category.pk,
        "description": "Cây đổ chắn ngang đường Lương Ngọc Quyến",
        "address": "",
        "lon": inside["lon"],
        "lat": inside["lat"],
        **extra,
    }


@pytest.fixture
def province_leader(db):
    office = make_agency("UBND-TINH", "UBND tỉnh", kind=Agency.Kind.PROVINCE_COMMITTEE)
    return make_member(Role.PROVINCE_LEADER, office, "Lãnh Đạo Tỉnh")


def test_the_console_opens_for_operators_and_province_wide_roles(client, operator, province_leader, admin_user):
    for user in (operator, province_leader, admin_user):
        client.force_login(user)
        response = client.get(reverse(URL))
        assert response.status_code == 200
        page = response.content.decode()
        assert 'name="token"' in page and 'data-map="pick"' in page
        assert f'hx-get="{reverse("feedback:operator_lookup")}"' in page


@pytest.mark.parametrize("name", ["feedback:operator", "feedback:operator_lookup"])
def test_the_console_refuses_clerks_and_citizens_and_sends_visitors_to_sign_in(client, clerk, citizen, name):
    assert client.get(reverse(name))["Location"].startswith(reverse("login"))
    assert client.post(reverse(name))["Location"].startswith(reverse("login"))
    for user in (clerk, citizen):
        client.force_login(user)
        assert client.get(reverse(name)).status_code == 403
        assert client.post(reverse(name)).status_code in (403, 405)


def test_a_call_becomes_a_hotline_case_received_by_the_operator(client, operator, category, inside, agency):
    client.force_login(operator)
    response = client.post(reverse(URL), call(category, inside, urgent="on"), follow=True)
    report = Report.objects.get()
    assert report.channel == Report.Channel.HOTLINE
    assert report.received_by == operator
    assert report.reporter_phone == "0912888777" and report.reporter_name == "Bùi Văn Gọi"
    assert report.level == Level.URGENT
    assert report.agency == agency and report.status == Report.Status.NEW
    assert report.events.get(kind=Event.Kind.SUBMITTED).actor == operator
    page = response.content.decode()
    assert report.code in page and "Đã ghi nhận phản ánh" in page


def test_a_repeated_submission_of_the_same_form_never_makes_a_second_case(client, operator, category, inside):
    client.force_login(operator)
    data = call(category, inside)
    client.post(reverse(URL), data)
    response = client.post(reverse(URL), data, follow=True)
    assert Report.objects.count() == 1
    assert "Cuộc gọi này đã được ghi nhận" in response.content.decode()


def test_the_recording_is_kept_privately(client, operator, category, inside):
    client.force_login(operator)
    client.post(reverse(URL), {**call(category, inside), "recording": wav()})
    recording = Report.objects.get().attachments.get()
    assert recording.kind == Attachment.Kind.RECORDING
    assert recording.content_type == "audio/wav"
    assert recording.is_public is False
    assert recording.uploaded_by == operator


def test_a_file_that_is_not_a_recording_is_refused_and_no_case_is_stored(client, operator, category, inside):
    client.force_login(operator)
    fake = SimpleUploadedFile("cuoc-goi.wav", b"<html>not audio</html>", content_type="audio/wav")
    response = client.post(reverse(URL), {**call(category, inside), "recording": fake})
    assert response.status_code == 400
    assert "Tệp ghi âm phải là WAV, MP3, OGG hoặc FLAC." in response.content.decode()
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"description": ""}, "Vui lòng mô tả nội dung phản ánh."),
        ({"lon": "", "lat": "", "address": ""}, "Vui lòng chọn vị trí trên bản đồ hoặc nhập địa chỉ."),
        ({"lon": "100.0", "lat": "10.0"}, "Vị trí nằm ngoài địa bàn tỉnh."),
        ({"reporter_phone": "12345"}, "Số điện thoại không hợp lệ"),
        ({"category": "999999"}, "Lĩnh vực không hợp lệ."),
        ({"token": "không-phải-mã"}, "Phiên nhập liệu không hợp lệ"),
        ({"lon": "abc"}, "Kinh độ sai."),
    ],
)
def test_bad_input_comes_back_with_a_vietnamese_message(client, operator, category, inside, change, message):
    client.force_login(operator)
    response = client.post(reverse(URL), {**call(category, inside), **change})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Report.objects.exists()


def test_the_operator_can_accept_and_assign_at_once(client, operator, category, inside, other_agency):
    client.force_login(operator)
    client.post(reverse(URL), call(category, inside, accept_now="on", agency=other_agency.pk))
    report = Report.objects.get()
    assert report.status == Report.Status.ASSIGNED and report.agency == other_agency
    assert report.accepted_at is not None


def test_an_agency_without_accepting_is_explained(client, operator, category, inside, other_agency):
    client.force_login(operator)
    response = client.post(reverse(URL), call(category, inside, agency=other_agency.pk))
    assert response.status_code == 400
    assert "Tiếp nhận ngay" in response.content.decode()
    assert not Report.objects.exists()


def test_the_console_lists_the_operators_recent_calls(client, operator, category, inside):
    client.force_login(operator)
    client.post(reverse(URL), call(category, inside))
    page = client.get(reverse(URL)).content.decode()
    assert reverse("feedback:case", args=[Report.objects.get().code]) in page


def test_the_lookup_shows_the_callers_earlier_cases(client, operator, category, inside):
    earlier = actions.submit_report(category=category, description="Đèn hỏng", reporter_phone="0912888777", **inside)
    stranger = actions.submit_report(category=category, description="Rác", reporter_phone="0977000111", **inside)
    client.force_login(operator)
    url = reverse("feedback:operator_lookup")
    for typed in ("0912 888 777", "+84912888777", "0912888"):
        page = client.get(url, {"reporter_phone": typed}).content.decode()
        assert earlier.code in page and stranger.code not in page, typed
    assert "<html" not in page
    assert earlier.code not in client.get(url, {"reporter_phone": "09"}).content.decode()
    assert "Chưa có phản ánh nào với số này." in client.get(url, {"reporter_phone": "0900000000"}).content.decode()


def test_the_navigation_shows_each_role_its_way_in(client, operator, clerk, citizen):
    inbox, console = reverse("feedback:inbox"), reverse("feedback:operator")
    client.force_login(operator)
    page = client.get(reverse("home")).content.decode()
    assert inbox in page and console in page
    client.force_login(clerk)
    page = client.get(reverse("home")).content.decode()
    assert inbox in page and console not in page
    client.force_login(citizen)
    page = client.get(reverse("home")).content.decode()
    assert inbox not in page and console not in page
