import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tinhso.core.models import AuditEntry
from tinhso.indicators import actions, periods
from tinhso.indicators.entry import parse_number, vi_number
from tinhso.indicators.models import Indicator, Status, Submission, SubmissionEvent, Value

MARCH = periods.month(2025, 3)
URL = "/chi-tieu/bo-so-lieu/sxd-thang/2025-03/"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1.030,5", "1030.5"), ("1030,5", "1030.5"), ("20.000", "20000"), ("-3,25", "-3.25"), (" 7 ", "7"), ("", None)],
)
def test_it_reads_vietnamese_numbers(text, expected):
    assert parse_number(text) == (None if expected is None else Decimal(expected))


@pytest.mark.parametrize("text", ["1.03", "1,030.5", "abc", "1..0", "12,"])
def test_it_refuses_ambiguous_or_foreign_numbers(text):
    with pytest.raises(ValueError, match="không phải là số"):
        parse_number(text)


def test_it_writes_numbers_as_clerks_type_them():
    assert [vi_number(Decimal(x)) for x in ("1030.5000", "20000", "-1234567.25", "0")] == [
        "1.030,5",
        "20.000",
        "-1.234.567,25",
        "0",
    ]


@pytest.fixture
def february(dataset, province):
    """February's approved figure, so March can be compared with it."""
    indicator = Indicator.objects.get(code="xd-von")
    actions.record_value(
        indicator=indicator,
        period=periods.month(2025, 2),
        unit=province,
        value="100",
        status=Status.OFFICIAL,
        source="x",
        actor=None,
    )
    return indicator


def _data(von="", nha="", ok=False):
    data = {"v-xd-von-19": von, "v-xd-nha-19": nha}
    if ok:
        data["ok-xd-von-19"] = "1"
        data["note-xd-von-19"] = "Khởi công dự án lớn"
    return data


def test_a_draft_may_be_incomplete_but_a_submission_may_not(dataset, clerk):
    submission = actions.open_submission(dataset=dataset, period=MARCH)
    actions.save_entries(submission=submission, data=_data(nha="12"), actor=clerk)
    with pytest.raises(ValidationError) as caught:
        actions.save_entries(submission=submission, data=_data(nha="12"), actor=clerk, final=True)
    assert [c.errors for c in caught.value.cells] == [["Bắt buộc nhập."], []]
    submission.refresh_from_db()
    assert submission.state == Submission.State.DRAFT
    assert submission.entries.get(indicator__code="xd-nha").value == 12


def test_out_of_range_is_refused_and_nothing_is_written(dataset, clerk):
    submission = actions.open_submission(dataset=dataset, period=MARCH)
    with pytest.raises(ValidationError) as caught:
        actions.save_entries(submission=submission, data=_data(von="200.000", nha="-1"), actor=clerk)
    assert caught.value.cells[0].errors == ["Không được lớn hơn 100.000."]
    assert caught.value.cells[1].errors == ["Không được nhỏ hơn 0."]
    assert not submission.entries.exists()


def test_a_jump_must_be_confirmed_before_submission(dataset, clerk, february):
    submission = actions.open_submission(dataset=dataset, period=MARCH)
    with pytest.raises(ValidationError) as caught:
        actions.save_entries(submission=submission, data=_data(von="1.030,5"), actor=clerk, final=True)
    assert "cần đánh dấu xác nhận" in caught.value.cells[0].errors[0]
    actions.save_entries(submission=submission, data=_data(von="1.030,5", ok=True), actor=clerk, final=True)
    submission.refresh_from_db()
    entry = submission.entries.get(indicator=february)
    assert (submission.state, entry.value, entry.jump_confirmed, entry.note) == (
        "submitted",
        Decimal("1030.5"),
        True,
        "Khởi công dự án lớn",
    )


def test_a_small_change_needs_no_confirmation(dataset, clerk, february):
    submission = actions.open_submission(dataset=dataset, period=MARCH)
    actions.save_entries(submission=submission, data=_data(von="110"), actor=clerk, final=True)
    assert Submission.objects.get().state == "submitted"


def test_approval_records_values_and_locks(dataset, clerk, leader, province):
    submission = actions.open_submission(dataset=dataset, period=MARCH)
    actions.save_entries(submission=submission, data=_data(von="50", nha="7"), actor=clerk, final=True)
    actions.approve_submission(submission=submission, actor=leader)
    value = Value.objects.get(indicator__code="xd-von", period_start=MARCH.start, unit=province)
    assert (value.value, value.status, value.recorded_by) == (Decimal(50), Status.PRELIMINARY, leader)
    with pytest.raises(ValidationError, match="khóa"):
        actions.save_entries(submission=submission, data=_data(von="51"), actor=clerk)
    with pytest.raises(ValidationError):
        actions.reopen_submission(submission=submission, actor=leader, reason=" ")
    actions.reopen_submission(submission=submission, actor=leader, reason="Cục Thống kê điều chỉnh")
    actions.save_entries(submission=submission, data=_data(von="51", nha="7"), actor=clerk, final=True)
    actions.approve_submission(submission=submission, actor=leader)
    value.refresh_from_db()
    assert (value.value, value.version) == (Decimal(51), 2)
    kinds = list(SubmissionEvent.objects.values_list("kind", flat=True))
    assert kinds == ["saved", "submitted", "approved", "reopened", "saved", "submitted", "approved"]
    assert SubmissionEvent.objects.get(kind="reopened").reason == "Cục Thống kê điều chỉnh"
    assert AuditEntry.objects.filter(action="indicators.submission_reopened").exists()


def test_a_leader_may_send_back_with_a_reason(dataset, clerk, leader):
    submission = actions.open_submission(dataset=dataset, period=MARCH)
    actions.save_entries(submission=submission, data=_data(von="50"), actor=clerk, final=True)
    with pytest.raises(ValidationError):
        actions.return_submission(submission=submission, actor=leader, reason="")
    actions.return_submission(submission=submission, actor=leader, reason="Thiếu số nhà ở")
    submission.refresh_from_db()
    assert (submission.state, submission.return_reason) == ("returned", "Thiếu số nhà ở")


def test_only_the_agency_enters_and_only_its_leader_approves(dataset, clerk, clerk_elsewhere, leader, citizen):
    submission = actions.open_submission(dataset=dataset, period=MARCH)
    for person in (clerk_elsewhere, citizen, leader):
        with pytest.raises(PermissionDenied):
            actions.save_entries(submission=submission, data=_data(von="1"), actor=person)
    actions.save_entries(submission=submission, data=_data(von="1"), actor=clerk, final=True)
    for person in (clerk_elsewhere, citizen, clerk):
        with pytest.raises(PermissionDenied):
            actions.approve_submission(submission=submission, actor=person)


def test_overdue_reports_are_marked_once_and_the_agency_is_emailed(dataset):
    from tinhso.core.models import Notification

    dataset.agency.email = "sxd@thainguyen.gov.vn"
    dataset.agency.save()
    assert actions.mark_overdue(today=dt.date(2025, 4, 11)) == 2
    assert actions.mark_overdue(today=dt.date(2025, 4, 12)) == 0
    assert SubmissionEvent.objects.filter(kind="overdue").count() == 2
    mails = list(Notification.objects.order_by("id"))
    assert [m.recipient for m in mails] == ["sxd@thainguyen.gov.vn"] * 2
    assert "quá hạn nộp ngày 10/04/2025" in mails[0].body and mails[0].subject.startswith("Quá hạn báo cáo")


# --- Views ---------------------------------------------------------------------------------------------------


def test_the_clerk_fills_the_form_confirms_the_jump_and_the_leader_approves(client, dataset, clerk, leader, february):
    client.force_login(clerk)
    page = client.get(URL)
    assert page.status_code == 200 and 'name="v-xd-von-19"' in page.text and "Lưu nháp" in page.text
    page = client.post(URL, {**_data(von="1.030,5"), "action": "submit"})
    assert page.status_code == 200 and 'name="ok-xd-von-19"' in page.text and "cần đánh dấu xác nhận" in page.text
    assert not Submission.objects.exists()  # the refused first draft left nothing behind
    assert client.post(URL, {**_data(von="1.030,5", ok=True), "action": "submit"}).status_code == 302
    assert "Phê duyệt" not in client.get(URL).text
    client.force_login(leader)
    assert 'id="btn-approve"' in client.get(URL).text
    assert client.post(URL, {"action": "approve"}).status_code == 302
    assert Submission.objects.get().state == "approved"
    assert Value.objects.get(indicator=february, period_start=MARCH.start).value == Decimal("1030.5")


def test_the_list_shows_the_agencys_data_sets_and_due_dates(client, dataset, clerk):
    client.force_login(clerk)
    page = client.get(reverse("indicators:datasets"))
    assert page.status_code == 200 and "Xây dựng hằng tháng" in page.text


@pytest.mark.parametrize(
    "url",
    [
        "/chi-tieu/bo-so-lieu/",
        URL,
        URL + "tai-ve.xlsx",
        "/chi-tieu/bo-so-lieu/sxd-thang/2025-03/tai-ve.csv",
    ],
)
def test_every_staff_view_refuses_the_wrong_people(client, dataset, clerk_elsewhere, citizen, url):
    assert client.get(url).status_code == 302  # anonymous: to the sign-in page
    client.force_login(citizen)
    assert client.get(url).status_code == 403
    client.force_login(clerk_elsewhere)
    page = client.get(url)
    assert page.status_code == 403 or (url.endswith("bo-so-lieu/") and "Xây dựng hằng tháng" not in page.text)


def test_other_agencys_clerk_cannot_post_or_upload(client, dataset, clerk_elsewhere, citizen):
    for person in (clerk_elsewhere, citizen):
        client.force_login(person)
        assert client.post(URL, {**_data(von="1"), "action": "save"}).status_code == 403
        upload = io.BytesIO(b"x")
        upload.name = "a.csv"
        assert client.post("/chi-tieu/bo-so-lieu/sxd-thang/nhap-tep/", {"file": upload}).status_code == 403
    assert not Submission.objects.exists()


def test_public_pages_show_only_public_indicators(client, dataset):
    Indicator.objects.filter(code="xd-nha").update(is_public=False)
    page = client.get("/chi-tieu/")
    assert "Vốn đầu tư xây dựng" in page.text and "Nhà ở hoàn thành" not in page.text
    assert client.get("/chi-tieu/xd-nha/").status_code == 404
    assert client.get("/chi-tieu/xd-von/").status_code == 200
