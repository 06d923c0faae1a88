"""Link budget arithmetic: C/N0, Es/N0, rain sky-noise, C/(N+I), margin and ACM throughput, on numpy arrays.

All quantities are in dB units named in the argument (dBW, dB/K, dB-Hz) and broadcast over sites x times x p.
C/N0 = EIRP - FSL - A - L_other + G/T - k (k = -228.6 dBW/K/Hz); Es/N0 = C/N0 - 10 log10(Rs) with the symbol rate
Rs = B / (1 + roll-off). On a downlink, attenuation A also raises the receiver noise by the sky temperature
T_mr (1 - 10^(-A/10)) (ITU-R P.618-13 section 3, T_mr = 275 K); uplinks see the warm Earth and do not.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from orbitshare.constants import BOLTZMANN_DBW_PER_K_HZ
from orbitshare.satcom.rf import db_to_linear, free_space_loss_db, linear_to_db

__all__ = ["MEDIUM_TEMPERATURE_K", "cn0_dbhz", "combine_cn_db", "esn0_db", "rain_noise_increase_db",
           "symbol_rate_hz", "throughput_mbps"]

MEDIUM_TEMPERATURE_K = 275.0  # ITU-R P.618-13 eq. (71): mean radiating temperature of the medium


def symbol_rate_hz(bandwidth_mhz: float, rolloff: float) -> float:
    """Symbol rate (baud) that fills an occupied bandwidth (MHz) with a roll-off factor."""
    return bandwidth_mhz * 1e6 / (1.0 + rolloff)


def rain_noise_increase_db(atten_db: npt.ArrayLike, system_noise_k: float) -> np.ndarray:
    """Rise (dB) of a downlink receiver's system noise temperature (K) caused by an attenuation (dB) of the sky."""
    a = np.asarray(atten_db, dtype=np.float64)
    dt = MEDIUM_TEMPERATURE_K * (1.0 - db_to_linear(-a))
    return np.asarray(linear_to_db((system_noise_k + dt) / system_noise_k))


def cn0_dbhz(eirp_dbw: npt.ArrayLike, range_km: npt.ArrayLike, f_ghz: float, atten_db: npt.ArrayLike,
             g_t_dbk: npt.ArrayLike, other_loss_db: npt.ArrayLike = 0.0) -> np.ndarray:
    """Carrier-to-noise density C/N0 (dB-Hz) of a link."""
    return (np.asarray(eirp_dbw, dtype=np.float64) - free_space_loss_db(range_km, f_ghz)
            - np.asarray(atten_db) - np.asarray(other_loss_db) + np.asarray(g_t_dbk) - BOLTZMANN_DBW_PER_K_HZ)


def esn0_db(cn0: npt.ArrayLike, symbol_rate: float) -> np.ndarray:
    """Es/N0 (dB) of C/N0 (dB-Hz) at a symbol rate (baud)."""
    return np.asarray(cn0, dtype=np.float64) - float(linear_to_db(symbol_rate))


def combine_cn_db(*ratios_db: npt.ArrayLike) -> np.ndarray:
    """Total carrier-to-(noise + interference) ratio (dB) of independent contributions: 1/x = sum 1/x_i."""
    inv = sum(db_to_linear(-np.asarray(r, dtype=np.float64)) for r in ratios_db)
    return -np.asarray(linear_to_db(inv))


def throughput_mbps(efficiency_bps_hz: npt.ArrayLike, symbol_rate: float) -> np.ndarray:
    """Information rate (Mbit/s) of a MODCOD efficiency (bit/symbol) at a symbol rate (baud)."""
    return np.asarray(efficiency_bps_hz, dtype=np.float64) * symbol_rate / 1e6
