"""Hub jobs over the platform's capabilities: screening, manoeuvre detection, passes (imaging opportunities).

Each job reads its input catalog product as the caller (release decision and audit apply; the input must be
the caller's partner's own product, see JobContext) and returns a result the hub stores as a labelled
product. Parameters are validated with pydantic models, so a bad request is answered 422 naming the field.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import Field

from orbitshare.api.eo_jobs import eo_jobs
from orbitshare.api.eo_plan_jobs import eo_plan_jobs
from orbitshare.api.jobs import Job, JobContext, JobParams, JobResult, parse_params
from orbitshare.api.pnt_jobs import pnt_jobs
from orbitshare.api.satcom_jobs import satcom_jobs
from orbitshare.astro.time import as_utc

__all__ = ["ManoeuvreParams", "PassesParams", "ScreeningParams", "capability_jobs"]

#: Synchronous all-vs-all screening is limited to this many objects; larger catalogs need primaries.
MAX_ALL_VS_ALL_OBJECTS = 3000


class ScreeningParams(JobParams):
    """Conjunction screening of a catalog product."""

    catalog_product: str = Field(description="id of a `catalog` product")
    start: datetime | None = Field(default=None, description="UTC start (default: the catalog's newest epoch)")
    days: float = Field(default=1.0, gt=0, le=7)
    threshold_km: float = Field(default=5.0, gt=0, le=100)
    primaries: list[int] | None = Field(default=None, max_length=200)
    cdms: int = Field(default=50, ge=0, le=500,
                      description="CCSDS CDMs (KVN, TLE-based covariance and Pc) kept in the report for this many "
                                  "closest events")


class ManoeuvreParams(JobParams):
    """Manoeuvre detection in the element-set history of one object."""

    catalog_product: str = Field(description="id of a `catalog` product holding one object's history")
    norad_id: int | None = None


class PassesParams(JobParams):
    """Passes of the catalog's satellites over a site (imaging opportunities)."""

    catalog_product: str
    lat_deg: float = Field(ge=-90, le=90)
    lon_deg: float = Field(ge=-180, le=360)
    h_km: float = Field(default=0.0, ge=-0.5, le=9)
    start: datetime | None = None
    hours: float = Field(default=24.0, gt=0, le=72)
    ids: list[int] | None = Field(default=None, max_length=500)
    min_elevation_deg: float = Field(default=10.0, ge=0, le=90)
    max_off_nadir_deg: float | None = Field(default=None, gt=0, le=90)
    min_sun_elevation_deg: float | None = Field(default=None, ge=-90, le=90)


def _catalog(ctx: JobContext, product_id: str):
    """Catalog (deduplicated) and parse report of an own catalog product."""
    from orbitshare.catalog import read_catalog_file

    _, data = ctx.read_own_product(product_id, "catalog")
    catalog, report = read_catalog_file(io.StringIO(data.decode("utf-8", "replace")), f"product {product_id}")
    if len(catalog) == 0:
        raise ValueError(f"catalog product {product_id} holds no usable element set")
    return catalog, report


def _utc(value: datetime | None, catalog) -> datetime:
    """Aware UTC start: the given time, or the catalog's newest epoch rounded up to the minute."""
    if value is not None:
        return as_utc(value)
    newest = catalog.epoch.max().astype("datetime64[m]").astype(datetime) + timedelta(minutes=1)
    return newest.replace(tzinfo=UTC)


def screening_job(params: dict[str, Any], ctx: JobContext) -> JobResult:
    """Every close approach below threshold_km in the window, with its TLE-based Pc, and the CCSDS CDMs of the
    closest `cdms` events, as a JSON conjunction report."""
    from orbitshare.ssa.conjunction.screening import screen
    from orbitshare.ssa.conjunction.screening_cdm import closest_cdms

    p = parse_params(ScreeningParams, params)
    catalog, report = _catalog(ctx, p.catalog_product)
    if p.primaries is None and len(catalog) > MAX_ALL_VS_ALL_OBJECTS:
        raise ValueError(f"all-vs-all screening of {len(catalog)} objects is limited to {MAX_ALL_VS_ALL_OBJECTS} "
                         "in a request; give primaries or use `orbitshare screen`")
    start = _utc(p.start, catalog)
    stop = start + timedelta(days=p.days)
    events = screen(catalog, start, stop, p.threshold_km, p.primaries)
    keep = [c for c in events.columns if not c.startswith(("r1_", "r2_", "v1_", "v2_"))]
    rows = [{k: v for k, v in row.items() if k in keep} for row in events.rows()]
    pcs, cdms = closest_cdms(events, catalog, p.cdms, ctx.partner)
    for row, pc in zip(rows, pcs, strict=True):
        row["pc_tle"] = pc
    result = {"start_utc": start.isoformat(), "stop_utc": stop.isoformat(), "threshold_km": p.threshold_km,
              "objects": len(catalog), "primaries": p.primaries, "conjunctions": rows, "cdms": cdms}
    meta = {"conjunctions": len(rows), "objects": len(catalog), "catalog_rejects": len(report.rejects),
            "closest_km": min((r["miss_km"] for r in rows), default=None)}
    return result, "application/json", meta


def manoeuvres_job(params: dict[str, Any], ctx: JobContext) -> JobResult:
    """Manoeuvre alerts (JSON list) from the element sets of a catalog product."""
    from orbitshare.catalog.reader import parse_text_records
    from orbitshare.ssa.behaviour.alerts import manoeuvre_alert
    from orbitshare.ssa.behaviour.manoeuvres import detect_manoeuvres, history_from_records

    p = parse_params(ManoeuvreParams, params)
    _, data = ctx.read_own_product(p.catalog_product, "catalog")
    source = f"product {p.catalog_product}"
    items = list(parse_text_records(io.StringIO(data.decode("utf-8", "replace")), source))
    history = history_from_records(items, source, p.norad_id)
    alerts = [manoeuvre_alert(m, source).as_dict() for m in detect_manoeuvres(history)]
    meta = {"alerts": len(alerts), "element_sets": len(history.catalog), "rejects": len(history.rejects)}
    return alerts, "application/json", meta


def passes_job(params: dict[str, Any], ctx: JobContext) -> JobResult:
    """Rise, culmination and set of every pass within the limits, as a JSON list."""
    from orbitshare.astro.access import passes

    p = parse_params(PassesParams, params)
    catalog, _ = _catalog(ctx, p.catalog_product)
    if p.ids:
        missing = sorted(set(p.ids) - set(catalog.norad_id.tolist()))
        if missing:
            raise ValueError(f"ids: NORAD ids not in the catalog: {missing[:10]}")
        catalog = catalog.select(ids=p.ids)
    start = _utc(p.start, catalog)
    found = passes(catalog, p.lat_deg, p.lon_deg, p.h_km, start=start, stop=start + timedelta(hours=p.hours),
                   min_elevation_deg=p.min_elevation_deg, max_off_nadir_deg=p.max_off_nadir_deg,
                   min_sun_elevation_deg=p.min_sun_elevation_deg)
    rows = [x.as_dict() for x in found]
    return rows, "application/json", {"passes": len(rows), "satellites": len(catalog)}


def capability_jobs() -> list[Job]:
    """The platform's jobs, for `create_app`'s registry; each answers bad parameters (ValueError) with 422."""
    return [
        Job("screening", "conjunction_report", "Conjunction screening of a catalog product (SGP4, TEME)",
            screening_job),
        Job("manoeuvres", "alert", "Manoeuvre detection in one object's element-set history", manoeuvres_job),
        Job("passes", "imaging_opportunities", "Passes of a catalog's satellites over a site", passes_job),
        *pnt_jobs(),
        *eo_jobs(),
        *eo_plan_jobs(),
        *satcom_jobs(),
    ]
