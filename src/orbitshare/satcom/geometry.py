"""Constellation geometry over many sites: satellite states, look angles, serving satellite, handovers and gaps.

Satellites come from a catalog (SGP4 elements by NORAD id) or from notional orbits (a geostationary slot, a
circular Walker shell) built as SGP4 mean elements at the evaluation epoch, so every orbit goes through the same
`orbitshare.astro.propagation.propagate` -> `frames.teme_to_itrs` -> `frames.site_look_angles` path (ITRS, WGS-84
sites). The serving satellite is the highest one above the minimum elevation, kept until another is higher by the
hysteresis margin or it sets (make-before-break handover); times with none are outage gaps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from orbitshare.astro.frames import gmst82_rad, site_look_angles, teme_to_itrs
from orbitshare.astro.propagation import Sgp4Records, propagate
from orbitshare.astro.time import Epoch
from orbitshare.constants import C_KMS
from orbitshare.satcom.models import Constellation, circular_mean_motion_revday

__all__ = [
    "ConstellationGeometry",
    "Fleet",
    "GapStats",
    "fleet_records",
    "gap_stats",
    "look_angles_chunked",
    "one_way_latency_ms",
    "satellite_itrs",
    "serving_satellite",
]

GEO_MEAN_MOTION_REVDAY = 1.00273790935  # one sidereal day


@dataclass(frozen=True)
class Fleet:
    """The satellites of a constellation ready for SGP4: names, NORAD ids (0 = notional) and provenance."""

    names: list[str]
    norad_ids: np.ndarray
    records: Sgp4Records
    provenance: str


@dataclass(frozen=True)
class ConstellationGeometry:
    """Look angles of every satellite from every site at every time: arrays of shape (sites, sats, times)."""

    az_deg: np.ndarray
    el_deg: np.ndarray
    range_km: np.ndarray


@dataclass(frozen=True)
class GapStats:
    """Per-site outage statistics: gap count, longest gap (s), total outage (s) and covered fraction (0-1)."""

    gaps: np.ndarray
    longest_gap_s: np.ndarray
    outage_s: np.ndarray
    covered_fraction: np.ndarray


def _notional_elements(con: Constellation, epoch: Epoch) -> tuple[list[str], dict[str, np.ndarray]]:
    """SGP4 mean elements (deg, rev/day) of the notional orbits of a constellation at the epoch."""
    names: list[str] = []
    n_rev: list[float] = []
    inc: list[float] = []
    raan: list[float] = []
    ma: list[float] = []
    theta_deg = math.degrees(float(gmst82_rad(np.array([epoch.jd]), np.array([epoch.fr]))[0][0]))
    geo = [s for s in con.satellites if s.geo_longitude_deg is not None]
    if con.orbit == "geo" and geo:
        for s in geo:
            assert s.geo_longitude_deg is not None
            names.append(s.name)
            n_rev.append(GEO_MEAN_MOTION_REVDAY)
            inc.append(0.0)
            raan.append(0.0)
            ma.append((s.geo_longitude_deg + theta_deg) % 360.0)  # mean longitude = TEME right ascension
    elif con.shell is not None:
        sh = con.shell
        total = sh.planes * sh.per_plane
        for p in range(sh.planes):
            for k in range(sh.per_plane):
                names.append(f"{con.name}-P{p + 1:02d}-S{k + 1:02d}")
                n_rev.append(circular_mean_motion_revday(sh.altitude_km))
                inc.append(sh.inclination_deg)
                raan.append(360.0 * p / sh.planes)
                ma.append((360.0 * k / sh.per_plane + 360.0 * sh.phasing * p / total) % 360.0)
    n = len(names)
    cols = {"n": np.array(n_rev), "inc": np.array(inc), "raan": np.array(raan), "ma": np.array(ma),
            "zero": np.zeros(n)}
    return names, cols


def fleet_records(con: Constellation, epoch: Epoch, catalog=None, use_catalog: bool = True) -> Fleet:
    """SGP4 records of a constellation: catalog objects with the listed NORAD ids, else its notional orbits."""
    ids = [s.norad_id for s in con.satellites if s.norad_id is not None]
    if use_catalog and catalog is not None and len(catalog) and ids:
        sub = catalog.select(ids=ids)
        if len(sub):
            return Fleet([str(x) for x in sub.name], np.asarray(sub.norad_id, dtype=np.int64),
                         Sgp4Records.from_catalog(sub), f"catalog ({len(sub)} of {len(ids)} listed objects)")
    names, c = _notional_elements(con, epoch)
    if not names:
        raise ValueError(f"constellation {con.name}: no catalog elements for its NORAD ids and no notional orbit")
    n = len(names)
    recs = Sgp4Records.from_elements(np.full(n, epoch.jd), np.full(n, epoch.fr), c["n"], c["zero"], c["inc"],
                                     c["raan"], c["zero"], c["ma"], c["zero"], c["zero"], c["zero"])
    return Fleet(names, np.zeros(n, dtype=np.int64), recs, f"notional orbits ({n}) at the evaluation start")


def satellite_itrs(recs: Sgp4Records, jd: np.ndarray, fr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ITRS positions (km), shape (sats, times, 3), and an ok mask (sats, times) at UTC two-part JDs."""
    eph = propagate(recs, jd, fr)
    r_itrs, _ = teme_to_itrs(eph.r_km, eph.v_kms, jd, fr)
    return r_itrs, eph.ok


def look_angles_chunked(r_itrs_km: np.ndarray, lat_deg: np.ndarray, lon_deg: np.ndarray, h_km: np.ndarray,
                        chunk: int = 64, dtype: type = np.float32) -> ConstellationGeometry:
    """Azimuth, elevation (deg) and range (km), shape (sites, sats, times), in site chunks to bound memory."""
    s = lat_deg.size
    shape = (s, *r_itrs_km.shape[:-1])
    az, el, rng = (np.empty(shape, dtype=dtype) for _ in range(3))
    for i in range(0, s, chunk):
        sl = slice(i, min(i + chunk, s))
        a, e, r = site_look_angles(r_itrs_km, lat_deg[sl], lon_deg[sl], h_km[sl])
        az[sl], el[sl], rng[sl] = a, e, r
    return ConstellationGeometry(az, el, rng)


def serving_satellite(el_deg: np.ndarray, min_el_deg: float, hysteresis_deg: float = 2.0,
                      usable: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Serving satellite index (sites, times; -1 = none) and handover count (sites,) from elevations (s, n, t).

    At each step a site keeps its satellite while it is above min_el_deg and no other usable satellite is higher
    by more than hysteresis_deg; otherwise it moves to the highest usable satellite. `usable` (s, n, t) removes
    satellites (lost, jammed, out of coverage) from the choice.
    """
    s, n, t = el_deg.shape
    ok = el_deg >= min_el_deg
    if usable is not None:
        ok &= usable
    if n == 1:   # one satellite (a GEO): served whenever usable, never a handover
        return np.where(ok[:, 0, :], 0, -1).astype(np.int32), np.zeros(s, dtype=np.int32)
    score = np.where(ok, el_deg, -np.inf)
    serving = np.full((s, t), -1, dtype=np.int32)
    handovers = np.zeros(s, dtype=np.int32)
    cur = np.full(s, -1, dtype=np.int64)
    rows = np.arange(s)
    for k in range(t):
        sc = score[:, :, k]
        best = np.argmax(sc, axis=1)
        best_el = sc[rows, best]
        cur_el = np.where(cur >= 0, sc[rows, np.clip(cur, 0, None)], -np.inf)
        keep = np.isfinite(cur_el) & (best_el <= cur_el + hysteresis_deg)
        new = np.where(keep, cur, np.where(np.isfinite(best_el), best, -1))
        handovers += ((new != cur) & (cur >= 0) & (new >= 0)).astype(np.int32)
        cur = new
        serving[:, k] = new
    return serving, handovers


def gap_stats(covered: np.ndarray, step_s: float) -> GapStats:
    """Outage gaps per site from a (sites, times) covered mask sampled every step_s seconds."""
    cov = np.asarray(covered, dtype=bool)
    s, t = cov.shape
    out = ~cov
    padded = np.concatenate([np.zeros((s, 1), bool), out, np.zeros((s, 1), bool)], axis=1).astype(np.int8)
    d = np.diff(padded, axis=1)
    gaps = (d == 1).sum(axis=1)
    longest = np.zeros(s)
    for i in np.nonzero(gaps)[0]:
        starts = np.nonzero(d[i] == 1)[0]
        ends = np.nonzero(d[i] == -1)[0]
        longest[i] = float((ends - starts).max()) * step_s
    return GapStats(gaps.astype(np.int32), longest, out.sum(axis=1) * step_s, cov.mean(axis=1) if t else np.ones(s))


def one_way_latency_ms(range_km: np.ndarray) -> np.ndarray:
    """One-way propagation delay (ms) over a slant range (km)."""
    return np.asarray(range_km, dtype=np.float64) / C_KMS * 1e3
