"""Recording indicator values, and the computations every page and API shares: roll-up, formulas, comparisons.

Every number is a Decimal from end to end: a float would turn 162,5 / 1,4 into 116,07142857142857 with a
binary tail, and a figure a leader reads aloud must be the one the statistics office published.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
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
    authorised: bool = False,
) -> Value:
    """Record a value, keeping the earlier version as a revision; recompute the formulas that use it.

    `actor=None` is the system (a command loading published figures). Recording the same figure again
    changes nothing and writes no revision, so loads can be repeated. `authorised=True` is for a caller that
    has already checked a wider right (a leader approving a data set that reports another department's
    indicator).
    """
    if actor is not None and not authorised and not can_record_values(actor, indicator):
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


# --- Data sets: entry, submission, approval, locking, reopening --------------------------------------------------


def can_enter(user, dataset) -> bool:
    """Return whether `user` may enter `dataset`'s figures: its agency's clerks (or commune officials), or admins."""
    if permissions.is_province_wide(user, [Role.ADMIN]):
        return True
    return any(
        m.agency_id == dataset.agency_id and m.role in (Role.CLERK, Role.COMMUNE_OFFICIAL)
        for m in permissions.memberships(user)
    )


def can_approve(user, dataset) -> bool:
    """Return whether `user` may approve `dataset`'s reports: a leader of its agency or above it, or an admin."""
    if permissions.is_province_wide(user, [Role.ADMIN]):
        return True
    return any(
        m.role == Role.LEADER and dataset.agency_id in m.agency.descendant_ids() for m in permissions.memberships(user)
    )


def open_submission(*, dataset, period: Period):
    """Return the report of `dataset` for `period`, creating an empty draft with its deadline if there is none."""
    from tinhso.indicators.datasets import window
    from tinhso.indicators.models import Submission

    if period.type != dataset.period_type:
        raise ValidationError(_("Kỳ báo cáo không đúng loại kỳ của bộ số liệu."))
    submission, _created = Submission.objects.get_or_create(
        dataset=dataset,
        period_type=period.type,
        period_start=period.start,
        defaults={"period_end": period.end, "due_on": window(dataset, period).due},
    )
    return submission


def _event(submission, kind: str, actor, reason: str = "", extra: dict | None = None) -> None:
    from tinhso.indicators.models import SubmissionEvent

    SubmissionEvent.objects.create(submission=submission, kind=kind, actor=actor, reason=reason)
    audit.record(
        actor=actor,
        action=f"indicators.submission_{kind}",
        obj=submission,
        extra={"reason": reason, **(extra or {})} if reason or extra else None,
    )


def _lock(submission):
    from tinhso.indicators.models import Submission

    return Submission.objects.select_for_update().select_related("dataset", "dataset__agency").get(pk=submission.pk)


def save_entries(*, submission, data: dict, actor, final: bool = False, kind: str = "saved") -> list:
    """Check and store the form's cells as the draft (`final`: and send it for approval); return the cells.

    Raises ValidationError (with the cells on `.cells`) and writes nothing when a cell is wrong. A submitted or
    approved report is not editable: an approved one needs `reopen_submission` first.
    """
    from tinhso.indicators.entry import blank_cells, check_cells
    from tinhso.indicators.models import Submission, SubmissionEntry

    if actor is not None and not can_enter(actor, submission.dataset):  # None: the system (demo, tests)
        raise PermissionDenied(_("Chỉ chuyên viên của cơ quan báo cáo được nhập bộ số liệu này."))
    with transaction.atomic():
        submission = _lock(submission)
        if not submission.is_editable:
            if submission.is_locked:
                raise ValidationError(_("Kỳ báo cáo đã được phê duyệt và khóa; cần mở lại (có lý do) để sửa."))
            raise ValidationError(_("Kỳ báo cáo đang chờ phê duyệt, không sửa được."))
        cells = blank_cells(submission.dataset, submission.period)
        if not check_cells(cells, data, final=final):
            error = ValidationError(_("Có ô số liệu chưa hợp lệ, xem từng ô được đánh dấu."))
            error.cells = cells
            raise error
        existing = {(e.indicator_id, e.unit_id): e for e in submission.entries.all()}
        changed, new, updated = {}, [], []
        for cell in cells:
            key = (cell.member.indicator_id, cell.unit.pk)
            entry = existing.get(key)
            confirmed = cell.confirmed and cell.is_jump
            if entry is None:
                entry = SubmissionEntry(submission=submission, indicator_id=key[0], unit_id=key[1])
                new.append(entry)
            elif (entry.value, entry.jump_confirmed, entry.note) == (cell.value, confirmed, cell.note):
                continue
            else:
                updated.append(entry)
            if entry.value != cell.value and len(changed) < 200:
                changed[cell.key] = [_text(entry.value), _text(cell.value)]
            entry.value, entry.jump_confirmed, entry.note = cell.value, confirmed, cell.note
        # A file of 100 000 figures: one insert per 2 000 rows instead of one per cell.
        SubmissionEntry.objects.bulk_create(new, batch_size=2000)
        SubmissionEntry.objects.bulk_update(updated, ["value", "jump_confirmed", "note"], batch_size=2000)
        _event(submission, kind, actor, extra={"changes": changed} if changed else None)
        if final:
            submission.state = Submission.State.SUBMITTED
            submission.submitted_at = timezone.now()
            submission.submitted_by = actor
            submission.return_reason = ""
            submission.save()
            _event(submission, "submitted", actor)
    return cells


def _text(value) -> str | None:
    return None if value is None else str(value)


def approve_submission(*, submission, actor):
    """Approve a submitted report: record its figures as preliminary values and lock the period."""
    from tinhso.indicators.models import Submission

    if actor is not None and not can_approve(actor, submission.dataset):
        raise PermissionDenied(_("Chỉ lãnh đạo cơ quan báo cáo được phê duyệt."))
    with transaction.atomic():
        submission = _lock(submission)
        if submission.state != Submission.State.SUBMITTED:
            raise ValidationError(_("Chỉ phê duyệt được kỳ báo cáo đang chờ duyệt."))
        dataset = submission.dataset
        source = dataset.source or _("Báo cáo %(dataset)s của %(agency)s") % {
            "dataset": dataset.name,
            "agency": dataset.agency.name,
        }
        reason = _("Phê duyệt kỳ %(period)s") % {"period": submission.period.code}
        for entry in submission.entries.select_related("indicator", "unit").exclude(value=None):
            record_value(
                indicator=entry.indicator,
                period=submission.period,
                unit=entry.unit,
                value=entry.value,
                status=Status.PRELIMINARY,
                source=source[:500],
                actor=actor,
                reason=reason,
                authorised=True,
            )
        submission.state = Submission.State.APPROVED
        submission.approved_at = timezone.now()
        submission.approved_by = actor
        submission.save()
        _event(submission, "approved", actor)
    return submission


def return_submission(*, submission, actor, reason: str):
    """Send a submitted report back to its clerks with the leader's reason."""
    from tinhso.indicators.models import Submission

    if not can_approve(actor, submission.dataset):
        raise PermissionDenied(_("Chỉ lãnh đạo cơ quan báo cáo được trả lại."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Cần ghi lý do trả lại.")})
    with transaction.atomic():
        submission = _lock(submission)
        if submission.state != Submission.State.SUBMITTED:
            raise ValidationError(_("Chỉ trả lại được kỳ báo cáo đang chờ duyệt."))
        submission.state = Submission.State.RETURNED
        submission.return_reason = reason[:500]
        submission.save()
        _event(submission, "returned", actor, reason[:500])
    return submission


def reopen_submission(*, submission, actor, reason: str):
    """Unlock an approved report so it can be corrected; the reason is mandatory and recorded.

    The values already recorded stay as they are until the corrected report is approved again, which writes
    them as new revisions.
    """
    from tinhso.indicators.models import Submission

    if not can_approve(actor, submission.dataset):
        raise PermissionDenied(_("Chỉ lãnh đạo cơ quan báo cáo được mở lại kỳ đã khóa."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Cần ghi lý do mở lại.")})
    with transaction.atomic():
        submission = _lock(submission)
        if submission.state != Submission.State.APPROVED:
            raise ValidationError(_("Chỉ mở lại được kỳ báo cáo đã phê duyệt."))
        submission.state = Submission.State.RETURNED
        submission.return_reason = reason[:500]
        submission.save()
        _event(submission, "reopened", actor, reason[:500])
    return submission


def mark_overdue(*, today=None) -> int:
    """Mark each overdue report once and warn about it (log, audit, e-mail to the agency); return how many."""
    import logging

    from tinhso.indicators.datasets import overdue_submissions

    logger = logging.getLogger(__name__)
    marked = 0
    for late in overdue_submissions(today=today):
        with transaction.atomic():
            submission = _lock(late.submission or open_submission(dataset=late.dataset, period=late.period))
            if submission.overdue_warned_at is not None:
                continue
            submission.overdue_warned_at = timezone.now()
            submission.save(update_fields=["overdue_warned_at", "updated_at"])
            _event(submission, "overdue", None, extra={"due_on": late.due_on.isoformat()})
            if late.dataset.agency.email:
                from django.urls import reverse

                from tinhso.core import notify

                notify.notify(
                    channel="email",
                    recipient=late.dataset.agency.email,
                    template="indicators_overdue",
                    context={
                        "agency": late.dataset.agency.name,
                        "dataset": late.dataset.name,
                        "period": late.period.label,
                        "due_on": late.due_on.strftime("%d/%m/%Y"),
                        "path": reverse("indicators:entry", args=[late.dataset.code, late.period.code]),
                    },
                    obj=submission,
                    idempotency_key=f"indicators-overdue:{submission.pk}",
                )
        logger.warning("Data set %s for %s is overdue since %s", late.dataset.code, late.period.code, late.due_on)
        marked += 1
    return marked
