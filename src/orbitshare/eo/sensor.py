"""Imaging geometry of a sensor on a spherical Earth: incidence, slant range, ground swath and GSD off nadir.

Model (stated in docs/eo.md): a pushbroom imager pointed off nadir by eta sees the ground at incidence
theta = asin((Re + h) / Re * sin eta); its sample spacing grows with slant range R along track (R / h) and, across
track, with R / h / cos(theta). The reported GSD is the geometric mean of the two,
gsd = gsd_nadir * (R / h) / sqrt(cos theta); the ground swath is swath_nadir * (R / h) / cos(theta).
"""

from __future__ import annotations

import numpy as np

from orbitshare.constants import WGS84_A_KM

__all__ = ["ground_swath_km", "gsd_m", "incidence_deg", "off_nadir_from_incidence_deg", "slant_range_km"]


def incidence_deg(off_nadir_deg, altitude_km) -> np.ndarray:
    """Local incidence angle (deg) on a spherical Earth for an off-nadir angle (deg) from altitude_km."""
    s = (WGS84_A_KM + np.asarray(altitude_km)) / WGS84_A_KM * np.sin(np.radians(off_nadir_deg))
    return np.degrees(np.arcsin(np.clip(s, -1.0, 1.0)))


def off_nadir_from_incidence_deg(incidence, altitude_km) -> np.ndarray:
    """Off-nadir angle (deg) at the satellite that gives a local incidence angle (deg), spherical Earth."""
    s = WGS84_A_KM / (WGS84_A_KM + np.asarray(altitude_km)) * np.sin(np.radians(incidence))
    return np.degrees(np.arcsin(s))


def slant_range_km(off_nadir_deg, altitude_km) -> np.ndarray:
    """Slant range (km) from the satellite to the ground point seen at an off-nadir angle (deg)."""
    eta = np.radians(off_nadir_deg)
    lam = np.radians(incidence_deg(off_nadir_deg, altitude_km)) - eta  # Earth central angle
    return np.where(eta > 1e-9, WGS84_A_KM * np.sin(lam) / np.maximum(np.sin(eta), 1e-12), np.asarray(altitude_km))


def ground_swath_km(swath_nadir_km, range_km, altitude_km, incidence) -> np.ndarray:
    """Ground width (km) across track of a swath of swath_nadir_km at nadir, seen at a slant range and incidence."""
    return np.asarray(swath_nadir_km) * (np.asarray(range_km) / altitude_km) / np.cos(
        np.radians(np.minimum(incidence, 89.0)))


def gsd_m(gsd_nadir_m, range_km, altitude_km, incidence) -> np.ndarray:
    """Achievable GSD (m), geometric mean of along- and across-track sampling, of an imager with gsd_nadir_m."""
    return np.asarray(gsd_nadir_m) * (np.asarray(range_km) / altitude_km) / np.sqrt(
        np.cos(np.radians(np.minimum(incidence, 89.0))))
