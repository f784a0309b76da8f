"""Vietnamese phone numbers: normalisation, validation and masking."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_SEPARATORS = re.compile(r"[\s.\-()]")
# Mobile numbers have 10 digits (03, 05, 07, 08, 09); landlines 11 (02x).
_NATIONAL = re.compile(r"^0(?:[35789]\d{8}|2\d{9})$")


def normalize_phone(raw: str) -> str:
    """Return the national form (0912345678) of a Vietnamese phone number or raise ValidationError."""
    digits = _SEPARATORS.sub("", raw or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if not _NATIONAL.match(digits):
        raise ValidationError(_("Số điện thoại không hợp lệ: %(value)s"), code="invalid_phone", params={"value": raw})
    return digits


def mask_phone(phone: str) -> str:
    """Return the number with its middle hidden: 0912***678."""
    if not phone:
        return ""
    if len(phone) <= 6:
        return "*" * len(phone)
    if len(phone) < 10:
        # Short numbers (switchboard extensions, typos) would show almost every digit with the 4+3 rule.
        return f"{phone[:2]}{'*' * (len(phone) - 4)}{phone[-2:]}"
    return f"{phone[:4]}{'*' * (len(phone) - 7)}{phone[-3:]}"
