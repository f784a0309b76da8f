"""Save the documentation screenshots from a running demo (`tinhso load_demo`, DEBUG=1) into docs/screenshots/.

    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000
    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000 --out /tmp/shots
    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000 --pages feedback

Uses Debian's Chromium (/usr/bin/chromium) through Playwright and the demo accounts (docs/demo-accounts.md).
The core pages (the default) are only read, so they can be taken from any demo without changing it. The 1022
pages (`--pages feedback`) need cases: the demo citizen files a report, the operator a call, and the clerk of
Sở Xây dựng accepts and answers the report, so every run adds two cases to the demo.
"""

import argparse
import io
import re
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_ADMIN_PHONE = "0900000001"
DEMO_OPERATOR_PHONE = "0900000003"
DEMO_CLERK_PHONE = "0900000004"  # Sở Xây dựng, which answers road reports (feedback/data/categories.csv)
DEMO_CITIZEN_PHONE = "0900000008"
DEMO_PASSWORD = "tinhso-demo-2025"  # noqa: S105 - the published demo password (docs/demo-accounts.md)
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# The admin's lists have many columns (foreign keys never wrap); a wider window keeps names on one line.
ADMIN = {"width": 1440, "height": 900}
CURRENT_COMMUNES = "/quan-tri/core/adminunit/?level__exact=commune&valid_to__isempty=1"
# A point in Phường Phan Đình Phùng (the old Thái Nguyên city centre), for the popup on the map.
PHAN_DINH_PHUNG = (21.594, 105.843)
ADMIN_HEIGHT = 1200
# The 1022 phone pages are long forms: two screens' worth shows them whole enough.
PHONE_PAGE_HEIGHT = 1700
OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"


def open_context(playwright, profile: Path, viewport: dict, *, mobile: bool = False):
    """Return a fresh Chromium context with Vietnamese locale and the province's time zone."""
    return playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=CHROMIUM,
        args=CHROMIUM_ARGS,
        headless=True,
        viewport=viewport,
        device_scale_factor=1,
        is_mobile=mobile,
        has_touch=mobile,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
    )


def open_page(page, base: str, path: str, *, wait_for: str | None = None) -> None:
    """Open path and wait for the page (and wait_for, when given) to settle; stop on any status but 200."""
    response = page.goto(base + path, wait_until="networkidle")
    if response is None or response.status != 200:
        sys.exit(f"{path}: HTTP {response.status if response else '?'}")
    if wait_for:
        page.wait_for_selector(wait_for)


def save(page, out: Path, name: str, *, height: int | None = None) -> None:
    """Save the viewport as out/<name>.png, or the top `height` pixels of the whole page when given."""
    path = out / f"{name}.png"
    if height:
        width = page.viewport_size["width"]
        page.screenshot(path=str(path), full_page=True, clip={"x": 0, "y": 0, "width": width, "height": height})
    else:
        page.screenshot(path=str(path))
    print(f"{name}.png  {page.url}")


def shoot(page, base: str, path: str, out: Path, name: str, *, wait_for: str | None = None, height=None) -> None:
    """Open path and save it as out/<name>.png."""
    open_page(page, base, path, wait_for=wait_for)
    save(page, out, name, height=height)


def open_unit_popup(page, lat: float, lon: float) -> None:
    """Click the map at (lat, lon), through the map's own projection, so the unit's popup shows."""
    x, y = page.evaluate(
        "([lat, lon]) => { const m = document.getElementById('province-map').leafletMap;"
        " const p = m.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
        [lat, lon],
    )
    page.locator("#province-map").click(position={"x": x, "y": y})
    page.wait_for_selector(".leaflet-popup-content")
    # Move off the map so the hover tooltip goes, and let the popup finish fading in.
    page.mouse.move(0, 0)
    page.wait_for_function("() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'")


def sign_in(page, base: str, phone: str = DEMO_ADMIN_PHONE) -> None:
    """Sign in as a demo account (the administrator unless told) through the ordinary login form."""
    page.context.clear_cookies()
    page.goto(base + "/dang-nhap/", wait_until="load")
    page.fill("#id_username", phone)
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("form:has(#id_username) [type=submit]").click()
    if "/dang-nhap/" in page.url:
        sys.exit("Sign-in failed: is this a demo loaded with DEBUG=1 (tinhso load_demo)?")


def road_photo() -> bytes:
    """Return a small JPEG of a pothole on grey asphalt, drawn here so the demo needs no photo file."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 480), (118, 118, 112))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 640, 150), fill=(170, 200, 225))
    draw.line((320, 150, 320, 480), fill=(235, 235, 220), width=8)
    draw.ellipse((150, 280, 420, 400), fill=(58, 52, 46), outline=(90, 84, 76), width=6)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def centre_map_on(page, map_id: str, lat: float, lon: float, zoom: int) -> None:
    """Zoom a Leaflet map (once its boundaries are drawn) on a point, without animation."""
    page.wait_for_selector(f"#{map_id}[data-map-units]")
    page.evaluate(
        "([id, lat, lon, zoom]) => document.getElementById(id).leafletMap.setView([lat, lon], zoom, {animate: false})",
        [map_id, lat, lon, zoom],
    )


def click_map(page, map_id: str, lat: float, lon: float) -> None:
    """Click a Leaflet map at (lat, lon) through its own projection, then move the mouse off it."""
    x, y = page.evaluate(
        "([id, lat, lon]) => { const p = document.getElementById(id).leafletMap.latLngToContainerPoint([lat, lon]);"
        " return [p.x, p.y]; }",
        [map_id, lat, lon],
    )
    page.locator(f"#{map_id}").click(position={"x": x, "y": y})
    page.mouse.move(0, 0)


def submit_and_wait(page, button) -> None:
    with page.expect_navigation(wait_until="networkidle"):
        button.click()


def feedback_pages(playwright, tmp: Path, base: str, out: Path) -> None:
    """Take the 1022 module through one case (citizen, operator, clerk, citizen) and save its pages."""
    lat, lon = PHAN_DINH_PHUNG
    phone = open_context(playwright, tmp / "feedback-phone", PHONE, mobile=True)
    page = phone.pages[0] if phone.pages else phone.new_page()
    page.set_default_timeout(20_000)
    sign_in(page, base, DEMO_CITIZEN_PHONE)
    open_page(page, base, "/phan-anh/gui/", wait_for="#report-map[data-map-units]")
    page.select_option("#id_category", "giao-thong")
    page.fill(
        "#id_description", "Ổ gà lớn giữa đường Hoàng Văn Thụ, gần ngã tư Đồng Quang; xe máy dễ ngã khi trời mưa."
    )
    page.fill("#id_address", "Đường Hoàng Văn Thụ, phường Phan Đình Phùng")
    centre_map_on(page, "report-map", lat, lon, 13)
    click_map(page, "report-map", lat, lon)
    page.set_input_files("#id_photos", {"name": "o-ga.jpg", "mimeType": "image/jpeg", "buffer": road_photo()})
    save(page, out, "feedback-submit-phone", height=PHONE_PAGE_HEIGHT)
    submit_and_wait(page, page.locator("#report-form button[type=submit]"))
    code = page.locator("#report-code").inner_text().strip()
    save(page, out, "feedback-submitted-phone")

    desktop = open_context(playwright, tmp / "feedback-desktop", DESKTOP)
    page = desktop.pages[0] if desktop.pages else desktop.new_page()
    page.set_default_timeout(20_000)
    sign_in(page, base, DEMO_OPERATOR_PHONE)
    open_page(page, base, "/phan-anh/tong-dai/", wait_for="#operator-map[data-map-units]")
    # The caller is the citizen above: the console lists the case they filed on the web as the number is typed.
    page.fill("#id_reporter_phone", DEMO_CITIZEN_PHONE)
    page.wait_for_selector("#caller-cases a")
    page.fill("#id_reporter_name", "Bùi Văn Dân")
    page.select_option("#id_category", label="Thiên tai – cứu hộ (khẩn cấp)")
    page.fill("#id_description", "Cây xà cừ đổ chắn ngang đường Quang Trung sau giông, xe không qua được.")
    page.fill("#id_address", "Đường Quang Trung, phường Phan Đình Phùng")
    page.check("#id_urgent")
    save(page, out, "feedback-operator", height=ADMIN_HEIGHT)
    submit_and_wait(page, page.locator("form.operator-form button[type=submit]"))
    if not page.locator(".message-success").count():
        sys.exit("The operator console did not record the call.")

    sign_in(page, base, DEMO_CLERK_PHONE)
    open_page(page, base, "/phan-anh/xu-ly/", wait_for="table.inbox")
    save(page, out, "feedback-inbox")
    open_page(page, base, f"/phan-anh/xu-ly/{code}/")
    page.click("#tiep-nhan summary")
    submit_and_wait(page, page.locator("#tiep-nhan").get_by_role("button", name="Tiếp nhận", exact=True))
    page.click("#tra-loi summary")
    page.fill(
        "#tra-loi textarea[name=answer]",
        "Sở Xây dựng đã kiểm tra hiện trường và cho vá ổ gà trên đường Hoàng Văn Thụ trong ngày. "
        "Cảm ơn ông/bà đã phản ánh.",
    )
    page.wait_for_selector("#case-map path.leaflet-interactive")
    save(page, out, "feedback-case", height=ADMIN_HEIGHT)
    submit_and_wait(page, page.locator("#tra-loi").get_by_role("button", name="Trả lời", exact=True))
    if not re.search("Đã trả lời", page.locator(".case-status").inner_text()):
        sys.exit(f"{code} was not answered.")
    desktop.close()

    page = phone.pages[0]
    open_page(page, base, f"/phan-anh/tra-cuu/{code}/")
    save(page, out, "feedback-track-phone", height=PHONE_PAGE_HEIGHT)
    phone.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="base URL of the running demo, e.g. http://127.0.0.1:8000")
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder for the PNGs (default {OUT})")
    parser.add_argument(
        "--pages",
        choices=["core", "feedback", "all"],
        default="core",
        help="which pages: core (read only, the default), feedback (files cases in the demo) or all",
    )
    args = parser.parse_args()
    base = args.url.rstrip("/")
    args.out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        if args.pages in ("feedback", "all"):
            feedback_pages(playwright, Path(tmp), base, args.out)
        if args.pages == "feedback":
            return
        phone = open_context(playwright, Path(tmp) / "phone", PHONE, mobile=True)
        page = phone.pages[0] if phone.pages else phone.new_page()
        shoot(page, base, "/", args.out, "home-phone")
        shoot(page, base, "/ban-do/", args.out, "map-phone", wait_for="#province-map path.leaflet-interactive")
        phone.close()

        desktop = open_context(playwright, Path(tmp) / "desktop", DESKTOP)
        page = desktop.pages[0] if desktop.pages else desktop.new_page()
        page.set_default_timeout(20_000)
        shoot(page, base, "/", args.out, "home")
        open_page(page, base, "/ban-do/", wait_for="#province-map path.leaflet-interactive")
        open_unit_popup(page, *PHAN_DINH_PHUNG)
        save(page, args.out, "map")
        sign_in(page, base)
        page.set_viewport_size(ADMIN)
        open_page(page, base, "/quan-tri/", wait_for="#content-main")
        save(page, args.out, "admin-index")
        # The admin remembers a collapsed navigation sidebar in localStorage; the lists then get the full width.
        open_page(page, base, CURRENT_COMMUNES, wait_for="#result_list")
        page.click("#toggle-nav-sidebar")
        save(page, args.out, "admin-units", height=ADMIN_HEIGHT)
        shoot(
            page,
            base,
            "/quan-tri/core/agency/",
            args.out,
            "admin-agencies",
            wait_for="#result_list",
            height=ADMIN_HEIGHT,
        )
        shoot(page, base, "/quan-tri/core/auditentry/", args.out, "admin-audit", wait_for="#result_list")
        shoot(page, base, "/api/docs/", args.out, "api-docs")
        desktop.close()


if __name__ == "__main__":
    main()
