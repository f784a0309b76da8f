"""Statistics pages (staff and public), their exports, and the public list and map of answered cases."""

import datetime as dt

from django import forms
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tinhso.core import audit, permissions
from tinhso.core.calendar import TZ
from tinhso.core.models import AdminUnit, Agency, Role
from tinhso.core.permissions import role_required
from tinhso.feedback import exports, stats
from tinhso.feedback.models import Attachment, Category, Report
from tinhso.feedback.views_staff import quick_select

PUBLIC_PAGE_SIZE = 20
GEOJSON_LIMIT = 2000
FORMATS = ("csv", "xlsx")


class StatsFilterForm(forms.Form):
    """Period, agency, category, commune and trend granularity; every field optional."""

    start = forms.DateField(label=_("Từ ngày"), required=False)
    end = forms.DateField(label=_("Đến ngày"), required=False)
    agency = forms.ModelChoiceField(label=_("Cơ quan xử lý"), queryset=Agency.objects.none(), required=False)
    category = forms.ModelChoiceField(label=_("Lĩnh vực"), queryset=Category.objects.none(), required=False)
    unit = forms.ModelChoiceField(label=_("Xã, phường"), queryset=AdminUnit.objects.none(), required=False)
    trend = forms.ChoiceField(
        label=_("Xu hướng"), choices=[("month", _("Theo tháng")), ("week", _("Theo tuần"))], required=False
    )

    def __init__(self, data, *, scope: frozenset[int] | None = None, public: bool = False):
        super().__init__(data)
        agencies = Agency.objects.active() if scope is None else Agency.objects.filter(pk__in=scope)
        self.fields["agency"].queryset = agencies.order_by("name")
        categories = Category.objects.all()
        self.fields["category"].queryset = categories.filter(is_public=True) if public else categories
        self.fields["unit"].queryset = AdminUnit.objects.current().communes().order_by("name")
        for name in ("agency", "category", "unit", "trend"):
            # Built in Python from (id, name) pairs: 92 communes and the agencies through the template engine
            # were a large part of the page's time (docs/benchmarks.md).
            quick_select(self.fields[name], {"class": "select"})
        for name in ("start", "end"):
            self.fields[name].widget.attrs["placeholder"] = "dd/mm/yyyy"
        self.is_valid()  # fills cleaned_data with the valid fields; the invalid ones are shown with their message

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("Ngày kết thúc phải sau ngày bắt đầu."))
        return data

    def value(self, name: str):
        return self.cleaned_data.get(name) if name not in self.errors else None

    def filters(self, scope: frozenset[int] | None) -> stats.Filters:
        """Return the filters to apply: the valid fields, and the last twelve months when no start is given."""
        today = timezone.localdate()
        start = self.value("start") or _twelve_months_before(today)
        end = self.value("end") or today
        if start > end:
            start, end = end, start
        return stats.Filters(
            start=start,
            end=end,
            agency=self.value("agency"),
            category=self.value("category"),
            unit=self.value("unit"),
            scope=scope,
        )

    def trend_unit(self) -> str:
        return self.value("trend") or "month"


def _twelve_months_before(today: dt.date) -> dt.date:
    """Return the first day of the month eleven months before `today`'s month (twelve whole months)."""
    month_index = today.year * 12 + today.month - 1 - 11
    return dt.date(month_index // 12, month_index % 12 + 1, 1)


def _scope(user) -> frozenset[int] | None:
    """Return the agency ids whose figures the user may see; None for province-wide roles and the 1022 centre."""
    if Role.OPERATOR in permissions.roles(user):
        return None  # the call centre receives and dispatches every case
    ids = permissions.agency_ids_for(user)
    return None if ids is None else frozenset(ids)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise Http404


def _stamp() -> str:
    return f"{timezone.localdate():%Y%m%d}"


# --- Staff ----------------------------------------------------------------------------------------------------


@role_required()
def staff_stats(request):
    """Statistics of the cases the staff member's agencies are responsible for (all of them province-wide)."""
    scope = _scope(request.user)
    form = StatsFilterForm(request.GET, scope=scope)
    result = stats.collect(form.filters(scope), trend_unit=form.trend_unit())
    query = request.GET.urlencode()
    return render(request, "feedback/stats/staff.html", {"form": form, "stats": result, "query": query})


@role_required()
def stats_export(request, fmt: str):
    """Download the staff statistics as CSV or Excel."""
    _check_format(fmt)
    scope = _scope(request.user)
    form = StatsFilterForm(request.GET, scope=scope)
    result = stats.collect(form.filters(scope), trend_unit=form.trend_unit())
    audit.record(
        actor=request.user, action="feedback.export.stats", extra={"format": fmt, "query": request.GET.urlencode()}
    )
    return _stats_file(result, fmt, f"thong-ke-phan-anh-{_stamp()}")


@role_required()
def cases_export(request, fmt: str):
    """Download the staff member's case list (owned or shared with their agencies) as CSV or Excel."""
    _check_format(fmt)
    scope = _scope(request.user)
    form = StatsFilterForm(request.GET, scope=scope)
    filters = form.filters(None)
    qs = stats.cases(filters)
    if scope is not None:
        qs = qs.visible_to_agencies(set(scope))
    audit.record(
        actor=request.user, action="feedback.export.cases", extra={"format": fmt, "query": request.GET.urlencode()}
    )
    filename = f"phan-anh-{_stamp()}.{fmt}"
    return exports.cases_csv(qs, filename) if fmt == "csv" else exports.cases_xlsx(qs, filename)


def _stats_file(result: stats.Statistics, fmt: str, name: str):
    if fmt == "csv":
        return exports.csv_response(exports.stats_csv_rows(result), f"{name}.csv")
    return exports.xlsx_response(exports.stats_tables(result), f"{name}.xlsx")


# --- Public ---------------------------------------------------------------------------------------------------


def default_public_filters() -> tuple[stats.Filters, str]:
    """Return the filters and trend of the public statistics page without arguments (its most visited view)."""
    form = StatsFilterForm({}, public=True)
    return form.filters(None), form.trend_unit()


def _enqueue_refresh(filters: stats.Filters, trend_unit: str) -> None:
    from tinhso.feedback import tasks

    tasks.refresh_public_stats.enqueue(
        start=filters.start.isoformat() if filters.start else None,
        end=filters.end.isoformat() if filters.end else None,
        agency=getattr(filters.agency, "pk", None),
        category=getattr(filters.category, "pk", None),
        unit=getattr(filters.unit, "pk", None),
        trend=trend_unit,
    )


def _public_stats(form: StatsFilterForm) -> stats.Statistics:
    """Return the public statistics from the shared cache (stats.public): the page is the most visited and all
    aggregates (about a second at a million cases), so visitors get figures at most a few minutes old and only
    an unusual filter combination is computed during the request."""
    return stats.public(form.filters(None), form.trend_unit(), enqueue=_enqueue_refresh)


def public_stats(request):
    """Public statistics: aggregates only, never a case, a name or a number that identifies someone."""
    form = StatsFilterForm(request.GET, public=True)
    result = _public_stats(form)
    return render(
        request, "feedback/stats/public.html", {"form": form, "stats": result, "query": request.GET.urlencode()}
    )


def public_stats_export(request, fmt: str):
    """Download the public statistics as CSV or Excel."""
    _check_format(fmt)
    form = StatsFilterForm(request.GET, public=True)
    return _stats_file(_public_stats(form), fmt, f"thong-ke-phan-anh-cong-khai-{_stamp()}")


class PublicListForm(StatsFilterForm):
    """The public list's filters: category, commune, period."""

    def __init__(self, data):
        super().__init__(data, public=True)
        del self.fields["agency"], self.fields["trend"]


def _published(form: PublicListForm):
    """Return the answered cases of public categories that match the form, without any personal field."""
    qs = (
        Report.objects.public()
        .filter(category__is_public=True)
        .defer("reporter_name", "reporter_phone", "reporter_email", "search_text", "attributes", "address")
    )
    if form.value("category"):
        qs = qs.filter(category=form.value("category"))
    if form.value("unit"):
        qs = qs.filter(unit=form.value("unit"))
    if form.value("start"):
        qs = qs.filter(created_at__gte=dt.datetime.combine(form.value("start"), dt.time(), tzinfo=TZ))
    if form.value("end"):
        end = form.value("end") + dt.timedelta(days=1)
        qs = qs.filter(created_at__lt=dt.datetime.combine(end, dt.time(), tzinfo=TZ))
    return qs.order_by("-answered_at", "-pk")


def public_list(request):
    """The public list and map of answered cases with their answers (public photos only, no personal data)."""
    form = PublicListForm(request.GET)
    photos = Attachment.objects.shown().filter(kind=Attachment.Kind.PHOTO)
    qs = _published(form).select_related("category", "unit", "agency")
    qs = qs.prefetch_related(Prefetch("attachments", queryset=photos, to_attr="public_photos"))
    page = Paginator(qs, PUBLIC_PAGE_SIZE).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    geojson = reverse("feedback:public_geojson") + (f"?{filters.urlencode()}" if filters else "")
    context = {"form": form, "page": page, "query": filters.urlencode(), "layers": [geojson]}
    return render(request, "feedback/public_list.html", context)


def public_geojson(request):
    """Return the points of the latest answered public cases as GeoJSON (code, category, status)."""
    form = PublicListForm(request.GET)
    rows = (
        _published(form)
        .filter(lon__isnull=False, lat__isnull=False)
        .values_list("code", "lon", "lat", "category__name", "status")[:GEOJSON_LIMIT]
    )
    labels = dict(Report.Status.choices)
    features = [
        {
            "type": "Feature",
            # Four decimals (about 10 m) is enough to find the place and does not point at a doorstep.
            "geometry": {"type": "Point", "coordinates": [round(lon, 4), round(lat, 4)]},
            "properties": {
                # The map component's popup shows `name` and `kind_label`.
                "name": f"{code} · {category}",
                "kind_label": str(labels.get(status, status)),
                "report_code": code,
                "category": category,
                "status": status,
                "url": reverse("feedback:track", args=[code]),
            },
        }
        for code, lon, lat, category, status in rows
    ]
    return JsonResponse(
        {"type": "FeatureCollection", "features": features},
        content_type="application/geo+json",
        json_dumps_params={"ensure_ascii": False},
    )
