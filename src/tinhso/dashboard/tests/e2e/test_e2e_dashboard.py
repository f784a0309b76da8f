"""The operations dashboard in headless Chromium: charts drawn with Vietnamese numbers, the map coloured."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from tinhso.core.models import AdminUnit, Agency, Role
from tinhso.core.testing import make_agency, make_member, make_unit
from tinhso.indicators import actions, periods
from tinhso.indicators.demo import load_indicators_demo
from tinhso.indicators.models import Indicator

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "mat-khau-thu-nghiem-1"  # make_user's default


@pytest.fixture
def setting():
    """The province with the article's figures, three communes, and a province leader."""
    AdminUnit.objects.create(
        code="19", name="Tỉnh Thái Nguyên", short_name="Thái Nguyên", level=AdminUnit.Level.PROVINCE, kind="tinh"
    )
    for code, name in [("STC", "Sở Tài chính"), ("SCT", "Sở Công Thương"), ("SNNMT", "Sở NN&MT"), ("SNV", "Sở Nội vụ")]:
        make_agency(code, name)
    load_indicators_demo()
    units = [
        make_unit("05443", "Phường Phan Đình Phùng", lon=105.80, lat=21.55, kind="phuong"),
        make_unit("05500", "Xã Đại Phúc", lon=105.85, lat=21.55),
        make_unit("05600", "Xã Phú Lạc", lon=105.90, lat=21.55),
    ]
    grdp = Indicator.objects.get(code="grdp")
    for unit, number in zip(units, ["12.5", "3.25", "1030.5"], strict=True):
        actions.record_value(
            indicator=grdp,
            period=periods.year(2024),
            unit=unit,
            value=Decimal(number),
            status="estimate",
            source="Thử nghiệm",
            actor=None,
        )
    office = make_agency("UBND", "UBND tỉnh", kind=Agency.Kind.PROVINCE_COMMITTEE)
    return {"leader": make_member(Role.PROVINCE_LEADER, office, "Đỗ Văn Chủ Tịch"), "units": units}


def sign_in(browser_page, user) -> None:
    page = browser_page.page
    page.context.clear_cookies()
    browser_page.goto(reverse("login"))
    page.get_by_label("Số điện thoại").fill(user.phone)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập").click()
    assert "/dang-nhap/" not in page.url


def test_a_leader_sees_tiles_a_drawn_chart_and_a_coloured_map(browser_page, setting):
    page = browser_page.page
    sign_in(browser_page, setting["leader"])
    browser_page.goto(reverse("dashboard:home"))
    assert page.get_by_text("gấp 1,4 lần so với năm 2020").first.is_visible()
    page.wait_for_selector("#chart-panel [data-chart-ready='2']")
    # Chart.js formats its axis in Vietnamese: a thousands dot, a decimal comma.
    ticks = page.evaluate(
        "() => Chart.getChart(document.querySelector('#chart-panel canvas')).scales.y.ticks.map(t => t.label)"
    )
    assert any("," in t for t in ticks) or all("." not in t for t in ticks), ticks
    page.wait_for_selector("#dashboard-map[data-choropleth='grdp@2024']")
    assert page.get_attribute("#dashboard-map", "data-choropleth-count") == "3"
    fills = page.evaluate(
        "() => { const m = document.getElementById('dashboard-map').leafletMap; const c = new Set();"
        " m.eachLayer(l => { if (l.feature && l.options.fillColor) c.add(l.options.fillColor); }); return [...c]; }"
    )
    assert len(fills) >= 2, fills
    # Another figure in the chart: swapped by HTMX and drawn again.
    page.get_by_label("Số liệu trên biểu đồ").select_option("export_value")
    page.wait_for_selector("#chart-panel figure[data-chart-last='27,6']")
    # The PNG download of the chart.
    with page.expect_download() as download:
        page.locator("[data-chart-png]").click()
    assert download.value.suggested_filename.endswith(".png")
    browser_page.screenshot("dashboard")
    browser_page.assert_clean()


@pytest.fixture
def monthly_dataset():
    """A department's monthly data set over the province and three communes, with last month's figures stored."""
    from tinhso.indicators.models import DataSet, DataSetIndicator

    province = AdminUnit.objects.create(
        code="19", name="Tỉnh Thái Nguyên", short_name="Thái Nguyên", level=AdminUnit.Level.PROVINCE, kind="tinh"
    )
    communes = [
        make_unit("05443", "Phường Phan Đình Phùng", lon=105.80, lat=21.55, kind="phuong"),
        make_unit("05500", "Xã Đại Phúc", lon=105.85, lat=21.55),
        make_unit("05600", "Xã Phú Lạc", lon=105.90, lat=21.55),
    ]
    department = make_agency("SCT", "Sở Công Thương")
    retail = Indicator.objects.create(
        code="retail_sales", name_vi="Tổng mức bán lẻ hàng hóa", unit="tỷ đồng", decimals=1, department=department
    )
    today = dt.date.today()
    period = periods.month(*((today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)))
    before = periods.month(
        *((period.start.year, period.start.month - 1) if period.start.month > 1 else (period.start.year - 1, 12))
    )
    for unit, number in zip([province, *communes], ["1000", "10", "20", "30"], strict=True):
        actions.record_value(
            indicator=retail,
            period=before,
            unit=unit,
            value=Decimal(number),
            status="official",
            source="Báo cáo tháng trước",
            actor=None,
        )
    dataset = DataSet.objects.create(
        code="ban-le-thang",
        name="Báo cáo bán lẻ hằng tháng",
        agency=department,
        period_type="month",
        opens_days=-5,
        deadline_days=10,
        closes_days=60,
    )
    dataset.units.set([province, *communes])
    DataSetIndicator.objects.create(dataset=dataset, indicator=retail, required=True)
    office = make_agency("UBND", "UBND tỉnh", kind=Agency.Kind.PROVINCE_COMMITTEE)
    return {
        "period": period,
        "clerk": make_member(Role.CLERK, department, "Phạm Văn Chuyên Viên"),
        "leader": make_member(Role.LEADER, department, "Vũ Văn Lãnh Đạo"),
        "province_leader": make_member(Role.PROVINCE_LEADER, office, "Đỗ Văn Chủ Tịch"),
    }


def test_a_clerk_enters_a_month_with_a_confirmed_jump_the_leader_approves_and_the_dashboard_shows_it(
    browser_page, monthly_dataset
):
    page = browser_page.page
    period = monthly_dataset["period"]
    entry_url = reverse("indicators:entry", kwargs={"code": "ban-le-thang", "period": period.code})

    # The clerk types the month: the province and two communes as usual, Phú Lạc three times last month.
    sign_in(browser_page, monthly_dataset["clerk"])
    browser_page.goto(entry_url)
    for unit, typed in [("19", "1.100"), ("05443", "11"), ("05500", "21,5"), ("05600", "90")]:
        page.fill(f"#v-retail_sales-{unit}", typed)
    page.click("#btn-submit")
    # The jump is flagged and the report is not sent until the clerk confirms it.
    jump = page.locator("#cell-retail_sales-05600.is-jump")
    jump.wait_for()
    assert page.locator("#submission-state").get_attribute("data-state") != "submitted"
    page.check("#ok-retail_sales-05600")
    page.fill("#note-retail_sales-05600", "Siêu thị mới khai trương trong tháng.")
    with page.expect_navigation():
        page.click("#btn-submit")
    assert page.locator("#submission-state").get_attribute("data-state") == "submitted"

    # The department's leader approves: the figures become values.
    sign_in(browser_page, monthly_dataset["leader"])
    browser_page.goto(entry_url)
    with page.expect_navigation():
        page.click("#btn-approve")
    assert page.locator("#submission-state").get_attribute("data-state") == "approved"

    # The province's leader sees the new month on the chart and on the map.
    sign_in(browser_page, monthly_dataset["province_leader"])
    browser_page.goto(reverse("dashboard:home") + "?bieu-do=retail_sales&ban-do=retail_sales")
    page.wait_for_selector("#chart-panel figure[data-chart-last='1.100']")
    assert page.locator("#chart-panel table").get_by_text("1.100").count() == 1
    page.wait_for_selector(f"#dashboard-map[data-choropleth='retail_sales@{period.code}']")
    assert page.get_attribute("#dashboard-map", "data-choropleth-count") == "3"
    fill = page.evaluate(
        "() => { let f = null; document.getElementById('dashboard-map').leafletMap.eachLayer(l => {"
        " if (l.feature && l.feature.properties.code === '05600') f = l.options.fillColor; }); return f; }"
    )
    assert fill == "#b30000"  # the highest class: Phú Lạc's 90 tỷ đồng
    assert page.locator("#map-panel table").get_by_text("90 tỷ đồng").count() == 1
    assert page.get_by_text("Sơ bộ").first.is_visible()  # approved figures are preliminary
    browser_page.screenshot("dashboard-after-approval")
    # The entry form shows the unconfirmed jump on a normal page (200 with the errors), so the console stays clean.
    assert not browser_page.csp_violations, browser_page.csp_violations
    assert not browser_page.console_errors, browser_page.console_errors
