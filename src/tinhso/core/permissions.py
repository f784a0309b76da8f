"""Who may do what, where: the one permission module every view and API uses.

A user with no active membership is a citizen. A membership gives a role inside
one agency. Leaders act in their agency and the units below it; clerks,
operators and commune officials only in their own agency; province leaders and
administrators everywhere. An object another agency shared with yours (a case
transferred for coordination, say) is in reach too.

Only an active person holds roles: an inactive account, or a machine client
calling the API with its key (`core.api.ClientPrincipal`), holds none here.
"""

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Protocol

from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from tinhso.core.models import Agency, Membership, Role

STAFF_ROLES = frozenset(r for r in Role.values if r != Role.CITIZEN)
PROVINCE_WIDE_ROLES = frozenset({Role.PROVINCE_LEADER, Role.ADMIN})
SUBTREE_ROLES = frozenset({Role.LEADER})


class AgencyOwned(Protocol):
    """What `can_act_on` needs of an object: its agency, and optionally the agencies it is shared with."""

    agency_id: int | None

    def shared_agency_ids(self) -> Iterable[int]: ...


def _is_person(user) -> bool:
    # Machine clients authenticate too, but are not users: querying memberships with one would crash.
    return getattr(user, "is_authenticated", False) and isinstance(user, get_user_model()) and user.is_active


def memberships(user) -> list[Membership]:
    """Return the user's active memberships in active agencies (cached on the user object for the request)."""
    if not _is_person(user):
        return []
    cached = getattr(user, "_tinhso_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user, is_active=True, agency__is_active=True).select_related("agency")
        )
        user._tinhso_memberships = cached
    return cached


def roles(user) -> set[str]:
    """Return every role the user holds anywhere; a signed-in person without a membership is a citizen."""
    if not _is_person(user):
        return set()
    held = {m.role for m in memberships(user)}
    if user.is_superuser:
        held.add(Role.ADMIN)
    return held or {Role.CITIZEN}


def is_staff_member(user) -> bool:
    return bool(roles(user) & STAFF_ROLES)


def is_province_wide(user, wanted: Iterable[str] | None = None) -> bool:
    held = roles(user) & PROVINCE_WIDE_ROLES
    return bool(held if wanted is None else held & set(wanted))


def agency_ids_for(user, *wanted: str) -> set[int] | None:
    """Return the ids of agencies where the user holds one of `wanted` roles; None means all of them."""
    wanted_set = set(wanted or STAFF_ROLES)
    if is_province_wide(user):
        return None
    ids: set[int] = set()
    for m in memberships(user):
        if m.role not in wanted_set:
            continue
        if m.role in SUBTREE_ROLES:
            # Inactive units below stay in reach: their leader must still be able to hand their cases on.
            ids |= m.agency.descendant_ids()
        else:
            ids.add(m.agency_id)
    return ids


def agencies_for(user, *wanted: str):
    """Return the agencies the user may act in with one of `wanted` roles."""
    ids = agency_ids_for(user, *wanted)
    return Agency.objects.all() if ids is None else Agency.objects.filter(pk__in=ids)


def can_act_in(user, agency: Agency | int | None, *wanted: str) -> bool:
    if agency is None:
        return is_province_wide(user)
    ids = agency_ids_for(user, *wanted)
    agency_id = agency if isinstance(agency, int) else agency.pk
    return ids is None or agency_id in ids


def can_act_on(user, obj: AgencyOwned, *wanted: str) -> bool:
    """Return whether the user may act on an object owned by an agency, or shared with theirs."""
    ids = agency_ids_for(user, *wanted)
    if ids is None:
        return True
    if obj.agency_id in ids:
        return True
    shared = getattr(obj, "shared_agency_ids", None)
    return bool(shared and ids.intersection(shared()))


def role_required(*wanted: str) -> Callable:
    """Decorate a view: sign-in required, and one of `wanted` roles somewhere (any staff role if none)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            held = roles(request.user)
            if not held & set(wanted or STAFF_ROLES) and not held & PROVINCE_WIDE_ROLES:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def HasRole(*wanted: str) -> type[BasePermission]:
    """Return a DRF permission class: one of `wanted` roles, and for an agency's object, the right to act on it."""

    class _HasRole(BasePermission):
        def has_permission(self, request, view) -> bool:
            held = roles(request.user)
            return bool(held & set(wanted or STAFF_ROLES) or held & PROVINCE_WIDE_ROLES)

        def has_object_permission(self, request, view, obj) -> bool:
            # Without this, DRF admits every object once the role check passed: a clerk
            # could open another agency's case by its id.
            if not hasattr(obj, "agency_id"):
                return True
            return can_act_on(request.user, obj, *wanted)

    _HasRole.__name__ = f"HasRole({', '.join(wanted)})"
    return _HasRole
