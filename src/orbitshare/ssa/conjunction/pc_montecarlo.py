"""Monte Carlo probability of collision from TCA states and covariances, with two-body motion about TCA.

Each trial draws both objects' Cartesian states from their 6x6 Gaussians at TCA (m, m/s, one inertial frame),
propagates each pair with exact two-body motion over the encounter window (s from TCA), and finds the minimum
separation: the separation is sampled on a uniform grid, and every local minimum of the grid that could hide a
separation below the HBR (grid distance < HBR + relative speed x step + 1 m) is refined by Newton's method on
d/dt |r2 - r1|^2 = 0 with the two-body relative acceleration. A trial is a hit when it enters the combined
hard-body sphere during the window: its minimum separation is below the HBR and it was outside the sphere when
the window opened (CARA's Pc_MC_Kep2body counts first contacts within the window and leaves out trials that
overlap at its start; Pc3D, an integral of the entry rate, estimates the same quantity). Pc = hits / trials,
with the Clopper-Pearson (exact binomial) interval, as CARA's Pc_MC_Kep2body reports it (MATLAB binofit).
CARA samples in equinoctial elements; we sample Cartesian states (the two agree to first order in the
covariance; on the Alfano 2009 cases the results agree within the binomial intervals).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba as nb
import numpy as np
from scipy import stats

from orbitshare.astro.twobody import GM_EGM96_M3S2, kepler_into

__all__ = ["MonteCarloPc", "binomial_interval", "pc_monte_carlo", "samples_for_accuracy"]


@dataclass(frozen=True)
class MonteCarloPc:
    """Monte Carlo Pc, hits, trials, Clopper-Pearson interval at `confidence`, window (s from TCA), seed."""

    pc: float
    hits: int
    trials: int
    ci_low: float
    ci_high: float
    confidence: float
    window_s: tuple[float, float]
    seed: int | None
    inside_at_start: int  # trials already inside the HBR sphere when the window opens (not counted as hits)


def binomial_interval(hits: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Clopper-Pearson (exact) confidence interval of a binomial proportion."""
    alpha = 1.0 - confidence
    lo = 0.0 if hits == 0 else float(stats.beta.ppf(alpha / 2, hits, trials - hits + 1))
    hi = 1.0 if hits == trials else float(stats.beta.ppf(1 - alpha / 2, hits + 1, trials - hits))
    return lo, hi


def samples_for_accuracy(pc: float, rel_accuracy: float, confidence: float = 0.95) -> int:
    """Trials for a relative half-width rel_accuracy of the normal-approximation interval at Pc `pc`."""
    z = stats.norm.ppf(0.5 + confidence / 2)
    return math.ceil(float(z * z) * (1.0 - pc) / (pc * rel_accuracy * rel_accuracy))


@nb.njit(cache=True)
def _sep(s1, s2, t, gm, a, b):
    """Propagate both states (6,) to t into a, b; return r.v, |v|^2, r.a_rel, |r| of the relative state."""
    kepler_into(s1[:3], s1[3:], t, gm, a)
    kepler_into(s2[:3], s2[3:], t, gm, b)
    ra = math.sqrt(a[0] ** 2 + a[1] ** 2 + a[2] ** 2)
    rb = math.sqrt(b[0] ** 2 + b[1] ** 2 + b[2] ** 2)
    rv = 0.0
    vv = 0.0
    racc = 0.0
    rr = 0.0
    for k in range(3):
        dr = b[k] - a[k]
        dv = b[3 + k] - a[3 + k]
        acc = -gm * (b[k] / rb**3 - a[k] / ra**3)
        rv += dr * dv
        vv += dv * dv
        racc += dr * acc
        rr += dr * dr
    return rv, vv, racc, math.sqrt(rr)


@nb.njit(cache=True)
def _refine(s1, s2, t0, lo, hi, gm, a, b):
    """Minimum separation (m) near t0 within [lo, hi]: Newton on d/dt |dr|^2 / 2 = dr.dv."""
    t = t0
    best = 1e300
    for _ in range(12):
        rv, vv, racc, dist = _sep(s1, s2, t, gm, a, b)
        best = min(best, dist)
        slope = vv + racc
        if slope <= 0.0:
            break
        step = -rv / slope
        t_new = min(max(t + step, lo), hi)
        if abs(t_new - t) < 1e-9 * (1.0 + abs(t)):
            break
        t = t_new
    return best


@nb.njit(cache=True, parallel=True)
def _min_separation(x1, x2, times, hbr, gm):
    """Minimum separation (m) over the window and separation at its start for each sample pair (n, 6), (n, 6)."""
    n, m = x1.shape[0], times.shape[0]
    h = times[1] - times[0]
    out = np.empty(n)
    start = np.empty(n)
    for i in nb.prange(n):
        a = np.empty(6)
        b = np.empty(6)
        dist = np.empty(m)
        speed = np.empty(m)
        for j in range(m):
            _, vv, _, d = _sep(x1[i], x2[i], times[j], gm, a, b)
            dist[j] = d
            speed[j] = math.sqrt(vv)
        best = dist.min()
        for j in range(m):
            left = dist[j - 1] if j > 0 else 1e300
            right = dist[j + 1] if j < m - 1 else 1e300
            if dist[j] <= left and dist[j] <= right and dist[j] < hbr + speed[j] * h + 1.0:
                lo = times[max(j - 1, 0)]
                hi = times[min(j + 1, m - 1)]
                best = min(best, _refine(x1[i], x2[i], times[j], lo, hi, gm, a, b))
        out[i] = best
        start[i] = dist[0]
    return out, start


def _gaussian_factor(cov) -> np.ndarray:
    """Square-root factor L (L L^T = cov) of a 6x6 covariance, negative eigenvalues set to zero (as CARA)."""
    val, vec = np.linalg.eigh(0.5 * (cov + cov.T))
    return vec * np.sqrt(np.maximum(val, 0.0))


def pc_monte_carlo(r1_m, v1_mps, cov1, r2_m, v2_mps, cov2, hbr_m: float, trials: int,
                   window_s: tuple[float, float], seed: int | None = None, n_steps: int = 101,
                   batch: int = 200_000, confidence: float = 0.95,
                   gm_m3s2: float = GM_EGM96_M3S2) -> MonteCarloPc:
    """Monte Carlo Pc from ECI states (m, m/s) and 6x6 covariances (m^2, m^2/s, m^2/s^2) at TCA.

    window_s: encounter window (s from TCA), e.g. `pc3d.encounter_time_limits`; n_steps: grid points over it.
    Reproducible for a given seed (numpy PCG64), whatever the batch size.
    """
    x1 = np.r_[np.asarray(r1_m, float), np.asarray(v1_mps, float)]
    x2 = np.r_[np.asarray(r2_m, float), np.asarray(v2_mps, float)]
    l1, l2 = _gaussian_factor(np.asarray(cov1, float)), _gaussian_factor(np.asarray(cov2, float))
    times = np.linspace(float(window_s[0]), float(window_s[1]), n_steps)
    rng = np.random.default_rng(seed)
    hits, done, inside_at_start = 0, 0, 0
    while done < trials:
        k = min(batch, trials - done)
        z = rng.standard_normal((k, 12))
        s1 = x1 + z[:, :6] @ l1.T
        s2 = x2 + z[:, 6:] @ l2.T
        d_min, d_start = _min_separation(s1, s2, times, float(hbr_m), float(gm_m3s2))
        hits += int(np.count_nonzero((d_min < hbr_m) & (d_start >= hbr_m)))
        inside_at_start += int(np.count_nonzero(d_start < hbr_m))
        done += k
    lo, hi = binomial_interval(hits, trials, confidence)
    return MonteCarloPc(hits / trials, hits, trials, lo, hi, confidence, (float(times[0]), float(times[-1])), seed,
                        inside_at_start)
