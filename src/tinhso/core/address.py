"""An address written before or after 1 July 2025 → today's commune.

"Xã Phục Linh, Huyện Đại Từ, Thái Nguyên" names a commune that no longer exists; it became part of Xã Phú Lạc
(05788). The parser is tolerant of missing diacritics, case, extra spaces and the usual abbreviations
(TP., TX., TT., H., Q., X., P.), and reads the parts it recognises anywhere in a comma-separated address,
so a house number and street in front do no harm. A district written next to the commune decides between
two former communes of the same name.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from tinhso.core.models import AdminUnit, UnitSuccession
from tinhso.core.text import fold
from tinhso.core.units import UnitCache

K = AdminUnit.Kind

# Type words, longest first; each with the unit levels and kinds it can introduce.
_TYPE_WORDS: list[tuple[str, str, set[str]]] = [
    ("thanh pho", "district", {K.PROVINCIAL_CITY}),
    ("thanh pho", "province", {K.CITY}),
    ("thi tran", "commune", {K.TOWNLET}),
    ("thi xa", "district", {K.TOWN}),
    ("dac khu", "commune", {K.SPECIAL_ZONE}),
    ("phuong", "commune", {K.WARD}),
    ("huyen", "district", {K.DISTRICT}),
    ("quan", "district", {K.URBAN_DISTRICT}),
    ("tinh", "province", {K.PROVINCE}),
    ("xa", "commune", {K.COMMUNE}),
]
_WORDS = sorted({w for w, _, _ in _TYPE_WORDS}, key=len, reverse=True)
_ABBREVIATIONS = [
    (re.compile(r"\btp\b\.?\s*"), "thành phố "),
    (re.compile(r"\btx\b\.?\s*"), "thị xã "),
    (re.compile(r"\btt\b\.?\s*"), "thị trấn "),
    (re.compile(r"\bq\.\s*"), "quận "),
    (re.compile(r"\bh\.\s*"), "huyện "),
    (re.compile(r"\bx\.\s*"), "xã "),
    (re.compile(r"\bp\.\s*"), "phường "),
    (re.compile(r"\bt\.\s*"), "tỉnh "),
]
_SEPARATORS = re.compile(r"[,;|\n]+|\s+-\s+")
_INNER_WORD = re.compile(r"\s(?=(?:thanh pho|thi xa|huyen|quan|tinh)\s)")


@dataclass
class AddressMatch:
    """Today's unit for an address, the former unit it named (if any), and how sure the match is."""

    unit: AdminUnit
    former: AdminUnit | None = None
    divided: bool = False
    confidence: float = 1.0
    notes: list[str] = field(default_factory=list)
    alternatives: list[AdminUnit] = field(default_factory=list)


@dataclass(frozen=True)
class _Part:
    word: str | None  # folded type word ("xa", "huyen", ...) or None
    name: str  # folded name without the type word
    raw_name: str  # lower-case name as written, diacritics kept


@dataclass
class _Entry:
    unit: AdminUnit
    district_id: int | None
    province_id: int | None


@dataclass
class _Index:
    communes: dict[str, list[_Entry]]
    districts: dict[str, list[AdminUnit]]
    provinces: dict[str, list[AdminUnit]]
    successors: dict[int, list[UnitSuccession]]
    province_family: dict[int, set[int]]
    former_provinces: set[int]


def _build_index() -> _Index:
    units = {u.pk: u for u in AdminUnit.objects.defer("boundary")}
    successors: dict[int, list[UnitSuccession]] = {}
    family: dict[int, set[int]] = {pk: {pk} for pk, u in units.items() if u.level == AdminUnit.Level.PROVINCE}
    for s in UnitSuccession.objects.order_by("-is_default", "successor__code"):
        s.predecessor, s.successor = units[s.predecessor_id], units[s.successor_id]
        successors.setdefault(s.predecessor_id, []).append(s)
        if s.predecessor.level == AdminUnit.Level.PROVINCE and s.successor.level == AdminUnit.Level.PROVINCE:
            family[s.predecessor_id].add(s.successor_id)
            family[s.successor_id].add(s.predecessor_id)
    former_provinces = {pk for pk in family if units[pk].valid_to is not None}
    index = _Index({}, {}, {}, successors, family, former_provinces)
    for unit in units.values():
        if unit.parent_id in units:
            unit.parent = units[unit.parent_id]  # the index answers without further queries
        key = fold(unit.short_name)
        if unit.level == AdminUnit.Level.COMMUNE:
            parent = units.get(unit.parent_id)
            if parent is not None and parent.level == AdminUnit.Level.DISTRICT:
                entry = _Entry(unit, parent.pk, parent.parent_id)
            else:
                entry = _Entry(unit, None, unit.parent_id)
            index.communes.setdefault(key, []).append(entry)
        elif unit.level == AdminUnit.Level.DISTRICT:
            index.districts.setdefault(key, []).append(unit)
        else:
            index.provinces.setdefault(key, []).append(unit)
    return index


_indexes = UnitCache(_build_index)


def _parts(text: str) -> list[str]:
    raw = unicodedata.normalize("NFC", text).lower()
    for pattern, replacement in _ABBREVIATIONS:
        raw = pattern.sub(replacement, raw)
    return [p.strip(" .") for p in _SEPARATORS.split(raw) if p.strip(" .")]


# A lone letter at the start of a part, without its dot ("p trưng vương"), is still a type word.
_LETTERS = {"p": "phường", "x": "xã", "h": "huyện", "q": "quận", "t": "tỉnh"}


def _part(raw: str) -> _Part:
    words = raw.split()
    if len(words) > 1 and words[0] in _LETTERS:
        words = [_LETTERS[words[0]], *words[1:]]
    folded = fold(" ".join(words))
    for word in _WORDS:
        if folded.startswith(word + " "):
            n = len(word.split())
            return _Part(word, " ".join(folded.split()[n:]), " ".join(words[n:]))
    return _Part(None, folded, " ".join(words))


def _kinds(word: str | None, level: str) -> set[str] | None:
    """Return the kinds `word` can introduce at `level` (None: no type word, any kind; empty: none)."""
    if word is None:
        return None
    return {k for w, lvl, kinds in _TYPE_WORDS if w == word and lvl == level for k in kinds}


def _communes(index: _Index, part: _Part) -> list[_Entry]:
    kinds = _kinds(part.word, "commune")
    found = index.communes.get(part.name, [])
    return [e for e in found if kinds is None or e.unit.kind in kinds]


def _split_run_on(raw: str, index: _Index) -> list[str]:
    """Split "xa phuc linh huyen dai tu" (no commas) at the district and province words inside it."""
    whole = _part(raw)
    if whole.word is None or _communes(index, whole):
        return [raw]
    pieces = _INNER_WORD.split(fold(raw))
    if len(pieces) == 1:
        return [raw]
    # Cut the original at the same word positions, so diacritics survive for tie-breaking.
    words, cut, out = raw.split(), 0, []
    for piece in pieces:
        n = len(piece.split())
        out.append(" ".join(words[cut : cut + n]))
        cut += n
    return out


def resolve_old_address(text: str) -> AddressMatch | None:
    """Return today's commune for an old- or new-style address, or None when no commune is recognised."""
    index = _indexes.get()
    raws = [piece for raw in _parts(text or "") for piece in _split_run_on(raw, index)]
    parts = [_part(raw) for raw in raws]
    chosen = next((i for i, p in enumerate(parts) if _kinds(p.word, "commune") and _communes(index, p)), None)
    if chosen is None:
        chosen = next((i for i, p in enumerate(parts) if p.word is None and _communes(index, p)), None)
    if chosen is None:
        return None
    part, notes = parts[chosen], []
    candidates = _communes(index, part)

    provinces: set[int] = set()
    districts: set[int] = set()
    for other in parts[:chosen] + parts[chosen + 1 :]:
        province_kinds = _kinds(other.word, "province")
        matched = [u for u in index.provinces.get(other.name, []) if province_kinds is None or u.kind in province_kinds]
        provinces |= {u.pk for u in matched}
        district_kinds = _kinds(other.word, "district")
        # A bare name that is a province ("…, Thái Nguyên") is read as the province, not the district
        # of the same name, so a new-style address is not mistaken for an old one.
        if district_kinds is None and matched:
            continue
        districts |= {
            u.pk for u in index.districts.get(other.name, []) if district_kinds is None or u.kind in district_kinds
        }

    has_marks = part.raw_name != part.name
    if has_marks and len(candidates) > 1:
        exact = [e for e in candidates if e.unit.short_name.lower() == part.raw_name]
        candidates = exact or candidates
    by_district = False
    if districts:
        in_district = [e for e in candidates if e.district_id in districts]
        if in_district:
            candidates, by_district = in_district, True
        else:
            notes.append("Huyện/thành phố ghi trong địa chỉ không chứa đơn vị cấp xã này; đã bỏ qua.")
    if provinces:
        family = set().union(*(index.province_family.get(p, {p}) for p in provinces))
        in_province = [e for e in candidates if e.province_id in family]
        if in_province:
            candidates = in_province
        else:
            notes.append("Tỉnh ghi trong địa chỉ không chứa đơn vị cấp xã này; đã bỏ qua.")
    only_former_province = bool(provinces) and provinces <= index.former_provinces
    prefer_former = by_district or only_former_province
    preferred = [e for e in candidates if (e.unit.valid_to is not None) == prefer_former]
    candidates = preferred or candidates

    matches = [m for m in (_resolve(index, e.unit) for e in candidates) if m is not None]
    if not matches:
        return None
    best = matches[0]
    best.notes = notes + best.notes
    if len({m.unit.pk for m in matches}) > 1:
        best.confidence -= 0.4
        best.notes.append("Nhiều đơn vị cùng tên; cần ghi rõ huyện/tỉnh: " + "; ".join(_label(m) for m in matches))
        best.alternatives += [m.unit for m in matches[1:] if m.unit not in best.alternatives]
    best.confidence -= 0.15 * len(notes)
    best.confidence = round(max(best.confidence, 0.1), 2)
    return best


def _label(match: AddressMatch) -> str:
    named = match.former or match.unit
    district = named.parent.name if match.former and named.parent_id else ""
    return f"{named.name}{', ' + district if district else ''} → {match.unit.name} ({match.unit.code})"


def _resolve(index: _Index, unit: AdminUnit) -> AddressMatch | None:
    if unit.valid_to is None:
        return AddressMatch(unit=unit)
    links = index.successors.get(unit.pk, [])
    if not links:
        return None
    default = next((s for s in links if s.is_default), links[0])
    divided = any(s.divided for s in links)
    match = AddressMatch(
        unit=default.successor,
        former=unit,
        divided=divided,
        confidence=0.8 if divided else 1.0,
        alternatives=[s.successor for s in links if s is not default],
    )
    if divided:
        others = ", ".join(f"{s.successor.name} ({s.successor.code})" for s in links if s is not default)
        match.notes.append(
            f"{unit.name} đã được chia cho nhiều đơn vị; mặc định là {default.successor.name}, một phần thuộc {others}."
        )
    return match
