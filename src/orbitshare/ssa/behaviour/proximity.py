"""Proximity watch: every object that comes within a set distance of a protected asset over a window.

Built on the conjunction screening engine (`orbitshare.ssa.conjunction.screening.screen` with ``primaries=``):
one run per watch distance (default 50 km for GEO assets, 10 km for the others). Per (asset, object) pair the
close approaches are summarised (closest one: TCA, miss distance, RTN geometry in the asset's frame) and an
approach trend is estimated from the range sampled every `trend_step_s` over the window: the line fitted to
the daily minimum ranges (or, with three or more close approaches, the line fitted to their miss distances)
gives closing / departing / station-keeping near. A GEO-belt view lists the longitude and drift of each GEO
asset and the GEO objects drifting towards its slot.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orbitshare.astro.frames import itrs_to_geodetic, rtn_components, teme_to_itrs
from orbitshare.astro.propagation import Sgp4Records, propagate
from orbitshare.astro.time import Epoch, as_utc, format_utc
from orbitshare.constants import DAY_S
from orbitshare.ssa.conjunction.ranges import range_series
from orbitshare.ssa.conjunction.screening import screen

__all__ = ["DEFAULT_DISTANCE_KM", "SIDEREAL_REV_PER_DAY", "WatchConfig", "geo_belt_view", "geo_longitudes",
           "proximity_watch", "watch_distances"]

DEFAULT_DISTANCE_KM = {"GEO": 50.0, "LEO": 10.0, "MEO": 10.0, "HEO": 10.0}
SIDEREAL_REV_PER_DAY = 1.002737909350795  # Earth rotation (rev/day): GEO mean motion


@dataclass(frozen=True)
class WatchConfig:
    """Trend and GEO-belt settings of a proximity watch."""

    trend_step_s: float = 600.0  # range sampling step for the trend (s)
    trend_rate_fraction: float = 0.02  # |slope| below this fraction of the watch distance per day: near
    belt_window_deg: float = 10.0  # GEO-belt view: objects within this longitude of an asset's slot
    belt_horizon_days: float = 30.0  # ... that reach the slot within this time at their drift rates


def watch_distances(catalog, assets, distance_km: float | None = None) -> dict[int, float]:
    """Watch distance (km) of each asset: the given one, else the default of the asset's regime."""
    rows = catalog.index_of(assets)
    reg = catalog.regime[rows].astype(str)
    return {int(catalog.norad_id[r]): float(distance_km or DEFAULT_DISTANCE_KM.get(g, 10.0))
            for r, g in zip(rows, reg, strict=True)}


def proximity_watch(catalog, assets, start, stop, distance_km: float | None = None,
                    config: WatchConfig | None = None) -> list[dict]:
    """One row per (asset, object) pair closer than the asset's watch distance in [start, stop] UTC.

    Row: asset_id, asset_name, object_id, object_name, tca (ISO UTC of the closest approach), miss_km,
    miss_r_km / miss_t_km / miss_n_km (object minus asset in the asset's RTN frame at TCA), rel_speed_kms,
    approaches (local minima below the distance), range_rate_km_per_day (line through the approaches' miss
    distances when >= 3 over more than half a day, else through the daily minimum ranges),
    trend (closing | station-keeping near | departing), distance_km. Sorted by miss distance. The closest
    point may be a window edge (approaches then counts the interior minima only).
    """
    config = config or WatchConfig()
    dist = watch_distances(catalog, assets, distance_km)
    rows = []
    for d in sorted(set(dist.values())):
        ids = [a for a, v in dist.items() if v == d]
        conj = screen(catalog, start, stop, d, primaries=ids)
        rows += _summarise(conj, d)
    rows = _merge_edges(rows, _edge_rows(catalog, dist, [as_utc(start), as_utc(stop)]))
    _add_trends(catalog, rows, as_utc(start), as_utc(stop), config)
    return sorted(rows, key=lambda r: r["miss_km"])


def _summarise(conj, distance_km: float) -> list[dict]:
    """Closest approach and approach count of each (asset, object) pair of a screening result."""
    c = conj.columns
    if len(conj) == 0:
        return []
    key = c["norad_id_1"].astype(np.int64) * 10**9 + c["norad_id_2"].astype(np.int64)
    out = []
    for k in np.unique(key):
        sel = np.flatnonzero(key == k)
        i = sel[np.argmin(c["miss_km"][sel])]
        out.append({"asset_id": int(c["norad_id_1"][i]), "asset_name": str(c["name_1"][i]),
                    "object_id": int(c["norad_id_2"][i]), "object_name": str(c["name_2"][i]),
                    "tca": str(c["tca_utc"][i]), "miss_km": float(c["miss_km"][i]),
                    "miss_r_km": float(c["miss_r_km"][i]), "miss_t_km": float(c["miss_t_km"][i]),
                    "miss_n_km": float(c["miss_n_km"][i]), "rel_speed_kms": float(c["rel_speed_kms"][i]),
                    "approaches": int(sel.size), "distance_km": distance_km,
                    "_minima": (c["tca_jd"][sel] + c["tca_fr"][sel], c["miss_km"][sel])})
    return out


def _edge_rows(catalog, dist: dict[int, float], times) -> list[dict]:
    """Rows for objects within the watch distance at the window edges `times` (UTC datetimes): range minima there
    are not local minima. The catalog is propagated once for all edges."""
    from scipy.spatial import cKDTree

    jd_fr = [(e.jd, e.fr) for e in map(Epoch.from_datetime, times)]
    eph = propagate(Sgp4Records.from_catalog(catalog), np.array([j for j, _ in jd_fr]),
                    np.array([f for _, f in jd_fr]))
    rows = {aid: int(catalog.index_of([aid])[0]) for aid in dist}
    out = []
    for e, (jd, fr) in enumerate(jd_fr):
        good = np.flatnonzero(eph.ok[:, e])
        r, v = eph.r_km[:, e], eph.v_kms[:, e]
        tree = cKDTree(r[good])
        for aid, d in dist.items():
            a = rows[aid]
            if not eph.ok[a, e]:
                continue
            near = good[np.sort(tree.query_ball_point(r[a], d))]
            near = near[near != a]
            if near.size == 0:
                continue
            rel = r[near] - r[a]
            rtn = rtn_components(np.broadcast_to(r[a], rel.shape), np.broadcast_to(v[a], rel.shape), rel)
            rng = np.linalg.norm(rel, axis=1)
            speed = np.linalg.norm(v[near] - v[a], axis=1)
            for q, j in enumerate(near):
                out.append({"asset_id": aid, "asset_name": str(catalog.name[a]),
                            "object_id": int(catalog.norad_id[j]), "object_name": str(catalog.name[j]),
                            "tca": str(format_utc(jd, fr)), "miss_km": float(rng[q]), "miss_r_km": float(rtn[q, 0]),
                            "miss_t_km": float(rtn[q, 1]), "miss_n_km": float(rtn[q, 2]),
                            "rel_speed_kms": float(speed[q]), "approaches": 0, "distance_km": d,
                            "_minima": (np.array([jd + fr]), np.array([float(rng[q])]))})
    return out


def _merge_edges(rows: list[dict], edges: list[dict]) -> list[dict]:
    """Screening rows plus window-edge rows: an edge row replaces its pair's row when closer, adds it if new."""
    by_pair = {(r["asset_id"], r["object_id"]): r for r in rows}
    for e in edges:
        key = (e["asset_id"], e["object_id"])
        old = by_pair.get(key)
        if old is None:
            by_pair[key] = e
        elif e["miss_km"] < old["miss_km"]:
            by_pair[key] = e | {"approaches": old["approaches"], "_minima": old["_minima"]}
    return list(by_pair.values())


def _add_trends(catalog, rows: list[dict], start, stop, config: WatchConfig) -> None:
    """Set range_rate_km_per_day and trend of each row: line through its close approaches' miss distances, or
    through the daily minima of its sampled range."""
    rate = {}
    sampled = []
    for q, r in enumerate(rows):
        tca, miss = r.pop("_minima")
        # three or more close approaches: the trend of their miss distances (LEO encounters once or twice
        # per revolution); fewer: the daily minima of the sampled range (GEO neighbours, slow relative motion)
        if tca.size >= 3 and np.ptp(tca) > 0.5:
            rate[q] = float(np.polyfit(tca - tca.min(), miss, 1)[0])
        else:
            sampled.append(q)
    if sampled:  # only these rows need their range sampled
        t_s, rng = range_series(catalog, [(rows[q]["asset_id"], rows[q]["object_id"]) for q in sampled], start,
                                stop, config.trend_step_s)
        day = np.floor(t_s / DAY_S).astype(int)
        for q, slope in zip(sampled, _daily_min_slopes(day, t_s, rng), strict=True):
            rate[q] = float(slope)
    for q, r in enumerate(rows):
        r["range_rate_km_per_day"] = rate[q]
        tol = config.trend_rate_fraction * r["distance_km"]
        r["trend"] = "closing" if rate[q] < -tol else "departing" if rate[q] > tol else "station-keeping near"


def _daily_min_slopes(day: np.ndarray, t_s: np.ndarray, rng_km: np.ndarray) -> np.ndarray:
    """Slope (km/day) per row of rng_km (pairs x times, NaN where SGP4 has no state) of the line through the
    minimum range of each day (through all samples when the window spans under 2 days)."""
    days = np.unique(day)
    if days.size < 2:
        return _slopes(np.broadcast_to(t_s / DAY_S, rng_km.shape), rng_km)
    filled = np.where(np.isnan(rng_km), np.inf, rng_km)
    tt = np.empty((rng_km.shape[0], days.size))
    mins = np.empty_like(tt)
    for q, d in enumerate(days):
        cols = np.flatnonzero(day == d)
        k = cols[np.argmin(filled[:, cols], axis=1)]
        tt[:, q] = t_s[k] / DAY_S
        mins[:, q] = filled[np.arange(rng_km.shape[0]), k]
    return _slopes(tt, np.where(np.isinf(mins), np.nan, mins))


def _slopes(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Least-squares slope of y on x per row, NaN samples left out; 0 where fewer than 2 distinct x remain."""
    w = ~np.isnan(y)
    n = np.maximum(w.sum(axis=1), 1)
    xm = np.where(w, x, 0.0).sum(axis=1) / n
    ym = np.where(w, y, 0.0).sum(axis=1) / n
    dx = np.where(w, x - xm[:, None], 0.0)
    sxx = (dx * dx).sum(axis=1)
    sxy = (dx * np.where(w, y - ym[:, None], 0.0)).sum(axis=1)
    return np.divide(sxy, sxx, out=np.zeros_like(sxy), where=sxx > 0.0)


def geo_longitudes(catalog, when) -> tuple[np.ndarray, np.ndarray]:
    """Sub-satellite longitude (deg, -180..180) at `when` and mean drift rate (deg/day, + eastward)."""
    epoch = Epoch.from_utc(when)
    jd, fr = epoch.jd, epoch.fr
    eph = propagate(Sgp4Records.from_catalog(catalog), jd, np.array([fr]))
    r_itrs, _ = teme_to_itrs(eph.r_km, eph.v_kms, np.array([jd]), np.array([fr]))
    _, lon, _ = itrs_to_geodetic(r_itrs[:, 0, :])
    drift = (catalog["mean_motion_revday"] - SIDEREAL_REV_PER_DAY) * 360.0
    return np.asarray(lon), np.asarray(drift)


def geo_belt_view(catalog, assets, when, config: WatchConfig | None = None) -> list[dict]:
    """GEO assets' longitude and drift, and GEO objects within belt_window_deg drifting towards each slot.

    Row per (asset, object): asset_id, asset_lon_deg, asset_drift_deg_per_day, object_id, object_name,
    object_lon_deg, object_drift_deg_per_day, separation_deg (object minus asset, east +), closing_deg_per_day,
    days_to_slot (separation / closing rate). Only objects that close on the slot within belt_horizon_days.
    """
    config = config or WatchConfig()
    geo = catalog.select(regime="GEO")
    if len(geo) == 0:
        return []
    lon, drift = geo_longitudes(geo, when)
    ok = np.isfinite(lon)
    out = []
    for a in catalog.index_of(assets):
        aid = int(catalog.norad_id[a])
        if str(catalog.regime[a]) != "GEO":
            continue
        ia = int(geo.index_of([aid])[0])
        sep = (lon - lon[ia] + 180.0) % 360.0 - 180.0
        closing = -np.sign(sep) * (drift - drift[ia])  # > 0: separation shrinking
        with np.errstate(divide="ignore", invalid="ignore"):
            days = np.abs(sep) / closing
        near = ok & (np.abs(sep) <= config.belt_window_deg) & (closing > 0) & (days <= config.belt_horizon_days)
        near[ia] = False
        for j in np.flatnonzero(near):
            out.append({"asset_id": aid, "asset_lon_deg": float(lon[ia]), "asset_drift_deg_per_day": float(drift[ia]),
                        "object_id": int(geo.norad_id[j]), "object_name": str(geo.name[j]),
                        "object_lon_deg": float(lon[j]), "object_drift_deg_per_day": float(drift[j]),
                        "separation_deg": float(sep[j]), "closing_deg_per_day": float(closing[j]),
                        "days_to_slot": float(days[j]), "epoch": Epoch.from_utc(when).iso()})
    return sorted(out, key=lambda r: (r["asset_id"], r["days_to_slot"]))
