"""Parties and tokens: partners, users, API tokens and who a credential is."""

from __future__ import annotations

import json
import re
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from orbitshare.service.common import (
    ROLES,
    Conflict,
    Context,
    Forbidden,
    Invalid,
    NotFound,
    Principal,
    hash_token,
    json_list,
    level_name,
    new_id,
    now_utc,
    parse_level,
)
from orbitshare.sharing.consent import iso
from orbitshare.sharing.labels import Classification, Clearance
from orbitshare.store.models import ApiToken, Partner, User

__all__ = ["FocalPointRef", "IssuedToken", "PartnerInfo", "PartyService", "TokenInfo", "UserInfo"]

_CODE = re.compile(r"[A-Za-z0-9_-]{2,16}")
MIN_TOKEN_LIFETIME = timedelta(seconds=1)


@dataclass(frozen=True)
class FocalPointRef:
    """A partner's focal point, by id and name."""

    id: str
    name: str


@dataclass(frozen=True)
class PartnerInfo:
    """A partner, its policies, attributes and focal points."""

    code: str
    name: str
    kind: str
    policies: list[str]
    attributes: list[str]
    focal_points: list[FocalPointRef] = field(default_factory=list)


@dataclass(frozen=True)
class UserInfo:
    """A user of a partner."""

    id: str
    partner: str
    name: str
    role: str
    clearance: str
    purpose: str
    disabled: bool = False


@dataclass(frozen=True)
class IssuedToken:
    """A new API token; the secret is shown once."""

    id: str
    token: str
    user_id: str
    expires_at: str | None


@dataclass(frozen=True)
class TokenInfo:
    """Metadata of an API token (never its secret or hash)."""

    id: str
    user_id: str
    label: str
    created_at: str
    expires_at: str | None
    revoked_at: str | None
    parent_id: str | None
    active: bool


class PartyService:
    """Partners, users and API tokens."""

    def __init__(self, ctx: Context) -> None:
        """Work over the shared store context."""
        self.ctx = ctx

    def create_partner(
        self,
        code: str,
        name: str,
        kind: str = "nation",
        memberships: Sequence[str] = (),
        policies: list[str] | None = None,
    ) -> PartnerInfo:
        """Register a partner; its attributes are its code plus memberships (e.g. NATO, EU)."""
        code = _check_code(code)
        if kind not in ("nation", "organisation"):
            raise Invalid("partner kind must be 'nation' or 'organisation'")
        attrs = sorted({code, *memberships})
        pols = sorted(set(policies if policies is not None else ["NATO", code]))
        with self.ctx.tx() as s:
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
            self.ctx.log(s, "partner.create", None, subject=code)
        return PartnerInfo(code, name, kind, pols, attrs)

    def create_user(
        self,
        partner: str,
        name: str,
        role: str,
        clearance: str | int = "UNCLASSIFIED",
        purpose: str = "space-domain-awareness",
        by: Principal | None = None,
        oidc_subject: str | None = None,
    ) -> UserInfo:
        """Create a user of `partner` (by its focal point, at most at its own clearance, or by the operator)."""
        if role not in ROLES:
            raise Invalid(f"role must be one of {list(ROLES)}")
        level = parse_level(clearance)
        if by is not None and (by.role != "focal_point" or by.partner != partner):
            raise Forbidden("only the partner's focal point may add its users")
        if by is not None and level > by.clearance.classification:
            mine = level_name(by.clearance.classification)
            raise Forbidden(f"a focal point may not create users above its own clearance ({mine})")
        uid = new_id()
        with self.ctx.tx() as s:
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
            self.ctx.log(s, "user.create", by, subject=uid, role=role)
        return UserInfo(uid, partner, name, role, level_name(level), purpose)

    def issue_token(
        self, user_id: str, label: str = "api", ttl: timedelta | None = None, by: Principal | None = None
    ) -> IssuedToken:
        """Issue an API token; the secret is returned once and only its hash is stored.

        A token minted with another token expires no later than it, dies with it and lives at most
        `HubConfig.max_token_days`; the operator (`by` None) may issue any lifetime, negative ones for tests.
        """
        token = "osh_" + secrets.token_urlsafe(32)
        tid, created = new_id(), now_utc()
        expires = self._token_expiry(created, ttl, by)
        with self.ctx.tx() as s:
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
                    parent_id=by.token_id if by is not None else None,
                )
            )
            self.ctx.log(s, "token.issue", by, subject=user_id, token=tid, parent=by.token_id if by else None)
        return IssuedToken(tid, token, user_id, iso(expires) if expires else None)

    def _token_expiry(self, created: datetime, ttl: timedelta | None, by: Principal | None) -> datetime | None:
        """Expiry of a new token: capped by the maximum lifetime and by the minting token's own expiry."""
        if by is None:
            return created + ttl if ttl is not None else None
        if ttl is not None and ttl < MIN_TOKEN_LIFETIME:
            raise Invalid("ttl_days must be positive and give at least one second")
        longest = timedelta(days=self.ctx.config.max_token_days)
        expires = created + min(ttl if ttl is not None else longest, longest)
        if by.token_expires_at is not None:
            expires = min(expires, by.token_expires_at)
        if expires - created < MIN_TOKEN_LIFETIME:
            raise Invalid("the minting token expires within a second; it cannot mint another")
        return expires

    def revoke_token(self, token_id: str, by: Principal | None) -> None:
        """Revoke a token and every token minted from it, at once (its owner or the owner's focal point)."""
        with self.ctx.tx() as s:
            tok = s.get(ApiToken, token_id)
            if tok is None:
                raise NotFound(f"unknown token {token_id!r}")
            _may_manage(by, s.get(User, tok.user_id))
            now = now_utc()
            tok.revoked_at = tok.revoked_at or now
            descendants = _descendants(s, token_id)
            if descendants:
                s.execute(
                    update(ApiToken)
                    .where(ApiToken.id.in_(descendants), ApiToken.revoked_at.is_(None))
                    .values(revoked_at=now)
                )
            self.ctx.log(s, "token.revoke", by, token=token_id, descendants=len(descendants) or None)

    def tokens(self, user_id: str, by: Principal) -> list[TokenInfo]:
        """A user's tokens (metadata only), for the user itself and its partner's focal point."""
        with self.ctx.sessions() as s:
            user = s.get(User, user_id)
            if user is None or (
                by.user_id != user_id and (by.role != "focal_point" or by.partner != user.partner_code)
            ):
                raise NotFound(f"unknown user {user_id!r}")
            rows = s.execute(
                select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.created_at, ApiToken.id)
            ).scalars()
            now = now_utc()
            return [_token_info(t, now) for t in rows]

    def authenticate(self, token: str) -> tuple[Principal | None, str]:
        """The principal of an API token, or None with the reason of the refusal."""
        with self.ctx.sessions() as s:
            row = s.execute(
                select(ApiToken, User, Partner)
                .join(User, ApiToken.user_id == User.id)
                .join(Partner, User.partner_code == Partner.code)
                .where(ApiToken.token_hash == hash_token(token))
            ).first()
            if row is None:
                return None, "unknown token"
            tok, user, partner = row
            now = now_utc()
            if tok.revoked_at is not None:
                return None, "token revoked"
            if tok.expires_at is not None and tok.expires_at <= now:
                return None, "token expired"
            if tok.parent_id is not None and not _ancestors_live(s, tok.parent_id, now):
                return None, "token revoked"
        if user.disabled:
            return None, "user disabled"
        return _principal(user, partner, tok), "ok"

    def principal_for_subject(self, subject: str) -> Principal | None:
        """The principal of an OIDC subject, if a user is bound to it."""
        with self.ctx.sessions() as s:
            row = s.execute(
                select(User, Partner)
                .join(Partner, User.partner_code == Partner.code)
                .where(User.oidc_subject == subject)
            ).first()
        if row is None or row[0].disabled:
            return None
        return _principal(*row)

    def partners(self) -> list[PartnerInfo]:
        """All partners with their focal points."""
        with self.ctx.sessions() as s:
            parts = s.execute(select(Partner).order_by(Partner.code)).scalars().all()
            fps = s.execute(select(User).where(User.role == "focal_point")).scalars().all()
        by_partner: dict[str, list[FocalPointRef]] = defaultdict(list)
        for u in fps:
            by_partner[u.partner_code].append(FocalPointRef(u.id, u.name))
        return [
            PartnerInfo(p.code, p.name, p.kind, json_list(p.policies), json_list(p.attributes), by_partner[p.code])
            for p in parts
        ]

    def users(self, by: Principal) -> list[UserInfo]:
        """Users of the caller's partner (focal points only)."""
        if by.role != "focal_point":
            raise Forbidden("only a focal point may list its partner's users")
        with self.ctx.sessions() as s:
            rows = s.execute(select(User).where(User.partner_code == by.partner).order_by(User.name)).scalars()
            return [_user_info(u) for u in rows]


def _check_code(code: str) -> str:
    """Partner codes: 2-16 letters, digits, '-' or '_', upper case."""
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise Invalid("partner code must be 2-16 letters or digits")
    return code.upper()


def _principal(user: User, partner: Partner, token: ApiToken | None = None) -> Principal:
    """Build a principal from its rows."""
    clearance = Clearance(
        partner=partner.code,
        policies=frozenset(json_list(partner.policies)),
        classification=Classification(user.clearance),
        attributes=frozenset(json_list(partner.attributes)),
    )
    return Principal(
        user.id,
        user.name,
        partner.code,
        user.role,
        clearance,
        user.purpose,
        token.id if token else None,
        token.expires_at if token else None,
    )


def _may_manage(by: Principal | None, user: User | None) -> None:
    """The operator, the user itself or its partner's focal point may manage a user's tokens."""
    if by is None or user is None or by.user_id == user.id:
        return
    if by.role != "focal_point" or by.partner != user.partner_code:
        raise Forbidden("only the user or its partner's focal point may manage its tokens")


def _descendants(s: Session, token_id: str) -> list[str]:
    """Ids of every token minted, directly or not, from `token_id`."""
    out, frontier = [], [token_id]
    while frontier:
        children = list(s.execute(select(ApiToken.id).where(ApiToken.parent_id.in_(frontier))).scalars())
        out += children
        frontier = children
    return out


def _ancestors_live(s: Session, parent_id: str | None, now: datetime) -> bool:
    """True when every token up the minting chain is neither revoked nor expired (nor deleted)."""
    seen: set[str] = set()
    while parent_id is not None and parent_id not in seen:
        seen.add(parent_id)
        row = s.execute(
            select(ApiToken.revoked_at, ApiToken.expires_at, ApiToken.parent_id).where(ApiToken.id == parent_id)
        ).first()
        if row is None or row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
            return False
        parent_id = row.parent_id
    return True


def _token_info(t: ApiToken, now: datetime) -> TokenInfo:
    """Metadata view of a token."""
    active = t.revoked_at is None and (t.expires_at is None or t.expires_at > now)
    return TokenInfo(
        t.id,
        t.user_id,
        t.label,
        iso(t.created_at),
        iso(t.expires_at) if t.expires_at else None,
        iso(t.revoked_at) if t.revoked_at else None,
        t.parent_id,
        active,
    )


def _user_info(u: User) -> UserInfo:
    """API view of a user."""
    return UserInfo(u.id, u.partner_code, u.name, u.role, level_name(u.clearance), u.purpose, u.disabled)
