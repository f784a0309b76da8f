"""The operations dashboard: who sees it, and that it shows the article's figures as the article states them."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from tinhso.core.models import AdminUnit, UnitSuccession
from tinhso.core.registry import FIGURES, Figure
from tinhso.core.testing import make_unit
from tinhso.dashboard import figures
from tinhso.dashboard.models import AlertRule
from tinhso.indicators import actions, periods
from tinhso.indicators.models import Indicator, Target

PAGES = [
    ("dashboard:home", {}),
    ("dashboard:live", {}),
    ("dashboard:chart", {"chi-tieu": "grdp"}),
    ("dashboard:chart_json", {"chi-tieu": "grdp"}),
    ("dashboard:chart_csv", {"chi-tieu": "grdp"}),
    ("dashboard:map", {"chi-tieu": "grdp"}),
    ("dashboard:map_json", {"chi-tieu": "grdp"}),
    ("dashboard:map_csv", {"chi-tieu": "grdp"}),
]


def _get(client, user, name, params=None, **kwargs):
    if user is not None:
        client.force_login(user)
    return client.get(reverse(name, kwargs=kwargs or None), params or {})


# --- Who sees it -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "params"), PAGES)
@pytest.mark.parametrize("persona", ["province_leader", "leader", "admin_user"])
def test_leaders_and_administrators_see_every_part(client, demo, request, persona, name, params):
    response = _get(client, request.getfixturevalue(persona), name, params)
    assert response.status_code == 200


@pytest.mark.parametrize(("name", "params"), PAGES)
@pytest.mark.parametrize("persona", ["citizen", "clerk", "clerk_elsewhere", "operator", "commune_official"])
def test_it_refuses_citizens_clerks_operators_and_commune_officials(client, demo, request, persona, name, params):
    response = _get(client, request.getfixturevalue(persona), name, params)
    assert response.status_code == 403


@pytest.mark.parametrize(("name", "params"), PAGES)
def test_it_sends_anonymous_visitors_to_the_login_page(client, demo, name, params):
    response = _get(client, None, name, params)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_drilldown_refuses_a_clerk_and_admits_a_leader(client, demo, clerk, leader):
    assert _get(client, clerk, "dashboard:drilldown", code="grdp").status_code == 403
    assert _get(client, leader, "dashboard:drilldown", code="grdp").status_code == 200


# --- The article's figures ----------------------------------------------------------------------------------------


def test_the_tiles_show_the_article_figures_as_the_article_states_them(client, demo, province_leader):
    html = _get(client, province_leader, "dashboard:home").content.decode()
    for text in [
        "162,5 nghìn tỷ đồng",  # GRDP
        "gấp 1,4 lần so với năm 2020",
        "27,6 tỷ USD",  # exports
        "tăng 12,7% so với năm 2020",
        "1.030 nghìn tỷ đồng",  # industrial output, 2010 prices
        "tăng 31,5% so với năm 2020",
        "hơn 20.000 tỷ đồng",  # budget revenue
        "tăng 29% so với năm 2020",
        "hơn 10.000 doanh nghiệp",
        "118 xã",
        "126 xã",
        "93,7%",  # computed from 118 / 126
        "Mục tiêu: 95%",
        "đạt 98,6% mục tiêu",
        "thứ 2/63",  # PAPI, SIPAS
        "tăng 1 bậc so với năm 2023",  # PAR INDEX: 6th in 2023 (the article), 5th in 2024
        "Mục tiêu: 1 tỷ USD",  # tea, undated
        "45,7875 điểm",  # PAPI value
        "Ước tính",
    ]:
        assert text in html, text


def test_the_share_of_new_rural_communes_is_computed_not_typed(demo):
    tile = figures.indicator_tile(Indicator.objects.get(code="ntm_share"), demo)
    assert tile.value_text == "93,7%"
    assert tile.is_derived
    assert tile.period_label == "ngày 30/11/2024"
    assert tile.percent_of_target.quantize(Decimal("0.01")) == Decimal("98.58")


def test_only_a_large_multiple_is_also_read_as_gap_lan(demo):
    grdp = figures.indicator_tile(Indicator.objects.get(code="grdp"), demo)
    exports = figures.indicator_tile(Indicator.objects.get(code="export_value"), demo)
    assert (grdp.ratio_text, grdp.trend_text) == ("gấp 1,4 lần so với năm 2020", "tăng 40% so với năm 2020")
    assert (exports.ratio_text, exports.direction, exports.good) == ("", "up", True)


def test_a_better_rank_reads_as_places_gained(demo):
    tile = figures.indicator_tile(Indicator.objects.get(code="par_index_rank"), demo)
    assert tile.value_text == "thứ 5/63"
    assert tile.trend_text == "tăng 1 bậc so với năm 2023"
    assert tile.good is True


def test_the_province_table_links_each_indicator_to_its_communes(client, demo, province_leader):
    html = _get(client, province_leader, "dashboard:home").content.decode()
    assert reverse("dashboard:drilldown", kwargs={"code": "grdp"}) in html
    assert "<table" in html


# --- Charts: JSON, CSV, table view -------------------------------------------------------------------------------


def test_the_chart_json_has_values_labels_and_the_target_line(client, demo, province_leader):
    data = _get(client, province_leader, "dashboard:chart_json", {"chi-tieu": "ntm_share"}).json()
    assert data["labels"] == ["30/11/2024"]
    assert data["values"] == [pytest.approx(93.6508, abs=1e-4)]
    assert data["texts"] == ["93,7"]
    assert data["targets"] == [95.0]
    assert data["unit"] == "%"


def test_the_chart_fragment_has_a_real_table_and_both_downloads(client, demo, province_leader):
    html = _get(client, province_leader, "dashboard:chart", {"chi-tieu": "grdp"}).content.decode()
    assert "<canvas" in html and "<table" in html
    assert '<th scope="row">2020</th>' in html and "162,5" in html and "116,1" in html
    assert "data-chart-png" in html and reverse("dashboard:chart_csv") in html


def test_the_chart_csv_lists_each_period_with_exact_and_vietnamese_values(client, demo, province_leader):
    response = _get(client, province_leader, "dashboard:chart_csv", {"chi-tieu": "budget_revenue"})
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][:4] == ["Kỳ", "Mã kỳ", "Giá trị", "Hiển thị"]
    assert rows[2][:4] == ["năm 2024", "2024", "20000", "hơn 20.000"]


def test_an_unknown_figure_is_a_404(client, demo, province_leader):
    assert _get(client, province_leader, "dashboard:chart_json", {"chi-tieu": "khong-co"}).status_code == 404
    for name, params in [
        ("dashboard:map_json", {"chi-tieu": "khong-co"}),
        ("dashboard:map_json", {"chi-tieu": "grdp", "ky": "2024-13"}),
        ("dashboard:chart_json", {"chi-tieu": "grdp", "don-vi": "99999"}),
    ]:
        assert _get(client, province_leader, name, params).status_code == 404, params


@pytest.fixture
def registered_figure(monkeypatch):
    """A module's figure in the registry: 87,5 % every month, whatever the unit."""
    calls = []

    def compute(*, start, end, unit=None, agency=None):
        calls.append((start, end, unit))
        return 87.5

    monkeypatch.setitem(FIGURES, "test.on_time", Figure("test.on_time", "Tỷ lệ đúng hạn thử", "%", compute))
    return calls


def test_a_registered_figure_gets_a_tile_and_a_monthly_chart(client, demo, province_leader, registered_figure):
    html = _get(client, province_leader, "dashboard:home").content.decode()
    assert "Tỷ lệ đúng hạn thử" in html and "87,5%" in html
    data = _get(client, province_leader, "dashboard:chart_json", {"chi-tieu": "test.on_time"}).json()
    assert len(data["labels"]) == figures.REGISTRY_MONTHS and set(data["values"]) == {87.5}


def test_the_1022_rates_registered_by_feedback_appear_without_importing_feedback(client, demo, province_leader):
    html = _get(client, province_leader, "dashboard:home").content.decode()
    assert "Tỷ lệ trả lời đúng hạn" in html and "Tỷ lệ hài lòng" in html


# --- Map and drill-down ------------------------------------------------------------------------------------------


@pytest.fixture
def communes(demo):
    """Two communes of today with their own 2024 GRDP, and a third whose figure comes from a former commune."""
    grdp = Indicator.objects.get(code="grdp")
    a = make_unit("05443", "Phường Phan Đình Phùng", lon=105.80, lat=21.55, kind="phuong")
    b = make_unit("05500", "Xã Đại Phúc", lon=105.90, lat=21.55)
    c = make_unit("05600", "Xã Phú Lạc", lon=106.00, lat=21.55)
    import datetime as dt

    old = AdminUnit.objects.create(
        code="05601",
        name="Xã Phục Linh",
        short_name="Phục Linh",
        level=AdminUnit.Level.COMMUNE,
        kind="xa",
        valid_to=dt.date(2025, 6, 30),
    )
    UnitSuccession.objects.create(predecessor=old, successor=c, is_default=True)
    for unit, number in [(a, "12.5"), (b, "3.25"), (old, "1.5")]:
        actions.record_value(
            indicator=grdp,
            period=periods.year(2024),
            unit=unit,
            value=Decimal(number),
            status="estimate",
            source="Thử nghiệm",
            actor=None,
        )
    return a, b, c


def test_the_map_json_has_every_commune_with_a_value_and_class_limits(client, communes, province_leader):
    data = _get(client, province_leader, "dashboard:map_json", {"chi-tieu": "grdp"}).json()
    assert data["period"] == "2024"
    assert data["values"] == {"05443": 12.5, "05500": 3.25, "05600": 1.5}
    assert data["texts"]["05443"] == "12,5 nghìn tỷ đồng"
    assert data["breaks"]


def test_the_map_has_a_table_view_and_csv(client, communes, province_leader):
    html = _get(client, province_leader, "dashboard:map", {"chi-tieu": "grdp"}).content.decode()
    assert "Phường Phan Đình Phùng" in html and "12,5 nghìn tỷ đồng" in html and "<table" in html
    body = _get(client, province_leader, "dashboard:map_csv", {"chi-tieu": "grdp"}).content.decode()
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert ["05600", "Xã Phú Lạc", "2024", "1.5", "1,5 nghìn tỷ đồng", ""] in rows


def test_the_drilldown_goes_from_the_province_to_one_commune(client, communes, province_leader):
    html = _get(client, province_leader, "dashboard:drilldown", code="grdp").content.decode()
    assert "3/3 xã, phường có số liệu" in html
    assert "?ky=2024&amp;don-vi=05443" in html
    one = client.get(reverse("dashboard:drilldown", kwargs={"code": "grdp"}), {"don-vi": "05443"}).content.decode()
    assert "Phường Phan Đình Phùng" in one and "12,5 nghìn tỷ đồng" in one
    rolled = figures.series("grdp", unit=communes[2])
    assert [p.text for p in rolled.points] == ["1,5"]


# --- Alerts ------------------------------------------------------------------------------------------------------


def test_a_threshold_crossed_raises_an_alert_and_one_not_crossed_does_not(client, demo, province_leader):
    ntm = Indicator.objects.get(code="ntm_share")
    AlertRule.objects.create(indicator=ntm, threshold=Decimal(95), note="Chưa đạt mục tiêu 95%.")
    AlertRule.objects.create(indicator=Indicator.objects.get(code="grdp"), threshold=Decimal(100))
    html = _get(client, province_leader, "dashboard:home").content.decode()
    assert "Tỷ lệ xã đạt chuẩn nông thôn mới ngày 30/11/2024: 93,7%, thấp hơn ngưỡng 95%." in html
    assert "Tổng sản phẩm trên địa bàn (GRDP) năm 2024" not in html


def test_a_threshold_on_a_registered_figure_raises_a_critical_alert(client, demo, province_leader, registered_figure):
    AlertRule.objects.create(figure_key="test.on_time", threshold=Decimal(90), level=AlertRule.Level.CRITICAL)
    html = _get(client, province_leader, "dashboard:live").content.decode()
    assert "Nghiêm trọng:" in html and "Tỷ lệ đúng hạn thử" in html and "thấp hơn ngưỡng 90%" in html


def test_overdue_data_sets_are_alerts_when_the_indicators_app_offers_them(demo, monkeypatch):
    import datetime as dt
    import sys
    import types

    class DataSet:
        name = "Báo cáo tháng của Sở Công Thương"
        agency = "Sở Công Thương"

    class Submission:  # the shape of indicators.datasets.Overdue
        dataset = DataSet()
        period = periods.month(2026, 10)
        due_on = dt.date(2026, 11, 10)
        days_late = 18

    fake = types.ModuleType("tinhso.indicators.datasets")
    fake.overdue_submissions = lambda *, today=None: [Submission()]
    monkeypatch.setitem(sys.modules, "tinhso.indicators.datasets", fake)
    found = figures.overdue_alerts()
    assert [a.kind for a in found] == ["overdue"]
    assert found[0].text == (
        "Quá hạn nộp số liệu: Báo cáo tháng của Sở Công Thương · tháng 10/2026 · Sở Công Thương"
        " · hạn 10/11/2026 · trễ 18 ngày"
    )


def test_an_alert_rule_names_one_source_only(demo):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        AlertRule(figure_key="khong.co", threshold=1).full_clean()
    with pytest.raises(ValidationError):
        AlertRule(threshold=1).full_clean()


# --- Freshness ---------------------------------------------------------------------------------------------------


def test_a_recorded_value_shows_at_once_despite_the_cache(client, demo, province_leader):
    assert "170,2 nghìn tỷ đồng" not in _get(client, province_leader, "dashboard:home").content.decode()
    actions.record_value(
        indicator=Indicator.objects.get(code="grdp"),
        period=periods.year(2025),
        unit=demo,
        value=Decimal("170.2"),
        status="estimate",
        source="Thử nghiệm",
        actor=None,
    )
    html = _get(client, province_leader, "dashboard:live").content.decode()
    assert "170,2 nghìn tỷ đồng" in html and "năm 2025" in html


def test_a_recorded_value_refreshes_its_indicator_chart_and_map_but_not_the_others(demo, django_assert_num_queries):
    grdp, exports = Indicator.objects.get(code="grdp"), Indicator.objects.get(code="export_value")
    figures.series("grdp"), figures.series("export_value")
    actions.record_value(
        indicator=grdp,
        period=periods.year(2025),
        unit=demo,
        value=Decimal("170.2"),
        status="estimate",
        source="Thử nghiệm",
        actor=None,
    )
    assert figures.series("grdp").points[-1].text == "170,2"
    with django_assert_num_queries(1):  # the indicator only: its series is still cached
        assert figures.series("export_value").points[-1].text == "27,6"
    assert exports.pk != grdp.pk


def test_the_page_polls_its_live_fragment(client, demo, province_leader):
    html = _get(client, province_leader, "dashboard:home").content.decode()
    assert 'hx-get="/dieu-hanh/truc-tiep/"' in html and 'hx-trigger="every 60s"' in html
    assert "lib/chartjs/chart.umd.min.js" in html and "dashboard/dashboard.js" in html


def test_a_target_of_a_yearly_plan_is_the_chart_line(client, demo, province_leader):
    grdp = Indicator.objects.get(code="grdp")
    Target.objects.create(
        indicator=grdp,
        unit=demo,
        series=Target.Series.YEARLY,
        period_type="year",
        period_start=periods.year(2024).start,
        period_end=periods.year(2024).end,
        value=Decimal("160"),
        basis="Nghị quyết HĐND tỉnh",
    )
    data = _get(client, province_leader, "dashboard:chart_json", {"chi-tieu": "grdp"}).json()
    assert data["targets"] == [None, 160.0]
    tile = figures.indicator_tile(grdp, demo)
    assert tile.percent_of_target_text == "đạt 101,6% mục tiêu"


def test_the_demo_thresholds_load_once_and_warn_about_the_ntm_target(client, demo, province_leader):
    from tinhso.dashboard.demo import load_dashboard_demo

    assert load_dashboard_demo() == 3
    assert load_dashboard_demo() == 0
    html = _get(client, province_leader, "dashboard:home").content.decode()
    assert "thấp hơn ngưỡng 95%. Mục tiêu giai đoạn 2020–2023: 95%." in html


def test_the_job_computes_the_registered_figures_ahead_of_the_page(demo, registered_figure):
    from tinhso.core.schedule import JOBS
    from tinhso.dashboard import tasks

    assert JOBS["dashboard.refresh_figures"].task is tasks.refresh_figures
    computed = tasks.refresh_figures.call()
    assert computed >= figures.REGISTRY_MONTHS + 1
    calls = len(registered_figure)
    figures.registry_tile("test.on_time")
    figures.series("test.on_time")
    assert len(registered_figure) == calls  # served from what the job computed
