"""Template filters for indicator figures: `{% load chi_tieu %}`."""

from django import template

from tinhso.indicators import display

register = template.Library()


@register.filter
def figure(value, with_unit: bool = True) -> str:
    """Show a stored value as the source words it: `{{ row|figure }}` → "hơn 20.000 tỷ đồng"."""
    if value is None:
        return ""
    unit = value.indicator.unit if with_unit else ""
    return display.format_value(value.value, decimals=value.indicator.decimals, qualifier=value.qualifier, unit=unit)


@register.filter
def ratio_text(comparison) -> str:
    """Show a comparison as "gấp 1,4 lần so với năm 2020"."""
    return display.describe_ratio(comparison) if comparison is not None else ""


@register.filter
def change_text(comparison) -> str:
    """Show a comparison as "tăng 12,7%"."""
    return display.describe_change(comparison) if comparison is not None else ""
