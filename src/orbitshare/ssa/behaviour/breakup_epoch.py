"""Break-up epoch of a fragment cloud from its orbit planes alone.

At a break-up every fragment passes through one point, so every orbit plane contains the line from the
Earth's centre to it. Afterwards J2 turns the nodes at rates that depend on each fragment's semi-major axis,
eccentricity and inclination, and the planes fan out. Propagating the nodes back (secular J2, semi-major axis
changing linearly with the decay rate of the element set) and finding the time at which the planes again
share one line dates the event. The common line is the eigenvector of the smallest eigenvalue of the planes'
normal scatter matrix; the median angle of the planes from it measures how well they meet (a few hundredths
of a degree for a fresh cloud, tens of degrees when the planes no longer meet anywhere). Confidence compares
the best meeting with the typical one in the search window, damped by the meeting's own spread on the scale
SPREAD_SCALE_DEG (fresh clouds meet to a few thousandths of a degree), and scaled down for clouds of fewer
than FULL_SAMPLE fragments. For clouds whose nodes drag-driven
differences in node rate have scrambled for years, no time stands out: the event is then reported as the
interval it lies in, not as a date.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orbitshare.astro.secular import orbit_normal, raan_at
from orbitshare.catalog import Catalog

__all__ = ["PlaneDating", "date_from_planes", "plane_offset_deg"]

#: Confidence below which no event date is reported, only the interval it lies in.
MIN_CONFIDENCE = 0.5
#: Angle (deg) on which the confidence decays with the spread of the planes about their common line.
SPREAD_SCALE_DEG = 0.02
#: Fragments needed for full confidence: a handful of planes meet in a line somewhere by chance.
FULL_SAMPLE = 30
#: Coarse scan size and refinement rounds of the search.
COARSE_POINTS = 1000
REFINE_POINTS = 121


@dataclass(frozen=True)
class PlaneDating:
    """Event time (UTC JD, None when unreliable) with the interval it lies in, confidence 0..1, the median
    angle (deg) of the planes from their common line then, and that line (unit vector, equatorial frame)."""

    event_jd: float | None
    not_before_jd: float
    not_after_jd: float
    confidence: float
    spread_deg: float
    line: np.ndarray
    members_used: int


def _decay_rate_km_day(cat: Catalog) -> np.ndarray:
    """da/dt (km/day) from the element sets' mean-motion derivative (column ndot is dn/dt / 2, rev/day^2)."""
    return -(2.0 / 3.0) * cat.sma_km * (2.0 * cat["ndot"]) / cat["mean_motion_revday"]


def _pick_members(cat: Catalog, max_members: int) -> Catalog:
    """The fragments whose nodes back-propagate best: the slowest-decaying, bound, low-eccentricity ones."""
    adot = np.abs(_decay_rate_km_day(cat))
    ok = (cat["ecc"] < 0.5) & (cat.perigee_km > 150.0) & np.isfinite(adot)
    rows = np.flatnonzero(ok)
    return cat.take(rows[np.argsort(adot[rows])][:max_members])


def _meeting(cat: Catalog, t_jd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Median angle (deg) of the planes from their common line, and that line (m, 3), at times t_jd (m)."""
    raan = raan_at(cat["raan_deg"], cat.sma_km, _decay_rate_km_day(cat), cat["ecc"], cat["incl_deg"],
                   cat["epoch_jd"] + cat["epoch_fr"], t_jd)
    h = orbit_normal(np.radians(cat["incl_deg"])[:, None], raan)  # (n, m, 3)
    scatter = np.einsum("nmi,nmj->mij", h, h) / len(cat)
    _, vec = np.linalg.eigh(scatter)
    line = vec[:, :, 0]
    off = np.abs(np.einsum("nmi,mi->nm", h, line))
    return np.degrees(np.arcsin(np.clip(np.median(off, axis=0), 0.0, 1.0))), line


def _local_minima(values: np.ndarray, count: int) -> np.ndarray:
    """Indices of the `count` lowest local minima of a sampled curve (ends included)."""
    v = np.concatenate([[np.inf], values, [np.inf]])
    k = np.flatnonzero((v[1:-1] <= v[:-2]) & (v[1:-1] <= v[2:]))
    return k[np.argsort(values[k])][:count]


def date_from_planes(cat: Catalog, not_before_jd: float, not_after_jd: float,
                     max_members: int = 100) -> PlaneDating:
    """Time in [not_before_jd, not_after_jd] (UTC JD) at which the fragments' back-propagated orbit planes
    meet in one line, with a confidence; an interval only when no time stands out."""
    sub = _pick_members(cat, max_members)
    if len(sub) < 3 or not not_after_jd > not_before_jd:
        return PlaneDating(None, not_before_jd, not_after_jd, 0.0, float("nan"), np.full(3, np.nan), len(sub))
    grid = np.linspace(not_before_jd, not_after_jd, COARSE_POINTS)
    spread, _ = _meeting(sub, grid)
    typical = float(np.median(spread))
    best_t, best_s = grid[0], np.inf
    for k in _local_minima(spread, 3):
        t, half = grid[k], grid[1] - grid[0]
        while half > 1e-2:  # refine to ~15 min
            fine = np.clip(np.linspace(t - half, t + half, REFINE_POINTS), not_before_jd, not_after_jd)
            s, _ = _meeting(sub, fine)
            j = int(np.argmin(s))
            t, half = fine[j], 4.0 * (fine[1] - fine[0])
            if s[j] < best_s:
                best_t, best_s = float(t), float(s[j])
    _, line = _meeting(sub, np.array([best_t]))
    contrast = float(np.clip(1.0 - best_s / typical, 0.0, 1.0)) if typical > 0 else 0.0
    confidence = contrast * float(np.exp(-best_s / SPREAD_SCALE_DEG)) * min(1.0, len(sub) / FULL_SAMPLE)
    if confidence >= MIN_CONFIDENCE:
        return PlaneDating(best_t, not_before_jd, not_after_jd, confidence, best_s, line[0], len(sub))
    return PlaneDating(None, not_before_jd, not_after_jd, confidence, best_s, line[0], len(sub))


def plane_offset_deg(cat: Catalog, t_jd: float, line: np.ndarray) -> np.ndarray:
    """Angle (deg) between each object's orbit plane at t_jd (secular J2 with decay) and a line."""
    raan = raan_at(cat["raan_deg"], cat.sma_km, _decay_rate_km_day(cat), cat["ecc"], cat["incl_deg"],
                   cat["epoch_jd"] + cat["epoch_fr"], np.array([t_jd]))[:, 0]
    h = orbit_normal(np.radians(cat["incl_deg"]), raan)
    return np.degrees(np.arcsin(np.clip(np.abs(h @ line), 0.0, 1.0)))
