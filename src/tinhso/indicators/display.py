"""Indicator figures as Vietnamese prose writes them: "hơn 20.000", "gấp 1,4 lần so với năm 2020", "tăng 12,7%"."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tinhso.core.templatetags.tinhso import so
from tinhso.indicators.actions import Comparison
from tinhso.indicators.models import Qualifier

#: Comparisons are read aloud with one decimal: "gấp 1,4 lần", "tăng 12,7%".
COMPARISON_DECIMALS = 1

_QUALIFIER_WORDS = {
    Qualifier.MORE_THAN: gettext_lazy("hơn"),
    Qualifier.AT_LEAST: gettext_lazy("ít nhất"),
    Qualifier.LESS_THAN: gettext_lazy("dưới"),
    Qualifier.ABOUT: gettext_lazy("khoảng"),
}


def format_number(number, decimals: int = 2) -> str:
    """Return `number` rounded to at most `decimals` places, trailing zeros dropped, in the active language's format."""
    rounded = Decimal(str(number)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = format(rounded, "f")
    places = len(text.rstrip("0").partition(".")[2]) if "." in text else 0
    return so(rounded, places)


def format_value(number, *, decimals: int = 2, qualifier: str = "", unit: str = "") -> str:
    """Return a figure with its qualifier and unit: "hơn 20.000 tỷ đồng", "93,7%", "162,5 nghìn tỷ đồng"."""
    text = format_number(number, decimals)
    word = _QUALIFIER_WORDS.get(qualifier)
    if word:
        text = f"{word} {text}"
    if unit == "%":
        return f"{text}%"
    return f"{text} {unit}" if unit else text


def describe_ratio(comparison: Comparison) -> str:
    """Return "gấp 1,4 lần so với năm 2020", or "bằng 80% so với năm 2020" for a smaller figure."""
    ratio = comparison.ratio
    base = comparison.base_period.label
    if ratio >= 1:
        return _("gấp %(ratio)s lần so với %(base)s") % {
            "ratio": format_number(ratio, COMPARISON_DECIMALS),
            "base": base,
        }
    share = format_number(ratio * 100, COMPARISON_DECIMALS)
    return _("bằng %(share)s%% so với %(base)s") % {"share": share, "base": base}


def describe_change(comparison: Comparison, *, with_base: bool = False) -> str:
    """Return "tăng 12,7%", "giảm 3,1%" or "không đổi", with " so với năm 2020" when asked."""
    change = comparison.change_percent.quantize(Decimal(1).scaleb(-COMPARISON_DECIMALS), rounding=ROUND_HALF_UP)
    amount = format_number(abs(change), COMPARISON_DECIMALS)
    if change > 0:
        text = _("tăng %(amount)s%%") % {"amount": amount}
    elif change < 0:
        text = _("giảm %(amount)s%%") % {"amount": amount}
    else:
        text = _("không đổi")
    if with_base:
        text = _("%(change)s so với %(base)s") % {"change": text, "base": comparison.base_period.label}
    return text
