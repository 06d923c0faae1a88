"""Passes of catalog objects over any ground sites: site parsing (LAT,LON[,ALT_M] text, GeoJSON points) and
rise / culmination / set rows per object per site, computed by astro.access."""

from __future__ import annotations

from orbitshare.astro.access import Site, passes

__all__ = ["parse_site", "site_passes"]


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
