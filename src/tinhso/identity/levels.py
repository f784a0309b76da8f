"""Assurance levels: the contract between accounts, VNeID brokering and the OpenID Connect provider.

Level 0: self-registered (phone verified); 1: verified (VNeID level 1, or in person by a one-stop-shop clerk);
2: VNeID level 2. A user's stored level says what has been proven about the person; the session records how
the person signed in this time (methods, time, level reached), which is what `acr`, `amr` and `auth_time` report.

Interface (stable; the implementation may change):
- ``user_level(user) -> int``: the account's proven level (0 for anonymous users).
- ``record_authentication(request, method, level=None)``: call after every successful sign-in or step-up;
  ``method`` is an RFC 8176 ``amr`` value (``pwd``, ``otp``, ``mfa``, ``hwk``, ``swk``, ``fed`` for VNeID).
- ``session_level(request) -> int``, ``session_amr(request) -> list[str]``,
  ``session_auth_time(request) -> int | None``.
"""

from __future__ import annotations

import time

LEVEL_SELF_REGISTERED = 0
LEVEL_VERIFIED = 1
LEVEL_VNEID_2 = 2
LEVELS = (LEVEL_SELF_REGISTERED, LEVEL_VERIFIED, LEVEL_VNEID_2)

SESSION_KEY = "identity_auth"


def user_level(user) -> int:
    """Return the account's proven level, stored on its identity profile (0 without one)."""
    if user is None or not getattr(user, "is_authenticated", False) or getattr(user, "pk", None) is None:
        return LEVEL_SELF_REGISTERED
    from tinhso.identity.models import Profile

    try:
        profile = user.identity
    except (Profile.DoesNotExist, AttributeError):
        return LEVEL_SELF_REGISTERED
    if not user.is_active:
        return LEVEL_SELF_REGISTERED
    return int(profile.assurance_level or LEVEL_SELF_REGISTERED)


def record_authentication(request, method: str, level: int | None = None) -> None:
    """Note in the session that the user just proved ``method``; ``level`` is what this sign-in proved.

    The session key is renewed here too, so a step-up (a second factor, VNeID) never keeps a key an attacker
    may have fixed before it (ASVS 7.2.4); Django's login() already renews it at sign-in.
    """
    if hasattr(request.session, "cycle_key") and request.session.session_key:
        request.session.cycle_key()
    state = dict(request.session.get(SESSION_KEY) or {})
    amr = [m for m in state.get("amr", []) if m != method] + [method]
    state["amr"] = amr
    state["auth_time"] = int(time.time())
    if level is not None:
        state["level"] = max(int(level), int(state.get("level", LEVEL_SELF_REGISTERED)))
    request.session[SESSION_KEY] = state


def session_level(request) -> int:
    """The level this session proves: the account's level, capped by what this sign-in showed, if recorded."""
    stored = user_level(getattr(request, "user", None))
    state = request.session.get(SESSION_KEY) or {}
    return min(stored, int(state.get("level", stored)))


def session_amr(request) -> list[str]:
    return list((request.session.get(SESSION_KEY) or {}).get("amr", []))


def session_auth_time(request) -> int | None:
    value = (request.session.get(SESSION_KEY) or {}).get("auth_time")
    return int(value) if value is not None else None


# --- The level each service requires ----------------------------------------------------------

#: service key → the level it requires; modules register theirs in AppConfig.ready() (an administrator's policy
#: could later override these from data).
SERVICE_LEVELS: dict[str, int] = {}


def register_service_level(key: str, level: int) -> None:
    """Declare that the service `key` needs an account of at least `level` (0, 1 or 2)."""
    if level not in LEVELS:
        raise ValueError(f"Unknown assurance level {level!r}.")
    SERVICE_LEVELS[key] = level


def required_level(key: str) -> int:
    return SERVICE_LEVELS.get(key, LEVEL_SELF_REGISTERED)


def require_level(level_or_service):
    """View decorator: sign in first, then lead a user below the level to the page explaining how to raise it.

    Takes a level (0, 1, 2) or a service key registered with `register_service_level`.
    """
    from functools import wraps
    from urllib.parse import urlencode

    from django.contrib.auth.views import redirect_to_login
    from django.shortcuts import redirect
    from django.urls import reverse

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            needed = required_level(level_or_service) if isinstance(level_or_service, str) else int(level_or_service)
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if user_level(request.user) < needed:
                query = urlencode({"can": needed, "next": request.get_full_path()})
                return redirect(f"{reverse('identity:raise_level')}?{query}")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
