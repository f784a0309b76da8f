"""Named personas every app's tests use (see STYLE.md: test personas)."""

import pytest

from tinhso.core.models import Agency, Role
from tinhso.core.testing import make_agency, make_member, make_user


@pytest.fixture(autouse=True)
def _empty_cache():
    # Rate-limit counters and cached pages live in the cache; one test's calls must not throttle the next.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2/PBKDF2 cost is the point in production and only slows the personas down in tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def agency(db) -> Agency:
    return make_agency("SXD", "Sở Xây dựng")


@pytest.fixture
def other_agency(db) -> Agency:
    return make_agency("SYT", "Sở Y tế")


@pytest.fixture
def citizen(db):
    return make_user("Trần Thị Bình", phone="0912345678")


@pytest.fixture
def operator(db):
    centre = make_agency("TD1022", "Tổng đài 1022", kind=Agency.Kind.SUB_UNIT)
    return make_member(Role.OPERATOR, centre, "Lê Thị Điện Thoại Viên")


@pytest.fixture
def clerk(agency):
    return make_member(Role.CLERK, agency, "Phạm Văn Chuyên Viên")


@pytest.fixture
def clerk_elsewhere(other_agency):
    return make_member(Role.CLERK, other_agency, "Hoàng Thị Nơi Khác")


@pytest.fixture
def leader(agency):
    return make_member(Role.LEADER, agency, "Vũ Văn Lãnh Đạo")


@pytest.fixture
def admin_user(db):
    return make_user("Quản Trị Viên", is_staff=True, is_superuser=True)


@pytest.fixture(scope="module")
def _demo_units_in_module(django_db_setup, django_db_blocker):
    # Loaded once per test module inside a transaction rolled back at the module's end (each test runs in a
    # savepoint within it), so the units and the load's audit entry never leak into other modules' tests.
    from django.db import transaction

    from tinhso.core.units import load_demo_units, units_changed

    with django_db_blocker.unblock():
        with transaction.atomic():
            load_demo_units()
            yield
            transaction.set_rollback(True)
        units_changed()


@pytest.fixture
def demo_units(_demo_units_in_module, db):
    """Thái Nguyên's 92 communes with boundaries, and the former units before 1 July 2025."""
    from tinhso.core.units import units_changed

    units_changed()  # drop spatial and address indexes that may hold another test's rolled-back units


@pytest.fixture(autouse=True)
def _fresh_working_calendar():
    # A test's rolled-back CalendarDay/OfficeHours rows send no signal; start every test with an empty cache.
    from tinhso.core.calendar import clear_cache

    clear_cache()


@pytest.fixture(autouse=True)
def _fake_gateways():
    """Start and end every test with empty fake SMS and Zalo outboxes that do not fail."""
    from tinhso.core.channels import FakeSmsGateway, FakeZaloGateway

    FakeSmsGateway.reset()
    FakeZaloGateway.reset()
    yield
    FakeSmsGateway.reset()
    FakeZaloGateway.reset()
