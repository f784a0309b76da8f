"""Reading data sets: their periods, entry windows and deadlines, and which reports are overdue.

Writes (saving, submitting, approving, reopening) are in `actions.py`; this module only reads, so the dashboard
can ask `overdue_submissions()` on every refresh without side effects.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from tinhso.core.models import AdminUnit
from tinhso.indicators import periods
from tinhso.indicators.models import DataSet, Submission
from tinhso.indicators.periods import Period, PeriodType

#: How many past periods are checked for a missing report: an older gap is the leaders' business, not an alert.
OVERDUE_LOOKBACK = 2


def period_containing(period_type: str, day: dt.date) -> Period:
    """Return the month, quarter or year that contains `day`."""
    if period_type == PeriodType.MONTH:
        return periods.month(day.year, day.month)
    if period_type == PeriodType.QUARTER:
        return periods.quarter(day.year, (day.month - 1) // 3 + 1)
    if period_type == PeriodType.YEAR:
        return periods.year(day.year)
    raise ValueError(period_type)


def previous(period: Period) -> Period:
    """Return the period of the same type just before `period`."""
    return period_containing(period.type, period.start - dt.timedelta(days=1))


def next_period(period: Period) -> Period:
    return period_containing(period.type, period.end + dt.timedelta(days=1))


@dataclass(frozen=True)
class Window:
    opens: dt.date
    due: dt.date
    closes: dt.date

    def is_open(self, today: dt.date) -> bool:
        return self.opens <= today <= self.closes


def window(dataset: DataSet, period: Period) -> Window:
    """Return when entry for `period` opens, is due and closes."""
    end = period.end
    return Window(
        opens=end + dt.timedelta(days=dataset.opens_days),
        due=end + dt.timedelta(days=dataset.deadline_days),
        closes=end + dt.timedelta(days=dataset.closes_days),
    )


def units_of(dataset: DataSet) -> list:
    """Return the units a data set reports for: its own list, or else its agency's unit."""
    # Boundaries are large JSON: a form needs only the codes and names.
    fields = ("id", "code", "name", "short_name")
    units = list(dataset.units.only(*fields).order_by("code"))
    if not units and dataset.agency.unit_id:
        units = list(AdminUnit.objects.filter(pk=dataset.agency.unit_id).only(*fields))
    return units


def current_periods(dataset: DataSet, *, today: dt.date, count: int = 4) -> list[Period]:
    """Return the latest `count` periods whose entry window has opened, newest first."""
    period = period_containing(dataset.period_type, today)
    # The running period may already be open (a monthly estimate before the month ends); a later one never is.
    while window(dataset, period).opens > today:
        period = previous(period)
    found = []
    while len(found) < count:
        found.append(period)
        period = previous(period)
    return found


@dataclass(frozen=True)
class Overdue:
    """A report whose deadline has passed and which has not been sent for approval."""

    dataset: DataSet
    period: Period
    due_on: dt.date
    days_late: int
    state: str  # a Submission.State value, or "" when nobody has opened the form yet
    submission: Submission | None

    @property
    def agency(self):
        return self.dataset.agency


def overdue_submissions(*, today: dt.date | None = None) -> list[Overdue]:
    """Return the reports past their deadline and not yet submitted or approved, the latest deadline first.

    Only the last `OVERDUE_LOOKBACK` periods of each active data set whose deadline has passed are checked.
    """
    today = today or timezone.localdate()
    datasets = list(DataSet.objects.filter(is_active=True).select_related("agency"))
    wanted: list[tuple[DataSet, Period, dt.date]] = []
    for dataset in datasets:
        period = period_containing(dataset.period_type, today)
        while window(dataset, period).due >= today:
            period = previous(period)
        for _ in range(OVERDUE_LOOKBACK):
            wanted.append((dataset, period, window(dataset, period).due))
            period = previous(period)
    if not wanted:
        return []
    starts = {p.start for _, p, _ in wanted}
    existing = {
        (s.dataset_id, s.period_start): s
        for s in Submission.objects.filter(dataset__in=datasets, period_start__in=starts).select_related("dataset")
    }
    late = []
    for dataset, period, due in wanted:
        submission = existing.get((dataset.pk, period.start))
        if submission is not None and submission.state in (Submission.State.SUBMITTED, Submission.State.APPROVED):
            continue
        late.append(
            Overdue(
                dataset=dataset,
                period=period,
                due_on=due,
                days_late=(today - due).days,
                state=submission.state if submission else "",
                submission=submission,
            )
        )
    late.sort(key=lambda o: (-o.due_on.toordinal(), o.dataset.code))
    return late
