"""The 12-digit personal ID number (số định danh cá nhân, Decree 137/2015/NĐ-CP Art. 13, Circular 07/2016/TT-BCA).

Digits 1–3: the province where the birth was registered (a code of the 63-province era, permanent in every issued
number) or a country code for births registered abroad; digit 4: century and sex; digits 5–6: the last two digits of
the birth year; digits 7–12: random, with no check digit. The prefix says where a birth was *registered*: never use
it to infer residence or jurisdiction (Bắc Kạn's 006 and every other prefix live in today's Thái Nguyên).
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

#: Birth-registration codes of the 63 provinces (read-only: numbers never change after the 2025 mergers).
PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn", "008": "Tuyên Quang",
    "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu", "014": "Sơn La", "015": "Yên Bái",
    "017": "Hòa Bình", "019": "Thái Nguyên", "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang",
    "025": "Phú Thọ", "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định", "037": "Ninh Bình",
    "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh", "044": "Quảng Bình", "045": "Quảng Trị",
    "046": "Thừa Thiên Huế", "048": "Đà Nẵng", "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định",
    "054": "Phú Yên", "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng", "070": "Bình Phước",
    "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai", "077": "Bà Rịa – Vũng Tàu",
    "079": "TP. Hồ Chí Minh", "080": "Long An", "082": "Tiền Giang", "083": "Bến Tre", "084": "Trà Vinh",
    "086": "Vĩnh Long", "087": "Đồng Tháp", "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ",
    "093": "Hậu Giang", "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}  # fmt: skip

SEX_MALE = "M"
SEX_FEMALE = "F"
_PATTERN = re.compile(r"^\d{12}$")
_SEPARATORS = re.compile(r"[\s.\-]")


@dataclass(frozen=True)
class IdNumber:
    number: str
    registration_code: str
    registered_abroad: bool
    birth_year: int
    sex: str

    @property
    def registration_place(self) -> str:
        """Return where the birth was registered (a province of the 63-province era), never a residence."""
        return PROVINCE_CODES.get(self.registration_code, "")


def compact(raw: str) -> str:
    return _SEPARATORS.sub("", raw or "")


def parse_id_number(raw: str) -> IdNumber:
    """Return the decoded number or raise ValidationError when its structure is impossible."""
    number = compact(raw)
    if not _PATTERN.match(number):
        raise ValidationError(_("Số định danh cá nhân phải gồm đúng 12 chữ số."), code="id_format")
    prefix = number[:3]
    # Domestic registrations use the province list; births registered abroad use country codes not starting with 0.
    abroad = not prefix.startswith("0")
    if not abroad and prefix not in PROVINCE_CODES:
        raise ValidationError(
            _("Ba chữ số đầu (%(code)s) không phải mã nơi đăng ký khai sinh hợp lệ."),
            code="id_province",
            params={"code": prefix},
        )
    century_sex = int(number[3])
    year = (19 + century_sex // 2) * 100 + int(number[4:6])
    sex = SEX_FEMALE if century_sex % 2 else SEX_MALE
    if year > dt.date.today().year:
        raise ValidationError(_("Năm sinh mã hóa trong số định danh nằm trong tương lai."), code="id_year")
    return IdNumber(number=number, registration_code=prefix, registered_abroad=abroad, birth_year=year, sex=sex)


def validate_id_number(raw: str, *, birth_date: dt.date | None = None, sex: str | None = None) -> IdNumber:
    """Return the decoded number; raise ValidationError when it contradicts the declared birth year or sex."""
    decoded = parse_id_number(raw)
    if birth_date is not None and decoded.birth_year != birth_date.year:
        raise ValidationError(
            _("Số định danh cho năm sinh %(year)s, khác năm sinh đã khai."),
            code="id_birth_year",
            params={"year": decoded.birth_year},
        )
    if sex in (SEX_MALE, SEX_FEMALE) and decoded.sex != sex:
        raise ValidationError(_("Chữ số thứ tư của số định danh không khớp giới tính đã khai."), code="id_sex")
    return decoded
