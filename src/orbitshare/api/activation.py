"""Tasking glue over the hub for the API and the CLI: asset owners from the registry, emergency activations.

The service layer knows assets only by id and owner; this module resolves them from the EO asset registry
(`orbitshare.eo.assets`), reads the element sets, plans with `orbitshare.eo.activation` and records the
activation and its requests through `hub.tasking`.
"""

from __future__ import annotations

import io
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from orbitshare.astro.time import Epoch
from orbitshare.service import Hub, Invalid, Principal
from orbitshare.service.tasking import EmergencyCandidate, check_aoi

__all__ = ["activate", "asset_owner", "elements", "registry"]


def registry(file: str | None = None) -> list[Any]:
    """The assets of the EO registry (`orbitshare.eo.assets`): the packaged one, extended by a user's YAML file."""
    from orbitshare.eo.assets import load_registry

    return list(load_registry(file))


def asset_owner(asset_id: str, file: str | None = None) -> str:
    """The partner code that owns `asset_id` in the registry, or Invalid naming asset_id."""
    for a in registry(file) if file else registry():
        if a.id == asset_id:
            return str(a.owner)
    raise Invalid(f"asset_id: no asset {asset_id!r} in the registry (see 'orbitshare eo assets')")


def elements(hub: Hub, who: Principal, catalog_product: str | None, purpose: str | None) -> Any:
    """The element sets to plan with: a catalog product the caller may receive, or the bundled active catalog."""
    from orbitshare.catalog import read_catalog_file

    if catalog_product is None:
        from orbitshare.demo import load_demo_catalog

        return load_demo_catalog()[0]
    info, data = hub.products.get(who, (purpose or who.purpose).strip() or who.purpose, catalog_product)
    if info.kind != "catalog":
        raise Invalid(f"catalog_product: {catalog_product} is a {info.kind!r} product, not a 'catalog'")
    catalog, _ = read_catalog_file(io.StringIO(data.decode("utf-8", "replace")), f"product {catalog_product}")
    if len(catalog) == 0:
        raise Invalid(f"catalog_product: {catalog_product} holds no usable element set")
    return catalog


def activate(
    hub: Hub,
    who: Principal,
    aoi: dict[str, Any],
    event_type: str,
    urgency: str = "emergency",
    *,
    catalog_product: str | None = None,
    start: datetime | None = None,
    horizon_h: float = 72.0,
    purpose: str | None = None,
    justification: str = "",
    request_taskings: bool = True,
    catalog: Any = None,
    assets: list[Any] | None = None,
) -> dict[str, Any]:
    """Plan an emergency activation over the emergency-use assets and request each one of another partner.

    Assets come from `assets`, else from the packaged registry; elements from `catalog` (a Catalog), else from
    `catalog_product`, else the bundled catalog. Returns the plan as the API answers it
    (`orbitshare.api.schemas.ActivationOut`).
    """
    from orbitshare.eo.activation import fastest_plan

    aoi = check_aoi(aoi)
    if start is not None and (start.tzinfo is None or start.utcoffset() is None):
        raise Invalid("start: a time with a zone is required (e.g. 2027-01-31T12:00:00Z)")
    t0 = start.astimezone(UTC) if start is not None else datetime.now(UTC)
    if catalog is None:
        catalog = elements(hub, who, catalog_product, purpose)
    plan = fastest_plan(assets if assets is not None else registry(), catalog, aoi, t0, horizon_h)
    activation_id, made = None, []
    if request_taskings:
        if plan.horizon_end <= datetime.now(UTC):
            raise Invalid("start: the planning horizon has already passed; set request_taskings to false to "
                          "plan a past activation")
        cands = [EmergencyCandidate(e.asset_id, e.owner, e.first_access, e.access_end) for e in plan.entries]
        activation_id, made = hub.tasking.activate(who, aoi, event_type, urgency, cands, plan.horizon_end,
                                                   purpose, justification)
    else:
        hub.audit.record("eo.activation.plan", who, event_type=event_type, assets=[e.asset_id for e in plan.entries],
                         time_to_first_image_s=plan.time_to_first_image_s)
    by_asset = {t.asset_id: t.id for t in made}
    return {
        "activation_id": activation_id,
        "start": Epoch.from_datetime(plan.start).iso(),
        "horizon_end": Epoch.from_datetime(plan.horizon_end).iso(),
        "target": {"lat_deg": plan.site.lat_deg, "lon_deg": plan.site.lon_deg},
        "time_to_first_image_s": None if plan.time_to_first_image_s is None
        else round(plan.time_to_first_image_s, 1),
        "first_image": Epoch.from_datetime(plan.first_image).iso() if plan.first_image else None,
        "plan": [e.as_dict() | {"tasking_id": by_asset.get(e.asset_id)} for e in plan.entries],
        "unavailable": [{"asset_id": a, "reason": r} for a, r in plan.unavailable],
        "taskings": [asdict(t) for t in made],
    }

