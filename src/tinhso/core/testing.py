"""Test helpers shared by every app's tests: factories of agencies and personas."""

import itertools

from tinhso.core.models import Agency, Membership, Role, User

_phones = itertools.count(912000001)


def make_agency(code: str, name: str | None = None, *, kind=Agency.Kind.DEPARTMENT, parent=None, unit=None) -> Agency:
    return Agency.objects.create(code=code, name=name or f"Cơ quan {code}", kind=kind, parent=parent, unit=unit)


def make_user(
    full_name: str = "Nguyễn Văn An",
    *,
    phone: str | None = None,
    password: str = "mat-khau-thu-nghiem-1",  # noqa: S107 - test accounts only
    **fields,
) -> User:
    return User.objects.create_user(phone or f"0{next(_phones)}", password, full_name=full_name, **fields)


def make_member(role: str, agency: Agency, full_name: str = "Cán bộ thử nghiệm", **fields) -> User:
    user = make_user(full_name, **fields)
    Membership.objects.create(user=user, agency=agency, role=role)
    return user


def run_queued_tasks(queue: str = "*") -> None:
    """Run every queued database task, as `tinhso db_worker --batch` would, inside the test's transaction."""
    import signal
    from unittest import mock

    from django.core.management import call_command

    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    # The worker drops "stale" connections between tasks; inside a test transaction that would be the test's own.
    keep_connection = mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections")
    try:
        with keep_connection:
            call_command(
                "db_worker", "--batch", "--no-startup-delay", "--no-reload", "--queue-name", queue, verbosity=0
            )
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def make_unit(code: str, name: str, *, lon: float, lat: float, size: float = 0.05, kind: str = "xa", **fields):
    """Create a current commune whose boundary is a `size`-degree square with its south-west corner at lon, lat."""
    from tinhso.core.models import AdminUnit

    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    unit = AdminUnit.objects.create(
        code=code,
        name=name,
        short_name=name.split(" ", 1)[-1],
        level=AdminUnit.Level.COMMUNE,
        kind=kind,
        boundary={"type": "Polygon", "coordinates": [ring]},
        min_lon=lon,
        min_lat=lat,
        max_lon=lon + size,
        max_lat=lat + size,
        centroid_lon=lon + size / 2,
        centroid_lat=lat + size / 2,
        **fields,
    )
    from tinhso.core.units import units_changed

    units_changed()  # the unit caches (spatial index, map GeoJSON) must see the new unit
    return unit


__all__ = ["Role", "make_agency", "make_member", "make_unit", "make_user", "run_queued_tasks"]


def skip_or_fail(reason: str) -> None:
    """Skip a test whose service or tool is missing; in CI (TINHSO_REQUIRE_SERVICES=1) fail instead."""
    import os

    import pytest

    if os.environ.get("TINHSO_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (required: TINHSO_REQUIRE_SERVICES=1)")
    pytest.skip(reason)
