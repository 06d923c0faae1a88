"""Numba kernels of conjunction screening: per-object motion bounds, broad phase, narrow phase (TEME, km, s).

The bounds implemented here are derived in docs/screening.md; the names follow that document:
``eps`` Hermite interpolation error, ``chord`` deviation of the path from its chord over one sub-interval,
``rhodev`` deviation of the radius from its chord. Times are seconds from the window start.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from orbitshare.astro.sgp4_numba import sgp4

MU_KM3S2 = 398600.8  # WGS-72, as SGP4
RE_KM = 6378.135
SNAP_SAFETY = 1.25  # perturbations (J2, SGP4 short-period terms, drag) on the two-body snap bound
ACC_SAFETY = 1.01  # J2 and drag on the two-body acceleration bound
RHO_PERTURB = 0.015  # perturbation radial acceleration, fraction of mu/r^2
EPS_FLOOR_KM = 1e-3  # round-off floor of the interpolation error bound
GRADIENT_FACTOR = 3.0  # |d(a)/dr| <= GRADIENT_FACTOR mu / r^3 (2 for a point mass; margin for J2)
DACC_FLOOR_KMS2 = 1e-6  # perturbation acceleration difference between two nearby objects (km/s^2)
MIN_PIECE_S = 5.0  # piece length where monotony of d.d_dot cannot be certified (s)
TCA_TOL_S = 1e-7  # Newton step that ends TCA refinement (s)


@njit(cache=True, nogil=True)
def motion_bounds(r_km, ok, sma_km, ecc, coarse_s, sub_s, eps, chord, rhodev, amax):
    """Per-object bounds over one block: Hermite error, chord and radius deviations (km), max |acc| (km/s^2)."""
    n, m = ok.shape
    for i in range(n):
        rlo = sma_km[i] * (1.0 - ecc[i])
        for c in range(m):
            if ok[i, c]:
                rr = math.sqrt(r_km[i, c, 0] ** 2 + r_km[i, c, 1] ** 2 + r_km[i, c, 2] ** 2)
                rlo = min(rlo, rr)
        rlo = max(0.98 * rlo, 0.9 * RE_KM)
        e = min(max(ecc[i], 0.0), 0.999)
        snap = MU_KM3S2 * MU_KM3S2 / rlo**5 * (1.0 + 9.0 * e + 12.0 * e * e / (1.0 + e)) * SNAP_SAFETY
        eps[i] = min(snap * coarse_s**4 / 384.0 + EPS_FLOOR_KM, 1e5)
        g = MU_KM3S2 / (rlo * rlo)
        amax[i] = g * ACC_SAFETY
        chord[i] = amax[i] * sub_s * sub_s / 8.0
        rhodev[i] = g * (e + RHO_PERTURB) * sub_s * sub_s / 8.0


@njit(cache=True, nogil=True, inline="always")
def _hermite(r_km, v_kms, i, c, h00, h10, h01, h11, h_s, out, o):
    """Cubic Hermite position of object i in coarse interval c at the basis weights given (km); r, v (m, n, 3)."""
    for a in range(3):
        out[o, a] = (h00 * r_km[c, i, a] + h10 * h_s * v_kms[c, i, a]
                     + h01 * r_km[c + 1, i, a] + h11 * h_s * v_kms[c + 1, i, a])


@njit(cache=True, nogil=True)
def _grow(arr, need):
    """Return arr, or a copy with at least `need` rows (doubling)."""
    if need <= arr.shape[0]:
        return arr
    cap = max(need, 2 * arr.shape[0])
    out = np.empty((cap,) + arr.shape[1:], arr.dtype)  # noqa: RUF005 (numba)
    out[: arr.shape[0]] = arr
    return out


@njit(cache=True, nogil=True, inline="always")
def _hash(cx, cy, cz, cr, mask):
    """Bucket of a 4-D cell (x, y, z, radius)."""
    h = (cx * 73856093) ^ (cy * 19349663) ^ (cz * 83492791) ^ (cr * 2654435761)
    return h & mask


@njit(cache=True, nogil=True)
def broad_phase(r_km, v_kms, ok, coarse_s, nsub, k_lo, k_hi, eps, chord, rhodev, threshold_km, cell_km,
                rcell_km, primary, primary_mode, k_offset):
    """Candidate (i, j, k) with i < j whose bounded paths may come within threshold in sub-interval k.

    r_km, v_kms: SGP4 samples (m, n, 3), time-major; ok: (m, n) validity.
    k counts sub-intervals of length coarse_s / nsub from the block start; k_offset is added to the output.
    """
    n = ok.shape[1]
    p0 = np.empty((n, 3))
    p1 = np.empty((n, 3))
    lo = np.empty((n, 4))
    hi = np.empty((n, 4))
    cell = np.empty((n, 4), np.int64)
    live = np.zeros(n, np.bool_)
    wide = np.empty(n, np.int64)
    ent_obj = np.empty(8 * n, np.int64)
    ent_key = np.empty((8 * n, 4), np.int64)
    ent_h = np.empty(8 * n, np.int64)
    nb = 1
    while nb < 8 * n:
        nb *= 2
    counts = np.zeros(nb + 1, np.int64)
    order = np.empty(8 * n, np.int64)
    sobj = np.empty(8 * n, np.int64)
    skey = np.empty((8 * n, 4), np.int64)
    sh = np.empty(8 * n, np.int64)
    out = np.empty((1024, 3), np.int64)
    nout = 0
    half = 0.5 * threshold_km
    for k in range(k_lo, k_hi):
        c = k // nsub
        s = k % nsub
        t0 = s / nsub
        t1 = (s + 1) / nsub
        a00, a10, a01, a11 = 2 * t0**3 - 3 * t0**2 + 1, t0**3 - 2 * t0**2 + t0, -2 * t0**3 + 3 * t0**2, t0**3 - t0**2
        b00, b10, b01, b11 = 2 * t1**3 - 3 * t1**2 + 1, t1**3 - 2 * t1**2 + t1, -2 * t1**3 + 3 * t1**2, t1**3 - t1**2
        ne = 0
        nw = 0
        for i in range(n):
            live[i] = ok[c, i] and ok[c + 1, i]
            if not live[i]:
                continue
            if s == 0:
                for a in range(3):
                    p0[i, a] = r_km[c, i, a]
            else:
                _hermite(r_km, v_kms, i, c, a00, a10, a01, a11, coarse_s, p0, i)
            _hermite(r_km, v_kms, i, c, b00, b10, b01, b11, coarse_s, p1, i)
            pad = eps[i] + chord[i] + half
            for a in range(3):
                lo[i, a] = min(p0[i, a], p1[i, a]) - pad
                hi[i, a] = max(p0[i, a], p1[i, a]) + pad
                cell[i, a] = math.floor(lo[i, a] / cell_km)
            rho0 = math.sqrt(p0[i, 0] ** 2 + p0[i, 1] ** 2 + p0[i, 2] ** 2)
            rho1 = math.sqrt(p1[i, 0] ** 2 + p1[i, 1] ** 2 + p1[i, 2] ** 2)
            rpad = eps[i] + rhodev[i] + half
            lo[i, 3] = min(rho0, rho1) - rpad
            hi[i, 3] = max(rho0, rho1) + rpad
            cell[i, 3] = math.floor(lo[i, 3] / rcell_km)
            ncell_f = _cell_count(hi, cell, i, cell_km, rcell_km)
            if ncell_f > MAX_ENTRIES:
                wide[nw] = i
                nw += 1
                continue
            ncell = int(ncell_f)
            if ne + ncell > ent_obj.shape[0]:
                ent_obj = _grow(ent_obj, ne + ncell)
                ent_key = _grow(ent_key, ne + ncell)
                ent_h = _grow(ent_h, ne + ncell)
                order = _grow(order, ne + ncell)
            ne = _insert(hi, cell, i, cell_km, rcell_km, ent_obj, ent_key, ne)
        if ne > nb:
            while nb < ne:
                nb *= 2
            counts = np.zeros(nb + 1, np.int64)
        mask = nb - 1
        for e in range(ne):
            h = _hash(ent_key[e, 0], ent_key[e, 1], ent_key[e, 2], ent_key[e, 3], mask)
            ent_h[e] = h
            counts[h + 1] += 1
        # prefix sums only over touched buckets would need sorting; a full pass is cheap at this size
        for b in range(nb):
            counts[b + 1] += counts[b]
        if sobj.shape[0] < ne:
            sobj = np.empty(ent_obj.shape[0], np.int64)
            skey = np.empty((ent_obj.shape[0], 4), np.int64)
            sh = np.empty(ent_obj.shape[0], np.int64)
        for e in range(ne):
            h = ent_h[e]
            x = counts[h]
            sobj[x] = ent_obj[e]
            sh[x] = h
            for a in range(4):
                skey[x, a] = ent_key[e, a]
            counts[h] += 1
        # counts[h] now holds the end of bucket h; its start is the end of bucket h-1
        for x in range(ne):
            i = sobj[x]
            hx = sh[x]
            for y in range(x + 1, ne):
                if sh[y] != hx:
                    break
                j = sobj[y]
                if i == j:
                    continue
                if (skey[x, 0] != skey[y, 0] or skey[x, 1] != skey[y, 1]
                        or skey[x, 2] != skey[y, 2] or skey[x, 3] != skey[y, 3]):
                    continue
                if True:
                    ea = x
                    if primary_mode and not (primary[i] or primary[j]):
                        continue
                    if not _boxes_meet(lo, hi, i, j):
                        continue
                    if not _owner_cell(cell, skey, ea, i, j):
                        continue
                    if not _chord_close(p0, p1, i, j, threshold_km + eps[i] + eps[j] + chord[i] + chord[j]):
                        continue
                    out, nout = _emit(out, nout, i, j, k + k_offset)
        for w in range(nw):
            out, nout = _wide_pairs(wide[w], wide, w, nw, live, n, lo, hi, cell, p0, p1, eps, chord, counts,
                                    sobj, skey, mask, cell_km, rcell_km, threshold_km, primary,
                                    primary_mode, out, nout, k + k_offset)
        counts[:] = 0
    return out[:nout]


MAX_ENTRIES = 32  # cells above which an object's box is handled as "wide" (queries instead of inserts)
MAX_QUERY = 4096  # cells above which a wide object is tested against every object directly


@njit(cache=True, nogil=True, inline="always")
def _cell_range(hi, cell, i, a, cell_km, rcell_km):
    """Last cell index of object i's box along dimension a (x, y, z, radius)."""
    return math.floor(hi[i, a] / (cell_km if a < 3 else rcell_km))


@njit(cache=True, nogil=True)
def _cell_count(hi, cell, i, cell_km, rcell_km):
    """Number of 4-D cells object i's box touches."""
    total = 1.0
    for a in range(4):
        total *= _cell_range(hi, cell, i, a, cell_km, rcell_km) - cell[i, a] + 1.0
    return total


@njit(cache=True, nogil=True)
def _insert(hi, cell, i, cell_km, rcell_km, ent_obj, ent_key, ne):
    """Append one entry per 4-D cell of object i's box; returns the new entry count."""
    for cx in range(cell[i, 0], _cell_range(hi, cell, i, 0, cell_km, rcell_km) + 1):
        for cy in range(cell[i, 1], _cell_range(hi, cell, i, 1, cell_km, rcell_km) + 1):
            for cz in range(cell[i, 2], _cell_range(hi, cell, i, 2, cell_km, rcell_km) + 1):
                for cr in range(cell[i, 3], _cell_range(hi, cell, i, 3, cell_km, rcell_km) + 1):
                    ent_obj[ne] = i
                    ent_key[ne, 0] = cx
                    ent_key[ne, 1] = cy
                    ent_key[ne, 2] = cz
                    ent_key[ne, 3] = cr
                    ne += 1
    return ne


@njit(cache=True, nogil=True)
def _emit(out, nout, i, j, k):
    """Append candidate (min(i, j), max(i, j), k), growing the buffer."""
    if nout == out.shape[0]:
        out = _grow(out, nout + 1)
    out[nout, 0] = min(i, j)
    out[nout, 1] = max(i, j)
    out[nout, 2] = k
    return out, nout + 1


@njit(cache=True, nogil=True, inline="always")
def _pair_passes(i, j, lo, hi, p0, p1, eps, chord, threshold_km, primary, primary_mode):
    """Box, primary and chord tests of a pair."""
    if primary_mode and not (primary[i] or primary[j]):
        return False
    if not _boxes_meet(lo, hi, i, j):
        return False
    return _chord_close(p0, p1, i, j, threshold_km + eps[i] + eps[j] + chord[i] + chord[j])


@njit(cache=True, nogil=True)
def _wide_pairs(i, wide, w, nw, live, n, lo, hi, cell, p0, p1, eps, chord, counts, sobj, skey,
                mask, cell_km, rcell_km, threshold_km, primary, primary_mode, out, nout, k):
    """Candidates of wide object i: grid query (or every object) plus the wide objects after it."""
    for v in range(w + 1, nw):
        j = wide[v]
        if _pair_passes(i, j, lo, hi, p0, p1, eps, chord, threshold_km, primary, primary_mode):
            out, nout = _emit(out, nout, i, j, k)
    if _cell_count(hi, cell, i, cell_km, rcell_km) > MAX_QUERY:
        for j in range(n):
            if live[j] and j != i and _cell_count(hi, cell, j, cell_km, rcell_km) <= MAX_ENTRIES:
                if _pair_passes(i, j, lo, hi, p0, p1, eps, chord, threshold_km, primary, primary_mode):
                    out, nout = _emit(out, nout, i, j, k)
        return out, nout
    for cx in range(cell[i, 0], _cell_range(hi, cell, i, 0, cell_km, rcell_km) + 1):
        for cy in range(cell[i, 1], _cell_range(hi, cell, i, 1, cell_km, rcell_km) + 1):
            for cz in range(cell[i, 2], _cell_range(hi, cell, i, 2, cell_km, rcell_km) + 1):
                for cr in range(cell[i, 3], _cell_range(hi, cell, i, 3, cell_km, rcell_km) + 1):
                    b = _hash(cx, cy, cz, cr, mask)
                    start = counts[b - 1] if b > 0 else 0
                    for e in range(start, counts[b]):
                        if (skey[e, 0] != cx or skey[e, 1] != cy or skey[e, 2] != cz
                                or skey[e, 3] != cr):
                            continue
                        j = sobj[e]
                        if not _owner_cell(cell, skey, e, i, j):
                            continue
                        if _pair_passes(i, j, lo, hi, p0, p1, eps, chord, threshold_km, primary, primary_mode):
                            out, nout = _emit(out, nout, i, j, k)
    return out, nout


@njit(cache=True, nogil=True, inline="always")
def _boxes_meet(lo, hi, i, j):
    """Whether the padded boxes (x, y, z, radius) of objects i and j overlap."""
    for a in range(4):
        if lo[i, a] > hi[j, a] or lo[j, a] > hi[i, a]:
            return False
    return True


@njit(cache=True, nogil=True, inline="always")
def _owner_cell(cell, ent_key, e, i, j):
    """Whether entry e's cell holds the low corner of the two boxes' intersection (reports each pair once)."""
    for a in range(4):
        if ent_key[e, a] != max(cell[i, a], cell[j, a]):
            return False
    return True


@njit(cache=True, nogil=True, inline="always")
def _chord_close(p0, p1, i, j, limit_km):
    """Whether the chords of i and j (same parameter) come within limit_km of each other."""
    d0x = p0[j, 0] - p0[i, 0]
    d0y = p0[j, 1] - p0[i, 1]
    d0z = p0[j, 2] - p0[i, 2]
    ddx = p1[j, 0] - p1[i, 0] - d0x
    ddy = p1[j, 1] - p1[i, 1] - d0y
    ddz = p1[j, 2] - p1[i, 2] - d0z
    dd2 = ddx * ddx + ddy * ddy + ddz * ddz
    u = 0.0
    if dd2 > 0.0:
        u = min(max(-(d0x * ddx + d0y * ddy + d0z * ddz) / dd2, 0.0), 1.0)
    x = d0x + u * ddx
    y = d0y + u * ddy
    z = d0z + u * ddz
    return x * x + y * y + z * z <= limit_km * limit_km


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


@njit(cache=True, nogil=True)
def _monotone(sa, sb, h_s, amax_ij, da, db, wa, wb):
    """Whether f = d.d_dot is certainly increasing on a piece of h_s seconds (at most one minimum of range)."""
    d_max = max(da, db) + amax_ij * h_s * h_s / 8.0
    rmin = min(math.sqrt(sa[0] ** 2 + sa[1] ** 2 + sa[2] ** 2), math.sqrt(sb[0] ** 2 + sb[1] ** 2 + sb[2] ** 2))
    rmin = max(rmin - d_max - 100.0, 0.9 * RE_KM)
    dacc = min(GRADIENT_FACTOR * MU_KM3S2 / rmin**3 * d_max + DACC_FLOOR_KMS2, amax_ij)
    w_min = max(wa, wb) - h_s * dacc
    return w_min > 0.0 and w_min * w_min > d_max * dacc


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
    for q in range(cand.shape[0]):
        i, j, k = cand[q, 0], cand[q, 1], cand[q, 2]
        amax_ij = amax[i] + amax[j]
        a_s = k * sub_s
        b_s = min((k + 1) * sub_s, t_end_s)
        if b_s <= a_s:
            continue
        if not (_pair_state(recs, tb_min, i, j, a_s, sa) and _pair_state(recs, tb_min, i, j, b_s, sb)):
            continue
        h = b_s - a_s
        if _chord_gap(sa, sb) - amax_ij * h * h / 8.0 > threshold_km:
            continue
        _, da, wa = _range_rate_f(sa)
        _, db, wb = _range_rate_f(sb)
        m = 1 if _monotone(sa, sb, h, amax_ij, da, db, wa, wb) else math.ceil(h / MIN_PIECE_S)
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
                            pairs = _grow(pairs, nout + 1)
                            times = _grow(times, nout + 1)
                            miss = _grow(miss, nout + 1)
                            states = _grow(states, nout + 1)
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
    ddx = sb[6] - sb[0] - d0x
    ddy = sb[7] - sb[1] - d0y
    ddz = sb[8] - sb[2] - d0z
    dd2 = ddx * ddx + ddy * ddy + ddz * ddz
    u = 0.0
    if dd2 > 0.0:
        u = min(max(-(d0x * ddx + d0y * ddy + d0z * ddz) / dd2, 0.0), 1.0)
    return math.sqrt((d0x + u * ddx) ** 2 + (d0y + u * ddy) ** 2 + (d0z + u * ddz) ** 2)
