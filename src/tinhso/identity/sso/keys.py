"""The RSA keys that sign id_tokens: one active key and older keys still published in the JWKS for rotation.

Read by settings.py at start-up (no Django models here). Production gives the keys by environment variables
(`OIDC_RSA_PRIVATE_KEY_FILE`, `OIDC_RSA_PRIVATE_KEYS_INACTIVE_FILES`); without one, a key is generated once into
the data directory, which suits the demo, the tests and a single server, and `tinhso oidc_key` makes one to keep.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import ImproperlyConfigured


def generate_pem(bits: int = 2048) -> str:
    """Return a new RSA private key in PKCS#8 PEM form."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def read_pem(path: str | Path) -> str:
    try:
        text = Path(path).read_text()
    except OSError as error:
        raise ImproperlyConfigured(f"Cannot read the OpenID Connect signing key {path}: {error}") from None
    if "PRIVATE KEY" not in text:
        raise ImproperlyConfigured(f"{path} is not a PEM private key.")
    return text


def dev_key(data_dir: Path) -> str:
    """Return the key kept in `<data_dir>/oidc/signing-key.pem`, creating it (mode 0600) on first need."""
    path = Path(data_dir) / "oidc" / "signing-key.pem"
    if path.exists():
        return read_pem(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(generate_pem())
    try:
        # Two processes starting together: the first link wins and both read the same key.
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink(missing_ok=True)
    return read_pem(path)


def signing_keys(*, active_pem: str, active_file: str, inactive_files: list[str], data_dir: Path) -> tuple[str, list]:
    """Return (active key, inactive keys) from the environment's values, or the data directory's own key."""
    active = active_pem.replace("\\n", "\n").strip() if active_pem else ""
    if not active and active_file:
        active = read_pem(active_file)
    if not active:
        active = dev_key(data_dir)
    return active, [read_pem(path) for path in inactive_files]
