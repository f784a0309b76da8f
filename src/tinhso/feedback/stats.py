"""Statistics of the 1022 module: pure functions over Report querysets, counted by the database.

Definitions (shown to staff and public alike):

- The cohort is the cases *received* in the period (created_at, local dates, both ends inclusive), whatever
  happened to them later. Filters: the responsible agency (the one holding the case now), category, commune.
- Accept clock on time: accepted_at ≤ accept_due_at. A case rejected before acceptance stopped the clock at its
  rejection (closed_at). Counted: cases whose accept clock stopped, plus new cases already past the deadline
  (late, still counted); new cases not yet due are left out.
- Answer clock on time: answered_at ≤ answer_due_at, the deadline in force: an extension approved by a leader
  moves it (the number of extended cases is shown beside the rate) and time waiting for the citizen does not
  count (resume_report moves the deadline by the pause). A case rejected after acceptance stopped the clock at
  its rejection. A case the citizen reopened as not satisfied counts as late, whenever it was answered
  (issue 3: "counts against the agency"). Counted: cases whose answer clock stopped, reopened cases, and cases
  in handling already past the deadline; cases waiting for the citizen or not yet due are left out.
- Average handling time: office time from accepted_at to the last answered_at on the agency's calendar, less the
  time waiting for the citizen, in working hours and in working days of the province's office day (7,5 hours by
  default). The calendar arithmetic runs in Python, so it is computed on the HANDLING_SAMPLE most recently
  answered cases of the selection (exact whenever the selection is smaller; the sample size is shown).
- Satisfaction: satisfied ÷ rated (a reopened case keeps its last rating).

On PostgreSQL `collect` reads the totals, the four breakdowns and the trend in one scan (`GROUPING SETS`), with
JIT compilation off for that statement (it cost more than it saved); elsewhere one grouped query each. Both give
the same figures (tests/test_stats.py compares them).
"""

import datetime as dt
import hashlib
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from tinhso.core import calendar
from tinhso.core.models import AdminUnit, Agency
from tinhso.feedback.models import Category, Event, Extension, Report

HANDLING_SAMPLE = 2000
S = Report.Status
HANDLING_STATUSES = (S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS)


@dataclass(frozen=True)
class Filters:
    """Which cases a statistic covers; `scope` is the set of agency ids the viewer may see (None: all)."""

    start: dt.date | None = None
    end: dt.date | None = None
    agency: Agency | None = None
    category: Category | None = None
    unit: AdminUnit | None = None
    scope: frozenset[int] | None = None


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=calendar.TZ)


def cases(filters: Filters) -> QuerySet:
    """Return the cases received in the period that match the filters, within the viewer's scope."""
    qs = Report.objects.all()
    if filters.scope is not None:
        qs = qs.filter(agency_id__in=filters.scope)
    if filters.start:
        qs = qs.filter(created_at__gte=_local_midnight(filters.start))
    if filters.end:
        qs = qs.filter(created_at__lt=_local_midnight(filters.end + dt.timedelta(days=1)))
    if filters.agency:
        qs = qs.filter(agency=filters.agency)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.unit:
        qs = qs.filter(unit=filters.unit)
    return qs


def conditions(now: dt.datetime) -> dict[str, Q]:
    """Return the named conditions the counts are made of (see the module docstring)."""
    rejected = Q(status=S.REJECTED)
    accept_stopped = Q(accepted_at__isnull=False) | rejected
    accept_on_time = Q(accepted_at__isnull=False, accepted_at__lte=F("accept_due_at")) | Q(
        rejected, accepted_at__isnull=True, closed_at__lte=F("accept_due_at")
    )
    answer_stopped = Q(answered_at__isnull=False) | rejected
    answer_on_time = Q(reopened_count=0) & (
        Q(answered_at__isnull=False, answered_at__lte=F("answer_due_at"))
        | Q(rejected, answered_at__isnull=True, closed_at__lte=F("answer_due_at"))
    )
    overdue = Q(status__in=(*HANDLING_STATUSES, S.NEW)) & (
        Q(answer_due_at__lt=now) | Q(accepted_at__isnull=True, accept_due_at__lt=now)
    )
    return {
        "received": Q(),
        "answered": Q(answered_at__isnull=False),
        "rejected": rejected,
        "open": Q(status__in=Report.OPEN_STATUSES),
        "overdue": overdue,
        "accept_counted": Q(accept_due_at__isnull=False) & (accept_stopped | Q(status=S.NEW, accept_due_at__lt=now)),
        "accept_on_time": Q(accept_due_at__isnull=False) & accept_on_time,
        "answer_counted": Q(answer_due_at__isnull=False)
        & (answer_stopped | Q(reopened_count__gt=0) | Q(status__in=HANDLING_STATUSES, answer_due_at__lt=now)),
        "answer_on_time": Q(answer_due_at__isnull=False) & answer_on_time,
        # Not a correlated EXISTS: PostgreSQL would probe the extensions once per case; this list is hashed once.
        "extended": Q(pk__in=Extension.objects.filter(status=Extension.Status.APPROVED).values("report_id")),
        "reopened": Q(reopened_count__gt=0),
        "rated": ~Q(rating=""),
        "satisfied": Q(rating=Report.Rating.SATISFIED),
    }


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class Counts:
    received: int = 0
    answered: int = 0
    rejected: int = 0
    open: int = 0
    overdue: int = 0
    accept_counted: int = 0
    accept_on_time: int = 0
    answer_counted: int = 0
    answer_on_time: int = 0
    extended: int = 0
    reopened: int = 0
    rated: int = 0
    satisfied: int = 0

    @property
    def accept_rate(self) -> float | None:
        return _percent(self.accept_on_time, self.accept_counted)

    @property
    def answer_rate(self) -> float | None:
        return _percent(self.answer_on_time, self.answer_counted)

    @property
    def satisfaction_rate(self) -> float | None:
        return _percent(self.satisfied, self.rated)


def _aggregates(now: dt.datetime) -> dict:
    return {name: Count("pk", filter=condition) for name, condition in conditions(now).items()}


def totals(qs: QuerySet, *, now: dt.datetime | None = None) -> Counts:
    """Return every count of the selection in one query."""
    return Counts(**qs.order_by().aggregate(**_aggregates(now or timezone.now())))


@dataclass(frozen=True)
class Row:
    key: object
    label: str
    counts: Counts


BREAKDOWNS = {
    "category": ("category_id", "category__name"),
    "unit": ("unit_id", "unit__name"),
    "agency": ("agency_id", "agency__name"),
    "channel": ("channel", None),
}


def breakdown(qs: QuerySet, by: str, *, now: dt.datetime | None = None) -> list[Row]:
    """Return the counts grouped by category, unit (commune), agency or channel, largest first."""
    key, label_field = BREAKDOWNS[by]
    fields = [key, label_field] if label_field else [key]
    rows = qs.order_by().values(*fields).annotate(**_aggregates(now or timezone.now())).order_by("-received", key)
    result = []
    for row in rows:
        if label_field:
            label = row.pop(label_field) or ""
        else:
            label = str(Report.Channel(row[key]).label) if row[key] in Report.Channel.values else row[key]
        result.append(Row(key=row.pop(key), label=label, counts=Counts(**row)))
    return result


TRUNCS = {"week": TruncWeek, "month": TruncMonth}


def trend(qs: QuerySet, unit: str = "month", *, now: dt.datetime | None = None) -> list[Row]:
    """Return the counts per week (Monday first) or month of receipt, oldest first; key is the period's first day."""
    trunc = TRUNCS[unit]("created_at", tzinfo=calendar.TZ)
    rows = qs.order_by().annotate(period=trunc).values("period").annotate(**_aggregates(now or timezone.now()))
    result = []
    for row in rows.order_by("period"):
        period = row.pop("period")
        start = period.astimezone(calendar.TZ).date() if isinstance(period, dt.datetime) else period
        label = f"{start:%m/%Y}" if unit == "month" else f"{start:%d/%m/%Y}"
        result.append(Row(key=start, label=label, counts=Counts(**row)))
    return result


def working_day_hours() -> float:
    """Return the length of the province's ordinary office day in hours (7,5 with the default periods)."""
    periods = calendar.calendar_for(None).hours.weekday
    return sum(end - start for start, end in periods) / 3_600_000_000


@dataclass(frozen=True)
class Handling:
    hours: float | None
    days: float | None
    sample: int
    total: int


HANDLED = Q(accepted_at__isnull=False, answered_at__isnull=False)


def handling_time(qs: QuerySet, *, sample: int = HANDLING_SAMPLE, total: int | None = None) -> Handling:
    """Return the average working time from acceptance to answer over the `sample` latest answered cases
    (`total`: their number when the caller has counted them already)."""
    answered = qs.filter(HANDLED)
    total = answered.count() if total is None else total
    rows = list(
        answered.order_by("-answered_at", "-pk").values_list("pk", "accepted_at", "answered_at", "agency_id")[:sample]
    )
    if not rows:
        return Handling(hours=None, days=None, sample=0, total=total)
    paused: dict[int, float] = defaultdict(float)
    resumed = Event.objects.filter(report_id__in=[r[0] for r in rows], kind=Event.Kind.RESUMED)
    for report_id, data in resumed.values_list("report_id", "data"):
        paused[report_id] += float((data or {}).get("paused_seconds") or 0)
    seconds = 0.0
    for pk, accepted_at, answered_at, agency_id in rows:
        worked = calendar.working_time_between(accepted_at, answered_at, agency=agency_id).total_seconds()
        seconds += max(worked - paused[pk], 0.0)
    hours = seconds / len(rows) / 3600
    return Handling(hours=round(hours, 2), days=round(hours / working_day_hours(), 2), sample=len(rows), total=total)


@dataclass
class Statistics:
    filters: Filters
    totals: Counts
    handling: Handling
    by_category: list[Row] = field(default_factory=list)
    by_unit: list[Row] = field(default_factory=list)
    by_agency: list[Row] = field(default_factory=list)
    by_channel: list[Row] = field(default_factory=list)
    trend: list[Row] = field(default_factory=list)
    trend_unit: str = "month"


def _period_start(period, unit: str) -> dt.date:
    if isinstance(period, dt.datetime):
        return (period.astimezone(calendar.TZ) if timezone.is_aware(period) else period).date()
    return period


def _channel_label(value: str) -> str:
    return str(Report.Channel(value).label) if value in Report.Channel.values else value


#: The grouping columns of the one-scan query, in GROUPING() bit order (first column = highest bit).
_GROUPED = ("category_id", "unit_id", "agency_id", "channel", "period")
_LABELS = {"category": Category, "unit": AdminUnit, "agency": Agency}


def grouped(qs: QuerySet, trend_unit: str = "month", *, now: dt.datetime | None = None):
    """Return (totals, {breakdown: rows}, trend rows, answered cases for the handling time) from one scan with
    GROUPING SETS (PostgreSQL only)."""
    now = now or timezone.now()
    named = {**conditions(now), "handled": HANDLED}
    names = [name for name in named if name != "received"]
    flags = {f"f_{name}": ExpressionWrapper(named[name], output_field=BooleanField()) for name in names}
    trunc = TRUNCS[trend_unit]("created_at", tzinfo=calendar.TZ)
    inner = qs.order_by().annotate(period=trunc, **flags).values(*_GROUPED, *flags)
    try:
        inner_sql, params = inner.query.sql_with_params()
    except EmptyResultSet:  # e.g. a viewer whose scope is no agency at all
        return Counts(), {name: [] for name in (*_LABELS, "channel")}, [], 0
    counts = ", ".join(f"COUNT(*) FILTER (WHERE f_{name})" for name in names)
    columns = ", ".join(_GROUPED)
    sets = ", ".join(["()", *(f"({c})" for c in _GROUPED)])
    sql = (
        f"SELECT GROUPING({columns}), {columns}, COUNT(*), {counts} "  # noqa: S608 - constant names only
        f"FROM ({inner_sql}) AS selection GROUP BY GROUPING SETS ({sets})"
    )
    connection = connections[qs.db]
    with transaction.atomic(using=qs.db), connection.cursor() as cursor:
        # One statement aggregates a year of cases: JIT compiling it costs more than it saves, and the six hash
        # tables (a few MB) would spill to disk within the default 4 MB.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found, handled = Counts(), 0
    by: dict[str, list] = {"category": [], "unit": [], "agency": [], "trend": [], "channel": []}
    bits = {1 << (len(_GROUPED) - 1 - i): name for i, name in enumerate(("category", "unit", "agency", "channel"))}
    everything = (1 << len(_GROUPED)) - 1
    for row in rows:
        grouping, keys, values = row[0], row[1 : 1 + len(_GROUPED)], row[1 + len(_GROUPED) :]
        row_counts = dict(zip(["received", *names], values, strict=True))
        if grouping == everything:
            handled = row_counts.pop("handled")
            found = Counts(**row_counts)
            continue
        row_counts.pop("handled")
        row_counts = Counts(**row_counts)
        kept = everything & ~grouping  # the one column this row is grouped by
        if kept == 1:
            by["trend"].append((keys[-1], row_counts))
        else:
            name = bits[kept]
            by[name].append((keys[_GROUPED.index(BREAKDOWNS[name][0])], row_counts))
    result = {}
    for name, model in [*_LABELS.items(), ("channel", None)]:
        pairs = by[name]
        if model is None:
            labels = {key: _channel_label(key) for key, _ in pairs}
        else:
            ids = [key for key, _ in pairs if key is not None]
            labels = dict(model.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
        pairs.sort(key=lambda pair: (-pair[1].received, pair[0] is None, pair[0] if pair[0] is not None else 0))
        result[name] = [Row(key=key, label=labels.get(key) or "", counts=c) for key, c in pairs]
    trend_rows = []
    for period, row_counts in sorted(by["trend"], key=lambda pair: pair[0]):
        start = _period_start(period, trend_unit)
        label = f"{start:%m/%Y}" if trend_unit == "month" else f"{start:%d/%m/%Y}"
        trend_rows.append(Row(key=start, label=label, counts=row_counts))
    return found, result, trend_rows, handled


def collect(filters: Filters, *, trend_unit: str = "month", now: dt.datetime | None = None) -> Statistics:
    """Return every statistic of the selection (one scan on PostgreSQL, else a handful of grouped queries) and the
    handling time over one bounded sample."""
    now = now or timezone.now()
    qs = cases(filters)
    if connections[qs.db].vendor == "postgresql":
        found, rows, trend_rows, handled = grouped(qs, trend_unit, now=now)
        return Statistics(
            filters=filters,
            totals=found,
            handling=handling_time(qs, total=handled),
            by_category=rows["category"],
            by_unit=rows["unit"],
            by_agency=rows["agency"],
            by_channel=rows["channel"],
            trend=trend_rows,
            trend_unit=trend_unit,
        )
    return Statistics(
        filters=filters,
        totals=totals(qs, now=now),
        handling=handling_time(qs),
        by_category=breakdown(qs, "category", now=now),
        by_unit=breakdown(qs, "unit", now=now),
        by_agency=breakdown(qs, "agency", now=now),
        by_channel=breakdown(qs, "channel", now=now),
        trend=trend(qs, trend_unit, now=now),
        trend_unit=trend_unit,
    )


# --- The public figures, cached and refreshed in the background -----------------------------------------------

#: Public figures older than this are recomputed in the background; until then visitors get the last ones.
PUBLIC_FRESH_SECONDS = 300
#: How long a computed copy is kept at all (a filter combination nobody asks for again drops out).
PUBLIC_KEEP_SECONDS = 3600


def _public_key(filters: Filters, trend_unit: str) -> str:
    dates = [d.isoformat() if d else None for d in (filters.start, filters.end)]
    ids = [getattr(o, "pk", None) for o in (filters.agency, filters.category, filters.unit)]
    return "feedback:public-stats:" + hashlib.sha256(repr((dates, ids, trend_unit)).encode()).hexdigest()


def refresh_public(filters: Filters, trend_unit: str = "month") -> Statistics:
    """Compute the public figures for `filters` and keep them in the shared cache."""
    result = collect(filters, trend_unit=trend_unit)
    cache.set(_public_key(filters, trend_unit), (time.time(), result), PUBLIC_KEEP_SECONDS)
    return result


def public(filters: Filters, trend_unit: str = "month", *, enqueue=None) -> Statistics:
    """Return the public figures from the cache (stale while revalidate): computed on the spot only when no copy
    exists; a copy older than PUBLIC_FRESH_SECONDS is served while `enqueue(filters, trend_unit)` (one caller at a
    time) asks a worker to refresh it. The recurring job `feedback.refresh_public_stats` keeps the default page's
    figures fresh, so no visitor of that page waits for the year's aggregates."""
    key = _public_key(filters, trend_unit)
    entry = cache.get(key)
    if entry is None:
        return refresh_public(filters, trend_unit)
    computed_at, result = entry
    if time.time() - computed_at > PUBLIC_FRESH_SECONDS and enqueue and cache.add(f"{key}:refreshing", 1, 120):
        enqueue(filters, trend_unit)
    return result


# --- Registered figures (core.registry.FIGURES) ---------------------------------------------------------------


def _figure_filters(start, end, unit, agency) -> Filters:
    def as_date(value):
        return timezone.localtime(value, calendar.TZ).date() if isinstance(value, dt.datetime) else value

    return Filters(start=as_date(start), end=as_date(end), unit=unit, agency=agency)


def figure_received(*, start, end, unit=None, agency=None) -> int:
    """Return the number of cases received in the period."""
    return cases(_figure_filters(start, end, unit, agency)).count()


def figure_accept_rate(*, start, end, unit=None, agency=None) -> float | None:
    """Return the percentage of cases accepted on time."""
    return totals(cases(_figure_filters(start, end, unit, agency))).accept_rate


def figure_answer_rate(*, start, end, unit=None, agency=None) -> float | None:
    """Return the percentage of cases answered on time."""
    return totals(cases(_figure_filters(start, end, unit, agency))).answer_rate


def figure_satisfaction_rate(*, start, end, unit=None, agency=None) -> float | None:
    """Return the percentage of rated answers the citizen was satisfied with."""
    return totals(cases(_figure_filters(start, end, unit, agency))).satisfaction_rate


def figure_handling_days(*, start, end, unit=None, agency=None) -> float | None:
    """Return the average handling time in working days."""
    return handling_time(cases(_figure_filters(start, end, unit, agency))).days
