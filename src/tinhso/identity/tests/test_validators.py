import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from tinhso.identity import crypto
from tinhso.identity.idnumber import PROVINCE_CODES, parse_id_number, validate_id_number
from tinhso.identity.taxcode import check_digit, normalize_tax_code


def test_it_decodes_birth_year_sex_and_registration_province():
    decoded = parse_id_number("019 185 001 234")
    assert decoded.birth_year == 1985 and decoded.sex == "F"
    assert decoded.registration_place == "Thái Nguyên" and not decoded.registered_abroad
    assert parse_id_number("006205000001").birth_year == 2005


@pytest.mark.parametrize("number", ["01918500123", "0191850012345", "01918500123a", "003185001234", "099185001234"])
def test_it_refuses_impossible_numbers(number):
    with pytest.raises(ValidationError):
        parse_id_number(number)


def test_it_refuses_a_future_birth_year():
    with pytest.raises(ValidationError):
        parse_id_number("019499001234")  # 2199


def test_the_century_and_sex_digit_must_match_the_declared_birth_date_and_sex():
    validate_id_number("019085001234", birth_date=dt.date(1985, 5, 1), sex="M")
    with pytest.raises(ValidationError):
        validate_id_number("019085001234", birth_date=dt.date(2085 - 100, 5, 1), sex="F")
    with pytest.raises(ValidationError):
        validate_id_number("019285001234", birth_date=dt.date(1985, 5, 1), sex="M")


def test_the_list_has_the_63_provinces_including_bac_kan_and_thai_nguyen():
    assert len(PROVINCE_CODES) == 63 and PROVINCE_CODES["006"] == "Bắc Kạn"


@given(st.sampled_from(sorted(PROVINCE_CODES)), st.integers(0, 3), st.integers(0, 99), st.integers(0, 999999))
def test_every_structurally_valid_domestic_number_round_trips(prefix, century, year, tail):
    number = f"{prefix}{century}{year:02d}{tail:06d}"
    full_year = (19 + century // 2) * 100 + year
    if full_year > dt.date.today().year:
        with pytest.raises(ValidationError):
            parse_id_number(number)
        return
    decoded = parse_id_number(number)
    assert decoded.number == number and decoded.birth_year == full_year
    assert decoded.sex == ("F" if century % 2 else "M")


def _valid_tax_code(first_nine: str) -> str:
    return first_nine + str(check_digit(first_nine))


def test_it_accepts_a_tax_code_with_the_right_check_digit_and_a_branch():
    code = _valid_tax_code("010010910")
    assert check_digit("010010910") < 10
    assert normalize_tax_code(code) == code
    assert normalize_tax_code(f"{code}-001") == f"{code}001"


def test_it_refuses_a_wrong_check_digit_a_branch_000_and_bad_lengths():
    code = _valid_tax_code("010010910")
    wrong = code[:9] + str((int(code[9]) + 1) % 10)
    for bad in (wrong, code + "000", code[:8], "abcdefghij"):
        with pytest.raises(ValidationError):
            normalize_tax_code(bad)


def test_a_known_real_tax_code_passes():
    # Tập đoàn Công nghiệp - Viễn thông Quân đội (Viettel), published on its invoices.
    assert normalize_tax_code("0100109106") == "0100109106"


def test_encryption_rotates_to_a_new_key_and_still_reads_old_values(settings):
    from cryptography.fernet import Fernet

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.IDENTITY_FIELD_KEYS = [old]
    token = crypto.encrypt("019185001234")
    with override_settings(IDENTITY_FIELD_KEYS=[new, old]):
        assert crypto.decrypt(token) == "019185001234"
        rotated = crypto.rotate(token)
    with override_settings(IDENTITY_FIELD_KEYS=[new]):
        assert crypto.decrypt(rotated) == "019185001234"
        with pytest.raises(crypto.DecryptionFailed):
            crypto.decrypt(token)
