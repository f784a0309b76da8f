"""Load a province's administrative units: today's list, boundaries, and the units before 1 July 2025.

Three sources, cross-checked against each other:
- the unit list (codes, names, types) from the vietnamadminunits package's dataset (34-province table);
- boundaries from a GeoJSON file keyed by the 5-digit unit code (the demo ships Thái Nguyên's);
- history (former communes, districts and provinces and what they became) from a CSV like
  data/geo/thai_nguyen/thai_nguyen_old_to_new_2025.csv, or derived from the same package's converter data
  and 63-province table when no CSV is given.
"""

import csv
import datetime as dt
import importlib.metadata
import importlib.resources
import json
import re
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import shapely
from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import Length

from tinhso.core import audit
from tinhso.core.models import AdminUnit, UnitSuccession
from tinhso.core.models.units import REFORM_DATE
from tinhso.core.text import fold

DEMO_DIR = Path(__file__).parent / "data" / "geo" / "thai_nguyen"
DEMO_PROVINCE = "19"
DEMO_BOUNDARIES = DEMO_DIR / "thai_nguyen_xa_phuong_2025.geojson"
DEMO_HISTORY = DEMO_DIR / "thai_nguyen_old_to_new_2025.csv"

#: Last day of the former units (the two-tier government began the next day).
FORMER_UNTIL = REFORM_DATE - dt.timedelta(days=1)

Progress = Callable[[str], None]

# Type words in front of a unit's name, longest first so "thành phố" wins over a bare name.
_PREFIXES: list[tuple[str, dict[str, str]]] = [
    ("Thành phố", {"province": AdminUnit.Kind.CITY, "district": AdminUnit.Kind.PROVINCIAL_CITY}),
    ("Thị trấn", {"commune": AdminUnit.Kind.TOWNLET}),
    ("Thị xã", {"district": AdminUnit.Kind.TOWN}),
    ("Đặc khu", {"commune": AdminUnit.Kind.SPECIAL_ZONE}),
    ("Phường", {"commune": AdminUnit.Kind.WARD}),
    ("Huyện", {"district": AdminUnit.Kind.DISTRICT}),
    ("Quận", {"district": AdminUnit.Kind.URBAN_DISTRICT}),
    ("Tỉnh", {"province": AdminUnit.Kind.PROVINCE}),
    ("Xã", {"commune": AdminUnit.Kind.COMMUNE}),
]


@dataclass(frozen=True)
class HistoryRow:
    """One former commune (or island district) and one of its successors."""

    old_province: str
    old_province_code: str
    old_district: str
    old_district_code: str
    old_ward: str
    old_ward_code: str
    new_ward: str
    new_ward_code: str
    divided: bool
    is_default: bool


@dataclass
class Boundary:
    code: str
    name: str
    geometry: dict[str, Any]
    area_km2: float | None = None
    population: int | None = None
    seat: str = ""


@dataclass
class LoadReport:
    province: str
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    successions_created: int = 0
    successions_changed: int = 0
    warnings: list[str] = field(default_factory=list)
    changed_codes: list[str] = field(default_factory=list)


# --- the package's dataset -------------------------------------------------------------------------


def _package_db() -> Path:
    return Path(str(importlib.resources.files("vietnamadminunits") / "data" / "dataset.db"))


def _package_rows(sql: str, params: tuple = ()) -> list[dict[str, Any]]:
    """Return rows of the package's SQLite dataset, opened read-only with bound parameters."""
    with sqlite3.connect(f"file:{_package_db()}?mode=ro", uri=True) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql, params).fetchall()]


def package_source() -> str:
    """Return the name and version of the unit-list package, for the `source` column."""
    return f"vietnamadminunits {importlib.metadata.version('vietnamadminunits')}"


def package_units(province: str) -> list[dict[str, Any]]:
    """Return the package's current communes of `province` (one row each, with the province columns)."""
    return _package_rows(
        "SELECT province, provinceShort, provinceCode, provinceKey, ward, wardShort, wardType, wardCode, wardKey,"
        " wardAreaKm2 FROM admin_units WHERE provinceCode = ? ORDER BY wardCode",
        (province,),
    )


def package_provinces() -> dict[str, str]:
    """Return {code: name} of the 34 provinces after 1 July 2025."""
    rows = _package_rows("SELECT DISTINCT provinceCode, province FROM admin_units ORDER BY provinceCode")
    return {r["provinceCode"]: r["province"] for r in rows}


def _key(text: str) -> str:
    # The package's keys are folded names without spaces; one of its keys kept its diacritics.
    return re.sub(r"[^a-z0-9]", "", fold(text))


def package_history(province: str) -> tuple[list[HistoryRow], list[str]]:
    """Return the former units of `province` and their successors, derived from the package, and warnings."""
    units = package_units(province)
    if not units:
        return [], [f"Gói vietnamadminunits không có tỉnh mã {province}."]
    data_file = importlib.resources.files("vietnamadminunits") / "data" / "converter_2025.json"
    converter = json.loads(data_file.read_text(encoding="utf-8"))
    new_key = units[0]["provinceKey"]
    old_province_keys = converter["DICT_PROVINCE"].get(new_key, [])
    legacy = [
        row
        for old_key in old_province_keys
        for row in _package_rows(
            "SELECT province, provinceCode, provinceKey, district, districtCode, districtKey, ward, wardCode,"
            " wardKey FROM admin_units_legacy WHERE provinceKey = ?",
            (old_key,),
        )
    ]
    # Keys are exact first: where two names fold alike the package keeps the diacritics (xãvănlang,
    # xãvănlăng); the folded form is only a fallback for a key spelt differently in the converter data.
    old_by_key = {(r["provinceKey"], r["districtKey"], r["wardKey"] or ""): r for r in legacy}
    old_by_folded = {tuple(_key(p) for p in key): r for key, r in old_by_key.items()}
    new_by_key = {u["wardKey"]: u for u in units}
    new_by_folded = {_key(u["wardKey"]): u for u in units}
    warnings: list[str] = []
    rows: list[HistoryRow] = []

    def add(old_key: str, new_ward_key: str, divided: bool, is_default: bool) -> None:
        parts = tuple(old_key.split("_"))
        old = old_by_key.get(parts) or old_by_folded.get(tuple(_key(p) for p in parts))
        new = new_by_key.get(new_ward_key) or new_by_folded.get(_key(new_ward_key))
        if old is None or new is None:
            warnings.append(f"Dữ liệu chuyển đổi của gói: không ghép được {old_key} → {new_ward_key}.")
            return
        rows.append(
            HistoryRow(
                old_province=old["province"],
                old_province_code=old["provinceCode"],
                old_district=old["district"],
                old_district_code=old["districtCode"],
                old_ward=old["ward"] or "",
                old_ward_code=old["wardCode"] or "",
                new_ward=new["ward"],
                new_ward_code=new["wardCode"],
                divided=divided,
                is_default=is_default,
            )
        )

    for new_ward_key, old_keys in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].get(new_key, {}).items():
        for old_key in old_keys:
            add(old_key, new_ward_key, False, True)
    for old_key, targets in converter["DICT_PROVINCE_WARD_DIVIDED"].get(new_key, {}).items():
        for target in targets:
            add(old_key, target["newWardKey"], True, bool(target["isDefaultNewWard"]))
    rows.sort(key=lambda r: (r.old_province_code, r.old_district_code, r.old_ward_code, r.new_ward_code))
    return rows, warnings


# --- files -------------------------------------------------------------------------------------------


def read_history_csv(path: Path) -> tuple[list[HistoryRow], list[str]]:
    """Return the rows of an old→new CSV (columns as in the demo file) and warnings."""
    province_codes = {
        fold(r["province"]): r["provinceCode"]
        for r in _package_rows("SELECT DISTINCT province, provinceCode FROM admin_units_legacy")
    }
    rows, warnings = [], []
    with open(path, encoding="utf-8-sig", newline="") as f:
        for line, r in enumerate(csv.DictReader(f), start=2):
            old_province_code = province_codes.get(fold(r["old_province"]), "")
            if not old_province_code:
                warnings.append(f"{path.name} dòng {line}: không rõ mã tỉnh cũ của “{r['old_province']}”.")
            rows.append(
                HistoryRow(
                    old_province=r["old_province"].strip(),
                    old_province_code=old_province_code,
                    old_district=r["old_district"].strip(),
                    old_district_code=r["old_district_code"].strip().zfill(3),
                    old_ward=r["old_ward"].strip(),
                    old_ward_code=r["old_ward_code"].strip().zfill(5) if r["old_ward_code"].strip() else "",
                    new_ward=r["new_ward"].strip(),
                    new_ward_code=r["new_ward_code"].strip().zfill(5),
                    divided=r["old_ward_divided"].strip().lower() == "true",
                    is_default=r["is_default_target"].strip().lower() == "true",
                )
            )
    return rows, warnings


def _first(props: dict[str, Any], *names: str) -> Any:
    return next((props[n] for n in names if props.get(n) not in (None, "")), None)


def read_boundaries(path: Path, *, code_property: str = "ma_xa") -> tuple[dict[str, Boundary], list[str]]:
    """Return {code: Boundary} from a GeoJSON FeatureCollection, and warnings."""
    collection = json.loads(Path(path).read_text(encoding="utf-8"))
    found: dict[str, Boundary] = {}
    warnings: list[str] = []
    for number, feature in enumerate(collection.get("features", []), start=1):
        props = feature.get("properties") or {}
        raw_code = props.get(code_property)
        if raw_code in (None, "") or not feature.get("geometry"):
            warnings.append(f"{Path(path).name}: đối tượng thứ {number} thiếu “{code_property}” hoặc hình học.")
            continue
        code = str(raw_code).strip().zfill(5)
        geometry = feature["geometry"]
        shape = shapely.geometry.shape(geometry)
        if not shape.is_valid:
            warnings.append(f"{Path(path).name}: ranh giới mã {code} không hợp lệ, đã sửa (make_valid).")
            geometry = json.loads(json.dumps(shapely.geometry.mapping(shapely.make_valid(shape))))
        area = _first(props, "dien_tich_km2", "area_km2", "area")
        population = _first(props, "dan_so", "population")
        found[code] = Boundary(
            code=code,
            name=str(_first(props, "ten", "name") or ""),
            geometry=geometry,
            area_km2=float(area) if area is not None else None,
            population=int(population) if population is not None else None,
            seat=str(_first(props, "tru_so", "seat") or ""),
        )
    return found, warnings


# --- cross-checks ------------------------------------------------------------------------------------


def _short(name: str) -> str:
    return split_name(name, "commune")[1]


def cross_check(
    *, units: list[dict[str, Any]], boundaries: dict[str, Boundary] | None, history: list[HistoryRow] | None
) -> tuple[list[str], dict[str, str]]:
    """Compare codes and names across the three sources; return warnings and {file code: package code} fixes.

    A boundary feature whose code is not in the package but whose name matches exactly one package unit is
    attached to that unit (the fix), with a warning: Xã Phú Lạc is 05788 in the package and in the demo
    file, while vietnam-provinces 2025.10.1 gives 05794 (SOURCE.md).
    """
    warnings: list[str] = []
    fixes: dict[str, str] = {}
    by_code = {u["wardCode"]: u for u in units}
    by_name: dict[str, list[str]] = {}
    for u in units:
        by_name.setdefault(fold(u["wardShort"]), []).append(u["wardCode"])
    if boundaries is not None:
        for code, b in sorted(boundaries.items()):
            if code in by_code:
                if b.name and fold(_short(b.name)) != fold(by_code[code]["wardShort"]):
                    package_name = by_code[code]["ward"]
                    warnings.append(f"Mã {code}: tệp ranh giới ghi “{b.name}”, gói ghi “{package_name}” (theo gói).")
                continue
            same_name = by_name.get(fold(_short(b.name)), []) if b.name else []
            if len(same_name) == 1 and same_name[0] not in boundaries:
                fixes[code] = same_name[0]
                warnings.append(
                    f"Mã {code} ({b.name}) của tệp ranh giới không có trong gói; gói ghi mã {same_name[0]} "
                    f"cho đơn vị cùng tên: gắn ranh giới vào {same_name[0]}."
                )
            else:
                warnings.append(f"Mã {code} ({b.name}) của tệp ranh giới không có trong gói: bỏ qua.")
        covered = set(boundaries) | set(fixes.values())
        for code in sorted(set(by_code) - covered):
            warnings.append(f"{by_code[code]['ward']} ({code}) không có ranh giới trong tệp.")
    if history is not None:
        for row in history:
            unit = by_code.get(row.new_ward_code)
            if unit is None:
                warnings.append(
                    f"Lịch sử: {row.old_ward or row.old_district} → {row.new_ward} ({row.new_ward_code}): "
                    "mã mới không có trong gói."
                )
            elif fold(_short(row.new_ward)) != fold(unit["wardShort"]):
                warnings.append(
                    f"Lịch sử: mã {row.new_ward_code} là “{row.new_ward}” trong tệp, “{unit['ward']}” trong gói."
                )
        for code in sorted(set(by_code) - {r.new_ward_code for r in history}):
            warnings.append(f"Lịch sử: {by_code[code]['ward']} ({code}) không kế thừa đơn vị cũ nào.")
        defaults: dict[tuple[str, str], int] = {}
        for row in history:
            old = (row.old_district_code, row.old_ward_code)
            defaults[old] = defaults.get(old, 0) + row.is_default
        for (district, ward), n in sorted(defaults.items()):
            if n != 1:
                warnings.append(f"Lịch sử: đơn vị cũ {ward or district} có {n} đơn vị kế thừa chính (cần đúng 1).")
    return warnings, fixes


def compare_history(given: list[HistoryRow], derived: list[HistoryRow]) -> list[str]:
    """Return warnings for each old→new link that one history source has and the other lacks."""

    def links(rows: list[HistoryRow]) -> set[tuple[str, str, str, bool, bool]]:
        return {(r.old_district_code, r.old_ward_code, r.new_ward_code, r.divided, r.is_default) for r in rows}

    warnings = []
    for district, ward, new, divided, default in sorted(links(given) - links(derived)):
        warnings.append(
            f"Lịch sử: liên kết {ward or district} → {new} (chia tách={divided}, chính={default}) "
            "có trong tệp nhưng không có trong gói."
        )
    for district, ward, new, divided, default in sorted(links(derived) - links(given)):
        warnings.append(
            f"Lịch sử: liên kết {ward or district} → {new} (chia tách={divided}, chính={default}) "
            "có trong gói nhưng không có trong tệp."
        )
    return warnings


# --- loading ----------------------------------------------------------------------------------------


def split_name(name: str, level: str) -> tuple[str, str, str]:
    """Return (name with its type word in standard case, name without the type word, kind) of a unit name."""
    clean = " ".join(name.split())
    for prefix, kinds in _PREFIXES:
        if clean.lower().startswith(prefix.lower() + " ") and level in kinds:
            short = clean[len(prefix) + 1 :]
            return f"{prefix} {short}", short, kinds[level]
    fallback = {"province": AdminUnit.Kind.PROVINCE, "district": AdminUnit.Kind.DISTRICT}
    return clean, clean, fallback.get(level, AdminUnit.Kind.COMMUNE)


def _shape_fields(geometry: dict[str, Any] | None) -> dict[str, Any]:
    if geometry is None:
        return {}
    shape = shapely.geometry.shape(geometry)
    min_lon, min_lat, max_lon, max_lat = shape.bounds
    # The centroid of a crescent-shaped commune can fall outside it; a marker must land inside.
    point = shape.centroid if shape.contains(shape.centroid) else shape.representative_point()
    return {
        "boundary": geometry,
        "min_lon": round(min_lon, 7),
        "min_lat": round(min_lat, 7),
        "max_lon": round(max_lon, 7),
        "max_lat": round(max_lat, 7),
        "centroid_lon": round(point.x, 6),
        "centroid_lat": round(point.y, 6),
    }


def _province_outline(geometries: list[dict[str, Any]]) -> dict[str, Any] | None:
    if not geometries:
        return None
    # Closing by ~100 m removes the sliver gaps between neighbouring communes from the outline.
    union = shapely.union_all([shapely.geometry.shape(g) for g in geometries])
    outline = union.buffer(0.001).buffer(-0.001).simplify(0.0003)
    return json.loads(json.dumps(shapely.geometry.mapping(outline)))


class _Upserter:
    """Create or update units keyed by (level, code, valid_from), counting what changed."""

    def __init__(self, report: LoadReport):
        self.report = report
        self.existing = {(u.level, u.code, u.valid_from): u for u in AdminUnit.objects.all()}

    def __call__(
        self, *, level: str, code: str, valid_from: dt.date | None, initial: dict[str, Any] | None = None, **values: Any
    ) -> AdminUnit:
        """Create or update one unit; `initial` values are set only when the unit is created."""
        initial = {**(initial or {})}
        for bag in (values, initial):
            if bag.get("area_km2") is not None:
                bag["area_km2"] = Decimal(str(bag["area_km2"])).quantize(Decimal("0.01"))
        unit = self.existing.get((level, code, valid_from))
        if unit is None:
            unit = AdminUnit.objects.create(level=level, code=code, valid_from=valid_from, **{**initial, **values})
            self.existing[(level, code, valid_from)] = unit
            self.report.created += 1
            return unit
        changed = [name for name, value in values.items() if getattr(unit, name) != value]
        if not changed:
            self.report.unchanged += 1
            return unit
        for name in changed:
            setattr(unit, name, values[name])
        unit.save(update_fields=[*changed, "search_name"])
        self.report.changed += 1
        self.report.changed_codes.append(f"{level}:{code}")
        return unit


def _file_values(boundary: Boundary | None) -> dict[str, Any]:
    if boundary is None:
        return {}
    values = _shape_fields(boundary.geometry)
    # A file without a value keeps what the database has (an administrator may have entered it).
    if boundary.area_km2 is not None:
        values["area_km2"] = boundary.area_km2
    if boundary.population is not None:
        values["population"] = boundary.population
    if boundary.seat:
        values["seat"] = boundary.seat
    return values


@transaction.atomic
def load_units(
    *,
    province: str,
    boundaries: Path | None = None,
    history: Path | None = None,
    code_property: str = "ma_xa",
    derive_history: bool = True,
    actor=None,
    progress: Progress | None = None,
) -> LoadReport:
    """Create or update one province's current communes, their boundaries and the former units they replaced.

    Idempotent: a second run with the same inputs changes nothing and writes no audit entry. Units are never
    deleted here (agencies, cases and statistics point at them); a unit the package no longer lists is
    reported as a warning.
    """
    say = progress or (lambda message: None)
    province = province.strip().zfill(2)
    units = package_units(province)
    if not units:
        raise ValueError(f"Không có tỉnh mã {province} trong danh sách 34 tỉnh, thành phố (gói vietnamadminunits).")
    report = LoadReport(province=f"{units[0]['province']} ({province})")
    say(f"{report.province}: {len(units)} đơn vị cấp xã trong gói {package_source()}.")

    shapes, history_rows = None, None
    if boundaries is not None:
        shapes, found = read_boundaries(boundaries, code_property=code_property)
        report.warnings += found
        say(f"Tệp ranh giới {Path(boundaries).name}: {len(shapes)} đơn vị.")
    if history is not None:
        history_rows, found = read_history_csv(history)
        report.warnings += found
        derived, derived_warnings = package_history(province)
        report.warnings += derived_warnings + compare_history(history_rows, derived)
        say(f"Tệp lịch sử {Path(history).name}: {len(history_rows)} dòng.")
    elif derive_history:
        history_rows, found = package_history(province)
        report.warnings += found
        say(f"Lịch sử suy ra từ gói: {len(history_rows)} dòng.")
    found, fixes = cross_check(units=units, boundaries=shapes, history=history_rows)
    report.warnings += found
    if shapes is not None:
        shapes = {fixes.get(code, code): b for code, b in shapes.items()}

    upsert = _Upserter(report)
    source = package_source()
    first = units[0]
    name, short, kind = split_name(first["province"], "province")
    commune_shapes = [shapes[u["wardCode"]] for u in units if shapes and u["wardCode"] in shapes]
    province_values: dict[str, Any] = {}
    if commune_shapes:
        province_values = _shape_fields(_province_outline([b.geometry for b in commune_shapes]))
        if all(b.population is not None for b in commune_shapes) and len(commune_shapes) == len(units):
            province_values["population"] = sum(b.population or 0 for b in commune_shapes)
    current_province = upsert(
        level=AdminUnit.Level.PROVINCE,
        code=province,
        valid_from=None,
        name=name,
        short_name=short,
        kind=kind,
        parent_id=None,
        valid_to=None,
        initial={"source": source},
        **province_values,
    )

    communes: dict[str, AdminUnit] = {}
    for u in units:
        boundary = shapes.get(u["wardCode"]) if shapes else None
        values = _file_values(boundary)
        initial = {"source": source}
        if boundary is not None:
            values["source"] = f"{source}; ranh giới: {Path(boundaries).name}"
        if "area_km2" not in values and u["wardAreaKm2"] is not None:
            initial["area_km2"] = u["wardAreaKm2"]  # the package's figure, until a boundary file brings one
        name, short, kind = split_name(u["ward"], "commune")
        communes[u["wardCode"]] = upsert(
            level=AdminUnit.Level.COMMUNE,
            code=u["wardCode"],
            valid_from=REFORM_DATE,
            name=name,
            short_name=short,
            kind=kind,
            parent_id=current_province.pk,
            valid_to=None,
            initial=initial,
            **values,
        )
    say(f"Đơn vị cấp xã hiện hành: {len(communes)}/{len(units)}.")

    package_codes = {u["wardCode"] for u in units}
    for stale in AdminUnit.objects.current().communes().filter(parent=current_province).exclude(code__in=package_codes):
        report.warnings.append(f"{stale.name} ({stale.code}) có trong cơ sở dữ liệu nhưng gói không còn liệt kê.")

    if history_rows:
        _load_history(history_rows, upsert, communes, current_province, report, source, say)

    if report.created or report.changed or report.successions_created or report.successions_changed:
        audit.record(
            actor=actor,
            action="units.load",
            obj=current_province,
            extra={
                "created": report.created,
                "changed": report.changed,
                "unchanged": report.unchanged,
                "successions_created": report.successions_created,
                "successions_changed": report.successions_changed,
                "changed_units": report.changed_codes[:200],
                "boundaries": Path(boundaries).name if boundaries else "",
                "history": Path(history).name if history else ("vietnamadminunits" if derive_history else ""),
                "warnings": len(report.warnings),
            },
        )
    units_changed()
    transaction.on_commit(units_changed)
    say(
        f"Xong: tạo mới {report.created}, cập nhật {report.changed}, giữ nguyên {report.unchanged} đơn vị; "
        f"kế thừa: tạo mới {report.successions_created}, cập nhật {report.successions_changed}."
    )
    return report


def _load_history(rows, upsert, communes, current_province, report, source, say) -> None:
    provinces: dict[str, AdminUnit] = {current_province.code: current_province}
    for row in rows:
        if not row.old_province_code or row.old_province_code in provinces:
            continue
        name, short, kind = split_name(row.old_province, "province")
        provinces[row.old_province_code] = upsert(
            level=AdminUnit.Level.PROVINCE,
            code=row.old_province_code,
            valid_from=None,
            name=name,
            short_name=short,
            kind=kind,
            parent_id=None,
            valid_to=FORMER_UNTIL,
            source=source,
        )
    districts: dict[str, AdminUnit] = {}
    for row in rows:
        if row.old_district_code in districts:
            continue
        name, short, kind = split_name(row.old_district, "district")
        districts[row.old_district_code] = upsert(
            level=AdminUnit.Level.DISTRICT,
            code=row.old_district_code,
            valid_from=None,
            name=name,
            short_name=short,
            kind=kind,
            parent_id=getattr(provinces.get(row.old_province_code), "pk", None),
            valid_to=FORMER_UNTIL,
            source=source,
        )
    former: dict[str, AdminUnit] = {}
    for row in rows:
        if not row.old_ward_code or row.old_ward_code in former:
            continue
        name, short, kind = split_name(row.old_ward, "commune")
        former[row.old_ward_code] = upsert(
            level=AdminUnit.Level.COMMUNE,
            code=row.old_ward_code,
            valid_from=None,
            name=name,
            short_name=short,
            kind=kind,
            parent_id=districts[row.old_district_code].pk,
            valid_to=FORMER_UNTIL,
            source=source,
        )
    say(f"Đơn vị cũ: {len(provinces) - 1} tỉnh, {len(districts)} huyện, {len(former)} xã.")

    existing = {(s.predecessor_id, s.successor_id): s for s in UnitSuccession.objects.all()}

    def link(predecessor: AdminUnit, successor: AdminUnit, *, divided: bool, is_default: bool) -> None:
        current = existing.get((predecessor.pk, successor.pk))
        if current is None:
            existing[(predecessor.pk, successor.pk)] = UnitSuccession.objects.create(
                predecessor=predecessor, successor=successor, divided=divided, is_default=is_default
            )
            report.successions_created += 1
        elif (current.divided, current.is_default) != (divided, is_default):
            current.divided, current.is_default = divided, is_default
            current.save(update_fields=["divided", "is_default"])
            report.successions_changed += 1

    for code, old_province in provinces.items():
        if code != current_province.code:
            link(old_province, current_province, divided=False, is_default=True)
    linked = 0
    for row in rows:
        successor = communes.get(row.new_ward_code)
        if successor is None:
            continue  # already reported by the cross-check
        # An island district without communes (Bạch Long Vĩ, Cồn Cỏ, ...) became a special zone as a whole.
        predecessor = former[row.old_ward_code] if row.old_ward_code else districts[row.old_district_code]
        link(predecessor, successor, divided=row.divided, is_default=row.is_default)
        linked += 1
    say(f"Liên kết kế thừa: {linked}.")


def load_demo_units(*, actor=None, progress: Progress | None = None) -> LoadReport:
    """Load Thái Nguyên (19) from the files shipped in core/data/geo/thai_nguyen/."""
    return load_units(
        province=DEMO_PROVINCE, boundaries=DEMO_BOUNDARIES, history=DEMO_HISTORY, actor=actor, progress=progress
    )


# --- caches built from the units table (spatial index, address index) ---------------------------------

_generation = 0


def units_changed() -> None:
    """Tell this process's unit caches to rebuild (called after every load)."""
    global _generation
    _generation += 1


def _table_version() -> tuple:
    # Cheap enough to run every few seconds; catches loads made by another process.
    # Besides loads it catches the usual admin edits: a unit ended (valid_to), renamed (name length), a boundary
    # replaced (bbox sums) or a succession's flags changed. Edits in this process also call units_changed().
    agg = AdminUnit.objects.aggregate(
        rows=Count("id"),
        last=Max("id"),
        west=Sum("min_lon"),
        north=Sum("max_lat"),
        ended=Count("valid_to"),
        last_end=Max("valid_to"),
        name_length=Sum(Length("name")),
    )
    succession = UnitSuccession.objects.aggregate(
        rows=Count("id"), divided=Count("id", filter=Q(divided=True)), default=Count("id", filter=Q(is_default=True))
    )
    return (*agg.values(), *succession.values())


class UnitCache:
    """Hold values built from the units table, rebuilt after a load here or a change seen in the table."""

    def __init__(self, build: Callable[..., Any], *, recheck_seconds: float = 30.0):
        self._build = build
        self._recheck = recheck_seconds
        self._entries: dict[tuple, tuple[int, tuple, float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, *key: Any) -> Any:
        entry = self._entries.get(key)
        now = time.monotonic()
        if entry is not None and entry[0] == _generation:
            if now - entry[2] < self._recheck:
                return entry[3]
            version = _table_version()
            if version == entry[1]:
                self._entries[key] = (entry[0], version, now, entry[3])
                return entry[3]
        with self._lock:
            generation, version = _generation, _table_version()
            value = self._build(*key)
            self._entries[key] = (generation, version, time.monotonic(), value)
            return value

    def clear(self) -> None:
        self._entries.clear()
