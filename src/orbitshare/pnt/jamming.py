"""Ground jammers against GNSS receivers: jammer-to-signal ratio (J/S) over a region and where lock is lost.

Received jamming power, per jammer and receiver point (dBW):
``J = EIRP - L_fs(d, f) + G_rx - L_pol + 10 log10(overlap)`` where L_fs is free-space loss (ITU-R P.525) over the
straight-line distance d between the antennas (heights above the WGS-84 ellipsoid, no terrain), G_rx the
receiver antenna gain toward the jammer (a stated parameter; ground jammers arrive near the horizon where a
GNSS antenna has little gain) and overlap the fraction of the jammer's power inside the receiver's front-end
band. With the horizon limit, a jammer beyond the radio horizon ``sqrt(2 k R h_j) + sqrt(2 k R h_r)`` (k = 4/3,
R = 6371 km) contributes nothing. Powers of several jammers add.

``J/S = J - S_min`` against the signal's minimum received power from its interface specification (the
weakest satellite; stronger ones tolerate more). Lock is lost where J/S exceeds the receiver's tolerance, taken
as given or derived from the effective C/N0 under interference (Kaplan & Hegarty, Understanding GPS:
Principles and Applications, 2nd ed. 2006, ch. 6):
``(C/N0)_eff = [1/(C/N0) + (J/S)/(Q R_c)]^-1`` so ``J/S_max = 10 log10(Q R_c (10^(-T/10) - 10^(-(C/N0)/10)))``
with R_c the chip rate, Q the spectral-separation factor (1 narrowband/CW, 1.5 spread-spectrum, 2 wideband noise)
and T the tracking threshold (dB-Hz); C/N0 = S_min + G_sat - 10 log10(k T_sys) - L_impl.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orbitshare.astro.frames import geodetic_to_itrs
from orbitshare.constants import BOLTZMANN_DBW_PER_K_HZ
from orbitshare.satcom.rf import db_to_linear, free_space_loss_db, linear_to_db

__all__ = [
    "BANDS", "JAMMER_Q", "SIGNALS", "Jammer", "JammingResult", "PropagationModel", "ReceiverModel", "Signal",
    "band_overlap_fraction", "carrier_to_noise_dbhz", "jamming", "js_tolerance_db", "radio_horizon_km",
    "received_jamming_dbw",
]

#: Mean Earth radius (km) used with the effective-Earth k-factor for the radio horizon (ITU-R P.834).
EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True)
class Signal:
    """A GNSS open signal: system, band, carrier (MHz), minimum received power (dBW), chip rate (chip/s)."""

    key: str
    system: str
    band: str
    f_mhz: float
    min_power_dbw: float
    chip_rate_hz: float
    rx_bandwidth_mhz: float
    source: str


SIGNALS: dict[str, Signal] = {
    "GPS-L1CA": Signal("GPS-L1CA", "GPS", "L1", 1575.42, -158.5, 1.023e6, 2.046,
                       "IS-GPS-200, L1 C/A minimum received power -158.5 dBW (3 dBi linearly polarised antenna, "
                       "elevation 5 deg and above)"),
    "GAL-E1": Signal("GAL-E1", "GAL", "L1", 1575.42, -157.0, 1.023e6, 4.092,
                     "Galileo OS SIS ICD, E1 (B+C) minimum received power -157 dBW (0 dBi RHCP antenna, "
                     "elevation 10 deg and above)"),
    "GPS-L5": Signal("GPS-L5", "GPS", "L5", 1176.45, -157.9, 10.23e6, 20.46,
                     "IS-GPS-705, L5 minimum received power -157.9 dBW per component (I5 or Q5)"),
    "GAL-E5a": Signal("GAL-E5a", "GAL", "L5", 1176.45, -155.0, 10.23e6, 20.46,
                      "Galileo OS SIS ICD, E5a minimum received power -155 dBW"),
}
#: Frequency bands and their centre frequencies (MHz): L1/E1 and L5/E5a share carriers.
BANDS = {"L1": 1575.42, "E1": 1575.42, "L5": 1176.45, "E5A": 1176.45}
#: Spectral-separation factor Q by jammer waveform (Kaplan & Hegarty 2006, ch. 6).
JAMMER_Q = {"cw": 1.0, "spread": 1.5, "noise": 2.0}


@dataclass(frozen=True)
class Jammer:
    """A ground jammer: WGS-84 position (deg), antenna height (m), EIRP (dBW), carrier and bandwidth (MHz)."""

    name: str
    lat_deg: float
    lon_deg: float
    height_m: float
    eirp_dbw: float
    f_mhz: float
    bandwidth_mhz: float
    waveform: str = "noise"

    def as_dict(self) -> dict:
        """Row for tables and JSON."""
        return {"name": self.name, "lat_deg": self.lat_deg, "lon_deg": self.lon_deg, "height_m": self.height_m,
                "eirp_dbw": self.eirp_dbw, "f_mhz": self.f_mhz, "bandwidth_mhz": self.bandwidth_mhz,
                "waveform": self.waveform}


@dataclass(frozen=True)
class ReceiverModel:
    """Receiver: antenna height (m), gain toward jammers (dBi), signals used, tracking threshold and noise.

    js_tolerance_db, when given, replaces the tolerance derived from the tracking threshold.
    """

    height_m: float = 2.0
    gain_toward_jammer_dbi: float = -5.0
    polarisation_loss_db: float = 0.0
    signals: tuple[str, ...] = ("GPS-L1CA", "GAL-E1")
    tracking_threshold_dbhz: float = 28.0
    noise_temperature_k: float = 290.0
    satellite_gain_dbi: float = 0.0
    implementation_loss_db: float = 2.0
    js_tolerance_db: float | None = None


@dataclass(frozen=True)
class PropagationModel:
    """Free space, optionally limited to the radio horizon with effective-Earth factor k."""

    horizon: bool = True
    k_factor: float = 4.0 / 3.0


@dataclass
class JammingResult:
    """J/S (dB) per point and signal (points, signals), tolerance per signal, lock per point and system."""

    signals: tuple[str, ...]
    js_db: np.ndarray
    tolerance_db: np.ndarray
    signal_lost: np.ndarray
    systems: tuple[str, ...]
    system_ok: np.ndarray

    def js_by_band(self) -> dict[str, np.ndarray]:
        """Largest J/S (dB) per point over the signals of each band."""
        out: dict[str, np.ndarray] = {}
        for k, key in enumerate(self.signals):
            band = SIGNALS[key].band
            out[band] = np.maximum(out[band], self.js_db[:, k]) if band in out else self.js_db[:, k].copy()
        return out


def radio_horizon_km(h1_m, h2_m, k_factor: float = 4.0 / 3.0) -> np.ndarray:
    """Radio-horizon distance (km) between antennas at heights h1, h2 (m) over a smooth Earth of radius k R."""
    re_m = k_factor * EARTH_RADIUS_KM * 1e3
    h1 = np.maximum(np.asarray(h1_m, dtype=np.float64), 0.0)
    h2 = np.maximum(np.asarray(h2_m, dtype=np.float64), 0.0)
    return (np.sqrt(2.0 * re_m * h1) + np.sqrt(2.0 * re_m * h2)) / 1e3


def band_overlap_fraction(f_jam_mhz, bw_jam_mhz, f_rx_mhz, bw_rx_mhz) -> np.ndarray:
    """Fraction of a jammer's power (flat over its bandwidth, MHz) inside a receiver band (MHz); CW is a line."""
    fj, bj = np.asarray(f_jam_mhz, dtype=np.float64), np.asarray(bw_jam_mhz, dtype=np.float64)
    lo = np.maximum(fj - bj / 2.0, f_rx_mhz - bw_rx_mhz / 2.0)
    hi = np.minimum(fj + bj / 2.0, f_rx_mhz + bw_rx_mhz / 2.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(bj > 0.0, np.clip(hi - lo, 0.0, None) / bj, (np.abs(fj - f_rx_mhz) <= bw_rx_mhz / 2.0) * 1.0)
    return np.clip(frac, 0.0, 1.0)


def carrier_to_noise_dbhz(signal: Signal, rx: ReceiverModel) -> float:
    """Unjammed C/N0 (dB-Hz) of a signal at its minimum received power with the receiver's noise and losses."""
    n0 = BOLTZMANN_DBW_PER_K_HZ + 10.0 * np.log10(rx.noise_temperature_k)
    return float(signal.min_power_dbw + rx.satellite_gain_dbi - n0 - rx.implementation_loss_db)


def js_tolerance_db(signal: Signal, rx: ReceiverModel, waveform: str = "noise") -> float:
    """J/S (dB) at which the effective C/N0 falls to the tracking threshold; -inf if it is below without jamming."""
    if rx.js_tolerance_db is not None:
        return float(rx.js_tolerance_db)
    cn0 = carrier_to_noise_dbhz(signal, rx)
    room = 10.0 ** (-rx.tracking_threshold_dbhz / 10.0) - 10.0 ** (-cn0 / 10.0)
    if room <= 0.0:
        return float("-inf")
    return float(10.0 * np.log10(JAMMER_Q[waveform] * signal.chip_rate_hz * room))


def received_jamming_dbw(jammers: list[Jammer], lat_deg, lon_deg, h_ground_km, signal: Signal, rx: ReceiverModel,
                         prop: PropagationModel) -> tuple[np.ndarray, np.ndarray]:
    """Jamming power (dBW) in a signal's receiver band at points (all jammers), and (points, jammers) distances km.

    Points are WGS-84 latitude/longitude (deg) with ground height above the ellipsoid (km); the receiver antenna
    is rx.height_m above it and each jammer antenna height_m above the ellipsoid.
    """
    lat = np.atleast_1d(np.asarray(lat_deg, dtype=np.float64))
    lon = np.atleast_1d(np.asarray(lon_deg, dtype=np.float64))
    h = np.broadcast_to(np.asarray(h_ground_km, dtype=np.float64), lat.shape)
    p_rx = geodetic_to_itrs(lat, lon, h + rx.height_m / 1e3)                                   # (P, 3)
    total = np.zeros(lat.shape)
    dist = np.empty((lat.shape[0], len(jammers)))
    for k, j in enumerate(jammers):
        p_j = geodetic_to_itrs(j.lat_deg, j.lon_deg, j.height_m / 1e3)
        d_km = np.maximum(np.linalg.norm(p_rx - p_j, axis=-1), 1e-3)                            # >= 1 m
        dist[:, k] = d_km
        frac = float(band_overlap_fraction(j.f_mhz, j.bandwidth_mhz, signal.f_mhz, signal.rx_bandwidth_mhz))
        if frac <= 0.0:
            continue
        j_dbw = (j.eirp_dbw - free_space_loss_db(d_km, j.f_mhz / 1e3) + rx.gain_toward_jammer_dbi
                 - rx.polarisation_loss_db + linear_to_db(frac))
        power = db_to_linear(j_dbw)
        if prop.horizon:
            power = np.where(d_km <= radio_horizon_km(j.height_m, rx.height_m, prop.k_factor), power, 0.0)
        total += power
    return linear_to_db(total), dist


def jamming(jammers: list[Jammer], lat_deg, lon_deg, h_ground_km, rx: ReceiverModel | None = None,
            prop: PropagationModel | None = None) -> JammingResult:
    """J/S (dB) of every receiver signal at every point and the systems whose receivers keep lock there.

    A system stays usable at a point while at least one of its signals used by the receiver keeps lock. The
    tolerance of each signal is that of the jammers' dominant waveform at the point (the smallest Q present,
    the most harmful, when the waveforms differ).
    """
    rx = rx or ReceiverModel()
    prop = prop or PropagationModel()
    keys = tuple(rx.signals)
    lat = np.atleast_1d(np.asarray(lat_deg, dtype=np.float64))
    js = np.full((lat.shape[0], len(keys)), -np.inf)
    tol = np.empty(len(keys))
    waveform = min((j.waveform for j in jammers), key=lambda w: JAMMER_Q[w], default="noise")
    for k, key in enumerate(keys):
        sig = SIGNALS[key]
        tol[k] = js_tolerance_db(sig, rx, waveform)
        if jammers:
            j_dbw, _ = received_jamming_dbw(jammers, lat, lon_deg, h_ground_km, sig, rx, prop)
            js[:, k] = j_dbw - sig.min_power_dbw
    lost = js > tol[None, :]
    systems = tuple(dict.fromkeys(SIGNALS[k].system for k in keys))
    ok = np.zeros((lat.shape[0], len(systems)), dtype=bool)
    for s, name in enumerate(systems):
        cols = [k for k, key in enumerate(keys) if SIGNALS[key].system == name]
        ok[:, s] = np.any(~lost[:, cols], axis=1)
    return JammingResult(keys, js, tol, lost, systems, ok)
