"""Overflight warnings: when watched (foreign imaging / signals) satellites can see own sites.

A site is a point or a polygon (its vertices and centroid are tested, and the windows are united). Each
watched satellite carries a sensor kind: optical sensors need daylight at the site (sun elevation limit),
radar and signals sensors do not; every kind has an elevation limit and an optional off-nadir limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from orbitshare.astro.access import Constraints, Site, passes
from orbitshare.astro.time import Epoch

__all__ = ["DEFAULT_LIMITS", "SENSOR_KINDS", "Overflight", "SiteArea", "WatchedSatellite", "overflights"]

SENSOR_KINDS = ("optical", "sar", "sigint")
#: Default limits per sensor kind: (min elevation deg, max off-nadir deg, min sun elevation deg or None).
DEFAULT_LIMITS = {"optical": (10.0, 45.0, 10.0), "sar": (10.0, 50.0, None), "sigint": (0.0, None, None)}


@dataclass(frozen=True)
class SiteArea:
    """A named protected site: a point, or a polygon given by (lat, lon) vertices (deg, WGS-84)."""

    name: str
    points: tuple[Site, ...]
    polygon: tuple[tuple[float, float], ...] | None = None

    @classmethod
    def point(cls, name: str, lat_deg: float, lon_deg: float, h_km: float = 0.0) -> SiteArea:
        """A point site."""
        return cls(name, (Site(lat_deg, lon_deg, h_km, name),))

    @classmethod
    def from_polygon(cls, name: str, vertices_latlon, h_km: float = 0.0) -> SiteArea:
        """A polygon site from (lat, lon) vertices in degrees; tested at its vertices and centroid."""
        from shapely.geometry import Polygon

        verts = [(float(a), float(b)) for a, b in vertices_latlon]
        if len(verts) < 3:
            raise ValueError(f"site {name!r}: a polygon needs at least 3 vertices, got {len(verts)}")
        poly = Polygon([(lon, lat) for lat, lon in verts])
        if not poly.is_valid or poly.area == 0.0:
            raise ValueError(f"site {name!r}: polygon is not valid (self-intersecting or empty)")
        c = poly.centroid
        pts = [Site(c.y, c.x, h_km, f"{name} centroid")]
        pts += [Site(lat, lon, h_km, f"{name} vertex {i}") for i, (lat, lon) in enumerate(verts)]
        return cls(name, tuple(pts), tuple(verts))


@dataclass(frozen=True)
class WatchedSatellite:
    """A satellite to warn about: NORAD id, sensor kind and its access limits."""

    norad_id: int
    sensor: str = "optical"
    min_elevation_deg: float | None = None
    max_off_nadir_deg: float | None = None
    min_sun_elevation_deg: float | None = None
    owner: str = ""

    def constraints(self) -> Constraints:
        """Access limits: the satellite's own values, else the defaults of its sensor kind."""
        if self.sensor not in SENSOR_KINDS:
            kinds = ", ".join(SENSOR_KINDS)
            raise ValueError(f"NORAD {self.norad_id}: sensor {self.sensor!r} not one of {kinds}")
        el, off, sun = DEFAULT_LIMITS[self.sensor]
        return Constraints(el if self.min_elevation_deg is None else self.min_elevation_deg,
                           off if self.max_off_nadir_deg is None else self.max_off_nadir_deg,
                           sun if self.min_sun_elevation_deg is None else self.min_sun_elevation_deg)


@dataclass
class Overflight:
    """One interval in which a watched satellite can observe a site (UTC), with its geometry."""

    site: str
    norad_id: int
    name: str
    sensor: str
    start: datetime
    stop: datetime
    max_elevation_deg: float
    min_range_km: float
    owner: str = ""
    points: list[str] = field(default_factory=list)
    lat_deg: float | None = None  # the site's point, or its polygon's centroid (WGS-84, deg)
    lon_deg: float | None = None

    def as_dict(self) -> dict:
        """Plain dict (ISO 8601 UTC times, site location in WGS-84 deg) for JSON/CSV export."""
        return {"site": self.site, "norad_id": self.norad_id, "name": self.name, "sensor": self.sensor,
                "owner": self.owner, "start": Epoch.from_datetime(self.start).iso(),
                "stop": Epoch.from_datetime(self.stop).iso(),
                "duration_s": round((self.stop - self.start).total_seconds(), 3),
                "max_elevation_deg": round(self.max_elevation_deg, 3),
                "min_range_km": round(self.min_range_km, 3), "lat_deg": self.lat_deg, "lon_deg": self.lon_deg}


def _union(items: list[Overflight]) -> list[Overflight]:
    """Merge overlapping intervals of the same satellite (from different points of one site)."""
    items = sorted(items, key=lambda o: (o.norad_id, o.start))
    out: list[Overflight] = []
    for o in items:
        last = out[-1] if out else None
        if last is not None and last.norad_id == o.norad_id and o.start <= last.stop:
            last.stop = max(last.stop, o.stop)
            last.max_elevation_deg = max(last.max_elevation_deg, o.max_elevation_deg)
            last.min_range_km = min(last.min_range_km, o.min_range_km)
            last.points += [p for p in o.points if p not in last.points]
        else:
            out.append(o)
    return out


def overflights(catalog, sites: list[SiteArea], watched: list[WatchedSatellite], start, stop,
                step_s: float | None = None) -> dict[str, list[Overflight]]:
    """Timeline per site name: every interval a watched satellite meets its sensor's limits, by start."""
    ids = [w.norad_id for w in watched]
    present = set(catalog.norad_id.tolist())
    missing = [i for i in ids if i not in present]
    if missing:
        raise KeyError(f"watched NORAD ids not in the catalog: {missing}")
    groups: dict[Constraints, list[WatchedSatellite]] = {}
    for w in watched:
        groups.setdefault(w.constraints(), []).append(w)
    timeline: dict[str, list[Overflight]] = {}
    for site in sites:
        found: list[Overflight] = []
        for c, members in groups.items():
            by_id = {w.norad_id: w for w in members}
            sub = catalog.take(np.isin(catalog.norad_id, list(by_id)))
            for pt in site.points:
                for p in passes(sub, pt.lat_deg, pt.lon_deg, pt.h_km, start, stop, c.min_elevation_deg,
                                c.max_off_nadir_deg, c.min_sun_elevation_deg, step_s):
                    w = by_id[p.norad_id]
                    found.append(Overflight(site.name, p.norad_id, p.name, w.sensor, p.rise, p.set,
                                            p.max_elevation_deg, p.min_range_km, w.owner, [pt.name],
                                            site.points[0].lat_deg, site.points[0].lon_deg))
        timeline[site.name] = sorted(_union(found), key=lambda o: (o.start, o.norad_id))
    return timeline
