"""The operations dashboard: one page for leaders, its self-refreshing fragments, and its data as JSON and CSV.

Leaders only: province leaders, agency leaders and administrators (`role_required` admits the province-wide
roles). Clerks, operators, commune officials and citizens are refused with a 403; anonymous visitors are sent to
the login page. The figures are the province's, not one agency's, so every leader sees the same page.
"""

import csv
import io

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tinhso.core.models import AdminUnit, Role
from tinhso.core.permissions import role_required
from tinhso.dashboard import figures
from tinhso.indicators import periods
from tinhso.indicators.models import Indicator

leaders_only = role_required(Role.LEADER, Role.PROVINCE_LEADER)

#: Seconds between two refreshes of the page's figures (tiles, alerts, charts, map).
REFRESH_SECONDS = 60


def _choices():
    """Return what the chart and map selectors offer: indicators, then registered figures.

    Lazy: the page caches the rendered options, so the indicator list is read only when they are rendered again.
    """
    indicators = Indicator.objects.order_by("sort_order", "code").only("code", "name_vi", "unit")
    registered = [(key, str(f.label)) for key, f in sorted(figures.FIGURES.items())]
    return indicators, registered


def _unit_param(request) -> AdminUnit | None:
    code = request.GET.get("don-vi", "").strip()
    if not code:
        return None
    unit = AdminUnit.objects.current().filter(code=code).first()
    if unit is None:
        raise Http404
    return unit


def _series_or_404(request):
    key = request.GET.get("chi-tieu", "").strip()
    try:
        return figures.series(key, unit=_unit_param(request))
    except figures.UnknownFigure:
        raise Http404 from None


def _map_or_404(request):
    indicator = Indicator.objects.filter(code=request.GET.get("chi-tieu", "").strip()).first()
    if indicator is None:
        raise Http404
    code = request.GET.get("ky", "").strip()
    try:
        period = periods.parse(code) if code else figures.map_period(indicator)
    except ValueError:
        raise Http404 from None
    values = figures.commune_values(indicator, period) if period else []
    return indicator, period, values


@leaders_only
@require_GET
def home(request):
    tiles = figures.tiles()
    indicators, registered = _choices()
    if tiles["indicators"]:
        first = tiles["indicators"][0].key
    else:
        fallback = indicators.first()
        first = fallback.code if fallback else ""
    chart_key = request.GET.get("bieu-do", first)
    map_key = request.GET.get("ban-do", first)
    try:
        chart = figures.series(chart_key) if chart_key else None
    except figures.UnknownFigure:
        chart = None
    map_indicator = Indicator.objects.filter(code=map_key).first()
    map_period = figures.map_period(map_indicator) if map_indicator else None
    return render(
        request,
        "dashboard/home.html",
        {
            "tiles": tiles,
            "alerts": figures.alerts(),
            "indicators": indicators,
            "registered": registered,
            "chart": chart,
            "map_indicator": map_indicator,
            "map_period": map_period,
            "map_values": figures.commune_values(map_indicator, map_period) if map_period else [],
            "refresh": REFRESH_SECONDS,
            "cache_version": figures.version(),
        },
    )


@leaders_only
@require_GET
def live(request):
    """Return the tiles, alerts and province table again: the page polls this fragment."""
    return render(
        request,
        "dashboard/_live.html",
        {"tiles": figures.tiles(), "alerts": figures.alerts(), "refresh": REFRESH_SECONDS},
    )


@leaders_only
@require_GET
def chart(request):
    return render(request, "dashboard/_chart.html", {"chart": _series_or_404(request)})


@leaders_only
@require_GET
def chart_json(request):
    return JsonResponse(_series_or_404(request).as_json(), json_dumps_params={"ensure_ascii": False})


@leaders_only
@require_GET
def chart_csv(request):
    series = _series_or_404(request)
    rows = [
        [_("Kỳ"), _("Mã kỳ"), _("Giá trị"), _("Hiển thị"), _("Mục tiêu"), _("Tình trạng số liệu"), _("Đơn vị tính")]
    ]
    for p in series.points:
        rows.append(
            [
                p.period.label,
                p.period.code,
                _plain(p.value),
                p.text,
                _plain(p.target),
                p.status,
                series.unit,
            ]
        )
    return _csv(rows, f"{series.key}-{series.unit_name}")


@leaders_only
@require_GET
def map_fragment(request):
    indicator, period, values = _map_or_404(request)
    return render(
        request, "dashboard/_map.html", {"map_indicator": indicator, "map_period": period, "map_values": values}
    )


@leaders_only
@require_GET
def map_json(request):
    indicator, period, values = _map_or_404(request)
    limits = figures.breaks([v.value for v in values])
    return JsonResponse(
        {
            "indicator": indicator.code,
            "title": indicator.name_vi,
            "unit": indicator.unit,
            "period": period.code if period else None,
            "periodLabel": period.label if period else "",
            "higherIsBetter": indicator.higher_is_better,
            "breaks": [float(b) for b in limits],
            "breakTexts": [figures.show(indicator, b) for b in limits],
            "noData": _("Chưa có số liệu"),
            "values": {v.code: float(v.value) for v in values if v.value is not None},
            "texts": {v.code: v.text for v in values if v.value is not None},
        },
        json_dumps_params={"ensure_ascii": False},
    )


@leaders_only
@require_GET
def map_csv(request):
    indicator, period, values = _map_or_404(request)
    rows = [[_("Mã đơn vị"), _("Tên đơn vị"), _("Kỳ"), _("Giá trị"), _("Hiển thị"), _("Ước tính từ đơn vị cũ")]]
    for v in values:
        rows.append(
            [v.code, v.name, period.code if period else "", _plain(v.value), v.text, _("có") if v.approximate else ""]
        )
    return _csv(rows, f"{indicator.code}-{period.code if period else ''}-xa-phuong")


@leaders_only
@require_GET
def drilldown(request, code: str):
    """Show one indicator by commune for a period, with the province's (or a chosen commune's) series."""
    indicator = get_object_or_404(Indicator, code=code)
    unit = _unit_param(request)
    ky = request.GET.get("ky", "").strip()
    try:
        period = periods.parse(ky) if ky else figures.map_period(indicator)
    except ValueError:
        raise Http404 from None
    values = figures.commune_values(indicator, period) if period else []
    province = figures.province()
    tile = figures.indicator_tile(indicator, unit or province) if (unit or province) else None
    return render(
        request,
        "dashboard/drilldown.html",
        {
            "indicator": indicator,
            "unit": unit,
            "tile": tile,
            "chart": figures.series(indicator.code, unit=unit),
            "map_indicator": indicator,
            "map_period": period,
            "map_values": values,
            "with_data": sum(1 for v in values if v.value is not None),
        },
    )


def _plain(number) -> str:
    """Return an exact decimal with a point, as data files and the open-data API write numbers."""
    if number is None:
        return ""
    return format(number.normalize(), "f") if hasattr(number, "normalize") else str(number)


def _csv(rows: list[list], name: str) -> HttpResponse:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    response = HttpResponse(("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in name)
    response["Content-Disposition"] = f'attachment; filename="{safe}.csv"'
    return response
