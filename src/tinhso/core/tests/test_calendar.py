"""The working calendar, checked against the Government's published 2025 and 2026 holiday schedules.

Official days off for civil servants (cán bộ, công chức, viên chức) on a Monday–Friday week, as announced:

2025
- Tết Dương lịch: Wed 01/01/2025 (Labour Code 2019 Art. 112).
- Tết Ất Tỵ: Sat 25/01 – Sun 02/02/2025, 9 days (Văn bản 8726/VPCP-KGVX of 26/11/2024).
- Giỗ Tổ Hùng Vương (10/3 âm lịch): Mon 07/04/2025, so Sat 05/04 – Mon 07/04.
- 30/4 and 1/5: Wed 30/04 – Sun 04/05/2025, Fri 02/05 swapped with Sat 26/04/2025, which is worked
  (VietnamPlus/TTXVN, "Công chức, viên chức được nghỉ thế nào trong dịp lễ 30/4-1/5/2025").
- Quốc khánh: Sat 30/08 – Tue 02/09/2025 (Thông báo 6150/TB-BLĐTBXH, 2024).

2026
- Tết Dương lịch: Thu 01/01 – Sun 04/01/2026, Fri 02/01 swapped with Sat 10/01/2026, which is worked
  (Văn bản 12729/VPCP-KGVX of 25/12/2025). holidays 0.109 lacks this swap; `load_calendar` adds it.
- Tết Bính Ngọ: Sat 14/02 – Sun 22/02/2026, 9 days (Thông báo 9441/TB-BNV of 16/10/2025).
- Giỗ Tổ Hùng Vương: Sun 26/04/2026, made up on Mon 27/04 (Labour Code 2019 Art. 112(3)): Sat 25/04 – Mon 27/04.
- 30/4 and 1/5: Thu 30/04 – Sun 03/05/2026, no swap (Bộ Nội vụ's 2026 plan, as reported by the press).
- Quốc khánh: Sat 29/08 – Wed 02/09/2026, Mon 31/08 swapped with Sat 22/08/2026, which is worked
  (Thông báo 9441/TB-BNV of 16/10/2025).

Not asserted: holidays 0.109 also gives Tue 24/11/2026 (Ngày Văn hóa Việt Nam) as a day off. The Politburo
decided it should become a paid holiday, but as of the latest sources found (February 2026) the Labour Code
amendment that would make it one had not passed. Administrators can turn it back into a working day with a
`CalendarDay` override if the law is not in force by then.
"""

import datetime as dt
from datetime import date

import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from tinhso.core import calendar as cal
from tinhso.core.management.commands.load_demo import DEMO_STEPS
from tinhso.core.models import CalendarDay, OfficeHours

TZ = cal.TZ


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


def days_between(first: date, last: date) -> list[date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


# (first day off, last day off, worked make-up Saturday or None), from the documents above.
OFFICIAL_BREAKS = [
    (date(2025, 1, 1), date(2025, 1, 1), None),
    (date(2025, 1, 25), date(2025, 2, 2), None),
    (date(2025, 4, 5), date(2025, 4, 7), None),
    (date(2025, 4, 30), date(2025, 5, 4), date(2025, 4, 26)),
    (date(2025, 8, 30), date(2025, 9, 2), None),
    (date(2026, 1, 1), date(2026, 1, 4), date(2026, 1, 10)),
    (date(2026, 2, 14), date(2026, 2, 22), None),
    (date(2026, 4, 25), date(2026, 4, 27), None),
    (date(2026, 4, 30), date(2026, 5, 3), None),
    (date(2026, 8, 29), date(2026, 9, 2), date(2026, 8, 22)),
]


@pytest.fixture
def province(db):
    call_command("load_calendar", verbosity=0)
    return cal.calendar_for(None)


# --- The published schedules --------------------------------------------------------------------------


@pytest.mark.parametrize(("first", "last", "made_up"), OFFICIAL_BREAKS)
def test_it_follows_the_published_holiday_schedule(province, first, last, made_up):
    assert not any(province.is_working_day(day) for day in days_between(first, last))
    assert province.is_working_day(first - dt.timedelta(days=1))
    assert province.is_working_day(last + dt.timedelta(days=1))
    if made_up:
        assert province.is_working_day(made_up)


def test_it_counts_every_other_weekday_of_2025_as_a_working_day(province):
    official_off = {day for first, last, _ in OFFICIAL_BREAKS for day in days_between(first, last)}
    made_up = {made for _, _, made in OFFICIAL_BREAKS if made}
    for day in days_between(date(2025, 1, 1), date(2025, 12, 31)):
        expected = day in made_up or (day.weekday() < 5 and day not in official_off)
        assert province.is_working_day(day) == expected, day


def test_the_2026_new_year_swap_comes_from_the_demo_override(db):
    assert cal.is_working_day(date(2026, 1, 2))
    call_command("load_calendar", verbosity=0)
    assert not cal.is_working_day(date(2026, 1, 2))
    assert cal.is_working_day(date(2026, 1, 10))


def test_load_calendar_is_idempotent_and_keeps_admin_edits(db):
    call_command("load_calendar", verbosity=0)
    CalendarDay.objects.filter(date=date(2026, 1, 10)).update(name="Đã sửa")
    call_command("load_calendar", verbosity=0)
    assert OfficeHours.objects.count() == 1
    assert CalendarDay.objects.count() == 2
    assert CalendarDay.objects.get(date=date(2026, 1, 10)).name == "Đã sửa"


def test_load_demo_runs_the_calendar_step():
    assert ("load_calendar",) in DEMO_STEPS


# --- Worked examples (public-services.md §6) ----------------------------------------------------------


def test_five_working_days_across_tet_2025_end_the_same_time_a_week_later(province):
    assert cal.add_working_days(at(2025, 1, 24, 16), 5) == at(2025, 2, 7, 16)


def test_the_swapped_saturday_counts_as_a_working_day(province):
    assert cal.add_working_days(at(2025, 4, 25, 9), 3) == at(2025, 4, 29, 9)


def test_end_of_day_counting_skips_the_day_of_receipt_and_ends_at_closing(province):
    assert cal.add_working_days(at(2025, 4, 25, 9), 3, end_of_day=True) == at(2025, 4, 29, 17)
    assert cal.add_working_days(at(2025, 4, 27, 10), 1, end_of_day=True) == at(2025, 4, 28, 17)


def test_a_dossier_received_after_hours_counts_from_the_next_opening(province):
    assert cal.add_working_days(at(2025, 1, 24, 18), 1) == at(2025, 2, 4, 7, 30)


def test_working_hours_skip_the_lunch_break(province):
    assert cal.add_working_hours(at(2025, 3, 3, 11), 1) == at(2025, 3, 3, 14)


def test_working_hours_that_run_out_at_noon_end_at_noon(province):
    assert cal.add_working_hours(at(2025, 3, 3, 7, 30), 4) == at(2025, 3, 3, 11, 30)


def test_working_hours_skip_tet(province):
    assert cal.add_working_hours(at(2025, 1, 24, 16), 2) == at(2025, 2, 3, 8, 30)


def test_it_accepts_instants_in_any_time_zone_and_answers_in_vietnam_time(province):
    due = cal.add_working_hours(dt.datetime(2025, 3, 3, 2, 0, tzinfo=dt.UTC), 1.5)
    assert due == at(2025, 3, 3, 10, 30)
    assert due.tzinfo == TZ


def test_it_refuses_naive_datetimes(db):
    with pytest.raises(ValueError):
        cal.add_working_hours(dt.datetime(2025, 3, 3, 9), 1)


def test_it_refuses_negative_amounts(db):
    with pytest.raises(ValueError):
        cal.add_working_days(at(2025, 3, 3, 9), -1)
    with pytest.raises(ValueError):
        cal.add_working_hours(at(2025, 3, 3, 9), -0.5)


def test_it_refuses_deadlines_beyond_the_years_the_holiday_data_covers(db):
    assert cal.add_working_days(at(2100, 12, 1, 9), 5).year == 2100
    with pytest.raises(ValueError):
        cal.add_working_hours(at(2099, 1, 1, 9), 10_000)


def test_office_hours_are_half_open(db):
    assert cal.is_working_time(at(2025, 3, 3, 7, 30))
    assert not cal.is_working_time(at(2025, 3, 3, 11, 30))
    assert not cal.is_working_time(at(2025, 3, 3, 12))
    assert cal.is_working_time(at(2025, 3, 3, 16, 59))
    assert not cal.is_working_time(at(2025, 3, 3, 17))
    assert not cal.is_working_time(at(2025, 3, 8, 9))


def test_next_working_instant_skips_lunch_and_weekends(db):
    assert cal.next_working_instant(at(2025, 3, 3, 12)) == at(2025, 3, 3, 13, 30)
    assert cal.next_working_instant(at(2025, 3, 8, 9)) == at(2025, 3, 10, 7, 30)
    assert cal.next_working_instant(at(2025, 3, 3, 9, 15)) == at(2025, 3, 3, 9, 15)


def test_working_time_between_subtracts_overlapping_pauses_once(db):
    pauses = [(at(2025, 3, 3, 9), at(2025, 3, 3, 10)), (at(2025, 3, 3, 9, 30), at(2025, 3, 3, 10, 30))]
    full_day = cal.working_time_between(at(2025, 3, 3, 7), at(2025, 3, 3, 18))
    assert full_day == dt.timedelta(hours=7, minutes=30)
    assert cal.working_time_between(at(2025, 3, 3, 7), at(2025, 3, 3, 18), pauses=pauses) == dt.timedelta(hours=6)


def test_a_pause_over_lunch_only_removes_office_time(db):
    pause = [(at(2025, 3, 3, 11), at(2025, 3, 3, 14))]
    measured = cal.working_time_between(at(2025, 3, 3, 7, 30), at(2025, 3, 3, 17), pauses=pause)
    assert measured == dt.timedelta(hours=6, minutes=30)


def test_an_open_pause_runs_to_the_end(db):
    pause = [(at(2025, 3, 3, 16), None)]
    measured = cal.working_time_between(at(2025, 3, 3, 7, 30), at(2025, 3, 4, 9), pauses=pause)
    assert measured == dt.timedelta(hours=6, minutes=30)  # 7:30–11:30 and 13:30–16:00 on Monday only


# --- Overrides and office hours --------------------------------------------------------------------


def test_an_agency_day_overrides_the_province_wide_day(agency, other_agency):
    day = date(2025, 3, 5)
    CalendarDay.objects.create(date=day, kind=CalendarDay.Kind.DAY_OFF, name="Nghỉ toàn tỉnh")
    CalendarDay.objects.create(date=day, kind=CalendarDay.Kind.WORKING_DAY, name="Trực", agency=agency)
    assert not cal.is_working_day(day)
    assert not cal.is_working_day(day, agency=other_agency)
    assert cal.is_working_day(day, agency=agency)


def test_a_working_day_override_opens_a_public_holiday(agency):
    CalendarDay.objects.create(date=date(2025, 9, 2), kind=CalendarDay.Kind.WORKING_DAY, name="Trực", agency=agency)
    assert cal.is_working_time(at(2025, 9, 2, 9), agency=agency)
    assert not cal.is_working_time(at(2025, 9, 2, 9))


def test_saving_or_deleting_an_override_takes_effect_at_once(db):
    day = date(2025, 3, 5)
    assert cal.is_working_day(day)
    row = CalendarDay.objects.create(date=day, kind=CalendarDay.Kind.DAY_OFF, name="Nghỉ đột xuất")
    assert not cal.is_working_day(day)
    row.delete()
    assert cal.is_working_day(day)


def test_an_agency_uses_its_own_office_hours_then_the_province_default(agency, other_agency):
    OfficeHours.objects.create(agency=None, morning_start=dt.time(7), afternoon_end=dt.time(16, 30))
    OfficeHours.objects.create(agency=agency, morning_start=dt.time(8), morning_end=dt.time(12))
    assert cal.is_working_time(at(2025, 3, 3, 7), agency=other_agency)
    assert not cal.is_working_time(at(2025, 3, 3, 7), agency=agency)
    assert cal.is_working_time(at(2025, 3, 3, 11, 45), agency=agency)
    assert cal.is_working_time(at(2025, 3, 3, 16, 45), agency=agency)
    assert not cal.is_working_time(at(2025, 3, 3, 16, 45), agency=other_agency)


def test_saturday_morning_is_office_time_but_not_a_working_day(agency):
    OfficeHours.objects.create(agency=agency, saturday_morning=True)
    saturday = at(2025, 3, 8, 9)
    assert cal.is_working_time(saturday, agency=agency)
    assert not cal.is_working_time(saturday)
    assert not cal.is_working_day(saturday.date(), agency=agency)
    assert cal.add_working_hours(at(2025, 3, 7, 16), 2, agency=agency) == at(2025, 3, 8, 8, 30)
    assert cal.add_working_days(saturday, 1, agency=agency) == at(2025, 3, 10, 9)


def test_saturday_morning_is_closed_on_a_public_holiday(agency):
    OfficeHours.objects.create(agency=agency, saturday_morning=True)
    assert not cal.is_working_time(at(2025, 2, 1, 9), agency=agency)  # mùng 4 Tết Ất Tỵ


# --- Properties ------------------------------------------------------------------------------------

# Pure calendars (no database): the province's default hours with the 2026 demo swaps, and a one-stop desk
# that also opens on Saturday mornings.
SWAPS = {date(2026, 1, 2): CalendarDay.Kind.DAY_OFF, date(2026, 1, 10): CalendarDay.Kind.WORKING_DAY}
WEEKDAYS_ONLY = cal.Calendar(hours=cal.Hours.build(cal.DEFAULT_PERIODS, saturday_morning=False), overrides=SWAPS)
WITH_SATURDAYS = cal.Calendar(hours=cal.Hours.build(cal.DEFAULT_PERIODS, saturday_morning=True), overrides=SWAPS)
DAY_LENGTH = dt.timedelta(hours=7, minutes=30)

calendars = st.sampled_from([WEEKDAYS_ONLY, WITH_SATURDAYS])
instants = st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2027, 12, 31), timezones=st.just(TZ))
durations = st.integers(min_value=0, max_value=60 * 7 * 40).map(lambda m: dt.timedelta(minutes=m))
few = settings(max_examples=60, deadline=None)


def within_office_hours(calendar: cal.Calendar, instant: dt.datetime) -> bool:
    """Return whether the instant lies in one of its day's periods, closing time included (a deadline)."""
    return any(start <= instant <= end for start, end in calendar.periods_on(instant.date()))


@few
@given(calendars, instants, durations)
def test_adding_working_hours_then_measuring_gives_them_back(calendar, start, amount):
    due = calendar.add_working_hours(start, amount)
    assert due >= start
    assert calendar.working_time_between(start, due) == amount
    if amount:
        assert within_office_hours(calendar, due)


@few
@given(calendars, instants, durations, durations)
def test_adding_more_hours_never_ends_earlier(calendar, start, a, b):
    shorter, longer = sorted([a, b])
    assert calendar.add_working_hours(start, shorter) <= calendar.add_working_hours(start, longer)


@few
@given(calendars, instants, st.integers(min_value=1, max_value=60), st.integers(min_value=0, max_value=60))
def test_working_day_deadlines_land_on_working_days_in_order(calendar, start, n, m):
    due = calendar.add_working_days(start, n)
    assert calendar.is_working_day(due.date())
    assert within_office_hours(calendar, due)
    first = calendar.next_working_instant(start).date()
    counted = [d for d in days_between(first + dt.timedelta(days=1), due.date()) if calendar.is_working_day(d)]
    assert len(counted) == n
    assert calendar.add_working_days(start, min(n, m)) <= calendar.add_working_days(start, max(n, m))


@few
@given(instants, st.integers(min_value=0, max_value=60))
def test_a_working_day_is_a_day_of_office_time(start, n):
    begin = WEEKDAYS_ONLY.next_working_instant(start)
    assert WEEKDAYS_ONLY.working_time_between(begin, WEEKDAYS_ONLY.add_working_days(start, n)) == n * DAY_LENGTH


@few
@given(calendars, instants, st.integers(min_value=1, max_value=60))
def test_end_of_day_deadlines_close_a_working_day(calendar, start, n):
    due = calendar.add_working_days(start, n, end_of_day=True)
    assert calendar.is_working_day(due.date())
    assert due.time() == dt.time(17)
    assert due.date() > start.date()


@few
@given(calendars, instants)
def test_the_next_working_instant_is_open_and_nothing_is_skipped(calendar, instant):
    opening = calendar.next_working_instant(instant)
    assert opening >= instant
    assert calendar.is_working_time(opening)
    assert calendar.working_time_between(instant, opening) == dt.timedelta(0)


@few
@given(calendars, instants, instants, instants)
def test_working_time_adds_up_over_consecutive_intervals(calendar, a, b, c):
    a, b, c = sorted([a, b, c])
    whole = calendar.working_time_between(a, c)
    assert whole == calendar.working_time_between(a, b) + calendar.working_time_between(b, c)


@few
@given(calendars, instants, instants, instants, instants)
def test_a_pause_removes_exactly_its_office_time(calendar, a, b, p, q):
    a, b = sorted([a, b])
    p, q = sorted([p, q])
    overlap = calendar.working_time_between(max(a, p), min(b, q))
    paused = calendar.working_time_between(a, b, pauses=[(p, q), (p, q)])
    assert paused == calendar.working_time_between(a, b) - overlap


@few
@given(calendars, instants, instants)
def test_a_pause_covering_everything_leaves_no_working_time(calendar, a, b):
    a, b = sorted([a, b])
    cover = (a - dt.timedelta(days=1), b + dt.timedelta(days=1))
    assert calendar.working_time_between(a, b, pauses=[cover]) == dt.timedelta(0)


@few
@given(calendars, instants)
def test_office_time_never_falls_on_a_day_off(calendar, instant):
    day = instant.date()
    if calendar.is_working_time(instant) and not calendar.is_working_day(day):
        assert calendar is WITH_SATURDAYS and day.weekday() == 5
