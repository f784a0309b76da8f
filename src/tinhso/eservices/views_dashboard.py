"""The leaders' Decision 766 dashboard: indicators for a year, quarter or month, by agency, commune or procedure,
with drill-down (province → agency → its procedures) and CSV/Excel export.

Read from the monthly rollup (`indicators766.rollup_counts`), refreshed every 15 minutes by a recurring job, so a
year at province level sums a few thousand rows whatever the number of applications.
"""

import csv
import datetime as dt
import io

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from tinhso.core import audit, permissions
from tinhso.core.models import AdminUnit, Agency, Role
from tinhso.core.permissions import role_required
from tinhso.eservices import indicators766 as i766
from tinhso.eservices.models import Procedure

DASHBOARD_ROLES = (Role.LEADER, Role.PROVINCE_LEADER, Role.ADMIN)
GROUPS = (
    ("agency", gettext_lazy("Theo cơ quan")),
    ("unit", gettext_lazy("Theo xã, phường")),
    ("procedure", gettext_lazy("Theo thủ tục")),
)
PERIODS = (
    [("", gettext_lazy("Cả năm"))]
    + [(f"q{q}", gettext_lazy("Quý %(q)s") % {"q": q}) for q in range(1, 5)]
    + [(f"m{m}", gettext_lazy("Tháng %(m)s") % {"m": m}) for m in range(1, 13)]
)


class DashboardForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Năm"), min_value=2020, max_value=2100, required=False)
    period = forms.ChoiceField(label=gettext_lazy("Kỳ"), choices=PERIODS, required=False)
    group = forms.ChoiceField(label=gettext_lazy("Chia theo"), choices=GROUPS, required=False)
    agency = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def params(self) -> dict:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        year = data.get("year") or timezone.localdate().year
        period = data.get("period") or ""
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        if period.startswith("q"):
            q = int(period[1:])
            start = dt.date(year, 3 * q - 2, 1)
            end = (dt.date(year + (q == 4), (3 * q) % 12 + 1, 1)) - dt.timedelta(days=1)
        elif period.startswith("m"):
            m = int(period[1:])
            start = dt.date(year, m, 1)
            end = dt.date(year + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)
        return {
            "year": year,
            "period": period,
            "start": start,
            "end": end,
            "group": data.get("group") or "agency",
            "agency": data.get("agency"),
        }


def _labels(group: str, keys) -> dict:
    keys = [k for k in keys if k is not None]
    if group == "agency":
        return dict(Agency.objects.filter(pk__in=keys).values_list("pk", "name"))
    if group == "unit":
        return dict(AdminUnit.objects.filter(pk__in=keys).values_list("pk", "name"))
    return {
        pk: f"{code} · {name}"
        for pk, code, name in Procedure.objects.filter(pk__in=keys).values_list("pk", "code", "name")
    }


def _percent(value: i766.Value) -> float | None:
    return None if value.ratio is None else round(value.ratio * 100, 1)


def build(user, params: dict) -> dict:
    """Return the dashboard's totals and rows for the reader's agencies (all for province-wide roles)."""
    agency_ids = permissions.agency_ids_for(user, *DASHBOARD_ROLES)
    filters = {}
    group = params["group"]
    drill = params.get("agency")
    if drill and (agency_ids is None or drill in agency_ids):
        filters["agency_id"] = drill
        group = "procedure"
    common = {"start": params["start"], "end": params["end"], "agency_ids": agency_ids, **filters}
    total = i766.rollup_counts(**common)[None]
    values = i766.evaluate(total)
    earned, available = i766.total(values)
    by = i766.rollup_counts(group=group, **common)
    labels = _labels(group, by.keys())
    rows = []
    for key, counts in by.items():
        row_values = {v.indicator.key: v for v in i766.evaluate(counts)}
        row_earned, row_available = i766.total(list(row_values.values()))
        cells = [_percent(row_values[i.key]) for i in i766.INDICATORS]
        rows.append(
            {
                "key": key,
                "label": labels.get(key, _("(chưa xác định)")),
                "counts": counts,
                "values": row_values,
                "cells": cells,
                "score": row_earned,
                "available": row_available,
            }
        )
    rows.sort(key=lambda r: (-r["counts"].received, str(r["label"])))
    return {
        "total": total,
        "values": values,
        "total_rows": [{"v": v, "pct": _percent(v)} for v in values],
        "earned": earned,
        "available": available,
        "rows": rows,
        "group": group,
        "drill": drill if filters else None,
        "drill_name": Agency.objects.filter(pk=drill).values_list("name", flat=True).first() if filters else "",
        "indicators": i766.INDICATORS,
    }


@require_GET
@role_required(*DASHBOARD_ROLES)
def dashboard(request):
    form = DashboardForm(request.GET or None)
    params = form.params()
    context = {"form": form, "params": params, **build(request.user, params)}
    return render(request, "eservices/staff/dashboard.html", context)


def _pct(value) -> str:
    return "" if value.ratio is None else f"{value.ratio * 100:.1f}".replace(".", ",")


@require_GET
@role_required(*DASHBOARD_ROLES)
def export(request, fmt: str):
    if fmt not in ("csv", "xlsx"):
        return HttpResponse(status=404)
    params = DashboardForm(request.GET or None).params()
    data = build(request.user, params)
    header = (
        [_("Đơn vị"), _("Hồ sơ tiếp nhận")]
        + [str(i.label) + " (%)" for i in i766.INDICATORS]
        + [_("Điểm"), _("Điểm tối đa")]
    )
    lines = [
        [str(r["label"]), r["counts"].received]
        + [_pct(r["values"][i.key]) for i in i766.INDICATORS]
        + [round(r["score"], 2), r["available"]]
        for r in data["rows"]
    ]
    lines.append(
        [_("Tổng"), data["total"].received]
        + [_pct(v) for v in data["values"]]
        + [round(data["earned"], 2), data["available"]]
    )
    audit.record(
        actor=request.user,
        action="eservices.766_exported",
        extra={"format": fmt, "start": params["start"], "end": params["end"]},
    )
    name = f"chi-so-766-{params['start']:%Y%m%d}-{params['end']:%Y%m%d}"
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow(header)
        writer.writerows(lines)
        return response
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "QĐ 766"
    sheet.append(header)
    for line in lines:
        sheet.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response
