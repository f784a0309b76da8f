"""Read-only API for the shared reference data: units and agencies."""

from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

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
                raise serializers.ValidationError({"level": [f"Cấp không hợp lệ: {level}"]})
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
