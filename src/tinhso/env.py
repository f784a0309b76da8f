"""Typed readers for deployment settings taken from environment variables.

Each helper raises ImproperlyConfigured on a malformed value, so a typo in a
deployment stops the process at start-up instead of running with a guess.
"""

import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    return None if value is None else value.strip()


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    """Return the variable as text; raise if required and missing or empty."""
    value = _raw(name)
    if value in (None, ""):
        if required:
            raise ImproperlyConfigured(f"Environment variable {name} is required (see .env.example).")
        return default
    return value


def env_bool(name: str, default: bool = False) -> bool:
    """Return the variable as a boolean (1/0, true/false, yes/no, on/off)."""
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false).")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    """Return the variable as an integer, optionally bounded below."""
    value = _raw(name)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below the minimum {minimum}.")
    return number


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """Return a comma-separated variable as a list of non-empty items; an item with a space inside is refused."""
    value = _raw(name)
    if value is None:
        return list(default or [])
    items = [item.strip() for item in value.split(",") if item.strip()]
    # "a.gov.vn b.gov.vn" is a list written with spaces; taking it as one host would fail much later.
    for item in items:
        if any(char.isspace() for char in item):
            raise ImproperlyConfigured(f"{name}={value!r}: separate the items with commas, not spaces.")
    return items


def env_url(name: str, default: str | None = None, *, schemes: tuple[str, ...]) -> str | None:
    """Return the variable as a URL whose scheme is one of `schemes`."""
    value = env_str(name, default)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in schemes:
        allowed = ", ".join(schemes)
        raise ImproperlyConfigured(f"{name} must be a URL with scheme {allowed}; got {value!r}.")
    if parts.scheme not in ("sqlite", "file") and not parts.hostname and not parts.path:
        raise ImproperlyConfigured(f"{name}={value!r} names no host.")
    return value
