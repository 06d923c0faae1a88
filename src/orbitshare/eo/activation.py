"""Emergency activation: the fastest acquisition plan over the assets whose owners pre-agreed emergency use.

For each emergency-use asset of the registry (`orbitshare.eo.assets`), the earliest time after the activation
at which it can image the area of interest (the AOI's centroid) within its own limits: the outer edge of its
field of regard (`Asset.field_of_regard`: the off-nadir limit, the incidence range of a SAR, or nadir only
when agility is unknown), the Sun elevation at the target for optical sensors (the registry's figure, else
10 deg) and a minimum elevation. The first entry into the field of regard is also feasible for a SAR's
incidence band, whose inner edge is crossed later; the SAR look side is not modelled. Access intervals come
from `orbitshare.astro.access` (edges refined by bisection; an access in progress at the activation counts
from the activation).
Assets are ranked by that time; the first one gives the expected time to first image. Tasking, uplink and
downlink latencies are not modelled: the time is the earliest geometric and illumination opportunity.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from shapely.geometry import shape

from orbitshare.astro.access import Constraints, Site, access_windows
from orbitshare.astro.time import Epoch, as_utc
from orbitshare.eo.assets import Asset

__all__ = [
    "DEFAULT_HORIZON_H",
    "DEFAULT_MIN_ELEVATION_DEG",
    "DEFAULT_OPTICAL_SUN_DEG",
    "USABLE_STATUS",
    "ActivationPlan",
    "PlanEntry",
    "aoi_site",
    "fastest_plan",
]

DEFAULT_HORIZON_H = 72.0
DEFAULT_MIN_ELEVATION_DEG = 10.0
#: Sun elevation (deg) assumed for an optical asset whose registry entry gives none.
DEFAULT_OPTICAL_SUN_DEG = 10.0
USABLE_STATUS = ("operational", "commissioning")


@dataclass(frozen=True)
class PlanEntry:
    """One emergency asset's earliest access to the AOI after the activation (UTC; seconds from activation)."""

    asset_id: str
    owner: str
    norad_id: int
    first_access: datetime
    access_end: datetime
    time_to_first_image_s: float
    in_progress: bool  # the asset could already image the AOI at the activation time

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dict with ISO 8601 UTC times."""
        return {
            "asset_id": self.asset_id,
            "owner": self.owner,
            "norad_id": self.norad_id,
            "first_access": Epoch.from_datetime(self.first_access).iso(),
            "access_end": Epoch.from_datetime(self.access_end).iso(),
            "time_to_first_image_s": round(self.time_to_first_image_s, 1),
            "in_progress": self.in_progress,
        }


@dataclass(frozen=True)
class ActivationPlan:
    """Ranked earliest accesses of the emergency assets, and why any emergency asset has none."""

    start: datetime
    horizon_end: datetime
    site: Site
    entries: list[PlanEntry]
    unavailable: list[tuple[str, str]]  # (asset id, reason)

    @property
    def time_to_first_image_s(self) -> float | None:
        """Seconds from activation to the first feasible image, None when no asset reaches the AOI."""
        return self.entries[0].time_to_first_image_s if self.entries else None

    @property
    def first_image(self) -> datetime | None:
        """UTC time of the first feasible image."""
        return self.entries[0].first_access if self.entries else None


def aoi_site(aoi: dict[str, Any]) -> Site:
    """The target point of a GeoJSON Point or Polygon AOI (lon, lat deg): the point, or the polygon's centroid."""
    geom = shape(aoi)
    if geom.is_empty or geom.geom_type not in ("Point", "Polygon"):
        raise ValueError("aoi: a non-empty GeoJSON Point or Polygon is required")
    c = geom if geom.geom_type == "Point" else geom.centroid
    return Site(float(c.y), float(c.x), 0.0, "aoi")


def fastest_plan(
    assets: Iterable[Asset],
    catalog: Any,
    aoi: dict[str, Any],
    start: datetime | str,
    horizon_h: float = DEFAULT_HORIZON_H,
    min_elevation_deg: float = DEFAULT_MIN_ELEVATION_DEG,
) -> ActivationPlan:
    """Earliest feasible access of every emergency-use asset to `aoi` after `start`, ranked (UTC).

    `catalog` (an `orbitshare.catalog.Catalog`) holds the assets' element sets by NORAD id; assets without
    elements, or without access before `start + horizon_h`, are listed as unavailable.
    """
    if not horizon_h > 0:
        raise ValueError("horizon_h must be positive")
    t0 = as_utc(start)
    t1 = t0 + timedelta(hours=horizon_h)
    site = aoi_site(aoi)
    entries: list[PlanEntry] = []
    unavailable: list[tuple[str, str]] = []
    for a in assets:
        if not a.emergency_use:
            continue
        entry, reason = _earliest(a, catalog, site, t0, t1, min_elevation_deg)
        if entry is not None:
            entries.append(entry)
        else:
            unavailable.append((a.id, reason))
    entries.sort(key=lambda e: (e.first_access, e.asset_id))
    return ActivationPlan(t0, t1, site, entries, unavailable)


def _earliest(
    a: Asset, catalog: Any, site: Site, t0: datetime, t1: datetime, min_elevation_deg: float
) -> tuple[PlanEntry | None, str]:
    """The first access of one asset in [t0, t1], or None and the reason."""
    if a.status not in USABLE_STATUS:
        return None, f"status {a.status}"
    if a.norad_id is None:
        return None, "no NORAD id (notional elements only)"
    sat = catalog.select(ids=[int(a.norad_id)])
    if len(sat) == 0:
        return None, f"no element set for NORAD {a.norad_id} in the catalog"
    sat = sat.take([0])
    altitude_km = 0.5 * float(sat.perigee_km[0] + sat.apogee_km[0])
    regard = a.field_of_regard(altitude_km)
    if regard is None:
        return None, "field of regard and swath unknown"
    sun = a.min_sun_elevation_deg
    if sun is None and a.sensor == "optical":
        sun = DEFAULT_OPTICAL_SUN_DEG
    c = Constraints(min_elevation_deg, regard[1], sun)
    windows = [w for w in access_windows(sat, site, t0, t1, c) if w["stop"] > t0]
    if not windows:
        return None, f"no access within {(t1 - t0).total_seconds() / 3600.0:g} h ({regard[2]}, " \
                     f"off-nadir <= {regard[1]:.1f} deg)"
    w = min(windows, key=lambda x: x["start"])
    first = max(w["start"], t0)
    return (
        PlanEntry(a.id, a.owner, int(a.norad_id), first, w["stop"], (first - t0).total_seconds(), w["start"] <= t0),
        "",
    )
