"""Routes of consent: requests to the originator's focal point, decisions and grants."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from orbitshare.api import schemas as S
from orbitshare.api.deps import HubDep, Who
from orbitshare.api.routes.common import ERRORS
from orbitshare.service.consent import ConsentRequestInfo, DecisionResult, GrantInfo

__all__ = ["router"]

router = APIRouter(tags=["consent"], responses=ERRORS)


@router.post(
    "/products/{product_id}/consent-requests",
    response_model=S.ConsentRequestOut,
    status_code=201,
)
def request_consent(product_id: S.Id, body: S.ConsentRequestIn, who: Who, hub: HubDep) -> ConsentRequestInfo:
    """Ask the originator's focal point to release this product to a partner for a purpose."""
    return hub.consent.request(
        who, product_id, body.recipient.upper(), body.purpose, body.justification, body.expires_at
    )


@router.get("/consent-requests", response_model=list[S.ConsentRequestOut])
def consent_requests(
    who: Who,
    hub: HubDep,
    box: Annotated[str, Query(pattern="^(inbox|outbox)$")] = "inbox",
    status: Annotated[str | None, Query(pattern="^(pending|granted|refused)$")] = None,
) -> list[ConsentRequestInfo]:
    """A focal point's inbox (box=inbox) or your own requests (box=outbox)."""
    return hub.consent.requests(who, box, status)


@router.post("/consent-requests/{request_id}/grant", response_model=S.DecisionOut)
def grant_request(request_id: S.Id, body: S.DecisionIn, who: Who, hub: HubDep) -> DecisionResult:
    """The originator's focal point grants: a signed statement is issued."""
    return hub.consent.decide(who, request_id, True, body.note, body.expires_at)


@router.post("/consent-requests/{request_id}/refuse", response_model=S.DecisionOut)
def refuse_request(request_id: S.Id, body: S.DecisionIn, who: Who, hub: HubDep) -> DecisionResult:
    """The originator's focal point refuses."""
    return hub.consent.decide(who, request_id, False, body.note)


@router.post("/products/{product_id}/grants", response_model=S.GrantOut, status_code=201)
def grant_directly(product_id: S.Id, body: S.GrantIn, who: Who, hub: HubDep) -> GrantInfo:
    """The originator's focal point grants a release without a prior request."""
    return hub.consent.grant_directly(who, product_id, body.recipient.upper(), body.purpose, body.expires_at)


@router.get("/grants", response_model=list[S.GrantOut])
def grants(who: Who, hub: HubDep) -> list[GrantInfo]:
    """Grants given by or to your partner."""
    return hub.consent.grants(who)


@router.get("/grants/{grant_id}", response_model=S.GrantOut)
def grant(grant_id: S.Id, who: Who, hub: HubDep) -> GrantInfo:
    """One grant with its signed statement and the signer's public key."""
    return hub.consent.grant(who, grant_id)


@router.post("/grants/{grant_id}/revoke", response_model=S.GrantOut)
def revoke(grant_id: S.Id, body: S.RevokeIn, who: Who, hub: HubDep) -> GrantInfo:
    """Revoke a grant; it takes effect at once."""
    return hub.consent.revoke(who, grant_id, body.reason)
