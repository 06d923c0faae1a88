"""Imaging opportunities: every access of every asset to every AOI in a UTC window, with its imaging geometry.

Access windows come from `orbitshare.astro.access.multi_site_windows` (one propagation of all assets, an
Earth-central-angle screen, bisection edges, golden-section best time), with each asset's field of regard as the
off-nadir ceiling and, for optical assets, a sun-elevation floor. For each window the geometry at the time of
least off-nadir angle gives off-nadir, azimuth, incidence, sun elevation, achievable GSD and look side; a swath
strip along the ground track, centred on the AOI's cross-track offset, gives the footprint and the fraction of a
polygon the access covers. SAR assets image broadside: an access is kept when the incidence at the least
off-nadir time lies in the asset's incidence range on an allowed look side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import shapely

from orbitshare.astro.access import multi_site_windows, site_geometry, sun_direction_teme
from orbitshare.astro.frames import geodetic_to_itrs, itrs_to_geodetic, teme_to_itrs
from orbitshare.astro.propagation import Sgp4Records, propagate_pairs
from orbitshare.astro.time import Epoch, as_utc, format_utc
from orbitshare.constants import DAY_S, WGS72_MU_KM3S2, WGS84_A_KM
from orbitshare.eo.aoi import Aoi
from orbitshare.eo.assets import Asset, Registry
from orbitshare.eo.geometry import bearing_deg, destination, distance_km, local_xy_points, lonlat_from_local
from orbitshare.eo.sensor import ground_swath_km, gsd_m

__all__ = ["COLUMNS", "FOOTPRINT_SAMPLES", "Opportunities", "PlannedAsset", "find_opportunities", "plan_assets"]

#: Points per strip edge of a footprint polygon.
FOOTPRINT_SAMPLES = 9
#: Sun elevation (deg) an optical asset needs when its own figure is unknown: the Sun above the horizon.
DEFAULT_MIN_SUN_ELEVATION_DEG = 0.0
#: Output columns of one opportunity row, in order.
COLUMNS = ("aoi", "asset", "owner", "norad_id", "sensor", "start", "stop", "best", "duration_s", "off_nadir_deg",
           "azimuth_deg", "elevation_deg", "incidence_deg", "sun_elevation_deg", "daylight", "look_side", "orbit_state",
           "gsd_m", "coverage_fraction", "start_clipped", "stop_clipped")


@dataclass(frozen=True)
class PlannedAsset:
    """An asset ready to compute: its row in the SGP4 records, mean altitude (km) and off-nadir band (deg)."""

    asset: Asset
    row: int
    altitude_km: float
    off_nadir_min_deg: float
    off_nadir_max_deg: float
    basis: str
    notional: bool

    @property
    def fixed_pointing(self) -> bool:
        """True when the sensor cannot point off its swath (the band is the nadir swath itself)."""
        half = self.asset.half_swath_off_nadir_deg(self.altitude_km)
        return self.asset.sensor == "optical" and half is not None and self.off_nadir_max_deg <= half + 0.5


def _notional_records(assets: Sequence[Asset], start: datetime) -> Sgp4Records:
    """SGP4 records of planned satellites from notional circular elements at `start` (phase 0 at the node)."""
    epoch = Epoch.from_datetime(start)
    n = len(assets)
    alt = np.array([a.notional_elements.altitude_km for a in assets if a.notional_elements is not None])
    inc = np.array([a.notional_elements.inclination_deg for a in assets if a.notional_elements is not None])
    ecc = np.array([a.notional_elements.eccentricity for a in assets if a.notional_elements is not None])
    sun = sun_direction_teme(np.array([epoch.jd]), np.array([epoch.fr]))[0]
    sun_ra_deg = float(np.degrees(np.arctan2(sun[1], sun[0])))
    raan = np.array([(sun_ra_deg + 15.0 * (a.notional_elements.ltan_h - 12.0)) % 360.0
                     if a.notional_elements is not None and a.notional_elements.ltan_h is not None else 0.0
                     for a in assets])
    a_km = WGS84_A_KM + alt
    n_revday = np.sqrt(WGS72_MU_KM3S2 / a_km**3) * DAY_S / (2.0 * np.pi)
    z = np.zeros(n)
    return Sgp4Records.from_elements(np.full(n, epoch.jd), np.full(n, epoch.fr), n_revday, ecc, inc, raan, z, z,
                                     z, z, z)


def plan_assets(catalog, registry: Registry, start) -> tuple[list[PlannedAsset], Sgp4Records, list[str]]:
    """Assets that can be computed (in the catalog or with notional elements, with a known field of regard),
    their SGP4 records, and one line per asset left out saying why."""
    start = as_utc(start)
    skipped: list[str] = []
    from_cat: list[tuple[Asset, int]] = []
    notional: list[Asset] = []
    index = {int(k): i for i, k in enumerate(catalog.norad_id)} if catalog is not None else {}
    for a in registry:
        if a.status in ("decayed", "failed"):
            skipped.append(f"{a.id}: {a.status}")
        elif a.norad_id is not None and a.norad_id in index:
            from_cat.append((a, index[a.norad_id]))
        elif a.notional_elements is not None:
            notional.append(a)
        else:
            skipped.append(f"{a.id}: NORAD id {a.norad_id} not in the catalog")
    parts, planned = [], []
    row = 0
    if from_cat:
        sub = catalog.take(np.array([i for _, i in from_cat]))
        parts.append(Sgp4Records.from_catalog(sub))
        alts = sub.sma_km - WGS84_A_KM
    for k, (a, _) in enumerate(from_cat):
        planned.append((a, row, float(alts[k]), False))
        row += 1
    if notional:
        parts.append(_notional_records(notional, start))
        for a in notional:
            assert a.notional_elements is not None
            planned.append((a, row, a.notional_elements.altitude_km, True))
            row += 1
    out: list[PlannedAsset] = []
    keep_rows = []
    for a, r, alt, is_notional in planned:
        band = a.field_of_regard(alt)
        if band is None:
            skipped.append(f"{a.id}: field of regard and swath unknown (give them in an --assets file)")
            continue
        keep_rows.append(r)
        out.append(PlannedAsset(a, len(keep_rows) - 1, alt, band[0], band[1], band[2], is_notional))
    if not parts or not keep_rows:
        return [], Sgp4Records(np.zeros(0, dtype=parts[0].records.dtype) if parts else np.zeros(0),
                               np.zeros(0), np.zeros(0)), skipped
    recs = np.concatenate([p.records for p in parts])
    ejd = np.concatenate([p.epoch_jd for p in parts])
    efr = np.concatenate([p.epoch_fr for p in parts])
    idx = np.array(keep_rows)
    return out, Sgp4Records(recs[idx], ejd[idx], efr[idx]), skipped


@dataclass
class Opportunities:
    """Accesses of assets to AOIs (columns as numpy arrays, one entry per access) and what was left out."""

    start: datetime
    stop: datetime
    aois: list[Aoi]
    assets: list[PlannedAsset]
    columns: dict[str, np.ndarray]
    strips: np.ndarray  # shapely polygons (km, local plane of the AOI's site), None where no swath is known
    skipped: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.columns["aoi_index"])

    def rows(self) -> list[dict[str, Any]]:
        """One dict per access (COLUMNS), times as ISO 8601 UTC text, unknown figures None."""
        c = self.columns
        epoch = Epoch.from_datetime(self.start)
        iso = {k: format_utc(*epoch.offsets(c[k + "_s"])) for k in ("start", "stop", "best")}
        out = []
        for i in range(len(self)):
            pa = self.assets[c["asset_index"][i]]
            gsd, cov = c["gsd_m"][i], c["coverage_fraction"][i]
            out.append({
                "aoi": self.aois[c["aoi_index"][i]].id, "asset": pa.asset.id, "owner": pa.asset.owner,
                "norad_id": pa.asset.norad_id, "sensor": pa.asset.sensor,
                "start": str(iso["start"][i]), "stop": str(iso["stop"][i]), "best": str(iso["best"][i]),
                "duration_s": round(float(c["stop_s"][i] - c["start_s"][i]), 3),
                "off_nadir_deg": round(float(c["off_nadir_deg"][i]), 3),
                "azimuth_deg": round(float(c["azimuth_deg"][i]), 3),
                "elevation_deg": round(float(c["elevation_deg"][i]), 3),
                "incidence_deg": round(float(c["incidence_deg"][i]), 3),
                "sun_elevation_deg": round(float(c["sun_elevation_deg"][i]), 3),
                "daylight": bool(c["daylight"][i]), "look_side": str(c["look_side"][i]),
                "orbit_state": str(c["orbit_state"][i]),
                "gsd_m": None if np.isnan(gsd) else round(float(gsd), 3),
                "coverage_fraction": None if np.isnan(cov) else round(float(cov), 4),
                "start_clipped": bool(c["start_clipped"][i]), "stop_clipped": bool(c["stop_clipped"][i]),
            })
        return out

    def footprint(self, i: int) -> Any:
        """The scene of access i in lon/lat (shapely): the swath strip cut to the AOI's extent plus half a swath;
        None when the asset's swath is unknown."""
        strip = self.strips[i]
        if strip is None:
            return None
        aoi = self.aois[self.columns["aoi_index"][i]]
        half = 0.5 * float(self.columns["swath_ground_km"][i])
        x0, y0, x1, y1 = aoi.local.bounds
        scene = shapely.intersection(strip, shapely.box(x0 - half, y0 - half, x1 + half, y1 + half))
        if scene.is_empty:
            return None
        return lonlat_from_local(scene, aoi.site.lat_deg, aoi.site.lon_deg)

    def to_geojson(self) -> dict[str, Any]:
        """GeoJSON FeatureCollection: one feature per access, its footprint (or the AOI point when the swath is
        unknown) with the access properties."""
        feats = []
        for i, row in enumerate(self.rows()):
            geom = self.footprint(i)
            if geom is None:
                geom = self.aois[self.columns["aoi_index"][i]].geometry.centroid
            feats.append({"type": "Feature", "geometry": shapely.geometry.mapping(geom), "properties": row})
        return {"type": "FeatureCollection", "features": feats}


def _strips(recs: Sgp4Records, sat, epoch: Epoch, best_s, sub_lat, sub_lon, site_lat, site_lon, offset_km,
            width_km, half_len_km, ground_speed_kms) -> np.ndarray:
    """Swath strips (shapely polygons, km on each window's local site plane) along the ground track around the
    best time: FOOTPRINT_SAMPLES points per edge, edges at cross-track offsets offset +- width/2 (km, right +)."""
    k = FOOTPRINT_SAMPLES
    t_half = half_len_km / ground_speed_kms
    t = best_s[:, None] + np.linspace(-1.0, 1.0, k)[None, :] * t_half[:, None]
    jd, fr = epoch.offsets(t.ravel())
    r, v, err = propagate_pairs(recs, np.repeat(sat, k), jd, fr)
    r_itrs, _ = teme_to_itrs(r, v, jd, fr)
    lat, lon, _ = itrs_to_geodetic(r_itrs)
    lat, lon = lat.reshape(-1, k), lon.reshape(-1, k)
    b = np.empty_like(lat)
    b[:, :-1] = bearing_deg(lat[:, :-1], lon[:, :-1], lat[:, 1:], lon[:, 1:])
    b[:, -1] = b[:, -2]
    left = destination(lat, lon, b + 90.0, (offset_km - 0.5 * width_km)[:, None])
    right = destination(lat, lon, b + 90.0, (offset_km + 0.5 * width_km)[:, None])
    ring_lat = np.concatenate([left[0], right[0][:, ::-1], left[0][:, :1]], axis=1)
    ring_lon = np.concatenate([left[1], right[1][:, ::-1], left[1][:, :1]], axis=1)
    xy = local_xy_points(ring_lat, ring_lon, site_lat[:, None], site_lon[:, None])
    polys = shapely.polygons(xy)
    bad = ~shapely.is_valid(polys)
    if bad.any():
        polys[bad] = shapely.make_valid(polys[bad])
    failed = err.reshape(-1, k).any(axis=1)
    polys[failed] = None
    return polys


def find_opportunities(catalog, registry: Registry, aois: Sequence[Aoi], start, stop, *, step_s: float | None = None,
                       footprints: bool = True) -> Opportunities:
    """Every access of every computable asset of the registry to every AOI overlapping [start, stop] (UTC)."""
    start, stop = as_utc(start), as_utc(stop)
    aois = list(aois)
    planned, recs, skipped = plan_assets(catalog, registry, start)
    names = ("aoi_index", "asset_index", "start_s", "stop_s", "best_s", "off_nadir_deg", "azimuth_deg",
             "elevation_deg", "incidence_deg", "sun_elevation_deg", "daylight", "look_side", "gsd_m",
             "coverage_fraction", "start_clipped", "stop_clipped", "swath_ground_km", "orbit_state")
    if not planned or not aois:
        cols0: dict[str, np.ndarray] = {n: np.zeros(0) for n in names}
        cols0["aoi_index"] = cols0["asset_index"] = np.zeros(0, dtype=int)
        return Opportunities(start, stop, aois, planned, cols0, np.zeros(0, dtype=object), skipped)
    max_off = [p.off_nadir_max_deg for p in planned]
    min_sun = [None if p.asset.sensor == "sar" else
               (p.asset.min_sun_elevation_deg if p.asset.min_sun_elevation_deg is not None
                else DEFAULT_MIN_SUN_ELEVATION_DEG) for p in planned]
    w = multi_site_windows(recs, [a.site for a in aois], start, stop, min_elevation_deg=0.0,
                           max_off_nadir_deg=max_off, min_sun_elevation_deg=min_sun, step_s=step_s)
    site, sat = w["site"], w["sat"]
    epoch = Epoch.from_datetime(start)
    s_lat = np.array([a.site.lat_deg for a in aois])[site]
    s_lon = np.array([a.site.lon_deg for a in aois])[site]
    s_h = np.array([a.site.h_km for a in aois])[site]
    el, az, rng, off, sun, r_itrs, v_itrs, err = site_geometry(recs, sat, s_lat, s_lon, s_h, epoch, w["best_s"])
    to_site = geodetic_to_itrs(s_lat, s_lon, s_h) - r_itrs
    left = np.sum(np.cross(r_itrs, v_itrs) * to_site, axis=-1) > 0.0
    side = np.where(left, "left", "right")
    is_sar = np.array([p.asset.sensor == "sar" for p in planned])[sat]
    band_min = np.array([p.off_nadir_min_deg for p in planned])[sat]
    side_ok = np.array([p.asset.look_side or "both" for p in planned], dtype=object)[sat]
    ascending = v_itrs[:, 2] > 0.0
    keep = (err == 0) & (~is_sar | ((off >= band_min) & ((side_ok == "both") | (side_ok == side))))
    keep = np.flatnonzero(keep)
    keep = keep[np.lexsort((w["start_s"][keep], site[keep]))]  # by AOI, then time
    site, sat, el, az, rng, off, sun, r_itrs, side, ascending = (
        x[keep] for x in (site, sat, el, az, rng, off, sun, r_itrs, side, ascending))
    s_lat, s_lon = s_lat[keep], s_lon[keep]
    incidence = 90.0 - el
    sub_lat, sub_lon, sat_h = itrs_to_geodetic(r_itrs)
    gsd_nadir = np.array([np.nan if p.asset.gsd_nadir_m is None else p.asset.gsd_nadir_m for p in planned])[sat]
    gsd = np.where(is_sar[keep], gsd_nadir, gsd_m(gsd_nadir, rng, sat_h, incidence))
    swath = np.array([np.nan if p.asset.swath_km is None else p.asset.swath_km for p in planned])[sat]
    fixed = np.array([p.fixed_pointing for p in planned])[sat]
    ground_w = np.where(is_sar[keep] | fixed, swath, ground_swath_km(swath, rng, sat_h, incidence))
    cols: dict[str, np.ndarray] = {
        "aoi_index": site, "asset_index": sat, "start_s": w["start_s"][keep], "stop_s": w["stop_s"][keep],
        "best_s": w["best_s"][keep], "off_nadir_deg": off, "azimuth_deg": az, "elevation_deg": el,
        "incidence_deg": incidence, "sun_elevation_deg": sun, "daylight": sun > 0.0, "look_side": side,
        "orbit_state": np.where(ascending, "ascending", "descending"),
        "gsd_m": gsd, "coverage_fraction": np.full(len(site), np.nan),
        "start_clipped": w["start_clipped"][keep], "stop_clipped": w["stop_clipped"][keep],
        "swath_ground_km": ground_w,
    }
    strips = np.full(len(site), None, dtype=object)
    has = np.isfinite(swath)
    if footprints and has.any():
        dist = distance_km(sub_lat, sub_lon, s_lat, s_lon)
        jd, fr = epoch.offsets(cols["best_s"] + 1.0)
        r2, v2, _ = propagate_pairs(recs, sat, jd, fr)
        lat2, lon2, _ = itrs_to_geodetic(teme_to_itrs(r2, v2, jd, fr)[0])
        track = bearing_deg(sub_lat, sub_lon, lat2, lon2)
        to_aoi = bearing_deg(sub_lat, sub_lon, s_lat, s_lon)
        right = ((to_aoi - track) % 360.0) < 180.0
        offset = np.where(fixed, 0.0, np.where(right, dist, -dist))
        radius = np.array([a.radius_km for a in aois])[site]
        speed = distance_km(sub_lat, sub_lon, lat2, lon2)  # km per second
        idx = np.flatnonzero(has)
        strips[idx] = _strips(recs, sat[idx], epoch, cols["best_s"][idx], sub_lat[idx], sub_lon[idx], s_lat[idx],
                              s_lon[idx], offset[idx], ground_w[idx], radius[idx] + 0.5 * ground_w[idx] + 1.0,
                              np.maximum(speed[idx], 0.5))
        local = np.array([a.local for a in aois], dtype=object)[site]
        is_point = np.array([a.is_point for a in aois])[site]
        ok = has & np.array([s is not None for s in strips])
        cov = np.full(len(site), np.nan)
        pt = ok & is_point
        cov[pt] = shapely.intersects(strips[pt], local[pt]).astype(float)
        poly = ok & ~is_point
        if poly.any():
            inter = shapely.intersection(strips[poly], local[poly])
            cov[poly] = np.clip(shapely.area(inter) / shapely.area(local[poly]), 0.0, 1.0)
        cols["coverage_fraction"] = cov
    return Opportunities(start, stop, aois, planned, cols, strips, skipped)
