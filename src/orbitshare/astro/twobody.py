"""Two-body (Kepler) propagation of Cartesian states with universal variables, and its state transition matrix.

Units: metres, m/s, seconds; GM in m^3/s^2 (default EGM-96 3.986004418e14, the value NASA CARA's Pc tools use).
Algorithm: Vallado, "Fundamentals of Astrodynamics and Applications", 4th ed., algorithm 8 (universal variable
chi, Stumpff functions C2/C3, Newton iteration), valid for elliptic, parabolic and hyperbolic orbits.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from orbitshare.constants import WGS84_MU_KM3S2

__all__ = ["GM_EGM96_M3S2", "kepler_into", "kepler_propagate", "kepler_propagate_many", "kepler_stm", "orbit_period_s"]

#: EGM96's GM (m^3/s^2), the value NASA CARA's Pc tools use; equal to WGS-84's.
GM_EGM96_M3S2 = WGS84_MU_KM3S2 * 1e9


@nb.njit(cache=True, fastmath=False)
def _stumpff(psi):
    """Stumpff functions C2(psi), C3(psi)."""
    if psi > 1e-6:
        s = math.sqrt(psi)
        return (1.0 - math.cos(s)) / psi, (s - math.sin(s)) / (s * psi)
    if psi < -1e-6:
        s = math.sqrt(-psi)
        return (1.0 - math.cosh(s)) / psi, (math.sinh(s) - s) / (s * -psi)
    return 0.5 - psi / 24.0 + psi * psi / 720.0, 1.0 / 6.0 - psi / 120.0 + psi * psi / 5040.0


@nb.njit(cache=True, fastmath=False)
def kepler_into(r0, v0, dt, gm, out):
    """Write the state (m, m/s) dt seconds after (r0, v0) into out[0:6]; universal-variable Newton solve."""
    rx, ry, rz = r0[0], r0[1], r0[2]
    vx, vy, vz = v0[0], v0[1], v0[2]
    rmag = math.sqrt(rx * rx + ry * ry + rz * rz)
    v2 = vx * vx + vy * vy + vz * vz
    rdotv = rx * vx + ry * vy + rz * vz
    sqmu = math.sqrt(gm)
    alpha = 2.0 / rmag - v2 / gm  # 1/a
    if dt == 0.0:
        for k in range(3):
            out[k] = r0[k]
            out[3 + k] = v0[k]
        return
    if alpha > 1e-12:
        chi = sqmu * dt * alpha
    else:
        chi = sqmu * dt / rmag
    r = rmag
    c2 = 0.5
    c3 = 1.0 / 6.0
    psi = 0.0
    for _ in range(60):
        psi = chi * chi * alpha
        c2, c3 = _stumpff(psi)
        r = chi * chi * c2 + rdotv / sqmu * chi * (1.0 - psi * c3) + rmag * (1.0 - psi * c2)
        step = (sqmu * dt - chi * chi * chi * c3 - rdotv / sqmu * chi * chi * c2 - rmag * chi * (1.0 - psi * c3)) / r
        chi += step
        if abs(step) <= 1e-13 * max(1.0, abs(chi)):
            break
    psi = chi * chi * alpha
    c2, c3 = _stumpff(psi)
    r = chi * chi * c2 + rdotv / sqmu * chi * (1.0 - psi * c3) + rmag * (1.0 - psi * c2)
    f = 1.0 - chi * chi / rmag * c2
    g = dt - chi * chi * chi / sqmu * c3
    gdot = 1.0 - chi * chi / r * c2
    fdot = sqmu / (r * rmag) * chi * (psi * c3 - 1.0)
    for k in range(3):
        out[k] = f * r0[k] + g * v0[k]
        out[3 + k] = fdot * r0[k] + gdot * v0[k]


@nb.njit(cache=True)
def _propagate_grid(states, times, gm):
    """States (n, 6) propagated to each of times (m,): array (n, m, 6)."""
    out = np.empty((states.shape[0], times.shape[0], 6))
    for i in range(states.shape[0]):
        for j in range(times.shape[0]):
            kepler_into(states[i, :3], states[i, 3:], times[j], gm, out[i, j])
    return out


def kepler_propagate(state_m_mps, dt_s, gm_m3s2: float = GM_EGM96_M3S2) -> np.ndarray:
    """Cartesian state (6,) in m, m/s propagated by dt_s seconds (scalar or array (m,)) -> (6,) or (m, 6)."""
    times = np.atleast_1d(np.asarray(dt_s, float))
    out = _propagate_grid(np.asarray(state_m_mps, float).reshape(1, 6), times, float(gm_m3s2))[0]
    return out[0] if np.ndim(dt_s) == 0 else out


def kepler_propagate_many(states_m_mps, times_s, gm_m3s2: float = GM_EGM96_M3S2) -> np.ndarray:
    """States (n, 6) in m, m/s propagated to every offset in times_s (m,) seconds -> (n, m, 6)."""
    return _propagate_grid(np.ascontiguousarray(states_m_mps, float), np.asarray(times_s, float), float(gm_m3s2))


def kepler_stm(state_m_mps, times_s, gm_m3s2: float = GM_EGM96_M3S2) -> tuple[np.ndarray, np.ndarray]:
    """States (m, 6) and 6x6 state transition matrices (m, 6, 6) at offsets times_s (m,) s from a state (6,).

    Central differences of the exact two-body flow with steps 1e-7 |r| (m) and 1e-7 |v| (m/s): truncation
    error O(step^2 / scale^2) ~ 1e-14 relative, round-off ~1e-9 relative.
    """
    x0 = np.asarray(state_m_mps, float)
    times = np.atleast_1d(np.asarray(times_s, float))
    steps = np.r_[np.full(3, 1e-7 * np.linalg.norm(x0[:3])), np.full(3, 1e-7 * np.linalg.norm(x0[3:]))]
    perturbed = np.concatenate([x0 + np.diag(steps), x0 - np.diag(steps), x0[None]], axis=0)
    prop = kepler_propagate_many(perturbed, times, gm_m3s2)  # (13, m, 6)
    stm = (prop[:6] - prop[6:12]) / (2.0 * steps[:, None, None])  # (6 columns, m, 6 rows)
    return prop[12], np.transpose(stm, (1, 2, 0))


def orbit_period_s(r_m, v_mps, gm_m3s2: float = GM_EGM96_M3S2) -> float:
    """Two-body orbital period (s) of a Cartesian state; inf for unbound orbits."""
    beta = 2.0 * gm_m3s2 / np.linalg.norm(r_m) - float(np.dot(v_mps, v_mps))
    return float(2.0 * np.pi * gm_m3s2 * beta**-1.5) if beta > 0 else float("inf")
