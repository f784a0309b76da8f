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


__all__ = ["Role", "make_agency", "make_member", "make_user"]
