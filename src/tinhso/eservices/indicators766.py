"""Decision 766/QĐ-TTg (23/6/2022): the service-quality indicators recomputed from recorded applications.

The formulas are pure functions over counts (first part of this module), so the dashboard, the figures registry,
the exports and the tests share one formula.
Scoring (brief §5): with a target, ``score = Pmax if R ≥ target else R × Pmax / target``; without one,
``score = R × Pmax``. Only the dossier-based indicators the platform records are computed here; the catalogue
indicators (publication on time, CSDL updates) and the portal-side ones (sync to DVCQG) come from the national
portal and are left out, so the total is out of the points of the indicators measured (`total`).

Definitions, per period (applications received in the period, or finished in it for the on-time ratio):

- 2.1 Tiến độ giải quyết (20): (finished on time + open and within the due time) / (finished + open). "On time"
  compares with the **original** due time: an apology letter does not make a late file on time.
- 3 Dịch vụ công trực tuyến toàn trình (12): fully online applications / applications of procedures that offer
  the fully online level.
- 3.6 Thanh toán trực tuyến (6): applications paid online / applications with a fee (zero-fee ones excluded).
- 4.1 Kết quả điện tử (6): applications whose result was issued as an electronic document / applications finished.
- 4.2 Số hóa hồ sơ (4, target 80 %): applications whose documents were digitised / applications received.
- 4.3 Tái sử dụng dữ liệu số hóa (2, target 80 %): applications that reused digitised data / applications received.
- 5.4 Mức độ hài lòng (6, target 90 %): 100 % − (overdue rate + dissatisfied rate), with dissatisfied the ratings
  of 1 or 2 stars out of 5 among rated applications.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from dataclasses import dataclass, fields

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from tinhso.eservices.models import Application, ApplicationDocument, Channel, Level, Status
from tinhso.eservices.models_processing import IndicatorRollup, Payment


@dataclass
class Counts:
    """The raw counts of one slice (agency, commune, procedure, period); they add up across slices."""

    received: int = 0
    finished: int = 0
    finished_on_time: int = 0
    open: int = 0
    open_on_time: int = 0
    full_eligible: int = 0
    full_online: int = 0
    fee_bearing: int = 0
    paid_online: int = 0
    e_results: int = 0
    digitised: int = 0
    reused: int = 0
    rated: int = 0
    dissatisfied: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


@dataclass(frozen=True)
class Indicator:
    key: str
    group: str
    label: str
    points: float
    target: float | None
    numerator: str
    denominator: str


@dataclass(frozen=True)
class Value:
    indicator: Indicator
    numerator: int
    denominator: int
    ratio: float | None
    score: float | None


def ratio(numerator: int | float, denominator: int | float) -> float | None:
    """Return numerator / denominator, or None when there is nothing to measure."""
    if not denominator:
        return None
    return numerator / denominator


def score(value: float | None, points: float, target: float | None = None) -> float | None:
    """Return the points earned by ratio `value` (0–1) out of `points`, with an optional target ratio."""
    if value is None:
        return None
    value = max(0.0, min(1.0, value))
    if target:
        return points if value >= target else value * points / target
    return value * points


INDICATORS: tuple[Indicator, ...] = (
    Indicator("on_time", "TDGQ", _("Giải quyết đúng hạn"), 20, None, "on_time", "due_total"),
    Indicator("full_online", "CLGQ", _("Hồ sơ trực tuyến toàn trình"), 12, None, "full_online", "full_eligible"),
    Indicator("paid_online", "TTTT", _("Thanh toán trực tuyến"), 6, None, "paid_online", "fee_bearing"),
    Indicator("e_results", "MDSH", _("Cấp kết quả điện tử"), 6, None, "e_results", "finished"),
    Indicator("digitised", "MDSH", _("Số hóa hồ sơ"), 4, 0.8, "digitised", "received"),
    Indicator("reused", "MDSH", _("Tái sử dụng dữ liệu số hóa"), 2, 0.8, "reused", "received"),
    Indicator("satisfaction", "MDHL", _("Mức độ hài lòng"), 6, 0.9, "satisfied", "one"),
)
BY_KEY = {i.key: i for i in INDICATORS}


def _terms(c: Counts) -> dict[str, float]:
    due_total = c.finished + c.open
    overdue_rate = ratio(due_total - c.finished_on_time - c.open_on_time, due_total) or 0.0
    dissatisfied_rate = ratio(c.dissatisfied, c.rated) or 0.0
    measured = due_total or c.rated
    return {
        "on_time": c.finished_on_time + c.open_on_time,
        "due_total": due_total,
        "full_online": c.full_online,
        "full_eligible": c.full_eligible,
        "paid_online": c.paid_online,
        "fee_bearing": c.fee_bearing,
        "e_results": c.e_results,
        "finished": c.finished,
        "digitised": c.digitised,
        "reused": c.reused,
        "received": c.received,
        # 5.4 is already a rate: expressed over a denominator of 1 when anything was measured.
        "satisfied": max(0.0, 1.0 - overdue_rate - dissatisfied_rate) if measured else 0,
        "one": 1 if measured else 0,
    }


def evaluate(counts: Counts) -> list[Value]:
    """Return every indicator's numerator, denominator, ratio and score for one slice's counts."""
    terms = _terms(counts)
    values = []
    for ind in INDICATORS:
        num, den = terms[ind.numerator], terms[ind.denominator]
        r = ratio(num, den)
        values.append(Value(ind, num, den, r, score(r, ind.points, ind.target)))
    return values


def total(values: list[Value]) -> tuple[float, float]:
    """Return (points earned, points available) over the indicators that could be measured."""
    measured = [v for v in values if v.score is not None]
    return sum(v.score for v in measured), sum(v.indicator.points for v in measured)


def percent(counts: Counts, key: str) -> float | None:
    """Return one indicator's ratio in percent (None when not measurable), for figures and exports."""
    value = next(v for v in evaluate(counts) if v.indicator.key == key)
    return None if value.ratio is None else round(value.ratio * 100, 1)


# --- Counting from the database ----------------------------------------------------------------------------------
#
# The same counts come from two places: straight from the applications (`count`, exact, for any dates: the
# figures registry and small slices), or from the monthly rollup table (`rollup_counts`, for the leaders'
# dashboard over a year, which sums a few thousand rows instead of scanning a million applications). The rollup
# is rebuilt by `refresh_month`, which runs `count` grouped by agency and procedure for one month.


def _aggregates(now) -> dict:

    due = Coalesce(F("original_due_at"), F("due_at"))
    docs = ApplicationDocument.objects.filter(application=OuterRef("pk"), replaced_at=None)
    open_statuses = [Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT, Status.FINANCIAL]
    finished = Q(completed_at__isnull=False)
    is_open = Q(completed_at__isnull=True, status__in=open_statuses)
    conditions = {
        "received": Q(),
        "finished": finished,
        "finished_on_time": finished & Q(completed_at__lte=due),
        "open": is_open,
        "open_on_time": is_open
        & (Q(due_at__isnull=True) | Q(original_due_at__gte=now) | Q(original_due_at=None, due_at__gte=now)),
        "full_eligible": Q(level=Level.FULL),
        "full_online": Q(level=Level.FULL, channel=Channel.ONLINE),
        "fee_bearing": Q(fee_amount__gt=0),
        "paid_online": Q(
            Exists(Payment.objects.filter(application=OuterRef("pk"), status="paid", method="online")), fee_amount__gt=0
        ),
        "e_results": finished & Q(Exists(docs.filter(kind=ApplicationDocument.Kind.RESULT))),
        "digitised": Q(Exists(docs.filter(is_digitised=True))),
        "reused": Q(Exists(docs.filter(reused_from__isnull=False))),
        "rated": Q(rating__isnull=False),
        "dissatisfied": Q(rating__lte=2),
    }
    return {name: Count("pk", filter=condition) if condition else Count("pk") for name, condition in conditions.items()}


def received_between(start, end):
    """Return the applications validly received between two dates (inclusive, local days)."""

    lo = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    hi = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    return Application.objects.filter(received_at__gte=lo, received_at__lt=hi)


def count(queryset, *, now=None) -> Counts:
    """Return the counts of the given (received) applications, computed from the recorded data."""

    row = queryset.order_by().aggregate(**_aggregates(now or timezone.now()))
    return Counts(**{name: row[name] or 0 for name in Counts.names()})


def refresh_month(month, *, now=None) -> int:
    """Rebuild the rollup rows of one month (any date in it) from the applications; return the rows written."""

    first = month.replace(day=1)
    last = first.replace(day=pycalendar.monthrange(first.year, first.month)[1])
    now = now or timezone.now()
    rows = (
        received_between(first, last)
        .order_by()
        .values("agency_id", "procedure_id", "agency__unit_id")
        .annotate(**_aggregates(now))
    )
    objects = [
        IndicatorRollup(
            month=first,
            agency_id=row["agency_id"],
            procedure_id=row["procedure_id"],
            unit_id=row["agency__unit_id"],
            refreshed_at=now,
            **{name: row[name] or 0 for name in Counts.names()},
        )
        for row in rows
    ]
    with transaction.atomic():
        IndicatorRollup.objects.filter(month=first).delete()
        IndicatorRollup.objects.bulk_create(objects, batch_size=1000)
    return len(objects)


def refresh_recent(*, now=None) -> int:
    """Rebuild this month and the previous one (late results and ratings still change last month's counts)."""

    today = timezone.localdate(now) if now else timezone.localdate()
    first = today.replace(day=1)
    return refresh_month(first - dt.timedelta(days=1), now=now) + refresh_month(first, now=now)


def rollup_counts(*, start, end, group: str | None = None, agency_ids=None, **filters) -> dict:
    """Return {group key: Counts} summed from the rollup for the months from `start` to `end` (dates).

    `group` is "agency", "unit", "procedure" or None (one total under the key None); `filters` narrow by
    agency_id, unit_id or procedure_id; `agency_ids` (None: all) limits to the agencies the reader may see.
    """

    rows = IndicatorRollup.objects.filter(month__gte=start.replace(day=1), month__lte=end, **filters)
    if agency_ids is not None:
        rows = rows.filter(agency_id__in=agency_ids)
    key = f"{group}_id" if group else None
    values = rows.values(key) if key else rows
    sums = {name: Sum(name) for name in Counts.names()}
    if key:
        result = {}
        for row in values.order_by().annotate(**sums):
            result[row[key]] = Counts(**{name: row[name] or 0 for name in Counts.names()})
        return result
    row = rows.aggregate(**sums)
    return {None: Counts(**{name: row[name] or 0 for name in Counts.names()})}


def figure(key: str):
    """Return a figures-registry compute function giving one indicator's percentage, exact from the applications."""

    def compute(*, start, end, unit=None, agency=None):
        queryset = received_between(start, end)
        if agency is not None:
            queryset = queryset.filter(agency=agency)
        if unit is not None:
            queryset = queryset.filter(agency__unit=unit)
        return percent(count(queryset), key)

    compute.__name__ = f"figure_{key}"
    return compute


def figure_received(*, start, end, unit=None, agency=None) -> int:
    """Return the number of applications validly received in the period."""
    queryset = received_between(start, end)
    if agency is not None:
        queryset = queryset.filter(agency=agency)
    if unit is not None:
        queryset = queryset.filter(agency__unit=unit)
    return queryset.count()


@task()
def refresh_task() -> int:
    """Rebuild the rollup of this month and the previous one (recurring job `eservices.refresh_766`)."""
    return refresh_recent()
