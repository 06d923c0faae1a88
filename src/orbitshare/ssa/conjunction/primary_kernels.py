"""Numba kernels of primaries-mode screening: the quintic step interpolant and the segment/chord hierarchy that
finds candidate pairs with a primary (TEME, km, s; bounds in docs/screening.md)."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from orbitshare.ssa.conjunction.kernels import FASTMATH, emit_pair, segment_dist2

__all__ = ["RADIUS_BUCKET_KM", "SEG_SUBS", "WIDTH_CLASSES_KM", "primary_phase"]

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
    return segment_dist2(rp[q, 0], rp[q, 1], rp[q, 2], rp[q + 1, 0] - rp[q, 0], rp[q + 1, 1] - rp[q, 1],
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
                                out, nout = emit_pair(out, nout, p, i, k + k_offset)
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
