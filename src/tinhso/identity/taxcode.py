"""Vietnamese tax codes (mã số thuế, Circular 105/2020/TT-BTC): 10 digits, or 13 for a branch (10 + 001–999).

The tenth digit is a check digit over the first nine, weighted 31, 29, 23, 19, 17, 13, 7, 5, 3 (modulo 11).
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
_SEPARATORS = re.compile(r"[\s.\-]")


def check_digit(first_nine: str) -> int:
    """Return the check digit of the first nine digits; 10 means no valid code starts with them."""
    total = sum(weight * int(digit) for weight, digit in zip(_WEIGHTS, first_nine, strict=True))
    return (10 - total) % 11


def normalize_tax_code(raw: str) -> str:
    """Return the tax code as digits only (0101234567 or 0101234567001) or raise ValidationError."""
    code = _SEPARATORS.sub("", raw or "")
    if not code.isdigit() or len(code) not in (10, 13):
        raise ValidationError(_("Mã số thuế gồm 10 hoặc 13 chữ số."), code="tax_format")
    if check_digit(code[:9]) != int(code[9]):
        raise ValidationError(_("Mã số thuế sai chữ số kiểm tra."), code="tax_checksum")
    if len(code) == 13 and code[10:] == "000":
        message = _("Ba chữ số cuối của mã số thuế đơn vị phụ thuộc phải từ 001 đến 999.")
        raise ValidationError(message, code="tax_branch")
    return code
