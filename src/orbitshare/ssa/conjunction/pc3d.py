"""3D probability of collision (Coppola 2012; Hall 2021 "3D-Nc"): collision rate integrated over the encounter.

Both objects' mean states are propagated with exact two-body motion about TCA and their 6x6 covariances with the
two-body state transition matrix (linear covariance propagation). At each time t the relative state
X = X2 - X1 is Gaussian (mean mu, covariance P = P1 + P2, no cross-correlation); the rate at which probability
enters the hard-body sphere of radius R is (Coppola 2012, eq. 20; Hall 2021, eq. 9)

    Ncdot(t) = R^2 Int_{|u|=1} p_r(R u) E[max(0, -u.v) | r = R u] dOmega,

with p_r the position density, v | r Gaussian (mean mu_v + P_vr P_rr^-1 (R u - mu_r), covariance
P_vv - P_vr P_rr^-1 P_rv) so E[max(0, w)] = m Phi(m/s) + s phi(m/s) for w ~ N(m, s^2). The sphere integral
uses a Gauss-Legendre (cos theta, pole on the thinnest covariance axis) x trapezoid (phi) product rule refined
until the peak rate converges; Nc = Int Ncdot dt on nodes bisected until each interval's trapezoid and Simpson
values agree; Pc3D = min(1, Nc) as in CARA's Pc3D_Hall.

Units: m, m/s, m^2 covariances (6x6 Cartesian, one inertial frame), seconds from TCA.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba as nb
import numpy as np
from scipy import integrate, special

from orbitshare.astro.twobody import GM_EGM96_M3S2, kepler_propagate_many, kepler_stm, orbit_period_s

__all__ = ["Pc3DResult", "conjunction_bounds_coppola", "encounter_time_limits", "ncdot", "pc_3d"]

FCLIP = 1e-4  # CARA: covariance eigenvalues clipped at (1e-4 HBR)^2
GAMMA = 1e-16  # CARA Pc3D_Hall default: fraction of the 1D time distribution outside Coppola's bounds


@dataclass(frozen=True)
class Pc3DResult:
    """3D Pc, expected number of collisions Nc, integration window (s from TCA) and the rate samples."""

    pc: float
    nc: float
    t_window_s: tuple[float, float]
    t_limits_s: tuple[float, float]
    times_s: np.ndarray
    ncdot_per_s: np.ndarray
    edge_fraction: float  # rate at the window edges / peak rate (large: mass may lie outside the window)
    nc_other_approaches: float = 0.0  # Nc of further approaches within t_limits_s left out of the main encounter


def conjunction_bounds_coppola(hbr_m: float, r_m, v_mps, cov_m2, gamma: float = GAMMA) -> tuple[float, float]:
    """Coppola (2012b) conjunction time bounds (s from TCA) for relative r (m), v (m/s), covariance (m^2).

    Port of CARA's conj_bounds_Coppola: the rectilinear encounter holds all but a fraction gamma of the
    probability between tau0 and tau1. Zero relative speed gives (-inf, inf).
    """
    r, v = np.asarray(r_m, float), np.asarray(v_mps, float)
    speed = float(np.linalg.norm(v))
    if speed < 100 * np.finfo(float).eps:
        return -np.inf, np.inf
    xhat = v / speed
    yhat = r - xhat * (xhat @ r)
    yhat = yhat / np.linalg.norm(yhat)
    rot = np.vstack([xhat, yhat, np.cross(xhat, yhat)])
    a = rot @ np.asarray(cov_m2, float)[:3, :3] @ rot.T
    re = rot @ r
    w, pc2 = a[1:, 0], a[1:, 1:]
    b = np.linalg.solve(pc2, w)
    sv2 = np.sqrt(max(0.0, 2.0 * (a[0, 0] - b @ w)))
    q0, btb = b @ re[1:], b @ b
    dmin, dmax = -hbr_m * np.sqrt(btb), hbr_m * np.sqrt(1.0 + btb)
    spread = special.erfcinv(gamma) * sv2
    return float((q0 - dmax - spread) / speed), float((q0 - dmin + spread) / speed)


def encounter_time_limits(x1, x2, gm_m3s2: float = GM_EGM96_M3S2) -> tuple[float, float]:
    """Times (s from TCA) of the maxima of |r2 - r1| that bracket TCA (CARA Pc3D_Hall), else +-half period."""
    p1, p2 = orbit_period_s(x1[:3], x1[3:], gm_m3s2), orbit_period_s(x2[:3], x2[3:], gm_m3s2)
    half = 0.5 * min(p1, p2)
    span = min(1.1 * max(p1, p2), 2.2 * min(p1, p2))
    if not np.isfinite(span):
        return -half, half
    ts = np.linspace(-span, span, 401)
    prop = kepler_propagate_many(np.vstack([x1, x2]), ts, gm_m3s2)
    d2 = np.sum((prop[1, :, :3] - prop[0, :, :3]) ** 2, axis=1)
    peaks = np.flatnonzero((d2[1:-1] > d2[:-2]) & (d2[1:-1] >= d2[2:])) + 1
    before, after = ts[peaks][ts[peaks] < 0], ts[peaks][ts[peaks] > 0]
    if before.size == 0 or after.size == 0:
        return -half, half
    return float(before.max()), float(after.min())


def _sphere_rule(n_theta: int, n_phi: int):
    """Unit vectors (n, 3) and weights (n,) of a product quadrature on the unit sphere (weights sum to 4 pi)."""
    x, wx = np.polynomial.legendre.leggauss(n_theta)
    phi = (np.arange(n_phi) + 0.5) * 2 * np.pi / n_phi
    st = np.sqrt(1.0 - x * x)
    u = np.stack([np.outer(st, np.cos(phi)), np.outer(st, np.sin(phi)), np.outer(x, np.ones(n_phi))], axis=-1)
    return u.reshape(-1, 3), np.outer(wx, np.full(n_phi, 2 * np.pi / n_phi)).ravel()


def _clip_eig(mat, floor):
    """Symmetric (m, 3, 3) matrices with eigenvalues clipped below floor: (inverse, log det)."""
    val, vec = np.linalg.eigh(0.5 * (mat + np.swapaxes(mat, 1, 2)))
    val = np.maximum(val, floor)
    inv = np.einsum("mij,mj,mkj->mik", vec, 1.0 / val, vec)
    return inv, np.sum(np.log(val), axis=1)


@nb.njit(cache=True, parallel=True)
def _flux_kernel(hbr, u, w, mu, prr_inv, logdet, gain, sig_v):
    """Sphere quadrature of the inward flux for each time: density(R u) * E[max(0, -u.v) | r = R u] * R^2."""
    n_t, n_u = mu.shape[0], u.shape[0]
    out = np.zeros(n_t)
    norm = 1.5 * math.log(2.0 * math.pi)
    for k in nb.prange(n_t):
        acc = 0.0
        for j in range(n_u):
            d0 = hbr * u[j, 0] - mu[k, 0]
            d1 = hbr * u[j, 1] - mu[k, 1]
            d2 = hbr * u[j, 2] - mu[k, 2]
            maha = 0.0
            m = 0.0
            s2 = 0.0
            for a in range(3):
                da = d0 * prr_inv[k, a, 0] + d1 * prr_inv[k, a, 1] + d2 * prr_inv[k, a, 2]
                maha += (d0, d1, d2)[a] * da
                nu = mu[k, 3 + a] + gain[k, a, 0] * d0 + gain[k, a, 1] * d1 + gain[k, a, 2] * d2
                m -= u[j, a] * nu
                s2 += u[j, a] * (sig_v[k, a, 0] * u[j, 0] + sig_v[k, a, 1] * u[j, 1] + sig_v[k, a, 2] * u[j, 2])
            expo = -0.5 * maha - 0.5 * logdet[k] - norm
            if expo < -745.0:
                continue
            if s2 > 0.0:
                s = math.sqrt(s2)
                z = m / s
                flux = m * 0.5 * math.erfc(-z / math.sqrt(2.0)) + s * math.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
            else:
                flux = max(m, 0.0)
            acc += w[j] * math.exp(expo) * flux
        out[k] = hbr * hbr * acc
    return out


def _relative_gaussians(times, x1, cov1, x2, cov2, hbr_m, gm_m3s2):
    """Relative mean (m, 6), P_rr^-1, log det P_rr, P_vr P_rr^-1 and conditional velocity covariance at times."""
    s1, phi1 = kepler_stm(x1, times, gm_m3s2)
    s2, phi2 = kepler_stm(x2, times, gm_m3s2)
    cov = phi1 @ np.asarray(cov1, float) @ np.swapaxes(phi1, 1, 2)
    cov = cov + phi2 @ np.asarray(cov2, float) @ np.swapaxes(phi2, 1, 2)
    prr_inv, logdet = _clip_eig(cov[:, :3, :3], (FCLIP * hbr_m) ** 2)
    gain = np.swapaxes(cov[:, :3, 3:], 1, 2) @ prr_inv  # P_vr P_rr^-1
    sig_v = cov[:, 3:, 3:] - gain @ cov[:, :3, 3:]
    return s2 - s1, prr_inv, logdet, gain, sig_v


def ncdot(times_s, x1, cov1, x2, cov2, hbr_m: float, gm_m3s2: float = GM_EGM96_M3S2,
          n_theta: int = 64, pole=None) -> np.ndarray:
    """Collision rate (1/s) at offsets times_s (s from TCA) for ECI states (m, m/s) and 6x6 covariances (m^2).

    The sphere rule has n_theta Gauss-Legendre nodes in cos(theta) about `pole` (a 3x3 rotation whose last
    row is the pole axis; default ECI z) and 2 n_theta azimuths.
    """
    times = np.atleast_1d(np.asarray(times_s, float))
    u, w = _sphere_rule(n_theta, 2 * n_theta)
    if pole is not None:
        u = u @ np.asarray(pole, float)
    parts = _relative_gaussians(times, x1, cov1, x2, cov2, hbr_m, gm_m3s2)
    return _flux_kernel(float(hbr_m), u, w, *(np.ascontiguousarray(p) for p in parts))


def _thin_axis_pole(t_s: float, x1, cov1, x2, cov2, gm_m3s2: float) -> np.ndarray:
    """Rotation (rows: eigenvectors of the relative position covariance at t_s, smallest last) used as the
    sphere rule's pole: the density varies fastest along the thinnest axis, which cos(theta) then resolves."""
    _, phi1 = kepler_stm(x1, [t_s], gm_m3s2)
    _, phi2 = kepler_stm(x2, [t_s], gm_m3s2)
    prr = (phi1[0] @ cov1 @ phi1[0].T + phi2[0] @ cov2 @ phi2[0].T)[:3, :3]
    _, vec = np.linalg.eigh(0.5 * (prr + prr.T))
    rot = vec[:, ::-1].T
    return rot if np.linalg.det(rot) > 0 else rot * np.array([[-1.0], [1.0], [1.0]])


def _sphere_resolution(func, t_peak: float, rtol: float = 1e-4) -> int:
    """Smallest n_theta in 32, 64, ..., 512 whose rate at t_peak agrees with the previous one to rtol."""
    previous = func(t_peak, 16)[0]
    n = 32
    while n < 512:
        value = func(t_peak, n)[0]
        if abs(value - previous) <= rtol * abs(value):
            return n
        previous, n = value, 2 * n
    return n


def pc_3d(r1_m, v1_mps, cov1, r2_m, v2_mps, cov2, hbr_m: float, t_limit_s: float | None = None,
          gm_m3s2: float = GM_EGM96_M3S2, n_grid: int = 101, rtol: float = 1e-5,
          max_levels: int = 30) -> Pc3DResult:
    """3D Pc from ECI states (m, m/s) and 6x6 covariances (m^2, m^2/s, m^2/s^2) at TCA, combined HBR (m).

    The window spans the |r2 - r1| maxima around TCA (or +-t_limit_s); the rate is sampled on n_grid points
    over it and n_grid more between Coppola's bounds (gamma 1e-16), then intervals are bisected until each
    one's trapezoid and Simpson estimates agree to rtol of the total (adaptive quadrature). Without t_limit_s
    the conjunction is the contiguous span around the rate's peak where the rate exceeds 1e-12 of the peak
    (`t_window_s`; CARA's default); with it, every approach within +-t_limit_s counts (CARA's Alfano tests).
    """
    x1 = np.r_[np.asarray(r1_m, float), np.asarray(v1_mps, float)]
    x2 = np.r_[np.asarray(r2_m, float), np.asarray(v2_mps, float)]
    c1, c2 = np.asarray(cov1, float), np.asarray(cov2, float)
    if c1.shape != (6, 6) or c2.shape != (6, 6):
        raise ValueError("pc_3d needs 6x6 position-velocity covariances for both objects")
    if hbr_m <= 0:
        return Pc3DResult(0.0, 0.0, (0.0, 0.0), (0.0, 0.0), np.zeros(0), np.zeros(0), 0.0, 0.0)
    if t_limit_s is None:
        limits = encounter_time_limits(x1, x2, gm_m3s2)
    else:
        limits = (-float(t_limit_s), float(t_limit_s))
    tau0, tau1 = conjunction_bounds_coppola(hbr_m, x2[:3] - x1[:3], x2[3:] - x1[3:], c1 + c2)
    grids = [np.linspace(limits[0], limits[1], n_grid)]
    lo, hi = max(tau0, limits[0]), min(tau1, limits[1])
    if lo < hi:
        grids.append(np.linspace(lo, hi, n_grid))
    seeds = np.unique(np.concatenate(grids))
    t_peak = float(seeds[np.argmax(ncdot(seeds, x1, c1, x2, c2, hbr_m, gm_m3s2, 32))])
    pole = _thin_axis_pole(t_peak, x1, c1, x2, c2, gm_m3s2)
    rate_at = lambda t, n: ncdot(t, x1, c1, x2, c2, hbr_m, gm_m3s2, n, pole)  # noqa: E731
    n_theta = _sphere_resolution(rate_at, t_peak)
    times, rate = _adaptive_nodes(lambda t: rate_at(t, n_theta), seeds, rtol, max_levels)
    nc_all = float(integrate.trapezoid(rate, times)) if rate.max() > 0 else 0.0
    if t_limit_s is None:
        times, rate = _main_encounter(times, rate)
    nc = float(integrate.trapezoid(rate, times)) if rate.max() > 0 else 0.0
    edge = float(max(rate[0], rate[-1]) / rate.max()) if rate.max() > 0 else 0.0
    return Pc3DResult(min(1.0, nc), nc, (float(times[0]), float(times[-1])), limits, times, rate, edge,
                      max(nc_all - nc, 0.0))


def _main_encounter(times, rate, floor: float = 1e-12):
    """The approach at TCA: the contiguous span where the rate exceeds floor x its maximum that contains t = 0
    (else the span with the largest integral), plus one node each side.

    A second rise within the window (e.g. half an orbit later for nearly co-orbital objects) is a separate
    conjunction and is left out, as CARA's Pc3D_Hall grows its window from TCA only while the rate stays
    significant.
    """
    if rate.max() <= 0:
        return times, rate
    live = rate > floor * rate.max()
    edges = np.flatnonzero(np.diff(np.r_[False, live, False].astype(np.int8)))
    spans = [(max(lo - 1, 0), min(hi, rate.size - 1)) for lo, hi in zip(edges[::2], edges[1::2], strict=True)]
    at_tca = [span for span in spans if times[span[0]] <= 0.0 <= times[span[1]]]
    if at_tca:
        first, last = at_tca[0]
    else:
        first, last = max(spans, key=lambda sp: integrate.trapezoid(rate[sp[0]:sp[1] + 1], times[sp[0]:sp[1] + 1]))
    return times[first:last + 1], rate[first:last + 1]


def _adaptive_nodes(func, seeds, rtol: float, max_levels: int):
    """Nodes and values of func refined by interval bisection until each interval's trapezoid-vs-Simpson
    difference is below rtol times the integral (batched: one vectorised call per level)."""
    times = np.unique(seeds)
    values = func(times)
    flagged = np.ones(times.size - 1, dtype=bool)
    for _ in range(max_levels):
        left = np.flatnonzero(flagged)
        if left.size == 0:
            break
        mids = 0.5 * (times[left] + times[left + 1])
        f_mid = func(mids)
        width = times[left + 1] - times[left]
        trap = 0.5 * width * (values[left] + values[left + 1])
        simp = width / 6.0 * (values[left] + 4.0 * f_mid + values[left + 1])
        total = max(float(integrate.trapezoid(values, times)), float(np.sum(simp)), 1e-300)
        bad = np.abs(simp - trap) > rtol * total
        order = np.argsort(np.r_[times, mids], kind="stable")
        is_new = np.r_[np.zeros(times.size, bool), bad][order]
        times, values = np.r_[times, mids][order], np.r_[values, f_mid][order]
        # refine both halves of each bad interval: flag the intervals on either side of its new midpoint
        new_pos = np.flatnonzero(is_new)
        flagged = np.zeros(times.size - 1, dtype=bool)
        flagged[new_pos - 1] = True
        flagged[np.minimum(new_pos, times.size - 2)] = True
    return times, values
