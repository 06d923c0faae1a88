"""Hub job `collection-plan`: a fair CP-SAT collection plan of partner requests over an own catalog product.

The result (kind `collection_plan`) is the plan JSON of `orbitshare eo plan` with the planned acquisitions as a
GeoJSON FeatureCollection under "geojson" (for the web map) and, when `stac_label` is given, STAC Items of the
registry assets' acquisitions under "stac_items". Parameters are validated with pydantic; a bad
request is answered 422 naming the field.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any

from pydantic import Field

from orbitshare.api.jobs import Job, JobContext, JobParams, JobResult, parse_params

__all__ = ["CollectionPlanParams", "collection_plan_job", "eo_plan_jobs"]

#: Requests in one job (larger plans: the CLI).
MAX_REQUESTS = 2000


class CollectionPlanParams(JobParams):
    """Collection planning of requests (same fields as the requests YAML) over a catalog product."""


    catalog_product: str = Field(description="id of an own `catalog` product holding the assets' element sets")
    requests: list[dict[str, Any]] = Field(min_length=1, max_length=MAX_REQUESTS,
                                           description="requests: id, partner, aoi {point|polygon}, window, "
                                           "priority, max_gsd_m, sensor, duration_s")
    start: datetime | None = Field(default=None, description="UTC start (default: the catalog's newest epoch)")
    days: float = Field(default=1.0, gt=0, le=7)
    use: str | None = Field(default=None, max_length=500, description="owners or asset ids (default all)")
    time_limit_s: float = Field(default=20.0, gt=0, le=120)
    fairness: float = Field(default=1.0, ge=0, le=1)
    stac_label: dict[str, Any] | None = Field(default=None, description="security label of STAC Items of the "
                                              "planned acquisitions (added under stac_items when given)")


def collection_plan_job(params: dict[str, Any], ctx: JobContext) -> JobResult:
    """Plan JSON (acquisitions, unserved with reasons, partners, solver gap, geojson) and its summary meta."""
    import yaml

    from orbitshare.astro.time import as_utc
    from orbitshare.catalog import read_catalog_file
    from orbitshare.eo.assets import AssetError, load_registry
    from orbitshare.eo.planning.planner import plan_collection, plan_geojson, satellites_from_catalog
    from orbitshare.eo.planning.requests import RequestError, read_requests

    p = parse_params(CollectionPlanParams, params)
    _, data = ctx.read_own_product(p.catalog_product, "catalog")
    catalog, _ = read_catalog_file(io.StringIO(data.decode("utf-8", "replace")), f"product {p.catalog_product}")
    if len(catalog) == 0:
        raise ValueError(f"catalog product {p.catalog_product} holds no usable element set")
    try:
        reqs = read_requests(io.StringIO(yaml.safe_dump({"requests": p.requests}, default_flow_style=True)),
                             "requests")
        registry = load_registry().select(p.use)
    except (RequestError, AssetError) as exc:
        raise ValueError(str(exc)) from None
    sats, recs, skipped = satellites_from_catalog(registry, catalog)
    if not sats:
        raise ValueError("catalog_product: none of the selected assets is in the catalog with a usable field of "
                         "regard")
    if p.start is not None:
        start = as_utc(p.start)
    else:
        newest = catalog.epoch.max().astype("datetime64[m]").astype(datetime) + timedelta(minutes=1)
        start = as_utc(newest)
    try:
        plan = plan_collection(reqs, sats, recs, start, p.days, p.time_limit_s, p.fairness)
    except RuntimeError as exc:
        raise ValueError(str(exc)) from None
    content = plan.as_dict()
    content["skipped_assets"] = skipped
    content["geojson"] = plan_geojson(plan, reqs)
    if p.stac_label is not None:
        from orbitshare.eo.planning.planner import plan_stac_items
        from orbitshare.sharing.labels import SecurityLabel

        try:
            label = SecurityLabel.from_dict(p.stac_label).to_dict()
        except ValueError as exc:
            raise ValueError(f"stac_label: {exc}") from None
        content["stac_items"], content["stac_notes"] = plan_stac_items(plan, reqs, registry, label)
    meta = {"acquisitions": len(plan.acquisitions), "unserved": len(plan.unserved), "gap": plan.solver["gap"],
            "status": plan.solver["status"], "partners": [x["partner"] for x in plan.partners]}
    return content, "application/json", meta


def eo_plan_jobs() -> list[Job]:
    """The collection planning job for the hub's registry."""
    return [Job("collection-plan", "collection_plan", "Fair CP-SAT collection plan of partner requests",
                collection_plan_job)]
