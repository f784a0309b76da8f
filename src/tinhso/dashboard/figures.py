"""The dashboard's reads: headline tiles, time series, commune values for the map, alerts.

Two kinds of figure are composed without reaching into their modules' internals:

- **indicators**: values of `tinhso.indicators` (read through its models, `actions` and `display`);
- **registered figures**: `core.registry.FIGURES`, which modules fill from their `AppConfig.ready()`
  (the 1022 on-time and satisfaction rates today), computed for calendar months.

A key names either: an indicator's code (a slug, never with a dot) or a registered figure's key
("feedback.answer_on_time"). Results are cached briefly; a recorded value invalidates the indicator caches
at once (`invalidate`, connected to the value table's signals in `apps.py`).
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tinhso.core.models import AdminUnit, UnitSuccession
from tinhso.core.registry import FIGURES
from tinhso.indicators import actions, display, periods
from tinhso.indicators.models import Aggregation, Indicator, Status, Target, Value
from tinhso.indicators.periods import Period

#: How many indicators get a headline tile when nothing else decides (the first by their sort order).
TILE_COUNT = 20
#: Indicator figures change only through recorded values, which invalidate the cache; this bounds staleness
#: for writes that bypass the model's signals.
INDICATOR_TTL = 60
#: Registered figures are computed by their module on each call and send no signal: five minutes is fresh enough.
REGISTRY_TTL = 300
#: Months of history drawn for a registered figure.
REGISTRY_MONTHS = 12
#: A change this large or more is also read as a multiple: "gấp 1,4 lần so với năm 2020".
RATIO_FROM = Decimal("1.35")
_VERSION_KEY = "dashboard:version"
_HUNDRED = Decimal(100)


# --- Cache ---------------------------------------------------------------------------------------------------


def version() -> int:
    """Return the current generation of indicator data (changes whenever a value or target is recorded)."""
    return _version()


def _version() -> int:
    version = cache.get(_VERSION_KEY)
    if version is None:
        version = 1
        cache.add(_VERSION_KEY, version, None)
    return version


def _indicator_version_key(indicator_id: int) -> str:
    return f"dashboard:version:{indicator_id}"


def _bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, None)


def invalidate(sender=None, instance=None, **kwargs) -> None:
    """Forget the cached reads a write changes (connected to the save and delete signals of Value, Target, AlertRule).

    Two generations: the page's (every write) and the written indicator's, so that the other indicators' tiles,
    series and commune values stay cached.
    """
    _bump(_VERSION_KEY)
    indicator_id = getattr(instance, "indicator_id", None)
    if indicator_id:
        _bump(_indicator_version_key(indicator_id))


def _indicator_versions(ids) -> dict[int, int]:
    found = cache.get_many([_indicator_version_key(i) for i in ids])
    return {i: found.get(_indicator_version_key(i), 0) for i in ids}


def _cached(name: str, compute, *, ttl: int = INDICATOR_TTL, versioned: bool = True, indicator_id: int | None = None):
    key = f"dashboard:{name}:{get_language() or ''}"
    if indicator_id is not None:
        key = f"{key}:i{_indicator_versions([indicator_id])[indicator_id]}"
    elif versioned:
        key = f"{key}:{_version()}"
    result = cache.get(key)
    if result is None:
        result = compute()
        cache.set(key, result, ttl)
    return result


# --- Units -----------------------------------------------------------------------------------------------------


def province() -> AdminUnit | None:
    """Return today's province (read once a few minutes: several reads of one page need it)."""
    found = _cached("province", lambda: AdminUnit.objects.current().provinces().order_by("code").first() or "none")
    return None if found == "none" else found


def communes():
    return AdminUnit.objects.current().communes().order_by("name").only("id", "code", "name", "kind")


# --- Values of indicators ----------------------------------------------------------------------------------------


@dataclass
class Point:
    """One period's figure, ready to show: the number for the chart, the text for the table."""

    period: Period
    value: Decimal | None
    text: str
    status: str = ""
    target: Decimal | None = None
    target_text: str = ""

    @property
    def label(self) -> str:
        return short_label(self.period)


def short_label(period: Period) -> str:
    """Return a compact label for an axis or a table row: 2024, Q1/2024, 11/2024, 30/11/2024, 2021–2025."""
    if period.type == periods.PeriodType.YEAR:
        return str(period.start.year)
    if period.type == periods.PeriodType.QUARTER:
        return f"Q{(period.start.month - 1) // 3 + 1}/{period.start.year}"
    if period.type == periods.PeriodType.MONTH:
        return f"{period.start.month:02d}/{period.start.year}"
    if period.type == periods.PeriodType.DAY:
        return period.start.strftime("%d/%m/%Y")
    return f"{period.start.year}–{period.end.year}"


def show(indicator: Indicator, number, qualifier: str = "", rank_of: int | None = None, *, unit: bool = True) -> str:
    """Return a figure as Vietnamese text: "162,5 nghìn tỷ đồng", "hơn 20.000 tỷ đồng", "thứ 2/63"."""
    if number is None:
        return ""
    if indicator.unit == "hạng":
        rank = display.format_number(number, 0)
        return _("thứ %(rank)s/%(of)s") % {"rank": rank, "of": rank_of} if rank_of else _("thứ %s") % rank
    return display.format_value(
        number, decimals=indicator.decimals, qualifier=qualifier, unit=indicator.unit if unit else ""
    )


def _targets(indicator: Indicator, unit: AdminUnit) -> list[Target]:
    return list(Target.objects.filter(indicator=indicator, unit=unit, breakdown="", kind=Target.Kind.LEVEL))


def target_for(targets: list[Target], period: Period) -> Target | None:
    """Return the target that applies to `period`, by the rule of `actions.find_target`, then an undated one."""
    covering = [t for t in targets if t.period_start and t.period_start <= period.start and t.period_end >= period.end]
    if covering:
        return min(covering, key=lambda t: t.period_end - t.period_start)
    before = [t for t in targets if t.period_end and t.period_end < period.end]
    if before:
        return max(before, key=lambda t: t.period_end)
    undated = [t for t in targets if not t.period_type]
    return undated[0] if undated else None


def _unit_rows(indicator: Indicator, unit: AdminUnit):
    return Value.objects.filter(indicator=indicator, unit=unit, breakdown="")


def latest_row(indicator: Indicator, unit: AdminUnit) -> Value | None:
    """Return the row of the latest period stored for the unit (the index on indicator, period_start serves it)."""
    return _unit_rows(indicator, unit).order_by("-period_start", "period_end").first()


def previous_row(indicator: Indicator, unit: AdminUnit, row: Value) -> Value | None:
    """Return the row of the latest earlier period of the same kind: the year before, or the base year stored."""
    return (
        _unit_rows(indicator, unit)
        .filter(period_type=row.period_type, period_start__lt=row.period_start)
        .order_by("-period_start")
        .first()
    )


# --- Tiles -------------------------------------------------------------------------------------------------------


@dataclass
class Tile:
    key: str
    label: str
    unit: str
    value_text: str = ""
    period_label: str = ""
    status: str = ""
    status_label: str = ""
    is_derived: bool = False
    #: "up", "down" or "flat", and whether that is good news (None when it says nothing).
    direction: str = ""
    good: bool | None = None
    trend_text: str = ""
    ratio_text: str = ""
    target_text: str = ""
    percent_of_target: Decimal | None = None
    percent_of_target_text: str = ""
    source: str = ""
    department: str = ""
    kind: str = "indicator"
    number: Decimal | None = None
    period_code: str = ""
    has_communes: bool = False
    extra: dict = field(default_factory=dict)


def headline_indicators(unit: AdminUnit, *, limit: int = TILE_COUNT) -> list[Indicator]:
    """Return the indicators shown as tiles: the first by sort order with a value or a target for the unit."""
    has_value = Value.objects.filter(indicator=OuterRef("pk"), unit=unit, breakdown="")
    has_target = Target.objects.filter(indicator=OuterRef("pk"), unit=unit, breakdown="")
    return list(
        Indicator.objects.filter(Q(Exists(has_value)) | Q(Exists(has_target)))
        .select_related("department")
        .order_by("sort_order", "code")[:limit]
    )


def latest_rows(indicators: list[Indicator], unit: AdminUnit) -> dict[int, list[Value]]:
    """Return each indicator's two latest rows for the unit, newest first, in one query where the database can.

    On PostgreSQL one UNION ALL of per-indicator LIMIT 2 index scans; SQLite cannot order and slice the parts of
    a compound query, so there it is one query per indicator.
    """
    if not indicators:
        return {}
    parts = [_unit_rows(i, unit).order_by("-period_start", "period_end")[:2] for i in indicators]
    if connection.features.supports_slicing_ordering_in_compound and len(parts) > 1:
        rows = list(parts[0].union(*parts[1:], all=True))
    else:
        rows = [row for part in parts for row in part]
    found: dict[int, list[Value]] = {i.pk: [] for i in indicators}
    for row in rows:
        found[row.indicator_id].append(row)
    for pair in found.values():
        pair.sort(key=lambda r: (r.period_start, -r.period_end.toordinal()), reverse=True)
    return found


def indicator_tile(
    indicator: Indicator,
    unit: AdminUnit,
    *,
    rows: list[Value] | None = None,
    targets: list[Target] | None = None,
) -> Tile:
    """Return the tile of one indicator for one unit: latest value, change on the previous period, % of target.

    `rows` (the two latest, newest first) and `targets` may come from one batched read of every tile.
    """
    tile = Tile(
        key=indicator.code,
        label=indicator.name_vi,
        unit=indicator.unit,
        department=indicator.department.name if indicator.department_id else "",
    )
    targets = _targets(indicator, unit) if targets is None else targets
    if rows is None:
        rows = latest_rows([indicator], unit)[indicator.pk]
    row = rows[0] if rows else None
    if row is None:
        target = target_for(targets, periods.year(timezone.localdate().year))
        if target is not None:
            tile.target_text = _("Mục tiêu: %(value)s") % {"value": show(indicator, target.value, target.qualifier)}
        return tile
    period = row.period
    tile.number, tile.period_code = row.value, period.code
    tile.value_text = show(indicator, row.value, row.qualifier, row.rank_of)
    tile.period_label = period.label
    tile.status, tile.status_label = row.status, str(Status(row.status).label)
    tile.is_derived, tile.source = row.is_derived, row.source
    same_kind = len(rows) > 1 and rows[1].period_type == row.period_type
    # With a single row stored there is no earlier period to look for.
    before = rows[1] if same_kind else previous_row(indicator, unit, row) if len(rows) > 1 else None
    if before is not None and before.value != 0:
        _describe_trend(tile, indicator, row, before)
    target = target_for(targets, period)
    if target is not None and target.value != 0:
        tile.target_text = _("Mục tiêu: %(value)s") % {"value": show(indicator, target.value, target.qualifier)}
        if indicator.unit != "hạng":
            tile.percent_of_target = row.value / target.value * _HUNDRED
            tile.percent_of_target_text = _("đạt %(percent)s%% mục tiêu") % {
                "percent": display.format_number(tile.percent_of_target, 1)
            }
    return tile


def _describe_trend(tile: Tile, indicator: Indicator, row: Value, before: Value) -> None:
    base = before.period
    if indicator.unit == "hạng":
        # A rank moves in places, and a smaller number is the better place.
        places = int(before.value - row.value)
        tile.direction = "up" if places > 0 else "down" if places < 0 else "flat"
        tile.good = places > 0 if places else None
        if places > 0:
            tile.trend_text = _("tăng %(n)s bậc so với %(base)s") % {"n": places, "base": base.label}
        elif places < 0:
            tile.trend_text = _("giảm %(n)s bậc so với %(base)s") % {"n": -places, "base": base.label}
        else:
            tile.trend_text = _("giữ nguyên thứ hạng so với %(base)s") % {"base": base.label}
        return
    comparison = actions.Comparison(row.value, before.value, row.period, base)
    change = comparison.change_percent.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    tile.direction = "up" if change > 0 else "down" if change < 0 else "flat"
    tile.good = None if change == 0 else (change > 0) == indicator.higher_is_better
    tile.trend_text = display.describe_change(comparison, with_base=True)
    if comparison.ratio >= RATIO_FROM:
        tile.ratio_text = display.describe_ratio(comparison)


def registry_tile(key: str, *, today: dt.date | None = None) -> Tile:
    """Return the tile of a registered figure: this month so far, against last month."""
    figure = FIGURES[key]
    today = today or timezone.localdate()
    this_month = periods.month(today.year, today.month)
    last_month = _month_before(this_month)
    now = _compute(key, this_month.start, today)
    then = _compute(key, last_month.start, last_month.end)
    tile = Tile(key=key, label=str(figure.label), unit=str(figure.unit), kind="registry")
    tile.period_label = _("%(period)s (đến ngày %(day)s)") % {
        "period": this_month.label,
        "day": today.strftime("%d/%m/%Y"),
    }
    tile.period_code = this_month.code
    if now is None:
        return tile
    tile.number = now
    tile.value_text = _show_registry(figure, now)
    if then is not None:
        if str(figure.unit) == "%":
            points = (now - then).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            tile.direction = "up" if points > 0 else "down" if points < 0 else "flat"
            words = {"up": _("tăng"), "down": _("giảm")}.get(tile.direction)
            tile.trend_text = (
                _("%(change)s %(points)s điểm phần trăm so với %(base)s")
                % {"change": words, "points": display.format_number(abs(points), 1), "base": last_month.label}
                if words
                else _("không đổi so với %(base)s") % {"base": last_month.label}
            )
        elif then != 0:
            comparison = actions.Comparison(now, then, this_month, last_month)
            change = comparison.change_percent
            tile.direction = "up" if change > 0 else "down" if change < 0 else "flat"
            tile.trend_text = display.describe_change(comparison, with_base=True)
    return tile


def _show_registry(figure, number: Decimal) -> str:
    unit = str(figure.unit)
    return display.format_value(number, decimals=1, unit=unit)


def _compute(
    key: str, start: dt.date, end: dt.date, unit: AdminUnit | None = None, *, refresh: bool = False
) -> Decimal | None:
    def run():
        value = FIGURES[key].compute(start=start, end=end, unit=unit, agency=None)
        return "none" if value is None else Decimal(str(value))

    unit_code = unit.code if unit else ""
    name = f"fig:{key}:{start}:{end}:{unit_code}"
    if refresh:
        cache.set(f"dashboard:{name}:{get_language() or ''}", run(), REGISTRY_TTL)
    result = _cached(name, run, ttl=REGISTRY_TTL, versioned=False)
    return None if result == "none" else result


def refresh_registered(*, today: dt.date | None = None) -> int:
    """Compute every registered figure's months the page shows and cache them; return how many were computed.

    Run by the recurring job `dashboard.refresh_figures` (tasks.py), a little more often than the cache expires,
    so that with a shared cache (Redis) no page request waits for a module's computation.
    """
    today = today or timezone.localdate()
    month = periods.month(today.year, today.month)
    months = [month]
    for _i in range(REGISTRY_MONTHS - 1):
        months.insert(0, _month_before(months[0]))
    count = 0
    for key in sorted(FIGURES):
        for period in months:
            _compute(key, period.start, min(period.end, today), refresh=True)
            count += 1
        last = _month_before(month)
        _compute(key, last.start, last.end, refresh=True)
        count += 1
    return count


def _month_before(period: Period) -> Period:
    first = period.start - dt.timedelta(days=1)
    return periods.month(first.year, first.month)


def _indicator_tiles(shown: list[Indicator], unit: AdminUnit) -> list[Tile]:
    """Return the tiles of `shown`, each cached under its indicator's generation; compute the missing in a batch."""
    versions = _indicator_versions([i.pk for i in shown])
    language = get_language() or ""
    keys = {i.pk: f"dashboard:tile:{language}:{unit.pk}:{i.pk}:{versions[i.pk]}" for i in shown}
    found = cache.get_many(list(keys.values()))
    missing = [i for i in shown if keys[i.pk] not in found]
    if missing:
        rows = latest_rows(missing, unit)
        targets: dict[int, list[Target]] = {i.pk: [] for i in missing}
        for target in Target.objects.filter(indicator__in=missing, unit=unit, breakdown="", kind=Target.Kind.LEVEL):
            targets[target.indicator_id].append(target)
        computed = {keys[i.pk]: indicator_tile(i, unit, rows=rows[i.pk], targets=targets[i.pk]) for i in missing}
        cache.set_many(computed, INDICATOR_TTL * 5)
        found.update(computed)
    return [found[keys[i.pk]] for i in shown]


def tiles() -> dict:
    """Return the page's tiles: indicators of the province, then registered figures (cached)."""

    def compute():
        unit = province()
        indicator_tiles = []
        if unit is not None:
            indicator_tiles = _indicator_tiles(headline_indicators(unit), unit)
        return {"indicators": indicator_tiles, "registry": [registry_tile(key) for key in sorted(FIGURES)]}

    return _cached("tiles", compute)


# --- Series ----------------------------------------------------------------------------------------------------


@dataclass
class Series:
    key: str
    title: str
    unit: str
    decimals: int
    unit_name: str
    points: list[Point]
    kind: str = "indicator"
    source: str = ""

    @property
    def has_target(self) -> bool:
        return any(p.target is not None for p in self.points)

    def as_json(self) -> dict:
        return {
            "key": self.key,
            "title": self.title,
            "unit": self.unit,
            "unitName": self.unit_name,
            "decimals": self.decimals,
            "labels": [p.label for p in self.points],
            "values": [float(p.value) if p.value is not None else None for p in self.points],
            "texts": [p.text for p in self.points],
            "targets": [float(p.target) if p.target is not None else None for p in self.points]
            if self.has_target
            else None,
            "labelValue": _("Thực hiện"),
            "labelTarget": _("Mục tiêu"),
        }


class UnknownFigure(LookupError):
    pass


def series(key: str, *, unit: AdminUnit | None = None, today: dt.date | None = None) -> Series:
    """Return the time series of an indicator (one period type, the latest's) or of a registered figure."""
    if key in FIGURES:
        return _registry_series(key, unit=unit, today=today)
    indicator = Indicator.objects.filter(code=key).first()
    if indicator is None:
        raise UnknownFigure(key)
    unit = unit or province()
    if unit is None:
        raise UnknownFigure(key)
    return _cached(
        f"series:{key}:{unit.code}:{unit.pk}", lambda: _indicator_series(indicator, unit), indicator_id=indicator.pk
    )


def _indicator_series(indicator: Indicator, unit: AdminUnit) -> Series:
    rows = _series_rows(indicator, unit)
    targets = _targets(indicator, unit)
    points = []
    for period, number, qualifier, status, rank_of in rows:
        target = target_for(targets, period)
        points.append(
            Point(
                period=period,
                value=number,
                text=show(indicator, number, qualifier, rank_of, unit=False),
                status=str(Status(status).label) if status else "",
                target=target.value if target else None,
                target_text=show(indicator, target.value, target.qualifier, unit=False) if target else "",
            )
        )
    return Series(
        key=indicator.code,
        title=indicator.name_vi,
        unit=indicator.unit,
        decimals=indicator.decimals,
        unit_name=unit.name,
        points=points,
    )


def _series_rows(indicator: Indicator, unit: AdminUnit) -> list[tuple]:
    """Return (period, value, qualifier, status, rank_of) of the unit's latest period type, oldest first.

    A commune of today with nothing stored adds up (or averages) its former units' rows, as `value_for` does.
    """
    latest = latest_row(indicator, unit)
    fields = ("period_type", "period_start", "period_end", "value", "qualifier", "status", "rank_of")
    if latest is not None:
        rows = _unit_rows(indicator, unit).filter(period_type=latest.period_type).order_by("period_start")
        return [(periods.from_fields(*r[:3]), *r[3:]) for r in rows.values_list(*fields)]
    if indicator.unit_aggregation not in (Aggregation.SUM, Aggregation.AVG):
        return []
    former = list(UnitSuccession.objects.filter(successor=unit, is_default=True).values_list("predecessor", flat=True))
    if not former:
        return []
    grouped: dict[Period, list] = {}
    for r in Value.objects.filter(indicator=indicator, unit_id__in=former, breakdown="").values_list(*fields):
        grouped.setdefault(periods.from_fields(*r[:3]), []).append(r)
    result = []
    for period in sorted(grouped, key=lambda p: (p.start, p.end)):
        rows = grouped[period]
        total = sum((r[3] for r in rows), Decimal(0))
        if indicator.unit_aggregation == Aggregation.AVG:
            total = total / len(rows)
        result.append((period, total, "~" if len(rows) < len(former) else "", rows[0][5], None))
    return result


def _registry_series(key: str, *, unit: AdminUnit | None, today: dt.date | None) -> Series:
    figure = FIGURES[key]
    today = today or timezone.localdate()
    month = periods.month(today.year, today.month)
    months = [month]
    for _i in range(REGISTRY_MONTHS - 1):
        months.insert(0, _month_before(months[0]))
    points = []
    for period in months:
        end = min(period.end, today)
        number = _compute(key, period.start, end, unit)
        points.append(
            Point(period=period, value=number, text=_show_registry(figure, number) if number is not None else "")
        )
    thresholds = _registry_threshold(key)
    if thresholds is not None:
        for p in points:
            p.target, p.target_text = thresholds, display.format_number(thresholds, 1)
    return Series(
        key=key,
        title=str(figure.label),
        unit=str(figure.unit),
        decimals=1,
        unit_name=unit.name if unit else _("Toàn tỉnh"),
        points=points,
        kind="registry",
    )


def _registry_threshold(key: str) -> Decimal | None:
    from tinhso.dashboard.models import AlertRule

    rule = AlertRule.objects.filter(figure_key=key, is_active=True).order_by("-threshold").first()
    return rule.threshold if rule else None


# --- Communes (map and drill-down) -----------------------------------------------------------------------------


@dataclass
class UnitFigure:
    code: str
    name: str
    value: Decimal | None
    text: str
    approximate: bool = False


def map_period(indicator: Indicator, unit: AdminUnit | None = None) -> Period | None:
    """Return the latest period with a value for some commune (not the province's own rows)."""
    unit = unit or province()
    qs = Value.objects.filter(indicator=indicator, breakdown="")
    if unit is not None:
        qs = qs.exclude(unit=unit)
    row = qs.order_by("-period_start").values_list("period_type", "period_start", "period_end").first()
    return periods.from_fields(*row) if row else None


def commune_values(indicator: Indicator, period: Period) -> list[UnitFigure]:
    """Return every current commune's figure for the period (former units rolled up), by name (cached)."""
    compute = lambda: _commune_values(indicator, period)  # noqa: E731
    return _cached(f"communes:{indicator.code}:{period.code}", compute, indicator_id=indicator.pk)


def _commune_values(indicator: Indicator, period: Period) -> list[UnitFigure]:
    units = list(communes())
    key = {"indicator": indicator, "period_type": period.type, "period_start": period.start, "breakdown": ""}
    direct = {
        unit_id: (value, qualifier, rank_of)
        for unit_id, value, qualifier, rank_of in Value.objects.filter(
            unit_id__in=[u.pk for u in units], **key
        ).values_list("unit_id", "value", "qualifier", "rank_of")
    }
    rolled: dict[int, tuple[Decimal, bool]] = {}
    missing = [u.pk for u in units if u.pk not in direct]
    if missing and indicator.unit_aggregation in (Aggregation.SUM, Aggregation.AVG):
        links = list(
            UnitSuccession.objects.filter(successor_id__in=missing, is_default=True).values_list(
                "predecessor_id", "successor_id", "divided"
            )
        )
        former = {p: (s, d) for p, s, d in links}
        sums: dict[int, list] = {}
        for unit_id, value in Value.objects.filter(unit_id__in=former, **key).values_list("unit_id", "value"):
            successor, divided = former[unit_id]
            sums.setdefault(successor, []).append((value, divided))
        for successor, parts in sums.items():
            total = sum((v for v, _d in parts), Decimal(0))
            if indicator.unit_aggregation == Aggregation.AVG:
                total = total / len(parts)
            expected = sum(1 for s, _d in former.values() if s == successor)
            rolled[successor] = (total, any(d for _v, d in parts) or len(parts) < expected)
    result = []
    for unit in units:
        if unit.pk in direct:
            value, qualifier, rank_of = direct[unit.pk]
            result.append(UnitFigure(unit.code, unit.name, value, show(indicator, value, qualifier, rank_of)))
        elif unit.pk in rolled:
            value, approximate = rolled[unit.pk]
            result.append(UnitFigure(unit.code, unit.name, value, show(indicator, value), approximate))
        else:
            result.append(UnitFigure(unit.code, unit.name, None, ""))
    return result


def breaks(values: list[Decimal], classes: int = 5) -> list[Decimal]:
    """Return class limits by quantiles (each class about as many communes), for the map's legend."""
    ordered = sorted(v for v in values if v is not None)
    if not ordered:
        return []
    limits = []
    for i in range(1, classes):
        limit = ordered[min(len(ordered) - 1, (len(ordered) * i) // classes)]
        if not limits or limit > limits[-1]:
            limits.append(limit)
    return limits


# --- Alerts ----------------------------------------------------------------------------------------------------


@dataclass
class Alert:
    level: str
    text: str
    key: str = ""
    kind: str = "threshold"


def alerts(*, today: dt.date | None = None) -> list[Alert]:
    """Return the alerts to show now: thresholds crossed by the latest figures, then overdue data sets."""
    return _cached("alerts", lambda: _threshold_alerts(today=today) + overdue_alerts(today=today))


def _threshold_alerts(*, today: dt.date | None) -> list[Alert]:
    from tinhso.dashboard.models import AlertRule

    found = []
    unit = province()
    for rule in AlertRule.objects.filter(is_active=True).select_related("indicator"):
        if rule.indicator_id:
            if unit is None:
                continue
            row = latest_row(rule.indicator, unit)
            if row is None or not rule.crossed(row.value):
                continue
            label, value_text, when = rule.indicator.name_vi, show(rule.indicator, row.value, row.qualifier), row.period
            threshold_text = show(rule.indicator, rule.threshold)
            key = rule.indicator.code
        else:
            if rule.figure_key not in FIGURES:
                continue
            tile = registry_tile(rule.figure_key, today=today)
            if not rule.crossed(tile.number):
                continue
            figure = FIGURES[rule.figure_key]
            label, value_text = str(figure.label), tile.value_text
            when = periods.parse(tile.period_code)
            threshold_text = _show_registry(figure, rule.threshold)
            key = rule.figure_key
        words = _("thấp hơn ngưỡng") if rule.direction == AlertRule.Direction.BELOW else _("cao hơn ngưỡng")
        text = _("%(label)s %(period)s: %(value)s, %(words)s %(threshold)s.") % {
            "label": label,
            "period": when.label,
            "value": value_text,
            "words": words,
            "threshold": threshold_text,
        }
        if rule.note:
            text = f"{text} {rule.note}"
        found.append(Alert(rule.level, text, key))
    return found


def overdue_alerts(*, today: dt.date | None = None) -> list[Alert]:
    """Return one alert per overdue data-set submission, when the indicators app offers them."""
    try:
        from tinhso.indicators.datasets import overdue_submissions
    except ImportError:  # the data sets land in the indicators app separately
        return []
    found = []
    for item in overdue_submissions(today=today):
        found.append(Alert("warning", _overdue_text(item), kind="overdue"))
    return found


def _overdue_text(item) -> str:
    dataset = getattr(item, "dataset", None) or getattr(item, "data_set", None) or item
    name = getattr(dataset, "name", None) or str(dataset)
    parts = [_("Quá hạn nộp số liệu: %(name)s") % {"name": name}]
    period = getattr(item, "period", None)
    if isinstance(period, Period):
        parts.append(period.label)
    who = getattr(item, "agency", None) or getattr(dataset, "agency", None) or getattr(item, "unit", None)
    if who is not None:
        parts.append(str(who))
    deadline = getattr(item, "due_on", None) or getattr(item, "deadline", None)
    if isinstance(deadline, dt.datetime):
        deadline = timezone.localtime(deadline).date()
    if isinstance(deadline, dt.date):
        parts.append(_("hạn %(date)s") % {"date": deadline.strftime("%d/%m/%Y")})
    days_late = getattr(item, "days_late", None)
    if isinstance(days_late, int) and days_late > 0:
        parts.append(_("trễ %(days)s ngày") % {"days": days_late})
    return " · ".join(parts)
