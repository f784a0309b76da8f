"""End-to-end flows in headless Chromium: the home page, the language switch, the admin, the map."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tinhso.core.testing import make_agency, make_unit, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def units():
    return [
        make_unit("05809", "Xã An Khánh", lon=105.70, lat=21.60),
        make_unit("05812", "Xã Bình Yên", lon=105.75, lat=21.60),
        make_unit("05443", "Phường Phan Đình Phùng", lon=105.70, lat=21.65, kind="phuong"),
    ]


def test_home_page_is_vietnamese_with_a_skip_link_and_module_cards(browser_page):
    page = browser_page.page
    browser_page.goto("/")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Bỏ qua, đến nội dung chính"
    assert page.locator(".skip-link").is_visible()
    assert page.locator(".module-card").count() >= 8
    assert page.get_by_role("link", name="Bản đồ số").is_visible()
    browser_page.screenshot("home")
    browser_page.assert_clean()


def test_language_switches_to_english_and_back(browser_page):
    page = browser_page.page
    browser_page.goto("/")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.get_by_role("link", name="Skip to main content").count() == 1
    assert page.get_by_role("link", name="Digital map").is_visible()
    browser_page.screenshot("home-en")
    page.get_by_role("button", name="Tiếng Việt").click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    assert page.get_by_role("link", name="Bản đồ số").is_visible()
    browser_page.assert_clean()


def test_staff_signs_in_and_reaches_the_unit_list_in_the_admin(browser_page, units):
    make_agency("UBND-05809", "Ủy ban nhân dân xã An Khánh", unit=units[0])
    staff = make_user("Quản Trị Viên", phone="0912000999", is_staff=True, is_superuser=True)
    page = browser_page.page
    browser_page.goto(reverse("login"))
    page.get_by_label("Số điện thoại").fill(staff.phone)
    page.get_by_label("Mật khẩu").fill("mat-khau-thu-nghiem-1")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(browser_page.base_url + "/")
    page.get_by_role("link", name="Quản trị", exact=True).click()
    page.get_by_role("link", name="Đơn vị hành chính").first.click()
    page.wait_for_url("**/quan-tri/core/adminunit/")
    expect(page.locator("#result_list tbody tr")).to_have_count(3)
    page.locator("#searchbar").fill("an khanh")
    page.locator("#searchbar").press("Enter")
    page.wait_for_url("**/quan-tri/core/adminunit/?q=an+khanh")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#result_list")).to_contain_text("Xã An Khánh")
    browser_page.screenshot("admin-units")


def test_map_draws_every_unit_and_names_the_one_clicked(browser_page, units):
    page = browser_page.page
    browser_page.goto(reverse("map"))
    page.wait_for_selector("#province-map[data-map-units]")
    paths = page.locator("#province-map path.leaflet-interactive")
    assert paths.count() == len(units)
    # The first unit's square is the south-west one; click inside it through the map's own projection.
    point = page.evaluate(
        "() => { const m = document.getElementById('province-map').leafletMap;"
        " const p = m.latLngToContainerPoint([21.625, 105.725]); return [p.x, p.y]; }"
    )
    page.locator("#province-map").click(position={"x": point[0], "y": point[1]})
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "Xã An Khánh" in popup.inner_text()
    assert "05809" in popup.inner_text()
    browser_page.screenshot("map")
    browser_page.assert_clean()


def test_map_fits_a_phone_screen(browser_page, units):
    page = browser_page.page
    page.set_viewport_size({"width": 390, "height": 844})
    browser_page.goto(reverse("map"))
    page.wait_for_selector("#province-map[data-map-units]")
    box = page.locator("#province-map").bounding_box()
    assert box["width"] <= 390
    assert box["height"] >= 300
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("#province-map path.leaflet-interactive").count() == len(units)
    browser_page.screenshot("map-phone")
    browser_page.assert_clean()


def test_api_docs_load_from_the_package_without_csp_errors(browser_page):
    page = browser_page.page
    browser_page.goto(reverse("api-docs"))
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    assert page.locator(".swagger-ui .opblock").count() >= 3
    browser_page.assert_clean()
