from tinhso.core.tests.e2e.conftest import browser_page  # noqa: F401 - the shared Chromium fixture
