"""Template filters of the platform: `{% load tinhso %}`."""

import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils import formats, translation

from tinhso.core import privacy

register = template.Library()


@register.filter
def mask_phone(value) -> str:
    """Show a phone number with its middle hidden."""
    return privacy.mask_phone(str(value or ""))


@register.filter
def mask_email(value) -> str:
    """Show an e-mail address with most of its local part hidden."""
    return privacy.mask_email(str(value or ""))


@register.filter
def mask_id_number(value) -> str:
    """Show a personal ID number with its middle hidden."""
    return privacy.mask_id_number(str(value or ""))


@register.filter
def mask_address(value) -> str:
    """Show an address down to its commune, without house number or street."""
    return privacy.mask_address(str(value or ""))


@register.filter
def so(value, decimals=None) -> str:
    """Format a number the Vietnamese way (1.030,5; 20.000), or the active language's way.

    Without `decimals`, show up to two decimals and drop trailing zeros; with it, show exactly that many.
    Dates need no filter: `{{ day }}` already renders dd/mm/yyyy through tinhso/formats.
    """
    if value is None or value == "" or isinstance(value, bool):
        return "" if value is None else value
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value
    if not number.is_finite():
        return value
    if decimals in (None, ""):
        number = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        text = format(number, "f")
        places = len(text.rstrip("0").partition(".")[2]) if "." in text else 0
    else:
        try:
            places = max(0, int(decimals))
        except (TypeError, ValueError):
            return value
    number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return formats.number_format(number, places, use_l10n=True, force_grouping=True)


@register.filter
def language_name(code: str) -> str:
    """Return a language's name in that language (Tiếng Việt, English), composed (NFC) for exact matching."""
    try:
        info = translation.get_language_info(code)
    except KeyError:
        return code
    return unicodedata.normalize("NFC", info["name_local"][:1].upper() + info["name_local"][1:])
