"""The demo carries the article's figures exactly as the article states them (the literals below are its text)."""

from decimal import Decimal

from django.core.management import call_command

from tinhso.core.models import AuditEntry
from tinhso.indicators import actions, display, periods
from tinhso.indicators.demo import ARTICLE
from tinhso.indicators.models import Indicator, Qualifier, Status, Target, Value


def _stored(code: str, period: str) -> Value:
    p = periods.parse(period)
    return Value.objects.get(indicator__code=code, period_type=p.type, period_start=p.start, breakdown="")


def test_the_demo_stores_the_article_2024_figures_as_estimates_from_the_article(demo):
    # "GRDP ... năm 2024 đạt 162,5 nghìn tỷ đồng"; "xuất khẩu ... 27,6 tỷ USD"; "công nghiệp ... 1.030 nghìn tỷ
    # đồng"; "Thu ngân sách ... trên 20.000 tỷ đồng"; "hơn 10.000 doanh nghiệp".
    expected = {
        "grdp": ("162.5", "nghìn tỷ đồng", ""),
        "export_value": ("27.6", "tỷ USD", ""),
        "industrial_output_2010": ("1030", "nghìn tỷ đồng", ""),
        "budget_revenue": ("20000", "tỷ đồng", ">"),
        "enterprises_active": ("10000", "doanh nghiệp", ">"),
    }
    for code, (number, unit, qualifier) in expected.items():
        row = _stored(code, "2024")
        assert (row.value, row.indicator.unit, row.qualifier) == (Decimal(number), unit, qualifier), code
        assert (row.status, row.source, row.is_derived) == (Status.ESTIMATE, ARTICLE, False)
    assert Indicator.objects.get(code="industrial_output_2010").price_basis == "comparative_2010"


def test_the_figures_read_as_the_article_writes_them(demo):
    shown = {
        code: display.format_value(row.value, decimals=row.indicator.decimals, qualifier=row.qualifier)
        for code in ["grdp", "export_value", "industrial_output_2010", "budget_revenue", "enterprises_active"]
        for row in [_stored(code, "2024")]
    }
    assert shown == {
        "grdp": "162,5",
        "export_value": "27,6",
        "industrial_output_2010": "1.030",
        "budget_revenue": "hơn 20.000",
        "enterprises_active": "hơn 10.000",
    }


def test_the_2020_values_are_derived_from_the_stated_ratios_and_marked_derived(demo):
    for code, ratio in [("grdp", "1.4"), ("export_value", "1.127"), ("industrial_output_2010", "1.315")]:
        now, then = _stored(code, "2024"), _stored(code, "2020")
        assert then.is_derived and not now.is_derived
        assert abs(then.value * Decimal(ratio) - now.value) < Decimal("0.001"), code
    budget_2020 = _stored("budget_revenue", "2020")
    assert budget_2020.is_derived and budget_2020.qualifier == Qualifier.MORE_THAN


def test_the_comparisons_are_computed_from_two_stored_values(demo):
    def compared(code: str):
        return actions.compare(
            indicator=Indicator.objects.get(code=code),
            unit=demo,
            period=periods.year(2024),
            base_period=periods.year(2020),
        )

    assert display.describe_ratio(compared("grdp")) == "gấp 1,4 lần so với năm 2020"
    assert display.describe_change(compared("export_value")) == "tăng 12,7%"
    assert display.describe_change(compared("industrial_output_2010")) == "tăng 31,5%"
    assert display.describe_change(compared("budget_revenue"), with_base=True) == "tăng 29% so với năm 2020"


def test_the_new_rural_area_share_is_computed_from_118_of_126_communes(demo):
    # "Đến tháng 11/2024 ... 118/126 xã đạt chuẩn NTM (bằng 93,7% tổng số xã)".
    assert _stored("ntm_communes", "2024-11-30").value == 118
    assert _stored("communes_total", "2024-11-30").value == 126
    share = _stored("ntm_share", "2024-11-30")
    assert share.is_derived and share.value == (Decimal(118) / Decimal(126) * 100).quantize(Decimal("0.0001"))
    assert display.format_number(share.value, share.indicator.decimals) == "93,7"


def test_the_share_is_measured_against_the_95_percent_target(demo):
    # "giai đoạn 2020 - 2023, Thái Nguyên đề ra mục tiêu có 95% số xã đạt chuẩn NTM".
    ntm = Indicator.objects.get(code="ntm_share")
    target = actions.find_target(indicator=ntm, unit=demo, period=periods.parse("2024-11-30"))
    assert target.value == 95 and target.period.code == "2020-2023"
    progress = actions.percent_of_target(indicator=ntm, unit=demo, period=periods.parse("2024-11-30"))
    assert display.format_number(progress, 1) == "98,6"  # 118 / 126 = 93,65 % of communes, against 95 %


def test_the_2023_ranks_and_the_tea_target_are_loaded(demo):
    # "(PAPI) đứng thứ 2 cả nước; ... (SIPAS) đứng thứ 2 cả nước; ... (PAR INDEX) đứng thứ 6 cả nước".
    ranks = {code: _stored(code, "2023").value for code in ["papi_rank", "sipas_rank", "par_index_rank"]}
    assert ranks == {"papi_rank": 2, "sipas_rank": 2, "par_index_rank": 6}
    # "hướng tới mục tiêu ngành chè Thái Nguyên sớm đạt doanh thu 1 tỷ USD": a target with no set date.
    tea = Target.objects.get(indicator__code="tea_revenue")
    assert (tea.value, tea.indicator.unit, tea.period) == (1, "tỷ USD", None)


def test_the_brief_index_values_carry_their_publishers(demo):
    assert _stored("papi", "2023").value == Decimal("45.7875")
    assert "CECODES" in _stored("papi", "2023").source
    assert _stored("pci_rank", "2024").value == 26 and _stored("pci_rank", "2024").rank_of == 63
    assert _stored("par_index", "2024").status == Status.OFFICIAL


def test_loading_the_demo_again_changes_nothing(demo):
    revisions = [(v.pk, v.version) for v in Value.objects.all()]
    entries = AuditEntry.objects.count()
    call_command("load_indicators_demo", verbosity=0)
    assert [(v.pk, v.version) for v in Value.objects.all()] == revisions
    assert AuditEntry.objects.count() == entries


def test_the_demo_step_runs_after_the_units_and_agencies():
    from tinhso.core.management.commands.load_demo import DEMO_STEPS

    names = [step[0] for step in DEMO_STEPS]
    assert names.index("load_indicators_demo") > names.index("load_agencies") > names.index("load_units")
