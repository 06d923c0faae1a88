"""Jamming of SATCOM links: antenna discrimination patterns, jammer-to-signal ratio and C/I.

Terminal antennas follow ITU-R S.465-6 side lobes, 32 - 25 log10(phi) dBi for phi_min <= phi < 48 deg and -10 dBi
beyond (phi_min = max(1, 100 lambda/D) deg), with the main lobe Gmax - 2.5e-3 (D phi / lambda)^2 of ITU-R Radio
Regulations Appendix 8 until it meets the side lobes. Satellite beams follow ITU-R S.672-4 (single feed,
circular): -3 (psi/psi0)^2 dB to a psi0, the side-lobe level Ls to 6.32 psi0, then Ls + 20 - 25 log10(psi/psi0).
Uplink jammers point at the satellite; downlink jammers on the ground are heard by a terminal through the
free-space path (line of sight within the 4/3-Earth radio horizon, a worst case without terrain or clutter loss).
The jammer counts as Gaussian noise over the part of its bandwidth that overlaps the carrier.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from orbitshare.satcom.rf import linear_to_db, wavelength_m

__all__ = ["angle_between_deg", "bandwidth_overlap_db", "earth_station_gain_dbi", "radio_horizon_km",
           "satellite_relative_gain_db"]

_S672_A = {-20.0: 2.58, -25.0: 2.88, -30.0: 3.16}


def earth_station_gain_dbi(phi_deg: npt.ArrayLike, diameter_m: float, efficiency: float,
                           f_ghz: float) -> np.ndarray:
    """Gain (dBi) of a terminal antenna phi_deg off its axis (main lobe RR Ap. 8, side lobes ITU-R S.465-6)."""
    phi = np.abs(np.asarray(phi_deg, dtype=np.float64))
    d_lam = diameter_m / float(wavelength_m(f_ghz))
    g_max = float(linear_to_db(efficiency * (np.pi * d_lam) ** 2))
    phi_min = max(1.0, 100.0 / d_lam) if d_lam >= 50.0 else max(2.0, 114.0 * d_lam ** -1.09)
    main = g_max - 2.5e-3 * (d_lam * phi) ** 2
    with np.errstate(divide="ignore"):
        side = np.where(phi < 48.0, 32.0 - 25.0 * np.log10(np.maximum(phi, phi_min)), -10.0)
    return np.where(phi < phi_min, np.maximum(np.minimum(main, g_max), np.minimum(side, g_max)),
                    np.minimum(side, g_max))


def satellite_relative_gain_db(psi_deg: npt.ArrayLike, psi0_deg: float, ls_db: float = -25.0) -> np.ndarray:
    """Satellite antenna gain (dB) relative to beam peak, psi_deg off the beam axis (ITU-R S.672-4)."""
    psi = np.abs(np.asarray(psi_deg, dtype=np.float64)) / psi0_deg
    a = _S672_A.get(float(ls_db), float(np.sqrt(-ls_db / 3.0)))
    with np.errstate(divide="ignore"):
        far = ls_db + 20.0 - 25.0 * np.log10(np.maximum(psi, 6.32))
    return np.where(psi <= a, -3.0 * psi ** 2, np.where(psi <= 6.32, ls_db, far))


def angle_between_deg(az1_deg: npt.ArrayLike, el1_deg: npt.ArrayLike, az2_deg: npt.ArrayLike,
                      el2_deg: npt.ArrayLike) -> np.ndarray:
    """Angle (deg) between two directions given as azimuth/elevation (deg)."""
    a1, e1, a2, e2 = (np.radians(np.asarray(x, dtype=np.float64)) for x in (az1_deg, el1_deg, az2_deg, el2_deg))
    c = np.sin(e1) * np.sin(e2) + np.cos(e1) * np.cos(e2) * np.cos(a1 - a2)
    return np.degrees(np.arccos(np.clip(c, -1.0, 1.0)))


def radio_horizon_km(h1_m: npt.ArrayLike, h2_m: npt.ArrayLike) -> np.ndarray:
    """Line-of-sight distance (km) between two antenna heights (m) over a 4/3-radius Earth: 4.12 (sqrt h1 + sqrt h2)."""
    return 4.12 * (np.sqrt(np.maximum(np.asarray(h1_m, dtype=np.float64), 0.0))
                   + np.sqrt(np.maximum(np.asarray(h2_m, dtype=np.float64), 0.0)))


def bandwidth_overlap_db(f_carrier_ghz: float, b_carrier_mhz: float, f_jam_ghz: float, b_jam_mhz: float) -> float:
    """Fraction (dB) of a jammer's power that falls inside a carrier's band (-inf when they do not overlap)."""
    lo = max(f_carrier_ghz * 1e3 - b_carrier_mhz / 2.0, f_jam_ghz * 1e3 - b_jam_mhz / 2.0)
    hi = min(f_carrier_ghz * 1e3 + b_carrier_mhz / 2.0, f_jam_ghz * 1e3 + b_jam_mhz / 2.0)
    if hi <= lo:
        return float("-inf")
    return float(linear_to_db((hi - lo) / b_jam_mhz))
