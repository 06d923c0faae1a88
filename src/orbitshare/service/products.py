"""Labelled products: upload, search, read and export, every release through the pure release decision."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from orbitshare.service.common import KINDS, Context, Forbidden, Invalid, NotFound, Principal, new_id, now_utc
from orbitshare.service.grants import GrantReader
from orbitshare.sharing import consent as cs
from orbitshare.sharing.labels import Decision, GrantFacts, SecurityLabel, derived_label, release_decision
from orbitshare.store.models import Product

__all__ = ["EXPORT_MAX_BYTES", "ProductInfo", "ProductPage", "ProductService", "ids_digest", "log_refusal"]

EXPORT_MAX_BYTES = 256 * 1024 * 1024  # one bulk export holds at most this much content (page with kind/q)


@dataclass(frozen=True)
class ProductInfo:
    """Metadata and label of a product (`meta` only in full views, `released_by` only on release)."""

    id: str
    kind: str
    title: str
    originator: str
    created_at: str
    media_type: str
    filename: str | None
    size: int
    sha256: str
    label: dict[str, Any]
    meta: dict[str, Any] | None = None
    released_by: str | None = None


@dataclass(frozen=True)
class ProductPage:
    """A page of products the caller may receive."""

    total: int
    offset: int
    limit: int
    items: list[ProductInfo]


class ProductService:
    """Labelled products over the store; labels are cached (products are immutable)."""

    def __init__(self, ctx: Context, grants: GrantReader) -> None:
        """Empty label caches over the shared store context."""
        self.ctx = ctx
        self.grants = grants
        self._labels: dict[str, SecurityLabel] = {}
        self._label_texts: dict[str, SecurityLabel] = {}

    def label_of(self, product_id: str, label_json: str) -> SecurityLabel:
        """Parsed label of a product (cached)."""
        label = self._labels.get(product_id)
        if label is None:
            label = SecurityLabel.from_dict(json.loads(label_json))
            self._labels[product_id] = label
        return label

    def add(
        self,
        by: Principal,
        kind: str,
        title: str,
        label: dict[str, Any] | SecurityLabel,
        content: bytes,
        media_type: str = "application/json",
        filename: str | None = None,
        meta: dict[str, Any] | None = None,
        derived_from: Sequence[dict[str, Any]] = (),
    ) -> ProductInfo:
        """Store a labelled product; the originator is the uploader's partner.

        A product derived from others (`derived_from`: their labels) is labelled at least as restrictively
        as each of them (`orbitshare.sharing.labels.derived_label`).
        """
        if not by.can_write():
            raise Forbidden("viewers may not upload products")
        if kind not in KINDS:
            raise Invalid(f"kind must be one of {list(KINDS)}")
        lab = parse_label(label, by.partner)
        if derived_from:
            try:
                lab = derived_label(lab, [SecurityLabel.from_dict(x) for x in derived_from])
            except ValueError as e:
                raise Invalid(f"label: {e}") from None
        pid = new_id()
        own = release_decision(lab, by.clearance, product_id=pid, purpose=by.purpose, now=now_utc())
        if not own.permit:
            raise Invalid(f"the label would refuse its own originator: {own.reason.value}")
        row = Product(
            id=pid,
            kind=kind,
            title=title.strip()[:300] or kind,
            originator=by.partner,
            created_by=by.user_id,
            created_at=now_utc(),
            media_type=media_type,
            filename=filename,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            label=cs.canonical_json(lab.to_dict()).decode(),
            meta=json.dumps(meta or {}),
            content=content,
        )
        with self.ctx.tx() as s:
            s.add(row)
            self.ctx.log(s, "product.create", by, product=pid, kind=kind, sha256=row.sha256, label=lab.to_dict())
        self._labels[pid] = lab
        return _info(row, lab, full=True)

    def decide(
        self,
        who: Principal,
        product_id: str,
        label: SecurityLabel,
        purpose: str,
        grants: dict[str, list[GrantFacts]],
        now: datetime,
    ) -> Decision:
        """The release decision for one product."""
        return release_decision(
            label,
            who.clearance,
            product_id=product_id,
            purpose=purpose,
            grants=grants.get(product_id, ()),
            now=now,
        )

    def visible(self, s: Session, who: Principal, product_id: str, label: SecurityLabel, *purposes: str) -> bool:
        """Whether `who` may receive the product now, for any of `purposes`."""
        grants, now = self.grants.facts(s, who.partner, product_id), now_utc()
        return any(self.decide(who, product_id, label, p, grants, now).permit for p in purposes)

    def search(
        self,
        who: Principal,
        purpose: str,
        kind: str | None = None,
        q: str | None = None,
        originator: str | None = None,
        limit: int = 100,
        offset: int = 0,
        event: str = "access.list",
    ) -> ProductPage:
        """Products the caller may receive, newest first, filtered and paginated; audited.

        The release decision runs first and `q` then matches among the permitted products only, so
        results, totals and the audit entry (what was returned, and a digest of it) never depend on a
        product the caller may not see.
        """
        with self.ctx.tx() as s:
            matches = self._visible_matches(s, who, purpose, kind, q, originator)
            page_ids = matches[offset : offset + limit]
            page = self._summaries(s, page_ids)
            self.ctx.log(
                s,
                event,
                who,
                purpose=purpose,
                kind=kind,
                query=q,
                originator=originator,
                total=len(matches),
                returned=len(page),
                returned_sha256=ids_digest(page_ids),
            )
        return ProductPage(len(matches), offset, limit, page)

    def _visible_matches(
        self, s: Session, who: Principal, purpose: str, kind: str | None, q: str | None, originator: str | None
    ) -> list[str]:
        """Ids the release decision permits, newest first, then those matching `q`."""
        now = now_utc()
        grants = self.grants.facts(s, who.partner)
        ids = list(s.execute(_listing_query(kind, originator)).scalars())
        labels = self._labels_for(s, ids)
        clearance, empty = who.clearance, ()
        permitted = [
            pid
            for pid in ids
            if release_decision(
                labels[pid], clearance, product_id=pid, purpose=purpose, grants=grants.get(pid, empty), now=now
            ).permit
        ]
        return _matching(s, permitted, q) if q else permitted

    def _labels_for(self, s: Session, ids: list[str]) -> dict[str, SecurityLabel]:
        """Labels of `ids`, from the cache or fetched in chunks (identical label texts parse once)."""
        cache = self._labels
        missing = [pid for pid in ids if pid not in cache]
        if len(missing) > 1000:  # many misses (cold start): one scan beats many IN lists
            queries = [select(Product.id, Product.label)]
        else:
            queries = [select(Product.id, Product.label).where(Product.id.in_(missing))] if missing else []
        for query in queries:
            for pid, text in s.execute(query):
                parsed = self._label_texts.get(text)
                if parsed is None:
                    parsed = self._label_texts[text] = SecurityLabel.from_dict(json.loads(text))
                cache[pid] = parsed
        return cache

    def clear_caches(self) -> None:
        """Forget cached labels (for cold-start measurements)."""
        self._labels.clear()
        self._label_texts.clear()

    def warm(self) -> int:
        """Load every product's label into the cache (run at start-up); returns how many."""
        with self.ctx.sessions() as s:
            ids = list(s.execute(select(Product.id)).scalars())
            self._labels_for(s, ids)
        return len(ids)

    def _summaries(self, s: Session, ids: list[str]) -> list[ProductInfo]:
        """Listing views of `ids`, in that order."""
        if not ids:
            return []
        rows = {r.id: r for r in s.execute(_summary_query().where(Product.id.in_(ids)))}
        return [_info(rows[pid], self._labels[pid]) for pid in ids]

    def get(
        self, who: Principal, purpose: str, product_id: str, event: str = "access.read"
    ) -> tuple[ProductInfo, bytes]:
        """One product (metadata and content) if the decision permits; every decision is audited.

        A product the caller may not receive is answered and audited exactly like a missing one (see
        `log_refusal`); only the originator's focal point reads the true reason.
        """
        with self.ctx.tx() as s:
            row = s.get(Product, product_id)
            d = None
            if row is not None:
                label = self.label_of(row.id, row.label)
                grants = self.grants.facts(s, who.partner, product_id)
                d = self.decide(who, row.id, label, purpose, grants, now_utc())
            if d is not None and d.permit:
                self.ctx.log(
                    s, event, who, product=product_id, purpose=purpose, decision="permit", reason=d.reason.name
                )
            else:
                log_refusal(
                    self.ctx, s, event, who, product_id, d.reason.name if d is not None else "unknown product", purpose
                )
        if d is None or not d.permit:  # raised after the commit, so the refusal stays in the log
            refusal = NotFound(f"no product {product_id}")
            refusal.audited = True
            raise refusal
        assert row is not None  # a missing row has no decision (d is None above)
        return _info(row, label, full=True, released_by=d.reason.name), bytes(row.content)

    def export(
        self, who: Principal, purpose: str, kind: str | None = None, q: str | None = None, limit: int = 1000
    ) -> list[tuple[ProductInfo, bytes]]:
        """Bulk export: every permitted product with its content; one audit entry per release."""
        with self.ctx.tx() as s:
            matches = self._visible_matches(s, who, purpose, kind, q, None)
            out = self._within_budget(s, matches[:limit], EXPORT_MAX_BYTES)
            self.ctx.log(
                s,
                "access.export.summary",
                who,
                purpose=purpose,
                kind=kind,
                query=q,
                total=len(matches),
                returned=len(out),
                returned_sha256=ids_digest(out),
            )
            full = {p.id: p for p in s.execute(select(Product).where(Product.id.in_(out))).scalars()} if out else {}
            for pid in out:
                self.ctx.log(s, "access.export", who, product=pid, purpose=purpose, decision="permit")
            return [(_info(full[p], self._labels[p], full=True), bytes(full[p].content)) for p in out]

    def _within_budget(self, s: Session, ids: list[str], budget: int) -> list[str]:
        """The longest prefix of `ids` whose contents fit in `budget` bytes (at least one product)."""
        if not ids:
            return []
        sizes = dict(s.execute(select(Product.id, Product.size).where(Product.id.in_(ids))).all())
        out: list[str] = []
        total = 0
        for pid in ids:
            total += sizes[pid]
            if out and total > budget:
                break
            out.append(pid)
        return out

    def contents(self, ids: list[str]) -> dict[str, bytes]:
        """Contents by id (for callers that already hold a permit decision for each id)."""
        if not ids:
            return {}
        with self.ctx.sessions() as s:
            return {
                pid: bytes(c) for pid, c in s.execute(select(Product.id, Product.content).where(Product.id.in_(ids)))
            }


def log_refusal(
    ctx: Context, s: Session, event: str, who: Principal, product_id: str, reason: str, purpose: str | None
) -> None:
    """Audit a refused access to a product, hidden or missing alike, as two entries.

    The first, attributed to the caller (so its focal point reads it), says only "not found"; the second,
    attributed to no partner, keeps the true reason and is read by the originator's focal point. A missing
    product gets the same two entries, so neither the entries nor the growth of the log tell them apart.
    """
    ctx.log(s, event, who, product=product_id, purpose=purpose, decision="deny", reason="not found")
    ctx.log(
        s,
        "refusal.reason",
        None,
        product=product_id,
        refused=event,
        subject=who.user_id,
        subject_partner=who.partner,
        reason=reason,
    )


def parse_label(label: dict[str, Any] | SecurityLabel, partner: str) -> SecurityLabel:
    """Parse a label; the originator is always the uploader's partner."""
    if isinstance(label, SecurityLabel):
        lab = label
    else:
        if not isinstance(label, dict):
            raise Invalid("label must be an object")
        data = dict(label)
        if not isinstance(data.get("classification"), str):
            raise Invalid("label.classification must be a name such as 'NATO SECRET'")
        data.setdefault("originator", partner)
        try:
            lab = SecurityLabel.from_dict(data)
        except ValueError as e:
            raise Invalid(str(e)) from None
    if lab.originator != partner:
        raise Invalid(
            f"label.originator must be your partner ({partner}); the hub does not accept "
            "products on another partner's behalf"
        )
    return lab


def ids_digest(ids: list[str]) -> str:
    """SHA-256 hex of the ids, one per line, in order (what an audit entry says was returned)."""
    return hashlib.sha256("\n".join(ids).encode()).hexdigest()


def _listing_query(kind: str | None, originator: str | None):
    """Ids of products of a kind and originator, newest first."""
    stmt = select(Product.id)
    if kind:
        stmt = stmt.where(Product.kind == kind)
    if originator:
        stmt = stmt.where(Product.originator == originator)
    return stmt.order_by(Product.created_at.desc(), Product.id)


def _matching(s: Session, ids: list[str], q: str, chunk: int = 500) -> list[str]:
    """The ids (already permitted) whose title or metadata contain `q`, case-insensitively, in order."""
    pattern = "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    hit = or_(func.lower(Product.title).like(pattern, escape="\\"), func.lower(Product.meta).like(pattern, escape="\\"))
    found: set[str] = set()
    for i in range(0, len(ids), chunk):
        found.update(s.execute(select(Product.id).where(Product.id.in_(ids[i : i + chunk]), hit)).scalars())
    return [pid for pid in ids if pid in found]


def _summary_query():
    """Columns of a listing view."""
    return select(
        Product.id,
        Product.kind,
        Product.title,
        Product.originator,
        Product.created_at,
        Product.media_type,
        Product.filename,
        Product.size,
        Product.sha256,
    )


def _info(r: Any, label: SecurityLabel, full: bool = False, released_by: str | None = None) -> ProductInfo:
    """Listing view of a product row (with its metadata when `full`)."""
    return ProductInfo(
        r.id,
        r.kind,
        r.title,
        r.originator,
        cs.iso(r.created_at),
        r.media_type,
        r.filename,
        r.size,
        r.sha256,
        label.to_dict(),
        json.loads(r.meta) if full else None,
        released_by,
    )
