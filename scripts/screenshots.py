"""Save the documentation screenshots from a running demo (`tinhso load_demo`, DEBUG=1) into docs/screenshots/.

    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000
    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000 --out /tmp/shots

Uses Debian's Chromium (/usr/bin/chromium) through Playwright, signs in as the demo administrator
(docs/demo-accounts.md) and only reads pages, so it can run against any demo without changing it.
"""

import argparse
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
DEMO_PASSWORD = "tinhso-demo-2025"  # noqa: S105 - the published demo password (docs/demo-accounts.md)
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# The admin's lists have many columns (foreign keys never wrap); a wider window keeps names on one line.
ADMIN = {"width": 1440, "height": 900}
CURRENT_COMMUNES = "/quan-tri/core/adminunit/?level__exact=commune&valid_to__isempty=1"
# A point in Phường Phan Đình Phùng (the old Thái Nguyên city centre), for the popup on the map.
PHAN_DINH_PHUNG = (21.594, 105.843)
ADMIN_HEIGHT = 1200
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


def sign_in(page, base: str) -> None:
    """Sign in as the demo administrator through the ordinary login form."""
    page.goto(base + "/dang-nhap/", wait_until="load")
    page.fill("#id_username", DEMO_ADMIN_PHONE)
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("form:has(#id_username) [type=submit]").click()
    if "/dang-nhap/" in page.url:
        sys.exit("Sign-in failed: is this a demo loaded with DEBUG=1 (tinhso load_demo)?")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="base URL of the running demo, e.g. http://127.0.0.1:8000")
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder for the PNGs (default {OUT})")
    args = parser.parse_args()
    base = args.url.rstrip("/")
    args.out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
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
