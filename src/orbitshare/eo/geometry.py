"""Ground geometry on a spherical Earth: bearings, destinations, and a local km plane for areas (vectorised)."""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely

__all__ = ["EARTH_MEAN_RADIUS_KM", "bearing_deg", "destination", "distance_km", "local_xy_km", "local_xy_points",
           "lonlat_from_local"]

#: IUGG mean Earth radius (km), used for ground distances and footprints.
EARTH_MEAN_RADIUS_KM = 6371.0088
_KM_PER_DEG = np.pi * EARTH_MEAN_RADIUS_KM / 180.0


def bearing_deg(lat1_deg, lon1_deg, lat2_deg, lon2_deg) -> np.ndarray:
    """Initial great-circle bearing (deg clockwise from north, 0-360) from point 1 to point 2."""
    p1, p2 = np.radians(lat1_deg), np.radians(lat2_deg)
    dl = np.radians(np.asarray(lon2_deg) - np.asarray(lon1_deg))
    y = np.sin(dl) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    return np.degrees(np.arctan2(y, x)) % 360.0


def distance_km(lat1_deg, lon1_deg, lat2_deg, lon2_deg) -> np.ndarray:
    """Great-circle distance (km, haversine, mean Earth radius)."""
    p1, p2 = np.radians(lat1_deg), np.radians(lat2_deg)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2_deg) - np.asarray(lon1_deg))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2.0 * EARTH_MEAN_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def destination(lat_deg, lon_deg, bearing, dist_km) -> tuple[np.ndarray, np.ndarray]:
    """Latitude and longitude (deg, lon in [-180, 180)) reached from a point along a bearing (deg) after dist_km."""
    p1, l1 = np.radians(lat_deg), np.radians(lon_deg)
    b, d = np.radians(bearing), np.asarray(dist_km) / EARTH_MEAN_RADIUS_KM
    p2 = np.arcsin(np.clip(np.sin(p1) * np.cos(d) + np.cos(p1) * np.sin(d) * np.cos(b), -1.0, 1.0))
    l2 = l1 + np.arctan2(np.sin(b) * np.sin(d) * np.cos(p1), np.cos(d) - np.sin(p1) * np.sin(p2))
    return np.degrees(p2), (np.degrees(l2) + 180.0) % 360.0 - 180.0


def _wrap(dlon):
    """Longitude differences wrapped to [-180, 180)."""
    return (np.asarray(dlon) + 180.0) % 360.0 - 180.0


def local_xy_km(geom: Any, lat0_deg: float, lon0_deg: float) -> Any:
    """A lon/lat shapely geometry mapped to km on the equirectangular plane tangent at (lat0, lon0).

    Areas are exact to about 0.5 % over 500 km; longitudes are unwrapped around lon0 (antimeridian-safe)."""
    c = np.cos(np.radians(lat0_deg))

    def fwd(xy):
        return np.column_stack([_wrap(xy[:, 0] - lon0_deg) * c * _KM_PER_DEG, (xy[:, 1] - lat0_deg) * _KM_PER_DEG])

    return shapely.transform(geom, fwd)


def lonlat_from_local(geom: Any, lat0_deg: float, lon0_deg: float) -> Any:
    """Inverse of local_xy_km: km plane geometry back to lon/lat (deg; lon may leave [-180, 180] near it)."""
    c = np.cos(np.radians(lat0_deg))

    def inv(xy):
        return np.column_stack([xy[:, 0] / (c * _KM_PER_DEG) + lon0_deg, xy[:, 1] / _KM_PER_DEG + lat0_deg])

    return shapely.transform(geom, inv)


def local_xy_points(lat_deg, lon_deg, lat0_deg, lon0_deg) -> np.ndarray:
    """Points (..., 2) in km on the local plane of (lat0, lon0), arrays broadcast (lat0/lon0 per point allowed)."""
    c = np.cos(np.radians(lat0_deg))
    x = _wrap(np.asarray(lon_deg) - lon0_deg) * c * _KM_PER_DEG
    y = (np.asarray(lat_deg) - lat0_deg) * _KM_PER_DEG
    return np.stack([x, y], axis=-1)

