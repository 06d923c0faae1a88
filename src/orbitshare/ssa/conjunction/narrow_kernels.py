"""Numba kernels of the narrow phase of conjunction screening: TCA refinement of candidate pairs from SGP4 states
(TEME, km, s; certified by the bounds of docs/screening.md)."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from orbitshare.astro.sgp4_numba import sgp4
from orbitshare.ssa.conjunction.kernels import (
    DACC_FLOOR_KMS2,
    GRADIENT_FACTOR,
    MIN_PIECE_S,
    MU_KM3S2,
    RE_KM,
    TCA_TOL_S,
    grow,
    segment_dist2,
)

__all__ = ["narrow_phase"]

# ----------------------------------------------------------------------------------------------- narrow phase


@njit(cache=True, nogil=True)
def _pair_state(recs, tb_min, i, j, t_s, st):
    """SGP4 states of i and j at t_s (s from window start) into st[0:12]; False on any SGP4 error."""
    r, v, e = sgp4(recs[i], tb_min[i] + t_s / 60.0)
    if e != 0 or not math.isfinite(r[0]):
        return False
    st[0], st[1], st[2], st[3], st[4], st[5] = r[0], r[1], r[2], v[0], v[1], v[2]
    r, v, e = sgp4(recs[j], tb_min[j] + t_s / 60.0)
    if e != 0 or not math.isfinite(r[0]):
        return False
    st[6], st[7], st[8], st[9], st[10], st[11] = r[0], r[1], r[2], v[0], v[1], v[2]
    return True


@njit(cache=True, nogil=True, inline="always")
def _range_rate_f(st):
    """f = d . d_dot (km^2/s) and |d| (km), |d_dot| (km/s) of the relative state in st."""
    f = 0.0
    d2 = 0.0
    w2 = 0.0
    for a in range(3):
        d = st[6 + a] - st[a]
        w = st[9 + a] - st[3 + a]
        f += d * w
        d2 += d * d
        w2 += w * w
    return f, math.sqrt(d2), math.sqrt(w2)


@njit(cache=True, nogil=True, inline="always")
def _f_prime(st):
    """df/dt = |d_dot|^2 + d . d_ddot with two-body accelerations (km^2/s^2)."""
    ri = math.sqrt(st[0] ** 2 + st[1] ** 2 + st[2] ** 2)
    rj = math.sqrt(st[6] ** 2 + st[7] ** 2 + st[8] ** 2)
    out = 0.0
    for a in range(3):
        d = st[6 + a] - st[a]
        w = st[9 + a] - st[3 + a]
        acc = -MU_KM3S2 * st[6 + a] / rj**3 + MU_KM3S2 * st[a] / ri**3
        out += w * w + d * acc
    return out


@njit(cache=True, nogil=True)
def _refine(recs, tb_min, i, j, a_s, b_s, fa, wa, st):
    """TCA (s) in [a_s, b_s] where f changes sign from - to +: safeguarded Newton; final state in st."""
    lo, hi = a_s, b_s
    t = a_s - fa / (wa * wa) if wa > 0.0 else 0.5 * (a_s + b_s)
    if not (lo < t < hi):
        t = 0.5 * (lo + hi)
    for _ in range(100):
        if not _pair_state(recs, tb_min, i, j, t, st):
            return math.nan
        f, _, _ = _range_rate_f(st)
        if f < 0.0:
            lo = t
        else:
            hi = t
        fp = _f_prime(st)
        t_new = t - f / fp if fp > 0.0 else 0.5 * (lo + hi)
        if not (lo <= t_new <= hi):
            t_new = 0.5 * (lo + hi)
        step = abs(t_new - t)
        t = t_new
        if step < TCA_TOL_S or hi - lo < TCA_TOL_S:
            break
    if not _pair_state(recs, tb_min, i, j, t, st):
        return math.nan
    return t


@njit(cache=True, nogil=True, inline="always")
def _rel_bounds(sa, sb, h_s, amax_ij, da, db):
    """Bounds over a piece of h_s seconds between states sa and sb: largest separation d_max (km) and largest
    relative acceleration dacc (km/s^2, gravity gradient over d_max, at most amax_ij)."""
    d_max = max(da, db) + amax_ij * h_s * h_s / 8.0
    rmin = min(math.sqrt(sa[0] ** 2 + sa[1] ** 2 + sa[2] ** 2), math.sqrt(sb[0] ** 2 + sb[1] ** 2 + sb[2] ** 2))
    rmin = max(rmin - d_max - 100.0, 0.9 * RE_KM)
    return d_max, min(GRADIENT_FACTOR * MU_KM3S2 / rmin**3 * d_max + DACC_FLOOR_KMS2, amax_ij)


@njit(cache=True, nogil=True)
def _monotone(sa, sb, h_s, amax_ij, da, db, wa, wb):
    """Whether f = d.d_dot is certainly increasing on a piece of h_s seconds (at most one minimum of range)."""
    d_max, dacc = _rel_bounds(sa, sb, h_s, amax_ij, da, db)
    w_min = max(wa, wb) - h_s * dacc
    return w_min > 0.0 and w_min * w_min > d_max * dacc


@njit(cache=True, nogil=True)
def _no_crossing(sa, sb, h_s, amax_ij, fa, fb, da, db, wa, wb):
    """Whether f = d.d_dot certainly keeps one sign on a piece of h_s seconds (no minimum of range in it): f has
    the same sign at both ends and |f'| = ||d_dot|^2 + d.d_ddot| <= F1 could not take it to zero and back,
    |fa| + |fb| > F1 h_s (slow pairs, e.g. co-located GEO satellites, fail the monotone test)."""
    if not fa * fb > 0.0:
        return False
    d_max, dacc = _rel_bounds(sa, sb, h_s, amax_ij, da, db)
    w_max = max(wa, wb) + h_s * dacc
    return abs(fa) + abs(fb) > (w_max * w_max + d_max * dacc) * h_s


@njit(cache=True, nogil=True)
def narrow_phase(recs, tb_min, amax, cand, sub_s, threshold_km, t_end_s):
    """Every local minimum of range <= threshold in each candidate sub-interval, by exact SGP4.

    Returns (pairs (n, 2) int64, t_s (n,), miss_km (n,), states (n, 12): r_i, v_i, r_j, v_j TEME km, km/s).
    """
    pairs = np.empty((256, 2), np.int64)
    times = np.empty(256)
    miss = np.empty(256)
    states = np.empty((256, 12))
    nout = 0
    sa = np.empty(12)
    sb = np.empty(12)
    st = np.empty(12)
    sc = np.empty(12)
    last = (-1, -1, -1)  # (i, j, k) whose end state is in sb: the next sub-interval of the pair starts there
    for q in range(cand.shape[0]):
        i, j, k = cand[q, 0], cand[q, 1], cand[q, 2]
        amax_ij = amax[i] + amax[j]
        a_s = k * sub_s
        b_s = min((k + 1) * sub_s, t_end_s)
        if b_s <= a_s:
            continue
        if last[0] == i and last[1] == j and last[2] == k - 1:
            sa[:] = sb
        elif not _pair_state(recs, tb_min, i, j, a_s, sa):
            last = (-1, -1, -1)
            continue
        if not _pair_state(recs, tb_min, i, j, b_s, sb):
            last = (-1, -1, -1)
            continue
        last = (i, j, k)
        h = b_s - a_s
        if _chord_gap(sa, sb) - amax_ij * h * h / 8.0 > threshold_km:
            continue
        fa, da, wa = _range_rate_f(sa)
        fb, db, wb = _range_rate_f(sb)
        if _monotone(sa, sb, h, amax_ij, da, db, wa, wb):
            m = 1
        elif _no_crossing(sa, sb, h, amax_ij, fa, fb, da, db, wa, wb):
            continue
        else:
            m = math.ceil(h / MIN_PIECE_S)
        sc[:] = sa
        for p in range(m):
            a_p = a_s + h * p / m
            b_p = b_s if p == m - 1 else a_s + h * (p + 1) / m
            if p == m - 1:
                sb2 = sb
            else:
                sb2 = np.empty(12)
                if not _pair_state(recs, tb_min, i, j, b_p, sb2):
                    break
            fa_p, _, wa_p = _range_rate_f(sc)
            fb_p, _, _ = _range_rate_f(sb2)
            hp = b_p - a_p
            if fa_p < 0.0 <= fb_p and _chord_gap(sc, sb2) - amax_ij * hp * hp / 8.0 <= threshold_km:
                t = _refine(recs, tb_min, i, j, a_p, b_p, fa_p, wa_p, st)
                if not math.isnan(t):
                    _, dmin, _ = _range_rate_f(st)
                    if dmin <= threshold_km:
                        if nout == pairs.shape[0]:
                            pairs = grow(pairs, nout + 1)
                            times = grow(times, nout + 1)
                            miss = grow(miss, nout + 1)
                            states = grow(states, nout + 1)
                        pairs[nout, 0], pairs[nout, 1] = i, j
                        times[nout] = t
                        miss[nout] = dmin
                        states[nout, :] = st
                        nout += 1
            sc[:] = sb2
    return pairs[:nout], times[:nout], miss[:nout], states[:nout]


@njit(cache=True, nogil=True, inline="always")
def _chord_gap(sa, sb):
    """Minimum over the piece of the linearly interpolated relative position's norm (km)."""
    d0x = sa[6] - sa[0]
    d0y = sa[7] - sa[1]
    d0z = sa[8] - sa[2]
    return math.sqrt(segment_dist2(d0x, d0y, d0z, sb[6] - sb[0] - d0x, sb[7] - sb[1] - d0y, sb[8] - sb[2] - d0z))
