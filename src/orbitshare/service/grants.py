"""Verified grant facts: what the release decision may believe about consent, read from signed statements only."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from orbitshare.service.common import Context
from orbitshare.sharing import consent as cs
from orbitshare.sharing.labels import GrantFacts
from orbitshare.store.models import Grant, Revocation, SigningKey, User

__all__ = ["GrantReader", "SigningKeyInfo", "statement_sha256"]

SigningKeyInfo = tuple[bytes, str, str, str]  # (raw public key, user id, partner, role)


class GrantReader:
    """Grant facts whose signature verifies under a key of the originator's focal point (cached by content)."""

    def __init__(self, ctx: Context) -> None:
        """Empty caches over the shared store context."""
        self.ctx = ctx
        self._facts: dict[tuple[str, bytes, str, str], GrantFacts | None] = {}
        self._pubkeys: dict[str, SigningKeyInfo] = {}

    def facts(self, s: Session, partner: str, product_id: str | None = None) -> dict[str, list[GrantFacts]]:
        """Verified grant facts naming `partner` as recipient, keyed by product id.

        A grant is revoked when its row says so or when a revocation statement for it is stored: clearing
        the column does not restore it (a stored revocation counts even unverified: it can only refuse).
        """
        q = (
            select(
                Grant.id,
                Grant.product_id,
                Grant.key_id,
                Grant.statement,
                Grant.signature,
                Grant.revoked_at,
                Revocation.grant_id,
            )
            .outerjoin(Revocation, Revocation.grant_id == Grant.id)
            .where(Grant.recipient == partner)
        )
        if product_id is not None:
            q = q.where(Grant.product_id == product_id)
        out: dict[str, list[GrantFacts]] = defaultdict(list)
        for gid, pid, kid, stmt, sig, revoked_at, revocation in s.execute(q):
            key = (gid, bytes(stmt), sig, kid)
            if key not in self._facts:
                self._facts[key] = self._verified(s, gid, kid, key[1], sig)
            facts = self._facts[key]
            if facts is not None and facts.product_id == pid:
                revoked = revoked_at is not None or revocation is not None
                out[pid].append(replace(facts, revoked=True) if revoked else facts)
        return out

    def revocation(self, s: Session, rev: Revocation, grant: cs.GrantStatement) -> cs.RevocationStatement | None:
        """The revocation statement of a stored row when it verifies under a focal point of the grant's originator."""
        key = self.signing_key(s, rev.key_id)
        if key is None:
            return None
        public_raw, _user, key_partner, role = key
        st = cs.verify_revocation(bytes(rev.statement), rev.signature, public_raw)
        if st is None or st.grant_id != grant.grant_id or st.key_id != rev.key_id:
            return None
        if key_partner != grant.originator or role != "focal_point" or st.grant_sha256 != statement_sha256(grant):
            return None
        return st

    def _verified(self, s: Session, gid: str, kid: str, stmt: bytes, sig: str) -> GrantFacts | None:
        """Facts of a grant whose signature verifies under a key of the originator's focal point."""
        key = self.signing_key(s, kid)
        if key is None:
            return None
        public_raw, _user, key_partner, role = key
        st = cs.verify_statement(stmt, sig, public_raw)
        if st is None or st.grant_id != gid or st.key_id != kid:
            return None
        if key_partner != st.originator or role != "focal_point":
            return None
        return st.facts(False)

    def signing_key(self, s: Session, kid: str) -> SigningKeyInfo | None:
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


def statement_sha256(grant: cs.GrantStatement) -> str:
    """SHA-256 hex of a grant statement's canonical bytes (what a revocation names)."""
    return hashlib.sha256(grant.to_bytes()).hexdigest()
