"""Hub job `satcom-evaluation`: SATCOM resilience of a region or sites, stored as a `satcom_evaluation` product.

The parameters name a bundled region (or give a GeoJSON polygon or a list of sites), the grid spacing and an
inline scenario (the fields of a scenario YAML). Satellites come from the caller's own catalog product when one
is given (release decision and audit apply), otherwise from the bundled CelesTrak set. The result is the JSON
summary with the PACE rows and, under "geojson", a FeatureCollection of the sites with availability and margin
properties for the web map.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from pydantic import Field

from orbitshare.api.jobs import Job, JobContext, JobParams, JobResult, parse_params

__all__ = ["SatcomEvaluationParams", "SatcomSite", "satcom_evaluation_job", "satcom_jobs"]

#: A synchronous job evaluates at most this many site x time samples.
MAX_SAMPLES = 2_000_000


class SatcomSite(JobParams):
    """A named site (WGS-84 degrees, height in m)."""

    name: str = Field(min_length=1, max_length=100)
    lat_deg: float = Field(ge=-90, le=90)
    lon_deg: float = Field(ge=-180, le=180)
    height_m: float | None = Field(default=None, ge=-500, le=9000)


class SatcomEvaluationParams(JobParams):
    """Where to evaluate (region, polygon or sites), how finely, with which scenario and catalog."""

    region: str = Field(default="slovenia", description="bundled region name")
    region_geojson: dict[str, Any] | None = Field(default=None, description="GeoJSON polygon instead of region")
    sites: list[SatcomSite] | None = Field(default=None, max_length=2000)
    spacing_km: float = Field(default=20.0, ge=2.0, le=500.0)
    scenario: dict[str, Any] = Field(default_factory=dict, description="scenario fields (see docs/satcom.md)")
    catalog_product: str | None = Field(default=None, description="id of the caller's `catalog` product")


def _bundled_catalog():
    """The bundled CelesTrak catalog."""
    from importlib import resources

    from orbitshare.catalog import read_catalog

    path = resources.files("orbitshare.data").joinpath("celestrak_active_2026-03-10.csv.gz")
    cat, _ = read_catalog(str(path))
    return cat


def satcom_evaluation_job(params: dict[str, Any], ctx: JobContext) -> JobResult:
    """Run a SATCOM evaluation and return (summary with geojson and pace, media type, meta)."""
    import json

    from orbitshare.catalog import read_catalog_file
    from orbitshare.satcom.evaluate import evaluate
    from orbitshare.satcom.models import load_models
    from orbitshare.satcom.outputs import grid_geojson, pace_rows, summary
    from orbitshare.satcom.region import Sites, grid_points, load_region, read_region
    from orbitshare.satcom.scenario import Scenario

    p = parse_params(SatcomEvaluationParams, params)
    scen = parse_params(Scenario, p.scenario, "scenario.")
    region = None
    if p.sites:
        names = [s.name for s in p.sites]
        if len(set(names)) != len(names):
            raise ValueError("sites: names must be unique")
        sites = Sites(names, np.array([s.lat_deg for s in p.sites]), np.array([s.lon_deg for s in p.sites]),
                      np.array([np.nan if s.height_m is None else s.height_m / 1e3 for s in p.sites]))
    else:
        region = (read_region(io.StringIO(json.dumps(p.region_geojson)), "polygon", "region_geojson")
                  if p.region_geojson is not None else load_region(p.region))
        lat, lon = grid_points(region.geometry, p.spacing_km)
        sites = Sites([f"{region.name}-{i + 1:04d}" for i in range(lat.size)], lat, lon, np.full(lat.size, np.nan))
    n_t = int(scen.hours * 3600.0 / scen.step_s) + 1
    if len(sites) * n_t > MAX_SAMPLES:
        raise ValueError(f"{len(sites)} sites x {n_t} times exceeds {MAX_SAMPLES:,} samples; raise spacing_km or "
                         "step_s, or shorten hours")
    if p.catalog_product:
        _, data = ctx.read_own_product(p.catalog_product, kind="catalog")
        catalog, _ = read_catalog_file(io.StringIO(data.decode("utf-8", errors="replace")), p.catalog_product)
    else:
        catalog = _bundled_catalog()
    ev = evaluate(sites, scen, load_models(), catalog, workers=1)   # no fork inside the threaded server
    result = summary(ev, region)
    result["pace"] = pace_rows(ev)
    result["geojson"] = grid_geojson(ev)
    meta = {"sites": len(sites), "scenario": scen.name, "options": [o["option"] for o in result["options"]],
            "multi_orbit_median_availability_pct": result["orbit_mix"]["multi-orbit"][
                "scenario_median_availability_pct"]}
    return result, "application/json", meta


def satcom_jobs() -> list[Job]:
    """The SATCOM jobs for the hub's registry (bad parameters, regions or scenarios are answered 422)."""
    from orbitshare.satcom.models import ModelError
    from orbitshare.satcom.region import RegionError

    return [Job("satcom-evaluation", "satcom_evaluation",
                "SATCOM resilience (GEO/MEO coverage, margins, availability, jamming, PACE) over a region or sites",
                satcom_evaluation_job, input_errors=(ValueError, ModelError, RegionError))]
