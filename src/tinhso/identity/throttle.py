"""Attempt counters in the cache, one namespace per kind of secret.

Wrong one-time SMS codes and code requests count here; wrong passwords count in allauth's own `login_failed`
limit. Keeping them apart means a flood of one never locks the owner out of the other (ASVS 6.3.1; Keycloak #46164).
"""

from django.core.cache import cache

#: namespace → (attempts, window in seconds)
LIMITS = {
    "code_send_phone": (3, 600),  # codes sent to one number in 10 minutes
    "code_send_ip": (20, 3600),  # codes requested from one IP address in an hour
    "code_check_phone": (10, 900),  # wrong codes typed for one number in 15 minutes
    "code_check_ip": (50, 900),
}


def _key(namespace: str, value: str) -> str:
    return f"identity:throttle:{namespace}:{value}"


def is_blocked(namespace: str, value: str) -> bool:
    limit, _window = LIMITS[namespace]
    return (cache.get(_key(namespace, value)) or 0) >= limit


def hit(namespace: str, value: str) -> bool:
    """Count one attempt; return False when the limit is already reached (the attempt must be refused)."""
    limit, window = LIMITS[namespace]
    key = _key(namespace, value)
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        count = 1
    return count <= limit


def clear(namespace: str, value: str) -> None:
    cache.delete(_key(namespace, value))
