"""Radio-frequency basics shared by link budgets, jamming and PNT: decibels, wavelength, free-space loss."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from orbitshare.constants import C_KMS

__all__ = ["db_to_linear", "free_space_loss_db", "linear_to_db", "wavelength_m"]


def linear_to_db(x: npt.ArrayLike) -> np.ndarray:
    """10 log10 of a power ratio (dB); zero gives -inf."""
    with np.errstate(divide="ignore"):
        return 10.0 * np.log10(np.asarray(x, dtype=np.float64))


def db_to_linear(x_db: npt.ArrayLike) -> np.ndarray:
    """Power ratio of a value in dB."""
    return np.power(10.0, np.asarray(x_db, dtype=np.float64) / 10.0)


def wavelength_m(f_ghz: npt.ArrayLike) -> np.ndarray:
    """Free-space wavelength (m) of a frequency (GHz)."""
    return C_KMS * 1e3 / (np.asarray(f_ghz, dtype=np.float64) * 1e9)


def free_space_loss_db(range_km: npt.ArrayLike, f_ghz: npt.ArrayLike) -> np.ndarray:
    """Free-space path loss (dB), (4 pi d / lambda)^2, of a slant range (km) at a frequency (GHz) (ITU-R P.525)."""
    d_m = np.asarray(range_km, dtype=np.float64) * 1e3
    return 20.0 * np.log10(4.0 * np.pi * d_m / wavelength_m(f_ghz))
