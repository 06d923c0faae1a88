"""Hub key material kept in the data directory, outside the database."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from orbitshare.settings import load_settings
from orbitshare.sharing.consent import public_key_raw

__all__ = ["HubKeys", "default_home", "write_private"]


def default_home() -> Path:
    """The data directory: $ORBITSHARE_HOME or ~/.orbitshare (from the settings)."""
    return load_settings().home


def write_private(path: Path, data: bytes, replace: bool = False) -> None:
    """Write a file readable only by its owner (created 0600, parents made); an existing file is replaced only with
    `replace`, else FileExistsError."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if replace else os.O_EXCL), 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


class HubKeys:
    """The audit-log signing key and the secret that encrypts focal points' signing keys."""

    def __init__(self, home: Path) -> None:
        """Load the keys under `home`/keys, creating them on first use."""
        self.dir = home / "keys"
        self.audit_key = self._audit_key()
        self.audit_public = public_key_raw(self.audit_key)
        self.secret = self._secret()

    def _audit_key(self) -> Ed25519PrivateKey:
        """Load or create the audit log's Ed25519 key."""
        path = self.dir / "audit-ed25519.pem"
        if not path.exists():
            pem = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            try:
                write_private(path, pem)
            except FileExistsError:
                pass
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} is not an Ed25519 key")
        return key

    def _secret(self) -> bytes:
        """Load or create the 32-byte hub secret."""
        path = self.dir / "hub-secret"
        if not path.exists():
            try:
                write_private(path, secrets.token_hex(32).encode())
            except FileExistsError:
                pass
        return path.read_bytes().strip()
