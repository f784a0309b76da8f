import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from tinhso.core.models import AuditEntry, Role
from tinhso.core.privacy import mask_phone
from tinhso.core.testing import make_member
from tinhso.feedback import actions
from tinhso.feedback.models import Attachment, Category, Event, Extension, Report, ResponseTemplate
from tinhso.feedback.views_staff import CASE_ACTIONS

PHONE = "0987654321"
EMAIL = "nguoidan.thu@example.vn"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def photo(name="anh.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "orange").save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def pdf(name="bien-ban.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf"
    )


def submit(category, inside, **extra) -> Report:
    fields = {
        "category": category,
        "description": "Ổ gà lớn trước số 12 đường Hoàng Văn Thụ",
        "reporter_name": "Nguyễn Thị Hoa",
        "reporter_phone": PHONE,
        "reporter_email": EMAIL,
        **inside,
        **extra,
    }
    return actions.submit_report(**fields)


@pytest.fixture
def case(category, inside):
    """A new case of the clerk's agency, with a photo."""
    return submit(category, inside, photos=[photo()])


@pytest.fixture
def accepted(case, clerk):
    return actions.accept_report(report=case, actor=clerk)


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client


def case_url(report, name="feedback:case", *extra):
    return reverse(name, args=[report.code, *extra])


# --- Who gets in ---------------------------------------------------------------------------------------------


def _view_urls(report):
    attachment = report.attachments.get()
    return [
        ("get", reverse("feedback:inbox")),
        ("get", case_url(report)),
        ("get", case_url(report, "feedback:case_point")),
        ("get", case_url(report, "feedback:case_attachment", attachment.pk)),
        ("post", case_url(report, "feedback:case_contact")),
        ("post", reverse("feedback:bulk_assign")),
        *[("post", case_url(report, "feedback:case_action", slug)) for slug in CASE_ACTIONS],
    ]


def test_anonymous_visitors_are_sent_to_sign_in_everywhere(client, case):
    for method, url in _view_urls(case):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_citizens_are_refused_everywhere(client, case, citizen):
    login(client, citizen)
    for method, url in _view_urls(case):
        assert getattr(client, method)(url).status_code == 403, url


def test_a_clerk_of_another_agency_never_learns_the_case_exists(client, case, clerk_elsewhere):
    login(client, clerk_elsewhere)
    for method, url in _view_urls(case):
        if url in (reverse("feedback:inbox"), reverse("feedback:bulk_assign")):
            continue
        assert getattr(client, method)(url, {"text": "x", "agency": case.agency_id}).status_code == 404, url
    inbox = client.get(reverse("feedback:inbox"), {"status": "all"})
    assert inbox.status_code == 200
    assert case.code not in inbox.content.decode()
    case.refresh_from_db()
    assert case.status == Report.Status.NEW
    assert not case.events.filter(kind=Event.Kind.NOTE).exists()


def test_the_clerk_of_the_agency_opens_every_view(client, case, clerk):
    login(client, clerk)
    for method, url in _view_urls(case):
        if method == "get":
            assert client.get(url).status_code == 200, url


def test_the_operator_sees_every_case_as_the_dispatch_centre(client, case, operator):
    login(client, operator)
    assert case.code in client.get(reverse("feedback:inbox")).content.decode()
    page = client.get(case_url(case)).content.decode()
    assert f'action="{case_url(case, "feedback:case_action", "tiep-nhan")}"' in page
    # Answering is the agency's work, not the call centre's.
    assert case_url(case, "feedback:case_action", "tra-loi") not in page


def test_the_operator_cannot_answer_a_case(client, accepted, operator):
    login(client, operator)
    response = client.post(case_url(accepted, "feedback:case_action", "tra-loi"), {"answer": "Đã sửa."})
    assert response.status_code == 403
    accepted.refresh_from_db()
    assert accepted.status == Report.Status.ACCEPTED


def test_a_shared_case_opens_for_the_other_agency(client, case, clerk, clerk_elsewhere, other_agency):
    actions.share_report(report=case, actor=clerk, agency=other_agency)
    login(client, clerk_elsewhere)
    assert client.get(case_url(case)).status_code == 200
    assert case.code in client.get(reverse("feedback:inbox")).content.decode()


# --- Inbox ---------------------------------------------------------------------------------------------------


def codes_in(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_the_inbox_filters_by_status_category_channel_and_commune(
    client, clerk, category, commune, inside, agency, commune_committee
):
    road = submit(category, inside)
    other_category = Category.objects.create(code="chieu-sang", name="Chiếu sáng", default_agency=agency)
    light = submit(other_category, {}, address="Tổ 5, xã Khác", channel=Report.Channel.HOTLINE)
    actions.accept_report(report=light, actor=clerk)
    login(client, clerk)
    url = reverse("feedback:inbox")
    page = codes_in(client.get(url, {"category": category.pk}))
    assert road.code in page and light.code not in page
    page = codes_in(client.get(url, {"status": "accepted"}))
    assert light.code in page and road.code not in page
    page = codes_in(client.get(url, {"channel": "hotline"}))
    assert light.code in page and road.code not in page
    page = codes_in(client.get(url, {"unit": commune.pk}))
    assert road.code in page and light.code not in page


def test_search_finds_words_with_or_without_diacritics(client, clerk, category, inside):
    wanted = submit(category, inside, description="Đèn đường hỏng ở ngõ 7")
    other = submit(category, inside, description="Rác thải ứ đọng")
    login(client, clerk)
    for query in ("đèn đường", "den duong", "DEN   Đuong"):
        page = codes_in(client.get(reverse("feedback:inbox"), {"q": query}))
        assert wanted.code in page and other.code not in page, query
    assert wanted.code in codes_in(client.get(reverse("feedback:inbox"), {"q": wanted.code.lower()}))


def test_the_date_range_reads_vietnamese_dates(client, clerk, category, inside):
    old = submit(category, inside)
    Report.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=40))
    new = submit(category, inside)
    login(client, clerk)
    since = (timezone.localdate() - dt.timedelta(days=2)).strftime("%d/%m/%Y")
    page = codes_in(client.get(reverse("feedback:inbox"), {"date_from": since}))
    assert new.code in page and old.code not in page
    until = (timezone.localdate() - dt.timedelta(days=30)).strftime("%d/%m/%Y")
    page = codes_in(client.get(reverse("feedback:inbox"), {"date_to": until}))
    assert old.code in page and new.code not in page


def test_bad_filter_values_get_a_message_not_an_error(client, clerk, case):
    login(client, clerk)
    response = client.get(
        reverse("feedback:inbox"),
        {"date_from": "2025-13-45", "status": "nonsense", "category": "abc", "page": "x", "agency": "999999"},
    )
    page = codes_in(response)
    assert "Ngày phải có dạng dd/mm/yyyy." in page
    assert case.code in page


def test_overdue_and_near_due_cases_are_flagged_in_words(client, clerk, category, inside):
    late = submit(category, inside)
    Report.objects.filter(pk=late.pk).update(accept_due_at=timezone.now() - dt.timedelta(hours=1))
    soon = submit(category, inside)
    Report.objects.filter(pk=soon.pk).update(accept_due_at=timezone.now() + dt.timedelta(minutes=30))
    calm = submit(category, inside)
    Report.objects.filter(pk=calm.pk).update(accept_due_at=timezone.now() + dt.timedelta(days=30))
    login(client, clerk)
    page = codes_in(client.get(reverse("feedback:inbox"), {"due": "overdue"}))
    assert late.code in page and soon.code not in page and calm.code not in page
    assert "Quá hạn" in page
    page = codes_in(client.get(reverse("feedback:inbox"), {"due": "near"}))
    assert soon.code in page and late.code not in page and calm.code not in page
    assert "Sắp đến hạn" in page


def test_the_default_order_puts_the_nearest_deadline_first(client, clerk, category, inside):
    later = submit(category, inside)
    sooner = submit(category, inside)
    Report.objects.filter(pk=sooner.pk).update(accept_due_at=later.accept_due_at - dt.timedelta(hours=3))
    login(client, clerk)
    page = codes_in(client.get(reverse("feedback:inbox")))
    assert page.index(sooner.code) < page.index(later.code)
    page = codes_in(client.get(reverse("feedback:inbox"), {"sort": "new"}))
    assert page.index(sooner.code) < page.index(later.code)  # also the newest
    page = codes_in(client.get(reverse("feedback:inbox"), {"sort": "old"}))
    assert page.index(later.code) < page.index(sooner.code)


def test_an_htmx_request_gets_only_the_results(client, clerk, case):
    login(client, clerk)
    response = client.get(reverse("feedback:inbox"), {"q": "ổ gà"}, HTTP_HX_REQUEST="true")
    page = codes_in(response)
    assert case.code in page
    assert "<html" not in page
    full = codes_in(client.get(reverse("feedback:inbox")))
    assert "<html" in full and f'hx-get="{reverse("feedback:inbox")}"' in full


def test_the_inbox_pages(client, clerk, category, inside):
    for _ in range(27):
        submit(category, inside)
    login(client, clerk)
    first = codes_in(client.get(reverse("feedback:inbox")))
    assert "Trang 1/2" in first
    second = codes_in(client.get(reverse("feedback:inbox"), {"page": 2}))
    assert "Trang 2/2" in second


def test_a_member_of_two_agencies_picks_one(client, category, inside, agency, other_agency):
    both = make_member(Role.CLERK, agency, "Chuyên Viên Hai Nơi")
    both.memberships.create(agency=other_agency, role=Role.CLERK)
    ours = submit(category, inside)
    theirs_category = Category.objects.create(code="y-te", name="Y tế", default_agency=other_agency)
    theirs = submit(theirs_category, inside)
    login(client, both)
    page = codes_in(client.get(reverse("feedback:inbox")))
    assert ours.code in page and theirs.code in page
    assert '<select name="agency"' in page
    page = codes_in(client.get(reverse("feedback:inbox"), {"agency": other_agency.pk}))
    assert theirs.code in page and ours.code not in page


def test_a_single_agency_clerk_cannot_pick_another_agency(client, clerk, case, other_agency):
    login(client, clerk)
    page = codes_in(client.get(reverse("feedback:inbox"), {"agency": other_agency.pk}))
    assert case.code in page  # the refused choice is left out, the clerk's own cases remain


# --- Bulk assign ---------------------------------------------------------------------------------------------


def test_bulk_assign_reports_what_was_done_and_what_was_refused(
    client, clerk, category, inside, other_agency, clerk_elsewhere
):
    new = submit(category, inside)
    accepted = actions.accept_report(report=submit(category, inside), actor=clerk)
    rejected = actions.reject_report(
        report=submit(category, inside), actor=clerk, reason="out_of_scope", note="Không thuộc phạm vi"
    )
    foreign_category = Category.objects.create(code="y-te", name="Y tế", default_agency=other_agency)
    foreign = submit(foreign_category, inside)
    login(client, clerk)
    response = client.post(
        reverse("feedback:bulk_assign"),
        {
            "reports": [new.pk, accepted.pk, rejected.pk, foreign.pk],
            "agency": other_agency.pk,
            "next": reverse("feedback:inbox") + "?status=all",
        },
        follow=True,
    )
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("feedback:inbox") + "?status=all"
    assert f"Đã chuyển 2 phản ánh cho {other_agency.name}" in page
    assert rejected.code in page and f"#{foreign.pk}: không tìm thấy" in page
    for report in (new, accepted):
        report.refresh_from_db()
        assert (report.status, report.agency_id) == (Report.Status.ASSIGNED, other_agency.pk)
    foreign.refresh_from_db()
    assert foreign.status == Report.Status.NEW


def test_bulk_assign_without_a_selection_says_so(client, clerk, other_agency):
    login(client, clerk)
    response = client.post(reverse("feedback:bulk_assign"), {"agency": other_agency.pk}, follow=True)
    assert "Vui lòng chọn ít nhất một phản ánh." in response.content.decode()


def test_bulk_assign_never_redirects_off_site(client, clerk, case, other_agency):
    login(client, clerk)
    response = client.post(
        reverse("feedback:bulk_assign"),
        {"reports": [case.pk], "agency": other_agency.pk, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("feedback:inbox")


# --- The case page -------------------------------------------------------------------------------------------


def test_the_case_page_masks_the_contact_until_asked_and_logs_the_look(client, clerk, case):
    login(client, clerk)
    page = codes_in(client.get(case_url(case)))
    assert PHONE not in page and EMAIL not in page and "Nguyễn Thị Hoa" not in page
    assert mask_phone(PHONE) in page
    assert "Xem thông tin liên hệ" in page
    assert not AuditEntry.objects.filter(action="personal_data.view").exists()

    shown = codes_in(client.post(case_url(case, "feedback:case_contact")))
    assert PHONE in shown and EMAIL in shown and "Nguyễn Thị Hoa" in shown
    entry = AuditEntry.objects.get(action="personal_data.view")
    assert entry.actor == clerk and entry.object_id == str(case.pk)
    assert set(entry.extra["fields"]) == {"reporter_name", "reporter_phone", "reporter_email"}

    fragment = codes_in(client.post(case_url(case, "feedback:case_contact"), HTTP_HX_REQUEST="true"))
    assert PHONE in fragment and "<html" not in fragment
    assert AuditEntry.objects.filter(action="personal_data.view").count() == 2


def test_the_case_page_shows_the_map_photos_and_the_timeline(client, clerk, case):
    actions.add_note(report=case, actor=clerk, text="Đã gọi cho đội duy tu")
    login(client, clerk)
    page = codes_in(client.get(case_url(case)))
    assert 'data-map="view"' in page and case_url(case, "feedback:case_point") in page
    assert case_url(case, "feedback:case_attachment", case.attachments.get().pk) in page
    assert "Đã gọi cho đội duy tu" in page
    assert "Nội bộ" in page and "Công khai" in page
    point = client.get(case_url(case, "feedback:case_point")).json()
    assert point["features"][0]["geometry"]["coordinates"] == [case.lon, case.lat]


def test_a_photo_is_served_to_staff_and_a_recording_download_is_logged(client, clerk, case):
    recording = actions.add_attachment(
        report=case,
        upload=SimpleUploadedFile("goi.wav", b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 40),
        kind=Attachment.Kind.RECORDING,
    )
    login(client, clerk)
    response = client.get(case_url(case, "feedback:case_attachment", case.attachments.first().pk))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert not AuditEntry.objects.filter(action="personal_data.view").exists()
    response = client.get(case_url(case, "feedback:case_attachment", recording.pk))
    assert response.status_code == 200 and response["Content-Type"] == "audio/wav"
    assert AuditEntry.objects.filter(action="personal_data.view", actor=clerk).exists()


def test_an_attachment_of_another_case_is_not_found(client, clerk, case, category, inside):
    other = submit(category, inside, photos=[photo()])
    login(client, clerk)
    url = case_url(case, "feedback:case_attachment", other.attachments.get().pk)
    assert client.get(url).status_code == 404


def test_only_the_forms_of_the_current_status_are_offered(client, clerk, case):
    login(client, clerk)
    page = codes_in(client.get(case_url(case)))
    assert case_url(case, "feedback:case_action", "tiep-nhan") in page
    assert case_url(case, "feedback:case_action", "tra-loi") not in page
    actions.accept_report(report=case, actor=clerk)
    page = codes_in(client.get(case_url(case)))
    assert case_url(case, "feedback:case_action", "tiep-nhan") not in page
    assert case_url(case, "feedback:case_action", "tra-loi") in page


def test_a_response_template_prefills_the_answer(client, clerk, accepted, agency, other_agency, category):
    mine = ResponseTemplate.objects.create(agency=agency, category=category, title="Đã sửa", body="Đơn vị đã vá ổ gà.")
    ResponseTemplate.objects.create(title="Chung", body="Cảm ơn ông/bà.")
    theirs = ResponseTemplate.objects.create(agency=other_agency, title="Của sở khác", body="Bí mật sở khác")
    login(client, clerk)
    page = codes_in(client.get(case_url(accepted)))
    assert "Đã sửa" in page and "Chung" in page and "Của sở khác" not in page
    page = codes_in(client.get(case_url(accepted), {"mau": mine.pk}))
    assert "Đơn vị đã vá ổ gà.</textarea>" in page
    page = codes_in(client.get(case_url(accepted), {"mau": theirs.pk}))
    assert "Bí mật sở khác" not in page


# --- Each action from its form -------------------------------------------------------------------------------


def post_action(client, report, slug, data=None, **extra):
    return client.post(case_url(report, "feedback:case_action", slug), data or {}, **extra)


def assert_done(response, report):
    assert response.status_code == 302 and response["Location"] == case_url(report)


def test_accept_with_a_level_and_an_agency(client, clerk, case, other_agency):
    login(client, clerk)
    response = post_action(client, case, "tiep-nhan", {"level": "urgent", "agency": other_agency.pk})
    assert_done(response, case)
    case.refresh_from_db()
    assert (case.status, case.level, case.agency_id) == (Report.Status.ASSIGNED, "urgent", other_agency.pk)
    page = client.get(response["Location"])
    assert page.status_code == 404  # the case went to another agency: it left the clerk's reach


def test_accept_then_work_then_answer_then_close(client, clerk, case):
    login(client, clerk)
    assert_done(post_action(client, case, "tiep-nhan", {"agency": "", "level": ""}), case)
    assert_done(post_action(client, case, "bat-dau"), case)
    assert_done(post_action(client, case, "tra-loi", {"answer": "Đã vá ổ gà ngày 02/01."}), case)
    case.refresh_from_db()
    assert case.status == Report.Status.ANSWERED and case.public_answer == "Đã vá ổ gà ngày 02/01."
    response = post_action(client, case, "dong", follow=True)
    assert "Đã đóng phản ánh." in response.content.decode()
    case.refresh_from_db()
    assert case.status == Report.Status.CLOSED


def test_assign_and_transfer(client, clerk, accepted, other_agency):
    login(client, clerk)
    response = post_action(client, accepted, "chuyen", {"agency": other_agency.pk, "reason": ""})
    assert response.status_code == 400
    assert "Vui lòng ghi lý do chuyển." in response.content.decode()
    response = post_action(client, accepted, "chuyen", {"agency": other_agency.pk, "reason": "Thuộc ngành y tế"})
    assert response.status_code == 302
    accepted.refresh_from_db()
    assert accepted.agency_id == other_agency.pk
    assert accepted.events.filter(kind=Event.Kind.TRANSFERRED, text="Thuộc ngành y tế").exists()


def test_assign_to_the_same_agency_keeps_the_case_in_reach(client, clerk, accepted, agency):
    login(client, clerk)
    assert_done(post_action(client, accepted, "phan-cong", {"agency": agency.pk, "note": "Đội 2"}), accepted)
    accepted.refresh_from_db()
    assert accepted.status == Report.Status.ASSIGNED


def test_an_internal_note_stays_internal(client, clerk, case):
    login(client, clerk)
    assert_done(post_action(client, case, "ghi-chu", {"text": "Chờ xe cẩu"}), case)
    assert case.events.get(kind=Event.Kind.NOTE).is_public is False
    response = post_action(client, case, "ghi-chu", {"text": ""})
    assert response.status_code == 400 and "Ghi chú trống." in response.content.decode()


def test_request_information_then_resume(client, clerk, accepted):
    login(client, clerk)
    assert_done(post_action(client, accepted, "yeu-cau-bo-sung", {"message": "Xin ảnh rõ hơn"}), accepted)
    accepted.refresh_from_db()
    assert accepted.status == Report.Status.WAITING
    assert_done(post_action(client, accepted, "tiep-tuc"), accepted)
    accepted.refresh_from_db()
    assert accepted.status == Report.Status.IN_PROGRESS


def test_reject_needs_a_reason_and_a_note(client, clerk, case):
    login(client, clerk)
    response = post_action(client, case, "tu-choi", {"reason": "bogus", "note": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Lý do không hợp lệ." in page and "Vui lòng giải thích lý do từ chối cho người dân." in page
    assert_done(post_action(client, case, "tu-choi", {"reason": "out_of_scope", "note": "Đường tư nhân"}), case)
    case.refresh_from_db()
    assert case.status == Report.Status.REJECTED and case.rejection_note == "Đường tư nhân"


def test_a_step_out_of_order_is_a_form_error_not_a_crash(client, clerk, case):
    login(client, clerk)
    response = post_action(client, case, "bat-dau")
    assert response.status_code == 400
    assert "Không thể thực hiện khi phản ánh đang ở trạng thái" in response.content.decode()


def test_an_unknown_action_is_not_found(client, clerk, case):
    login(client, clerk)
    assert post_action(client, case, "xoa-het").status_code == 404


def test_an_extension_is_requested_by_the_clerk_and_decided_by_a_leader(client, clerk, leader, accepted):
    login(client, clerk)
    response = post_action(client, accepted, "gia-han", {"new_due_at": "2025-01-01", "reason": "Chờ vật tư"})
    assert response.status_code == 400 and "dd/mm/yyyy HH:MM" in response.content.decode()
    new_due = timezone.localtime(accepted.answer_due_at + dt.timedelta(days=7))
    data = {"new_due_at": new_due.strftime("%d/%m/%Y %H:%M"), "reason": "Chờ vật tư"}
    assert_done(post_action(client, accepted, "gia-han", data), accepted)
    extension = Extension.objects.get(report=accepted)
    assert extension.status == Extension.Status.PENDING
    assert "Duyệt" not in client.get(case_url(accepted)).content.decode().split("Gia hạn</h3>")[1].split("</ul>")[0]

    refused = post_action(client, accepted, "duyet-gia-han", {"extension": extension.pk, "decision": "approve"})
    assert refused.status_code == 403
    extension.refresh_from_db()
    assert extension.status == Extension.Status.PENDING

    client.force_login(leader)
    assert_done(
        post_action(client, accepted, "duyet-gia-han", {"extension": extension.pk, "decision": "approve"}),
        accepted,
    )
    accepted.refresh_from_db()
    assert accepted.answer_due_at == new_due.replace(second=0, microsecond=0)
    again = post_action(client, accepted, "duyet-gia-han", {"extension": extension.pk, "decision": "refuse"})
    assert again.status_code == 400 and "Đề nghị gia hạn này đã được quyết định." in again.content.decode()


def test_a_leader_of_another_agency_cannot_decide(client, clerk, accepted, other_agency):
    extension = actions.request_extension(
        report=accepted,
        actor=clerk,
        new_due_at=accepted.answer_due_at + dt.timedelta(days=3),
        reason="Chờ vật tư",
    )
    stranger = make_member(Role.LEADER, other_agency, "Lãnh Đạo Sở Khác")
    login(client, stranger)
    response = post_action(client, accepted, "duyet-gia-han", {"extension": extension.pk, "decision": "approve"})
    assert response.status_code == 404


def test_merge_into_another_case_by_code(client, clerk, category, inside, other_agency):
    original = submit(category, inside)
    duplicate = submit(category, inside)
    foreign = submit(Category.objects.create(code="y-te", name="Y tế", default_agency=other_agency), inside)
    login(client, clerk)
    for code, message in (
        ("PA-0000-000000", "Không tìm thấy phản ánh có mã này."),
        (foreign.code, "Không tìm thấy phản ánh có mã này."),
        (duplicate.code, "Không thể gộp phản ánh vào chính nó."),
    ):
        response = post_action(client, duplicate, "gop", {"into": code})
        assert response.status_code == 400 and message in response.content.decode()
    assert_done(post_action(client, duplicate, "gop", {"into": " " + original.code.lower()}), duplicate)
    duplicate.refresh_from_db()
    assert duplicate.duplicate_of == original and duplicate.status == Report.Status.REJECTED


def test_share_with_another_agency(client, clerk, case, other_agency):
    login(client, clerk)
    assert_done(post_action(client, case, "phoi-hop", {"agency": other_agency.pk}), case)
    assert case.shares.filter(agency=other_agency).exists()


def test_hide_a_photo_and_redact_the_public_text(client, clerk, case):
    item = case.attachments.get()
    assert item.is_public
    login(client, clerk)
    assert_done(post_action(client, case, "an-hien-tep", {"attachment": item.pk, "public": "0"}), case)
    item.refresh_from_db()
    assert not item.is_public
    assert "Không công khai" in client.get(case_url(case)).content.decode()
    text = "Ổ gà lớn trước nhà dân trên đường Hoàng Văn Thụ"
    assert_done(post_action(client, case, "noi-dung-cong-khai", {"text": text}), case)
    case.refresh_from_db()
    assert case.public_description == text
    assert AuditEntry.objects.filter(action="feedback.public_text", object_id=str(case.pk)).exists()


def test_upload_a_document_and_refuse_a_disguised_file(client, clerk, case):
    login(client, clerk)
    assert_done(post_action(client, case, "dinh-kem", {"kind": "document", "file": pdf()}), case)
    document = case.attachments.get(kind=Attachment.Kind.DOCUMENT)
    assert document.is_public is False and document.uploaded_by == clerk
    assert case.events.filter(kind=Event.Kind.ATTACHMENT).exists()
    fake = SimpleUploadedFile("bien-ban.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = post_action(client, case, "dinh-kem", {"kind": "document", "file": fake})
    assert response.status_code == 400 and "Tài liệu phải là tệp PDF." in response.content.decode()
    assert case.attachments.filter(kind=Attachment.Kind.DOCUMENT).count() == 1
