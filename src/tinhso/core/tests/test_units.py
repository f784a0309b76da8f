import csv
import datetime as dt
import io
import json
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from tinhso.core.models import AdminUnit, AuditEntry, UnitSuccession
from tinhso.core.units import (
    DEMO_BOUNDARIES,
    DEMO_HISTORY,
    FORMER_UNTIL,
    cross_check,
    load_demo_units,
    load_units,
    package_history,
    package_units,
    read_boundaries,
    read_history_csv,
)


def _csv_rows():
    with open(DEMO_HISTORY, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _features():
    return json.loads(DEMO_BOUNDARIES.read_text(encoding="utf-8"))["features"]


def test_demo_load_creates_thai_nguyen_communes_with_the_boundary_files_types(demo_units):
    communes = AdminUnit.objects.current().communes()
    expected = {f["properties"]["ma_xa"]: f["properties"]["loai"] for f in _features()}
    assert set(communes.values_list("code", flat=True)) == set(expected)
    kinds = {"Xã": AdminUnit.Kind.COMMUNE, "Phường": AdminUnit.Kind.WARD}
    assert {u.code: u.kind for u in communes} == {code: kinds[loai] for code, loai in expected.items()}
    assert Counter(u.kind for u in communes) == {AdminUnit.Kind.COMMUNE: 77, AdminUnit.Kind.WARD: 15}
    assert {u.parent.code for u in communes} == {"19"}


def test_every_current_commune_has_boundary_bbox_centroid_and_figures_from_the_file(demo_units):
    by_code = {f["properties"]["ma_xa"]: f["properties"] for f in _features()}
    for unit in AdminUnit.objects.current().communes():
        props = by_code[unit.code]
        assert unit.boundary["type"] in {"Polygon", "MultiPolygon"}
        assert unit.min_lon < unit.centroid_lon < unit.max_lon
        assert unit.min_lat < unit.centroid_lat < unit.max_lat
        assert unit.population == props["dan_so"]
        assert float(unit.area_km2) == pytest.approx(props["dien_tich_km2"], abs=0.005)
        assert unit.seat == props["tru_so"]


def test_names_and_codes_come_from_the_package(demo_units):
    package = {u["wardCode"]: u["ward"] for u in package_units("19")}
    assert dict(AdminUnit.objects.current().communes().values_list("code", "name")) == package
    assert AdminUnit.objects.get(level="commune", code="05788", valid_to__isnull=True).name == "Xã Phú Lạc"


def test_a_second_load_changes_nothing(demo_units):
    units, links, entries = AdminUnit.objects.count(), UnitSuccession.objects.count(), AuditEntry.objects.count()
    report = load_demo_units()
    assert (report.created, report.changed, report.successions_created, report.successions_changed) == (0, 0, 0, 0)
    assert report.unchanged == units
    assert (AdminUnit.objects.count(), UnitSuccession.objects.count(), AuditEntry.objects.count()) == (
        units,
        links,
        entries,
    )


def test_a_load_that_changes_a_unit_writes_one_summary_audit_entry(demo_units):
    unit = AdminUnit.objects.get(level="commune", code="05443", valid_to__isnull=True)
    AdminUnit.objects.filter(pk=unit.pk).update(population=1, name="Tên sai")
    before = AuditEntry.objects.count()
    report = load_demo_units()
    assert (report.created, report.changed) == (0, 1)
    unit.refresh_from_db()
    assert unit.name == "Phường Phan Đình Phùng"
    assert unit.search_name == "phuong phan dinh phung"
    entries = AuditEntry.objects.filter(action="units.load")
    assert AuditEntry.objects.count() == before + 1
    assert entries.first().extra["changed"] == 1
    assert entries.first().extra["changed_units"] == ["commune:05443"]


def test_former_units_are_kept_with_their_end_date_and_successors(demo_units):
    rows = _csv_rows()
    former = AdminUnit.objects.former()
    assert set(former.communes().values_list("code", flat=True)) == {r["old_ward_code"] for r in rows}
    assert set(former.filter(level="district").values_list("code", flat=True)) == {r["old_district_code"] for r in rows}
    assert set(former.values_list("valid_to", flat=True)) == {dt.date(2025, 6, 30)} == {FORMER_UNTIL}
    phuc_linh = former.get(
        level="commune", code=next(r["old_ward_code"] for r in rows if r["old_ward"] == "Xã Phục Linh")
    )
    assert phuc_linh.parent.name == "Huyện Đại Từ"
    assert phuc_linh.parent.parent.code == "19"
    assert [s.successor.code for s in phuc_linh.successions.all()] == ["05788"]
    bac_kan = former.get(level="province", code="06")
    assert bac_kan.name == "Tỉnh Bắc Kạn"
    assert [s.successor.code for s in bac_kan.successions.all()] == ["19"]
    assert AdminUnit.objects.get(level="district", code="058").parent == bac_kan


def test_every_history_row_is_a_succession_with_its_divided_and_default_flags(demo_units):
    for row in _csv_rows():
        link = UnitSuccession.objects.get(
            predecessor__level="commune",
            predecessor__code=row["old_ward_code"],
            predecessor__valid_to__isnull=False,
            successor__code=row["new_ward_code"],
            successor__valid_to__isnull=True,
        )
        assert (link.divided, link.is_default) == (
            row["old_ward_divided"] == "True",
            row["is_default_target"] == "True",
        )


def test_history_derived_from_the_package_matches_the_shipped_csv():
    derived, warnings = package_history("19")
    given, given_warnings = read_history_csv(DEMO_HISTORY)
    assert warnings == given_warnings == []
    assert len(given) == 283
    assert sorted(derived, key=repr) == sorted(given, key=repr)


def test_cross_check_finds_phu_lac_under_its_old_vietnam_provinces_code(tmp_path):
    features = _features()
    for feature in features:
        if feature["properties"]["ma_xa"] == "05788":
            feature["properties"]["ma_xa"] = "05794"  # as in vietnam-provinces 2025.10.1
    path = tmp_path / "boundaries.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    boundaries, _ = read_boundaries(path)
    warnings, fixes = cross_check(units=package_units("19"), boundaries=boundaries, history=None)
    assert fixes == {"05794": "05788"}
    assert len(warnings) == 1
    assert "05794" in warnings[0] and "05788" in warnings[0]


def test_cross_check_reports_a_history_row_pointing_at_an_unknown_unit():
    rows, _ = read_history_csv(DEMO_HISTORY)
    broken = [rows[0].__class__(**{**rows[0].__dict__, "new_ward_code": "99999"}), *rows[1:]]
    warnings, _ = cross_check(units=package_units("19"), boundaries=None, history=broken)
    assert any("99999" in w for w in warnings)


def test_the_shipped_sources_agree_with_each_other():
    boundaries, read_warnings = read_boundaries(DEMO_BOUNDARIES)
    history, _ = read_history_csv(DEMO_HISTORY)
    warnings, fixes = cross_check(units=package_units("19"), boundaries=boundaries, history=history)
    assert (read_warnings, warnings, fixes) == ([], [], {})


def test_the_command_shows_progress_counts(demo_units):
    out = io.StringIO()
    call_command("load_units", "--demo", stdout=out)
    assert "92/92" in out.getvalue()
    assert "tạo mới 0, cập nhật 0" in out.getvalue()


def test_the_command_refuses_an_unknown_province(db):
    with pytest.raises(CommandError, match="99"):
        call_command("load_units", "--province", "99", stdout=io.StringIO())


def test_another_province_loads_with_history_derived_from_the_package(db):
    report = load_units(province="04")  # Cao Bằng: no boundary file, history from the package
    package = {u["wardCode"] for u in package_units("04")}
    current = AdminUnit.objects.current().communes().filter(parent__code="04")
    assert set(current.values_list("code", flat=True)) == package
    assert report.created > len(package)
    assert all(u.predecessions.exists() for u in current)
    assert AdminUnit.objects.former().communes().filter(parent__parent__code="04").count() > len(package)
