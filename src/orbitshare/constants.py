"""Physical constants and unit factors, each defined once (km, s, rad unless the name says otherwise).

SGP4 uses the WGS-72 gravity model (Vallado et al. 2006, AIAA 2006-6753, "improved" mode: ``wgs72``); mean
elements from TLEs and OMMs only mean anything with it. Geodesy (latitude, longitude, height) uses WGS-84
(NIMA TR8350.2).
"""

from __future__ import annotations

from math import sqrt

__all__ = [
    "BOLTZMANN_DBW_PER_K_HZ",
    "C_KMS",
    "DAY_S",
    "EARTH_ROTATION_RAD_S",
    "JD_MJD_OFFSET",
    "JD_UNIX_EPOCH",
    "MIN_PER_DAY",
    "WGS72_J2",
    "WGS72_J3",
    "WGS72_J4",
    "WGS72_MU_KM3S2",
    "WGS72_RE_KM",
    "WGS72_XKE",
    "WGS84_A_KM",
    "WGS84_E2",
    "WGS84_F",
    "WGS84_MU_KM3S2",
]

# --- WGS-72, as SGP4 (Vallado 2006, getgravconst("wgs72")) ----------------------------------------------------
WGS72_MU_KM3S2 = 398600.8
WGS72_RE_KM = 6378.135
WGS72_J2 = 0.001082616
WGS72_J3 = -0.00000253881
WGS72_J4 = -0.00000165597
#: sqrt(mu) in Earth radii^1.5 per minute, SGP4's xke
WGS72_XKE = 60.0 / sqrt(WGS72_RE_KM * WGS72_RE_KM * WGS72_RE_KM / WGS72_MU_KM3S2)

# --- WGS-84 (NIMA TR8350.2) -------------------------------------------------------------------------------------
WGS84_A_KM = 6378.137
WGS84_F = 1.0 / 298.257223563
WGS84_E2 = WGS84_F * (2.0 - WGS84_F)
WGS84_MU_KM3S2 = 398600.4418
#: IERS nominal mean angular velocity of the Earth (rad/s)
EARTH_ROTATION_RAD_S = 7.292115e-5

# --- light, time ------------------------------------------------------------------------------------------------
C_KMS = 299792.458
DAY_S = 86400.0
MIN_PER_DAY = 1440.0
JD_UNIX_EPOCH = 2440587.5  # 1970-01-01T00:00:00 UTC
JD_MJD_OFFSET = 2400000.5  # JD = MJD + JD_MJD_OFFSET

# --- radio ------------------------------------------------------------------------------------------------------
#: Boltzmann's constant, 10 log10(1.380649e-23 J/K) (SI 2019, exact k), in dBW/(K Hz)
BOLTZMANN_DBW_PER_K_HZ = -228.5991
