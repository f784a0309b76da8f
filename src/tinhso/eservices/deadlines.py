"""Legal processing time of applications and of their internal steps, on the working calendar.

The rules (Decree 118/2025/NĐ-CP, which replaced Decree 61/2018/NĐ-CP on 01/7/2025; public-services brief §6):

- The processing time starts at **valid receipt** (tiếp nhận hợp lệ), never at submission: an application sent
  back for more documents at reception has no clock at all until it is received.
- Receipt outside office hours (an online application at night, on a Sunday) starts the clock at the next
  opening of the receiving office (`calendar.next_working_instant`).
- Same-day cut-off: a procedure may say that what is received after a time of day (usually 15:00) counts from
  the next working day's opening (per-procedure parameter `same_day_cutoff`).
- A legal time in **working days** ends at the same time of day on the Nth working day after the start
  (`calendar.add_working_days`, as Mẫu 01 prints it); a legal time in **working hours** runs only during office
  hours (`calendar.add_working_hours`). One working day is 8 working hours.
- While the file waits for the applicant (a supplement request, a fee to pay) the clock is **paused**; when it
  resumes, the due time moves forward by the office time spent waiting, so the remaining time is kept.
- Each internal step (quy trình nội bộ) has its own due time: its hours counted from the moment the step starts.
- An apology letter with a new date (Mẫu 04) sets a new due time but the original one is kept for statistics; the
  agency must send it before the deadline, at least one working day before it (brief §2.6, *unconfirmed*).

Everything here is a pure function of its arguments and the calendar: the callers store the results
(`due_at`, `step_due_at`), and history is never recomputed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tinhso.core import calendar

HOURS_PER_DAY = 8
DAYS, HOURS = "days", "hours"
#: Usual same-day cut-off of one-stop shops (e.g. Hà Nội QĐ 663/QĐ-TTPVHCC); each procedure sets its own.
DEFAULT_CUTOFF = dt.time(15, 0)
#: The apology letter must reach the applicant this many working days before the due time at the latest.
APOLOGY_NOTICE_DAYS = 1


@dataclass(frozen=True)
class LegalTime:
    """A legal processing time: `amount` working days or working hours."""

    amount: int
    unit: str = DAYS

    def __post_init__(self):
        if self.unit not in (DAYS, HOURS):
            raise ValueError(f"Đơn vị thời hạn không hợp lệ: {self.unit!r}")
        if self.amount < 0:
            raise ValueError("Thời hạn giải quyết không được âm.")

    @property
    def hours(self) -> int:
        """Return the time in working hours (1 working day = 8 h), as the national portal stores it."""
        return self.amount * HOURS_PER_DAY if self.unit == DAYS else self.amount


def clock_start(received_at: dt.datetime, *, agency=None, cutoff: dt.time | None = None) -> dt.datetime:
    """Return when the processing time starts for an application validly received at `received_at`.

    Outside office hours it starts at the next opening; on or after the procedure's same-day `cutoff` it starts at
    the opening of the next working day.
    """
    cal = calendar.calendar_for(agency)
    start = cal.next_working_instant(received_at)
    local = received_at.astimezone(calendar.TZ)
    if cutoff is not None and start.date() == local.date() and local.time() >= cutoff:
        day_end = dt.datetime.combine(local.date(), dt.time(23, 59, 59), tzinfo=calendar.TZ)
        start = cal.next_working_instant(day_end)
    return start


def due_from(start: dt.datetime, legal: LegalTime, *, agency=None) -> dt.datetime:
    """Return the due time of `legal` counted from a clock that started at `start` (no pauses)."""
    cal = calendar.calendar_for(agency)
    if legal.unit == DAYS:
        return cal.add_working_days(start, legal.amount)
    return cal.add_working_hours(start, legal.amount)


def application_due(
    received_at: dt.datetime, legal: LegalTime, *, agency=None, cutoff: dt.time | None = None
) -> dt.datetime:
    """Return the due time printed on the receipt (Mẫu 01) of an application received at `received_at`."""
    return due_from(clock_start(received_at, agency=agency, cutoff=cutoff), legal, agency=agency)


def paused_time(paused_at: dt.datetime, resumed_at: dt.datetime, *, agency=None) -> dt.timedelta:
    """Return the office time between a pause and its end: what the due time moves forward by."""
    return calendar.working_time_between(paused_at, resumed_at, agency=agency)


def resume_due(due: dt.datetime, paused: dt.timedelta, *, agency=None) -> dt.datetime:
    """Return the due time after a pause of `paused` office time: the remaining time is kept."""
    if paused <= dt.timedelta(0):
        return due
    return calendar.add_working_hours(due, paused, agency=agency)


def due_with_pauses(
    start: dt.datetime,
    legal: LegalTime,
    *,
    agency=None,
    pauses: Iterable[tuple[dt.datetime, dt.datetime]] = (),
) -> dt.datetime:
    """Return the due time from `start` with every closed pause's office time added (for checks and rebuilds)."""
    due = due_from(start, legal, agency=agency)
    total = sum((paused_time(lo, hi, agency=agency) for lo, hi in pauses), dt.timedelta(0))
    return resume_due(due, total, agency=agency)


def step_due(start: dt.datetime, hours: float, *, agency=None) -> dt.datetime:
    """Return the due time of an internal step of `hours` working hours that starts at `start`."""
    cal = calendar.calendar_for(agency)
    return cal.add_working_hours(cal.next_working_instant(start), hours)


def step_plan(start: dt.datetime, hours: Sequence[float], *, agency=None) -> list[tuple[dt.datetime, dt.datetime]]:
    """Return the planned (start, due) of consecutive steps, each starting when the previous one is due."""
    plan = []
    at = start
    for step_hours in hours:
        due = step_due(at, step_hours, agency=agency)
        plan.append((at, due))
        at = due
    return plan


def remaining(due: dt.datetime, now: dt.datetime, *, agency=None) -> dt.timedelta:
    """Return the office time left until `due` (negative: how late it is, in office time)."""
    if now <= due:
        return calendar.working_time_between(now, due, agency=agency)
    return -calendar.working_time_between(due, now, agency=agency)


def needs_apology(due: dt.datetime, now: dt.datetime, *, agency=None) -> bool:
    """Return whether an open application due at `due` must get the apology letter now (late, or nearly)."""
    return calendar.add_working_days(now, APOLOGY_NOTICE_DAYS, agency=agency) >= due


def is_on_time(finished_at: dt.datetime, due: dt.datetime) -> bool:
    """Return whether a result finished at `finished_at` met `due` (the original due date, for statistics)."""
    return finished_at <= due
