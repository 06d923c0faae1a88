"""Hub jobs of the Earth-observation virtual constellation: imaging opportunities over GeoJSON AOIs.

The job reads its catalog product as the caller (own partner only, see JobContext), computes every access of the
chosen registry assets to the posted AOIs and returns a GeoJSON FeatureCollection of footprints with the access
properties, stored by the hub as an `imaging_opportunities` product under the posted label. The collection's
`properties` hold the window, the AOIs as GeoJSON and their persistence figures (`eo.persistence`: accesses a
day, mean and longest gap, longest wait, first access, coverage of polygons).
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import Field

from orbitshare.api.jobs import Job, JobContext, JobParams, JobResult, parse_params

__all__ = ["ImagingOpportunitiesParams", "eo_jobs", "imaging_opportunities_job"]

#: Largest number of AOIs and window length a synchronous request may ask for.
MAX_AOIS = 500
MAX_HOURS = 7 * 24.0


class ImagingOpportunitiesParams(JobParams):
    """Imaging opportunities of registry assets over AOIs (GeoJSON) in a UTC window."""

    catalog_product: str = Field(description="id of a `catalog` product holding the assets' element sets")
    aois: dict[str, Any] = Field(description="GeoJSON FeatureCollection, Feature or geometry (points, polygons)")
    start: datetime | None = Field(default=None, description="UTC start (default: the catalog's newest epoch)")
    hours: float = Field(default=24.0, gt=0, le=MAX_HOURS)
    assets: list[str] | None = Field(default=None, max_length=200,
                                     description="asset ids and/or owner codes (default: every asset)")


def imaging_opportunities_job(params: dict[str, Any], ctx: JobContext) -> JobResult:
    """GeoJSON FeatureCollection of every access (footprint and properties) of the chosen assets to the AOIs."""
    from orbitshare.astro.time import as_utc
    from orbitshare.catalog import read_catalog_file
    from orbitshare.eo.aoi import AoiError, read_aois
    from orbitshare.eo.assets import load_registry
    from orbitshare.eo.opportunities import find_opportunities
    from orbitshare.eo.persistence import persistence

    p = parse_params(ImagingOpportunitiesParams, params)
    try:
        aois = read_aois(io.StringIO(json.dumps(p.aois)), "aois")
    except AoiError as exc:
        raise ValueError(str(exc)) from None
    if len(aois) > MAX_AOIS:
        raise ValueError(f"aois: {len(aois)} AOIs; a request may hold at most {MAX_AOIS}")
    try:
        registry = load_registry().select(p.assets) if p.assets else load_registry()
    except ValueError as exc:
        raise ValueError(f"assets: {exc}") from None
    _, data = ctx.read_own_product(p.catalog_product, "catalog")
    catalog, _ = read_catalog_file(io.StringIO(data.decode("utf-8", "replace")), f"product {p.catalog_product}")
    if len(catalog) == 0:
        raise ValueError(f"catalog product {p.catalog_product} holds no usable element set")
    if p.start is not None:
        start = as_utc(p.start)
    else:  # the newest element set's epoch, to the next minute
        newest = catalog.epoch.max().astype("datetime64[m]").astype(datetime) + timedelta(minutes=1)
        start = newest.replace(tzinfo=UTC)
    opp = find_opportunities(catalog, registry, aois.aois, start, start + timedelta(hours=p.hours))
    fc = opp.to_geojson()
    fc["properties"] = {"start_utc": start.isoformat(), "hours": p.hours, "skipped_assets": opp.skipped,
                        "rejected_aois": aois.rejects, "aois": _aoi_collection(aois.aois),
                        "persistence": persistence(opp).table}
    meta = {"accesses": len(opp), "assets": len(opp.assets), "aois": len(aois), "rejected_aois": len(aois.rejects),
            "skipped_assets": len(opp.skipped)}
    return fc, "application/geo+json", meta


def _aoi_collection(aois: list[Any]) -> dict[str, Any]:
    """The AOIs as a GeoJSON FeatureCollection (id and name in the properties)."""
    import shapely.geometry

    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": shapely.geometry.mapping(a.geometry),
         "properties": {"aoi": a.id, "name": a.name}} for a in aois]}


def eo_jobs() -> list[Job]:
    """The EO jobs, for the capabilities' registry; bad parameters (ValueError) are answered 422."""
    return [Job("imaging-opportunities", "imaging_opportunities",
                "Imaging opportunities of EO registry assets over GeoJSON AOIs (footprints, GSD, coverage)",
                imaging_opportunities_job)]
