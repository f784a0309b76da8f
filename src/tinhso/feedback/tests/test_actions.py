import datetime as dt
from typing import ClassVar

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tinhso.core import calendar
from tinhso.core.channels import FakeSmsGateway
from tinhso.core.models import AuditEntry, Notification
from tinhso.core.testing import run_queued_tasks
from tinhso.feedback import actions
from tinhso.feedback.models import DeadlinePolicy, Event, Extension, Level, Report


def submit(category, inside, **extra):
    fields = {"category": category, "description": "Ổ gà lớn trước số 12 đường Hoàng Văn Thụ", **inside}
    fields.update(extra)
    return actions.submit_report(**fields)


def test_a_submitted_report_gets_a_code_a_commune_an_agency_and_an_accept_deadline(category, agency, commune, inside):
    report = submit(category, inside, reporter_phone="0912 345 678")
    assert report.code.startswith(f"PA-{timezone.now():%Y}-")
    assert report.unit == commune
    assert report.agency == agency
    assert report.status == Report.Status.NEW
    assert report.accept_due_at == calendar.add_working_hours(report.created_at, 8, agency=agency)
    assert report.followers.get().phone == "0912345678"
    assert report.events.get().kind == Event.Kind.SUBMITTED
    assert AuditEntry.objects.filter(action="feedback.submit", object_id=str(report.pk)).exists()


def test_codes_follow_each_other(category, inside):
    first = submit(category, inside)
    second = submit(category, inside)
    assert int(second.code.rsplit("-", 1)[1]) == int(first.code.rsplit("-", 1)[1]) + 1


def test_a_category_without_agency_goes_to_the_communes_committee(commune_category, commune_committee, inside):
    assert submit(commune_category, inside).agency == commune_committee


def test_a_routing_rule_for_the_commune_wins(category, other_agency, commune, inside):
    category.rules.create(unit=commune, agency=other_agency)
    assert submit(category, inside).agency == other_agency


def test_the_same_idempotency_key_never_makes_a_second_case(category, inside):
    first = submit(category, inside, idempotency_key="web:abc")
    again = submit(category, inside, idempotency_key="web:abc")
    assert again.pk == first.pk
    assert Report.objects.count() == 1


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"description": "  "}, "description"),
        ({"description": "x" * 4001}, "description"),
        ({"lon": 100.0, "lat": 10.0}, "lat"),
        ({"lon": None, "lat": None}, "address"),
        ({"reporter_phone": "12345"}, "reporter_phone"),
    ],
)
def test_bad_input_is_refused_with_a_vietnamese_message_and_nothing_is_written(category, inside, extra, field):
    with pytest.raises(ValidationError) as caught:
        submit(category, inside, **extra)
    assert field in caught.value.message_dict
    assert Report.objects.count() == 0


def test_the_case_is_kept_when_the_sms_gateway_fails(category, inside, django_capture_on_commit_callbacks):
    FakeSmsGateway.failure = RuntimeError("gateway down")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        report = submit(category, inside, reporter_phone="0912345678")
    run_queued_tasks()
    assert Report.objects.filter(pk=report.pk).exists()
    message = Notification.objects.get(object_id=str(report.pk))
    assert message.status == Notification.Status.FAILED
    assert report.code in message.body


def test_the_whole_life_of_a_case(category, agency, clerk, leader, inside):
    report = submit(category, inside, reporter_phone="0912345678")
    report = actions.accept_report(report=report, actor=clerk)
    assert report.answer_due_at == calendar.add_working_days(report.accepted_at, 3, agency=agency)
    report = actions.start_work(report=report, actor=clerk)
    actions.add_note(report=report, actor=clerk, text="Đã cử cán bộ kiểm tra")
    report = actions.answer_report(report=report, actor=clerk, answer="Đã vá ổ gà ngày 02/12.")
    assert report.status == Report.Status.ANSWERED
    report = actions.rate_report(report=report, rating=Report.Rating.SATISFIED)
    assert report.status == Report.Status.CLOSED
    kinds = list(report.events.values_list("kind", flat=True))
    assert kinds == ["submitted", "accepted", "started", "note", "answered", "rated", "closed"]
    assert not report.events.get(kind="note").is_public


def test_a_clerk_of_another_agency_cannot_touch_the_case(category, inside, clerk_elsewhere):
    report = submit(category, inside)
    for attempt in (
        lambda: actions.accept_report(report=report, actor=clerk_elsewhere),
        lambda: actions.add_note(report=report, actor=clerk_elsewhere, text="x"),
        lambda: actions.reject_report(report=report, actor=clerk_elsewhere, reason="out_of_scope", note="x"),
    ):
        with pytest.raises(PermissionDenied):
            attempt()


def test_a_citizen_cannot_act_as_staff(category, inside, citizen):
    with pytest.raises(PermissionDenied):
        actions.accept_report(report=submit(category, inside), actor=citizen)


def test_a_shared_case_is_in_reach_of_the_other_agency(category, inside, clerk, clerk_elsewhere, other_agency):
    report = actions.accept_report(report=submit(category, inside), actor=clerk)
    actions.share_report(report=report, actor=clerk, agency=other_agency)
    actions.add_note(report=report, actor=clerk_elsewhere, text="Sở Y tế phối hợp kiểm tra")
    assert report.events.filter(kind="note", actor=clerk_elsewhere).exists()


def test_the_operator_accepts_and_assigns_in_one_step(category, inside, operator, other_agency):
    report = actions.accept_report(report=submit(category, inside), actor=operator, agency=other_agency)
    assert report.status == Report.Status.ASSIGNED
    assert report.agency == other_agency


def test_transfer_needs_a_reason_and_moves_the_case(category, inside, clerk, clerk_elsewhere, other_agency):
    report = actions.accept_report(report=submit(category, inside), actor=clerk)
    with pytest.raises(ValidationError):
        actions.transfer_report(report=report, actor=clerk, agency=other_agency, reason=" ")
    report = actions.transfer_report(report=report, actor=clerk, agency=other_agency, reason="Thuộc ngành y tế")
    assert report.agency == other_agency
    with pytest.raises(PermissionDenied):
        actions.add_note(report=report, actor=clerk, text="không còn quyền")
    actions.add_note(report=report, actor=clerk_elsewhere, text="đã nhận")


def test_rejection_needs_a_reason_that_the_citizen_sees(category, inside, clerk):
    report = submit(category, inside)
    with pytest.raises(ValidationError):
        actions.reject_report(report=report, actor=clerk, reason="out_of_scope", note="")
    report = actions.reject_report(report=report, actor=clerk, reason="out_of_scope", note="Thuộc thẩm quyền tòa án")
    event = report.events.get(kind="rejected")
    assert event.is_public and event.text == "Thuộc thẩm quyền tòa án"


def test_waiting_for_the_citizen_pauses_the_answer_clock(category, inside, clerk, citizen, monkeypatch):
    report = submit(category, inside, reporter=citizen)
    report = actions.accept_report(report=report, actor=clerk)
    due = report.answer_due_at
    report = actions.request_information(report=report, actor=clerk, message="Đề nghị gửi ảnh hiện trường")
    paused_at = report.paused_at
    later = calendar.add_working_hours(paused_at, 6, agency=report.agency)
    monkeypatch.setattr(timezone, "now", lambda: later)
    report = actions.resume_report(report=report, actor=citizen, text="Đã bổ sung ảnh")
    waited = calendar.working_time_between(paused_at, later, agency=report.agency)
    assert waited == dt.timedelta(hours=6)
    assert report.answer_due_at == calendar.add_working_hours(due, waited, agency=report.agency)
    assert report.status == Report.Status.IN_PROGRESS


def test_a_waiting_case_is_not_overdue(category, inside, clerk):
    report = actions.accept_report(report=submit(category, inside), actor=clerk)
    report = actions.request_information(report=report, actor=clerk, message="Cần thêm thông tin")
    far_future = report.answer_due_at + dt.timedelta(days=30)
    assert not report.is_overdue(far_future)
    assert not Report.objects.overdue(far_future).exists()


def test_an_unsatisfied_citizen_reopens_the_case_once(category, inside, clerk, citizen):
    report = submit(category, inside, reporter=citizen)
    report = actions.accept_report(report=report, actor=clerk)
    report = actions.answer_report(report=report, actor=clerk, answer="Đã xử lý")
    with pytest.raises(ValidationError):
        actions.rate_report(report=report, rating="unsatisfied", actor=citizen)
    report = actions.rate_report(report=report, rating="unsatisfied", reason="Vẫn còn ổ gà", actor=citizen)
    assert report.status == Report.Status.IN_PROGRESS and report.reopened_count == 1
    report = actions.answer_report(report=report, actor=clerk, answer="Đã vá lại")
    report = actions.rate_report(report=report, rating="unsatisfied", reason="Vẫn chưa tốt", actor=citizen)
    assert report.status == Report.Status.CLOSED and report.reopened_count == 1


def test_only_the_reporter_rates_their_case(category, inside, clerk, citizen, clerk_elsewhere):
    report = submit(category, inside, reporter=citizen)
    report = actions.answer_report(report=actions.accept_report(report=report, actor=clerk), actor=clerk, answer="Xong")
    with pytest.raises(PermissionDenied):
        actions.rate_report(report=report, rating="satisfied", actor=clerk_elsewhere)


def test_an_extension_needs_a_leader(category, inside, clerk, leader):
    report = actions.accept_report(report=submit(category, inside), actor=clerk)
    new_due = report.answer_due_at + dt.timedelta(days=5)
    extension = actions.request_extension(report=report, actor=clerk, new_due_at=new_due, reason="Chờ nhà thầu")
    with pytest.raises(PermissionDenied):
        actions.decide_extension(extension=extension, actor=clerk, approve=True)
    extension = actions.decide_extension(extension=extension, actor=leader, approve=True)
    assert extension.status == Extension.Status.APPROVED
    report.refresh_from_db()
    assert report.answer_due_at == new_due
    assert report.events.filter(kind="extended", is_public=True).exists()


def test_merging_moves_the_followers_to_the_original(category, inside, clerk):
    original = submit(category, inside, reporter_phone="0912000111")
    duplicate = submit(category, inside, reporter_phone="0987654321")
    actions.merge_reports(duplicate=duplicate, into=original, actor=clerk)
    duplicate.refresh_from_db()
    assert duplicate.status == Report.Status.REJECTED and duplicate.duplicate_of == original
    assert set(original.followers.values_list("phone", flat=True)) == {"0912000111", "0987654321"}


def test_urgent_cases_answer_in_working_hours(category, inside, clerk):
    report = actions.accept_report(report=submit(category, inside, level=Level.URGENT), actor=clerk)
    assert report.answer_due_at == calendar.add_working_hours(report.accepted_at, 4, agency=report.agency)


def test_a_category_policy_overrides_the_default(category, inside, clerk):
    DeadlinePolicy.objects.create(category=category, level=Level.NORMAL, accept_hours=4, answer_days=7)
    report = actions.accept_report(report=submit(category, inside), actor=clerk)
    assert report.accept_due_at == calendar.add_working_hours(report.created_at, 4, agency=report.agency)
    assert report.answer_due_at == calendar.add_working_days(report.accepted_at, 7, agency=report.agency)


def test_the_status_machine_refuses_a_step_out_of_order(category, inside, clerk):
    report = submit(category, inside)
    with pytest.raises(ValidationError):
        actions.answer_report(report=report, actor=clerk, answer="Chưa tiếp nhận mà đã trả lời")


# --- The citizen is told at each public step -----------------------------------------------------------------


def _texts(phone="0912345678") -> list[str]:
    return list(Notification.objects.filter(recipient=phone).order_by("id").values_list("subject", "body"))


def test_each_public_step_is_told_to_the_reporter(category, inside, clerk, leader):
    report = submit(category, inside, reporter_phone="0912345678")
    report = actions.accept_report(report=report, actor=clerk)
    report = actions.start_work(report=report, actor=clerk)
    actions.request_information(report=report, actor=clerk, message="Xin số nhà gần nhất.")
    report = actions.resume_report(report=report, actor=clerk, text="Người dân đã gọi 1022 bổ sung.")
    new_due = report.answer_due_at + dt.timedelta(days=5)
    extension = actions.request_extension(report=report, actor=clerk, new_due_at=new_due, reason="Chờ nhà thầu")
    actions.decide_extension(extension=extension, actor=leader, approve=True)
    report = actions.answer_report(report=report, actor=clerk, answer="Đã vá.")
    report = actions.rate_report(report=report, rating=Report.Rating.UNSATISFIED, reason="Vẫn còn ổ gà")
    report = actions.answer_report(report=report, actor=clerk, answer="Đã vá lại.")
    actions.close_report(report=report, actor=clerk)

    bodies = [body for _subject, body in _texts()]
    expected = [
        f"Đã nhận phản ánh {report.code}",
        f"Phản ánh {report.code} đã được tiếp nhận",
        f"Phản ánh {report.code} đang được xử lý",
        f"Phản ánh {report.code} cần bổ sung thông tin",
        f"Phản ánh {report.code} tiếp tục được xử lý",
        f"Phản ánh {report.code} được gia hạn",
        f"Phản ánh {report.code} đã có trả lời",
        f"Phản ánh {report.code} được mở lại",
        f"Phản ánh {report.code} đã có trả lời",
        f"Phản ánh {report.code} đã kết thúc",
    ]
    assert len(bodies) == len(expected)
    for body, title in zip(bodies, expected, strict=True):
        assert title in body
    local_due = timezone.localtime(new_due).strftime("%H:%M %d/%m/%Y")
    assert local_due in bodies[5] and "Chờ nhà thầu" in bodies[5]


def test_accepting_and_assigning_at_once_sends_one_message(category, inside, operator, other_agency):
    report = submit(category, inside, reporter_phone="0912345678")
    actions.accept_report(report=report, actor=operator, agency=other_agency)
    bodies = [body for _subject, body in _texts()]
    assert len(bodies) == 2
    assert other_agency.name in bodies[1]


def test_a_satisfied_rating_closes_without_another_message(category, inside, clerk):
    report = actions.accept_report(report=submit(category, inside, reporter_phone="0912345678"), actor=clerk)
    report = actions.answer_report(report=report, actor=clerk, answer="Đã vá.")
    before = len(_texts())
    actions.rate_report(report=report, rating=Report.Rating.SATISFIED)
    assert len(_texts()) == before


# --- The case is committed before any message is attempted ----------------------------------------------------


class CaseCheckingGateway(FakeSmsGateway):
    """A fake SMS gateway that records, at the moment of sending, whether the case named in the text is stored."""

    found: ClassVar[list[bool]] = []

    def send(self, message):
        codes = [word.strip(".,") for word in message.body.split() if word.startswith("PA-")]
        type(self).found.append(Report.objects.filter(code__in=codes).exists())
        return super().send(message)


def test_no_message_is_attempted_before_the_case_is_committed(
    category, inside, settings, django_capture_on_commit_callbacks
):
    settings.SMS_GATEWAY = f"{__name__}.CaseCheckingGateway"
    CaseCheckingGateway.found = []
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        report = submit(category, inside, reporter_phone="0912345678")
        assert Notification.objects.filter(object_id=str(report.pk)).exists()  # written with the case …
        run_queued_tasks()
    assert CaseCheckingGateway.found == []  # … but nothing attempted while the transaction was open
    assert callbacks  # delivery is asked for once the transaction commits

    for callback in callbacks:
        callback()
    run_queued_tasks()

    assert CaseCheckingGateway.found == [True]
    assert report.code in FakeSmsGateway.sent[-1].body


def test_a_rolled_back_submission_leaves_no_case_and_no_message(category, inside, django_capture_on_commit_callbacks):
    class Boom(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Boom), transaction.atomic():
        submit(category, inside, reporter_phone="0912345678")
        raise Boom
    run_queued_tasks()
    assert callbacks == []
    assert not Report.objects.exists()
    assert not Notification.objects.exists()
    assert FakeSmsGateway.sent == []
