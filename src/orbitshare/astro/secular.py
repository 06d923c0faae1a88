"""Secular J2 drift of mean orbital elements (Brouwer/Kozai first order, WGS-72 as SGP4), vectorised."""

from __future__ import annotations

import numpy as np

from orbitshare.constants import DAY_S, WGS72_J2, WGS72_MU_KM3S2, WGS72_RE_KM

__all__ = ["orbit_normal", "raan_at", "raan_rate_rad_day"]


def raan_rate_rad_day(a_km, ecc, incl_deg) -> np.ndarray:
    """Secular node drift dRAAN/dt (rad/day) from J2: -1.5 n J2 (Re/p)^2 cos i."""
    a = np.maximum(np.asarray(a_km, dtype=np.float64), WGS72_RE_KM)
    n = np.sqrt(WGS72_MU_KM3S2 / a**3) * DAY_S
    p = a * (1.0 - np.asarray(ecc) ** 2)
    return -1.5 * n * WGS72_J2 * (WGS72_RE_KM / p) ** 2 * np.cos(np.radians(incl_deg))


def raan_at(raan_deg, a_km, adot_km_day, ecc, incl_deg, epoch_jd, t_jd) -> np.ndarray:
    """Right ascension of the node (rad) of n orbits at m times t_jd, shape (n, m): the J2 node drift
    integrated in closed form from each epoch, the semi-major axis changing linearly (adot_km_day, drag)."""
    t = np.asarray(t_jd, dtype=np.float64)[None, :]
    dt = t - np.asarray(epoch_jd, dtype=np.float64)[:, None]
    a0 = np.asarray(a_km, dtype=np.float64)[:, None]
    rate0 = raan_rate_rad_day(a0, np.asarray(ecc)[:, None], np.asarray(incl_deg)[:, None])
    # rate ~ a^-3.5: integral of rate0 (1 + x s/T)^-3.5 ds over [0, T] = rate0 T expm1(-2.5 log1p(x)) / (-2.5 x)
    x = np.maximum(np.asarray(adot_km_day, dtype=np.float64)[:, None] * dt / a0, WGS72_RE_KM / a0 - 1.0 + 1e-6)
    small = np.abs(x) < 1e-9
    factor = np.where(small, 1.0 - 1.75 * x, np.expm1(-2.5 * np.log1p(x)) / np.where(small, 1.0, -2.5 * x))
    return np.radians(np.asarray(raan_deg))[:, None] + rate0 * dt * factor


def orbit_normal(incl_rad, raan_rad) -> np.ndarray:
    """Unit orbit normals (..., 3) in the equatorial frame from inclination and node (rad)."""
    i, o = np.broadcast_arrays(np.asarray(incl_rad, dtype=np.float64), np.asarray(raan_rad, dtype=np.float64))
    return np.stack([np.sin(i) * np.sin(o), -np.sin(i) * np.cos(o), np.cos(i)], axis=-1)
