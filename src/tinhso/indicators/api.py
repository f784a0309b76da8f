"""The read-only open-data API of public indicators, their values and targets, in JSON and CSV."""

import csv
import io
import json

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response

from tinhso.core.models import AdminUnit
from tinhso.indicators import display, periods
from tinhso.indicators.models import Indicator, Target, Value


def _plain_number(number) -> str | None:
    # Decimal("20000.0000").normalize() is 2E+4; "f" writes it back as 20000: exact, no trailing zeros.
    return None if number is None else f"{number.normalize():f}"


class IndicatorSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.code", default=None, read_only=True)
    formula = serializers.SerializerMethodField()
    # Plain strings: the two fields share one choice set, which would give the schema two names for one enum.
    time_aggregation = serializers.CharField(help_text="sum, avg, last, none")
    unit_aggregation = serializers.CharField(help_text="sum, avg, last, none")

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name_vi",
            "name_en",
            "unit",
            "decimals",
            "time_aggregation",
            "unit_aggregation",
            "price_basis",
            "higher_is_better",
            "formula",
            "department",
            "definition",
            "legal_source",
        ]

    def get_formula(self, obj) -> dict | None:
        if not obj.has_formula:
            return None
        return {
            "numerator": obj.numerator.code,
            "denominator": obj.denominator.code,
            "factor": _plain_number(obj.factor),
        }


class ValueSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.code")
    period = serializers.CharField(source="period.code")
    unit_code = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.name")
    unit_valid_to = serializers.DateField(source="unit.valid_to")
    value = serializers.SerializerMethodField()
    display = serializers.SerializerMethodField()

    class Meta:
        model = Value
        fields = [
            "indicator",
            "period",
            "period_type",
            "period_start",
            "period_end",
            "unit_code",
            "unit_name",
            "unit_valid_to",
            "breakdown",
            "value",
            "qualifier",
            "display",
            "rank_of",
            "status",
            "source",
            "is_derived",
            "derivation",
            "version",
            "updated_at",
        ]

    def get_value(self, obj) -> str:
        return _plain_number(obj.value)

    def get_display(self, obj) -> str:
        return display.format_value(obj.value, decimals=obj.indicator.decimals, qualifier=obj.qualifier)


class TargetSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.code")
    period = serializers.SerializerMethodField()
    unit_code = serializers.CharField(source="unit.code")
    value = serializers.SerializerMethodField()

    class Meta:
        model = Target
        fields = [
            "indicator",
            "series",
            "kind",
            "period",
            "period_start",
            "period_end",
            "unit_code",
            "breakdown",
            "value",
            "qualifier",
            "basis",
            "note",
        ]

    def get_period(self, obj) -> str | None:
        return obj.period.code if obj.period else None

    def get_value(self, obj) -> str:
        return _plain_number(obj.value)


class CsvRenderer(BaseRenderer):
    """Render a list of flat rows as CSV with a header, UTF-8 with a BOM so spreadsheet programs read Vietnamese."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        rows = data if isinstance(data, list) else []
        out = io.StringIO()
        if rows:
            writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            # A nested field (an indicator's formula) goes into one cell as JSON.
            writer.writerows(
                {k: json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v for k, v in row.items()}
                for row in rows
            )
        return ("\ufeff" + out.getvalue()).encode("utf-8")


class _OpenData(generics.ListAPIView):
    """A public list in JSON (paginated) or CSV (`?format=csv`, every row); errors always in JSON."""

    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CsvRenderer]

    def handle_exception(self, exc):
        # A CSV client still gets the platform's structured error, which a CSV file cannot carry.
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)

    def list(self, request, *args, **kwargs):
        if getattr(request.accepted_renderer, "format", "") != "csv":
            return super().list(request, *args, **kwargs)
        rows = self.get_serializer(self.filter_queryset(self.get_queryset()), many=True).data
        response = Response(rows)
        response["Content-Disposition"] = f'attachment; filename="{self.csv_name()}.csv"'
        return response

    def csv_name(self) -> str:
        return "chi-tieu"


class IndicatorList(_OpenData):
    """Public indicators: code, names, unit, aggregation rules, formula, price basis, department."""

    serializer_class = IndicatorSerializer
    queryset = Indicator.objects.public().select_related("department", "numerator", "denominator")


class IndicatorDetail(generics.RetrieveAPIView):
    serializer_class = IndicatorSerializer
    permission_classes = [AllowAny]
    lookup_field = "code"
    queryset = Indicator.objects.public().select_related("department", "numerator", "denominator")


def _period_param(request, name: str) -> periods.Period | None:
    text = request.query_params.get(name)
    if not text:
        return None
    try:
        return periods.parse(text)
    except ValueError:
        raise exceptions.ValidationError(
            {name: [exceptions.ErrorDetail(_("Kỳ không hợp lệ: %s (ví dụ: 2024, 2024Q1, 2024-03).") % text, "invalid")]}
        ) from None


_SERIES_PARAMETERS = [
    OpenApiParameter("unit", OpenApiTypes.STR, description="Mã đơn vị hành chính (19: tỉnh; mã 5 số: cấp xã)"),
    OpenApiParameter("from", OpenApiTypes.STR, description="Từ kỳ: 2020, 2024Q1, 2024-03, 2024-11-30"),
    OpenApiParameter("to", OpenApiTypes.STR, description="Đến kỳ (bao gồm)"),
    OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv"]),
]


class _IndicatorSeries(_OpenData):
    def indicator(self) -> Indicator:
        if not hasattr(self, "_indicator"):
            self._indicator = get_object_or_404(Indicator.objects.public(), code=self.kwargs["code"])
        return self._indicator

    def csv_name(self) -> str:
        return f"{self.indicator().code}-{self.csv_kind}"

    def filtered(self, rows):
        params = self.request.query_params
        first, last = _period_param(self.request, "from"), _period_param(self.request, "to")
        if first and last and first.start > last.end:
            raise exceptions.ValidationError(
                {"to": [exceptions.ErrorDetail(_("Kỳ kết thúc phải sau kỳ bắt đầu."), "invalid")]}
            )
        if first:
            rows = rows.filter(period_start__gte=first.start)
        if last:
            rows = rows.filter(period_end__lte=last.end)
        if params.get("unit"):
            if not AdminUnit.objects.filter(code=params["unit"]).exists():
                raise exceptions.ValidationError(
                    {
                        "unit": [
                            exceptions.ErrorDetail(_("Không có đơn vị hành chính mã %s.") % params["unit"], "invalid")
                        ]
                    }
                )
            # Codes are reused across time, so a code names today's unit and any former one that bore it;
            # each row says which (unit_name, unit_valid_to).
            rows = rows.filter(unit__code=params["unit"])
        return rows


class ValueList(_IndicatorSeries):
    """Values of one public indicator (`?unit=`, `?from=`, `?to=`, `?format=csv`)."""

    serializer_class = ValueSerializer
    csv_kind = "so-lieu"

    @extend_schema(parameters=_SERIES_PARAMETERS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        rows = Value.objects.filter(indicator=self.indicator()).select_related("indicator", "unit")
        return self.filtered(rows).order_by("period_start", "unit__code", "breakdown")


class TargetList(_IndicatorSeries):
    """Targets of one public indicator: plans 2021–2025 and 2026–2030, yearly plans, other goals."""

    serializer_class = TargetSerializer
    csv_kind = "muc-tieu"

    @extend_schema(parameters=_SERIES_PARAMETERS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        rows = Target.objects.filter(indicator=self.indicator()).select_related("indicator", "unit")
        if self.request.query_params.get("unit"):
            rows = rows.filter(unit__code=self.request.query_params["unit"])
        # A target with no set date stays in every range: it is still the goal.
        dated = self.filtered(rows.exclude(period_type=""))
        return rows.filter(Q(pk__in=dated.values("pk")) | Q(period_type="")).order_by("period_start", "unit__code")
