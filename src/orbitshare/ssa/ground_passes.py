"""Passes of catalog objects over any ground sites: site parsing (LAT,LON[,ALT_M] text, GeoJSON points) and
rise / culmination / set rows per object per site, computed by astro.access."""

from __future__ import annotations

import json
from typing import TextIO

from orbitshare.astro.access import Site, passes

__all__ = ["parse_site", "read_sites_geojson", "site_passes"]


def parse_site(text: str, name: str = "site") -> Site:
    """Site from 'LAT,LON' or 'LAT,LON,ALT' (degrees, WGS-84; altitude in metres); ValueError naming the text."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) not in (2, 3):
        raise ValueError(f"--site {text!r}: expected LAT,LON or LAT,LON,ALT_M")
    try:
        lat, lon = float(parts[0]), float(parts[1])
        alt_m = float(parts[2]) if len(parts) == 3 else 0.0
    except ValueError:
        raise ValueError(f"--site {text!r}: expected numbers LAT,LON or LAT,LON,ALT_M") from None
    return Site(lat, lon, alt_m / 1000.0, name)


def read_sites_geojson(fh: TextIO, source: str = "GeoJSON") -> list[Site]:
    """Sites of the Point features of a GeoJSON FeatureCollection (coordinates [lon, lat, alt_m?]; name from
    properties.name); ValueError naming the file and feature on anything else."""
    try:
        doc = json.load(fh)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{source}: not JSON ({exc})") from None
    features = doc.get("features") if isinstance(doc, dict) and doc.get("type") == "FeatureCollection" else None
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        features = [doc]
    if not features:
        raise ValueError(f"{source}: expected a GeoJSON FeatureCollection with Point features")
    sites = []
    for k, f in enumerate(features):
        geom = (f or {}).get("geometry") or {}
        props = (f or {}).get("properties") or {}
        name = str(props.get("name") or f"site {k + 1}")
        coords = geom.get("coordinates")
        if geom.get("type") != "Point" or not isinstance(coords, list) or len(coords) not in (2, 3):
            raise ValueError(f"{source}: feature {k + 1} ({name}) is not a Point with [lon, lat(, alt_m)]")
        try:
            lon, lat = float(coords[0]), float(coords[1])
            alt_m = float(coords[2]) if len(coords) == 3 else 0.0
            sites.append(Site(lat, lon, alt_m / 1000.0, name))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{source}: feature {k + 1} ({name}): {exc}") from None
    return sites


def site_passes(catalog, sites: list[Site], start, stop, min_elevation_deg: float = 10.0) -> list[dict]:
    """One row per pass per site, sorted by site then rise: site, object, rise / culmination / set (ISO UTC),
    azimuths and max elevation (deg), minimum range (km), duration (s), and whether rise/set are clipped."""
    rows = []
    for site in sites:
        for p in passes(catalog, site.lat_deg, site.lon_deg, site.h_km, start, stop, min_elevation_deg):
            d = p.as_dict()
            rows.append({"site": site.name, "site_lat_deg": site.lat_deg, "site_lon_deg": site.lon_deg,
                         "norad_id": d["norad_id"], "name": d["name"], "rise_utc": d["rise"],
                         "rise_az_deg": round(d["rise_azimuth_deg"], 2), "culmination_utc": d["culmination"],
                         "max_elevation_deg": round(d["max_elevation_deg"], 3),
                         "culmination_az_deg": round(d["culmination_azimuth_deg"], 2), "set_utc": d["set"],
                         "set_az_deg": round(d["set_azimuth_deg"], 2), "min_range_km": round(d["min_range_km"], 3),
                         "duration_s": d["duration_s"], "rise_clipped": d["rise_clipped"],
                         "set_clipped": d["set_clipped"]})
    return rows
