"""Encryption at rest of identity data (the personal ID number), with key rotation.

`IDENTITY_FIELD_KEYS` lists Fernet keys, newest first: values are encrypted with the first and decrypted with any,
so a new key is put in front, `tinhso rotate_identity_keys` re-encrypts every row, and the old key is then dropped.
`IDENTITY_LOOKUP_KEY` keys the HMAC that lets us find an account by ID number without decrypting every row; it
must not change once rows exist. Without them (development, tests) both derive from SECRET_KEY.
"""

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class DecryptionFailed(Exception):
    """No configured key opens the stored value (a key was removed before rotation finished)."""


def _derived(purpose: str) -> bytes:
    return hashlib.sha256(f"tinhso.identity.{purpose}:{settings.SECRET_KEY}".encode()).digest()


def _fernet() -> MultiFernet:
    keys = list(getattr(settings, "IDENTITY_FIELD_KEYS", None) or [])
    if not keys:
        keys = [base64.urlsafe_b64encode(_derived("field-key")).decode()]
    return MultiFernet([Fernet(key.encode() if isinstance(key, str) else key) for key in keys])


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise DecryptionFailed("No identity key opens this value.") from error


def rotate(token: str) -> str:
    """Return the value re-encrypted with the newest key."""
    return _fernet().rotate(token.encode()).decode() if token else ""


def lookup_digest(value: str) -> str:
    """Return a keyed digest to find equal values without storing them in clear."""
    key = getattr(settings, "IDENTITY_LOOKUP_KEY", "") or ""
    secret = key.encode() if key else _derived("lookup-key")
    return hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()
