"""Consent: requests to release a product to a third party, signed grants and their revocation."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from orbitshare.service.common import (
    DEFAULT_GRANT_DAYS,
    MAX_GRANT_DAYS,
    Conflict,
    Context,
    Forbidden,
    Invalid,
    NotFound,
    Principal,
    json_list,
    new_id,
    now_utc,
)
from orbitshare.service.grants import GrantReader, statement_sha256
from orbitshare.service.products import ProductService, log_refusal
from orbitshare.sharing import consent as cs
from orbitshare.sharing.labels import Classification, Clearance, GrantFacts, SecurityLabel, release_decision
from orbitshare.store.models import ConsentRequest, Grant, Partner, Product, Revocation, SigningKey

__all__ = ["ConsentRequestInfo", "ConsentService", "DecisionResult", "GrantInfo", "check_expiry"]


@dataclass(frozen=True)
class ConsentRequestInfo:
    """A consent request and its state."""

    id: str
    product_id: str
    product_title: str | None
    recipient: str
    originator: str
    purpose: str
    justification: str
    expires_at: str
    status: str
    requested_by: str
    created_at: str
    decided_by: str | None
    decided_at: str | None
    note: str | None
    grant_id: str | None


@dataclass(frozen=True)
class GrantInfo:
    """A signed consent grant, with what an offline verifier needs."""

    id: str
    product_id: str
    originator: str
    recipient: str
    purpose: str
    issued_at: str
    expires_at: str
    signer: str
    key_id: str
    signature: str
    statement: dict[str, Any]
    revoked: bool
    revoked_at: str | None
    public_key: str | None = None
    statement_b64: str | None = None


@dataclass(frozen=True)
class DecisionResult:
    """The outcome of deciding a request: the request, and the grant when granted."""

    request: ConsentRequestInfo
    grant: GrantInfo | None = None


class ConsentService:
    """Consent requests, grants signed by the originator's focal point, and revocation."""

    def __init__(self, ctx: Context, products: ProductService, grants: GrantReader) -> None:
        """Work over the shared context, the product service (labels, decisions) and the grant reader."""
        self.ctx = ctx
        self.products = products
        self.grants_reader = grants

    def request(
        self,
        who: Principal,
        product_id: str,
        recipient: str,
        purpose: str,
        justification: str,
        expires_at: datetime | None = None,
    ) -> ConsentRequestInfo:
        """Ask the originator's focal point to release a product to `recipient` for `purpose`."""
        if not who.can_write():
            raise Forbidden("viewers may not request releases")
        expires_at = check_expiry(expires_at)
        with self.ctx.tx() as s:
            partner = s.get(Partner, recipient)
            if partner is None:
                raise NotFound(f"unknown partner {recipient!r}")
            row = s.get(Product, product_id)
            refusal, sees = ("unknown product", False) if row is None else (None, True)
            if row is not None:
                label = self.products.label_of(row.id, row.label)
                sees = self.products.visible(s, who, product_id, label, who.purpose, purpose)
                refusal = None if sees else _hidden_refusal(label, row, partner, who.partner, purpose)
            if refusal is not None:  # answered and audited like a missing product (see log_refusal)
                log_refusal(self.ctx, s, "consent.request", who, product_id, refusal, purpose)
            else:
                assert row is not None  # no refusal means the product exists
                if recipient == row.originator:
                    raise Invalid("the originator needs no consent to receive its own product")
                req = self._new_request(s, who, row, partner, purpose, justification, expires_at)
        if refusal is not None:
            raise NotFound(f"no product {product_id}")
        return _request_info(req, row.title if sees and row is not None else None)

    def _new_request(
        self,
        s: Session,
        who: Principal,
        row: Product,
        partner: Partner,
        purpose: str,
        justification: str,
        expires_at: datetime,
    ) -> ConsentRequest:
        """Check and store a pending request inside transaction `s` (audited)."""
        _check_partner_eligible(self.products.label_of(row.id, row.label), partner, row.id, purpose)
        recipient = partner.code
        dup = s.execute(
            select(ConsentRequest.id).where(
                ConsentRequest.product_id == row.id,
                ConsentRequest.recipient == recipient,
                ConsentRequest.purpose == purpose,
                ConsentRequest.status == "pending",
            )
        ).first()
        if dup:
            raise Conflict(f"a pending request {dup[0]} already asks for this release")
        req = ConsentRequest(
            id=new_id(),
            product_id=row.id,
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
        self.ctx.log(
            s, "consent.request", who, product=row.id, request=req.id, recipient=recipient, purpose_requested=purpose
        )
        return req

    def _target(
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
        return row, self.products.label_of(row.id, row.label), partner

    def requests(self, who: Principal, box: str = "inbox", status: str | None = None) -> list[ConsentRequestInfo]:
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
        with self.ctx.sessions() as s:
            rows = s.execute(q.order_by(ConsentRequest.created_at.desc())).all()
            return [_request_info(r, t if box == "inbox" or self._sees(s, who, r) else None) for r, t in rows]

    def _sees(self, s: Session, who: Principal, r: ConsentRequest) -> bool:
        """Whether the requester may now receive the product of its request (else it sees only the id)."""
        row_label = s.execute(select(Product.label).where(Product.id == r.product_id)).scalar_one()
        label = self.products.label_of(r.product_id, row_label)
        return self.products.visible(s, who, r.product_id, label, who.purpose, r.purpose)

    def decide(
        self,
        who: Principal,
        request_id: str,
        grant: bool,
        note: str | None = None,
        expires_at: datetime | None = None,
    ) -> DecisionResult:
        """The originator's focal point grants (signing a statement) or refuses a pending request."""
        with self.ctx.tx() as s:
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
                self.ctx.log(s, "consent.refuse", who, product=req.product_id, request=req.id, recipient=req.recipient)
                return DecisionResult(_request_info(req, None))
            expires = check_expiry(expires_at if expires_at is not None else req.expires_at)
            g = self._issue(s, who, req.product_id, req.recipient, req.purpose, expires, req.id)
            req.grant_id = g.id
            return DecisionResult(_request_info(req, None), g)

    def grant_directly(
        self,
        who: Principal,
        product_id: str,
        recipient: str,
        purpose: str,
        expires_at: datetime | None = None,
    ) -> GrantInfo:
        """The originator's focal point grants a release without a prior request."""
        with self.ctx.tx() as s:
            row = s.get(Product, product_id)
            if row is None:
                raise NotFound(f"no product {product_id}")
            _require_focal_point(who, row.originator)
            return self._issue(s, who, product_id, recipient, purpose, check_expiry(expires_at), None)

    def issue_in(
        self,
        s: Session,
        signer: Principal,
        product_id: str,
        recipient: str,
        purpose: str,
        expires_at: datetime,
        request_id: str | None,
    ) -> GrantInfo:
        """Sign and store a grant inside the caller's transaction `s` with `signer`'s focal-point key (audited).

        For services that hold a focal point's prior signed statement authorising this release (an accepted
        tasking names its products' recipient, purpose and release period); `request_id` names that statement.
        """
        if signer.role != "focal_point":
            raise Forbidden("only a focal point signs consent grants")
        return self._issue(s, signer, product_id, recipient, purpose, check_expiry(expires_at), request_id)

    def focal_point_key(self, s: Session, who: Principal) -> tuple[Any, str]:
        """The focal point's Ed25519 private key and key id, created on first use (inside transaction `s`)."""
        if who.role != "focal_point":
            raise Forbidden("only focal points hold signing keys")
        return self._focal_point_key(s, who)

    def _issue(
        self,
        s: Session,
        who: Principal,
        product_id: str,
        recipient: str,
        purpose: str,
        expires_at: datetime,
        request_id: str | None,
    ) -> GrantInfo:
        """Sign and store a grant statement inside transaction `s`."""
        row, label, partner = self._target(s, product_id, recipient, purpose)
        _check_partner_eligible(label, partner, product_id, purpose)
        key, kid = self._focal_point_key(s, who)
        issued = now_utc()
        st = cs.GrantStatement(
            grant_id=new_id(),
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
        self.ctx.log(
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
        return _grant_info(st, sig, None)

    def _focal_point_key(self, s: Session, who: Principal) -> tuple[Any, str]:
        """The focal point's Ed25519 key, created on first use."""
        row = s.execute(
            select(SigningKey).where(SigningKey.user_id == who.user_id).order_by(SigningKey.created_at.desc()).limit(1)
        ).scalar_one_or_none()
        if row is not None:
            return cs.load_private_key(row.private_pem, self.ctx.keys.secret), row.key_id
        key = cs.new_signing_key()
        pub = cs.public_key_raw(key)
        kid = cs.key_id(pub)
        s.add(
            SigningKey(
                key_id=kid,
                user_id=who.user_id,
                public_key=pub,
                private_pem=cs.private_key_pem(key, self.ctx.keys.secret),
                created_at=now_utc(),
            )
        )
        s.flush()
        self.ctx.log(s, "key.create", who, key_id=kid, public_key=cs.b64u(pub))
        return key, kid

    def revoke(self, who: Principal, grant_id: str, reason: str | None = None) -> GrantInfo:
        """Revoke a grant with a signed revocation statement; the very next decision refuses the release."""
        with self.ctx.tx() as s:
            g = s.get(Grant, grant_id)
            if g is None:
                raise NotFound(f"no grant {grant_id}")
            _require_focal_point(who, g.originator)
            now = now_utc()
            if g.revoked_at is None:
                g.revoked_at, g.revoked_by, g.revocation_reason = now, who.user_id, reason
            rev = s.get(Revocation, grant_id)
            if rev is None:
                rev = self._sign_revocation(s, who, g, now)
            self.ctx.log(
                s,
                "consent.revoke",
                who,
                product=g.product_id,
                grant=grant_id,
                recipient=g.recipient,
                revocation_sha256=hashlib.sha256(bytes(rev.statement)).hexdigest(),
            )
            return self._stored_info(s, g)

    def _sign_revocation(self, s: Session, who: Principal, g: Grant, now: datetime) -> Revocation:
        """Sign and store the revocation statement of grant `g` with the focal point's key."""
        grant = cs.GrantStatement.from_bytes(bytes(g.statement))
        key, kid = self._focal_point_key(s, who)
        st = cs.RevocationStatement(
            grant_id=g.id,
            grant_sha256=statement_sha256(grant),
            product_id=g.product_id,
            originator=g.originator,
            recipient=g.recipient,
            revoked_at=cs.iso(now),
            signer=who.user_id,
            key_id=kid,
        )
        rev = Revocation(
            grant_id=g.id, key_id=kid, statement=st.to_bytes(), signature=cs.sign_statement(st, key), created_at=now
        )
        s.add(rev)
        return rev

    def grants(self, who: Principal) -> list[GrantInfo]:
        """Grants given by or to the caller's partner."""
        with self.ctx.sessions() as s:
            rows = (
                s.execute(
                    select(Grant)
                    .where(or_(Grant.originator == who.partner, Grant.recipient == who.partner))
                    .order_by(Grant.issued_at.desc())
                )
                .scalars()
                .all()
            )
            return [self._stored_info(s, g) for g in rows]

    def grant(self, who: Principal, grant_id: str) -> GrantInfo:
        """One grant with its statement, signature and public key, for offline verification."""
        with self.ctx.sessions() as s:
            g = s.get(Grant, grant_id)
            if g is None or who.partner not in (g.originator, g.recipient):
                raise NotFound(f"no grant {grant_id}")
            return self._stored_info(s, g)

    def _stored_info(self, s: Session, g: Grant) -> GrantInfo:
        """API view of a stored grant (revoked when its row or a stored revocation statement says so)."""
        st = cs.GrantStatement.from_bytes(bytes(g.statement))
        info = self.grants_reader.signing_key(s, g.key_id)
        revoked_at = g.revoked_at
        rev = s.get(Revocation, g.id)
        if revoked_at is None and rev is not None:
            signed = self.grants_reader.revocation(s, rev, st)
            revoked_at = cs.parse_iso(signed.revoked_at) if signed else rev.created_at
        return _grant_info(st, g.signature, revoked_at, cs.b64u(info[0]) if info else None, cs.b64u(bytes(g.statement)))


def _hidden_refusal(
    label: SecurityLabel, row: Product, partner: Partner, requester_partner: str, purpose: str
) -> str | None:
    """Why a requester that cannot see the product may not ask for it (None: it may, for its own partner)."""
    if partner.code == row.originator:
        return "the originator needs no consent"
    if partner.code != requester_partner:
        return "requester may not receive the product"
    try:
        _check_partner_eligible(label, partner, row.id, purpose)
    except Invalid as e:
        return e.message
    return None


def _require_focal_point(who: Principal, partner: str) -> None:
    """Only `partner`'s focal point may decide about its products."""
    if who.role != "focal_point" or who.partner != partner:
        raise Forbidden(f"only the focal point of the originator ({partner}) may decide this")


def check_expiry(expires_at: datetime | None, now: datetime | None = None) -> datetime:
    """The one expiry rule of every request and grant: a zoned time in the future, at most 366 days away.

    No time means 90 days from now; a time without a zone is refused, as its instant is unknown.
    """
    now = now_utc() if now is None else now
    if expires_at is None:
        return now + timedelta(days=DEFAULT_GRANT_DAYS)
    if expires_at.tzinfo is None or expires_at.utcoffset() is None:
        raise Invalid("expires_at needs a time zone (e.g. 2027-01-31T12:00:00Z)")
    if expires_at <= now:
        raise Invalid("expires_at must be in the future")
    if expires_at > now + timedelta(days=MAX_GRANT_DAYS):
        raise Invalid(f"expires_at must be within {MAX_GRANT_DAYS} days")
    return expires_at.astimezone(UTC)


def _check_partner_eligible(label: SecurityLabel, partner: Partner, product_id: str, purpose: str) -> None:
    """Refuse releases the label itself forbids (policy, categories, purpose), consent or not."""
    probe = Clearance(
        partner=partner.code,
        policies=frozenset(json_list(partner.policies)),
        classification=Classification.TOP_SECRET,
        attributes=frozenset(json_list(partner.attributes)),
    )
    now = now_utc()
    fact = GrantFacts(product_id, label.originator, partner.code, purpose, now, now + timedelta(days=1))
    d = release_decision(label, probe, product_id=product_id, purpose=purpose, grants=[fact], now=now)
    if not d.permit:
        raise Invalid(f"the label does not allow release to {partner.code}: {d.reason.value}")


def _request_info(r: ConsentRequest, title: str | None) -> ConsentRequestInfo:
    """API view of a consent request."""
    return ConsentRequestInfo(
        r.id,
        r.product_id,
        title,
        r.recipient,
        r.originator,
        r.purpose,
        r.justification,
        cs.iso(r.expires_at),
        r.status,
        r.requested_by,
        cs.iso(r.created_at),
        r.decided_by,
        cs.iso(r.decided_at) if r.decided_at else None,
        r.decision_note,
        r.grant_id,
    )


def _grant_info(
    st: cs.GrantStatement,
    sig: str,
    revoked_at: datetime | None,
    public_key: str | None = None,
    statement_b64: str | None = None,
) -> GrantInfo:
    """API view of a grant."""
    return GrantInfo(
        st.grant_id,
        st.product_id,
        st.originator,
        st.recipient,
        st.purpose,
        st.issued_at,
        st.expires_at,
        st.signer,
        st.key_id,
        sig,
        json.loads(st.to_bytes()),
        revoked_at is not None,
        cs.iso(revoked_at) if revoked_at else None,
        public_key,
        statement_b64,
    )
