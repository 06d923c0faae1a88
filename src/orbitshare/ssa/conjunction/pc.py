"""Short-encounter (2D) probability of collision: Foster, Chan, Alfano 2005 and maximum Pc.

Conventions: positions in metres, velocities in m/s, covariances in m^2 (any consistent length unit works
as long as miss, sigmas and hard-body radius share it). States and covariances are Cartesian in one inertial
frame (ECI: EME2000/GCRF/TEME at TCA); CDM covariances (RTN) are rotated with :func:`rtn_to_eci_cov`.
The encounter plane is normal to the relative velocity at TCA; its axes (x, z) follow NASA CARA's PcCircle:
y along v1 - v2, z along (r1 - r2) x (v1 - v2), x = y x z; like CARA the miss vector is |r1 - r2| along x
(identical to the projected miss at the true TCA). See docs/pc.md for formulas and references.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import integrate, optimize, special, stats

from orbitshare.astro.frames import rtn_basis

__all__ = ["LCLIP_FRACTION", "METHODS", "Diagonal2D", "EncounterPlane", "MaxPc", "cdm_hbr_m", "diagonalize",
           "encounter_plane", "pc_2d", "pc_alfano2005_diag", "pc_chan_diag", "pc_elongated", "pc_for_cdm",
           "pc_foster_diag", "pc_from_states", "pc_isotropic", "pc_max", "pc_max_isotropic", "pc_max_scaled",
           "rtn_to_eci_cov"]

SQRT2 = np.sqrt(2.0)
LCLIP_FRACTION = 1e-4  # CARA RemediateCovariance2x2: minimum 1-sigma = 1e-4 * HBR


@dataclass(frozen=True)
class EncounterPlane:
    """Relative miss vector (m) and combined position covariance (m^2) in the 2D encounter plane."""

    miss_xz_m: np.ndarray
    cov_xz_m2: np.ndarray
    miss_m: float
    rel_speed_mps: float


@dataclass(frozen=True)
class Diagonal2D:
    """Encounter in covariance principal axes: miss (xm, ym) and sigmas sx <= sy, all in m."""

    xm_m: float
    ym_m: float
    sx_m: float
    sy_m: float
    remediated: bool


def rtn_to_eci_cov(cov_rtn, r_m, v_mps) -> np.ndarray:
    """Rotate a 3x3 or 6x6 RTN covariance (m^2, m^2/s, m^2/s^2) to the inertial frame of r, v."""
    cov = np.asarray(cov_rtn, float)
    rot = rtn_basis(r_m, v_mps)
    big = np.kron(np.eye(cov.shape[0] // 3), rot)
    return big.T @ cov @ big


def encounter_plane(r1_m, v1_mps, cov1_m2, r2_m, v2_mps, cov2_m2) -> EncounterPlane:
    """Project relative state and combined position covariance (3x3/6x6 ECI, m^2) on the encounter plane."""
    r = np.asarray(r1_m, float) - np.asarray(r2_m, float)
    v = np.asarray(v1_mps, float) - np.asarray(v2_mps, float)
    cov = np.asarray(cov1_m2, float)[:3, :3] + np.asarray(cov2_m2, float)[:3, :3]
    speed = float(np.linalg.norm(v))
    if speed == 0.0:
        return EncounterPlane(np.full(2, np.nan), np.full((2, 2), np.nan), float(np.linalg.norm(r)), 0.0)
    y = v / speed
    h = np.cross(r, v)
    z = h / np.linalg.norm(h) if np.linalg.norm(h) > 0 else _any_normal(y)
    rot = np.vstack([np.cross(y, z), z])
    miss_m = float(np.linalg.norm(r))
    return EncounterPlane(np.array([miss_m, 0.0]), rot @ cov @ rot.T, miss_m, speed)


def _any_normal(u: np.ndarray) -> np.ndarray:
    """A unit vector normal to unit vector u (used when the miss vector is zero)."""
    trial = np.eye(3)[int(np.argmin(np.abs(u)))]
    n = np.cross(u, trial)
    return n / np.linalg.norm(n)


def diagonalize(miss_xz_m, cov_xz_m2, hbr_m: float) -> Diagonal2D:
    """Rotate miss (m) and 2x2 covariance (m^2) to principal axes; clip sigmas below 1e-4*HBR (as CARA)."""
    cov = np.asarray(cov_xz_m2, float)
    cov = 0.5 * (cov + cov.T)
    eigval, eigvec = np.linalg.eigh(cov)
    floor = (LCLIP_FRACTION * hbr_m) ** 2 if np.isfinite(hbr_m) else 0.0
    remediated = bool(np.any(eigval < floor))
    eigval = np.maximum(eigval, floor)
    xm, ym = eigvec.T @ np.asarray(miss_xz_m, float)
    return Diagonal2D(float(xm), float(ym), float(np.sqrt(eigval[0])), float(np.sqrt(eigval[1])), remediated)


def _ndtr_diff(lo, hi):
    """Phi(hi) - Phi(lo) for hi >= lo, accurate in both tails."""
    lo, hi = np.asarray(lo, float), np.asarray(hi, float)
    upper = special.ndtr(-lo) - special.ndtr(-hi)
    lower = special.ndtr(hi) - special.ndtr(lo)
    return np.where(lo > 0, upper, lower)


def pc_foster_diag(xm_m: float, ym_m: float, sx_m: float, sy_m: float, hbr_m: float) -> float:
    """Foster 2D Pc: integral of the Gaussian (sigmas sx, sy, m) over the HBR disc (m) at miss (xm, ym)."""
    if hbr_m <= 0:
        return 0.0
    if np.isinf(hbr_m):
        return 1.0

    def integrand(x):
        """Density along x times the probability mass of the chord at x."""
        h = np.sqrt(max(hbr_m * hbr_m - x * x, 0.0))
        chord = _ndtr_diff((ym_m - h) / sy_m, (ym_m + h) / sy_m)
        return float(np.exp(-0.5 * ((x - xm_m) / sx_m) ** 2) * chord)

    breaks = [p for p in (xm_m, xm_m - 5 * sx_m, xm_m + 5 * sx_m) if -hbr_m < p < hbr_m]
    val, _ = integrate.quad(integrand, -hbr_m, hbr_m, points=breaks or None, epsabs=0.0, epsrel=1e-13,
                            limit=500)
    return float(min(val / (sx_m * np.sqrt(2.0 * np.pi)), 1.0))


def pc_chan_diag(xm_m, ym_m, sx_m, sy_m, hbr_m):
    """Chan (1997) series Pc with Chan's recommended number of terms; inputs in m, vectorised."""
    u = np.asarray(hbr_m, float) ** 2 / (np.asarray(sx_m) * np.asarray(sy_m))
    v = (np.asarray(xm_m) / sx_m) ** 2 + (np.asarray(ym_m) / sy_m) ** 2
    n_terms = _chan_terms(u, v)
    m = np.arange(int(np.max(n_terms)))
    shape = np.broadcast(u, v).shape
    u_b, v_b, n_b = (np.broadcast_to(a, shape)[..., None] for a in (u, v, n_terms))
    terms = stats.poisson.pmf(m, v_b / 2.0) * stats.poisson.sf(m, u_b / 2.0)
    out = np.sum(np.where(m < n_b, terms, 0.0), axis=-1)
    return out if out.ndim else float(out)


def _chan_terms(u, v):
    """Number of series terms Chan recommends for u = R^2/(sx sy) and v = squared Mahalanobis miss."""
    return np.select([(u <= 0.01) | (v <= 1), (u <= 1) | (v <= 9), (u <= 25) | (v <= 25)], [3, 10, 20], 60)


def pc_alfano2005_diag(xm_m: float, ym_m: float, sx_m: float, sy_m: float, hbr_m: float) -> float:
    """Alfano (2005) Simpson-rule Pc over the folded HBR disc; sx (m) the minor sigma, sy (m) the major."""
    n = int(5 * hbr_m / min(sx_m, sy_m, np.hypot(xm_m, ym_m)))
    n = min(max(n, 10), 100_000)
    step = hbr_m / (2 * n)
    x = np.arange(2 * n + 1) * step - hbr_m
    x[0] = 0.015 * step - hbr_m
    g = _alfano_integrand(x, xm_m, ym_m, sx_m, sy_m, hbr_m)
    weights = np.where(np.arange(2 * n + 1) % 2 == 1, 4.0, 2.0)
    weights[-1] = 1.0
    return float(step / (3.0 * sx_m * np.sqrt(8.0 * np.pi)) * np.dot(weights, g))


def _alfano_integrand(x, xm, ym, sx, sy, hbr):
    """Alfano's folded integrand: chord erf terms times the two mirrored x Gaussians (dimensionless)."""
    h = np.sqrt(np.maximum(hbr * hbr - x * x, 0.0))
    chord = special.erf((h - ym) / (SQRT2 * sy)) + special.erf((h + ym) / (SQRT2 * sy))
    return chord * (np.exp(-((x - xm) ** 2) / (2 * sx * sx)) + np.exp(-((x + xm) ** 2) / (2 * sx * sx)))


METHODS = {"foster": pc_foster_diag, "chan": pc_chan_diag, "alfano2005": pc_alfano2005_diag}


def pc_2d(miss_xz_m, cov_xz_m2, hbr_m: float, method: str = "foster") -> float:
    """2D Pc for an encounter-plane miss vector (m), 2x2 covariance (m^2) and combined HBR (m)."""
    if not np.all(np.isfinite(miss_xz_m)):
        return float("nan")
    d = diagonalize(miss_xz_m, cov_xz_m2, hbr_m)
    if hbr_m <= 0:
        return 0.0
    if np.isinf(hbr_m):
        return 1.0
    return float(METHODS[method](d.xm_m, d.ym_m, d.sx_m, d.sy_m, hbr_m))


def pc_from_states(r1_m, v1_mps, cov1_m2, r2_m, v2_mps, cov2_m2, hbr_m: float,
                   method: str = "foster") -> float:
    """2D Pc from both objects' ECI states (m, m/s) and covariances (3x3/6x6 ECI, m^2) at TCA; NaN if v=0."""
    plane = encounter_plane(r1_m, v1_mps, cov1_m2, r2_m, v2_mps, cov2_m2)
    return pc_2d(plane.miss_xz_m, plane.cov_xz_m2, hbr_m, method)



def pc_isotropic(miss_m, sigma_m, hbr_m):
    """Exact 2D Pc for an isotropic combined sigma (m): noncentral chi-square CDF, vectorised."""
    sigma = np.asarray(sigma_m, float)
    return stats.ncx2.cdf((np.asarray(hbr_m) / sigma) ** 2, 2, (np.asarray(miss_m) / sigma) ** 2)


def pc_elongated(miss_m: float, sigma_m: float, hbr_m: float, aspect_ratio: float) -> float:
    """Pc for minor sigma (m), major = aspect_ratio * sigma, miss (m) on the major axis (worst case)."""
    if aspect_ratio == 1.0:
        return float(pc_isotropic(miss_m, sigma_m, hbr_m))
    return pc_foster_diag(0.0, miss_m, sigma_m, aspect_ratio * sigma_m, hbr_m)


@dataclass(frozen=True)
class MaxPc:
    """Maximum Pc over unknown covariance size: value, maximising minor sigma (m) and aspect ratio used."""

    pc_max: float
    sigma_at_max_m: float
    aspect_ratio: float


def pc_max(miss_m: float, hbr_m: float, aspect_ratio: float = 1.0) -> MaxPc:
    """Maximum 2D Pc over the covariance size for a miss (m) and combined HBR (m) (Alfano 2005, SOCRATES).

    The covariance has minor sigma s and major sigma aspect_ratio * s, oriented so the miss lies on the
    major axis (worst case). For s above `sigma_at_max_m` Pc decreases: that is the dilution region.
    """
    if hbr_m <= 0:
        return MaxPc(0.0, float("nan"), aspect_ratio)
    if miss_m <= hbr_m:
        return MaxPc(1.0, 0.0, aspect_ratio)
    guess = miss_m / (SQRT2 * aspect_ratio)

    def neg_log_pc(log_s):
        """Negative log Pc at minor sigma exp(log_s) (m)."""
        return -np.log(max(pc_elongated(miss_m, np.exp(log_s), hbr_m, aspect_ratio), 1e-300))

    sigma = float(np.exp(_argmin_log(neg_log_pc, np.log(guess))))
    return MaxPc(pc_elongated(miss_m, sigma, hbr_m, aspect_ratio), sigma, aspect_ratio)


def _argmin_log(func, center: float, half_width: float = 8.0) -> float:
    """Minimiser of a 1D function of a log-scale variable: coarse grid around `center`, then bounded Brent."""
    grid = center + np.linspace(-half_width, half_width, 161)
    values = [func(x) for x in grid]
    best = int(np.argmin(values))
    lo, hi = grid[max(best - 1, 0)], grid[min(best + 1, grid.size - 1)]
    res = optimize.minimize_scalar(func, bounds=(lo, hi), method="bounded", options={"xatol": 1e-10})
    return float(res.x) if res.fun <= values[best] else float(grid[best])


def pc_max_isotropic(miss_m, hbr_m):
    """Vectorised max Pc (isotropic covariance) for arrays of miss (m) and HBR (m); returns (pc, sigma_m).

    Pc depends on sigma / miss and HBR / miss only, so Pc_max = G(rho) and sigma_at_max = miss * S(rho) with
    rho = HBR / miss: G and S come from :func:`_pc_max_unit` (exact search), per event for small inputs or
    rho > 0.5, else from cubic splines in log rho through exact nodes whose error is checked at every node
    midpoint against the exact search (at most 1e-11 relative in Pc, else the nodes are refined).
    """
    miss = np.atleast_1d(np.asarray(miss_m, float))
    hbr = np.broadcast_to(np.asarray(hbr_m, float), miss.shape)
    pc, sigma = np.zeros(miss.shape), np.zeros(miss.shape)
    pc[(hbr > 0) & (miss <= hbr)] = 1.0
    live = np.flatnonzero((hbr > 0) & (miss > hbr))
    rho = hbr[live] / miss[live]
    interp = rho <= 0.5 if live.size > 20_000 else np.zeros(live.size, dtype=bool)
    g, s = np.empty(live.size), np.empty(live.size)
    g[~interp], s[~interp] = _pc_max_unit(rho[~interp])
    if interp.any():
        g[interp], s[interp] = _pc_max_spline(np.log(rho[interp]))
    pc[live], sigma[live] = g, s * miss[live]
    return pc, sigma


def _pc_max_unit(rho, iterations: int = 40):
    """Max Pc and maximising sigma for miss 1 and HBR rho (< 1): golden-section search over log sigma.

    Pc(sigma) is unimodal in log sigma with its maximum near 1 / sqrt(2) (Alfano 2005); the search covers
    [-1.5, +1.5] around it with one Pc evaluation per value and iteration (bracket 3 * 0.618^40 ~ 1e-8 wide; Pc
    is flat at its maximum, so its relative error is far below that).
    """
    rho = np.asarray(rho, float)
    ratio = (np.sqrt(5.0) - 1.0) / 2.0
    lo, hi = np.full(rho.shape, np.log(1 / SQRT2) - 1.5), np.full(rho.shape, np.log(1 / SQRT2) + 1.5)
    a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    fa, fb = pc_isotropic(1.0, np.exp(a), rho), pc_isotropic(1.0, np.exp(b), rho)
    for _ in range(iterations):
        left = fa > fb  # maximum in [lo, b]: b becomes hi, a becomes b
        hi, lo = np.where(left, b, hi), np.where(left, lo, a)
        new_b, new_a = np.where(left, a, lo + ratio * (hi - lo)), np.where(left, hi - ratio * (hi - lo), b)
        f_new = pc_isotropic(1.0, np.exp(np.where(left, new_a, new_b)), rho)
        fa, fb = np.where(left, f_new, fb), np.where(left, fa, f_new)
        a, b = new_a, new_b
    s = np.exp(0.5 * (lo + hi))
    return pc_isotropic(1.0, s, rho), s


def _pc_max_spline(log_rho, tol: float = 1e-11):
    """G and S of :func:`_pc_max_unit` at many log rho values from splines through exact nodes (error checked)."""
    from scipy.interpolate import CubicSpline

    lo, hi = float(log_rho.min()), float(log_rho.max())
    nodes = max(16, int((hi - lo) / 0.02) + 2)
    for _ in range(6):
        x = np.linspace(lo, hi + 1e-12, nodes)
        g, s = _pc_max_unit(np.exp(x))
        spline_g, spline_s = CubicSpline(x, np.log(g)), CubicSpline(x, np.log(s))
        mid = 0.5 * (x[1:] + x[:-1])
        g_mid, _ = _pc_max_unit(np.exp(mid))
        if np.max(np.abs(np.exp(spline_g(mid)) / g_mid - 1.0)) <= tol:
            return np.exp(spline_g(log_rho)), np.exp(spline_s(log_rho))
        nodes = 2 * nodes
    return _pc_max_unit(np.exp(log_rho))


def pc_max_scaled(miss_xz_m, cov_xz_m2, hbr_m: float) -> tuple[float, float]:
    """Maximum Foster Pc over a scale factor k on the combined 2x2 covariance (m^2); returns (pc, k)."""
    d = diagonalize(miss_xz_m, cov_xz_m2, hbr_m)

    def neg_log_pc(log_k):
        """Negative log Pc with sigmas multiplied by exp(log_k)."""
        k = np.exp(log_k)
        return -np.log(max(pc_foster_diag(d.xm_m, d.ym_m, k * d.sx_m, k * d.sy_m, hbr_m), 1e-300))

    maha = np.hypot(d.xm_m / d.sx_m, d.ym_m / d.sy_m)
    k = float(np.exp(_argmin_log(neg_log_pc, np.log(max(maha, 1e-3) / SQRT2))))
    return pc_foster_diag(d.xm_m, d.ym_m, k * d.sx_m, k * d.sy_m, hbr_m), k


def cdm_hbr_m(cdm, hbr_override_m: float | None = None) -> tuple[float, str]:
    """Combined HBR (m) of a CDM and its provenance: override, CARA COMMENT HBR, CDM 2.0 HBR, else table."""
    from orbitshare.ssa.conjunction import hbr

    if hbr_override_m is not None:
        return float(hbr_override_m), "command line"
    from_comment = cdm.hbr_from_comments_m()
    if from_comment is not None:
        return from_comment, "CDM COMMENT HBR"
    per_object = [o.fields.get("HBR") for o in cdm.objects]
    if all(v not in (None, "", "NaN") for v in per_object):
        return sum(float(v) for v in per_object), "CDM HBR keywords"
    looked = [hbr.hbr_lookup(o.designator, o.object_type) for o in cdm.objects]
    return looked[0][0] + looked[1][0], " + ".join(src for _, src in looked)


def pc_for_cdm(cdm, hbr_override_m: float | None = None, with_3d: bool = True, mc_trials: int = 0,
               mc_seed: int | None = None) -> dict:
    """TCA, miss (m), relative speed (m/s), combined HBR (m), Pc by every 2D method, 3D Pc, the 2D usage-violation
    indicators and (mc_trials > 0) a Monte Carlo Pc with its 95 % Clopper-Pearson interval, for a parsed CDM."""
    from orbitshare.ssa.conjunction.pc3d import encounter_time_limits, pc_3d
    from orbitshare.ssa.conjunction.pc_montecarlo import pc_monte_carlo
    from orbitshare.ssa.conjunction.pc_usage import usage_violation_pc2d

    hbr_m, hbr_source = cdm_hbr_m(cdm, hbr_override_m)
    o1, o2 = cdm.objects
    args = (o1.r_m, o1.v_mps, rtn_to_eci_cov(o1.cov_rtn_6x6, o1.r_m, o1.v_mps),
            o2.r_m, o2.v_mps, rtn_to_eci_cov(o2.cov_rtn_6x6, o2.r_m, o2.v_mps))
    plane = encounter_plane(*args)
    pcs = {name: pc_2d(plane.miss_xz_m, plane.cov_xz_m2, hbr_m, name) for name in METHODS}
    maximum = pc_max(plane.miss_m, hbr_m)
    x1, x2 = np.r_[args[0], args[1]], np.r_[args[3], args[4]]
    limits = encounter_time_limits(x1, x2)
    pc3d = pc_3d(*args, hbr_m, t_limit_s=None) if with_3d and hbr_m > 0 and np.isfinite(hbr_m) else None
    usage = usage_violation_pc2d(*args, hbr_m, pcs["foster"], pc3d.pc if pc3d else None)
    mc = None
    if mc_trials > 0:
        res = pc_monte_carlo(*args, hbr_m, mc_trials, pc3d.t_window_s if pc3d and pc3d.nc > 0 else limits,
                             seed=mc_seed)
        mc = {"pc": res.pc, "hits": res.hits, "trials": res.trials, "ci95_low": res.ci_low,
              "ci95_high": res.ci_high, "seed": res.seed, "window_s": list(res.window_s),
              "inside_at_start": res.inside_at_start}
    return {
        "source": cdm.source, "message_id": cdm.message_id, "tca_utc": cdm.tca.isoformat(),
        "object1": cdm.object1.designator, "object2": cdm.object2.designator,
        "miss_distance_m": plane.miss_m, "relative_speed_mps": plane.rel_speed_mps,
        "hbr_m": hbr_m, "hbr_source": hbr_source, "pc": pcs, "pc_max_isotropic": maximum.pc_max,
        "pc_3d": pc3d.pc if pc3d else None, "nc_3d": pc3d.nc if pc3d else None,
        "nc_3d_other_approaches": pc3d.nc_other_approaches if pc3d else None,
        "window_s": list(pc3d.t_window_s if pc3d else limits), "usage_violation": usage.as_dict(),
        "pc_mc": mc,
        "pc_cdm": cdm.collision_probability, "ref_frame": cdm.object1.ref_frame, "quirks": list(cdm.quirks),
    }
