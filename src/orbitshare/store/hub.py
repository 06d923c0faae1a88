"""The sharing hub's service layer: parties, tokens, labelled products, consent and audit.

Every path that hands a product out goes through :meth:`Hub.decide`, which calls the pure
:func:`orbitshare.sharing.labels.release_decision` with grant facts read from *signed* statements.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import threading
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from orbitshare.sharing import consent as cs
from orbitshare.sharing.labels import (
    Classification,
    Clearance,
    Decision,
    GrantFacts,
    SecurityLabel,
    release_decision,
)
from orbitshare.store import auditlog
from orbitshare.store.db import make_engine, session_factory
from orbitshare.store.keys import HubKeys
from orbitshare.store.models import (
    ApiToken,
    ConsentRequest,
    Grant,
    Partner,
    Product,
    SigningKey,
    User,
)

ROLES = ("focal_point", "analyst", "viewer")
KINDS = (
    "catalog",
    "conjunction_report",
    "cdm",
    "alert",
    "imaging_opportunities",
    "collection_plan",
    "stac_item",
    "satcom_evaluation",
    "file",
)
MAX_GRANT_DAYS = 366
EXPORT_MAX_BYTES = 256 * 1024 * 1024  # one bulk export holds at most this much content (page with kind/q)
_CODE = re.compile(r"[A-Za-z0-9_-]{2,16}")


class HubError(Exception):
    """A refusal or bad request with an HTTP status and a clear message."""

    status = 400

    def __init__(self, message: str) -> None:
        """Keep the message; `audited` is set once the refusal is in the audit log."""
        super().__init__(message)
        self.message = message
        self.audited = False


class Unauthorized(HubError):
    """No valid credentials."""

    status = 401


class Forbidden(HubError):
    """Authenticated but not allowed."""

    status = 403


class NotFound(HubError):
    """Unknown id (or not visible)."""

    status = 404


class Conflict(HubError):
    """State conflict (duplicate, already decided)."""

    status = 409


class Invalid(HubError):
    """Semantically invalid input."""

    status = 422


@dataclass(frozen=True)
class Principal:
    """An authenticated user acting for a partner."""

    user_id: str
    name: str
    partner: str
    role: str
    clearance: Clearance
    purpose: str

    def can_write(self) -> bool:
        """Analysts and focal points may upload and request consent."""
        return self.role in ("analyst", "focal_point")


@dataclass(frozen=True)
class HubConfig:
    """Where the hub keeps its data."""

    db_url: str
    home: Path
    max_upload_bytes: int = 16 * 1024 * 1024


def now_utc() -> datetime:
    """The current time, aware UTC."""
    return datetime.now(UTC)


def hash_token(token: str) -> str:
    """SHA-256 hex of an API token (tokens are 256-bit random, so a fast hash suffices)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _new_id() -> str:
    """A random UUID string."""
    return str(uuid.uuid4())


def _jl(text: str) -> list[str]:
    """Parse a JSON list column."""
    return list(json.loads(text))


class Hub:
    """Service object over one database and one data directory."""

    def __init__(self, config: HubConfig) -> None:
        """Open the store (migrations are applied separately, see `orbitshare.store.db.migrate`)."""
        self.config = config
        self.engine = make_engine(config.db_url)
        self.sessions = session_factory(self.engine)
        self.keys = HubKeys(config.home)
        self._write_lock = threading.Lock()
        self._labels: dict[str, SecurityLabel] = {}
        self._label_texts: dict[str, SecurityLabel] = {}
        self._facts: dict[tuple[str, bytes, str, str], GrantFacts | None] = {}
        self._pubkeys: dict[str, tuple[bytes, str, str, str]] = {}

    def close(self) -> None:
        """Release database connections."""
        self.engine.dispose()

    @contextmanager
    def tx(self) -> Iterator[Session]:
        """One transaction (writes are serialised in-process; the database serialises across processes)."""
        with self._write_lock, self.sessions.begin() as s:
            yield s

    def audit(self, s: Session, event: str, actor: Principal | None = None, **fields: Any) -> None:
        """Append an audit record within transaction `s`."""
        record = {
            "event": event,
            "actor": actor.user_id if actor else None,
            "partner": actor.partner if actor else None,
        }
        record.update({k: v for k, v in fields.items() if v is not None})
        auditlog.append(s, self.keys.audit_key, record)

    def audit_now(self, event: str, actor: Principal | None = None, **fields: Any) -> None:
        """Append an audit record in its own transaction."""
        with self.tx() as s:
            self.audit(s, event, actor, **fields)

    # --- parties and tokens -------------------------------------------------------------------------

    def create_partner(
        self,
        code: str,
        name: str,
        kind: str = "nation",
        memberships: list[str] = (),
        policies: list[str] | None = None,
    ) -> dict[str, Any]:
        """Register a partner; its attributes are its code plus memberships (e.g. NATO, EU)."""
        code = _check_code(code)
        if kind not in ("nation", "organisation"):
            raise Invalid("partner kind must be 'nation' or 'organisation'")
        attrs = sorted({code, *memberships})
        pols = sorted(set(policies if policies is not None else ["NATO", code]))
        with self.tx() as s:
            if s.get(Partner, code):
                raise Conflict(f"partner {code} exists")
            s.add(
                Partner(
                    code=code,
                    name=name,
                    kind=kind,
                    policies=json.dumps(pols),
                    attributes=json.dumps(attrs),
                    created_at=now_utc(),
                )
            )
            self.audit(s, "partner.create", None, subject=code)
        return {"code": code, "name": name, "kind": kind, "policies": pols, "attributes": attrs}

    def create_user(
        self,
        partner: str,
        name: str,
        role: str,
        clearance: str | int = "UNCLASSIFIED",
        purpose: str = "space-domain-awareness",
        by: Principal | None = None,
        oidc_subject: str | None = None,
    ) -> dict[str, Any]:
        """Create a user of `partner` (by its focal point, or by the operator when `by` is None)."""
        if role not in ROLES:
            raise Invalid(f"role must be one of {list(ROLES)}")
        level = _parse_level(clearance)
        if by is not None and (by.role != "focal_point" or by.partner != partner):
            raise Forbidden("only the partner's focal point may add its users")
        uid = _new_id()
        with self.tx() as s:
            if not s.get(Partner, partner):
                raise NotFound(f"unknown partner {partner!r}")
            if oidc_subject and s.execute(select(User.id).where(User.oidc_subject == oidc_subject)).first():
                raise Conflict("that OIDC subject is already bound to a user")
            s.add(
                User(
                    id=uid,
                    partner_code=partner,
                    name=name,
                    role=role,
                    clearance=int(level),
                    purpose=purpose,
                    oidc_subject=oidc_subject,
                    disabled=False,
                    created_at=now_utc(),
                )
            )
            self.audit(s, "user.create", by, subject=uid, role=role)
        return {
            "id": uid,
            "partner": partner,
            "name": name,
            "role": role,
            "clearance": _level_name(level),
            "purpose": purpose,
        }

    def issue_token(
        self, user_id: str, label: str = "api", ttl: timedelta | None = None, by: Principal | None = None
    ) -> dict[str, Any]:
        """Issue an API token; the secret is returned once and only its hash is stored."""
        token = "osh_" + secrets.token_urlsafe(32)
        tid, created = _new_id(), now_utc()
        expires = created + ttl if ttl else None
        with self.tx() as s:
            user = s.get(User, user_id)
            if user is None:
                raise NotFound(f"unknown user {user_id!r}")
            _may_manage(by, user)
            s.add(
                ApiToken(
                    id=tid,
                    user_id=user_id,
                    token_hash=hash_token(token),
                    label=label,
                    created_at=created,
                    expires_at=expires,
                )
            )
            self.audit(s, "token.issue", by, subject=user_id, token=tid)
        return {
            "id": tid,
            "token": token,
            "user_id": user_id,
            "expires_at": cs.iso(expires) if expires else None,
        }

    def revoke_token(self, token_id: str, by: Principal) -> None:
        """Revoke a token at once (its owner or the owner's focal point)."""
        with self.tx() as s:
            tok = s.get(ApiToken, token_id)
            if tok is None:
                raise NotFound(f"unknown token {token_id!r}")
            _may_manage(by, s.get(User, tok.user_id))
            tok.revoked_at = tok.revoked_at or now_utc()
            self.audit(s, "token.revoke", by, token=token_id)

    def authenticate(self, token: str) -> tuple[Principal | None, str]:
        """The principal of an API token, or None with the reason of the refusal."""
        with self.sessions() as s:
            row = s.execute(
                select(ApiToken, User, Partner)
                .join(User, ApiToken.user_id == User.id)
                .join(Partner, User.partner_code == Partner.code)
                .where(ApiToken.token_hash == hash_token(token))
            ).first()
        if row is None:
            return None, "unknown token"
        tok, user, partner = row
        if tok.revoked_at is not None:
            return None, "token revoked"
        if tok.expires_at is not None and tok.expires_at <= now_utc():
            return None, "token expired"
        if user.disabled:
            return None, "user disabled"
        return _principal(user, partner), "ok"

    def principal_for_subject(self, subject: str) -> Principal | None:
        """The principal of an OIDC subject, if a user is bound to it."""
        with self.sessions() as s:
            row = s.execute(
                select(User, Partner)
                .join(Partner, User.partner_code == Partner.code)
                .where(User.oidc_subject == subject)
            ).first()
        if row is None or row[0].disabled:
            return None
        return _principal(*row)

    def partners(self) -> list[dict[str, Any]]:
        """All partners with their focal points."""
        with self.sessions() as s:
            parts = s.execute(select(Partner).order_by(Partner.code)).scalars().all()
            fps = s.execute(select(User).where(User.role == "focal_point")).scalars().all()
        by_partner: dict[str, list[dict[str, str]]] = defaultdict(list)
        for u in fps:
            by_partner[u.partner_code].append({"id": u.id, "name": u.name})
        return [
            {
                "code": p.code,
                "name": p.name,
                "kind": p.kind,
                "policies": _jl(p.policies),
                "attributes": _jl(p.attributes),
                "focal_points": by_partner[p.code],
            }
            for p in parts
        ]

    def users(self, by: Principal) -> list[dict[str, Any]]:
        """Users of the caller's partner (focal points only)."""
        if by.role != "focal_point":
            raise Forbidden("only a focal point may list its partner's users")
        with self.sessions() as s:
            rows = s.execute(select(User).where(User.partner_code == by.partner).order_by(User.name)).scalars()
            return [_user_dict(u) for u in rows]

    # --- products -----------------------------------------------------------------------------------

    def label_of(self, product_id: str, label_json: str) -> SecurityLabel:
        """Parsed label of a product (products are immutable, so labels are cached)."""
        label = self._labels.get(product_id)
        if label is None:
            label = SecurityLabel.from_dict(json.loads(label_json))
            self._labels[product_id] = label
        return label

    def add_product(
        self,
        by: Principal,
        kind: str,
        title: str,
        label: dict[str, Any] | SecurityLabel,
        content: bytes,
        media_type: str = "application/json",
        filename: str | None = None,
        meta: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Store a labelled product; the originator is the uploader's partner."""
        if not by.can_write():
            raise Forbidden("viewers may not upload products")
        if kind not in KINDS:
            raise Invalid(f"kind must be one of {list(KINDS)}")
        lab = _parse_label(label, by.partner)
        pid = _new_id()
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
        with self.tx() as s:
            s.add(row)
            self.audit(s, "product.create", by, product=pid, kind=kind, sha256=row.sha256, label=lab.to_dict())
        self._labels[pid] = lab
        return _product_dict(row, lab)

    def grant_facts(self, s: Session, partner: str, product_id: str | None = None) -> dict[str, list[GrantFacts]]:
        """Verified grant facts naming `partner`, keyed by product id (from signed statements only)."""
        q = select(Grant.id, Grant.product_id, Grant.key_id, Grant.statement, Grant.signature, Grant.revoked_at).where(
            Grant.recipient == partner
        )
        if product_id is not None:
            q = q.where(Grant.product_id == product_id)
        out: dict[str, list[GrantFacts]] = defaultdict(list)
        for gid, pid, kid, stmt, sig, revoked in s.execute(q):
            key = (gid, bytes(stmt), sig, kid)
            if key not in self._facts:
                self._facts[key] = self._verified_facts(s, gid, kid, key[1], sig, False)
            facts = self._facts[key]
            if facts is not None and facts.product_id == pid:
                out[pid].append(replace(facts, revoked=True) if revoked is not None else facts)
        return out

    def _verified_facts(
        self, s: Session, gid: str, kid: str, stmt: bytes, sig: str, revoked: bool
    ) -> GrantFacts | None:
        """Facts of a grant whose signature verifies under a key of the originator's focal point."""
        key = self._signing_key_info(s, kid)
        if key is None:
            return None
        public_raw, _user, key_partner, role = key
        st = cs.verify_statement(stmt, sig, public_raw)
        if st is None or st.grant_id != gid or st.key_id != kid:
            return None
        if key_partner != st.originator or role != "focal_point":
            return None
        return st.facts(revoked)

    def _signing_key_info(self, s: Session, kid: str) -> tuple[bytes, str, str, str] | None:
        """(public key, user id, partner, role) of a signing key, cached."""
        info = self._pubkeys.get(kid)
        if info is None:
            row = s.execute(
                select(SigningKey.public_key, User.id, User.partner_code, User.role)
                .join(User, SigningKey.user_id == User.id)
                .where(SigningKey.key_id == kid)
            ).first()
            if row is None:
                return None
            info = (bytes(row[0]), row[1], row[2], row[3])
            self._pubkeys[kid] = info
        return info

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

    def list_products(
        self,
        who: Principal,
        purpose: str,
        kind: str | None = None,
        q: str | None = None,
        originator: str | None = None,
        limit: int = 100,
        offset: int = 0,
        event: str = "access.list",
    ) -> dict[str, Any]:
        """Products the caller may receive, newest first, filtered and paginated; audited."""
        with self.tx() as s:
            ids, permitted = self._permitted_ids(s, who, purpose, kind, q, originator)
            page_ids = permitted[offset : offset + limit]
            page = self._summaries(s, page_ids)
            digest = hashlib.sha256("\n".join(page_ids).encode()).hexdigest()
            self.audit(
                s,
                event,
                who,
                purpose=purpose,
                kind=kind,
                query=q,
                considered=len(ids),
                permitted=len(permitted),
                denied=len(ids) - len(permitted),
                returned=len(page),
                returned_sha256=digest,
            )
        return {"total": len(permitted), "offset": offset, "limit": limit, "items": page}

    def _permitted_ids(
        self, s: Session, who: Principal, purpose: str, kind: str | None, q: str | None, originator: str | None
    ) -> tuple[list[str], list[str]]:
        """(all matching ids, the ids the release decision permits), newest first."""
        now = now_utc()
        grants = self.grant_facts(s, who.partner)
        ids = list(s.execute(_listing_query(kind, q, originator)).scalars())
        labels = self._labels_for(s, ids)
        clearance, empty = who.clearance, ()
        permitted = [
            pid
            for pid in ids
            if release_decision(
                labels[pid], clearance, product_id=pid, purpose=purpose, grants=grants.get(pid, empty), now=now
            ).permit
        ]
        return ids, permitted

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

    def warm(self) -> int:
        """Load every product's label into the cache (run at start-up); returns how many."""
        with self.sessions() as s:
            ids = list(s.execute(select(Product.id)).scalars())
            self._labels_for(s, ids)
        return len(ids)

    def _summaries(self, s: Session, ids: list[str]) -> list[dict[str, Any]]:
        """Listing views of `ids`, in that order."""
        if not ids:
            return []
        rows = {r.id: r for r in s.execute(_summary_query().where(Product.id.in_(ids)))}
        return [_summary(rows[pid], self._labels[pid]) for pid in ids]

    def get_product(
        self, who: Principal, purpose: str, product_id: str, event: str = "access.read"
    ) -> tuple[dict[str, Any], bytes]:
        """One product (metadata and content) if the decision permits; every decision is audited."""
        with self.tx() as s:
            row = s.get(Product, product_id)
            if row is None:
                self.audit(s, event, who, product=product_id, decision="deny", reason="unknown product")
                refusal: HubError = NotFound(f"no product {product_id}")
            else:
                label = self.label_of(row.id, row.label)
                grants = self.grant_facts(s, who.partner, product_id)
                d = self.decide(who, row.id, label, purpose, grants, now_utc())
                verdict = "permit" if d.permit else "deny"
                self.audit(s, event, who, product=product_id, purpose=purpose, decision=verdict, reason=d.reason.name)
                refusal = Forbidden(f"release refused: {d.reason.value}")
        if row is None or not d.permit:  # raised after the commit, so the refusal stays in the log
            refusal.audited = True
            raise refusal
        info = _product_dict(row, label)
        info["released_by"] = d.reason.name
        return info, bytes(row.content)

    def export(
        self, who: Principal, purpose: str, kind: str | None = None, q: str | None = None, limit: int = 1000
    ) -> list[tuple[dict[str, Any], bytes]]:
        """Bulk export: every permitted product with its content; one audit entry per release."""
        with self.tx() as s:
            ids, permitted = self._permitted_ids(s, who, purpose, kind, q, None)
            out = self._within_budget(s, permitted[:limit], EXPORT_MAX_BYTES)
            self.audit(
                s,
                "access.export.summary",
                who,
                purpose=purpose,
                kind=kind,
                query=q,
                considered=len(ids),
                permitted=len(permitted),
                denied=len(ids) - len(permitted),
                returned=len(out),
            )
            full = {p.id: p for p in s.execute(select(Product).where(Product.id.in_(out))).scalars()} if out else {}
            for pid in out:
                self.audit(s, "access.export", who, product=pid, purpose=purpose, decision="permit")
            return [(_product_dict(full[p], self._labels[p]), bytes(full[p].content)) for p in out]

    def _within_budget(self, s: Session, ids: list[str], budget: int) -> list[str]:
        """The longest prefix of `ids` whose contents fit in `budget` bytes (at least one product)."""
        if not ids:
            return []
        sizes = dict(s.execute(select(Product.id, Product.size).where(Product.id.in_(ids))).all())
        out, total = [], 0
        for pid in ids:
            total += sizes[pid]
            if out and total > budget:
                break
            out.append(pid)
        return out

    def products_by_id(self, ids: list[str]) -> dict[str, Product]:
        """Raw rows by id (for callers that already hold a permit decision)."""
        with self.sessions() as s:
            return {p.id: p for p in s.execute(select(Product).where(Product.id.in_(ids))).scalars()}

    # --- consent ------------------------------------------------------------------------------------

    def request_consent(
        self,
        who: Principal,
        product_id: str,
        recipient: str,
        purpose: str,
        justification: str,
        expires_at: datetime | None = None,
    ) -> dict[str, Any]:
        """Ask the originator's focal point to release a product to `recipient` for `purpose`."""
        if not who.can_write():
            raise Forbidden("viewers may not request releases")
        expires_at = _check_expiry(expires_at)
        with self.tx() as s:
            row, label, partner = self._consent_target(s, product_id, recipient, purpose)
            if who.partner != recipient:
                grants = self.grant_facts(s, who.partner, product_id)
                if (
                    not self.decide(who, product_id, label, who.purpose, grants, now_utc()).permit
                    and not self.decide(who, product_id, label, purpose, grants, now_utc()).permit
                ):
                    raise NotFound(f"no product {product_id}")
            _check_partner_eligible(label, partner, product_id, purpose)
            dup = s.execute(
                select(ConsentRequest.id).where(
                    ConsentRequest.product_id == product_id,
                    ConsentRequest.recipient == recipient,
                    ConsentRequest.purpose == purpose,
                    ConsentRequest.status == "pending",
                )
            ).first()
            if dup:
                raise Conflict(f"a pending request {dup[0]} already asks for this release")
            req = ConsentRequest(
                id=_new_id(),
                product_id=product_id,
                requested_by=who.user_id,
                recipient=recipient,
                originator=row.originator,
                purpose=purpose,
                justification=justification,
                expires_at=expires_at,
                status="pending",
                created_at=now_utc(),
            )
            s.add(req)
            self.audit(
                s,
                "consent.request",
                who,
                product=product_id,
                request=req.id,
                recipient=recipient,
                purpose_requested=purpose,
            )
            return _request_dict(req, row.title)

    def _consent_target(
        self, s: Session, product_id: str, recipient: str, purpose: str
    ) -> tuple[Product, SecurityLabel, Partner]:
        """Product, label and recipient partner of a release, with basic checks."""
        row = s.get(Product, product_id)
        if row is None:
            raise NotFound(f"no product {product_id}")
        partner = s.get(Partner, recipient)
        if partner is None:
            raise NotFound(f"unknown partner {recipient!r}")
        if recipient == row.originator:
            raise Invalid("the originator needs no consent to receive its own product")
        return row, self.label_of(row.id, row.label), partner

    def consent_requests(self, who: Principal, box: str = "inbox", status: str | None = None) -> list[dict[str, Any]]:
        """A focal point's inbox (requests for its partner's products) or the caller's own requests."""
        q = select(ConsentRequest, Product.title).join(Product, ConsentRequest.product_id == Product.id)
        if box == "inbox":
            if who.role != "focal_point":
                raise Forbidden("only focal points have a consent inbox")
            q = q.where(ConsentRequest.originator == who.partner)
        elif box == "outbox":
            q = q.where(ConsentRequest.requested_by == who.user_id)
        else:
            raise Invalid("box must be 'inbox' or 'outbox'")
        if status is not None:
            q = q.where(ConsentRequest.status == status)
        with self.sessions() as s:
            return [_request_dict(r, t) for r, t in s.execute(q.order_by(ConsentRequest.created_at.desc()))]

    def decide_request(
        self,
        who: Principal,
        request_id: str,
        grant: bool,
        note: str | None = None,
        expires_at: datetime | None = None,
    ) -> dict[str, Any]:
        """The originator's focal point grants (signing a statement) or refuses a pending request."""
        with self.tx() as s:
            req = s.get(ConsentRequest, request_id)
            if req is None:
                raise NotFound(f"no consent request {request_id}")
            _require_focal_point(who, req.originator)
            if req.status != "pending":
                raise Conflict(f"request already {req.status}")
            req.status, req.decided_by, req.decided_at, req.decision_note = (
                "granted" if grant else "refused",
                who.user_id,
                now_utc(),
                note,
            )
            if not grant:
                self.audit(s, "consent.refuse", who, product=req.product_id, request=req.id, recipient=req.recipient)
                return {"request": _request_dict(req, None)}
            g = self._issue_grant(
                s, who, req.product_id, req.recipient, req.purpose, expires_at or req.expires_at, req.id
            )
            req.grant_id = g["id"]
            return {"request": _request_dict(req, None), "grant": g}

    def grant_directly(
        self,
        who: Principal,
        product_id: str,
        recipient: str,
        purpose: str,
        expires_at: datetime | None = None,
    ) -> dict[str, Any]:
        """The originator's focal point grants a release without a prior request."""
        with self.tx() as s:
            row = s.get(Product, product_id)
            if row is None:
                raise NotFound(f"no product {product_id}")
            _require_focal_point(who, row.originator)
            return self._issue_grant(s, who, product_id, recipient, purpose, _check_expiry(expires_at), None)

    def _issue_grant(
        self,
        s: Session,
        who: Principal,
        product_id: str,
        recipient: str,
        purpose: str,
        expires_at: datetime,
        request_id: str | None,
    ) -> dict[str, Any]:
        """Sign and store a grant statement inside transaction `s`."""
        row, label, partner = self._consent_target(s, product_id, recipient, purpose)
        _check_partner_eligible(label, partner, product_id, purpose)
        key, kid = self._focal_point_key(s, who)
        issued = now_utc()
        if expires_at <= issued:
            raise Invalid("expires_at must be in the future")
        st = cs.GrantStatement(
            grant_id=_new_id(),
            product_id=product_id,
            product_sha256=row.sha256,
            originator=row.originator,
            recipient=recipient,
            purpose=purpose,
            issued_at=cs.iso(issued),
            expires_at=cs.iso(expires_at),
            signer=who.user_id,
            key_id=kid,
            export_control=label.export_control,
        )
        sig = cs.sign_statement(st, key)
        s.add(
            Grant(
                id=st.grant_id,
                product_id=product_id,
                recipient=recipient,
                originator=row.originator,
                purpose=purpose,
                issued_at=cs.parse_iso(st.issued_at),
                expires_at=cs.parse_iso(st.expires_at),
                signer=who.user_id,
                key_id=kid,
                statement=st.to_bytes(),
                signature=sig,
                request_id=request_id,
            )
        )
        self.audit(
            s,
            "consent.grant",
            who,
            product=product_id,
            grant=st.grant_id,
            recipient=recipient,
            purpose_granted=purpose,
            expires_at=st.expires_at,
            request=request_id,
        )
        return _grant_dict(st, sig, None)

    def _focal_point_key(self, s: Session, who: Principal) -> tuple[Any, str]:
        """The focal point's Ed25519 key, created on first use."""
        row = s.execute(
            select(SigningKey).where(SigningKey.user_id == who.user_id).order_by(SigningKey.created_at.desc()).limit(1)
        ).scalar_one_or_none()
        if row is not None:
            return cs.load_private_key(row.private_pem, self.keys.secret), row.key_id
        key = cs.new_signing_key()
        pub = cs.public_key_raw(key)
        kid = cs.key_id(pub)
        s.add(
            SigningKey(
                key_id=kid,
                user_id=who.user_id,
                public_key=pub,
                private_pem=cs.private_key_pem(key, self.keys.secret),
                created_at=now_utc(),
            )
        )
        s.flush()
        self.audit(s, "key.create", who, key_id=kid, public_key=cs.b64u(pub))
        return key, kid

    def revoke_grant(self, who: Principal, grant_id: str, reason: str | None = None) -> dict[str, Any]:
        """Revoke a grant; the very next decision refuses the release."""
        with self.tx() as s:
            g = s.get(Grant, grant_id)
            if g is None:
                raise NotFound(f"no grant {grant_id}")
            _require_focal_point(who, g.originator)
            if g.revoked_at is None:
                g.revoked_at, g.revoked_by, g.revocation_reason = now_utc(), who.user_id, reason
            self.audit(s, "consent.revoke", who, product=g.product_id, grant=grant_id, recipient=g.recipient)
            return self._grant_row_dict(s, g)

    def grants(self, who: Principal) -> list[dict[str, Any]]:
        """Grants given by or to the caller's partner."""
        with self.sessions() as s:
            rows = (
                s.execute(
                    select(Grant)
                    .where(or_(Grant.originator == who.partner, Grant.recipient == who.partner))
                    .order_by(Grant.issued_at.desc())
                )
                .scalars()
                .all()
            )
            return [self._grant_row_dict(s, g) for g in rows]

    def grant(self, who: Principal, grant_id: str) -> dict[str, Any]:
        """One grant with its statement, signature and public key, for offline verification."""
        with self.sessions() as s:
            g = s.get(Grant, grant_id)
            if g is None or who.partner not in (g.originator, g.recipient):
                raise NotFound(f"no grant {grant_id}")
            return self._grant_row_dict(s, g)

    def _grant_row_dict(self, s: Session, g: Grant) -> dict[str, Any]:
        """API view of a stored grant."""
        st = cs.GrantStatement.from_bytes(bytes(g.statement))
        out = _grant_dict(st, g.signature, g.revoked_at)
        info = self._signing_key_info(s, g.key_id)
        out["public_key"] = cs.b64u(info[0]) if info else None
        out["statement_b64"] = cs.b64u(bytes(g.statement))
        return out

    # --- audit --------------------------------------------------------------------------------------

    def audit_head(self) -> dict[str, Any]:
        """The latest signed tree head and the log's public key."""
        with self.sessions() as s:
            head = auditlog.signed_head(s)
        head["public_key"] = cs.b64u(self.keys.audit_public)
        return head

    def audit_entries(self, who: Principal, start: int = 0, limit: int = 100) -> list[dict[str, Any]]:
        """Entries about the caller's partner (as actor or as originator of the product)."""
        if who.role != "focal_point":
            raise Forbidden("only focal points read the audit log")
        from orbitshare.store.models import AuditEntry

        with self.sessions() as s:
            own = select(Product.id).where(Product.originator == who.partner)
            q = (
                select(AuditEntry)
                .where(AuditEntry.idx >= start)
                .where(or_(AuditEntry.partner == who.partner, AuditEntry.product_id.in_(own)))
                .order_by(AuditEntry.idx)
                .limit(limit)
            )
            return [
                {
                    "index": e.idx,
                    "entry": json.loads(e.payload),
                    "leaf_hash": e.leaf_hash,
                    "tree_head": {"size": e.idx + 1, "root": e.root_hash, "signature": e.signature},
                }
                for e in s.execute(q).scalars()
            ]

    def inclusion(self, index: int, size: int | None = None) -> dict[str, Any]:
        """Inclusion proof of entry `index` in the tree of `size` (default: the whole log)."""
        from orbitshare.sharing import audit as merkle

        with self.sessions() as s:
            hashes = auditlog.leaf_hashes(s, size)
        size = len(hashes) if size is None else size
        if size > len(hashes) or not 0 <= index < size:
            raise Invalid(f"need 0 <= index < size <= {len(hashes)}")
        proof = merkle.inclusion_proof(hashes, index)
        return {
            "index": index,
            "size": size,
            "leaf_hash": hashes[index].hex(),
            "root": merkle.root_from_leaf_hashes(hashes).hex(),
            "proof": [p.hex() for p in proof],
        }

    def consistency(self, first: int, second: int | None = None) -> dict[str, Any]:
        """Consistency proof between tree sizes `first` and `second`."""
        from orbitshare.sharing import audit as merkle

        with self.sessions() as s:
            hashes = auditlog.leaf_hashes(s, second)
        second = len(hashes) if second is None else second
        if second > len(hashes) or not 0 <= first <= second:
            raise Invalid(f"need 0 <= first <= second <= {len(hashes)}")
        return {
            "first": first,
            "second": second,
            "first_root": merkle.root_from_leaf_hashes(hashes[:first]).hex(),
            "second_root": merkle.root_from_leaf_hashes(hashes).hex(),
            "proof": [p.hex() for p in merkle.consistency_proof(hashes, first)],
        }

    def verify_audit(self, checkpoints: list[dict[str, Any]] = ()) -> auditlog.VerifyReport:
        """Verify the whole audit log against the hub's audit key and optional checkpoints."""
        with self.sessions() as s:
            return auditlog.verify(s, self.keys.audit_public, list(checkpoints))

    def counts(self) -> dict[str, int]:
        """Row counts (for status pages and tests)."""
        from orbitshare.store.models import AuditEntry

        with self.sessions() as s:
            return {
                "products": s.scalar(select(func.count()).select_from(Product)) or 0,
                "audit_entries": s.scalar(select(func.count()).select_from(AuditEntry)) or 0,
            }


# --- helpers --------------------------------------------------------------------------------------------


def _check_code(code: str) -> str:
    """Partner codes: 2-16 letters, digits, '-' or '_', upper case."""
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise Invalid("partner code must be 2-16 letters or digits")
    return code.upper()


def _parse_level(value: str | int) -> Classification:
    """Parse a clearance level or raise Invalid."""
    try:
        return Classification.parse(value)
    except ValueError as e:
        raise Invalid(str(e)) from None


def _level_name(level: Classification | int) -> str:
    """Display name of a level."""
    return Classification(level).name.replace("_", " ")


def _parse_label(label: dict[str, Any] | SecurityLabel, partner: str) -> SecurityLabel:
    """Parse a label; the originator is always the uploader's partner."""
    if isinstance(label, SecurityLabel):
        lab = label
    else:
        if not isinstance(label, dict):
            raise Invalid("label must be an object")
        data = dict(label)
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


def _principal(user: User, partner: Partner) -> Principal:
    """Build a principal from its rows."""
    clearance = Clearance(
        partner=partner.code,
        policies=frozenset(_jl(partner.policies)),
        classification=Classification(user.clearance),
        attributes=frozenset(_jl(partner.attributes)),
    )
    return Principal(user.id, user.name, partner.code, user.role, clearance, user.purpose)


def _may_manage(by: Principal | None, user: User | None) -> None:
    """The operator, the user itself or its partner's focal point may manage a user's tokens."""
    if by is None or user is None or by.user_id == user.id:
        return
    if by.role != "focal_point" or by.partner != user.partner_code:
        raise Forbidden("only the user or its partner's focal point may manage its tokens")


def _require_focal_point(who: Principal, partner: str) -> None:
    """Only `partner`'s focal point may decide about its products."""
    if who.role != "focal_point" or who.partner != partner:
        raise Forbidden(f"only the focal point of the originator ({partner}) may decide this")


def _check_expiry(expires_at: datetime | None) -> datetime:
    """Default 90 days; must be in the future and within a year."""
    now = now_utc()
    if expires_at is None:
        return now + timedelta(days=90)
    if expires_at.tzinfo is None:
        expires_at = expires_at.replace(tzinfo=UTC)
    if expires_at <= now:
        raise Invalid("expires_at must be in the future")
    if expires_at > now + timedelta(days=MAX_GRANT_DAYS):
        raise Invalid(f"expires_at must be within {MAX_GRANT_DAYS} days")
    return expires_at


def _check_partner_eligible(label: SecurityLabel, partner: Partner, product_id: str, purpose: str) -> None:
    """Refuse releases the label itself forbids (policy, categories, purpose), consent or not."""
    probe = Clearance(
        partner=partner.code,
        policies=frozenset(_jl(partner.policies)),
        classification=Classification.TOP_SECRET,
        attributes=frozenset(_jl(partner.attributes)),
    )
    now = now_utc()
    fact = GrantFacts(product_id, label.originator, partner.code, purpose, now, now + timedelta(days=1))
    d = release_decision(label, probe, product_id=product_id, purpose=purpose, grants=[fact], now=now)
    if not d.permit:
        raise Invalid(f"the label does not allow release to {partner.code}: {d.reason.value}")


def _listing_query(kind: str | None, q: str | None, originator: str | None):
    """Ids of matching products, newest first."""
    stmt = select(Product.id)
    if kind:
        stmt = stmt.where(Product.kind == kind)
    if originator:
        stmt = stmt.where(Product.originator == originator)
    if q:
        pattern = "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            or_(
                func.lower(Product.title).like(pattern, escape="\\"),
                func.lower(Product.meta).like(pattern, escape="\\"),
            )
        )
    return stmt.order_by(Product.created_at.desc(), Product.id)


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


def _summary(r: Any, label: SecurityLabel) -> dict[str, Any]:
    """Listing view of a product row."""
    return {
        "id": r.id,
        "kind": r.kind,
        "title": r.title,
        "originator": r.originator,
        "created_at": cs.iso(r.created_at),
        "media_type": r.media_type,
        "filename": r.filename,
        "size": r.size,
        "sha256": r.sha256,
        "label": label.to_dict(),
    }


def _product_dict(row: Product, label: SecurityLabel) -> dict[str, Any]:
    """Full metadata view of a product."""
    out = _summary(row, label)
    out["meta"] = json.loads(row.meta)
    return out


def _user_dict(u: User) -> dict[str, Any]:
    """API view of a user."""
    return {
        "id": u.id,
        "partner": u.partner_code,
        "name": u.name,
        "role": u.role,
        "clearance": _level_name(u.clearance),
        "purpose": u.purpose,
        "disabled": u.disabled,
    }


def _request_dict(r: ConsentRequest, title: str | None) -> dict[str, Any]:
    """API view of a consent request."""
    return {
        "id": r.id,
        "product_id": r.product_id,
        "product_title": title,
        "recipient": r.recipient,
        "originator": r.originator,
        "purpose": r.purpose,
        "justification": r.justification,
        "expires_at": cs.iso(r.expires_at),
        "status": r.status,
        "requested_by": r.requested_by,
        "created_at": cs.iso(r.created_at),
        "decided_by": r.decided_by,
        "decided_at": cs.iso(r.decided_at) if r.decided_at else None,
        "note": r.decision_note,
        "grant_id": r.grant_id,
    }


def _grant_dict(st: cs.GrantStatement, sig: str, revoked_at: datetime | None) -> dict[str, Any]:
    """API view of a grant."""
    return {
        "id": st.grant_id,
        "product_id": st.product_id,
        "originator": st.originator,
        "recipient": st.recipient,
        "purpose": st.purpose,
        "issued_at": st.issued_at,
        "expires_at": st.expires_at,
        "signer": st.signer,
        "key_id": st.key_id,
        "signature": sig,
        "statement": json.loads(st.to_bytes()),
        "revoked": revoked_at is not None,
        "revoked_at": cs.iso(revoked_at) if revoked_at else None,
    }
