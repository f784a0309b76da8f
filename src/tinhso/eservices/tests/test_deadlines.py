"""Legal processing time on the working calendar: clock start, days and hours, pauses, steps, apology."""

import datetime as dt

import pytest

from tinhso.core.calendar import TZ
from tinhso.eservices import deadlines
from tinhso.eservices.deadlines import DAYS, HOURS, LegalTime

pytestmark = pytest.mark.django_db


def at(y, mo, d, h=0, mi=0):
    return dt.datetime(y, mo, d, h, mi, tzinfo=TZ)


def test_days_skip_tet_as_the_receipt_prints_it():
    # Brief §6: Fri 24/01/2025 16:00 + 5 working days across Tết is Fri 07/02/2025 16:00.
    assert deadlines.application_due(at(2025, 1, 24, 16), LegalTime(5, DAYS)) == at(2025, 2, 7, 16)


def test_a_swapped_saturday_is_worked():
    # Sat 26/04/2025 was a working day (swap for Fri 02/05): Fri 25/04 09:00 + 3 days is Tue 29/04 09:00.
    assert deadlines.application_due(at(2025, 4, 25, 9), LegalTime(3, DAYS)) == at(2025, 4, 29, 9)


def test_receipt_at_night_starts_the_clock_at_the_next_opening():
    # Sunday 20:00 online → Monday 07:30.
    assert deadlines.clock_start(at(2026, 3, 8, 20)) == at(2026, 3, 9, 7, 30)


def test_receipt_after_the_same_day_cutoff_counts_from_the_next_working_day():
    assert deadlines.clock_start(at(2026, 3, 9, 15, 30), cutoff=dt.time(15)) == at(2026, 3, 10, 7, 30)
    assert deadlines.clock_start(at(2026, 3, 9, 14, 59), cutoff=dt.time(15)) == at(2026, 3, 9, 14, 59)
    # Friday after the cut-off: the next working day is Monday.
    assert deadlines.clock_start(at(2026, 3, 13, 16), cutoff=dt.time(15)) == at(2026, 3, 16, 7, 30)


def test_hours_run_only_in_office_hours():
    # Mon 16:00 + 8 working hours: 1 h on Monday, 4 h Tuesday morning, 3 h in the afternoon → Tue 16:30.
    assert deadlines.application_due(at(2026, 3, 9, 16), LegalTime(8, HOURS)) == at(2026, 3, 10, 16, 30)


def test_legal_time_in_hours_as_the_national_portal_stores_it():
    assert LegalTime(5, DAYS).hours == 40
    assert LegalTime(12, HOURS).hours == 12
    with pytest.raises(ValueError):
        LegalTime(3, "weeks")


def test_a_pause_keeps_the_remaining_time():
    start = at(2026, 3, 9, 8)  # Monday
    due = deadlines.due_from(start, LegalTime(3, DAYS))
    assert due == at(2026, 3, 12, 8)
    # Waiting from Tue 10:00 to Wed 10:00 costs one office day, 7.5 h with the default hours (7:30–11:30, 13:30–17).
    paused = deadlines.paused_time(at(2026, 3, 10, 10), at(2026, 3, 11, 10))
    assert paused == dt.timedelta(hours=7, minutes=30)
    assert deadlines.resume_due(due, paused) == at(2026, 3, 13, 8)  # one working day later
    assert deadlines.due_with_pauses(
        start, LegalTime(3, DAYS), pauses=[(at(2026, 3, 10, 10), at(2026, 3, 11, 10))]
    ) == at(2026, 3, 13, 8)


def test_a_pause_over_the_weekend_costs_only_office_time():
    paused = deadlines.paused_time(at(2026, 3, 13, 16), at(2026, 3, 16, 8))  # Fri 16:00 → Mon 08:00
    assert paused == dt.timedelta(hours=1, minutes=30)


def test_each_step_has_its_own_due_time():
    # Brief §2 example: receive 2 h, appraise 3 h, sign 2 h, issue 1 h, from Mon 08:00.
    plan = deadlines.step_plan(at(2026, 3, 9, 8), [2, 3, 2, 1])
    assert [due for _start, due in plan] == [
        at(2026, 3, 9, 10),
        at(2026, 3, 9, 15),  # 10:00–11:30 and 13:30–15:00
        at(2026, 3, 9, 17),  # a due time on the close of office is that close
        at(2026, 3, 10, 8, 30),  # the next opening, Tue 07:30, + 1 h
    ]
    # A step started at lunch time counts from 13:30.
    assert deadlines.step_due(at(2026, 3, 9, 12), 1) == at(2026, 3, 9, 14, 30)


def test_remaining_is_negative_when_late():
    due = at(2026, 3, 9, 10)
    assert deadlines.remaining(due, at(2026, 3, 9, 9)) == dt.timedelta(hours=1)
    assert deadlines.remaining(due, at(2026, 3, 9, 14)) == -dt.timedelta(hours=2)


def test_apology_is_due_one_working_day_before_the_deadline():
    due = at(2026, 3, 13, 16)  # Friday
    assert not deadlines.needs_apology(due, at(2026, 3, 11, 16))
    assert deadlines.needs_apology(due, at(2026, 3, 12, 16))
    assert deadlines.needs_apology(due, at(2026, 3, 16, 9))  # already late


def test_on_time_compares_with_the_due_time():
    assert deadlines.is_on_time(at(2026, 3, 9, 10), at(2026, 3, 9, 10))
    assert not deadlines.is_on_time(at(2026, 3, 9, 10, 1), at(2026, 3, 9, 10))
