"""Candidate acquisitions of requests by satellites: access on a time grid, then exact checks at the ends.

All satellites are propagated once on a grid (SGP4, TEME -> ITRS); a KD-tree of the satellites' sub-points
finds, for every request aim point, the samples within the satellite's Earth central angle of regard; the
off-nadir angle, visibility, Sun elevation (optical) and GSD limits are applied per sample; consecutive
feasible samples form a pass, in which up to three acquisition times are proposed (best off-nadir, earliest,
latest); the passes of a request are ranked by their best off-nadir angle and the best `max_passes` kept
(bounding the model on large problems). SAR resolution is the registry's figure, independent of range.
Each acquisition [t - d/2, t + d/2] is then re-checked exactly at both ends, where its lines of sight (TEME)
for the slew model are computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from orbitshare.astro.access import off_nadir_deg, sun_direction_teme
from orbitshare.astro.frames import enu_matrix, geodetic_to_itrs, gmst82_rad, teme_to_itrs
from orbitshare.astro.propagation import Sgp4Records, propagate, propagate_pairs
from orbitshare.astro.time import Epoch
from orbitshare.constants import WGS84_A_KM
from orbitshare.eo.planning.engine import Candidates
from orbitshare.eo.planning.geometry import itrs_to_teme
from orbitshare.eo.planning.requests import PlanningSatellite, Request

__all__ = ["REASONS", "CandidateInfo", "gsd_at_m", "request_candidates"]

#: Why a request has no candidate, in the order the checks are made.
REASONS = {
    "sensor": "no satellite with the requested sensor",
    "window": "request window outside the planning horizon",
    "access": "no satellite sees the AOI within its off-nadir limit in the window",
    "sun": "the Sun is below the optical satellites' limit at every access",
    "gsd": "no access meets the GSD requirement",
}


def gsd_at_m(gsd_nadir_m, off_nadir_deg, alt_km) -> np.ndarray:
    """Ground sample distance (m) off nadir: nadir GSD x (slant range / altitude) / sqrt(cos incidence)
    (geometric mean of along-track range scaling and cross-track range and incidence scaling), spherical Earth."""
    theta = np.radians(np.asarray(off_nadir_deg, dtype=np.float64))
    r = WGS84_A_KM + np.asarray(alt_km, dtype=np.float64)
    incidence = np.arcsin(np.clip(r / WGS84_A_KM * np.sin(theta), -1.0, 1.0))
    central = incidence - theta
    slant = np.sqrt(r * r + WGS84_A_KM**2 - 2.0 * r * WGS84_A_KM * np.cos(central))
    return np.asarray(gsd_nadir_m) * slant / (r - WGS84_A_KM) / np.sqrt(np.cos(incidence))


@dataclass
class CandidateInfo:
    """Per-candidate detail for the plan: off-nadir (deg) and GSD (m, nan when unknown) at the acquisition
    centre; per request, why it has no candidate (key of REASONS) or None."""

    off_nadir_deg: np.ndarray
    gsd_m: np.ndarray
    reason: list[str | None]


def _central_angle_rad(max_off_nadir_deg: float, r_km: float) -> float:
    """Earth central angle (rad) between nadir and a ground point seen at max_off_nadir_deg from radius r_km."""
    theta = np.radians(min(max_off_nadir_deg, 89.0))
    s = r_km / WGS84_A_KM * np.sin(theta)
    if s >= 1.0:  # beyond the horizon: the limb
        return float(np.arccos(WGS84_A_KM / r_km))
    return float(np.arcsin(s) - theta)


def request_candidates(requests: list[Request], sats: list[PlanningSatellite], recs: Sgp4Records,
                       start: datetime, days: float, step_s: float = 30.0, max_passes: int = 12,
                       times_per_pass: int = 3) -> tuple[Candidates, CandidateInfo]:
    """Candidate acquisitions (job = request index, sat = satellite index; value = request weight) and detail.

    `recs` holds the SGP4 records of `sats` in the same order; times are s after `start`. Per request the
    `max_passes` passes with the smallest best off-nadir angle are kept, each with 1 or 3 acquisition times."""
    from scipy.spatial import cKDTree

    epoch = Epoch.from_datetime(start)
    horizon_s = days * 86400.0
    t = np.arange(0.0, horizon_s + 1e-9, step_s)
    jd, fr = epoch.offsets(t)
    eph = propagate(recs, jd, fr)
    r_itrs, _ = teme_to_itrs(eph.r_km, eph.v_kms, jd, fr)
    ok_state = eph.error == 0
    n_t = ok_state.shape[1]
    aim = np.array([r.aim_deg for r in requests])
    tgt = geodetic_to_itrs(aim[:, 0], aim[:, 1], 0.0)
    up = np.stack([enu_matrix(la, lo)[2] for la, lo in aim])
    theta, _ = gmst82_rad(jd, fr)
    sun_teme = sun_direction_teme(jd, fr)
    c, s = np.cos(theta), np.sin(theta)
    sun_itrs = np.stack([c * sun_teme[:, 0] + s * sun_teme[:, 1], -s * sun_teme[:, 0] + c * sun_teme[:, 1],
                         sun_teme[:, 2]], axis=1)
    # request windows as grid offsets
    w0 = np.array([max(0.0, (r.start - start).total_seconds()) if r.start else 0.0 for r in requests])
    w1 = np.array([min(horizon_s, (r.end - start).total_seconds()) if r.end else horizon_s for r in requests])
    reason: list[str | None] = ["sensor"] * len(requests)
    stage = np.zeros(len(requests), dtype=int)  # furthest check passed: 1 sensor, 2 window, 3 access, 4 sun, 5 gsd
    sensor_ok = np.array([[r.sensor in ("any", p.sensor) for p in sats] for r in requests])
    stage[sensor_ok.any(axis=1)] = 1
    stage[(stage == 1) & (w1 > w0)] = 2
    tree = cKDTree(tgt / np.linalg.norm(tgt, axis=1, keepdims=True))
    radius = np.linalg.norm(eph.r_km, axis=2)
    rows: list[np.ndarray] = []
    for i, p in enumerate(sats):
        r_max = float(np.max(radius[i][ok_state[i]])) if ok_state[i].any() else WGS84_A_KM
        lam = _central_angle_rad(p.max_off_nadir_deg, r_max)
        u = r_itrs[i] / np.maximum(radius[i], 1e-9)[:, None]
        hits = tree.query_ball_point(u, 2.0 * np.sin(lam / 2.0) + 1e-9, return_sorted=False)
        counts = np.array([len(h) for h in hits])
        if counts.sum() == 0:
            continue
        ti = np.repeat(np.arange(n_t), counts)
        ri = np.concatenate([np.asarray(h, dtype=int) for h in hits if len(h)])
        keep = ok_state[i, ti] & sensor_ok[ri, i] & (t[ti] >= w0[ri]) & (t[ti] <= w1[ri])
        ti, ri = ti[keep], ri[keep]
        rs = r_itrs[i, ti]
        off = off_nadir_deg(rs, tgt[ri])
        visible = np.einsum("ij,ij->i", rs - tgt[ri], up[ri]) > 0.0
        fine = visible & (off <= p.max_off_nadir_deg) & (off >= p.min_off_nadir_deg)
        np.maximum.at(stage, ri[fine], 3)
        ti, ri, off = ti[fine], ri[fine], off[fine]
        if p.min_sun_elevation_deg is not None:
            sun_el = np.degrees(np.arcsin(np.clip(np.einsum("ij,ij->i", sun_itrs[ti], up[ri]), -1, 1)))
            lit = sun_el >= p.min_sun_elevation_deg
            ti, ri, off = ti[lit], ri[lit], off[lit]
        np.maximum.at(stage, ri, 4)
        alt = radius[i, ti] - WGS84_A_KM
        need = np.array([r.max_gsd_m or np.inf for r in requests])[ri]
        if p.gsd_nadir_m is not None and p.sensor == "sar":  # SAR resolution does not grow with range
            gsd = np.full(len(ti), p.gsd_nadir_m)
            good = gsd <= need
        elif p.gsd_nadir_m is not None:
            gsd = gsd_at_m(p.gsd_nadir_m, off, alt)
            good = gsd <= need
        else:
            gsd = np.full(len(ti), np.nan)
            good = ~np.isfinite(need)
        ti, ri, off, gsd = ti[good], ri[good], off[good], gsd[good]
        np.maximum.at(stage, ri, 5)
        if len(ti):
            rows.append(np.stack([np.full(len(ti), i), ri, ti, off, gsd], axis=1))
    for k in range(len(requests)):
        reason[k] = None if stage[k] == 5 else ["sensor", "window", "access", "sun", "gsd"][stage[k]]
    if not rows:
        return Candidates.concat([]), CandidateInfo(np.zeros(0), np.zeros(0), reason)
    h = np.concatenate(rows)
    sat_i, req_i, t_i = h[:, 0].astype(int), h[:, 1].astype(int), h[:, 2].astype(int)
    order = np.lexsort((t_i, req_i, sat_i))
    h, sat_i, req_i, t_i = h[order], sat_i[order], req_i[order], t_i[order]
    new_pass = np.ones(len(h), dtype=bool)
    new_pass[1:] = (sat_i[1:] != sat_i[:-1]) | (req_i[1:] != req_i[:-1]) | (t_i[1:] != t_i[:-1] + 1)
    pass_id = np.cumsum(new_pass) - 1
    first = np.flatnonzero(new_pass)
    last = np.append(first[1:] - 1, len(h) - 1)
    best = first + np.array([int(np.argmin(h[a:b + 1, 3])) for a, b in zip(first, last, strict=True)])
    del pass_id
    # the passes of each request, best off-nadir first: keep max_passes of them
    keep_pass = np.zeros(len(best), dtype=bool)
    by_req = np.lexsort((h[best, 3], req_i[best]))
    rank = np.arange(len(by_req)) - np.searchsorted(req_i[best][by_req], req_i[best][by_req], side="left")
    keep_pass[by_req[rank < max_passes]] = True
    picks = [best[keep_pass]]
    if times_per_pass > 1:
        picks += [first[keep_pass], last[keep_pass]]
    pick = np.unique(np.concatenate(picks))
    sat_i, req_i, t_i, off_c, gsd_c = sat_i[pick], req_i[pick], t_i[pick], h[pick, 3], h[pick, 4]
    dur = np.array([requests[k].duration_s for k in req_i])
    t0 = np.clip(t[t_i] - dur / 2, 0.0, horizon_s - dur)
    t1 = t0 + dur
    los0, off0 = _los_teme(recs, sat_i, tgt[req_i], epoch, t0)
    los1, off1 = _los_teme(recs, sat_i, tgt[req_i], epoch, t1)
    limit = np.array([sats[i].max_off_nadir_deg for i in sat_i])
    lower = np.array([sats[i].min_off_nadir_deg for i in sat_i])
    exact = (off0 <= limit) & (off1 <= limit) & (off0 >= lower) & (off1 >= lower)
    exact &= (t0 >= w0[req_i]) & (t1 <= w1[req_i])
    value = np.array([requests[k].weight for k in req_i], dtype=np.int64)
    cands = Candidates(sat_i, req_i, t0, t1, value, los0, los1).take(exact)
    info = CandidateInfo(off_c[exact], gsd_c[exact], reason)
    for k in set(range(len(requests))) - set(cands.job.tolist()):
        if info.reason[k] is None:
            info.reason[k] = "access"
    return cands, info


def _los_teme(recs: Sgp4Records, sat_i: np.ndarray, tgt_itrs: np.ndarray, epoch: Epoch, t_s: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
    """Lines of sight (TEME, km) from satellites sat_i[k] to targets at t_s[k], and the off-nadir angles (deg)."""
    jd, fr = epoch.offsets(t_s)
    r, _, _ = propagate_pairs(recs, sat_i, jd, fr)
    target = itrs_to_teme(tgt_itrs, jd, fr)
    return target - r, off_nadir_deg(r, target)
