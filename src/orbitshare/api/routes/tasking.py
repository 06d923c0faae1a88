"""Routes of tasking across partners: requests, the owner's signed decisions, the lifecycle, emergency activation."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from orbitshare.api import schemas as S
from orbitshare.api.activation import activate, asset_owner, registry
from orbitshare.api.deps import HubDep, Who
from orbitshare.api.routes.common import ERRORS
from orbitshare.service.tasking import TaskingInfo

__all__ = ["router"]

router = APIRouter(tags=["tasking"], responses=ERRORS)
STATUS_PATTERN = "^(requested|accepted|declined|planned|acquired|delivered|cancelled)$"


@router.get("/eo/assets", response_model=list[S.AssetOut])
def assets(who: Who) -> list[dict[str, Any]]:
    """The imaging satellites of the EO registry (public figures), the assets a tasking request may name."""
    fields = S.AssetOut.model_fields
    return [{k: v for k, v in a.model_dump().items() if k in fields} for a in registry()]


@router.post("/tasking", response_model=S.TaskingOut, status_code=201)
def request_tasking(body: S.TaskingIn, who: Who, hub: HubDep) -> TaskingInfo:
    """Ask another partner's asset for an acquisition; its owner's focal point accepts or declines."""
    return hub.tasking.request(
        who, body.asset_id, asset_owner(body.asset_id), body.aoi.model_dump(), body.window_start, body.window_end,
        body.purpose, body.urgency, body.justification,
    )


@router.get("/tasking", response_model=list[S.TaskingOut])
def taskings(
    who: Who,
    hub: HubDep,
    box: Annotated[str, Query(pattern="^(inbox|owned|outbox|all)$")] = "all",
    status: Annotated[str | None, Query(pattern=STATUS_PATTERN)] = None,
) -> list[TaskingInfo]:
    """Your partner's taskings: inbox (awaiting your decision, focal points), owned, outbox or all."""
    return hub.tasking.taskings(who, box, status)


@router.get("/tasking/{tasking_id}", response_model=S.TaskingOut)
def tasking(tasking_id: S.Id, who: Who, hub: HubDep) -> TaskingInfo:
    """One tasking with its signed acceptance, delivered products and history from the audit log."""
    return hub.tasking.get(who, tasking_id)


@router.post("/tasking/{tasking_id}/accept", response_model=S.TaskingOut)
def accept(tasking_id: S.Id, body: S.TaskingDecisionIn, who: Who, hub: HubDep) -> TaskingInfo:
    """The owner's focal point accepts: a signed statement commits the asset and consents to release the
    tasking's products to the requester for its purpose."""
    return hub.tasking.decide(who, tasking_id, True, body.note, body.release_until)


@router.post("/tasking/{tasking_id}/decline", response_model=S.TaskingOut)
def decline(tasking_id: S.Id, body: S.TaskingDecisionIn, who: Who, hub: HubDep) -> TaskingInfo:
    """The owner's focal point declines."""
    return hub.tasking.decide(who, tasking_id, False, body.note)


@router.post("/tasking/{tasking_id}/advance", response_model=S.TaskingOut)
def advance(tasking_id: S.Id, body: S.TaskingAdvanceIn, who: Who, hub: HubDep) -> TaskingInfo:
    """Move a tasking one step (planned, acquired, delivered with its products, or cancelled)."""
    return hub.tasking.advance(
        who, tasking_id, body.status, planned_time=body.planned_time, plan_ref=body.plan_ref,
        acquired_time=body.acquired_time, product_ids=body.product_ids, reason=body.reason,
    )


@router.post("/eo/activations", response_model=S.ActivationOut, status_code=201)
def activation(body: S.ActivationIn, who: Who, hub: HubDep) -> dict[str, Any]:
    """Emergency activation: the fastest plan over the emergency-use assets, the expected time to first image,
    and an emergency request to each planned asset's owner."""
    return activate(
        hub, who, body.aoi.model_dump(), body.event_type, body.urgency, catalog_product=body.catalog_product,
        start=body.start, horizon_h=body.horizon_h, purpose=body.purpose, justification=body.justification,
        request_taskings=body.request_taskings,
    )
