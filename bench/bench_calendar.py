"""Deadline arithmetic at realistic volume, next to a naive day-by-day baseline in the same run.

The cached calendar answers through `tinhso.core.calendar`'s public functions (agency look-up, cache check
and all). The baseline is what a first version would write: walk the calendar one day at a time, asking a
fresh `holidays.VN()` about each date, with no cache. It knows no administrator overrides, so it is checked
against a calendar without them.
"""

import datetime as dt
import random

import holidays
from django.core.management import call_command

from bench.harness import Harness
from tinhso.core import calendar as cal

N = 200_000
BASELINE_N = 2_000
SEED = 20250701
FIRST = dt.datetime(2024, 1, 1, tzinfo=cal.TZ)
SPAN_SECONDS = int((dt.datetime(2027, 12, 31, tzinfo=cal.TZ) - FIRST).total_seconds())
PERIODS = [(dt.time(7, 30), dt.time(11, 30)), (dt.time(13, 30), dt.time(17, 0))]


def run(h: Harness) -> None:
    call_command("load_calendar", verbosity=0)
    rng = random.Random(SEED)
    starts = [FIRST + dt.timedelta(seconds=rng.randrange(SPAN_SECONDS)) for _ in range(N)]
    day_counts = [rng.randint(1, 30) for _ in range(N)]
    hour_counts = [rng.randint(1, 80) for _ in range(N)]
    spans = [dt.timedelta(hours=rng.randint(1, 24 * 60)) for _ in range(N)]
    cal.calendar_for(None).add_working_days(starts[0], 1)  # build the tables once, outside the timings

    day_inputs = list(zip(starts, day_counts, strict=True))
    h.measure("add_working_days (cached calendar)", lambda i: cal.add_working_days(*i), day_inputs)
    hour_inputs = list(zip(starts, hour_counts, strict=True))
    h.measure("add_working_hours (cached calendar)", lambda i: cal.add_working_hours(*i), hour_inputs)
    between_inputs = [(s, s + span, _pause(s, span, k)) for k, (s, span) in enumerate(zip(starts, spans, strict=True))]
    h.measure(
        "working_time_between, half with a pause (cached)",
        lambda i: cal.working_time_between(i[0], i[1], pauses=i[2]),
        between_inputs,
    )

    sample = day_inputs[:BASELINE_N]
    h.measure(
        "add_working_days, naive holidays.VN() per day",
        lambda i: naive_add_working_days(*i),
        sample,
        baseline_of="add_working_days (cached calendar)",
    )
    h.measure(
        "add_working_hours, naive holidays.VN() per day",
        lambda i: naive_add_working_hours(*i),
        hour_inputs[:BASELINE_N],
        baseline_of="add_working_hours (cached calendar)",
    )
    _check_agreement(sample, hour_inputs[:BASELINE_N])


def _pause(start: dt.datetime, span: dt.timedelta, k: int) -> list:
    return [(start + span / 4, start + span / 2)] if k % 2 else []


# --- The naive baseline ---------------------------------------------------------------------------------


def naive_is_working_day(day: dt.date) -> bool:
    return holidays.VN(years=day.year).is_working_day(day)


def naive_add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    start = naive_next_working_instant(start)
    day, counted = start.date(), 0
    while counted < days:
        day += dt.timedelta(days=1)
        counted += naive_is_working_day(day)
    return dt.datetime.combine(day, start.timetz())


def naive_next_working_instant(instant: dt.datetime) -> dt.datetime:
    day, clock = instant.date(), instant.timetz().replace(tzinfo=None)
    while True:
        if naive_is_working_day(day):
            for opens, closes in PERIODS:
                if clock < closes:
                    return dt.datetime.combine(day, max(clock, opens), tzinfo=cal.TZ)
        day, clock = day + dt.timedelta(days=1), dt.time(0)


def naive_add_working_hours(start: dt.datetime, hours: int) -> dt.datetime:
    left = dt.timedelta(hours=hours)
    day, clock = start.date(), start.timetz().replace(tzinfo=None)
    while True:
        if naive_is_working_day(day):
            for opens, closes in PERIODS:
                begin = dt.datetime.combine(day, max(clock, opens))
                end = dt.datetime.combine(day, closes)
                if begin < end:
                    if end - begin >= left:
                        return (begin + left).replace(tzinfo=cal.TZ)
                    left -= end - begin
        day, clock = day + dt.timedelta(days=1), dt.time(0)


def _check_agreement(day_inputs, hour_inputs) -> None:
    bare = cal.Calendar(hours=cal.Hours.build(PERIODS, saturday_morning=False), overrides={})
    same_days = sum(bare.add_working_days(s, n) == naive_add_working_days(s, n) for s, n in day_inputs)
    same_hours = sum(bare.add_working_hours(s, n) == naive_add_working_hours(s, n) for s, n in hour_inputs)
    print(
        f"  baseline agreement (no overrides): add_working_days {same_days}/{len(day_inputs)}, "
        f"add_working_hours {same_hours}/{len(hour_inputs)}"
    )
