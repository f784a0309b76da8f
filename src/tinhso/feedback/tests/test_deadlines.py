"""The deadline watch: warn the agency's leaders before a deadline, escalate to the province office after it.

The clock is moved with freezegun. Times are hand-computed on the default office hours (7:30–11:30, 13:30–17:00)
in a week of March 2026 without holidays.
"""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from freezegun import freeze_time

from tinhso.core.calendar import TZ
from tinhso.core.models import Agency, AuditEntry, Notification, Role
from tinhso.core.schedule import JOBS
from tinhso.core.testing import make_agency, make_member
from tinhso.feedback import actions, deadlines, tasks
from tinhso.feedback.models import Event, Report


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=TZ)


MONDAY_8 = at(9, 8)  # submitted Monday 09/03/2026 08:00
# 8 working hours later: Mon 08:00–11:30 (3,5 h) + 13:30–17:00 (3,5 h) + Tue 07:30–08:30 (1 h).
ACCEPT_DUE = at(10, 8, 30)
# The normal level warns 4 working hours ahead: Tue 07:30–08:30 is 1 h, so the window opens Mon 14:00.
BEFORE_WINDOW = at(9, 13)  # 3,5 h + 1 h = 4,5 h left
IN_WINDOW = at(9, 15)  # 2 h + 1 h = 3 h left


@pytest.fixture
def leader_with_email(agency):
    return make_member(Role.LEADER, agency, "Vũ Văn Lãnh Đạo", email="lanhdao@sxd.example.vn")


@pytest.fixture
def province_office(db):
    office = make_agency("VP-UBND", "Văn phòng UBND tỉnh", kind=Agency.Kind.OFFICE)
    return {
        "agency": office,
        "leader": make_member(Role.LEADER, office, "Chánh Văn Phòng"),
        "clerk": make_member(Role.CLERK, office, "Chuyên Viên Văn Phòng"),
    }


@pytest.fixture
def case(category, inside):
    with freeze_time(MONDAY_8):
        report = actions.submit_report(category=category, description="Cột đèn đổ trên đường Bắc Sơn", **inside)
    assert report.accept_due_at == ACCEPT_DUE
    return report


def warnings_of(report):
    return Notification.objects.filter(object_id=str(report.pk), idempotency_key__startswith="feedback:warn:")


def escalations_of(report):
    return Notification.objects.filter(object_id=str(report.pk), idempotency_key__startswith="feedback:escalate:")


def test_nothing_happens_before_the_warn_window(case, leader_with_email, province_office):
    run = deadlines.check_deadlines(now=BEFORE_WINDOW)
    assert run.warned == [] and run.escalated == []
    case.refresh_from_db()
    assert case.warned_at is None
    assert not warnings_of(case).exists()


def test_in_the_window_the_leaders_are_warned_once_by_sms_and_email(case, leader_with_email, clerk):
    run = deadlines.check_deadlines(now=IN_WINDOW)
    assert run.warned == [case.code]
    case.refresh_from_db()
    assert case.warned_at == IN_WINDOW
    recipients = set(warnings_of(case).values_list("channel", "recipient"))
    assert recipients == {("sms", leader_with_email.phone), ("email", "lanhdao@sxd.example.vn")}
    assert not Notification.objects.filter(recipient=clerk.phone).exists()
    assert AuditEntry.objects.filter(action="feedback.deadline.warn", object_id=str(case.pk)).count() == 1

    again = deadlines.check_deadlines(now=IN_WINDOW + dt.timedelta(minutes=30))
    assert again.warned == []
    assert warnings_of(case).count() == 2


def test_a_warning_about_acceptance_does_not_silence_the_answer_clock(case, leader_with_email, clerk):
    deadlines.check_deadlines(now=IN_WINDOW)
    with freeze_time(at(9, 16)):
        report = actions.accept_report(report=case, actor=clerk)
    # 3 working days from Mon 16:00: Thu 12/03/2026 16:00. 4 working hours before it (13:30–16:00 is 2,5 h, then
    # 1,5 h before 11:30) is Thu 10:00: at 09:00 five hours are left, at 11:00 three.
    assert report.answer_due_at == at(12, 16)
    assert deadlines.check_deadlines(now=at(12, 9)).warned == []
    assert deadlines.check_deadlines(now=at(12, 11)).warned == [report.code]
    clocks = {key.split(":")[3] for key in warnings_of(report).values_list("idempotency_key", flat=True)}
    assert clocks == {"accept", "answer"}


def test_after_the_deadline_the_province_office_is_told_once(case, leader_with_email, province_office):
    late = ACCEPT_DUE + dt.timedelta(hours=1)
    run = deadlines.check_deadlines(now=late)
    assert run.escalated == [case.code]
    case.refresh_from_db()
    assert case.escalated_at == late
    told = set(escalations_of(case).values_list("recipient", flat=True))
    assert told == {province_office["leader"].phone, province_office["clerk"].phone}
    event = case.events.get(kind=Event.Kind.ESCALATED)
    assert not event.is_public
    assert AuditEntry.objects.filter(action="feedback.deadline.escalate", object_id=str(case.pk)).count() == 1

    again = deadlines.check_deadlines(now=late + dt.timedelta(hours=2))
    assert again.escalated == []
    assert escalations_of(case).count() == 2
    assert case.events.filter(kind=Event.Kind.ESCALATED).count() == 1


def test_a_case_waiting_for_the_citizen_is_neither_warned_nor_escalated(case, clerk, leader_with_email):
    with freeze_time(at(9, 9)):
        report = actions.accept_report(report=case, actor=clerk)
        report = actions.request_information(report=report, actor=clerk, message="Đề nghị gửi ảnh hiện trường")
    far_later = report.answer_due_at + dt.timedelta(days=10)
    run = deadlines.check_deadlines(now=far_later)
    assert run.warned == [] and run.escalated == []
    report.refresh_from_db()
    assert report.escalated_at is None and report.warned_at is None


def test_answered_cases_are_left_alone(case, clerk, province_office):
    with freeze_time(at(9, 9)):
        report = actions.accept_report(report=case, actor=clerk)
        actions.answer_report(report=report, actor=clerk, answer="Đã dựng lại cột đèn.")
    run = deadlines.check_deadlines(now=at(20, 9))
    assert run.warned == [] and run.escalated == []


def test_the_job_is_declared_every_fifteen_minutes():
    job = JOBS["feedback.check_deadlines"]
    assert job.every == dt.timedelta(minutes=15)
    assert job.task is tasks.check_deadlines


def test_the_task_and_the_command_run_the_same_check(case, leader_with_email, province_office):
    with freeze_time(IN_WINDOW):
        assert tasks.check_deadlines.call() == {"warned": 1, "escalated": 0}
    with freeze_time(ACCEPT_DUE + dt.timedelta(minutes=5)):
        out = StringIO()
        call_command("check_feedback_deadlines", stdout=out)
    assert f"Đã báo cáo quá hạn: {case.code}" in out.getvalue()
    assert Report.objects.get(pk=case.pk).escalated_at is not None
