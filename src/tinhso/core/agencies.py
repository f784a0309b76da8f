"""The agency tree: loading a province's agencies from its CSV and its commune committees from the units."""

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from tinhso.core import audit
from tinhso.core.models import AdminUnit, Agency

DATA_DIR = Path(__file__).resolve().parent / "data" / "agencies"
THAI_NGUYEN_CSV = DATA_DIR / "thai_nguyen.csv"
THAI_NGUYEN_CODE = "19"
PROVINCE_COMMITTEE_CODE = "UBND-TINH"
COMMUNE_CODE_PREFIX = "UBND-"

COLUMNS = ("code", "name", "short_name", "kind", "parent_code", "address", "phone", "email", "website")
CONTACT_FIELDS = ("address", "phone", "email", "website")
# Commune committees come after the provincial agencies in lists.
COMMUNE_SORT_START = 1000


class AgencyDataError(ValueError):
    """The agency file is malformed: an unknown kind, a missing parent, a duplicate code."""


@dataclass
class LoadResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    unchanged: int = 0
    communes: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deactivated)


def read_agency_rows(path: Path) -> list[dict[str, str]]:
    """Return the rows of an agency CSV, checked: known kinds, unique codes, parents defined earlier."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = set(COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise AgencyDataError(f"{path.name}: missing columns {', '.join(sorted(missing))}")
        rows = [{k: (row.get(k) or "").strip() for k in COLUMNS} for row in reader]
    seen: set[str] = set()
    for line, row in enumerate(rows, start=2):
        if not row["code"] or not row["name"]:
            raise AgencyDataError(f"{path.name}:{line}: code and name are required")
        if row["code"] in seen:
            raise AgencyDataError(f"{path.name}:{line}: duplicate code {row['code']}")
        if row["kind"] not in Agency.Kind.values:
            raise AgencyDataError(f"{path.name}:{line}: unknown kind {row['kind']!r}")
        if row["parent_code"] and row["parent_code"] not in seen:
            raise AgencyDataError(f"{path.name}:{line}: parent {row['parent_code']} must come on an earlier row")
        seen.add(row["code"])
    return rows


def commune_committee_name(unit: AdminUnit) -> str:
    """Return "UBND Phường Phan Đình Phùng" for the unit, whether or not its name carries its kind."""
    label = unit.get_kind_display()
    name = unit.name if unit.name.casefold().startswith(label.casefold()) else f"{label} {unit.name}"
    return f"UBND {name}"


def _commune_rows(province_code: str, parent_code: str) -> list[tuple[dict[str, str], AdminUnit]]:
    units = (
        AdminUnit.objects.communes()
        .current()
        .filter(parent__code=province_code)
        .select_related("parent")
        .order_by("code")
    )
    return [
        (
            {
                "code": f"{COMMUNE_CODE_PREFIX}{unit.code}",
                "name": commune_committee_name(unit),
                "short_name": unit.short_name or unit.name,
                "kind": Agency.Kind.COMMUNE_COMMITTEE,
                "parent_code": parent_code,
                "address": f"{unit.name}, {unit.parent.name}",
                "phone": "",
                "email": "",
                "website": "",
            },
            unit,
        )
        for unit in units
    ]


def _apply(row: dict[str, str], *, unit: AdminUnit | None, sort_order: int, result: LoadResult) -> None:
    agency = Agency.objects.filter(code=row["code"]).first()
    before = audit.snapshot(agency) if agency else {}
    agency = agency or Agency(code=row["code"])
    agency.name = row["name"]
    agency.short_name = row["short_name"]
    agency.kind = row["kind"]
    agency.parent = Agency.objects.get(code=row["parent_code"]) if row["parent_code"] else None
    agency.sort_order = sort_order
    agency.is_active = True
    if unit is not None:
        agency.unit = unit
    for name in CONTACT_FIELDS:
        # Contacts are maintained in the admin; the file only fills in what is still blank.
        if row[name] and not getattr(agency, name):
            setattr(agency, name, row[name])
    if not before:
        agency.save()
        result.created.append(agency.code)
        return
    if audit.diff(before, audit.snapshot(agency)):
        agency.save()
        result.updated.append(agency.code)
    else:
        result.unchanged += 1


@transaction.atomic
def load_agencies(
    *,
    path: Path = THAI_NGUYEN_CSV,
    province_code: str = THAI_NGUYEN_CODE,
    actor=None,
) -> LoadResult:
    """Create or update the agencies in `path` and one committee per current commune; idempotent.

    Commune committees whose unit is no longer current are deactivated, never deleted: memberships
    and old cases still point at them.
    """
    rows = read_agency_rows(path)
    result = LoadResult()
    for index, row in enumerate(rows, start=1):
        _apply(row, unit=None, sort_order=index * 10, result=result)

    parent_code = PROVINCE_COMMITTEE_CODE if any(r["code"] == PROVINCE_COMMITTEE_CODE for r in rows) else ""
    communes = _commune_rows(province_code, parent_code)
    for index, (row, unit) in enumerate(communes):
        _apply(row, unit=unit, sort_order=COMMUNE_SORT_START + index, result=result)
    result.communes = len(communes)

    if communes:
        stale = Agency.objects.filter(
            kind=Agency.Kind.COMMUNE_COMMITTEE,
            code__startswith=COMMUNE_CODE_PREFIX,
            parent__code=parent_code or None,
            is_active=True,
        ).exclude(code__in=[row["code"] for row, _ in communes])
        result.deactivated = list(stale.values_list("code", flat=True))
        for agency in stale:
            agency.is_active = False
            agency.save(update_fields=["is_active"])

    if result.changed:
        audit.record(
            actor=actor,
            action="agencies.load",
            object_type="core.agency",
            object_repr=path.name,
            extra={
                "source": path.name,
                "created": len(result.created),
                "updated": len(result.updated),
                "deactivated": len(result.deactivated),
                "unchanged": result.unchanged,
                "updated_codes": result.updated,
                "deactivated_codes": result.deactivated,
                "communes": result.communes,
            },
        )
    return result
