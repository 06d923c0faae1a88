"""Secular J2 node drift against the published sun-synchronous condition and a numerical integration."""

from __future__ import annotations

import numpy as np

from orbitshare.astro.secular import orbit_normal, raan_at, raan_rate_rad_day


def test_sun_synchronous_orbit_turns_once_a_year():
    """A circular 700 km orbit at 98.19 deg inclination (the widely tabulated sun-synchronous pair) turns its
    node 360 deg per tropical year, 0.9856 deg/day."""
    rate = np.degrees(raan_rate_rad_day(6378.137 + 700.0, 0.0, 98.19))
    assert abs(rate - 360.0 / 365.2422) < 0.005


def test_closed_form_drift_with_decay_matches_quadrature():
    """raan_at's closed form with a decaying semi-major axis equals a fine trapezoidal integration."""
    a0, adot, ecc, incl = np.array([6900.0, 7300.0]), np.array([-0.05, -0.001]), np.array([0.001, 0.02]), \
        np.array([82.5, 98.6])
    t = np.array([-3000.0, -10.0, 0.0, 400.0])
    got = raan_at(np.zeros(2), a0, adot, ecc, incl, np.zeros(2), t)
    for k in range(2):
        for j, tj in enumerate(t):
            s = np.linspace(0.0, tj, 200_001)
            rate = raan_rate_rad_day(a0[k] + adot[k] * s, ecc[k], incl[k])
            want = np.sum(0.5 * (rate[1:] + rate[:-1]) * np.diff(s))
            assert abs(got[k, j] - want) < 1e-9 + 1e-9 * abs(want)


def test_orbit_normal_is_unit_and_polar_for_zero_inclination():
    n = orbit_normal(np.radians([0.0, 90.0]), np.radians([40.0, 0.0]))
    assert np.allclose(np.linalg.norm(n, axis=-1), 1.0)
    assert np.allclose(n[0], [0.0, 0.0, 1.0]) and np.allclose(n[1], [0.0, -1.0, 0.0])
