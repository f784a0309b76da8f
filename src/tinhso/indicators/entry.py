"""Checking a data-entry form or an imported file: Vietnamese numbers, required cells, ranges, jumps.

One `check_cells` serves the form, the import and the actions, so a figure refused on screen is refused in a
file too. It only reads; `actions.py` writes.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from tinhso.indicators.datasets import previous, units_of
from tinhso.indicators.display import format_number as number
from tinhso.indicators.models import DataSet, DataSetIndicator, Submission, Value
from tinhso.indicators.periods import Period

_GROUPED = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")
_PLAIN = re.compile(r"^[+-]?\d+(,\d+)?$")
_HUNDRED = Decimal(100)
_LIMIT = Decimal("1e17")


def vi_number(value: Decimal) -> str:
    """Return `value` as a clerk types it, whatever the page's language: 1.030,5 (trailing zeros dropped)."""
    text = format(value.normalize(), "f") if value != 0 else "0"
    sign = "-" if text.startswith("-") else ""
    whole, _dot, frac = text.lstrip("-").partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return sign + ".".join(groups) + ("," + frac if frac else "")


def parse_number(text) -> Decimal | None:
    """Return the Decimal a clerk typed in Vietnamese format (1.030,5 or 1030,5); None if empty.

    A dot is only ever a thousands separator: "1.03" is refused rather than guessed, because in a Vietnamese
    report it is a typo for 1.030 as often as for 1,03. Raises ValueError with a Vietnamese message.
    """
    if text is None:
        return None
    if isinstance(text, Decimal | int):
        return Decimal(text)
    if isinstance(text, float):
        return Decimal(repr(text))
    cleaned = str(text).strip().replace("\u00a0", "").replace(" ", "")
    if not cleaned:
        return None
    if not (_GROUPED.match(cleaned) or _PLAIN.match(cleaned)):
        raise ValueError(_("“%(text)s” không phải là số (viết theo kiểu 1.030,5).") % {"text": str(text).strip()})
    try:
        value = Decimal(cleaned.replace(".", "").replace(",", "."))
    except InvalidOperation as exc:  # pragma: no cover - the patterns above admit only valid numbers
        raise ValueError(_("“%(text)s” không phải là số.") % {"text": text}) from exc
    if abs(value) >= _LIMIT:
        raise ValueError(_("Số quá lớn."))
    return value


@dataclass
class Cell:
    """One indicator × unit of a form: what was typed, what it means, and what is wrong with it."""

    member: DataSetIndicator
    unit: object
    raw: str = ""
    value: Decimal | None = None
    previous: Decimal | None = None
    confirmed: bool = False
    note: str = ""
    errors: list[str] = field(default_factory=list)
    change: Decimal | None = None  # the change against the previous period, in %

    @property
    def key(self) -> str:
        """Return the stable field name of the cell: its indicator code and unit code."""
        return f"{self.member.indicator.code}-{self.unit.code}"

    @property
    def is_jump(self) -> bool:
        return self.change is not None and abs(self.change) > self.member.dataset.jump_threshold

    @property
    def needs_confirmation(self) -> bool:
        return self.is_jump and not self.confirmed


def members_of(dataset: DataSet) -> list[DataSetIndicator]:
    return list(dataset.members.select_related("indicator", "dataset").order_by("sort_order", "id"))


def previous_values(dataset: DataSet, period: Period, members, units) -> dict[tuple[int, int], Decimal]:
    """Return the values of the period before, by (indicator id, unit id)."""
    before = previous(period)
    rows = Value.objects.filter(
        indicator__in=[m.indicator_id for m in members],
        unit__in=[u.pk for u in units],
        period_type=before.type,
        period_start=before.start,
        breakdown="",
    ).values_list("indicator_id", "unit_id", "value")
    return {(i, u): v for i, u, v in rows}


def blank_cells(dataset: DataSet, period: Period, submission: Submission | None = None) -> list[Cell]:
    """Return the form's cells filled from the stored draft, with the previous period's values."""
    members, units = members_of(dataset), units_of(dataset)
    before = previous_values(dataset, period, members, units)
    stored = {}
    if submission is not None and submission.pk:
        stored = {(e.indicator_id, e.unit_id): e for e in submission.entries.all()}
    cells = []
    for member in members:
        for unit in units:
            cell = Cell(member=member, unit=unit, previous=before.get((member.indicator_id, unit.pk)))
            entry = stored.get((member.indicator_id, unit.pk))
            if entry is not None:
                cell.value, cell.confirmed, cell.note = entry.value, entry.jump_confirmed, entry.note
                cell.raw = "" if entry.value is None else vi_number(entry.value)
                _measure(cell)
            cells.append(cell)
    return cells


def _measure(cell: Cell) -> None:
    if cell.value is not None and cell.previous not in (None, Decimal(0)):
        cell.change = (cell.value - cell.previous) / abs(cell.previous) * _HUNDRED


def check_cells(cells: list[Cell], data: dict, *, final: bool) -> bool:
    """Fill `cells` from `data` (the form's POST: v-, ok-, note- fields by key); return True when all is well.

    A draft may leave required cells empty and jumps unconfirmed; a submission (`final`) may not.
    """
    ok = True
    for cell in cells:
        cell.errors = []
        cell.raw = str(data.get(f"v-{cell.key}", "") or "").strip()
        cell.confirmed = str(data.get(f"ok-{cell.key}", "")).lower() in ("1", "on", "true", "x", "có")
        cell.note = str(data.get(f"note-{cell.key}", "") or "").strip()[:500]
        cell.value, cell.change = None, None
        try:
            cell.value = parse_number(cell.raw)
        except ValueError as exc:
            cell.errors.append(str(exc))
        member = cell.member
        if cell.value is not None:
            if member.min_value is not None and cell.value < member.min_value:
                cell.errors.append(_("Không được nhỏ hơn %(min)s.") % {"min": number(member.min_value, 4)})
            if member.max_value is not None and cell.value > member.max_value:
                cell.errors.append(_("Không được lớn hơn %(max)s.") % {"max": number(member.max_value, 4)})
            _measure(cell)
        elif final and member.required and not cell.errors:
            cell.errors.append(_("Bắt buộc nhập."))
        if final and cell.needs_confirmation and not cell.errors:
            cell.errors.append(
                _("Thay đổi %(change)s%% so với kỳ trước, cần đánh dấu xác nhận.") % {"change": number(cell.change, 1)}
            )
        ok = ok and not cell.errors
    return ok
