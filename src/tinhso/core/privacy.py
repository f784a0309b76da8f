"""Masking of personal data for display: phone numbers, e-mail addresses, ID numbers, street addresses.

Masked values are what staff see by default; showing the full value is a separate, logged act
(`audit.record_personal_data_access`).
"""

import re
import unicodedata

from tinhso.core.phone import mask_phone
from tinhso.core.text import strip_diacritics

MASK = "***"

# Phone numbers (9 to 11 digits, spaces or dots allowed) and e-mail addresses a citizen typed into free text.
_PHONE_IN_TEXT = re.compile(r"(?<![\w.])(?:\+?84|0)(?:[ .]?\d){8,10}(?![\w])")
_EMAIL_IN_TEXT = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

# Address parts that name a commune-level unit (kept) and, failing that, a province (kept).
# Matched on the folded part ("phuong phan dinh phung"); "tinh lo" and "xa lo" are roads, not units.
_COMMUNE_PREFIX = re.compile(r"^(?:xa\s+(?!lo\b)|(?:phuong|thi tran|dac khu)\s+|(?:x|p|tt)\.\s*)\S")
_PROVINCE_PREFIX = re.compile(r"^(?:tinh\s+(?!lo\b)|thanh pho\s+|tp(?:\.\s*|\s+))\S")
# Without commas, only the words with their diacritics are trusted: "xa" alone is also "far".
_COMMUNE_WORD = re.compile(r"(?<!\w)(xã|phường|thị trấn|đặc khu)(?!\w)", re.IGNORECASE)


def mask_email(email: str) -> str:
    """Return the address with most of its local part hidden: ng*****@gmail.com."""
    if not email:
        return ""
    local, at, domain = email.partition("@")
    if not at:
        return MASK
    keep = 2 if len(local) > 4 else 1
    return f"{local[:keep]}{'*' * max(len(local) - keep, 3)}@{domain}"


def mask_id_number(number: str) -> str:
    """Return an ID number with its middle hidden: 001203001245 becomes 0012******45."""
    if not number:
        return ""
    digits = re.sub(r"\s", "", number)
    if len(digits) <= 6:
        return "*" * len(digits)
    # The first four digits of a 12-digit ID only encode where the birth was registered and the
    # century and sex (Circular 07/2016/TT-BCA); showing them helps staff tell two people apart.
    head = 4 if len(digits) >= 12 else 2
    return f"{digits[:head]}{'*' * (len(digits) - head - 2)}{digits[-2:]}"


def mask_address(address: str) -> str:
    """Return the address with house number, alley and street hidden, keeping commune and province."""
    if not address:
        return ""
    text = unicodedata.normalize("NFC", address).strip()
    parts = [p.strip() for p in re.split(r"[,;]", text) if p.strip()]
    folded = [strip_diacritics(p).lower() for p in parts]
    for pattern in (_COMMUNE_PREFIX, _PROVINCE_PREFIX):
        for index, key in enumerate(folded):
            if pattern.match(key):
                kept = ", ".join(parts[index:])
                return kept if index == 0 else f"{MASK}, {kept}"
    match = _COMMUNE_WORD.search(text)
    if match:
        return f"{MASK}, {text[match.start() :]}" if match.start() else text
    return MASK


__all__ = ["mask_address", "mask_email", "mask_id_number", "mask_phone"]


def mask_contacts(text: str) -> str:
    """Return free text with the phone numbers and e-mail addresses in it masked (a safety net under redaction)."""
    text = _EMAIL_IN_TEXT.sub(lambda m: mask_email(m.group()), text)
    return _PHONE_IN_TEXT.sub(lambda m: mask_phone(re.sub(r"[ .]", "", m.group())), text)
