"""The operations dashboard in headless Chromium: charts drawn with Vietnamese numbers, the map coloured."""

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
