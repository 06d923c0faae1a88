"""Pointing geometry shared by the planners: SGP4 states in TEME and ITRS, lines of sight, slew times, eclipse.

Slew angles are angles between two line-of-sight vectors expressed in one inertial frame (TEME), so the
rotation of the Earth between two acquisitions is accounted for. The slew model is the scalar
bang-coast-bang profile: accelerate at `a`, coast at `v`, decelerate at `a`.
"""

from __future__ import annotations

import numpy as np

from orbitshare.astro.access import sun_direction_teme
from orbitshare.astro.frames import gmst82_rad

__all__ = ["EARTH_SHADOW_RADIUS_KM", "angle_between_deg", "itrs_to_teme", "slew_time_s", "sunlit"]

#: Radius (km) of the cylindrical Earth shadow (equatorial radius of the EGM/GGM gravity models).
EARTH_SHADOW_RADIUS_KM = 6378.1363


def itrs_to_teme(r_itrs_km, jd, fr) -> np.ndarray:
    """TEME vectors (..., m, 3) of ITRS vectors (..., m, 3) at m UTC times (rotation by GMST 1982, no polar motion)."""
    theta, _ = gmst82_rad(np.atleast_1d(jd), np.atleast_1d(fr))
    c, s = np.cos(theta), np.sin(theta)
    r = np.asarray(r_itrs_km, dtype=np.float64)
    x, y = r[..., 0], r[..., 1]
    return np.stack([c * x - s * y, s * x + c * y, r[..., 2]], axis=-1)


def angle_between_deg(a, b) -> np.ndarray:
    """Angle (deg) between vectors a and b (..., 3); 0 where either is zero."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    na, nb = np.linalg.norm(a, axis=-1), np.linalg.norm(b, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.sum(a * b, axis=-1) / (na * nb)
    ang = np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))
    return np.where((na > 0) & (nb > 0), ang, 0.0)


def slew_time_s(angle_deg, max_rate_deg_s, max_accel_deg_s2) -> np.ndarray:
    """Bang-coast-bang rest-to-rest slew time (s) through angle_deg at the rate and acceleration limits."""
    ang = np.maximum(np.asarray(angle_deg, dtype=np.float64), 0.0)
    v = np.asarray(max_rate_deg_s, dtype=np.float64)
    a = np.asarray(max_accel_deg_s2, dtype=np.float64)
    threshold = v * v / a
    triangle = 2.0 * np.sqrt(ang / a)
    trapezoid = 2.0 * v / a + (ang - threshold) / v
    out = np.where(ang <= threshold, triangle, trapezoid)
    return np.where(ang <= 1e-9, 0.0, out)


def sunlit(r_teme_km, jd, fr) -> np.ndarray:
    """Whether positions (..., m, 3) in TEME (km) are outside the Earth's cylindrical shadow at m UTC times."""
    sun = sun_direction_teme(jd, fr)
    r = np.asarray(r_teme_km, dtype=np.float64)
    proj = np.sum(r * sun, axis=-1)
    perp = np.linalg.norm(r - proj[..., None] * sun, axis=-1)
    return ~((proj < 0.0) & (perp < EARTH_SHADOW_RADIUS_KM))
