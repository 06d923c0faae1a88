"""Areas of interest: GeoJSON points and polygons read from a file object, bad features rejected and counted."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import IO, Any

import shapely
from shapely.geometry import shape

from orbitshare.astro.access import Site
from orbitshare.eo.geometry import local_xy_km

__all__ = ["Aoi", "AoiError", "AoiSet", "read_aois"]

#: Largest polygon accepted (km^2): beyond this a single centroid access no longer describes it.
MAX_AREA_KM2 = 2.0e6


class AoiError(ValueError):
    """An AOI file with no usable feature (or not GeoJSON at all): one line naming the file."""


@dataclass(frozen=True)
class Aoi:
    """One area of interest: id, name, WGS-84 geometry (lon/lat deg, shapely) and the site accesses aim at."""

    id: str
    name: str
    geometry: Any
    site: Site

    @property
    def is_point(self) -> bool:
        """True for a point target (no area)."""
        return self.geometry.geom_type == "Point"

    @property
    def local(self) -> Any:
        """The geometry in km on a local equirectangular plane centred on the site."""
        return local_xy_km(self.geometry, self.site.lat_deg, self.site.lon_deg)

    @property
    def area_km2(self) -> float:
        """Area (km^2, local plane); 0 for a point."""
        return 0.0 if self.is_point else float(self.local.area)

    @property
    def radius_km(self) -> float:
        """Largest distance (km) from the site to the geometry's bounding box corners (0 for a point)."""
        if self.is_point:
            return 0.0
        x0, y0, x1, y1 = self.local.bounds
        return max(math.hypot(x, y) for x in (x0, x1) for y in (y0, y1))


@dataclass
class AoiSet:
    """AOIs read from one file and one line per rejected feature."""

    aois: list[Aoi]
    rejects: list[str] = field(default_factory=list)
    source: str = "<aoi>"

    def __len__(self) -> int:
        return len(self.aois)

    def __iter__(self):
        return iter(self.aois)


def _feature_geometry(feat: Any) -> tuple[Any, dict]:
    """(geometry dict, properties) of a GeoJSON Feature or bare geometry; ValueError when neither."""
    if not isinstance(feat, dict):
        raise ValueError("not a JSON object")
    if feat.get("type") == "Feature":
        geom = feat.get("geometry")
        props = feat.get("properties") or {}
        if not isinstance(props, dict):
            raise ValueError("properties is not an object")
        return geom, props
    return feat, {}


def _check_geometry(geom_dict: Any) -> Any:
    """A valid shapely Point or Polygon/MultiPolygon within lon/lat limits; ValueError saying what is wrong."""
    if not isinstance(geom_dict, dict):
        raise ValueError("no geometry")
    kind = geom_dict.get("type")
    if kind not in ("Point", "Polygon", "MultiPolygon"):
        raise ValueError(f"geometry type {kind!r} is not Point, Polygon or MultiPolygon")
    try:
        geom = shape(geom_dict)
    except (ValueError, TypeError, IndexError, KeyError, AttributeError, shapely.errors.GEOSException) as exc:
        raise ValueError(f"malformed {kind} coordinates ({exc})") from None
    if geom.is_empty:
        raise ValueError(f"empty {kind}")
    x0, y0, x1, y1 = geom.bounds
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1)):
        raise ValueError("coordinates are not finite numbers")
    if not (-180.0 <= x0 and x1 <= 180.0 and -90.0 <= y0 and y1 <= 90.0):
        raise ValueError("coordinates outside lon [-180, 180], lat [-90, 90] (GeoJSON order is lon, lat)")
    if kind != "Point":
        if not geom.is_valid:
            raise ValueError(f"invalid {kind} ({shapely.is_valid_reason(geom)})")
        if x1 - x0 > 180.0:
            raise ValueError("polygon spans more than 180 deg of longitude (split it at the antimeridian)")
    return geom


def read_aois(fh: IO[str], source: str = "<aoi>") -> AoiSet:
    """AOIs from a GeoJSON FeatureCollection, Feature or geometry (points, polygons); bad features are rejected
    with one line each; AoiError when the text is not GeoJSON or no feature is usable."""
    try:
        doc = json.load(fh)
    except json.JSONDecodeError as exc:
        raise AoiError(f"{source}: not JSON (line {exc.lineno}: {exc.msg})") from None
    except UnicodeDecodeError:
        raise AoiError(f"{source}: not UTF-8 text") from None
    if isinstance(doc, dict) and doc.get("type") == "FeatureCollection":
        features = doc.get("features")
        if not isinstance(features, list):
            raise AoiError(f"{source}: FeatureCollection without a features list")
    elif isinstance(doc, dict) and doc.get("type") in ("Feature", "Point", "Polygon", "MultiPolygon"):
        features = [doc]
    else:
        raise AoiError(f"{source}: not GeoJSON (expected a FeatureCollection, Feature, Point or Polygon)")
    out = AoiSet([], [], source)
    seen: set[str] = set()
    for k, feat in enumerate(features):
        label = f"feature {k + 1}"
        try:
            geom_dict, props = _feature_geometry(feat)
            raw_id = props.get("id", feat.get("id") if isinstance(feat, dict) else None)
            aoi_id = str(raw_id) if raw_id not in (None, "") else f"aoi-{k + 1}"
            label = f"feature {k + 1} ({aoi_id})"
            if aoi_id in seen:
                raise ValueError(f"duplicate id {aoi_id!r}")
            geom = _check_geometry(geom_dict)
            point = geom if geom.geom_type == "Point" else geom.representative_point()
            if geom.geom_type != "Point" and geom.centroid.within(geom):
                point = geom.centroid
            name = str(props.get("name") or aoi_id)
            height_km = float(props.get("height_m", 0.0) or 0.0) / 1000.0
            aoi = Aoi(aoi_id, name, geom, Site(float(point.y), float(point.x), height_km, aoi_id))
            if aoi.area_km2 > MAX_AREA_KM2:
                raise ValueError(f"polygon of {aoi.area_km2:.0f} km2 is larger than {MAX_AREA_KM2:.0f} km2; split it")
        except (ValueError, TypeError) as exc:
            out.rejects.append(f"{source}: {label}: {exc}")
            continue
        seen.add(aoi_id)
        out.aois.append(aoi)
    if not out.aois:
        first = f" ({out.rejects[0].split(': ', 1)[1]})" if out.rejects else ""
        raise AoiError(f"{source}: no usable point or polygon feature ({len(out.rejects)} rejected){first}")
    return out
