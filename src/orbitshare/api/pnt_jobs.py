"""Hub job `pnt-evaluation`: GNSS visibility, DOP, jamming and outages over a region, stored as `pnt_evaluation`.

The result is one JSON document: the evaluation summary (cases, satellites, jammers, warnings) and, under
"geojson", a FeatureCollection of the evaluated points with pdop, visible and lock properties for the web map.
The catalog is the caller's own `catalog` product, or the bundled CelesTrak catalog when none is given.
"""

from __future__ import annotations

import io
import json
from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from orbitshare.api.jobs import Job, JobContext, JobParams, JobResult, parse_params
from orbitshare.astro.time import as_utc

__all__ = ["MAX_POINT_TIMES", "PntParams", "pnt_evaluation_job", "pnt_jobs"]

#: Work limit of one request (points x times).
MAX_POINT_TIMES = 60_000


class SiteParam(JobParams):
    """A named site (WGS-84 deg, height above the ellipsoid in m)."""

    name: str = Field(min_length=1, max_length=80)
    lat_deg: float = Field(ge=-90, le=90)
    lon_deg: float = Field(ge=-180, le=180)
    h_m: float = Field(default=0.0, ge=-500, le=9000)


class PntParams(JobParams):
    """Parameters of a PNT evaluation (see docs/pnt.md); unknown fields are refused."""

    catalog_product: str | None = Field(default=None, description="id of an own `catalog` product (default: bundled)")
    region: str = Field(default="slovenia", description="bundled region name (slovenia, luxembourg)")
    region_geojson: dict[str, Any] | None = Field(default=None, description="GeoJSON polygon instead of region")
    sites: list[SiteParam] | None = Field(default=None, max_length=500)
    start: datetime | None = None
    hours: float = Field(default=24.0, gt=0, le=48)
    step_min: float = Field(default=10.0, ge=1, le=120)
    mask_deg: float = Field(default=10.0, ge=0, le=60)
    spacing_km: float = Field(default=10.0, ge=1, le=200)
    pdop_limit: float = Field(default=6.0, gt=0, le=100)
    systems: list[Literal["GPS", "GAL"]] = Field(default=["GPS", "GAL"], min_length=1)
    exclude: list[int] = Field(default_factory=list, max_length=100)
    jammers: list[dict[str, Any]] | None = Field(default=None, max_length=50)
    receiver: dict[str, Any] | None = None
    propagation: dict[str, Any] | None = None
    lose_planes: list[str] = Field(default_factory=list, max_length=9, description="SYSTEM:PLANE, e.g. GAL:1")
    lose: int = Field(default=0, ge=0, le=30)


def _lose_planes(items: list[str]) -> tuple[tuple[str, int], ...]:
    """SYSTEM:PLANE strings as pairs, or ValueError naming the item."""
    out = []
    for item in items:
        system, _, plane = item.partition(":")
        if system.upper() not in ("GPS", "GAL") or not plane.isdigit() or int(plane) < 1:
            raise ValueError(f"lose_planes: {item!r} is not SYSTEM:PLANE such as GAL:1")
        out.append((system.upper(), int(plane)))
    return tuple(out)


def pnt_evaluation_job(params: dict[str, Any], ctx: JobContext) -> JobResult:
    """Run a PNT evaluation; the JSON summary plus a GeoJSON FeatureCollection of the points under "geojson"."""
    from importlib import resources

    from orbitshare.catalog import read_catalog, read_catalog_file
    from orbitshare.pnt.constellations import bundled_spec, select_constellation
    from orbitshare.pnt.evaluate import EvaluationConfig, Points, default_start, evaluate
    from orbitshare.pnt.scenario import scenario_from_dict
    from orbitshare.satcom.region import grid_points, load_region, read_region

    p = parse_params(PntParams, params)
    if p.catalog_product:
        _, data = ctx.read_own_product(p.catalog_product, "catalog")
        cat, _ = read_catalog_file(io.StringIO(data.decode("utf-8", "replace")), f"product {p.catalog_product}")
    else:
        cat, _ = read_catalog(str(resources.files("orbitshare.data").joinpath("celestrak_active_2026-03-10.csv.gz")))
    if len(cat) == 0:
        raise ValueError(f"catalog product {p.catalog_product} holds no usable element set")
    if p.sites:
        import numpy as np

        points = Points([s.name for s in p.sites], np.array([s.lat_deg for s in p.sites]),
                        np.array([s.lon_deg for s in p.sites]), np.array([s.h_m / 1e3 for s in p.sites]), "sites")
        region_name = "sites"
    else:
        reg = (read_region(io.StringIO(json.dumps(p.region_geojson)), "region", "region_geojson")
               if p.region_geojson is not None else load_region(p.region))
        lat, lon = grid_points(reg, p.spacing_km)
        points = Points.grid(lat, lon, p.spacing_km, reg.name)
        region_name = reg.name
    n_times = round(p.hours * 60.0 / p.step_min) + 1
    if len(points) * n_times > MAX_POINT_TIMES:
        raise ValueError(f"{len(points)} points x {n_times} times exceeds {MAX_POINT_TIMES}: raise spacing_km or "
                         "step_min, shorten hours, or use `orbitshare pnt evaluate`")
    con = select_constellation(cat, bundled_spec(), tuple(p.systems), tuple(p.exclude))
    if len(con) == 0:
        raise ValueError("no GPS or Galileo satellite selected from the catalog")
    scenario = None
    if p.jammers is not None:
        doc: dict[str, Any] = {"jammers": p.jammers}
        if p.receiver is not None:
            doc["receiver"] = p.receiver
        if p.propagation is not None:
            doc["propagation"] = p.propagation
        scenario = scenario_from_dict(doc, "params")
    start = as_utc(p.start) if p.start is not None else default_start(con.catalog)
    cfg = EvaluationConfig(start=start, hours=p.hours, step_min=p.step_min, mask_deg=p.mask_deg,
                           pdop_limit=p.pdop_limit, lose_planes=_lose_planes(p.lose_planes), lose_count=p.lose)
    ev = evaluate(con, points, cfg, scenario)
    summary = ev.summary()
    summary["region"] = region_name
    nominal = summary["cases"][0]
    meta = {"region": region_name, "points": len(points), "times": summary["times"],
            "availability_pct": nominal["availability_pct"], "pdop_mean": nominal["pdop_mean"],
            "warnings": len(ev.warnings)}
    if "jamming" in summary:
        meta["points_lock_lost_pct"] = summary["jamming"]["points_lock_lost_pct"]
    return {**summary, "geojson": ev.geojson()}, "application/json", meta


def pnt_jobs() -> list[Job]:
    """The PNT jobs for the hub's registry (bad parameters, regions and scenarios are answered 422)."""
    return [Job("pnt-evaluation", "pnt_evaluation", "GNSS visibility, DOP, jamming and outages over a region",
                pnt_evaluation_job)]
