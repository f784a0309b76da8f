import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from tinhso.indicators import display, periods
from tinhso.indicators.actions import Comparison


@pytest.mark.parametrize(
    ("code", "start", "end", "label"),
    [
        ("2024", dt.date(2024, 1, 1), dt.date(2024, 12, 31), "năm 2024"),
        ("2024Q2", dt.date(2024, 4, 1), dt.date(2024, 6, 30), "quý II/2024"),
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29), "tháng 2/2024"),
        ("2024-11-30", dt.date(2024, 11, 30), dt.date(2024, 11, 30), "ngày 30/11/2024"),
        ("2021-2025", dt.date(2021, 1, 1), dt.date(2025, 12, 31), "giai đoạn 2021–2025"),
    ],
)
def test_period_codes_round_trip(code, start, end, label):
    period = periods.parse(code)
    assert (period.start, period.end, period.code, period.label) == (start, end, code, label)


@pytest.mark.parametrize("code", ["", "24", "2024Q5", "2024-13", "2024-02-30", "2025-2021", "năm 2024"])
def test_bad_period_codes_are_refused(code):
    with pytest.raises(ValueError):
        periods.parse(code)


def _comparison(value: str, base: str) -> Comparison:
    return Comparison(Decimal(value), Decimal(base), periods.year(2024), periods.year(2020))


def test_a_fall_reads_as_giam_and_a_smaller_figure_as_bang():
    assert display.describe_change(_comparison("90", "100")) == "giảm 10%"
    assert display.describe_ratio(_comparison("80", "100")) == "bằng 80% so với năm 2020"
    assert display.describe_change(_comparison("100", "100")) == "không đổi"


def test_values_use_the_vietnamese_number_format_with_their_qualifier_and_unit():
    assert display.format_value(Decimal("1030.0000"), decimals=1, unit="nghìn tỷ đồng") == "1.030 nghìn tỷ đồng"
    assert display.format_value(Decimal("20000"), decimals=0, qualifier=">", unit="tỷ đồng") == "hơn 20.000 tỷ đồng"
    assert display.format_value(Decimal("45.7875"), decimals=4) == "45,7875"
    assert display.format_value(Decimal("93.6508"), decimals=1, unit="%") == "93,7%"


def test_english_pages_get_english_separators():
    with translation.override("en"):
        assert display.format_number(Decimal("1030.5"), 1) == "1,030.5"


def test_templates_show_a_value_as_its_source_words(demo):
    from django.template import Context, Template

    from tinhso.indicators import actions
    from tinhso.indicators.models import Indicator, Value

    budget = Indicator.objects.get(code="budget_revenue")
    row = Value.objects.get(indicator=budget, period_start__year=2024)
    comparison = actions.compare(indicator=budget, unit=demo, period=periods.year(2024), base_period=periods.year(2020))
    html = Template("{% load chi_tieu %}{{ row|figure }}, {{ c|change_text }}; {{ c|ratio_text }}").render(
        Context({"row": row, "c": comparison})
    )
    assert html == "hơn 20.000 tỷ đồng, tăng 29%; gấp 1,3 lần so với năm 2020"
