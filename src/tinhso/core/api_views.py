"""Read-only API for the shared reference data: units and agencies."""

import hashlib
import json

from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from tinhso.core.models import AdminUnit, Agency


class UnitSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", default=None, read_only=True)

    class Meta:
        model = AdminUnit
        fields = [
            "code",
            "name",
            "level",
            "kind",
            "parent_code",
            "valid_from",
            "valid_to",
            "population",
            "area_km2",
            "centroid_lon",
            "centroid_lat",
        ]


class AgencySerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", default=None, read_only=True)
    unit_code = serializers.CharField(source="unit.code", default=None, read_only=True)

    class Meta:
        model = Agency
        fields = [
            "code",
            "name",
            "short_name",
            "kind",
            "parent_code",
            "unit_code",
            "address",
            "phone",
            "email",
            "website",
            "is_active",
        ]


class UnitList(generics.ListAPIView):
    """Administrative units in force today (`?level=commune`, `?all=1` for former units too)."""

    serializer_class = UnitSerializer
    permission_classes = [AllowAny]

    def get_queryset(self):
        units = AdminUnit.objects.select_related("parent").order_by("level", "code")
        if self.request.query_params.get("all") != "1":
            units = units.current()
        level = self.request.query_params.get("level")
        if level:
            if level not in AdminUnit.Level.values:
                raise serializers.ValidationError(
                    {"level": [serializers.ErrorDetail(_("Cấp không hợp lệ: %s") % level, code="invalid_choice")]}
                )
            units = units.filter(level=level)
        return units


class UnitDetail(generics.RetrieveAPIView):
    serializer_class = UnitSerializer
    permission_classes = [AllowAny]
    lookup_field = "code"

    def get_queryset(self):
        return AdminUnit.objects.current().select_related("parent")


class AgencyList(generics.ListAPIView):
    serializer_class = AgencySerializer
    permission_classes = [AllowAny]
    queryset = Agency.objects.active().select_related("parent", "unit")


class UnitBoundaries(APIView):
    """The current communes as a GeoJSON FeatureCollection (code, name, kind): the offline map background."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary=gettext_lazy("Ranh giới các đơn vị hành chính hiện hành (GeoJSON)"),
        responses={(200, "application/geo+json"): OpenApiTypes.OBJECT},
    )
    def get(self, request):
        body, etag = _boundaries_body()
        response = HttpResponse(body, content_type="application/geo+json")
        response["ETag"] = etag
        # Browsers revalidate after five minutes; an unchanged map costs a 304 with no body.
        response["Cache-Control"] = "public, max-age=300"
        return get_conditional_response(request, etag=etag, response=response)


_boundaries_cache: list = [None, b"", ""]


def _boundaries_body() -> tuple[bytes, str]:
    """Return the serialised boundaries and their ETag, re-serialising only when geo hands back new data."""
    # Imported here: core.geo builds its index from the units table and is optional at import time.
    from tinhso.core.geo import boundaries_geojson

    data = boundaries_geojson()
    if data is not _boundaries_cache[0]:
        body = (
            data.encode()
            if isinstance(data, str)
            else json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
        )
        _boundaries_cache[:] = [data, body, f'"{hashlib.sha256(body).hexdigest()[:32]}"']
    return _boundaries_cache[1], _boundaries_cache[2]


class ApiDocs(SpectacularSwaggerSplitView):
    """Swagger UI from drf-spectacular-sidecar, its start-up script served as a file so CSP needs no relaxation."""

    # The package template carries an inline <style> that our CSP (rightly) blocks; ours drops it.
    template_name = "core/api_docs.html"
