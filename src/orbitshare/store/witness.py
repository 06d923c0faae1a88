"""Witnessed tree heads: signed heads of the audit log kept in a JSON-lines file outside the database.

Two kinds of record, one JSON object per line, appended and fsynced:

* ``{"type": "head", ...}`` — this hub's own signed tree head (size, root, signature, time, public_key), so that
  a log cut at its tail in the database is caught by ``orbitshare audit verify``;
* ``{"type": "cosigned", "partner": ..., ...}`` — a partner hub's signed head, verified with the partner's
  registered key and co-signed with this hub's audit key over :func:`cosign_message`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from orbitshare.sharing.consent import b64u, public_key_raw, unb64u, verify_signature
from orbitshare.store.auditlog import head_message

__all__ = [
    "COSIGN_DOMAIN",
    "PartnerKeys",
    "WitnessError",
    "WitnessFile",
    "cosign",
    "cosign_message",
    "own_head",
    "verify_partner_head",
]

COSIGN_DOMAIN = b"orbitshare-audit-cosign/v1\n"


class WitnessError(ValueError):
    """A partner head that cannot be witnessed (unknown partner, bad signature, rollback or fork)."""

    def __init__(self, message: str, conflict: bool = False) -> None:
        """`conflict` is True when the head contradicts one witnessed before."""
        super().__init__(message)
        self.conflict = conflict


def cosign_message(partner: str, size: int, root_hex: str) -> bytes:
    """The bytes a co-signature signs: the partner's code and its tree head."""
    return COSIGN_DOMAIN + f"{partner}\n{size}\n{root_hex}\n".encode()


class WitnessFile:
    """An append-only JSON-lines file of witnessed heads (created 0600)."""

    def __init__(self, path: Path) -> None:
        """Use `path` (created with its directory on the first append)."""
        self.path = Path(path)

    def append(self, record: dict[str, Any]) -> None:
        """Append one record and fsync it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(record, sort_keys=True, separators=(",", ":")) + "\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode())
            os.fsync(fd)
        finally:
            os.close(fd)

    def records(self) -> list[dict[str, Any]]:
        """Every well-formed record in file order (a torn last line from a crash is skipped)."""
        if not self.path.exists():
            return []
        out = []
        with self.path.open(encoding="utf-8", errors="replace") as f:
            for line in f:
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue
                if isinstance(rec, dict) and isinstance(rec.get("size"), int) and isinstance(rec.get("root"), str):
                    out.append(rec)
        return out

    def newest(self, kind: str = "head", partner: str | None = None) -> dict[str, Any] | None:
        """The largest witnessed head of this hub (`kind` "head") or of `partner` ("cosigned")."""
        rows = [r for r in self.records() if r.get("type") == kind and (partner is None or r.get("partner") == partner)]
        return max(rows, key=lambda r: r["size"], default=None)


class PartnerKeys:
    """Registered audit public keys of partner hubs: a JSON object {partner code: base64url raw Ed25519 key}."""

    def __init__(self, path: Path) -> None:
        """Use `path` (absent means no partner registered)."""
        self.path = Path(path)

    def all(self) -> dict[str, str]:
        """Every registered key."""
        if not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text())
        except ValueError:  # a damaged registry accepts nobody
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def get(self, partner: str) -> bytes | None:
        """The raw key of `partner`, or None."""
        key = self.all().get(partner)
        return unb64u(key) if key else None

    def register(self, partner: str, public_key_b64u: str) -> None:
        """Register (or replace) a partner's key; raises ValueError for a key that is not 32 bytes."""
        if len(unb64u(public_key_b64u)) != 32:
            raise ValueError("a partner hub's audit key is 32 bytes of Ed25519, base64url")
        keys = {**self.all(), partner: public_key_b64u}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(keys, indent=2, sort_keys=True) + "\n")
        tmp.replace(self.path)


def verify_partner_head(
    partner: str, head: dict[str, Any], public_raw: bytes | None, previous: dict[str, Any] | None
) -> None:
    """Raise WitnessError unless `head` is signed by the partner's key and extends what was witnessed before."""
    if public_raw is None:
        raise WitnessError(f"no hub key registered for partner {partner}")
    size, root = head["size"], head["root"]
    if not verify_signature(head_message(size, root), head["signature"], public_raw):
        raise WitnessError(f"tree head signature of partner {partner} does not verify with its registered key")
    if previous is None:
        return
    if size < previous["size"]:
        raise WitnessError(
            f"partner {partner} presented size {size} after size {previous['size']} was witnessed (rollback)",
            conflict=True,
        )
    if size == previous["size"] and root != previous["root"]:
        raise WitnessError(f"partner {partner} presented two roots for size {size} (fork)", conflict=True)


def own_head(head: dict[str, Any], now_iso: str) -> dict[str, Any]:
    """The record of this hub's own signed head (as `audit_head` gives it), witnessed at `now_iso`."""
    return {"type": "head", **head, "witnessed_at": now_iso}


def cosign(partner: str, head: dict[str, Any], key: Ed25519PrivateKey, now_iso: str) -> dict[str, Any]:
    """The co-signed record of a verified partner head."""
    return {
        "type": "cosigned",
        "partner": partner,
        "size": head["size"],
        "root": head["root"],
        "signature": head["signature"],
        "time": head.get("time"),
        "witnessed_at": now_iso,
        "cosignature": b64u(key.sign(cosign_message(partner, head["size"], head["root"]))),
        "cosigner_key": b64u(public_key_raw(key)),
    }
