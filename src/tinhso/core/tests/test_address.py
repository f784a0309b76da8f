import csv

import pytest

from tinhso.core.address import resolve_old_address
from tinhso.core.text import strip_diacritics
from tinhso.core.units import DEMO_HISTORY

pytestmark = pytest.mark.usefixtures("demo_units")


def _rows():
    with open(DEMO_HISTORY, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _default_targets() -> dict[tuple[str, str], str]:
    """Return {(old district code, old commune code): new code} for the CSV's default target of each row."""
    return {
        (r["old_district_code"], r["old_ward_code"]): r["new_ward_code"]
        for r in _rows()
        if r["is_default_target"] == "True"
    }


def test_the_issue_example_resolves_to_phu_lac():
    match = resolve_old_address("Xã Phục Linh, Huyện Đại Từ, Thái Nguyên")
    assert (match.unit.code, match.unit.name) == ("05788", "Xã Phú Lạc")
    assert match.former.name == "Xã Phục Linh"
    assert match.divided is False
    assert match.confidence == 1.0


@pytest.mark.parametrize(
    "text",
    [
        "xa phuc linh, huyen dai tu",
        "XÃ PHỤC LINH, HUYỆN ĐẠI TỪ, TỈNH THÁI NGUYÊN",
        "  Xã   Phục Linh ,Huyện  Đại Từ  ",
        "X. Phục Linh, H. Đại Từ, T. Thái Nguyên",
        "x.phuc linh - h.dai tu - thai nguyen",
        "Xóm Đồng Đình, Xã Phục Linh, Huyện Đại Từ, Thái Nguyên",
        "xa phuc linh huyen dai tu thai nguyen",
        "Phục Linh, Đại Từ, Thái Nguyên",
    ],
)
def test_it_tolerates_case_spacing_diacritics_and_abbreviations(text):
    assert resolve_old_address(text).unit.code == "05788"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Phường Phan Đình Phùng, Thái Nguyên", "05443"),
        ("phuong phan dinh phung", "05443"),
        ("P. Đức Xuân, tỉnh Thái Nguyên", "01840"),
        ("Xã Phú Lạc", "05788"),
    ],
)
def test_a_current_unit_resolves_to_itself(text, code):
    match = resolve_old_address(text)
    assert match.unit.code == code
    assert match.former is None


@pytest.mark.parametrize(
    "abbreviated",
    [
        "P. Trưng Vương, TP. Thái Nguyên",
        "P.Trưng Vương, TP.Thái Nguyên, T.Thái Nguyên",
        "Số 12 đường Lương Ngọc Quyến, p trưng vương, tp thái nguyên",
    ],
)
def test_abbreviated_ward_and_city_match_the_full_form(abbreviated):
    full = resolve_old_address("Phường Trưng Vương, Thành phố Thái Nguyên, Tỉnh Thái Nguyên")
    assert full.former.name == "Phường Trưng Vương"
    assert resolve_old_address(abbreviated).unit == full.unit


def test_townlets_and_towns_are_recognised_by_their_abbreviations():
    rows = {r["old_ward"]: r for r in _rows()}
    row = rows["Thị trấn Hùng Sơn"]
    assert resolve_old_address("TT. Hùng Sơn, H. Đại Từ").unit.code == row["new_ward_code"]


def test_an_old_bac_kan_address_resolves_to_todays_thai_nguyen_unit():
    row = next(r for r in _rows() if r["old_ward"] == "Xã Nông Thượng")
    match = resolve_old_address("Xã Nông Thượng, Thành phố Bắc Kạn, Tỉnh Bắc Kạn")
    assert match.unit.code == row["new_ward_code"]
    assert match.unit.parent.code == "19"
    assert resolve_old_address("xa nong thuong, bac kan").unit.code == row["new_ward_code"]


def test_the_district_decides_between_two_former_communes_of_the_same_name():
    rows = [r for r in _rows() if r["old_ward"] == "Phường Trung Thành"]
    assert len({r["old_district"] for r in rows}) == 2
    for row in rows:
        match = resolve_old_address(f"phuong trung thanh, {strip_diacritics(row['old_district'])}")
        assert match.former.code == row["old_ward_code"]
        assert match.unit.code == row["new_ward_code"]


def test_a_divided_commune_goes_to_its_default_successor_and_names_the_others():
    rows = [r for r in _rows() if r["old_ward"] == "Xã Thượng Đình"]
    default = next(r for r in rows if r["is_default_target"] == "True")
    other = next(r for r in rows if r["is_default_target"] == "False")
    match = resolve_old_address("Xã Thượng Đình, Huyện Phú Bình, Tỉnh Thái Nguyên")
    assert match.divided is True
    assert match.unit.code == default["new_ward_code"]
    assert [u.code for u in match.alternatives] == [other["new_ward_code"]]
    assert match.confidence < 1
    assert match.notes


def test_an_unknown_place_resolves_to_nothing():
    assert resolve_old_address("Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh") is None
    assert resolve_old_address("") is None


@pytest.mark.parametrize("form", ["with diacritics", "without diacritics"])
def test_every_row_of_the_old_to_new_table_resolves_to_its_default_target(form):
    targets = _default_targets()
    failures = []
    for row in _rows():
        text = f"{row['old_ward']}, {row['old_district']}, {row['old_province']}"
        if form == "without diacritics":
            text = strip_diacritics(text).lower()
        match = resolve_old_address(text)
        expected = targets[(row["old_district_code"], row["old_ward_code"])]
        got = match and match.unit.code
        if got != expected or match.former.code != row["old_ward_code"]:
            failures.append(f"{text!r}: expected {expected}, got {got}")
    assert not failures, f"{len(failures)} of {len(_rows())} rows fail:\n" + "\n".join(failures)
