"""Decision 766/QĐ-TTg (23/6/2022): the service-quality indicators recomputed from recorded applications.

Pure functions over counts, so the dashboard, the figures registry, the exports and the tests share one formula.
Scoring (brief §5): with a target, ``score = Pmax if R ≥ target else R × Pmax / target``; without one,
``score = R × Pmax``. Only the dossier-based indicators the platform records are computed here; the catalogue
indicators (publication on time, CSDL updates) and the portal-side ones (sync to DVCQG) come from the national
portal and are left out, so the total is out of the points of the indicators shown (`max_points`).

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

from dataclasses import dataclass, fields

from django.utils.translation import gettext_lazy as _


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
