"""Routes of the common operational picture: a catalog product's objects, positions and ground tracks.

Each request reads the catalog product as the caller (release decision and audit apply, event
`access.picture`), so the browser receives only objects of catalogs the signed-in user may receive.
Owners (SATCAT country or organisation codes) come from the SATCAT the hub is configured with
(ORBITSHARE_SATCAT), named from the bundled CelesTrak list of owner codes.
Positions are SGP4 (TEME) rotated to ITRS (GMST 1982) and converted to WGS-84 geodetic, sent as
little-endian float32 (steps, objects, 3) = longitude (deg), latitude (deg), height (km); NaN where SGP4
failed. A parsed catalog is kept in a small cache keyed by the content's SHA-256.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Query
from fastapi.responses import Response

from orbitshare.api import schemas as S
from orbitshare.api.deps import HubDep, Owners, PurposeHeader, Who, purpose_of
from orbitshare.api.routes.common import ERRORS
from orbitshare.astro.frames import itrs_to_geodetic, teme_to_itrs
from orbitshare.astro.propagation import Sgp4Records, propagate
from orbitshare.astro.time import Epoch, as_utc, format_utc
from orbitshare.catalog import Catalog, read_catalog_file
from orbitshare.catalog.satcat import owner_names
from orbitshare.service import Hub, Invalid, Principal

__all__ = ["MAX_SAMPLES", "geodetic_grid", "router"]

#: Most object-times one positions request may ask for (25,000 objects x 80 steps).
MAX_SAMPLES = 2_000_000
CACHE_SIZE = 4
EVENT = "access.picture"
EARLIEST, LATEST = datetime(1900, 1, 1, tzinfo=UTC), datetime(2199, 12, 31, tzinfo=UTC)
router = APIRouter(tags=["picture"], responses=ERRORS)
_cache: OrderedDict[str, tuple[Catalog, Sgp4Records]] = OrderedDict()
_lock = threading.Lock()


def geodetic_grid(recs: Sgp4Records, start: datetime, steps: int, step_s: float) -> np.ndarray:
    """float32 (steps, objects, 3): WGS-84 longitude (deg), latitude (deg), height (km); NaN where SGP4 failed."""
    jd, fr = Epoch.from_datetime(start).offsets(np.arange(steps, dtype=np.float64) * step_s)
    eph = propagate(recs, jd, fr, time_major=True)
    r_itrs, _ = teme_to_itrs(eph.r_km, eph.v_kms, jd, fr)
    lat, lon, h = itrs_to_geodetic(r_itrs)
    out = np.stack([lon, lat, h], axis=-1).transpose(1, 0, 2).astype(np.float32)
    out[(eph.error != 0).T] = np.nan
    return np.ascontiguousarray(out)


def _catalog(hub: Hub, who: Principal, purpose: str, product_id: str) -> tuple[Catalog, Sgp4Records, str]:
    """The caller's view of a catalog product: parsed catalog, SGP4 records and originator (audited read)."""
    info, data = hub.products.get(who, purpose, product_id, event=EVENT)
    if info.kind != "catalog":
        raise Invalid(f"product {product_id} is a {info.kind!r}, the picture needs a 'catalog'")
    with _lock:
        hit = _cache.get(info.sha256)
        if hit is not None:
            _cache.move_to_end(info.sha256)
    if hit is None:
        catalog, _ = read_catalog_file(io.StringIO(data.decode("utf-8", "replace")), f"product {product_id}")
        hit = (catalog, Sgp4Records.from_catalog(catalog))
        with _lock:
            _cache[info.sha256] = hit
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    return hit[0], hit[1], info.originator


def _start(t: str | None, catalog: Catalog) -> datetime:
    """Aware UTC start: `t`, or the catalog's newest epoch rounded up to the minute."""
    if t is not None:
        try:
            start = as_utc(t)
        except (ValueError, OverflowError) as e:
            raise Invalid(f"t: not an ISO 8601 UTC time ({e})") from None
        if not EARLIEST <= start <= LATEST:
            raise Invalid("t: must lie between the years 1900 and 2199")
        return start
    if len(catalog) == 0:
        return datetime.now(UTC).replace(second=0, microsecond=0)
    newest = catalog.epoch.max().astype("datetime64[m]").astype(datetime) + timedelta(minutes=1)
    return newest.replace(tzinfo=UTC)


T_QUERY = Query(max_length=40, description="UTC start, ISO 8601 (default: the catalog's newest epoch)")


@router.get("/catalog/{product_id}/objects", response_model=S.PictureObjects)
def objects(product_id: S.Id, who: Who, hub: HubDep, owners: Owners, purpose: PurposeHeader = None) -> dict[str, Any]:
    """The objects of a catalog product you may receive, as columns (one entry per object, positions' order)."""
    catalog, recs, originator = _catalog(hub, who, purpose_of(who, purpose), product_id)
    c = catalog.columns
    ids = catalog.norad_id.tolist()
    owner = owners.codes(ids) if owners is not None else [""] * len(ids)
    names = owner_names()
    return {
        "product_id": product_id,
        "originator": originator,
        "count": len(catalog),
        "default_start_utc": _start(None, catalog).isoformat().replace("+00:00", "Z"),
        "norad_id": ids,
        "owner": owner,
        "owner_names": {code: names.get(code, code) for code in sorted(set(owner) - {""})},
        "owner_source": owners.source if owners is not None else None,
        "name": [str(x) for x in catalog.name],
        "intl_des": [str(x) for x in c["intl_des"]],
        "object_type": [str(x) for x in c["object_type"]],
        "regime": [str(x) for x in catalog.regime],
        "epoch_utc": [str(x) for x in format_utc(c["epoch_jd"], c["epoch_fr"])],
        "perigee_km": np.round(catalog.perigee_km, 1).tolist(),
        "apogee_km": np.round(catalog.apogee_km, 1).tolist(),
        "period_min": np.round(catalog.period_min, 2).tolist(),
        "incl_deg": np.round(c["incl_deg"], 3).tolist(),
        "usable": (recs.init_error == 0).tolist(),
    }


@router.get(
    "/catalog/{product_id}/positions",
    responses={200: {"content": {"application/octet-stream": {}},
                     "description": "float32 little-endian (steps, objects, 3): lon deg, lat deg, height km"}},
)
def positions(
    product_id: S.Id,
    who: Who,
    hub: HubDep,
    purpose: PurposeHeader = None,
    t: Annotated[str | None, T_QUERY] = None,
    steps: Annotated[int, Query(ge=1, le=1440)] = 31,
    step_s: Annotated[float, Query(gt=0, le=86400)] = 120.0,
) -> Response:
    """Geodetic positions of every object of a catalog product at `steps` times from `t`, `step_s` apart."""
    catalog, recs, _ = _catalog(hub, who, purpose_of(who, purpose), product_id)
    if len(catalog) * steps > MAX_SAMPLES:
        raise Invalid(f"steps: {len(catalog)} objects x {steps} steps exceeds {MAX_SAMPLES} samples; ask fewer steps")
    start = _start(t, catalog)
    grid = geodetic_grid(recs, start, steps, step_s)
    headers = {"X-Start-Utc": start.isoformat().replace("+00:00", "Z"), "X-Step-S": repr(float(step_s)),
               "X-Steps": str(steps), "X-Objects": str(len(catalog))}
    return Response(grid.astype("<f4").tobytes(), media_type="application/octet-stream", headers=headers)


@router.get("/catalog/{product_id}/track", response_model=S.Track)
def track(
    product_id: S.Id,
    who: Who,
    hub: HubDep,
    norad_id: Annotated[int, Query(ge=0, le=10**9)],
    purpose: PurposeHeader = None,
    t: Annotated[str | None, T_QUERY] = None,
    minutes: Annotated[float, Query(gt=0, le=1440)] = 100.0,
    before_minutes: Annotated[float, Query(ge=0, le=1440)] = 0.0,
    step_s: Annotated[float, Query(ge=1, le=3600)] = 30.0,
) -> dict[str, Any]:
    """One object's ground track (lon, lat deg; height km) from `t` - before_minutes to `t` + minutes."""
    catalog, recs, _ = _catalog(hub, who, purpose_of(who, purpose), product_id)
    try:
        k = int(catalog.index_of([norad_id])[0])
    except KeyError:
        raise Invalid(f"norad_id: {norad_id} is not in catalog product {product_id}") from None
    start = _start(t, catalog) - timedelta(minutes=before_minutes)
    steps = min(int((minutes + before_minutes) * 60 / step_s) + 1, 5000)
    one = Sgp4Records(recs.records[k : k + 1], recs.epoch_jd[k : k + 1], recs.epoch_fr[k : k + 1])
    grid = geodetic_grid(one, start, steps, step_s)[:, 0, :].astype(np.float64)
    ok = np.isfinite(grid[:, 0])
    c = catalog.columns
    epoch = format_utc(c["epoch_jd"][k], c["epoch_fr"][k])
    now = Epoch.from_datetime(start + timedelta(minutes=before_minutes))
    age_days = (now.jd - float(c["epoch_jd"][k])) + (now.fr - float(c["epoch_fr"][k]))
    return {
        "norad_id": norad_id,
        "name": str(catalog.name[k]),
        "epoch_utc": str(epoch),
        "element_age_days": round(age_days, 4),
        "start_utc": start.isoformat().replace("+00:00", "Z"),
        "step_s": step_s,
        "lon_deg": [round(float(x), 4) if o else None for x, o in zip(grid[:, 0], ok, strict=True)],
        "lat_deg": [round(float(x), 4) if o else None for x, o in zip(grid[:, 1], ok, strict=True)],
        "height_km": [round(float(x), 2) if o else None for x, o in zip(grid[:, 2], ok, strict=True)],
    }

