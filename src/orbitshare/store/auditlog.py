"""The hub's tamper-evident audit log stored in the database (RFC 6962 Merkle tree, signed heads)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from orbitshare.sharing import audit as merkle
from orbitshare.sharing.consent import b64u, canonical_json, iso, verify_signature
from orbitshare.store.models import AuditEntry, AuditHead

__all__ = ["HEAD_DOMAIN", "MAX_FIELD_CHARS", "VerifyReport", "append", "clean_record", "clean_text", "head_message",
           "leaf_hashes", "signed_head", "verify"]

HEAD_DOMAIN = b"orbitshare-audit-tree-head/v1\n"
MAX_FIELD_CHARS = 1024  # longer strings in a record are cut (paths, queries, reasons an attacker chose)


def clean_text(value: Any, limit: int = MAX_FIELD_CHARS) -> str:
    """`value` as text any database stores: NUL and lone surrogates replaced, cut to `limit` characters."""
    text = str(value).replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")
    if len(text) <= limit:
        return text
    return f"{text[: limit - 40]}...[{len(text) - limit + 40} more characters cut]"


def clean_record(value: Any, limit: int = MAX_FIELD_CHARS) -> Any:
    """A copy of a record with every string (keys too) cleaned by `clean_text`; the audit writer never fails."""
    if isinstance(value, str):
        return clean_text(value, limit)
    if isinstance(value, dict):
        return {clean_text(k, 200): clean_record(v, limit) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_record(v, limit) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return clean_text(value, limit)


def _column(value: Any, width: int) -> str | None:
    """A cleaned value cut to a column's width (the payload keeps the longer cleaned text)."""
    return None if value is None else clean_text(value, 10**6)[:width]


def head_message(size: int, root_hex: str) -> bytes:
    """The bytes a signed tree head signs."""
    return HEAD_DOMAIN + f"{size}\n{root_hex}\n".encode()


def append(s: Session, key: Ed25519PrivateKey, record: dict[str, Any], now: datetime | None = None) -> AuditEntry:
    """Append one record inside the caller's transaction; the head row is locked so appends serialise."""
    head = s.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one()
    now = now or datetime.now(UTC)
    idx = head.size
    record = clean_record(record)
    payload = canonical_json({"idx": idx, "time": iso(now), **record}).decode()
    leaf = merkle.leaf_hash(payload.encode())
    frontier = merkle.frontier_append(_load_frontier(head.frontier), leaf)
    root = merkle.frontier_root(frontier).hex()
    entry = AuditEntry(
        idx=idx,
        created_at=now,
        event=_column(record.get("event", ""), 40),
        actor=_column(record.get("actor"), 36),
        partner=_column(record.get("partner"), 16),
        product_id=_column(record.get("product"), 36),
        payload=payload,
        leaf_hash=leaf.hex(),
        root_hash=root,
        signature=b64u(key.sign(head_message(idx + 1, root))),
    )
    s.add(entry)
    head.size, head.root_hash, head.frontier = idx + 1, root, _dump_frontier(frontier)
    return entry


def _load_frontier(text: str) -> list[tuple[int, bytes]]:
    """Parse the stored compact range."""
    return [(int(h), bytes.fromhex(x)) for h, x in json.loads(text)]


def _dump_frontier(frontier: list[tuple[int, bytes]]) -> str:
    """Serialise a compact range."""
    return json.dumps([[h, x.hex()] for h, x in frontier])


def signed_head(s: Session) -> dict[str, Any]:
    """The latest signed tree head {size, root, signature, time}."""
    last = s.execute(select(AuditEntry).order_by(AuditEntry.idx.desc()).limit(1)).scalar_one_or_none()
    if last is None:
        return {"size": 0, "root": merkle.EMPTY_ROOT.hex(), "signature": None, "time": None}
    return {
        "size": last.idx + 1,
        "root": last.root_hash,
        "signature": last.signature,
        "time": iso(last.created_at),
    }


def leaf_hashes(s: Session, size: int | None = None) -> list[bytes]:
    """Stored leaf hashes in order, optionally the first `size`."""
    q = select(AuditEntry.leaf_hash).order_by(AuditEntry.idx)
    if size is not None:
        q = q.limit(size)
    return [bytes.fromhex(h) for h in s.execute(q).scalars()]


@dataclass
class VerifyReport:
    """The result of verifying the whole log."""

    size: int = 0  # entries verified, from index 0 up to the first problem of order
    root: str = merkle.EMPTY_ROOT.hex()
    problems: list[str] = field(default_factory=list)
    entries: int = 0  # entries stored in the log, verified or not

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems


def verify(s: Session, public_raw: bytes, checkpoints: Sequence[dict[str, Any]] = ()) -> VerifyReport:
    """Recompute every leaf and tree head; report altered, removed, inserted or reordered entries."""
    report = VerifyReport()
    roots: dict[int, str] = {}
    wanted = {int(c["size"]) for c in checkpoints}
    frontier: list[tuple[int, bytes]] = []
    for expected, row in enumerate(_rows(s)):
        if row.idx != expected:
            report.problems.append(_gap(expected, row.idx))
            break
        frontier = _verify_row(row, frontier, public_raw, report)
        if expected + 1 in wanted:
            roots[expected + 1] = merkle.frontier_root(frontier).hex()
        if len(report.problems) >= 20:
            break
    report.size, report.root = merkle.frontier_size(frontier), merkle.frontier_root(frontier).hex()
    report.entries = s.scalar(select(func.count()).select_from(AuditEntry)) or 0
    _check_head(s, report)
    for c in checkpoints:
        _check_checkpoint(c, roots, report, public_raw)
    return report


def _gap(expected: int, found: int) -> str:
    """The problem of finding index `found` where `expected` belongs."""
    if found > expected:
        which = f"entry {expected}" if found == expected + 1 else f"entries {expected} to {found - 1}"
        return f"{which}: deleted (the log goes on at index {found})"
    return f"entry {expected}: out of place (found index {found})"


def _rows(s: Session) -> Iterator[AuditEntry]:
    """All entries in index order, streamed."""
    q = select(AuditEntry).order_by(AuditEntry.idx).execution_options(yield_per=2000)
    yield from s.execute(q).scalars()


def _verify_row(row: AuditEntry, frontier: list, public_raw: bytes, report: VerifyReport) -> list:
    """Check one entry against the recomputed tree; returns the extended compact range."""
    leaf = merkle.leaf_hash(row.payload.encode())
    try:
        claimed = json.loads(row.payload).get("idx")
    except (ValueError, AttributeError):
        claimed = None
    if claimed != row.idx:
        report.problems.append(f"entry {row.idx}: payload names index {claimed} (moved or reordered)")
    if leaf.hex() != row.leaf_hash:
        report.problems.append(f"entry {row.idx}: content altered (leaf hash mismatch)")
    frontier = merkle.frontier_append(frontier, leaf)
    root = merkle.frontier_root(frontier).hex()
    if root != row.root_hash:
        report.problems.append(f"entry {row.idx}: tree head mismatch (altered, inserted or reordered entry)")
    if not verify_signature(head_message(row.idx + 1, row.root_hash), row.signature, public_raw):
        report.problems.append(f"entry {row.idx}: tree head signature invalid")
    return frontier


def _check_head(s: Session, report: VerifyReport) -> None:
    """The head row must match what was recomputed."""
    head = s.get(AuditHead, 1)
    if head is None:
        report.problems.append("audit head missing")
    elif report.ok and head.size > report.size:
        which = f"entry {report.size}" if head.size == report.size + 1 else f"entries {report.size} to {head.size - 1}"
        report.problems.append(f"{which}: deleted from the tail (the audit head says {head.size} entries)")
    elif report.ok and (head.size != report.size or head.root_hash != report.root):
        report.problems.append(
            f"audit head says size {head.size}, root {head.root_hash}; entries give {report.size}, {report.root}"
        )


def _check_checkpoint(c: dict[str, Any], roots: dict[int, str], report: VerifyReport, public_raw: bytes) -> None:
    """A previously published tree head must still be a prefix of the log."""
    size, root = int(c["size"]), str(c["root"])
    if c.get("signature") and not verify_signature(head_message(size, root), c["signature"], public_raw):
        report.problems.append(f"checkpoint {size}: signature invalid")
    if size > report.size:
        report.problems.append(f"checkpoint {size}: log has only {report.size} entries (truncated)")
    elif size and roots.get(size) != root:
        report.problems.append(f"checkpoint {size}: root differs (history rewritten)")
