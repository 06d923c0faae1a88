"""Tasking across partners: a partner asks another partner's asset for an acquisition, and its lifecycle.

States and who moves each step (anything else is refused; no state is skipped):

    requested --accept/decline (owner's focal point, signed)--> accepted | declined
    accepted  --plan (owner)--> planned --acquire (owner)--> acquired --deliver (owner)--> delivered
    requested --cancel (requester)--> cancelled;  accepted | planned --cancel (requester or owner's focal point)

Acceptance is a signed statement of the owner's focal point: it commits the asset and, in the same statement,
consents to release the tasking's products to the requester for the stated purpose until `release_until`.
On delivery each product (labelled by the owner) is released by an ordinary consent grant signed with the
accepting focal point's key and naming the tasking as its request, so the existing release decision decides
every read: the requester receives the products, nobody else does, and revoking the grant withdraws them.
Every state change is an entry of the tamper-evident audit log, and a tasking's history is read from there.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from orbitshare.service.common import (
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
from orbitshare.service.consent import ConsentService, check_expiry
from orbitshare.service.grants import GrantReader
from orbitshare.sharing import consent as cs
from orbitshare.sharing.labels import Classification, Clearance
from orbitshare.store.models import AuditEntry, Partner, Product, Tasking, TaskingProduct, User

__all__ = [
    "ACCEPTANCE_TYPE",
    "STATES",
    "TRANSITIONS",
    "URGENCIES",
    "AcceptanceStatement",
    "EmergencyCandidate",
    "HistoryEntry",
    "TaskingInfo",
    "TaskingService",
    "check_aoi",
]

ACCEPTANCE_TYPE = "orbitshare.tasking-acceptance/v1"
STATES = ("requested", "accepted", "declined", "planned", "acquired", "delivered", "cancelled")
URGENCIES = ("emergency", "urgent", "priority", "routine")  # most urgent first (inbox order)
#: (from, to) -> which side moves it: "owner_fp" (the owner's focal point), "owner" (a writer of the owner),
#: "requester" (a writer of the requesting partner), "either" (requester, or the owner's focal point).
TRANSITIONS: dict[tuple[str, str], str] = {
    ("requested", "accepted"): "owner_fp",
    ("requested", "declined"): "owner_fp",
    ("requested", "cancelled"): "requester",
    ("accepted", "planned"): "owner",
    ("accepted", "cancelled"): "either",
    ("planned", "acquired"): "owner",
    ("planned", "cancelled"): "either",
    ("acquired", "delivered"): "owner",
}
MAX_WINDOW_DAYS = 366
CLOCK_SKEW = timedelta(minutes=5)  # an acquisition reported this far in the future is still accepted


@dataclass(frozen=True, slots=True)
class AcceptanceStatement:
    """What the owner's focal point signs: the asset is committed, and the products may reach the requester."""

    tasking_id: str
    asset_id: str
    owner: str
    requester: str
    purpose: str
    aoi_sha256: str
    window_start: str
    window_end: str
    accepted_at: str
    release_to: str
    release_purpose: str
    release_until: str
    signer: str
    key_id: str
    type: str = ACCEPTANCE_TYPE

    def to_bytes(self) -> bytes:
        """Canonical bytes that are signed."""
        return cs.canonical_json(asdict(self))

    @classmethod
    def from_bytes(cls, data: bytes) -> AcceptanceStatement:
        """Parse canonical bytes; raises ValueError when not an acceptance statement."""
        obj = json.loads(data)
        if not isinstance(obj, dict) or obj.get("type") != ACCEPTANCE_TYPE:
            raise ValueError("not a tasking acceptance statement")
        return cls(**obj)


@dataclass(frozen=True)
class HistoryEntry:
    """One lifecycle step as the audit log records it (index: the entry's position, for inclusion proofs)."""

    index: int
    time: str
    event: str
    status: str
    actor: str | None
    partner: str | None
    note: str | None = None


@dataclass(frozen=True)
class TaskingInfo:
    """A tasking, its state, its signed acceptance and delivered products, and (in full views) its history."""

    id: str
    asset_id: str
    owner: str
    requester: str
    requested_by: str
    purpose: str
    aoi: dict[str, Any]
    window_start: str
    window_end: str
    urgency: str
    event_type: str | None
    justification: str
    status: str
    created_at: str
    updated_at: str
    decided_by: str | None
    decided_at: str | None
    decision_note: str | None
    release_until: str | None
    planned_time: str | None
    plan_ref: str | None
    acquired_time: str | None
    delivered_at: str | None
    cancelled_at: str | None
    cancel_reason: str | None
    products: list[dict[str, str]] = field(default_factory=list)
    acceptance: dict[str, Any] | None = None
    acceptance_b64: str | None = None
    acceptance_signature: str | None = None
    acceptance_public_key: str | None = None
    acceptance_valid: bool | None = None
    history: list[HistoryEntry] | None = None


@dataclass(frozen=True)
class EmergencyCandidate:
    """An emergency-use asset chosen by an activation, with its earliest feasible access (UTC)."""

    asset_id: str
    owner: str
    first_access: datetime
    access_end: datetime


class TaskingService:
    """Tasking requests, the owner's signed decisions, the lifecycle, and release of the products."""

    def __init__(self, ctx: Context, consent: ConsentService, grants: GrantReader) -> None:
        """Work over the shared context; `consent` signs keys and grants, `grants` reads signing keys."""
        self.ctx = ctx
        self.consent = consent
        self.grants = grants

    # --- requests -------------------------------------------------------------------------------------

    def request(
        self,
        who: Principal,
        asset_id: str,
        owner: str,
        aoi: dict[str, Any],
        window_start: datetime,
        window_end: datetime,
        purpose: str | None = None,
        urgency: str = "routine",
        justification: str = "",
        event_type: str | None = None,
    ) -> TaskingInfo:
        """Ask `owner`'s asset `asset_id` (the owner as the asset registry says) for an acquisition of `aoi`."""
        with self.ctx.tx() as s:
            row = self._new(s, who, asset_id, owner, aoi, window_start, window_end, purpose, urgency,
                            justification, event_type)
            return self._info(s, row)

    def _new(
        self,
        s: Session,
        who: Principal,
        asset_id: str,
        owner: str,
        aoi: dict[str, Any],
        window_start: datetime,
        window_end: datetime,
        purpose: str | None,
        urgency: str,
        justification: str,
        event_type: str | None,
        activation: str | None = None,
    ) -> Tasking:
        """Check and store one request inside transaction `s` (audited)."""
        if not who.can_write():
            raise Forbidden("viewers may not request taskings")
        if not isinstance(asset_id, str) or not asset_id.strip() or len(asset_id) > 64:
            raise Invalid("asset_id must be 1-64 characters")
        if s.get(Partner, owner) is None:
            raise Invalid(f"asset_id: the owner of {asset_id!r} ({owner}) is not a partner of this hub")
        if owner == who.partner:
            raise Invalid(f"asset_id: {asset_id!r} belongs to your own partner ({owner}); plan it directly")
        if urgency not in URGENCIES:
            raise Invalid(f"urgency must be one of {list(URGENCIES)}")
        purpose = (purpose or who.purpose).strip()
        if not purpose or len(purpose) > 100:
            raise Invalid("purpose must be 1-100 characters")
        start, end = _window(window_start, window_end)
        now = now_utc()
        row = Tasking(
            id=new_id(),
            asset_id=asset_id.strip(),
            owner=owner,
            requester=who.partner,
            requested_by=who.user_id,
            purpose=purpose,
            aoi=cs.canonical_json(check_aoi(aoi)).decode(),
            window_start=start,
            window_end=end,
            urgency=urgency,
            event_type=event_type,
            justification=justification,
            status="requested",
            created_at=now,
            updated_at=now,
        )
        s.add(row)
        self._log(s, "tasking.request", who, row, None, activation=activation, urgency=urgency,
                  event_type=event_type, window_start=cs.iso(start), window_end=cs.iso(end))
        return row

    def activate(
        self,
        who: Principal,
        aoi: dict[str, Any],
        event_type: str,
        urgency: str,
        candidates: Sequence[EmergencyCandidate],
        horizon_end: datetime,
        purpose: str | None = None,
        justification: str = "",
    ) -> tuple[str, list[TaskingInfo]]:
        """Record an emergency activation and request every chosen asset of another partner (one transaction).

        `candidates` come ranked from the activation plan (assets whose owners pre-agreed emergency use);
        each request's window runs from now to `horizon_end`. The caller's own assets and assets of owners that
        are not partners of this hub are planned but not requested. Returns the activation id and the requests.
        """
        if not who.can_write():
            raise Forbidden("viewers may not activate emergency tasking")
        if not isinstance(event_type, str) or not event_type.strip() or len(event_type) > 40:
            raise Invalid("event_type must be 1-40 characters")
        if urgency not in URGENCIES:
            raise Invalid(f"urgency must be one of {list(URGENCIES)}")
        activation = new_id()
        now = now_utc()
        with self.ctx.tx() as s:
            rows = [
                self._new(s, who, c.asset_id, c.owner, aoi, now, horizon_end, purpose, urgency,
                          justification, event_type.strip(), activation)
                for c in candidates
                if c.owner != who.partner and s.get(Partner, c.owner) is not None
            ]
            self.ctx.log(s, "tasking.activate", who, activation=activation, event_type=event_type.strip(),
                         urgency=urgency, assets=[c.asset_id for c in candidates],
                         first_access=cs.iso(candidates[0].first_access) if candidates else None,
                         taskings=[r.id for r in rows])
            return activation, [self._info(s, r) for r in rows]

    # --- decisions and lifecycle ----------------------------------------------------------------------

    def decide(
        self,
        who: Principal,
        tasking_id: str,
        accept: bool,
        note: str | None = None,
        release_until: datetime | None = None,
    ) -> TaskingInfo:
        """The owner's focal point accepts (signing the acceptance and release statement) or declines."""
        with self.ctx.tx() as s:
            row = self._visible(s, who, tasking_id)
            to = "accepted" if accept else "declined"
            self._check_move(who, row, to)
            now = now_utc()
            row.decided_by, row.decided_at, row.decision_note = who.user_id, now, note
            if accept:
                until = check_expiry(release_until, now)
                key, kid = self.consent.focal_point_key(s, who)
                st = AcceptanceStatement(
                    tasking_id=row.id,
                    asset_id=row.asset_id,
                    owner=row.owner,
                    requester=row.requester,
                    purpose=row.purpose,
                    aoi_sha256=hashlib.sha256(row.aoi.encode()).hexdigest(),
                    window_start=cs.iso(row.window_start),
                    window_end=cs.iso(row.window_end),
                    accepted_at=cs.iso(now),
                    release_to=row.requester,
                    release_purpose=row.purpose,
                    release_until=cs.iso(until),
                    signer=who.user_id,
                    key_id=kid,
                )
                row.acceptance, row.key_id = st.to_bytes(), kid
                row.acceptance_signature = cs.b64u(key.sign(st.to_bytes()))
                row.release_until = cs.parse_iso(st.release_until)
            signed = bytes(row.acceptance) if accept and row.acceptance is not None else None
            self._move(s, who, row, to, now, note=note,
                       acceptance_sha256=hashlib.sha256(signed).hexdigest() if signed else None,
                       release_until=_iso(row.release_until) if signed else None)
            return self._info(s, row)

    def advance(
        self,
        who: Principal,
        tasking_id: str,
        to: str,
        *,
        planned_time: datetime | None = None,
        plan_ref: str | None = None,
        acquired_time: datetime | None = None,
        product_ids: Sequence[str] = (),
        reason: str | None = None,
    ) -> TaskingInfo:
        """Move a tasking one step: planned (planned_time), acquired (acquired_time), delivered (product_ids), or
        cancelled (reason); accept and decline go through `decide`."""
        if to not in STATES:
            raise Invalid(f"status must be one of {list(STATES)}")
        if to in ("accepted", "declined"):
            raise Invalid("status: accept or decline with a signed decision (decide), not advance")
        with self.ctx.tx() as s:
            row = self._visible(s, who, tasking_id)
            self._check_move(who, row, to)
            now = now_utc()
            extra: dict[str, Any] = {}
            if to == "planned":
                row.planned_time = self._plan_fields(row, planned_time, plan_ref)
                row.plan_ref, row.planned_at = plan_ref, now
                extra = {"planned_time": cs.iso(row.planned_time), "plan_ref": plan_ref}
            elif to == "acquired":
                row.acquired_time, row.acquired_at = _acquired(acquired_time, row, now), now
                extra = {"acquired_time": cs.iso(row.acquired_time)}
            elif to == "delivered":
                extra = {"products": self._deliver(s, row, product_ids, now)}
                row.delivered_at = now
            else:
                row.cancelled_at, row.cancelled_by, row.cancel_reason = now, who.user_id, reason
            self._move(s, who, row, to, now, note=reason, **extra)
            return self._info(s, row)

    def _plan_fields(self, row: Tasking, planned_time: datetime | None, plan_ref: str | None) -> datetime:
        """The planned acquisition time, inside the requested window."""
        if planned_time is None:
            raise Invalid("planned_time: required to enter the plan")
        t = _aware(planned_time, "planned_time")
        if not row.window_start <= t <= row.window_end:
            raise Invalid(f"planned_time: {cs.iso(t)} is outside the requested window "
                          f"{cs.iso(row.window_start)} to {cs.iso(row.window_end)}")
        if plan_ref is not None and len(plan_ref) > 200:
            raise Invalid("plan_ref: at most 200 characters")
        return t

    def _deliver(self, s: Session, row: Tasking, product_ids: Sequence[str], now: datetime) -> list[dict[str, str]]:
        """Release each product to the requester by a grant signed under the acceptance; returns what was released."""
        if not product_ids:
            raise Invalid("product_ids: deliver at least one product")
        if len(set(product_ids)) != len(product_ids):
            raise Invalid("product_ids: a product is listed twice")
        if row.release_until is None or row.release_until <= now:
            raise Conflict("the acceptance's release period has ended; the owner's focal point must grant directly")
        signer = self._signer(s, row)
        out = []
        for i, pid in enumerate(product_ids):
            product = s.get(Product, pid)
            if product is None or product.originator != row.owner:
                raise Invalid(f"product_ids[{i}]: {pid} is not a product labelled by the owner ({row.owner})")
            try:
                g = self.consent.issue_in(s, signer, pid, row.requester, row.purpose, row.release_until, row.id)
            except Invalid as e:
                raise Invalid(f"product_ids[{i}]: {e.message}") from None
            s.add(TaskingProduct(tasking_id=row.id, product_id=pid, grant_id=g.id, created_at=now))
            out.append({"product_id": pid, "grant_id": g.id})
        return out

    def _signer(self, s: Session, row: Tasking) -> Principal:
        """The focal point who accepted, as the principal that signs the release grants."""
        user = s.get(User, row.decided_by) if row.decided_by else None
        partner = s.get(Partner, row.owner)
        if user is None or partner is None or user.disabled or user.role != "focal_point" \
                or user.partner_code != row.owner:
            raise Conflict("the focal point who accepted can no longer sign; the owner's focal point must grant "
                           "the products directly")
        clearance = Clearance(row.owner, frozenset(json_list(partner.policies)), Classification(user.clearance),
                              frozenset(json_list(partner.attributes)))
        return Principal(user.id, user.name, row.owner, user.role, clearance, user.purpose)

    def _check_move(self, who: Principal, row: Tasking, to: str) -> None:
        """Refuse a move that skips a state (409) or that `who` may not make (403)."""
        side = TRANSITIONS.get((row.status, to))
        if side is None:
            nxt = [b for (a, b) in TRANSITIONS if a == row.status]
            allowed = f"; from {row.status} it may go to {', '.join(nxt)}" if nxt else " (final)"
            raise Conflict(f"tasking is {row.status}: it cannot become {to}{allowed}")
        owner_fp = who.role == "focal_point" and who.partner == row.owner
        owner = who.can_write() and who.partner == row.owner
        requester = who.can_write() and who.partner == row.requester
        allowed_ = {"owner_fp": owner_fp, "owner": owner, "requester": requester, "either": requester or owner_fp}
        if not allowed_[side]:
            whom = {
                "owner_fp": f"the focal point of the owner ({row.owner})",
                "owner": f"the owner ({row.owner}), analyst or focal point",
                "requester": f"the requester ({row.requester}), analyst or focal point",
                "either": f"the requester ({row.requester}) or the owner's focal point ({row.owner})",
            }[side]
            raise Forbidden(f"only {whom} may move a tasking from {row.status} to {to}")

    def _move(self, s: Session, who: Principal, row: Tasking, to: str, now: datetime, **fields: Any) -> None:
        """Set the new state and write its audit entry."""
        before = row.status
        row.status, row.updated_at = to, now
        self._log(s, f"tasking.{_EVENTS[to]}", who, row, before, **fields)

    def _log(self, s: Session, event: str, who: Principal, row: Tasking, before: str | None, **fields: Any) -> None:
        """One audit entry of a lifecycle step."""
        self.ctx.log(s, event, who, tasking=row.id, asset=row.asset_id, owner=row.owner, requester=row.requester,
                     status=row.status, previous=before, **fields)

    # --- reading --------------------------------------------------------------------------------------

    def taskings(self, who: Principal, box: str = "all", status: str | None = None) -> list[TaskingInfo]:
        """Taskings of the caller's partner: inbox (awaiting its focal point's decision, most urgent first),
        owned (on its assets), outbox (it asked for) or all of them."""
        q = select(Tasking)
        if box == "inbox":
            if who.role != "focal_point":
                raise Forbidden("only focal points have a tasking inbox")
            q = q.where(Tasking.owner == who.partner, Tasking.status == "requested")
        elif box == "owned":
            q = q.where(Tasking.owner == who.partner)
        elif box == "outbox":
            q = q.where(Tasking.requester == who.partner)
        elif box == "all":
            q = q.where(or_(Tasking.owner == who.partner, Tasking.requester == who.partner))
        else:
            raise Invalid("box must be one of inbox, owned, outbox, all")
        if status is not None:
            if status not in STATES:
                raise Invalid(f"status must be one of {list(STATES)}")
            q = q.where(Tasking.status == status)
        with self.ctx.sessions() as s:
            rows = list(s.execute(q.order_by(Tasking.created_at.desc(), Tasking.id)).scalars())
            if box == "inbox":
                rows.sort(key=lambda r: URGENCIES.index(r.urgency) if r.urgency in URGENCIES else len(URGENCIES))
            return [self._info(s, r) for r in rows]

    def get(self, who: Principal, tasking_id: str) -> TaskingInfo:
        """One tasking with its signed acceptance, products and audit-backed history (parties only)."""
        with self.ctx.sessions() as s:
            row = self._visible(s, who, tasking_id)
            return self._info(s, row, history=self._history(s, row.id))

    def _visible(self, s: Session, who: Principal, tasking_id: str) -> Tasking:
        """The tasking, if the caller's partner is a party to it (else answered like a missing one)."""
        row = s.get(Tasking, tasking_id)
        if row is None or who.partner not in (row.owner, row.requester):
            raise NotFound(f"no tasking {tasking_id}")
        return row

    def _history(self, s: Session, tasking_id: str) -> list[HistoryEntry]:
        """The lifecycle entries of a tasking, read from the audit log in log order."""
        needle = cs.canonical_json({"tasking": tasking_id}).decode()[1:-1]
        q = (
            select(AuditEntry.idx, AuditEntry.payload)
            .where(AuditEntry.event.like("tasking.%"), AuditEntry.payload.contains(needle))
            .order_by(AuditEntry.idx)
        )
        out = []
        for idx, payload in s.execute(q):
            e = json.loads(payload)
            if e.get("tasking") != tasking_id:
                continue
            out.append(HistoryEntry(idx, e.get("time", ""), e.get("event", ""), e.get("status", ""),
                                    e.get("actor"), e.get("partner"), e.get("note")))
        return out

    def verify_acceptance(self, s: Session, row: Tasking) -> bool:
        """Whether the stored acceptance verifies under a focal-point key of the owner and matches the tasking."""
        if row.acceptance is None or row.acceptance_signature is None or row.key_id is None:
            return False
        key = self.grants.signing_key(s, row.key_id)
        if key is None:
            return False
        public_raw, user, partner, role = key
        data = bytes(row.acceptance)
        if not cs.verify_signature(data, row.acceptance_signature, public_raw):
            return False
        try:
            st = AcceptanceStatement.from_bytes(data)
        except (ValueError, TypeError):
            return False
        return (
            partner == row.owner == st.owner
            and role == "focal_point"
            and st.signer == user
            and st.key_id == row.key_id
            and (st.tasking_id, st.asset_id, st.requester, st.release_to, st.release_purpose)
            == (row.id, row.asset_id, row.requester, row.requester, row.purpose)
            and st.aoi_sha256 == hashlib.sha256(row.aoi.encode()).hexdigest()
        )

    def _info(self, s: Session, r: Tasking, history: list[HistoryEntry] | None = None) -> TaskingInfo:
        """API view of a tasking."""
        products = [
            {"product_id": p.product_id, "grant_id": p.grant_id}
            for p in s.execute(
                select(TaskingProduct).where(TaskingProduct.tasking_id == r.id).order_by(TaskingProduct.product_id)
            ).scalars()
        ]
        acceptance, public_key, valid = None, None, None
        if r.acceptance is not None:
            acceptance = json.loads(bytes(r.acceptance))
            key = self.grants.signing_key(s, r.key_id) if r.key_id else None
            public_key = cs.b64u(key[0]) if key else None
            valid = self.verify_acceptance(s, r)
        return TaskingInfo(
            r.id, r.asset_id, r.owner, r.requester, r.requested_by, r.purpose, json.loads(r.aoi),
            cs.iso(r.window_start), cs.iso(r.window_end), r.urgency, r.event_type, r.justification, r.status,
            cs.iso(r.created_at), cs.iso(r.updated_at), r.decided_by, _iso(r.decided_at), r.decision_note,
            _iso(r.release_until), _iso(r.planned_time), r.plan_ref, _iso(r.acquired_time), _iso(r.delivered_at),
            _iso(r.cancelled_at), r.cancel_reason, products, acceptance,
            cs.b64u(bytes(r.acceptance)) if r.acceptance is not None else None, r.acceptance_signature, public_key,
            valid, history,
        )


_EVENTS = {
    "accepted": "accept",
    "declined": "decline",
    "planned": "plan",
    "acquired": "acquire",
    "delivered": "deliver",
    "cancelled": "cancel",
}


def check_aoi(aoi: Any) -> dict[str, Any]:
    """A GeoJSON Point or Polygon (longitude, latitude in degrees, WGS-84) checked and copied, or Invalid."""
    if not isinstance(aoi, dict) or aoi.get("type") not in ("Point", "Polygon"):
        raise Invalid("aoi: a GeoJSON Point or Polygon is required")
    coords = aoi.get("coordinates")
    if aoi["type"] == "Point":
        return {"type": "Point", "coordinates": _position(coords, "aoi.coordinates")}
    if not isinstance(coords, list | tuple) or not coords:
        raise Invalid("aoi.coordinates: a Polygon needs at least one linear ring")
    rings = []
    for i, ring in enumerate(coords):
        where = f"aoi.coordinates[{i}]"
        if not isinstance(ring, list | tuple) or len(ring) < 4:
            raise Invalid(f"{where}: a linear ring needs at least 4 positions")
        pts = [_position(p, f"{where}[{j}]") for j, p in enumerate(ring)]
        if pts[0] != pts[-1]:
            raise Invalid(f"{where}: a linear ring must end where it starts")
        rings.append(pts)
    return {"type": "Polygon", "coordinates": rings}


def _position(p: Any, where: str) -> list[float]:
    """[lon, lat] in degrees within range, or Invalid naming `where`."""
    if not isinstance(p, list | tuple) or len(p) not in (2, 3) or not all(
        isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x) for x in p
    ):
        raise Invalid(f"{where}: a position is [longitude, latitude] in degrees")
    lon, lat = float(p[0]), float(p[1])
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise Invalid(f"{where}: longitude must lie in [-180, 180] and latitude in [-90, 90] degrees")
    return [lon, lat]


def _aware(t: datetime, name: str) -> datetime:
    """An aware UTC time, or Invalid naming the field."""
    if not isinstance(t, datetime) or t.tzinfo is None or t.utcoffset() is None:
        raise Invalid(f"{name}: a time with a zone is required (e.g. 2027-01-31T12:00:00Z)")
    return cs.parse_iso(t.isoformat())


def _window(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """The requested acquisition window: zoned, end after start and in the future, at most 366 days long."""
    s, e = _aware(start, "window_start"), _aware(end, "window_end")
    if e <= s:
        raise Invalid("window_end: must be after window_start")
    if e <= now_utc():
        raise Invalid("window_end: must be in the future")
    if e - s > timedelta(days=MAX_WINDOW_DAYS):
        raise Invalid(f"window_end: the window may span at most {MAX_WINDOW_DAYS} days")
    return s, e


def _acquired(t: datetime | None, row: Tasking, now: datetime) -> datetime:
    """The image time: given, zoned, not in the future, not before the tasking was requested."""
    if t is None:
        raise Invalid("acquired_time: required to record an acquisition")
    t = _aware(t, "acquired_time")
    if t > now + CLOCK_SKEW:
        raise Invalid("acquired_time: lies in the future")
    if t < row.created_at - CLOCK_SKEW:
        raise Invalid("acquired_time: before the tasking was requested")
    return t


def _iso(t: datetime | None) -> str | None:
    """ISO text of an optional time."""
    return cs.iso(t) if t is not None else None
