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
from orbitshare.constants import WGS72_J2, WGS72_MU_KM3S2, WGS72_RE_KM

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
def _grow(arr, need):
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
    return _segment_dist2(d0x, d0y, d0z, pts[j, s + 1, 0] - pts[i, s + 1, 0] - d0x,
                          pts[j, s + 1, 1] - pts[i, s + 1, 1] - d0y,
                          pts[j, s + 1, 2] - pts[i, s + 1, 2] - d0z) <= limit_km * limit_km


@njit(cache=True, nogil=True, inline="always")
def _segment_dist2(d0x, d0y, d0z, ddx, ddy, ddz):
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
    return _boxes_meet(lo, hi, i, j) and _chord_test(pts, i, j, i, j, s, eps, chord, threshold_km)


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
                    out, nout = _emit(out, nout, i, j, k)
        start = end
    return out, nout


@njit(cache=True, nogil=True)
def _wide_pairs(i, wide, q, nw, live, n, lo, hi, cell, grid, pts, eps, chord, threshold_km, s, k, out, nout):
    """Candidates of wide object i: grid query (or every object) plus the wide objects after it."""
    for u in range(q + 1, nw):
        j = wide[u]
        if _sub_pair(i, j, lo, hi, pts, eps, chord, threshold_km, s):
            out, nout = _emit(out, nout, i, j, k)
    if _cell_count(cell, i) > MAX_QUERY:
        for j in range(n):
            if live[j] and j != i and _cell_count(cell, j) <= MAX_ENTRIES:
                if _sub_pair(i, j, lo, hi, pts, eps, chord, threshold_km, s):
                    out, nout = _emit(out, nout, i, j, k)
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
                                out, nout = _emit(out, nout, i, j, k)
    return out, nout


SEG_SUBS = 5  # sub-intervals per segment of the primaries-mode hierarchy (relative segment hulls, then chords)


# ----------------------------------------------------------------------------------- quintic step interpolant
# Primaries mode interpolates each object over an SGP4 step of T seconds by the quintic Hermite polynomial P(s),
# s in [0, 1], matching the SGP4 positions and velocities and the J2 model accelerations at both ends
# (docs/screening.md, "quintic error"). P is kept per axis in the power basis k0 + k1 s + ... + k5 s^5 (km).


@njit(cache=True, nogil=True, inline="always")
def _hermite5(r0, v0, a0, r1, v1, a1):
    """Power-basis coefficients k0..k5 of the quintic on [0, 1] with value, first and second derivative r0, v0, a0
    at 0 and r1, v1, a1 at 1 (derivatives per unit parameter)."""
    d = r1 - r0
    return (r0, v0, 0.5 * a0, 10.0 * d - 6.0 * v0 - 4.0 * v1 - 1.5 * a0 + 0.5 * a1,
            -15.0 * d + 8.0 * v0 + 7.0 * v1 + 1.5 * a0 - a1, 6.0 * d - 3.0 * v0 - 3.0 * v1 - 0.5 * a0 + 0.5 * a1)


@njit(cache=True, nogil=True, inline="always")
def _q_coefs(r_km, v_kms, acc, c, i, a, coarse_s):
    """Power-basis coefficients (km) of object i's quintic over step c along axis a."""
    return _hermite5(r_km[c, i, a], coarse_s * v_kms[c, i, a], coarse_s * coarse_s * acc[c, i, a],
                     r_km[c + 1, i, a], coarse_s * v_kms[c + 1, i, a], coarse_s * coarse_s * acc[c + 1, i, a])


@njit(cache=True, nogil=True, inline="always")
def _poly6(k0, k1, k2, k3, k4, k5, t):
    """Value and first and second derivatives at t of the quintic k0 + k1 t + ... + k5 t^5."""
    return (((((k5 * t + k4) * t + k3) * t + k2) * t + k1) * t + k0,
            (((5.0 * k5 * t + 4.0 * k4) * t + 3.0 * k3) * t + 2.0 * k2) * t + k1,
            ((20.0 * k5 * t + 12.0 * k4) * t + 6.0 * k3) * t + 2.0 * k2)


@njit(cache=True, nogil=True, inline="always")
def _q_hull(pa, da, dda, pb, db, ddb, h, pad):
    """(low, high) of the Bezier control values of a quintic piece of parameter length h from its value and
    derivatives at both ends, padded: the piece lies between them."""
    q1 = pa + h * da / 5.0
    q2 = pa + 2.0 * h * da / 5.0 + h * h * dda / 20.0
    q3 = pb - 2.0 * h * db / 5.0 + h * h * ddb / 20.0
    q4 = pb - h * db / 5.0
    return (min(min(min(pa, q1), min(q2, q3)), min(q4, pb)) - pad,
            max(max(max(pa, q1), max(q2, q3)), max(q4, pb)) + pad)


@njit(cache=True, nogil=True, inline="always")
def _rel_piece_meet(ends, i, p, part, h, nx, ny, nz, pad):
    """Whether the path of object i relative to object p over piece `part` (parameter length h) can come within
    pad of the origin: the relative quintic's Bezier hull, on x, y, z and on unit vector n, holds a value within
    pad of zero on every axis (time-synchronised: both paths at the same instant)."""
    z0, z1, z2, z3, z4, z5 = 0.0, 0.0, 0.0, 0.0, 0.0, 0.0  # relative value, d, dd along n at both piece ends
    for a, n_a in ((0, nx), (1, ny), (2, nz)):
        da0 = ends[i, part, a, 0] - ends[p, part, a, 0]
        da1 = ends[i, part, a, 1] - ends[p, part, a, 1]
        da2 = ends[i, part, a, 2] - ends[p, part, a, 2]
        db0 = ends[i, part + 1, a, 0] - ends[p, part + 1, a, 0]
        db1 = ends[i, part + 1, a, 1] - ends[p, part + 1, a, 1]
        db2 = ends[i, part + 1, a, 2] - ends[p, part + 1, a, 2]
        lo, hi = _q_hull(da0, da1, da2, db0, db1, db2, h, pad)
        if lo > 0.0 or hi < 0.0:
            return False
        z0 += da0 * n_a
        z1 += da1 * n_a
        z2 += da2 * n_a
        z3 += db0 * n_a
        z4 += db1 * n_a
        z5 += db2 * n_a
    lo, hi = _q_hull(z0, z1, z2, z3, z4, z5, h, pad)
    return lo <= 0.0 and hi >= 0.0


@njit(cache=True, nogil=True, inline="always")
def _rel_seg_mask(ends, i, p, rc, g0, g1, nsub, pad):
    """Bit g (g0 <= g < g1) set when the relative quintic P_i - P_p (coefficients written to rc, from the step-end
    data in ends) over segment g has a Bezier hull holding a value within pad of zero on x, y and z."""
    last = ends.shape[1] - 1
    for a in range(3):
        rc[a, 0], rc[a, 1], rc[a, 2], rc[a, 3], rc[a, 4], rc[a, 5] = _hermite5(
            ends[i, 0, a, 0] - ends[p, 0, a, 0], ends[i, 0, a, 1] - ends[p, 0, a, 1],
            ends[i, 0, a, 2] - ends[p, 0, a, 2], ends[i, last, a, 0] - ends[p, last, a, 0],
            ends[i, last, a, 1] - ends[p, last, a, 1], ends[i, last, a, 2] - ends[p, last, a, 2])
    mask = 0
    ta = g0 * SEG_SUBS / nsub
    ax, dx, ddx = _poly_eval(rc, 0, ta)
    ay, dy, ddy = _poly_eval(rc, 1, ta)
    az, dz, ddz = _poly_eval(rc, 2, ta)
    for g in range(g0, g1):
        tb = min((g + 1) * SEG_SUBS, nsub) / nsub
        h = tb - ta
        bx, ex, eex = _poly_eval(rc, 0, tb)
        by, ey, eey = _poly_eval(rc, 1, tb)
        bz, ez, eez = _poly_eval(rc, 2, tb)
        lx, hx = _q_hull(ax, dx, ddx, bx, ex, eex, h, pad)
        ly, hy = _q_hull(ay, dy, ddy, by, ey, eey, h, pad)
        lz, hz = _q_hull(az, dz, ddz, bz, ez, eez, h, pad)
        meet = (lx <= 0.0) & (hx >= 0.0) & (ly <= 0.0) & (hy >= 0.0) & (lz <= 0.0) & (hz >= 0.0)
        mask |= np.int64(meet) << g
        ax, ay, az, dx, dy, dz, ddx, ddy, ddz = bx, by, bz, ex, ey, ez, eex, eey, eez
        ta = tb
    return mask


@njit(cache=True, nogil=True, inline="always")
def _rel_chord_close(rp, q, limit_km):
    """Whether the chord from relative point rp[q] to rp[q + 1] (km) comes within limit_km of the origin."""
    return _segment_dist2(rp[q, 0], rp[q, 1], rp[q, 2], rp[q + 1, 0] - rp[q, 0], rp[q + 1, 1] - rp[q, 1],
                          rp[q + 1, 2] - rp[q, 2]) <= limit_km * limit_km


#: Width classes (km) of piece radius intervals: objects are sorted by (class, low radius end) so that a primary
#: scans, per class, only the objects whose low end lies within the class width below its own interval; objects
#: wider than the last class are scanned by every primary.
WIDTH_CLASSES_KM = (50.0, 150.0, 600.0, 2500.0)
RADIUS_BUCKET_KM = 20.0  # radius bucket of the per-piece counting sort (widened for very spread catalogs)


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def primary_phase(r_km, v_kms, ok, coarse_s, nsub, c_lo, c_hi, k_stop, eps, chord, rhodev, threshold_km,
                  prim, k_offset, acc, primary_pairs, parts):
    """Primaries-mode candidates (i, j, k), i < j, one of them in `prim` (screened-object indices).

    Each SGP4 step is scanned in `parts` equal pieces. Per piece every object gets a box: radius from the SGP4
    radii at the step ends and the quintic's in between (docs/screening.md, "piece radius"), x, y, z from the
    hull of its quintic piece. Objects are counting-sorted by (width class of their radius interval, its low
    end) so each primary scans, per class, only the run of objects whose radius can meet its own (the few wider
    than the last class: all of them) with a branch-free box test. Survivors are then tested on the path
    relative to the primary (time-synchronised): the relative quintic's hull over the piece (x, y, z and the
    primary's orbit normal), over each segment, then the relative chord of each sub-interval of a meeting
    segment. acc: J2 model accelerations at the samples; primary_pairs: also pairs of two primaries; eps: error
    bounds per step and object (:func:`step_eps`). Other arguments as :func:`broad_phase`.
    """
    n = ok.shape[1]
    nseg = (nsub + SEG_SUBS - 1) // SEG_SUBS
    c_end = min(c_hi, (k_stop + nsub - 1) // nsub)
    half = 0.5 * threshold_km
    clo = np.empty(n)
    chi = np.empty(n)
    objs = np.empty(n, np.int64)
    box = np.empty((8, n))  # rows: x, y, z, radius low ends, then high ends; column q is object objs[q]
    ends = np.empty((n, parts + 1, 3, 3))  # ... their value, first and second derivative at the piece ends
    g_end = np.array([b * nseg // parts for b in range(parts + 1)])  # first segment of each piece (and the end)
    t_end = np.minimum(g_end * SEG_SUBS, nsub) / nsub
    live = np.zeros(n, np.bool_)
    rho_a = np.empty(n)  # SGP4 radii at the ends of the current step
    rho_b = np.empty(n)
    where = np.empty(n, np.int64)  # column of each object in box (this piece)
    rc = np.empty((3, 6))  # relative quintic of the pair under test
    rp = np.empty((SEG_SUBS + 1, 3))  # ... its values at the sub-interval ends of one segment
    is_prim = np.zeros(n, np.bool_)
    is_prim[prim] = True
    hits = np.empty(n, np.int64)
    starts = np.zeros(2, np.int64)
    ncls = len(WIDTH_CLASSES_KM)
    out = np.empty((1024, 3), np.int64)
    nout = 0
    for c in range(c_lo, c_end):
        for i in range(n):
            live[i] = ok[c, i] and ok[c + 1, i]
            if live[i]:
                rho_a[i] = math.sqrt(r_km[c, i, 0] ** 2 + r_km[c, i, 1] ** 2 + r_km[c, i, 2] ** 2)
                rho_b[i] = math.sqrt(r_km[c + 1, i, 0] ** 2 + r_km[c + 1, i, 1] ** 2 + r_km[c + 1, i, 2] ** 2)
                for a in range(3):  # the quintic's coefficients (kept only here: pairs rebuild theirs from ends)
                    k0, k1, k2, k3, k4, k5 = _q_coefs(r_km, v_kms, acc, c, i, a, coarse_s)
                    ends[i, 0, a, 0], ends[i, 0, a, 1], ends[i, 0, a, 2] = k0, k1, 2.0 * k2
                    ends[i, parts, a, 0] = r_km[c + 1, i, a]  # the step end: SGP4's state, J2 acceleration
                    ends[i, parts, a, 1] = coarse_s * v_kms[c + 1, i, a]
                    ends[i, parts, a, 2] = coarse_s * coarse_s * acc[c + 1, i, a]
                    for b in range(1, parts):
                        ends[i, b, a, 0], ends[i, b, a, 1], ends[i, b, a, 2] = _poly6(k0, k1, k2, k3, k4, k5, t_end[b])
        for part in range(parts):
            g0, g1 = g_end[part], g_end[part + 1]
            if g1 == g0:
                continue
            h_piece = t_end[part + 1] - t_end[part]
            _piece_radii(ends, live, rho_a, rho_b, part, parts, h_piece * nsub, nsub, eps[c], rhodev, half, clo,
                         chi)
            nall, base, size, nb, starts = _bucket_sort(clo, chi, objs, starts)
            for q in range(nall):
                _piece_box(ends, objs[q], part, h_piece, eps[c, objs[q]] + half, clo, chi, box, q)
                where[objs[q]] = q
            for p in prim:
                if not live[p]:
                    continue
                w = where[p]
                bx0, by0, bz0, br0 = box[0, w], box[1, w], box[2, w], box[3, w]
                bx1, by1, bz1, br1 = box[4, w], box[5, w], box[6, w], box[7, w]
                # objects of class cl that can meet [br0, br1]: low radius end in [br0 - width_cl, br1]
                b_hi = min(max(math.floor((br1 - base) / size) + 1, 0), nb)
                nh = 0
                for cl in range(ncls):
                    b_lo = min(max(math.floor((br0 - WIDTH_CLASSES_KM[cl] - base) / size), 0), nb)
                    nh = _box_scan(box, starts[cl * nb + b_lo], starts[cl * nb + b_hi], bx0, by0, bz0, br0,
                                   bx1, by1, bz1, br1, hits, nh)
                nh = _box_scan(box, starts[ncls * nb], nall, bx0, by0, bz0, br0, bx1, by1, bz1, br1, hits, nh)
                nx, ny, nz = _unit_normal(r_km, v_kms, c, p)
                for h in range(nh):
                    i = objs[hits[h]]
                    if i == p or (is_prim[i] and (i < p or not primary_pairs)):
                        continue
                    pad = eps[c, i] + eps[c, p] + threshold_km  # the paths are within eps of their quintics
                    if not _rel_piece_meet(ends, i, p, part, h_piece, nx, ny, nz, pad):
                        continue
                    mask = _rel_seg_mask(ends, i, p, rc, g0, g1, nsub, pad)
                    if mask == 0:
                        continue
                    limit = pad + chord[i] + chord[p]  # the paths are within chord of their sub-interval chords
                    for g in range(g0, g1):
                        if not (mask >> g) & 1:
                            continue
                        s0 = g * SEG_SUBS
                        s1 = min(s0 + SEG_SUBS, nsub)
                        for s in range(s0, s1 + 1):
                            t = s / nsub
                            rp[s - s0, 0] = _poly_eval(rc, 0, t)[0]
                            rp[s - s0, 1] = _poly_eval(rc, 1, t)[0]
                            rp[s - s0, 2] = _poly_eval(rc, 2, t)[0]
                        for s in range(s0, s1):
                            k = c * nsub + s
                            if k < k_stop and _rel_chord_close(rp, s - s0, limit):
                                out, nout = _emit(out, nout, p, i, k + k_offset)
    return out[:nout]


@njit(cache=True, nogil=True, inline="always")
def _poly_eval(k, a, t):
    """Value and first and second derivatives (per unit parameter) at t of the quintic k[a] (power basis)."""
    return _poly6(k[a, 0], k[a, 1], k[a, 2], k[a, 3], k[a, 4], k[a, 5], t)


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def _piece_radii(ends, live, rho_a, rho_b, part, parts, m, nsub, eps, rhodev, half, clo, chi):
    """Radius interval [clo, chi] (km) of every object over piece `part` (m sub-intervals) of a step (nsub
    sub-intervals) whose SGP4 end radii are rho_a, rho_b; dead objects get an empty interval (inf, -inf). eps:
    error bounds of this step.

    The radius at a piece end is SGP4's at a step end, else the quintic's (within eps); the true radius stays
    within rhodev(piece) = m^2 rhodev(sub) of the chord of its end radii, and within rhodev(step) of the chord
    of the SGP4 radii at the step ends (docs/screening.md, "piece radius"); padded by half the threshold.
    """
    for i in range(live.shape[0]):
        if not live[i]:
            clo[i] = math.inf
            chi[i] = -math.inf
            continue
        ra, rb = rho_a[i], rho_b[i]
        lo_r = math.inf
        hi_r = -math.inf
        for b in (part, part + 1):
            if b == 0 or b == parts:
                rr = ra if b == 0 else rb
                lo_r, hi_r = min(lo_r, rr), max(hi_r, rr)
            else:
                rr = math.sqrt(ends[i, b, 0, 0] ** 2 + ends[i, b, 1, 0] ** 2 + ends[i, b, 2, 0] ** 2)
                lo_r, hi_r = min(lo_r, rr - eps[i]), max(hi_r, rr + eps[i])
        pad = rhodev[i] * m * m
        step_pad = rhodev[i] * nsub * nsub
        clo[i] = max(lo_r - pad, min(ra, rb) - step_pad) - half
        chi[i] = min(hi_r + pad, max(ra, rb) + step_pad) + half


@njit(cache=True, nogil=True, inline="always")
def _piece_box(ends, i, part, h, pad, clo, chi, box, q):
    """Column q of box: object i's quintic over piece `part` of parameter length h (hull of its control points,
    padded) and its radius interval."""
    for a in range(3):
        box[a, q], box[4 + a, q] = _q_hull(ends[i, part, a, 0], ends[i, part, a, 1], ends[i, part, a, 2],
                                           ends[i, part + 1, a, 0], ends[i, part + 1, a, 1],
                                           ends[i, part + 1, a, 2], h, pad)
    box[3, q] = clo[i]
    box[7, q] = chi[i]


@njit(cache=True, nogil=True, inline="always")
def _unit_normal(r_km, v_kms, c, p):
    """Unit vector along r x v of object p at SGP4 sample c (its osculating orbit normal)."""
    hx = r_km[c, p, 1] * v_kms[c, p, 2] - r_km[c, p, 2] * v_kms[c, p, 1]
    hy = r_km[c, p, 2] * v_kms[c, p, 0] - r_km[c, p, 0] * v_kms[c, p, 2]
    hz = r_km[c, p, 0] * v_kms[c, p, 1] - r_km[c, p, 1] * v_kms[c, p, 0]
    h = math.sqrt(hx * hx + hy * hy + hz * hz)
    if not h > 0.0:
        return 0.0, 0.0, 0.0  # degenerate: every extent is [-pad, pad], the test passes everything
    return hx / h, hy / h, hz / h


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def _bucket_sort(clo, chi, objs, starts):
    """Counting sort of the live objects into objs by (width class, bucket of clo); the widest last, unsorted.

    Returns (live count, bucket base km, bucket size km, buckets per class nb, starts) where class k bucket b
    holds objs[starts[k * nb + b]:starts[k * nb + b + 1]] and the widest objects start at starts[ncls * nb].
    """
    n = clo.shape[0]
    ncls = len(WIDTH_CLASSES_KM)
    base = math.inf
    top = -math.inf
    for i in range(n):
        if clo[i] <= chi[i]:  # live (dead: clo = inf > chi = -inf)
            base = min(base, clo[i])
            top = max(top, clo[i])
    if base > top:
        base, top = 0.0, 0.0
    size = max(RADIUS_BUCKET_KM, (top - base) / (n + 16.0))
    nb = int((top - base) / size) + 1
    nkeys = ncls * nb + 1
    if starts.shape[0] < nkeys + 1:
        starts = np.zeros(nkeys + 1, np.int64)
    cnt = starts[: nkeys + 1]
    cnt[:] = 0
    for i in range(n):
        if clo[i] <= chi[i]:
            cnt[_sort_key(clo[i], chi[i], base, size, nb) + 1] += 1
    for b in range(nkeys):
        cnt[b + 1] += cnt[b]
    nall = cnt[nkeys]
    for i in range(n):
        if clo[i] <= chi[i]:
            key = _sort_key(clo[i], chi[i], base, size, nb)
            objs[cnt[key]] = i
            cnt[key] += 1
    for b in range(nkeys, 0, -1):  # cnt[b] now holds the end of key b: shift back to starts
        cnt[b] = cnt[b - 1]
    cnt[0] = 0
    return nall, base, size, nb, cnt


@njit(cache=True, nogil=True, inline="always")
def _sort_key(lo_km, hi_km, base, size, nb):
    """Counting-sort key of a radius interval: width class * nb + bucket of its low end; widest: ncls * nb."""
    width = hi_km - lo_km
    for k in range(len(WIDTH_CLASSES_KM)):
        if width <= WIDTH_CLASSES_KM[k]:
            return k * nb + int((lo_km - base) / size)
    return len(WIDTH_CLASSES_KM) * nb


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def _box_scan(box, a, b, x0, y0, z0, r0, x1, y1, z1, r1, hits, nh):
    """Append to hits the columns q in [a, b) of box that overlap [x0, x1] x [y0, y1] x [z0, z1] x [r0, r1]."""
    for q in range(a, b):
        meet = ((box[3, q] <= r1) & (box[7, q] >= r0) & (box[0, q] <= x1) & (box[4, q] >= x0)
                & (box[1, q] <= y1) & (box[5, q] >= y0) & (box[2, q] <= z1) & (box[6, q] >= z0))
        hits[nh] = q
        nh += np.int64(meet)
    return nh


MAX_ENTRIES = 32  # cells above which an object's box is handled as "wide" (queries instead of inserts)
MAX_QUERY = 4096  # cells above which a wide object is tested against every object directly


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
def _boxes_meet(lo, hi, i, j):
    """Whether the padded boxes (x, y, z, radius) of objects i and j overlap (radius tested first)."""
    for b in range(4):
        a = 3 - b
        if lo[i, a] > hi[j, a] or lo[j, a] > hi[i, a]:
            return False
    return True


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
    return math.sqrt(_segment_dist2(d0x, d0y, d0z, sb[6] - sb[0] - d0x, sb[7] - sb[1] - d0y, sb[8] - sb[2] - d0z))
