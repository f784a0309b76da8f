import datetime as dt
import json
import math
import random

import pytest
import shapely
from shapely.geometry import box, shape

from tinhso.core.geo import UnitIndex, boundaries_geojson, locate, locate_many, unit_index
from tinhso.core.models import AdminUnit
from tinhso.core.units import DEMO_BOUNDARIES, units_changed

pytestmark = pytest.mark.usefixtures("demo_units")

METRES_PER_DEGREE_LAT = 111_195.0


def _east(metres: float, lat: float) -> float:
    """Return how many degrees of longitude make `metres` at latitude `lat`."""
    return metres / (METRES_PER_DEGREE_LAT * math.cos(math.radians(lat)))


def _file_shapes() -> dict[str, object]:
    features = json.loads(DEMO_BOUNDARIES.read_text(encoding="utf-8"))["features"]
    return {f["properties"]["ma_xa"]: shape(f["geometry"]) for f in features}


@pytest.mark.parametrize(
    ("lon", "lat", "code", "name"),
    [
        (105.8442, 21.5942, "05443", "Phường Phan Đình Phùng"),  # Thái Nguyên city centre (SOURCE.md)
        (105.8348, 22.1470, "01840", "Phường Đức Xuân"),  # former Bắc Kạn town centre (SOURCE.md)
    ],
)
def test_reference_points_resolve_to_their_ward(lon, lat, code, name):
    unit = locate(lon, lat)
    assert (unit.code, unit.name) == (code, name)


def test_a_point_in_a_sliver_gap_resolves_to_a_neighbouring_unit():
    shapes = _file_shapes()
    union = shapely.union_all(list(shapes.values()))
    holes = [shapely.Polygon(ring) for part in getattr(union, "geoms", [union]) for ring in part.interiors]
    assert len(holes) > 100  # the demo layer's known slivers (SOURCE.md)
    gap = max(holes, key=lambda h: h.area)
    point = gap.representative_point()
    assert not any(s.intersects(point) for s in shapes.values())
    neighbours = {code for code, s in shapes.items() if s.distance(gap) < 1e-9}
    assert locate(point.x, point.y).code in neighbours


def test_a_point_beyond_the_western_tip_resolves_within_500_m_and_not_at_2_km():
    shapes = _file_shapes()
    tip_code, tip = min(shapes.items(), key=lambda item: item[1].bounds[0])
    west = tip.bounds[0]
    tip_lat = next(y for x, y in shapely.get_coordinates(tip) if x == west)
    assert locate(west - _east(300, tip_lat), tip_lat).code == tip_code
    assert locate(west - _east(2000, tip_lat), tip_lat) is None


def test_every_units_representative_point_resolves_to_itself():
    units = AdminUnit.objects.current().communes()
    assert units.count() == 92
    for unit in units:
        point = shape(unit.boundary).representative_point()
        assert locate(point.x, point.y).code == unit.code, unit.name


def test_locate_many_agrees_with_single_lookups_on_random_points():
    rng = random.Random(20250701)
    province = AdminUnit.objects.get(level="province", code="19")
    points = [
        (
            rng.uniform(province.min_lon - 0.02, province.max_lon + 0.02),
            rng.uniform(province.min_lat - 0.02, province.max_lat + 0.02),
        )
        for _ in range(400)
    ]
    batch = locate_many(points)
    singles = [locate(lon, lat) for lon, lat in points]
    assert [u and u.code for u in batch] == [u and u.code for u in singles]
    assert any(u is None for u in batch) and any(u is not None for u in batch)


def test_there_is_no_commune_at_a_point_before_the_reform():
    # Former units are kept without boundaries, so a date before 1 July 2025 finds nothing.
    assert locate(105.8442, 21.5942, on=dt.date(2025, 6, 1)) is None


def test_the_index_is_rebuilt_after_units_change():
    first = unit_index()
    assert unit_index() is first
    units_changed()
    assert unit_index() is not first


# --- the index on a constructed boundary set: two squares 0.01° apart, and two overlapping ones ---------


def _two_squares() -> UnitIndex:
    return UnitIndex(["A", "B"], [box(105.0, 21.0, 105.1, 21.1), box(105.11, 21.0, 105.2, 21.1)])


def test_a_gap_point_goes_to_the_nearer_unit_in_metres():
    index = _two_squares()
    lat = 21.05
    assert index.units[index.position(105.1 + _east(200, lat), lat)] == "A"  # 200 m from A, ~840 m from B
    assert index.units[index.position(105.11 - _east(150, lat), lat)] == "B"


def test_a_point_farther_than_500_m_from_every_unit_is_outside():
    index = _two_squares()
    assert index.position(105.2 + _east(600, 21.05), 21.05) is None
    assert index.position(105.05, 21.1 + 600 / METRES_PER_DEGREE_LAT) is None
    assert index.position(105.05, 21.1 + 400 / METRES_PER_DEGREE_LAT) == 0


def test_a_point_in_an_overlap_goes_to_the_unit_it_lies_deepest_in():
    index = UnitIndex(["A", "B"], [box(105.0, 21.0, 105.1, 21.1), box(105.09, 21.0, 105.2, 21.1)])
    assert index.units[index.position(105.092, 21.05)] == "A"  # 0.008° inside A, 0.002° inside B
    assert index.units[index.position(105.098, 21.05)] == "B"


def test_boundaries_geojson_lists_the_current_communes():
    collection = boundaries_geojson()
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == 92
    feature = next(f for f in collection["features"] if f["properties"]["code"] == "05788")
    assert feature["properties"]["name"] == "Xã Phú Lạc"
    assert feature["properties"]["kind"] == AdminUnit.Kind.COMMUNE
    assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    json.dumps(collection)


def test_simplified_boundaries_have_fewer_points_and_the_same_units():
    full, simple = boundaries_geojson(), boundaries_geojson(simplify_m=200)

    def points(collection):
        return sum(len(shapely.get_coordinates(shape(f["geometry"]))) for f in collection["features"])

    assert [f["id"] for f in simple["features"]] == [f["id"] for f in full["features"]]
    assert points(simple) < points(full)


def test_a_unit_ended_by_another_process_leaves_the_index_at_the_next_recheck(db, monkeypatch):
    import datetime as dt
    import time

    from tinhso.core import geo
    from tinhso.core.models import AdminUnit
    from tinhso.core.testing import make_unit

    unit = make_unit("99901", "Xã Thử Nghiệm", lon=106.0, lat=21.0)
    assert geo.locate(106.01, 21.01) == unit
    # Another process ends the unit: no units_changed() call reaches this one.
    AdminUnit.objects.filter(pk=unit.pk).update(valid_to=dt.date(2025, 6, 30))
    assert geo.locate(106.01, 21.01) == unit  # still cached until the recheck interval passes
    later = time.monotonic() + 31
    monkeypatch.setattr(time, "monotonic", lambda: later)
    assert geo.locate(106.01, 21.01) is None


def test_an_admin_edit_of_a_unit_reaches_the_index_at_once(admin_client, django_capture_on_commit_callbacks):
    from django.urls import reverse

    from tinhso.core import geo
    from tinhso.core.models import AdminUnit
    from tinhso.core.testing import make_unit

    unit = make_unit("99902", "Xã Sửa Tên", lon=106.2, lat=21.2)
    assert geo.locate(106.21, 21.21).name == "Xã Sửa Tên"
    url = reverse("admin:core_adminunit_change", args=[unit.pk])
    form = {
        "code": unit.code,
        "name": "Xã Tên Mới",
        "short_name": "Tên Mới",
        "level": unit.level,
        "kind": unit.kind,
        "parent": "",
        "valid_from": "",
        "valid_to": "",
        "population": "",
        "area_km2": "",
        "seat": "",
        "source": "",
        "centroid_lon": unit.centroid_lon,
        "centroid_lat": unit.centroid_lat,
        "successions-TOTAL_FORMS": "0",
        "successions-INITIAL_FORMS": "0",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert AdminUnit.objects.get(pk=unit.pk).name == "Xã Tên Mới"
    assert geo.locate(106.21, 21.21).name == "Xã Tên Mới"
