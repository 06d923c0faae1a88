"""Routes of parties: the caller, partners, users and their API tokens."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from orbitshare.api import schemas as S
from orbitshare.api.deps import HubDep, Who
from orbitshare.api.routes.common import ERRORS
from orbitshare.service.parties import IssuedToken, TokenInfo, UserInfo

__all__ = ["router"]

router = APIRouter(tags=["parties"], responses=ERRORS)


@router.get("/me", response_model=S.Me)
def me(who: Who) -> dict[str, Any]:
    """The authenticated user, its partner, clearance and attributes."""
    c = who.clearance
    return {
        "user_id": who.user_id,
        "name": who.name,
        "partner": who.partner,
        "role": who.role,
        "clearance": c.classification.name.replace("_", " "),
        "purpose": who.purpose,
        "attributes": sorted(c.attributes),
        "policies": sorted(c.policies),
    }


@router.get("/partners", response_model=list[S.PartnerOut])
def partners(who: Who, hub: HubDep) -> list[dict[str, Any]]:
    """Partners of the hub and their focal points."""
    return [asdict(p) for p in hub.parties.partners()]


@router.get("/users", response_model=list[S.UserOut])
def users(who: Who, hub: HubDep) -> list[UserInfo]:
    """Users of the caller's partner (focal points)."""
    return hub.parties.users(who)


@router.post("/users", response_model=S.UserOut, status_code=201)
def create_user(body: S.UserIn, who: Who, hub: HubDep) -> UserInfo:
    """A focal point adds a user to its partner."""
    return hub.parties.create_user(
        who.partner, body.name, body.role, body.clearance, body.purpose, by=who, oidc_subject=body.oidc_subject
    )


@router.post("/users/{user_id}/tokens", response_model=S.TokenOut, status_code=201)
def issue_token(user_id: S.Id, body: S.TokenIn, who: Who, hub: HubDep) -> IssuedToken:
    """Issue an API token for yourself, or (focal points) for a user of your partner.

    It expires no later than the token used to mint it, at most after the hub's maximum lifetime
    (default 90 days), and is revoked with it.
    """
    ttl = timedelta(days=body.ttl_days) if body.ttl_days is not None else None
    return hub.parties.issue_token(user_id, body.label, ttl, by=who)


@router.get("/users/{user_id}/tokens", response_model=list[TokenInfo])
def list_tokens(user_id: S.Id, who: Who, hub: HubDep) -> list[TokenInfo]:
    """A user's tokens, metadata only (the user itself, or its partner's focal point)."""
    return hub.parties.tokens(user_id, who)


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: S.Id, who: Who, hub: HubDep) -> Response:
    """Revoke a token at once."""
    hub.parties.revoke_token(token_id, who)
    return Response(status_code=204)
