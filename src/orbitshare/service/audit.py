"""Audit: the signed tree head, entries a focal point may read, RFC 6962 proofs and verification."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from orbitshare.service.common import Context, Forbidden, Invalid, Principal
from orbitshare.service.grants import GrantReader
from orbitshare.sharing import audit as merkle
from orbitshare.sharing import consent as cs
from orbitshare.store import auditlog
from orbitshare.store.models import AuditEntry, Grant, Product, Revocation

__all__ = ["AuditEntryInfo", "AuditService", "ConsistencyProof", "InclusionProof", "TreeHead"]


@dataclass(frozen=True)
class TreeHead:
    """A signed tree head of the audit log (and the log's public key)."""

    size: int
    root: str
    signature: str | None
    time: str | None
    public_key: str | None = None


@dataclass(frozen=True)
class AuditEntryInfo:
    """One audit entry with the signed tree head after it."""

    index: int
    entry: dict[str, Any]
    leaf_hash: str
    tree_head: dict[str, Any]


@dataclass(frozen=True)
class InclusionProof:
    """An RFC 6962 inclusion proof of entry `index` in the tree of `size`."""

    index: int
    size: int
    leaf_hash: str
    root: str
    proof: list[str]


@dataclass(frozen=True)
class ConsistencyProof:
    """An RFC 6962 consistency proof between tree sizes `first` and `second`."""

    first: int
    second: int
    first_root: str
    second_root: str
    proof: list[str]


class AuditService:
    """The hub's tamper-evident audit log, read side, and appending refusals the API observes."""

    def __init__(self, ctx: Context, grants: GrantReader) -> None:
        """Work over the shared store context; `grants` checks revocation signatures."""
        self.ctx = ctx
        self.grants = grants

    def record(self, event: str, actor: Principal | None = None, **fields: Any) -> None:
        """Append one entry in its own transaction."""
        self.ctx.log_now(event, actor, **fields)

    def head(self) -> TreeHead:
        """The latest signed tree head and the log's public key."""
        with self.ctx.sessions() as s:
            head = auditlog.signed_head(s)
        return TreeHead(
            head["size"], head["root"], head["signature"], head["time"], cs.b64u(self.ctx.keys.audit_public)
        )

    def entries(self, who: Principal, start: int = 0, limit: int = 100) -> list[AuditEntryInfo]:
        """Entries about the caller's partner (as actor or as originator of the product)."""
        if who.role != "focal_point":
            raise Forbidden("only focal points read the audit log")
        with self.ctx.sessions() as s:
            own = select(Product.id).where(Product.originator == who.partner)
            q = (
                select(AuditEntry)
                .where(AuditEntry.idx >= start)
                .where(or_(AuditEntry.partner == who.partner, AuditEntry.product_id.in_(own)))
                .order_by(AuditEntry.idx)
                .limit(limit)
            )
            return [
                AuditEntryInfo(
                    e.idx,
                    json.loads(e.payload),
                    e.leaf_hash,
                    {"size": e.idx + 1, "root": e.root_hash, "signature": e.signature},
                )
                for e in s.execute(q).scalars()
            ]

    def inclusion(self, index: int, size: int | None = None) -> InclusionProof:
        """Inclusion proof of entry `index` in the tree of `size` (default: the whole log)."""
        with self.ctx.sessions() as s:
            hashes = auditlog.leaf_hashes(s, size)
        size = len(hashes) if size is None else size
        if size > len(hashes) or not 0 <= index < size:
            raise Invalid(f"need 0 <= index < size <= {len(hashes)}")
        proof = merkle.inclusion_proof(hashes, index)
        return InclusionProof(
            index, size, hashes[index].hex(), merkle.root_from_leaf_hashes(hashes).hex(), [p.hex() for p in proof]
        )

    def consistency(self, first: int, second: int | None = None) -> ConsistencyProof:
        """Consistency proof between tree sizes `first` and `second`."""
        with self.ctx.sessions() as s:
            hashes = auditlog.leaf_hashes(s, second)
        second = len(hashes) if second is None else second
        if second > len(hashes) or not 0 <= first <= second:
            raise Invalid(f"need 0 <= first <= second <= {len(hashes)}")
        return ConsistencyProof(
            first,
            second,
            merkle.root_from_leaf_hashes(hashes[:first]).hex(),
            merkle.root_from_leaf_hashes(hashes).hex(),
            [p.hex() for p in merkle.consistency_proof(hashes, first)],
        )

    def verify(self, checkpoints: Sequence[dict[str, Any]] = ()) -> auditlog.VerifyReport:
        """Verify the log (leaves, heads, signatures, checkpoints) and cross-check the grants against it."""
        with self.ctx.sessions() as s:
            report = auditlog.verify(s, self.ctx.keys.audit_public, list(checkpoints))
            report.problems.extend(self.consent_problems(s))
        return report

    def consent_problems(self, s: Session) -> list[str]:
        """Grants and revocations that disagree with the consent entries of the log (one line each)."""
        granted, revoked = self._consent_entries(s)
        rows = {g.id: g for g in s.execute(select(Grant)).scalars()}
        revocations = {r.grant_id: r for r in s.execute(select(Revocation)).scalars()}
        out = []
        for gid, g in rows.items():
            entry = granted.get(gid)
            if entry is None:
                out.append(f"grant {gid}: no consent.grant entry in the audit log (added behind the hub's back)")
            elif (entry.get("product"), entry.get("recipient")) != (g.product_id, g.recipient):
                out.append(f"grant {gid}: product or recipient differ from its consent.grant entry")
        for gid in granted.keys() - rows.keys():
            out.append(f"grant {gid}: in the audit log but deleted from the grants table")
        for gid in sorted(revoked):
            out += self._revocation_problems(s, gid, rows.get(gid), revocations.get(gid))
        for gid in sorted(revocations.keys() - revoked):
            out.append(f"grant {gid}: revocation statement without a consent.revoke entry")
        return out

    def _revocation_problems(self, s: Session, gid: str, g: Grant | None, rev: Revocation | None) -> list[str]:
        """What is wrong with a grant the log says was revoked."""
        if g is None:
            return []  # reported as deleted above
        out = []
        if g.revoked_at is None:
            out.append(f"grant {gid}: revocation cleared (revoked_at empty, the log records consent.revoke)")
        statement = cs.GrantStatement.from_bytes(bytes(g.statement))
        if rev is None or self.grants.revocation(s, rev, statement) is None:
            out.append(f"grant {gid}: signed revocation statement missing or invalid")
        return out

    def _consent_entries(self, s: Session) -> tuple[dict[str, dict[str, Any]], set[str]]:
        """Grant entries by grant id, and the ids of revoked grants, from the log's payloads."""
        granted: dict[str, dict[str, Any]] = {}
        revoked: set[str] = set()
        q = select(AuditEntry.payload).where(AuditEntry.payload.like('%"event":"consent.%'))
        for (payload,) in s.execute(q):
            entry = json.loads(payload)
            if entry.get("event") == "consent.grant" and isinstance(entry.get("grant"), str):
                granted[entry["grant"]] = entry
            elif entry.get("event") == "consent.revoke" and isinstance(entry.get("grant"), str):
                revoked.add(entry["grant"])
        return granted, revoked

    def counts(self) -> dict[str, int]:
        """Row counts of products and audit entries (for status pages and tests)."""
        with self.ctx.sessions() as s:
            return {
                "products": s.scalar(select(func.count()).select_from(Product)) or 0,
                "audit_entries": s.scalar(select(func.count()).select_from(AuditEntry)) or 0,
            }
