"""The core's browser fixtures (Debian's Chromium through Playwright on the live server), reused here."""

from tinhso.core.tests.e2e.conftest import browser_page  # noqa: F401
