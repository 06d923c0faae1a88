"""Regions and sites: bundled country boundaries, GeoJSON polygons, evaluation grids and named site lists.

A region is a WGS-84 longitude/latitude polygon (GeoJSON, RFC 7946). Bundled regions (Natural Earth admin-0,
public domain) live in `orbitshare/data/regions/<name>.geojson`; any other polygon is read from a user file.
Grids are regular in ground distance (spacing in km along the meridian and along the parallel at the centre
latitude of the region) and keep the points inside the polygon. Sites are GeoJSON Point features with a name.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import IO, Any

import numpy as np
import shapely
import shapely.geometry
import shapely.validation

from orbitshare.constants import WGS84_A_KM, WGS84_E2
from orbitshare.satcom.docio import read_file

__all__ = [
    "Region", "RegionError", "Sites", "bundled_region_geojson", "bundled_regions", "grid_points", "load_region",
    "load_sites", "read_region", "read_sites",
]


class RegionError(ValueError):
    """A region or site file that cannot be used; the message is one line naming the file and the problem."""


@dataclass(frozen=True)
class Region:
    """A named area: its shapely (Multi)Polygon in lon/lat degrees and where it came from."""

    name: str
    geometry: Any
    source: str

    @property
    def bounds_deg(self) -> tuple[float, float, float, float]:
        """(lon_min, lat_min, lon_max, lat_max) in degrees."""
        b = self.geometry.bounds
        return float(b[0]), float(b[1]), float(b[2]), float(b[3])

    def to_geojson(self) -> dict:
        """The region as a GeoJSON Feature."""
        return {"type": "Feature", "properties": {"name": self.name, "source": self.source},
                "geometry": shapely.geometry.mapping(self.geometry)}


@dataclass(frozen=True)
class Sites:
    """Named ground sites: names, WGS-84 latitude/longitude (deg) and height above the ellipsoid (km), shape (n,)."""

    names: list[str]
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    h_km: np.ndarray

    def __len__(self) -> int:
        return len(self.names)


def bundled_regions() -> list[str]:
    """Names of the regions bundled with orbitshare."""
    folder = resources.files("orbitshare.data").joinpath("regions")
    return sorted(p.name[:-8] for p in folder.iterdir() if p.name.endswith(".geojson"))


def bundled_region_geojson(name: str) -> dict:
    """The GeoJSON FeatureCollection of a bundled region (lower-case name, e.g. "slovenia"; WGS-84 deg)."""
    ref = resources.files("orbitshare.data").joinpath("regions").joinpath(f"{name}.geojson")
    with ref.open("r", encoding="utf-8") as fh:
        return json.load(fh)


def _polygon_of(obj: dict, source: str) -> Any:
    """The union of the Polygon/MultiPolygon geometries of a GeoJSON object, made valid."""
    kind = obj.get("type") if isinstance(obj, dict) else None
    if kind == "FeatureCollection":
        geoms = [f.get("geometry") for f in obj.get("features") or [] if isinstance(f, dict)]
    elif kind == "Feature":
        geoms = [obj.get("geometry")]
    elif kind in ("Polygon", "MultiPolygon"):
        geoms = [obj]
    else:
        raise RegionError(f"{source}: not a GeoJSON FeatureCollection, Feature or Polygon")
    shapes = []
    for i, g in enumerate(geoms):
        if not isinstance(g, dict) or g.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        try:
            s = shapely.geometry.shape(g)
        except Exception as exc:  # shapely raises several types on malformed coordinates
            raise RegionError(f"{source}: feature {i}: bad polygon coordinates ({exc})") from None
        if not s.is_valid:
            s = shapely.validation.make_valid(s)
        shapes.append(s)
    if not shapes:
        raise RegionError(f"{source}: no Polygon or MultiPolygon geometry")
    poly = shapely.union_all(shapes)
    if poly.is_empty or poly.area <= 0.0:
        raise RegionError(f"{source}: the polygon has no area")
    lon0, lat0, lon1, lat1 = poly.bounds
    if lon0 < -180.0 or lon1 > 180.0 or lat0 < -90.0 or lat1 > 90.0:
        raise RegionError(f"{source}: coordinates outside lon [-180, 180], lat [-90, 90] (must be lon, lat degrees)")
    return poly


def read_region(fileobj: IO[str], name: str, source: str = "<stream>") -> Region:
    """Region from a GeoJSON text stream (polygons in lon/lat degrees)."""
    try:
        obj = json.load(fileobj)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RegionError(f"{source}: not valid JSON ({exc.__class__.__name__}: {exc})") from None
    return Region(name=name, geometry=_polygon_of(obj, source), source=source)


def load_region(name_or_file: str | Path) -> Region:
    """A bundled region by name (case-insensitive, e.g. "slovenia") or a region from a GeoJSON file path."""
    key = str(name_or_file).strip().lower()
    if key in bundled_regions():
        obj = bundled_region_geojson(key)
        props = obj["features"][0].get("properties", {})
        return Region(name=key, geometry=_polygon_of(obj, f"{key}.geojson"),
                      source=str(props.get("source", "bundled")))
    path = Path(name_or_file)
    if not path.is_file():
        raise RegionError(f"{name_or_file}: neither a bundled region ({', '.join(bundled_regions())}) nor a file")
    with path.open("r", encoding="utf-8") as fh:
        return read_region(fh, name=path.stem, source=str(path))


def grid_points(polygon: Any, spacing_km: float) -> tuple[np.ndarray, np.ndarray]:
    """Latitudes and longitudes (deg) of a regular grid of spacing_km (km) inside a lon/lat polygon.

    The step is spacing_km on the WGS-84 ellipsoid along the meridian and along the parallel at the polygon's
    centre latitude. A
    polygon smaller than one cell still yields one point (its representative point).
    """
    if not (spacing_km > 0.0 and math.isfinite(spacing_km)):
        raise RegionError(f"grid spacing must be a positive number of km, got {spacing_km}")
    geom = polygon.geometry if isinstance(polygon, Region) else polygon
    lon0, lat0, lon1, lat1 = geom.bounds
    sin_c = math.sin(math.radians(0.5 * (lat0 + lat1)))
    w = math.sqrt(1.0 - WGS84_E2 * sin_c * sin_c)
    meridian_km, normal_km = WGS84_A_KM * (1.0 - WGS84_E2) / w**3, WGS84_A_KM / w   # radii of curvature
    dlat = math.degrees(spacing_km / meridian_km)
    dlon = math.degrees(spacing_km / (normal_km * max(math.sqrt(1.0 - sin_c * sin_c), 1e-3)))
    lats = np.arange(lat0 + 0.5 * ((lat1 - lat0) % dlat), lat1 + 1e-12, dlat)
    lons = np.arange(lon0 + 0.5 * ((lon1 - lon0) % dlon), lon1 + 1e-12, dlon)
    lon_g, lat_g = np.meshgrid(lons, lats)
    inside = shapely.contains_xy(geom, lon_g.ravel(), lat_g.ravel())
    lat_out, lon_out = lat_g.ravel()[inside], lon_g.ravel()[inside]
    if lat_out.size == 0:
        p = geom.representative_point()
        return np.array([p.y]), np.array([p.x])
    return lat_out, lon_out


def _point_sites(obj: Any, source: str) -> Sites:
    """Sites from the Point features of a parsed GeoJSON object."""
    if not isinstance(obj, dict) or obj.get("type") not in ("FeatureCollection", "Feature"):
        raise RegionError(f"{source}: not a GeoJSON FeatureCollection of Point features")
    feats = obj.get("features") if obj["type"] == "FeatureCollection" else [obj]
    names: list[str] = []
    lat: list[float] = []
    lon: list[float] = []
    h: list[float] = []
    for i, f in enumerate(feats or []):
        geom = f.get("geometry") if isinstance(f, dict) else None
        if not isinstance(geom, dict) or geom.get("type") != "Point":
            raise RegionError(f"{source}: feature {i}: geometry must be a Point")
        coords = geom.get("coordinates")
        if (not isinstance(coords, list) or len(coords) < 2
                or not all(isinstance(c, int | float) and math.isfinite(c) for c in coords)):
            raise RegionError(f"{source}: feature {i}: coordinates must be [lon, lat] or [lon, lat, height_m]")
        x, y = float(coords[0]), float(coords[1])
        if not (-180.0 <= x <= 180.0 and -90.0 <= y <= 90.0):
            raise RegionError(f"{source}: feature {i}: lon {x}, lat {y} out of range")
        props = f.get("properties") or {}
        names.append(str(props.get("name") or f.get("id") or f"site-{i + 1}"))
        lon.append(x)
        lat.append(y)
        h.append(float(coords[2]) / 1000.0 if len(coords) > 2 else float(props.get("height_m", 0.0)) / 1000.0)
    if not names:
        raise RegionError(f"{source}: no Point features")
    if len(set(names)) != len(names):
        raise RegionError(f"{source}: site names must be unique")
    return Sites(names, np.array(lat), np.array(lon), np.array(h))


def read_sites(fileobj: IO[str], source: str = "<stream>") -> Sites:
    """Named sites from a GeoJSON text stream of Point features ([lon, lat] or [lon, lat, height m]; name property)."""
    try:
        obj = json.load(fileobj)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RegionError(f"{source}: not valid JSON ({exc.__class__.__name__}: {exc})") from None
    return _point_sites(obj, source)


def load_sites(path: str | Path) -> Sites:
    """Named sites from a GeoJSON file of Point features."""
    return read_file(path, read_sites, RegionError)
