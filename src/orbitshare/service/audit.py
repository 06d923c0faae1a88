"""Audit: the signed tree head, entries a focal point may read, RFC 6962 proofs and verification."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select

from orbitshare.service.common import Context, Forbidden, Invalid, Principal
from orbitshare.sharing import audit as merkle
from orbitshare.sharing import consent as cs
from orbitshare.store import auditlog
from orbitshare.store.models import AuditEntry, Product

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

    def __init__(self, ctx: Context) -> None:
        """Work over the shared store context."""
        self.ctx = ctx

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

    def verify(self, checkpoints: list[dict[str, Any]] = ()) -> auditlog.VerifyReport:
        """Verify the whole audit log against the hub's audit key and optional checkpoints."""
        with self.ctx.sessions() as s:
            return auditlog.verify(s, self.ctx.keys.audit_public, list(checkpoints))

    def counts(self) -> dict[str, int]:
        """Row counts of products and audit entries (for status pages and tests)."""
        with self.ctx.sessions() as s:
            return {
                "products": s.scalar(select(func.count()).select_from(Product)) or 0,
                "audit_entries": s.scalar(select(func.count()).select_from(AuditEntry)) or 0,
            }
