"""Browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live server."""

import os
from pathlib import Path

import pytest

from tinhso.core.testing import skip_or_fail

CHROMIUM = Path("/usr/bin/chromium")
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
# Test-data screenshots stay out of the docs: docs/screenshots/ comes from the demo (scripts/screenshots.py).
SCREENSHOT_DIR = Path(__file__).resolve().parents[5] / "var" / "screenshots"


class BrowserPage:
    """A page of the live site that remembers console errors and CSP violations."""

    def __init__(self, page, base_url: str):
        self.page = page
        self.base_url = base_url
        self.console_errors: list[str] = []
        self.csp_violations: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console_errors.append(f"pageerror: {error}"))

    def _on_console(self, message) -> None:
        if message.type != "error":
            return
        self.console_errors.append(message.text)
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.csp_violations.append(message.text)

    def goto(self, path: str):
        return self.page.goto(self.base_url + path, wait_until="load")

    def screenshot(self, name: str) -> None:
        """Save var/screenshots/<name>.png when SCREENSHOTS=1, to look at what a test saw."""
        if os.environ.get("SCREENSHOTS") == "1":
            SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"))

    def assert_clean(self) -> None:
        assert not self.csp_violations, self.csp_violations
        assert not self.console_errors, self.console_errors


@pytest.fixture
def browser_page(live_server, tmp_path, monkeypatch):
    """Return a page of a fresh headless Chromium (own profile, no cookies) on the live server."""
    if not CHROMIUM.exists():
        skip_or_fail(
            "!!! BROWSER TESTS SKIPPED: /usr/bin/chromium is missing "
            "(run scripts/ensure-chromium as root, or apt-get install chromium)."
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread, and Django then refuses ORM calls from the
    # test body. The browser lives only for this test, so the loop never outlives it.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1280, "height": 800},
            locale="vi-VN",
            timezone_id="Asia/Ho_Chi_Minh",
        )
        page = context.pages[0] if context.pages else context.new_page()
        page.set_default_timeout(15_000)
        try:
            yield BrowserPage(page, live_server.url)
        finally:
            context.close()
