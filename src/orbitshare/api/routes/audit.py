"""Routes of the audit log: signed head, entries, RFC 6962 proofs and witnessed heads."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from orbitshare.api import schemas as S
from orbitshare.api.deps import HubDep, Keeper, Who
from orbitshare.api.routes.common import ERRORS
from orbitshare.service import Conflict, Forbidden, Invalid
from orbitshare.service.audit import AuditEntryInfo, ConsistencyProof, InclusionProof, TreeHead
from orbitshare.store.witness import WitnessError

__all__ = ["router"]

router = APIRouter(tags=["audit"], responses=ERRORS)


@router.get("/audit/head", response_model=S.TreeHead)
def audit_head(who: Who, hub: HubDep) -> TreeHead:
    """The latest signed tree head of the audit log."""
    return hub.audit.head()


@router.get("/audit/entries", response_model=list[S.AuditEntryOut])
def audit_entries(
    who: Who,
    hub: HubDep,
    start: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditEntryInfo]:
    """Entries concerning your partner (focal points)."""
    return hub.audit.entries(who, start, limit)


@router.get("/audit/proofs/inclusion", response_model=S.InclusionOut)
def inclusion(
    who: Who,
    hub: HubDep,
    index: Annotated[int, Query(ge=0, le=2**62)],
    size: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> InclusionProof:
    """RFC 6962 inclusion proof of one entry."""
    return hub.audit.inclusion(index, size)


@router.get("/audit/proofs/consistency", response_model=S.ConsistencyOut)
def consistency(
    who: Who,
    hub: HubDep,
    first: Annotated[int, Query(ge=0, le=2**62)],
    second: Annotated[int | None, Query(ge=0, le=2**62)] = None,
) -> ConsistencyProof:
    """RFC 6962 consistency proof between two tree sizes."""
    return hub.audit.consistency(first, second)


@router.get("/audit/heads", response_model=list[S.WitnessedHead])
def witnessed_heads(
    who: Who,
    keeper: Keeper,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """Witnessed tree heads, oldest first (the newest `limit`): this hub's own and partners' co-signed ones."""
    return keeper.witness.records()[-limit:]


@router.post("/audit/witness", response_model=S.WitnessedHead, status_code=201)
def witness_partner_head(body: S.WitnessIn, who: Who, keeper: Keeper) -> dict[str, Any]:
    """A partner hub's focal point presents its hub's signed tree head; verified, co-signed and kept."""
    if who.role != "focal_point":
        raise Forbidden("only a partner's focal point may present its hub's tree head")
    try:
        record = keeper.cosign_partner_head(who, body.model_dump())
    except WitnessError as e:
        keeper.hub.audit.record("audit.witness.refuse", who, size=body.size, root=body.root, reason=str(e))
        raise (Conflict if e.conflict else Invalid)(str(e)) from None
    keeper.hub.audit.record("audit.witness", who, size=body.size, root=body.root)
    return record
