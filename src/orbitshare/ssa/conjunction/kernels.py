"""Numba kernels of conjunction screening: per-object motion bounds, step geometry and the all-vs-all broad phase
(TEME, km, s); the primaries-mode phase is in primary_kernels, the narrow phase in narrow_kernels.

The bounds implemented here are derived in docs/screening.md; the names follow that document:
``eps`` Hermite interpolation error, ``chord`` deviation of the path from its chord over one sub-interval,
``rhodev`` deviation of the radius from its chord. Times are seconds from the window start.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from orbitshare.constants import WGS72_J2, WGS72_MU_KM3S2, WGS72_RE_KM

__all__ = ["ACC_SAFETY", "CELL_LIMIT", "CONSISTENCY_SAFETY", "DACC_FLOOR_KMS2", "DA_FALLBACK_KMS2", "DA_FLOOR_KMS2",
           "DV_FALLBACK_KMS", "DV_FLOOR_KMS", "EPS_FLOOR_KM", "GRADIENT_FACTOR", "MAX_ENTRIES", "MAX_QUERY",
           "MIN_PIECE_S", "RHO_PERTURB", "SIXTH_SAFETY", "SNAP_SAFETY", "TCA_TOL_S", "accelerations", "boxes_meet",
           "broad_phase", "consistency", "emit_pair", "grow", "hermite_weights", "local_sixth_eps_km", "motion_bounds",
           "segment_dist2", "sixth_eps_km", "step_eps"]

MU_KM3S2 = WGS72_MU_KM3S2  # as SGP4
RE_KM = WGS72_RE_KM
#: LLVM fast-math flags of the primaries-mode kernels: contraction (FMA), reassociation, reciprocals and no signed
#: zeros let LLVM vectorise their per-object loops; never 'nnan'/'ninf' (dead objects carry inf sentinels). The
#: bounds carry safety factors far above the rounding these flags change (candidates checked equal, docs/screening.md).
FASTMATH = {"contract", "arcp", "reassoc", "nsz"}
SNAP_SAFETY = 1.25  # perturbations (J2, SGP4 short-period terms, drag) on the two-body snap bound
SIXTH_SAFETY = 1.5  # the same on the two-body bound of the sixth derivative (quintic interpolation error)
J2 = WGS72_J2  # as SGP4: the acceleration model of the quintic interpolant
CONSISTENCY_SAFETY = 3.0  # on the measured velocity and acceleration inconsistencies (they vary over a block)
DV_FLOOR_KMS = 1e-7  # floor of |SGP4 velocity - d(SGP4 position)/dt| (km/s)
DA_FLOOR_KMS2 = 1e-7  # floor of |d2(SGP4 position)/dt2 - J2 model| (km/s^2)
DV_FALLBACK_KMS = 1e-2  # for an object with no state at any measuring time (decaying): 10 m/s
DA_FALLBACK_KMS2 = 1e-4  # ... and 0.1 m/s^2
ACC_SAFETY = 1.01  # J2 and drag on the two-body acceleration bound
RHO_PERTURB = 0.015  # perturbation radial acceleration, fraction of mu/r^2
EPS_FLOOR_KM = 1e-3  # round-off floor of the interpolation error bound
GRADIENT_FACTOR = 3.0  # |d(a)/dr| <= GRADIENT_FACTOR mu / r^3 (2 for a point mass; margin for J2)
DACC_FLOOR_KMS2 = 1e-6  # perturbation acceleration difference between two nearby objects (km/s^2)
MIN_PIECE_S = 5.0  # piece length where monotony of d.d_dot cannot be certified (s)
TCA_TOL_S = 1e-7  # Newton step that ends TCA refinement (s)


@njit(cache=True, nogil=True)
def sixth_eps_km(rlo_km, ecc, step_s):
    """Quintic Hermite error bound (km) over a step of step_s (s) from the sixth derivative of two-body motion,
    |r^(6)| <= mu^3 / r_p^8 (1 + 24 e + 45 e^2) (maximum at perigee), with r_lo for r_p and SIXTH_SAFETY."""
    return MU_KM3S2**3 / rlo_km**8 * (1.0 + 24.0 * ecc + 45.0 * ecc * ecc) * SIXTH_SAFETY * step_s**6 / 46080.0


@njit(cache=True, nogil=True)
def local_sixth_eps_km(r_km, ecc, step_s):
    """Quintic Hermite error bound (km) over a step of step_s (s) during which the radius stays >= r_km: at radius
    rho, |r^(6)| <= mu^3 / rho^8 (1 + 24 e + 45 e^2)(1 + 12 e^4) (Lagrange f-g series, e <= 0.999; the second
    factor is 1 at perigee and reaches 12 where it is largest elsewhere), with SIXTH_SAFETY."""
    return sixth_eps_km(r_km, ecc, step_s) * (1.0 + 12.0 * ecc**4)


@njit(cache=True, nogil=True, inline="always")
def _quintic_eps(sixth_km, coarse_s, dv, da):
    """Quintic interpolation error bound (km): the two-body part plus the measured consistency terms."""
    return min(sixth_km + CONSISTENCY_SAFETY * (0.3125 * coarse_s * max(dv, DV_FLOOR_KMS)
                                                + coarse_s**2 / 32.0 * max(da, DA_FLOOR_KMS2))
               + EPS_FLOOR_KM, 1e5)


@njit(cache=True, nogil=True)
def step_eps(r_km, v_kms, ok, sma_km, ecc, coarse_s, nsub, rhodev, dv, da, eps, rlo, out):
    """Per SGP4 step and object (out: steps x objects), the quintic error bound (km) from the lowest radius the
    object can reach in that step (docs/screening.md, "step radius"); the block bound eps (from the block's
    lowest radius rlo) where that is not smaller. Eccentric orbits get a small bound far from perigee.

    Lowest radius: 0.98 x the smaller SGP4 end radius when the step is shorter than half the period and does
    not run from falling to rising radius (no perigee inside: the radius is monotone or peaks at apogee), else
    0.98 x (that radius - rhodev(step)), the chord bound.
    """
    m, n = ok.shape
    thresh2 = np.empty(n)  # squared lowest radius above which the local bound is worth it (1.5x smaller or more)
    short = np.empty(n, np.bool_)  # the step is shorter than half the period
    for i in range(n):
        e = min(max(ecc[i], 0.0), 0.999)
        thresh2[i] = (1.05 * rlo[i] * (1.0 + 12.0 * e**4) ** 0.125) ** 2
        short[i] = math.pi * math.sqrt(max(sma_km[i], 1.0) ** 3 / MU_KM3S2) > coarse_s
    for c in range(m - 1):
        for i in range(n):
            out[c, i] = eps[i]
            if not (ok[c, i] and ok[c + 1, i]):
                continue
            ra2 = r_km[c, i, 0] ** 2 + r_km[c, i, 1] ** 2 + r_km[c, i, 2] ** 2
            rb2 = r_km[c + 1, i, 0] ** 2 + r_km[c + 1, i, 1] ** 2 + r_km[c + 1, i, 2] ** 2
            if 0.98 * 0.98 * min(ra2, rb2) <= thresh2[i]:
                continue  # not even the monotone case is worth it
            rda = r_km[c, i, 0] * v_kms[c, i, 0] + r_km[c, i, 1] * v_kms[c, i, 1] + r_km[c, i, 2] * v_kms[c, i, 2]
            rdb = (r_km[c + 1, i, 0] * v_kms[c + 1, i, 0] + r_km[c + 1, i, 1] * v_kms[c + 1, i, 1]
                   + r_km[c + 1, i, 2] * v_kms[c + 1, i, 2])
            r_low = math.sqrt(min(ra2, rb2))
            if not short[i] or (rda < 0.0 < rdb):
                r_low -= rhodev[i] * nsub * nsub
            r_low *= 0.98
            if r_low * r_low > thresh2[i]:
                e = min(max(ecc[i], 0.0), 0.999)
                out[c, i] = min(eps[i], _quintic_eps(local_sixth_eps_km(r_low, e, coarse_s), coarse_s, dv[i], da[i]))


@njit(cache=True, nogil=True)
def motion_bounds(r_km, ok, sma_km, ecc, coarse_s, sub_s, quintic, dv, da, eps, chord, rhodev, amax, rlo):
    """Per-object bounds over one block of samples r_km (times, objects, 3), ok (times, objects): interpolation
    error (cubic Hermite, or quintic if `quintic`), chord and radius deviations (km), max |acc| (km/s^2), and the
    lowest radius they assume (km).

    dv, da: measured inconsistencies of the SGP4 velocity with the path (km/s) and of the path's acceleration with
    the J2 model (km/s^2) (:func:`consistency`); the interpolant takes them as the path's derivatives, so they
    add max(|velocity basis|) T dv (+ max(|acceleration basis|) T^2 da) to its error.
    """
    m, n = ok.shape
    r2lo = np.empty(n)  # smallest squared radius: perigee, or a smaller sampled one (samples read in memory order)
    for i in range(n):
        r2lo[i] = (sma_km[i] * (1.0 - ecc[i])) ** 2
    for c in range(m):
        for i in range(n):
            if ok[c, i]:
                r2lo[i] = min(r2lo[i], r_km[c, i, 0] ** 2 + r_km[c, i, 1] ** 2 + r_km[c, i, 2] ** 2)
    for i in range(n):
        rlo[i] = max(0.98 * math.sqrt(r2lo[i]), 0.9 * RE_KM)
        e = min(max(ecc[i], 0.0), 0.999)
        if quintic:
            eps[i] = _quintic_eps(sixth_eps_km(rlo[i], e, coarse_s), coarse_s, dv[i], da[i])
        else:
            snap = MU_KM3S2 * MU_KM3S2 / rlo[i]**5 * (1.0 + 9.0 * e + 12.0 * e * e / (1.0 + e)) * SNAP_SAFETY
            eps[i] = min(snap * coarse_s**4 / 384.0 + CONSISTENCY_SAFETY * 0.25 * coarse_s * max(dv[i], DV_FLOOR_KMS)
                         + EPS_FLOOR_KM, 1e5)
        g = MU_KM3S2 / (rlo[i] * rlo[i])
        amax[i] = g * ACC_SAFETY
        chord[i] = amax[i] * sub_s * sub_s / 8.0
        rhodev[i] = g * (e + RHO_PERTURB) * sub_s * sub_s / 8.0


@njit(cache=True, nogil=True, inline="always")
def _j2_acc(x, y, z):
    """Two-body plus J2 acceleration (km/s^2) at TEME position (km), z along the pole."""
    rr = x * x + y * y + z * z
    g = -MU_KM3S2 / (rr * math.sqrt(rr))
    q = 1.5 * J2 * RE_KM * RE_KM / rr
    zz = 5.0 * z * z / rr
    return g * x * (1.0 + q * (1.0 - zz)), g * y * (1.0 + q * (1.0 - zz)), g * z * (1.0 + q * (3.0 - zz))


@njit(cache=True, nogil=True)
def accelerations(r_km, ok, acc):
    """J2 model acceleration (km/s^2) of every sample of (m, n, 3) time-major positions into acc (0 where not ok)."""
    m, n = ok.shape
    for c in range(m):
        for i in range(n):
            if ok[c, i]:
                acc[c, i, 0], acc[c, i, 1], acc[c, i, 2] = _j2_acc(r_km[c, i, 0], r_km[c, i, 1], r_km[c, i, 2])
            else:
                acc[c, i, 0] = acc[c, i, 1] = acc[c, i, 2] = 0.0


@njit(cache=True, nogil=True)
def consistency(r_km, v_kms, ok, h_s, dv, da):
    """Per object, the largest (over triples) |v - dr/dt| (km/s) and |d2r/dt2 - J2 model| (km/s^2) from SGP4 states
    (n, 3m, 3) at triples of times t - h_s, t, t + h_s; objects without a whole triple get the fallbacks.

    Central differences with the two-body jerk term removed: what remains is below 1e-8 km/s and 1e-8 km/s^2
    for h_s = 1 s (SGP4's round-off and Kepler tolerance), far under the floors.
    """
    n = ok.shape[0]
    for i in range(n):
        dv[i] = -1.0
        da[i] = -1.0
        for q in range(ok.shape[1] // 3):
            a, b, c = 3 * q, 3 * q + 1, 3 * q + 2
            if not (ok[i, a] and ok[i, b] and ok[i, c]):
                continue
            x, y, z = r_km[i, b, 0], r_km[i, b, 1], r_km[i, b, 2]
            rr = x * x + y * y + z * z
            u = MU_KM3S2 / (rr * math.sqrt(rr))
            rv = (x * v_kms[i, b, 0] + y * v_kms[i, b, 1] + z * v_kms[i, b, 2]) / rr
            ax, ay, az = _j2_acc(x, y, z)
            acc_m = (ax, ay, az)
            ev2 = 0.0
            ea2 = 0.0
            for k in range(3):
                jerk = -u * (v_kms[i, b, k] - 3.0 * rv * r_km[i, b, k])
                dr = (r_km[i, c, k] - r_km[i, a, k]) / (2.0 * h_s) - h_s * h_s * jerk / 6.0
                ev2 += (dr - v_kms[i, b, k]) ** 2
                d2r = (r_km[i, c, k] - 2.0 * r_km[i, b, k] + r_km[i, a, k]) / (h_s * h_s)
                ea2 += (d2r - acc_m[k]) ** 2
            dv[i] = max(dv[i], math.sqrt(ev2))
            da[i] = max(da[i], math.sqrt(ea2))
        if dv[i] < 0.0:
            dv[i] = DV_FALLBACK_KMS
            da[i] = DA_FALLBACK_KMS2


@njit(cache=True, nogil=True)
def grow(arr, need):
    """Return arr, or a copy with at least `need` rows (doubling)."""
    if need <= arr.shape[0]:
        return arr
    cap = max(need, 2 * arr.shape[0])
    out = np.empty((cap,) + arr.shape[1:], arr.dtype)  # noqa: RUF005 (numba)
    out[: arr.shape[0]] = arr
    return out


# ----------------------------------------------------------------------------------------------- step geometry


@njit(cache=True, nogil=True)
def hermite_weights(nsub):
    """Cubic Hermite basis (h00, h10, h01, h11) at the nsub + 1 sub-interval ends of one SGP4 step."""
    w = np.empty((nsub + 1, 4))
    for s in range(nsub + 1):
        t = s / nsub
        w[s, 0] = 2 * t**3 - 3 * t**2 + 1
        w[s, 1] = t**3 - 2 * t**2 + t
        w[s, 2] = -2 * t**3 + 3 * t**2
        w[s, 3] = t**3 - t**2
    return w


@njit(cache=True, nogil=True, inline="always")
def _sub_points(r_km, v_kms, c, i, coarse_s, w, pts, rad, stamp, row):
    """Hermite positions (km) and radii of object i at the sub-interval ends of step c into pts[row], rad[row].

    Cached: nothing is done when stamp[i] == c already.
    """
    if stamp[i] == c:
        return
    stamp[i] = c
    ns = w.shape[0]
    for s in range(ns):
        for a in range(3):
            pts[row, s, a] = (w[s, 0] * r_km[c, i, a] + w[s, 1] * coarse_s * v_kms[c, i, a]
                              + w[s, 2] * r_km[c + 1, i, a] + w[s, 3] * coarse_s * v_kms[c + 1, i, a])
        rad[row, s] = math.sqrt(pts[row, s, 0] ** 2 + pts[row, s, 1] ** 2 + pts[row, s, 2] ** 2)


@njit(cache=True, nogil=True, inline="always")
def _chord_test(pts, row_i, row_j, i, j, s, eps, chord, threshold_km):
    """Chord test of objects i and j (Hermite points in pts rows row_i, row_j) in sub-interval s: their chords come
    within threshold + eps_i + eps_j + chord_i + chord_j (docs/screening.md, chord test)."""
    return _chord_close(pts, row_i, row_j, s, threshold_km + eps[i] + eps[j] + chord[i] + chord[j])


@njit(cache=True, nogil=True, inline="always")
def _chord_close(pts, i, j, s, limit_km):
    """Whether the sub-interval s chords of i and j (same parameter) come within limit_km of each other."""
    d0x = pts[j, s, 0] - pts[i, s, 0]
    d0y = pts[j, s, 1] - pts[i, s, 1]
    d0z = pts[j, s, 2] - pts[i, s, 2]
    return segment_dist2(d0x, d0y, d0z, pts[j, s + 1, 0] - pts[i, s + 1, 0] - d0x,
                          pts[j, s + 1, 1] - pts[i, s + 1, 1] - d0y,
                          pts[j, s + 1, 2] - pts[i, s + 1, 2] - d0z) <= limit_km * limit_km


@njit(cache=True, nogil=True, inline="always")
def segment_dist2(d0x, d0y, d0z, ddx, ddy, ddz):
    """Squared distance (km^2) from the origin to the segment d0 + u dd, 0 <= u <= 1."""
    dd2 = ddx * ddx + ddy * ddy + ddz * ddz
    u = 0.0
    if dd2 > 0.0:
        u = min(max(-(d0x * ddx + d0y * ddy + d0z * ddz) / dd2, 0.0), 1.0)
    x = d0x + u * ddx
    y = d0y + u * ddy
    z = d0z + u * ddz
    return x * x + y * y + z * z


# ----------------------------------------------------------------------------------------------- broad phase


@njit(cache=True, nogil=True)
def broad_phase(r_km, v_kms, ok, coarse_s, nsub, c_lo, c_hi, k_stop, eps, chord, rhodev, threshold_km,
                cell_km, rcell_km, k_offset):
    """All-vs-all candidates (i, j, k), i < j, whose bounded paths may come within threshold in sub-interval k.

    Per sub-interval of the SGP4 steps c_lo..c_hi - 1: each object's padded box (x, y, z, radius) around its
    Hermite chord goes into a 4-D hash grid; a pair is examined once, in the cell of the low corner of its
    boxes' intersection, then by the chord test. r_km, v_kms: (m, n, 3) time-major samples of the block;
    ok: (m, n); k counts sub-intervals from the block start (k < k_stop), k_offset is added to the output.
    """
    n = ok.shape[1]
    lo = np.empty((n, 4))
    hi = np.empty((n, 4))
    cell = np.empty((n, 8), np.int64)  # first and last cell index per dimension
    live = np.zeros(n, np.bool_)
    wide = np.empty(n, np.int64)
    w = hermite_weights(nsub)
    pts = np.empty((n, nsub + 1, 3))
    rad = np.empty((n, nsub + 1))
    stamp = np.full(n, -1, np.int64)
    grid = _grid_alloc(8 * n)
    out = np.empty((1024, 3), np.int64)
    nout = 0
    half = 0.5 * threshold_km
    for c in range(c_lo, c_hi):
        for i in range(n):
            live[i] = ok[c, i] and ok[c + 1, i]
            if live[i]:
                _sub_points(r_km, v_kms, c, i, coarse_s, w, pts, rad, stamp, i)
        for s in range(nsub):
            k = c * nsub + s
            if k >= k_stop:
                break
            nw = 0
            total = 0
            for i in range(n):
                if not live[i]:
                    continue
                _sub_box(pts, rad, i, s, eps[i] + chord[i] + half, eps[i] + rhodev[i] + half, lo, hi)
                m = _cells(lo, hi, i, cell_km, rcell_km, cell)
                if m > MAX_ENTRIES:
                    wide[nw] = i
                    nw += 1
                else:
                    total += int(m)
            if total > grid[0].shape[0]:
                grid = _grid_alloc(2 * total)
            ne = 0
            for i in range(n):
                if live[i] and _cell_count(cell, i) <= MAX_ENTRIES:
                    ne = _insert(grid, cell, i, ne)
            _grid_sort(grid, ne, lo, hi, cell)
            out, nout = _grid_pairs(grid, ne, pts, eps, chord, threshold_km, s, k + k_offset, out, nout)
            for q in range(nw):
                out, nout = _wide_pairs(wide[q], wide, q, nw, live, n, lo, hi, cell, grid, pts, eps, chord,
                                        threshold_km, s, k + k_offset, out, nout)
    return out[:nout]


CELL_LIMIT = 30000  # cell indices are clamped to +-CELL_LIMIT so that packed keys stay unique (16 bits each)


@njit(cache=True, nogil=True, inline="always")
def _cidx(x, size):
    """Cell index of coordinate x (km) for cells of `size` km, clamped to +-CELL_LIMIT."""
    return min(max(math.floor(x / size), -CELL_LIMIT), CELL_LIMIT)


@njit(cache=True, nogil=True, inline="always")
def _pack(cx, cy, cz, cr):
    """One int64 key of a 4-D cell (16 bits per clamped index)."""
    return (((cx + 32768) << 48) | ((cy + 32768) << 32) | ((cz + 32768) << 16) | (cr + 32768))


@njit(cache=True, nogil=True)
def _cells(lo, hi, i, cell_km, rcell_km, cell):
    """First/last cell per dimension of object i's box into cell[i]; returns the number of cells."""
    total = 1.0
    for a in range(4):
        size = cell_km if a < 3 else rcell_km
        cell[i, a] = _cidx(lo[i, a], size)
        cell[i, 4 + a] = _cidx(hi[i, a], size)
        total *= cell[i, 4 + a] - cell[i, a] + 1.0
    return total


@njit(cache=True, nogil=True, inline="always")
def _cell_count(cell, i):
    """Number of 4-D cells of object i's box (float: wide boxes would overflow int64)."""
    total = 1.0
    for a in range(4):
        total *= cell[i, 4 + a] - cell[i, a] + 1.0
    return total


@njit(cache=True, nogil=True)
def _grid_alloc(cap):
    """Arrays of a hash grid with room for cap entries.

    (obj, key, bucket) per entry as inserted; counts per bucket; then, sorted by bucket, per entry: obj, key,
    the object's radius interval, its packed low corner cell and its x, y, z box (lo, lo, lo, hi, hi, hi), so that
    the pair loop reads only contiguous entry data until the chord test.
    """
    nb = 1
    while nb < cap // 2:
        nb *= 2
    return (np.empty(cap, np.int64), np.empty(cap, np.int64), np.empty(cap, np.int64), np.zeros(nb + 1, np.int64),
            np.empty(cap, np.int64), np.empty(cap, np.int64), np.empty(cap), np.empty(cap), np.empty(cap, np.int64),
            np.empty((cap, 6)))


@njit(cache=True, nogil=True, inline="always")
def _hash(key, mask):
    """Bucket of a packed cell key."""
    h = key ^ (key >> 29)
    h = h * 0x5BD1E995
    return (h ^ (h >> 32)) & mask


@njit(cache=True, nogil=True)
def _insert(grid, cell, i, ne):
    """Append one entry per 4-D cell of object i's box; returns the new entry count."""
    ent_obj, ent_key, ent_h, counts = grid[0], grid[1], grid[2], grid[3]
    mask = counts.shape[0] - 2
    for cx in range(cell[i, 0], cell[i, 4] + 1):
        for cy in range(cell[i, 1], cell[i, 5] + 1):
            for cz in range(cell[i, 2], cell[i, 6] + 1):
                for cr in range(cell[i, 3], cell[i, 7] + 1):
                    key = _pack(cx, cy, cz, cr)
                    ent_obj[ne] = i
                    ent_key[ne] = key
                    ent_h[ne] = _hash(key, mask)
                    ne += 1
    return ne


@njit(cache=True, nogil=True)
def _grid_sort(grid, ne, lo, hi, cell):
    """Counting sort of the ne entries by bucket, copying each object's box data into its entries (entries of
    one object are consecutive, so its data is read once); counts[b] becomes the end of bucket b."""
    ent_obj, ent_key, ent_h, counts, sobj, skey, slo, shi, slow, sbox = grid
    nb = counts.shape[0] - 1
    counts[:] = 0
    for e in range(ne):
        counts[ent_h[e] + 1] += 1
    for b in range(nb):
        counts[b + 1] += counts[b]
    for e in range(ne):
        h = ent_h[e]
        x = counts[h]
        i = ent_obj[e]
        sobj[x] = i
        skey[x] = ent_key[e]
        slo[x] = lo[i, 3]
        shi[x] = hi[i, 3]
        slow[x] = _pack(cell[i, 0], cell[i, 1], cell[i, 2], cell[i, 3])
        for a in range(3):
            sbox[x, a] = lo[i, a]
            sbox[x, 3 + a] = hi[i, a]
        counts[h] += 1


@njit(cache=True, nogil=True, inline="always")
def _owner_packed(low_i, low_j):
    """Packed key of the low corner of two boxes' intersection, from their packed low corners (field-wise max)."""
    out = 0
    for f in range(4):
        sh = 16 * f
        out |= max((low_i >> sh) & 0xFFFF, (low_j >> sh) & 0xFFFF) << sh
    return out


@njit(cache=True, nogil=True, inline="always")
def _owner_cell(cell, key, i, j):
    """Whether cell `key` holds the low corner of the two boxes' intersection (reports each pair once)."""
    return key == _pack(max(cell[i, 0], cell[j, 0]), max(cell[i, 1], cell[j, 1]), max(cell[i, 2], cell[j, 2]),
                        max(cell[i, 3], cell[j, 3]))


@njit(cache=True, nogil=True, inline="always")
def _sub_box(pts, rad, i, s, pad, rpad, lo, hi):
    """Box (x, y, z, radius) of object i over sub-interval s: hull of its Hermite end points, padded (km)."""
    for a in range(3):
        lo[i, a] = min(pts[i, s, a], pts[i, s + 1, a]) - pad
        hi[i, a] = max(pts[i, s, a], pts[i, s + 1, a]) + pad
    lo[i, 3] = min(rad[i, s], rad[i, s + 1]) - rpad
    hi[i, 3] = max(rad[i, s], rad[i, s + 1]) + rpad


@njit(cache=True, nogil=True, inline="always")
def _sub_pair(i, j, lo, hi, pts, eps, chord, threshold_km, s):
    """Box and chord tests of pair (i, j) in sub-interval s."""
    return boxes_meet(lo, hi, i, j) and _chord_test(pts, i, j, i, j, s, eps, chord, threshold_km)


@njit(cache=True, nogil=True)
def _grid_pairs(grid, ne, pts, eps, chord, threshold_km, s, k, out, nout):
    """Emit (i, j, k) for pairs examined in their owner cell whose boxes meet and chords pass."""
    counts, sobj, skey, slo, shi, slow, sbox = grid[3], grid[4], grid[5], grid[6], grid[7], grid[8], grid[9]
    nb = counts.shape[0] - 1
    start = 0
    for b in range(nb):
        end = counts[b]
        for x in range(start, end - 1):
            kx = skey[x]
            rl = slo[x]
            rh = shi[x]
            lowx = slow[x]
            x0, y0, z0, x1, y1, z1 = sbox[x, 0], sbox[x, 1], sbox[x, 2], sbox[x, 3], sbox[x, 4], sbox[x, 5]
            for y in range(x + 1, end):
                if skey[y] != kx or slo[y] > rh or rl > shi[y]:
                    continue
                if _owner_packed(lowx, slow[y]) != kx:
                    continue
                if (sbox[y, 0] > x1 or x0 > sbox[y, 3] or sbox[y, 1] > y1 or y0 > sbox[y, 4] or sbox[y, 2] > z1
                        or z0 > sbox[y, 5]):
                    continue
                i = sobj[x]
                j = sobj[y]
                if _chord_test(pts, i, j, i, j, s, eps, chord, threshold_km):
                    out, nout = emit_pair(out, nout, i, j, k)
        start = end
    return out, nout


@njit(cache=True, nogil=True)
def _wide_pairs(i, wide, q, nw, live, n, lo, hi, cell, grid, pts, eps, chord, threshold_km, s, k, out, nout):
    """Candidates of wide object i: grid query (or every object) plus the wide objects after it."""
    for u in range(q + 1, nw):
        j = wide[u]
        if _sub_pair(i, j, lo, hi, pts, eps, chord, threshold_km, s):
            out, nout = emit_pair(out, nout, i, j, k)
    if _cell_count(cell, i) > MAX_QUERY:
        for j in range(n):
            if live[j] and j != i and _cell_count(cell, j) <= MAX_ENTRIES:
                if _sub_pair(i, j, lo, hi, pts, eps, chord, threshold_km, s):
                    out, nout = emit_pair(out, nout, i, j, k)
        return out, nout
    counts, sobj, skey = grid[3], grid[4], grid[5]
    mask = counts.shape[0] - 2
    for cx in range(cell[i, 0], cell[i, 4] + 1):
        for cy in range(cell[i, 1], cell[i, 5] + 1):
            for cz in range(cell[i, 2], cell[i, 6] + 1):
                for cr in range(cell[i, 3], cell[i, 7] + 1):
                    key = _pack(cx, cy, cz, cr)
                    b = _hash(key, mask)
                    start = counts[b - 1] if b > 0 else 0
                    for e in range(start, counts[b]):
                        j = sobj[e]
                        if skey[e] == key and _owner_cell(cell, key, i, j):
                            if _sub_pair(i, j, lo, hi, pts, eps, chord, threshold_km, s):
                                out, nout = emit_pair(out, nout, i, j, k)
    return out, nout


MAX_ENTRIES = 32  # cells above which an object's box is handled as "wide" (queries instead of inserts)
MAX_QUERY = 4096  # cells above which a wide object is tested against every object directly


@njit(cache=True, nogil=True)
def emit_pair(out, nout, i, j, k):
    """Append candidate (min(i, j), max(i, j), k), growing the buffer."""
    if nout == out.shape[0]:
        out = grow(out, nout + 1)
    out[nout, 0] = min(i, j)
    out[nout, 1] = max(i, j)
    out[nout, 2] = k
    return out, nout + 1


@njit(cache=True, nogil=True, inline="always")
def boxes_meet(lo, hi, i, j):
    """Whether the padded boxes (x, y, z, radius) of objects i and j overlap (radius tested first)."""
    for b in range(4):
        a = 3 - b
        if lo[i, a] > hi[j, a] or lo[j, a] > hi[i, a]:
            return False
    return True
