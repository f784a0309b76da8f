"""Recording indicator values, and the computations every page and API shares: roll-up, formulas, comparisons.

Every number is a Decimal from end to end: a float would turn 162,5 / 1,4 into 116,07142857142857 with a
binary tail, and a figure a leader reads aloud must be the one the statistics office published.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from tinhso.core import audit, permissions
from tinhso.core.models import AdminUnit, Role, UnitSuccession
from tinhso.indicators.models import Aggregation, Indicator, Qualifier, Status, Target, Value, ValueRevision
from tinhso.indicators.periods import Period, PeriodType

STORED_PLACES = Decimal("0.0001")
_HUNDRED = Decimal(100)
#: Weakest first: a figure computed from an estimate is an estimate.
_STATUS_ORDER = [Status.ESTIMATE, Status.PRELIMINARY, Status.OFFICIAL]


def as_decimal(number) -> Decimal:
    """Return `number` as a Decimal at the stored precision; floats are refused, they are already inexact."""
    if isinstance(number, float):
        raise TypeError("Dùng Decimal hoặc chuỗi số, không dùng float.")
    return Decimal(str(number)).quantize(STORED_PLACES, rounding=ROUND_HALF_UP)


def can_record_values(user, indicator: Indicator) -> bool:
    """Return whether `user` may enter values of `indicator`: its department's clerks and leaders, or administrators.

    Province leaders read every figure but do not enter them: the department answers for its data.
    """
    if permissions.is_province_wide(user, [Role.ADMIN]):
        return True
    if indicator.department_id is None:
        return False
    for membership in permissions.memberships(user):
        if membership.role == Role.CLERK and membership.agency_id == indicator.department_id:
            return True
        if membership.role == Role.LEADER and indicator.department_id in membership.agency.descendant_ids():
            return True
    return False


def record_value(
    *,
    indicator: Indicator,
    period: Period,
    unit: AdminUnit,
    value,
    status: str,
    source: str,
    actor,
    breakdown: str = "",
    qualifier: str = "",
    rank_of: int | None = None,
    is_derived: bool = False,
    derivation: str = "",
    reason: str = "",
) -> Value:
    """Record a value, keeping the earlier version as a revision; recompute the formulas that use it.

    `actor=None` is the system (a command loading published figures). Recording the same figure again
    changes nothing and writes no revision, so loads can be repeated.
    """
    if actor is not None and not can_record_values(actor, indicator):
        raise PermissionDenied(_("Chỉ cán bộ của cơ quan chịu trách nhiệm hoặc quản trị viên được nhập số liệu."))
    if indicator.has_formula:
        raise ValidationError(
            _("Chỉ tiêu “%(code)s” được tính theo công thức, không nhập trực tiếp.") % {"code": indicator.code}
        )
    with transaction.atomic():
        row = _write(
            indicator=indicator,
            period=period,
            unit=unit,
            breakdown=breakdown,
            value=value,
            qualifier=qualifier,
            rank_of=rank_of,
            status=status,
            source=source,
            is_derived=is_derived,
            derivation=derivation,
            reason=reason,
            actor=actor,
        )
        for dependent in Indicator.objects.filter(Q(numerator=indicator) | Q(denominator=indicator)):
            compute_formula_value(indicator=dependent, period=period, unit=unit, breakdown=breakdown, actor=actor)
    return row


def _write(
    *,
    indicator,
    period,
    unit,
    breakdown,
    value,
    qualifier,
    rank_of,
    status,
    source,
    is_derived,
    derivation,
    reason,
    actor,
) -> Value:
    if status not in Status.values:
        raise ValidationError({"status": _("Tình trạng số liệu không hợp lệ.")})
    if qualifier not in Qualifier.values:
        raise ValidationError({"qualifier": _("Mức chính xác không hợp lệ.")})
    if not source.strip():
        raise ValidationError({"source": _("Cần ghi nguồn số liệu.")})
    fields = {
        "value": as_decimal(value),
        "qualifier": qualifier,
        "rank_of": rank_of,
        "status": status,
        "source": source.strip(),
        "is_derived": is_derived,
        "derivation": derivation,
        "period_end": period.end,
    }
    user = actor if getattr(actor, "pk", None) is not None else None
    row = (
        Value.objects.select_for_update()
        .filter(
            indicator=indicator,
            unit=unit,
            period_type=period.type,
            period_start=period.start,
            breakdown=breakdown,
        )
        .first()
    )
    if row is None:
        row = Value.objects.create(
            indicator=indicator,
            unit=unit,
            period_type=period.type,
            period_start=period.start,
            breakdown=breakdown,
            recorded_by=user,
            **fields,
        )
        before: dict = {}
        action = "indicators.value_recorded"
    else:
        before = audit.snapshot(row, list(fields))
        if all(getattr(row, name) == wanted for name, wanted in fields.items()):
            return row
        for name, wanted in fields.items():
            setattr(row, name, wanted)
        row.version += 1
        row.recorded_by = user
        row.save()
        action = "indicators.value_revised"
    ValueRevision.objects.create(
        value_row=row,
        version=row.version,
        value=row.value,
        qualifier=row.qualifier,
        status=row.status,
        source=row.source,
        is_derived=row.is_derived,
        derivation=row.derivation,
        reason=reason,
        recorded_by=user,
    )
    audit.record(
        actor=actor,
        action=action,
        obj=row,
        changes=audit.diff(before, audit.snapshot(row, list(fields))),
        extra={"reason": reason} if reason else None,
    )
    return row


def compute_formula_value(
    *, indicator: Indicator, period: Period, unit: AdminUnit, actor, breakdown: str = ""
) -> Value | None:
    """Compute a formula indicator from the stored numerator and denominator of the same key, and store it."""
    if not indicator.has_formula:
        raise ValidationError(_("Chỉ tiêu “%(code)s” không có công thức.") % {"code": indicator.code})
    parts = {
        row.indicator_id: row
        for row in Value.objects.filter(
            indicator_id__in=[indicator.numerator_id, indicator.denominator_id],
            unit=unit,
            period_type=period.type,
            period_start=period.start,
            breakdown=breakdown,
        )
    }
    top, bottom = parts.get(indicator.numerator_id), parts.get(indicator.denominator_id)
    if top is None or bottom is None or bottom.value == 0:
        return None
    statuses = [top.status, bottom.status]
    return _write(
        indicator=indicator,
        period=period,
        unit=unit,
        breakdown=breakdown,
        value=top.value / bottom.value * indicator.factor,
        qualifier=top.qualifier if bottom.qualifier == Qualifier.EXACT else Qualifier.ABOUT,
        rank_of=None,
        status=min(statuses, key=_STATUS_ORDER.index),
        source=_("Tính theo công thức từ %(top)s và %(bottom)s") % {"top": top.source, "bottom": bottom.source}
        if top.source != bottom.source
        else top.source,
        is_derived=True,
        derivation=f"{indicator.numerator.code} / {indicator.denominator.code} × {indicator.factor.normalize():f}"
        f" = {top.value.normalize():f} / {bottom.value.normalize():f} × {indicator.factor.normalize():f}",
        reason="",
        actor=actor,
    )


@dataclass
class Figure:
    """A value as read: stored for the unit, or rolled up from the former units it replaced."""

    value: Decimal
    qualifier: str = ""
    status: str = Status.OFFICIAL
    #: The stored rows it comes from: one when stored directly, the former units' rows when rolled up.
    parts: list[Value] = field(default_factory=list)
    #: True when a former unit divided between several of today's units counted whole in its default successor.
    approximate: bool = False

    @property
    def rolled_up(self) -> bool:
        return len(self.parts) != 1 or bool(self.parts and self.parts[0].pk is None)


def value_for(*, indicator: Indicator, unit: AdminUnit, period: Period, breakdown: str = "") -> Figure | None:
    """Return the figure of `unit` for `period`: stored, else computed by formula, else rolled up from the former
    units it replaced, else aggregated over the shorter periods inside it."""
    key = {"period_type": period.type, "period_start": period.start, "breakdown": breakdown}
    row = Value.objects.filter(indicator=indicator, unit=unit, **key).first()
    if row is not None:
        return Figure(row.value, row.qualifier, row.status, [row])
    if indicator.has_formula:
        top = value_for(indicator=indicator.numerator, unit=unit, period=period, breakdown=breakdown)
        bottom = value_for(indicator=indicator.denominator, unit=unit, period=period, breakdown=breakdown)
        if top is None or bottom is None or bottom.value == 0:
            return None
        return Figure(
            as_decimal(top.value / bottom.value * indicator.factor),
            top.qualifier if bottom.qualifier == Qualifier.EXACT else Qualifier.ABOUT,
            min([top.status, bottom.status], key=_STATUS_ORDER.index),
            top.parts + bottom.parts,
            top.approximate or bottom.approximate,
        )
    return _rolled_up(indicator=indicator, unit=unit, key=key) or _over_time(
        indicator=indicator, unit=unit, period=period, breakdown=breakdown
    )


def _over_time(*, indicator: Indicator, unit: AdminUnit, period: Period, breakdown: str) -> Figure | None:
    """Return a longer period's figure from the shorter ones stored inside it, by the indicator's time rule."""
    if indicator.time_aggregation == Aggregation.NONE or period.type in (PeriodType.MONTH, PeriodType.DAY):
        return None
    inside = Value.objects.filter(
        indicator=indicator, unit=unit, breakdown=breakdown, period_start__gte=period.start, period_end__lte=period.end
    ).exclude(period_type=period.type)
    if indicator.time_aggregation == Aggregation.LAST:
        # A stock (enterprises operating, communes meeting a standard): the latest count within the period.
        row = inside.order_by("-period_end", "-period_start").first()
        return Figure(row.value, row.qualifier, row.status, [row], approximate=True) if row else None
    months = (period.end.year - period.start.year) * 12 + period.end.month - period.start.month + 1
    # A flow adds up (or averages) only over a complete set: nine months are not a year.
    for finer, needed in ((PeriodType.MONTH, months), (PeriodType.QUARTER, months // 3)):
        rows = [r for r in inside if r.period_type == finer]
        if rows and len(rows) == needed:
            total = sum((r.value for r in rows), Decimal(0))
            if indicator.time_aggregation == Aggregation.AVG:
                total = total / len(rows)
            qualifiers = {r.qualifier for r in rows}
            return Figure(
                as_decimal(total),
                qualifiers.pop() if len(qualifiers) == 1 else Qualifier.ABOUT,
                min((r.status for r in rows), key=_STATUS_ORDER.index),
                rows,
            )
    return None


def _rolled_up(*, indicator: Indicator, unit: AdminUnit, key: dict) -> Figure | None:
    if indicator.unit_aggregation not in (Aggregation.SUM, Aggregation.AVG):
        return None  # a rank or a rate of a former unit says nothing about today's unit
    # A divided former unit counts in its default successor only, so the units' figures still add up to the total.
    links = UnitSuccession.objects.filter(successor=unit, is_default=True)
    divided = dict(links.values_list("predecessor_id", "divided"))
    if not divided:
        return None
    rows = list(Value.objects.filter(indicator=indicator, unit_id__in=divided, **key).select_related("unit"))
    if not rows:
        return None
    total = sum((r.value for r in rows), Decimal(0))
    if indicator.unit_aggregation == Aggregation.AVG:
        total = total / len(rows)
    qualifiers = {r.qualifier for r in rows}
    return Figure(
        as_decimal(total),
        qualifiers.pop() if len(qualifiers) == 1 else Qualifier.ABOUT,
        min((r.status for r in rows), key=_STATUS_ORDER.index),
        rows,
        approximate=any(divided[r.unit_id] for r in rows) or len(rows) < len(divided),
    )


@dataclass(frozen=True)
class Comparison:
    """A figure against the same figure for an earlier period: ratio 1,4 and change +40 %."""

    value: Decimal
    base: Decimal
    period: Period
    base_period: Period

    @property
    def ratio(self) -> Decimal:
        return self.value / self.base

    @property
    def change_percent(self) -> Decimal:
        return (self.ratio - 1) * _HUNDRED


def compare(
    *, indicator: Indicator, unit: AdminUnit, period: Period, base_period: Period, breakdown: str = ""
) -> Comparison | None:
    """Return `period`'s figure against `base_period`'s, or None when either is missing or the base is zero."""
    now = value_for(indicator=indicator, unit=unit, period=period, breakdown=breakdown)
    then = value_for(indicator=indicator, unit=unit, period=base_period, breakdown=breakdown)
    if now is None or then is None or then.value == 0:
        return None
    return Comparison(now.value, then.value, period, base_period)


def find_target(*, indicator: Indicator, unit: AdminUnit, period: Period, breakdown: str = "") -> Target | None:
    """Return the level target that applies to `period`: one covering it (shortest first), else the latest before it."""
    targets = Target.objects.filter(indicator=indicator, unit=unit, breakdown=breakdown, kind=Target.Kind.LEVEL)
    covering = [t for t in targets.filter(period_start__lte=period.start, period_end__gte=period.end)]
    if covering:
        return min(covering, key=lambda t: t.period_end - t.period_start)
    return targets.filter(period_end__lt=period.end).order_by("-period_end").first()


def percent_of_target(
    *, indicator: Indicator, unit: AdminUnit, period: Period, breakdown: str = "", target: Target | None = None
) -> Decimal | None:
    """Return the figure as a percentage of its target (% đạt kế hoạch = thực hiện / kế hoạch × 100)."""
    target = target or find_target(indicator=indicator, unit=unit, period=period, breakdown=breakdown)
    figure = value_for(indicator=indicator, unit=unit, period=period, breakdown=breakdown)
    if target is None or figure is None or target.value == 0:
        return None
    return figure.value / target.value * _HUNDRED
