"""Consent grants: Ed25519-signed statements naming product, recipient, purpose and expiry."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from orbitshare.sharing.labels import GrantFacts

__all__ = ["REVOCATION_TYPE", "STATEMENT_TYPE", "GrantStatement", "RevocationStatement", "b64u", "canonical_json",
           "iso", "key_id", "load_private_key", "new_signing_key", "parse_iso", "private_key_pem", "public_key_raw",
           "sign_statement", "unb64u", "verify_revocation", "verify_signature", "verify_statement"]

STATEMENT_TYPE = "orbitshare.consent-grant/v1"
REVOCATION_TYPE = "orbitshare.consent-revocation/v1"


def canonical_json(obj: Any) -> bytes:
    """Canonical JSON bytes: sorted keys, no insignificant whitespace, UTF-8."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def b64u(data: bytes) -> str:
    """URL-safe base64 without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(text: str) -> bytes:
    """Decode URL-safe base64 with or without padding; raises ValueError."""
    if not isinstance(text, str):
        raise ValueError("expected a base64url string")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# The two timestamp helpers below stay here instead of using orbitshare.astro.time: sharing is pure and sits
# below every other package (it imports nothing of orbitshare, tests/test_architecture.py), and what a signed
# statement holds is a fixed text form (second precision, Z suffix) that must never change with the time code
# of the computing layers.
def iso(dt: datetime) -> str:
    """ISO 8601 UTC timestamp with a Z suffix, second precision."""
    return dt.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    """Parse an ISO 8601 timestamp into an aware UTC datetime (naive means UTC)."""
    dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class GrantStatement:
    """What a focal point signs: the originator consents to release product to recipient for purpose."""

    grant_id: str
    product_id: str
    product_sha256: str
    originator: str
    recipient: str
    purpose: str
    issued_at: str
    expires_at: str
    signer: str
    key_id: str
    export_control: str | None = None
    type: str = STATEMENT_TYPE

    def to_bytes(self) -> bytes:
        """Canonical bytes that are signed."""
        return canonical_json(asdict(self))

    @classmethod
    def from_bytes(cls, data: bytes) -> GrantStatement:
        """Parse canonical bytes; raises ValueError when not a grant statement."""
        obj = json.loads(data)
        if not isinstance(obj, dict) or obj.get("type") != STATEMENT_TYPE:
            raise ValueError("not a consent grant statement")
        return cls(**obj)

    def facts(self, revoked: bool) -> GrantFacts:
        """The facts the release decision needs."""
        return GrantFacts(
            self.product_id,
            self.originator,
            self.recipient,
            self.purpose,
            parse_iso(self.issued_at),
            parse_iso(self.expires_at),
            revoked,
        )


@dataclass(frozen=True, slots=True)
class RevocationStatement:
    """What a focal point signs to withdraw a grant: which grant (and the SHA-256 of its statement), when, by whom."""

    grant_id: str
    grant_sha256: str
    product_id: str
    originator: str
    recipient: str
    revoked_at: str
    signer: str
    key_id: str
    type: str = REVOCATION_TYPE

    def to_bytes(self) -> bytes:
        """Canonical bytes that are signed."""
        return canonical_json(asdict(self))

    @classmethod
    def from_bytes(cls, data: bytes) -> RevocationStatement:
        """Parse canonical bytes; raises ValueError when not a revocation statement."""
        obj = json.loads(data)
        if not isinstance(obj, dict) or obj.get("type") != REVOCATION_TYPE:
            raise ValueError("not a consent revocation statement")
        return cls(**obj)


def new_signing_key() -> Ed25519PrivateKey:
    """A fresh Ed25519 private key."""
    return Ed25519PrivateKey.generate()


def public_key_raw(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of a public key."""
    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_raw: bytes) -> str:
    """A short stable key identifier: first 16 hex digits of SHA-256 of the raw public key."""
    return hashlib.sha256(public_raw).hexdigest()[:16]


def private_key_pem(key: Ed25519PrivateKey, password: bytes) -> bytes:
    """PKCS#8 PEM of a private key encrypted with `password`."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(password),
    )


def load_private_key(pem: bytes, password: bytes) -> Ed25519PrivateKey:
    """Load an encrypted PKCS#8 Ed25519 private key."""
    key = serialization.load_pem_private_key(pem, password=password)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("not an Ed25519 key")
    return key


def sign_statement(statement: GrantStatement | RevocationStatement, key: Ed25519PrivateKey) -> str:
    """Sign a grant or revocation statement; returns the base64url signature."""
    return b64u(key.sign(statement.to_bytes()))


@lru_cache(maxsize=65536)
def verify_signature(message: bytes, signature_b64: str, public_raw: bytes) -> bool:
    """True when `signature_b64` is a valid Ed25519 signature of `message` (results cached)."""
    try:
        Ed25519PublicKey.from_public_bytes(public_raw).verify(unb64u(signature_b64), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def verify_statement(statement_bytes: bytes, signature_b64: str, public_raw: bytes) -> GrantStatement | None:
    """The statement when the signature verifies and the bytes parse, else None."""
    if not verify_signature(statement_bytes, signature_b64, public_raw):
        return None
    try:
        return GrantStatement.from_bytes(statement_bytes)
    except (ValueError, TypeError):
        return None


def verify_revocation(statement_bytes: bytes, signature_b64: str, public_raw: bytes) -> RevocationStatement | None:
    """The revocation statement when the signature verifies and the bytes parse, else None."""
    if not verify_signature(statement_bytes, signature_b64, public_raw):
        return None
    try:
        return RevocationStatement.from_bytes(statement_bytes)
    except (ValueError, TypeError):
        return None
