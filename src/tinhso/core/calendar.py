"""The working calendar: public holidays, administrator overrides and office hours, and deadline arithmetic.

Which days are worked, in order of precedence:

1. an agency's own `CalendarDay` row for the date;
2. a province-wide `CalendarDay` row (agency empty) for the date;
3. the `holidays` package (country VN): public holidays of Labour Code 2019 Art. 112, lunar Tết and the
   civil-service day swaps announced each year (a holiday date is off, a swapped Saturday is worked);
4. otherwise Monday to Friday are working days; Saturday and Sunday are the weekly rest days of civil servants.

Office hours come from the agency's `OfficeHours` row, else the province default row (agency empty), else
7:30–11:30 and 13:30–17:00. An agency with `saturday_morning` is open on ordinary Saturday mornings: that
time counts as working time (hours-based deadlines run through it), but Saturday stays a rest day for
deadlines counted in working days, since a half day is not a working day.

Deadline conventions (Bộ luật Dân sự 2015, Art. 147–148; Decree 118/2025/NĐ-CP, which replaced Decree
61/2018/NĐ-CP on 01/7/2025, counts the processing time from valid receipt of the dossier):

- Hours (`add_working_hours`): the clock starts at the given instant (Art. 147(1)) and runs only during
  office hours; a deadline that lands on the close of a period is that close (11:30, not 13:30).
- Days (`add_working_days`), default: the instant is first moved to the next working instant (receipt
  outside office hours counts from the next opening), then the deadline is the same time of day on the
  Nth working day after that day. Fri 24/01/2025 16:00 + 5 working days across Tết is Fri 07/02/2025
  16:00: exactly N working days of office time, as one-stop systems print it on the receipt (Mẫu 01).
- Days with `end_of_day=True`: the day of receipt is not counted (Art. 147(2)); the deadline ends at the
  close of office hours on the Nth working day after it (Art. 148(1), and 148(5) for a last day that falls
  on a rest day or holiday). Art. 148(6) would say midnight; results are returned at the office, so the
  close of office hours is used.

Calendars are built per agency and cached in this process. Saving or deleting a `CalendarDay` or
`OfficeHours` row clears this process's cache at once; other processes notice within RECHECK_SECONDS,
when they compare the override rows with the ones their cache was built from.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import holidays
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tinhso.core.models import CalendarDay, OfficeHours

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
RECHECK_SECONDS = 30.0
DEFAULT_PERIODS = ((dt.time(7, 30), dt.time(11, 30)), (dt.time(13, 30), dt.time(17, 0)))

_US_PER_SECOND = 1_000_000
_US_PER_HOUR = 3600 * _US_PER_SECOND
_SATURDAY = 5
# The years holidays 0.109 knows for VN; outside them it returns no holidays at all, so refuse to answer.
_MIN_YEAR, _MAX_YEAR = 1901, 2100


def _us_of(t: dt.time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * _US_PER_SECOND + t.microsecond


def _time_of(us: int) -> dt.time:
    seconds, micro = divmod(us, _US_PER_SECOND)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return dt.time(hour, minute, second, micro)


def _local(instant: dt.datetime) -> dt.datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("Thời điểm phải có múi giờ (timezone-aware).")
    return instant.astimezone(TZ)


@functools.lru_cache(maxsize=512)
def public_holidays(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """Return (days off, swapped working weekend days) of one year from the holidays package."""
    calendar = holidays.VN(years=year)
    days_off = frozenset(day for day in calendar if day.year == year)
    worked = frozenset(day for day in calendar.weekend_workdays if day.year == year)
    return days_off, worked


@dataclass(frozen=True)
class Hours:
    """Office hours as microsecond offsets from midnight."""

    weekday: tuple[tuple[int, int], ...]
    saturday: tuple[tuple[int, int], ...]

    @classmethod
    def build(cls, periods: Iterable[tuple[dt.time, dt.time]], *, saturday_morning: bool) -> Hours:
        weekday = tuple((_us_of(start), _us_of(end)) for start, end in periods)
        return cls(weekday=weekday, saturday=weekday[:1] if saturday_morning else ())


class Calendar:
    """The working calendar of one agency (or the province), with its deadline arithmetic.

    Internally every day from 1 January of the first loaded year has its office periods and the
    cumulative working time before it, so W(t), the working time from the origin to t, costs two list
    look-ups, and every other question is answered from W or its inverse. The loaded range grows on demand.
    """

    def __init__(self, *, hours: Hours, overrides: dict[dt.date, str]):
        self.hours = hours
        self.overrides = overrides
        self._lock = threading.RLock()
        self._first_year = self._last_year = 0
        self._origin = 0  # ordinal of 1 January of the first loaded year
        self._periods: list[tuple[tuple[int, int], ...]] = []
        self._cumulative: list[int] = []  # working µs before day i; one more entry than days
        self._working_days: list[int] = []  # ordinals of full working days, sorted

    # --- Days ---------------------------------------------------------------------------------------

    def is_working_day(self, day: dt.date) -> bool:
        """Return whether the date is a full working day (the unit of deadlines counted in days)."""
        kind = self.overrides.get(day)
        if kind is not None:
            return kind == CalendarDay.Kind.WORKING_DAY
        days_off, worked = public_holidays(day.year)
        if day in days_off:
            return False
        return day in worked or day.weekday() < _SATURDAY

    def periods(self, day: dt.date) -> tuple[tuple[int, int], ...]:
        """Return the office periods of the date as microsecond offsets from midnight (empty when closed)."""
        if self.is_working_day(day):
            return self.hours.weekday
        if day.weekday() != _SATURDAY or day in self.overrides or day in public_holidays(day.year)[0]:
            return ()
        return self.hours.saturday

    def periods_on(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """Return the office periods of the date as aware datetimes."""
        return [(self._at(day, start), self._at(day, end)) for start, end in self.periods(day)]

    # --- Instants -----------------------------------------------------------------------------------

    def is_working_time(self, instant: dt.datetime) -> bool:
        """Return whether the office is open at the instant (periods are half-open: closed at 17:00)."""
        local = _local(instant)
        us = _us_of(local.time())
        return any(start <= us < end for start, end in self.periods(local.date()))

    def next_working_instant(self, instant: dt.datetime) -> dt.datetime:
        """Return the instant itself when the office is open, else the next opening."""
        local = _local(instant)
        day, us = local.date(), _us_of(local.time())
        for start, end in self.periods(day):
            if us < end:
                return local if us >= start else self._at(day, start)
        with self._lock:
            self._cover(day.year, min(day.year + 1, _MAX_YEAR))
            index = day.toordinal() - self._origin + 1
            while True:
                if index >= len(self._periods):
                    ordinal = self._origin + index
                    self._grow(self._last_year + 1)
                    index = ordinal - self._origin
                    continue
                if self._periods[index]:
                    return self._at(dt.date.fromordinal(self._origin + index), self._periods[index][0][0])
                index += 1

    def add_working_hours(self, start: dt.datetime, hours: float | int | Decimal | dt.timedelta) -> dt.datetime:
        """Return the instant when `hours` of office time have passed since `start`."""
        amount = _microseconds(hours)
        if amount < 0:
            raise ValueError("Số giờ làm việc không được âm.")
        local = _local(start)
        if amount == 0:
            return local
        with self._lock:
            self._cover(local.year, local.year)
            while self._elapsed(local) + amount > self._cumulative[-1]:
                self._grow(2 * self._last_year - self._first_year + 1)
            return self._instant_at(self._elapsed(local) + amount)

    def add_working_days(self, start: dt.datetime, days: int, *, end_of_day: bool = False) -> dt.datetime:
        """Return the deadline `days` working days after `start` (see the module docstring for the rules)."""
        if days < 0:
            raise ValueError("Số ngày làm việc không được âm.")
        if end_of_day:
            if days == 0:
                day = self.next_working_instant(start).date()
            else:
                day = self._nth_working_day_after(_local(start).date(), days)
            return self._at(day, self.periods(day)[-1][1])
        base = self.next_working_instant(start)
        if days == 0:
            return base
        day = self._nth_working_day_after(base.date(), days)
        return dt.datetime.combine(day, base.time(), tzinfo=TZ)

    def working_time_between(
        self,
        start: dt.datetime,
        end: dt.datetime,
        *,
        pauses: Iterable[tuple[dt.datetime, dt.datetime | None]] = (),
    ) -> dt.timedelta:
        """Return the office time from `start` to `end`, less the pauses (open pauses run to `end`)."""
        start, end = _local(start), _local(end)
        if end <= start:
            return dt.timedelta(0)
        clipped = []
        for pause_start, pause_end in pauses:
            lo = max(_local(pause_start), start)
            hi = min(_local(pause_end), end) if pause_end is not None else end
            if lo < hi:
                clipped.append((lo, hi))
        with self._lock:
            self._cover(start.year, end.year)
            total = self._elapsed(end) - self._elapsed(start)
            for lo, hi in _merge(clipped):
                total -= self._elapsed(hi) - self._elapsed(lo)
        return dt.timedelta(microseconds=total)

    # --- Internals ----------------------------------------------------------------------------------

    @staticmethod
    def _at(day: dt.date, us: int) -> dt.datetime:
        return dt.datetime.combine(day, _time_of(us), tzinfo=TZ)

    def _cover(self, first_year: int, last_year: int) -> None:
        """Make sure the tables cover the years, rebuilding them over the union when they do not."""
        if self._periods and self._first_year <= first_year and last_year <= self._last_year:
            return
        if self._periods:
            first_year, last_year = min(first_year, self._first_year), max(last_year, self._last_year)
        if first_year < _MIN_YEAR or last_year > _MAX_YEAR:
            raise ValueError(f"Lịch làm việc chỉ hỗ trợ các năm {_MIN_YEAR}–{_MAX_YEAR}.")
        origin = dt.date(first_year, 1, 1).toordinal()
        stop = dt.date(last_year + 1, 1, 1).toordinal()
        periods, cumulative, working_days, total = [], [0], [], 0
        for ordinal in range(origin, stop):
            day = dt.date.fromordinal(ordinal)
            day_periods = self.periods(day)
            periods.append(day_periods)
            total += sum(end - start for start, end in day_periods)
            cumulative.append(total)
            if self.is_working_day(day):
                working_days.append(ordinal)
        self._first_year, self._last_year, self._origin = first_year, last_year, origin
        self._periods, self._cumulative, self._working_days = periods, cumulative, working_days

    def _grow(self, last_year: int) -> None:
        """Extend the tables forward, up to the last year the holiday data covers."""
        if self._last_year >= _MAX_YEAR:
            raise ValueError(f"Lịch làm việc chỉ hỗ trợ các năm {_MIN_YEAR}–{_MAX_YEAR}.")
        self._cover(self._first_year, min(last_year, _MAX_YEAR))

    def _elapsed(self, local: dt.datetime) -> int:
        """Return W(local): the working µs from the origin to the instant (the instant's year is covered)."""
        index = local.toordinal() - self._origin
        us = _us_of(local.time())
        inside = sum(min(max(us - start, 0), end - start) for start, end in self._periods[index])
        return self._cumulative[index] + inside

    def _instant_at(self, target: int) -> dt.datetime:
        """Return the earliest instant t with W(t) = target, for 0 < target ≤ the covered total."""
        index = bisect.bisect_left(self._cumulative, target) - 1
        remaining = target - self._cumulative[index]
        for start, end in self._periods[index]:
            if remaining <= end - start:
                return self._at(dt.date.fromordinal(self._origin + index), start + remaining)
            remaining -= end - start
        raise AssertionError("cumulative table out of step with the periods")

    def _nth_working_day_after(self, day: dt.date, n: int) -> dt.date:
        with self._lock:
            self._cover(day.year, min(day.year + 1, _MAX_YEAR))
            while True:
                position = bisect.bisect_right(self._working_days, day.toordinal()) + n - 1
                if position < len(self._working_days):
                    return dt.date.fromordinal(self._working_days[position])
                self._grow(self._last_year + 1 + n // 200)


def _microseconds(hours: float | int | Decimal | dt.timedelta) -> int:
    if isinstance(hours, dt.timedelta):
        return (hours.days * 86_400 + hours.seconds) * _US_PER_SECOND + hours.microseconds
    return round(Decimal(str(hours)) * _US_PER_HOUR)


def _merge(intervals: list[tuple[dt.datetime, dt.datetime]]) -> list[tuple[dt.datetime, dt.datetime]]:
    """Return the union of the intervals as disjoint sorted intervals."""
    merged: list[tuple[dt.datetime, dt.datetime]] = []
    for lo, hi in sorted(intervals):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


# --- The per-process cache ------------------------------------------------------------------------------


class _Cache:
    def __init__(self):
        self.lock = threading.Lock()
        self.checked_at = float("-inf")
        self.rows: tuple = ()
        self.calendars: dict[int | None, Calendar] = {}


_cache = _Cache()


def _override_rows() -> tuple:
    days = tuple(CalendarDay.objects.order_by("pk").values_list("pk", "date", "kind", "agency_id"))
    hours = tuple(
        OfficeHours.objects.order_by("pk").values_list(
            "pk", "agency_id", "morning_start", "morning_end", "afternoon_start", "afternoon_end", "saturday_morning"
        )
    )
    return days, hours


def clear_cache() -> None:
    """Forget every cached calendar in this process (the next look-up reads the overrides again)."""
    with _cache.lock:
        _cache.checked_at = float("-inf")
        _cache.rows = ()
        _cache.calendars = {}


def calendar_for(agency=None) -> Calendar:
    """Return the (cached) working calendar of an agency, an agency id, or the province when None."""
    agency_id = getattr(agency, "pk", agency)
    now = time.monotonic()
    with _cache.lock:
        if now - _cache.checked_at > RECHECK_SECONDS:
            rows = _override_rows()
            if rows != _cache.rows:
                _cache.rows, _cache.calendars = rows, {}
            _cache.checked_at = now
        calendar = _cache.calendars.get(agency_id)
        if calendar is None:
            calendar = _cache.calendars[agency_id] = _build(agency_id, _cache.rows)
        return calendar


def _build(agency_id: int | None, rows: tuple) -> Calendar:
    """Build an agency's calendar from the override rows that `_override_rows` read."""
    day_rows, hour_rows = rows
    by_agency = {row[1]: row for row in hour_rows}
    hours_row = by_agency.get(agency_id) or by_agency.get(None)
    if hours_row is None:
        hours = Hours.build(DEFAULT_PERIODS, saturday_morning=False)
    else:
        _pk, _agency, morning_start, morning_end, afternoon_start, afternoon_end, saturday = hours_row
        periods = ((morning_start, morning_end), (afternoon_start, afternoon_end))
        hours = Hours.build(periods, saturday_morning=saturday)
    # Province-wide rows first, so the agency's own row for the same date replaces them.
    overrides = {date: kind for _pk, date, kind, agency in day_rows if agency is None}
    if agency_id is not None:
        overrides.update({date: kind for _pk, date, kind, agency in day_rows if agency == agency_id})
    return Calendar(hours=hours, overrides=overrides)


@receiver(post_save, sender=CalendarDay, dispatch_uid="calendar_day_saved")
@receiver(post_delete, sender=CalendarDay, dispatch_uid="calendar_day_deleted")
@receiver(post_save, sender=OfficeHours, dispatch_uid="office_hours_saved")
@receiver(post_delete, sender=OfficeHours, dispatch_uid="office_hours_deleted")
def _overrides_changed(**kwargs) -> None:
    # Clear now so this request sees its own change, and again after commit so a cache rebuilt from
    # uncommitted (or rolled-back) rows does not outlive the transaction.
    clear_cache()
    transaction.on_commit(clear_cache)


# --- The functions other modules call ---------------------------------------------------------------------


def is_working_day(day: dt.date, *, agency=None) -> bool:
    """Return whether the date is a full working day for the agency (or the province)."""
    return calendar_for(agency).is_working_day(day)


def is_working_time(instant: dt.datetime, *, agency=None) -> bool:
    """Return whether the agency's office is open at the instant."""
    return calendar_for(agency).is_working_time(instant)


def next_working_instant(instant: dt.datetime, *, agency=None) -> dt.datetime:
    """Return the instant itself when the office is open, else its next opening."""
    return calendar_for(agency).next_working_instant(instant)


def add_working_hours(start: dt.datetime, hours: float | int | Decimal | dt.timedelta, *, agency=None) -> dt.datetime:
    """Return the instant when `hours` of the agency's office time have passed since `start`."""
    return calendar_for(agency).add_working_hours(start, hours)


def add_working_days(start: dt.datetime, days: int, *, agency=None, end_of_day: bool = False) -> dt.datetime:
    """Return the deadline `days` working days after `start` (rules in the module docstring)."""
    return calendar_for(agency).add_working_days(start, days, end_of_day=end_of_day)


def working_time_between(
    start: dt.datetime,
    end: dt.datetime,
    *,
    agency=None,
    pauses: Iterable[tuple[dt.datetime, dt.datetime | None]] = (),
) -> dt.timedelta:
    """Return the agency's office time from `start` to `end` with the pause intervals subtracted."""
    return calendar_for(agency).working_time_between(start, end, pauses=pauses)
