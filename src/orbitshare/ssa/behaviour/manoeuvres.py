"""Manoeuvre detection from the element-set history of one object (TLE or OMM series).

Method (one configuration per regime, see REGIME_CONFIG and docs/sda.md):
1. Sort by epoch, merge element sets less than `min_gap_s` apart (the later one wins), drop SGP4-invalid ones.
2. Series from the mean elements: semi-major axis a (in-track burns), eccentricity vector (radial), orbit-plane
   angles (inclination, node drift-corrected; normal) and the along-track angle (mean longitude).
3. At every boundary between successive element sets, a robust step: the median level of the next k sets
   minus that of the previous k sets, both referred to the boundary with the local robust slope (median of
   the neighbouring increments per day: drag decay, J2 node drift).
4. Each step is converted to a delta-v component (Gauss equations for near-circular orbits, RTN) and compared
   with the local noise (scaled median absolute deviation of the increments): a boundary is a detection when a
   component exceeds both its z threshold and the regime's delta-v floor. Neighbouring boundaries that see the
   same step are merged into one detection placed at the largest detrended single increment.
5. Burn sequences days apart (LEO): a group with an in-track hit is split by binary segmentation of the
   detrended semi-major axis; one detection per step.
6. Window (window_start_jd, window_end_jd]: from the step onset less the catalog lag (public element sets
   absorb a burn only after their fit span) to the first epoch showing the step plus the fit-span lead.
7. Burn time with a 1-sigma uncertainty (:func:`_burn_time`): an impulsive burn keeps the position
   continuous, so the along-track angle histories fitted on each side of the step (lines whose slopes differ by
   the mean-motion change the semi-major axis step gives) cross at the burn; the crossing is taken when its
   uncertainty is below `max_crossing_sigma_days` and it lies in the window. Otherwise the burn lies near the
   bracket the semi-major-axis history gives (from the start of its ramp, when the catalog absorbed the burn
   over several sets, to the first set showing the step): `bracket_fraction` of the way plus
   `bracket_offset_days`, with the uniform-distribution sigma. A calibrated model-error floor
   (`time_sigma_floor_s`) is added in quadrature to every sigma.
Scoring against reported times is in :mod:`orbitshare.ssa.behaviour.evaluation`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from orbitshare.astro.time import format_utc
from orbitshare.catalog import Catalog
from orbitshare.catalog.records import Reject, check_elements
from orbitshare.constants import WGS72_MU_KM3S2

__all__ = ["KINDS", "MU_KM3S2", "REGIME_CONFIG", "TIMINGS", "DetectorConfig", "History", "Manoeuvre",
           "detect_manoeuvres", "fit_ramp", "history_from_records", "majority_regime",
           "step_margin"]

#: SGP4's WGS-72 GM: the histories' mean motions are SGP4 mean elements, so their semi-major axes and
#: speeds use the same constant.
MU_KM3S2 = WGS72_MU_KM3S2
KINDS = ("in-track", "radial", "normal", "combined")
TIMINGS = ("crossing", "bracket")
SIG_MEDIAN = 1.2533  # standard error of a median over that of a mean (normal noise)


@dataclass(frozen=True)
class DetectorConfig:
    """Detection parameters of one orbit regime (never tuned per satellite)."""

    k: int = 3  # element sets on each side of a boundary for the median levels
    noise_window: int = 121  # increments in the rolling noise (MAD) and slope estimates
    z_threshold: float = 8.0  # in-track step / noise, in noise units
    z_radial: float = 40.0  # eccentricity-vector step / noise
    z_normal: float = 20.0  # orbit-plane step / noise
    lag_days: float = 2.0  # catalog lag: public element sets absorb a manoeuvre only after their fit span
    lead_days: float = 0.0  # fit-span lead: a set's epoch can precede the last observations of its fit
    min_dv_intrack_mps: float = 0.0005  # floors per component (m/s)
    min_dv_radial_mps: float = 0.2
    min_dv_normal_mps: float = 1.5
    min_gap_s: float = 600.0  # element sets closer than this are merged (later one kept)
    merge_sets: int = 3  # boundaries closer than this many sets form one detection
    split: bool = True  # split a hit group into several in-track steps (burn sequences days apart)
    min_segment: int = 2  # fewest sets between two split steps
    z_split: float = 60.0  # significance of each step of a split group, in noise units
    relocate: bool = True  # move each split step to the largest single increment next to it
    timing: str = "crossing"  # burn time: along-track "crossing" (bracket fallback) or the "bracket" only
    k_time: int = 3  # sets on each side fitted by the along-track lines
    max_crossing_sigma_days: float = 0.5  # crossings less certain than this fall back to the bracket
    ramp: bool = True  # bracket starts at the start of the semi-major-axis ramp (else at the set before)
    ramp_span_days: float = 6.0  # ramp fit: sets this close to the step
    bracket_fraction: float = 0.5  # bracket timing: this fraction of the way from its start to its end
    bracket_offset_days: float = 0.0  # added to the bracket estimate (catalogs that show a burn sets late)
    bracket_in_window: bool = True  # hold the bracket inside the window (else widen the window to the estimate)
    time_sigma_floor_s: float = 0.0  # model error added in quadrature to every burn-time sigma (calibrated)

    def __post_init__(self) -> None:
        if self.timing not in TIMINGS:
            raise ValueError(f"timing must be one of {', '.join(TIMINGS)}, not {self.timing!r}")


REGIME_CONFIG: dict[str, DetectorConfig] = {  # chosen by leave-one-satellite-out (bench/sda.py)
    "LEO": DetectorConfig(z_threshold=10.0, bracket_fraction=0.0, bracket_offset_days=-0.5, bracket_in_window=False,
                          time_sigma_floor_s=3013.0),
    "GEO": DetectorConfig(k=3, noise_window=61, z_threshold=8.0, z_radial=40.0, z_normal=20.0, lag_days=2.0,
                          min_dv_intrack_mps=0.05, min_dv_radial_mps=0.2, min_dv_normal_mps=2.0, split=False,
                          ramp=False, max_crossing_sigma_days=10.0, bracket_fraction=0.0, bracket_offset_days=-0.5,
                          time_sigma_floor_s=13780.0),
}
REGIME_CONFIG["MEO"] = REGIME_CONFIG["LEO"]
REGIME_CONFIG["HEO"] = REGIME_CONFIG["GEO"]


@dataclass
class Manoeuvre:
    """One detected manoeuvre: burn time and window (UTC JD), delta-v (m/s, RTN) with 1-sigma, kind, confidence."""

    norad_id: int
    window_start_jd: float
    window_end_jd: float
    dv_radial_mps: float
    dv_intrack_mps: float
    dv_normal_mps: float
    direction: str  # "in-track +", "in-track -", "radial", "normal" (main component)
    kind: str  # one of KINDS: the significant components
    confidence: float
    z_score: float
    delta_sma_km: float
    delta_incl_deg: float
    element_sets: tuple[int, int] = (0, 0)  # row indices (before, after) in the cleaned history
    evidence: dict = field(default_factory=dict)
    time_jd: float = float("nan")  # estimated burn time (UTC JD), inside the window
    time_sigma_s: float = float("nan")  # 1-sigma of time_jd (s)
    timing: str = ""  # how time_jd was found: "crossing" or "bracket"
    dv_sigma_mps: tuple[float, float, float] = (0.0, 0.0, 0.0)  # 1-sigma of the R, T, N components
    purpose: str = ""  # "station-keeping" (back towards the long-term level) or "orbit change"
    axis: str = ""  # GEO: "east-west", "north-south" or "east-west+north-south"; empty elsewhere

    @property
    def dv_mps(self) -> float:
        """Magnitude of the estimated delta-v (m/s)."""
        return float(np.sqrt(self.dv_radial_mps**2 + self.dv_intrack_mps**2 + self.dv_normal_mps**2))

    def as_dict(self) -> dict:
        """Flat dict with ISO 8601 UTC times (for CSV/JSON): burn time and its sigma first, then the window."""
        sr, st, sn = self.dv_sigma_mps
        return {"norad_id": self.norad_id,
                "time": str(format_utc(self.time_jd, 0.0)) if np.isfinite(self.time_jd) else "",
                "time_sigma_s": round(self.time_sigma_s, 0) if np.isfinite(self.time_sigma_s) else "",
                "window_start": str(format_utc(self.window_start_jd, 0.0)),
                "window_end": str(format_utc(self.window_end_jd, 0.0)),
                "dv_mps": round(self.dv_mps, 5), "dv_radial_mps": round(self.dv_radial_mps, 5),
                "dv_radial_sigma_mps": round(sr, 5), "dv_intrack_mps": round(self.dv_intrack_mps, 5),
                "dv_intrack_sigma_mps": round(st, 5), "dv_normal_mps": round(self.dv_normal_mps, 5),
                "dv_normal_sigma_mps": round(sn, 5), "kind": self.kind, "direction": self.direction,
                "axis": self.axis, "purpose": self.purpose, "confidence": round(self.confidence, 3),
                "z_score": round(self.z_score, 2), "timing": self.timing,
                "delta_sma_m": round(self.delta_sma_km * 1000.0, 2), "delta_incl_deg": round(self.delta_incl_deg, 5)}


@dataclass
class History:
    """Cleaned element-set history of one object: a Catalog with one row per element set, sorted by epoch."""

    catalog: Catalog
    rejects: list[Reject]

    @property
    def t_jd(self) -> np.ndarray:
        """Epochs as single float Julian dates (UTC)."""
        return self.catalog["epoch_jd"] + self.catalog["epoch_fr"]


def history_from_records(items, source: str, norad_id: int | None = None,
                         min_gap_s: float | None = None) -> History:
    """History from parser output (dicts and Rejects): validated, one object, sorted, near-duplicates merged."""
    rejects = [r for r in items if isinstance(r, Reject)]
    good = []
    for rec in (r for r in items if not isinstance(r, Reject)):
        problem = check_elements(rec)
        if problem:
            rejects.append(Reject(source, rec.get("_location", "?"), problem[0], problem[1], rec["norad_id"]))
        else:
            good.append(rec)
    if not good:
        raise ValueError(f"{source}: no valid element sets ({len(rejects)} rejected)")
    ids = sorted({r["norad_id"] for r in good})
    if norad_id is None and len(ids) > 1:
        raise ValueError(f"{source}: element sets of several objects {ids[:5]}; choose one NORAD id")
    target = ids[0] if norad_id is None else norad_id
    good = [r for r in good if r["norad_id"] == target]
    if not good:
        raise ValueError(f"{source}: no element sets of NORAD {target}")
    cat = Catalog.from_records(good)
    t = cat["epoch_jd"] + cat["epoch_fr"]
    order = np.argsort(t, kind="stable")
    cat, t = cat.take(order), t[order]
    gap_d = (min_gap_s if min_gap_s is not None else DetectorConfig().min_gap_s) / 86400.0
    keep = np.ones(len(t), dtype=bool)
    keep[:-1] = np.diff(t) > gap_d  # of a close pair, the later (reprocessed) set wins
    for i in np.flatnonzero(~keep):
        rejects.append(Reject(source, f"element set {i}", "EPOCH",
                              "within the merge gap of the next element set; replaced", int(target)))
    return History(cat.take(keep), rejects)


def _rolling_median(x: np.ndarray, window: int) -> np.ndarray:
    """Centred rolling median of a 1-D array (window shrinks at the ends to what is available)."""
    n = len(x)
    w = min(window | 1, n if n % 2 else n - 1)
    if w < 1 or n == 0:
        return x.copy()
    half = w // 2
    padded = np.concatenate([x[:half][::-1], x, x[-half:][::-1]]) if half else x
    return np.median(sliding_window_view(padded, w), axis=1)


def _series(cat: Catalog) -> dict[str, np.ndarray]:
    """Semi-major axis (km), eccentricity vector, inclination (rad), unwrapped node (rad) and speed (m/s)."""
    a = cat.sma_km
    e, w = cat["ecc"], np.radians(cat["argp_deg"])
    return {"a": a, "ex": e * np.cos(w), "ey": e * np.sin(w), "i": np.radians(cat["incl_deg"]),
            "raan": np.unwrap(np.radians(cat["raan_deg"])), "v": np.sqrt(MU_KM3S2 / a) * 1000.0}


def _steps(x: np.ndarray, t: np.ndarray, k: int, noise_window: int) -> tuple[np.ndarray, ...]:
    """Robust step at every boundary (n-1 values: level after minus level before), local noise scale, the
    detrended single increments (same units as x) and the local slope (per day)."""
    n = len(x)
    dt = np.maximum(np.diff(t), 1e-6)
    d = np.diff(x)
    slope = _rolling_median(d / dt, noise_window)  # per day, at each increment
    resid = d - slope * dt
    noise = 1.4826 * _rolling_median(np.abs(resid - _rolling_median(resid, noise_window)), noise_window)
    # level of each side referred to the boundary time t_b = t[j] (first set after the boundary)
    pad_x = np.concatenate([np.full(k, np.nan), x, np.full(k, np.nan)])
    pad_t = np.concatenate([np.full(k, np.nan), t, np.full(k, np.nan)])
    win_x = sliding_window_view(pad_x, k)  # row r covers original indices r-k .. r-1
    win_t = sliding_window_view(pad_t, k)
    j = np.arange(1, n)
    s = slope
    tb = t[j]
    before = np.nanmedian(win_x[j] - s[:, None] * (win_t[j] - tb[:, None]), axis=1)
    after = np.nanmedian(win_x[j + k] - s[:, None] * (win_t[j + k] - tb[:, None]), axis=1)
    return after - before, np.maximum(noise, 1e-12), resid, slope


def _boundary_steps(cat: Catalog, cfg: DetectorConfig) -> dict[str, Any]:
    """Per boundary between successive sets: the robust steps of a, e-vector and plane, their delta-v (m/s, RTN),
    noise units (z) and the threshold flags of each component; plus the series, epochs and k used."""
    t = cat["epoch_jd"] + cat["epoch_fr"]
    s = _series(cat)
    k = min(cfg.k, max(1, (len(t) - 1) // 2))
    v, a = s["v"][1:], s["a"][1:]
    da, na, ea, slope_a = _steps(s["a"], t, k, cfg.noise_window)
    dex, nex, eex, _ = _steps(s["ex"], t, k, cfg.noise_window)
    dey, ney, eey, _ = _steps(s["ey"], t, k, cfg.noise_window)
    di, ni, ei, _ = _steps(s["i"], t, k, cfg.noise_window)
    dn, nn, en, _ = _steps(s["raan"], t, k, cfg.noise_window)
    sin_i = np.maximum(np.sin(s["i"][1:]), 1e-3)
    dv_t = v * da / (2.0 * a)  # Gauss: da = 2 a dv_t / v (near-circular)
    de = np.hypot(dex, dey)
    dv_r = np.maximum(v * de - 2.0 * np.abs(dv_t), 0.0)  # e-vector change not explained by the in-track part
    d_plane = np.hypot(di, sin_i * dn)
    dv_n = v * d_plane
    n_e, n_plane = np.hypot(nex, ney), np.hypot(ni, sin_i * nn)
    z_t = np.abs(da) / (na * np.sqrt(2.0 / k) + 1e-15)
    z_r = de / (n_e * np.sqrt(2.0 / k) + 1e-15)
    z_n = d_plane / (n_plane * np.sqrt(2.0 / k) + 1e-15)
    hit_t = (z_t > cfg.z_threshold) & (np.abs(dv_t) > cfg.min_dv_intrack_mps)
    hit_r = (z_r > cfg.z_radial) & (dv_r > cfg.min_dv_radial_mps)
    hit_n = (z_n > cfg.z_normal) & (dv_n > cfg.min_dv_normal_mps)
    return {"t": t, "s": s, "k": np.asarray(k), "v": v, "a": a, "da": da, "na": na, "ea": ea, "slope_a": slope_a,
            "di": di, "sin_i": sin_i, "eex": eex, "eey": eey, "ei": ei, "en": en, "dv_t": dv_t, "dv_r": dv_r,
            "dv_n": dv_n, "n_e": n_e, "n_plane": n_plane, "z_t": z_t, "z_r": z_r, "z_n": z_n,
            "hit_t": hit_t, "hit_r": hit_r, "hit_n": hit_n}


def step_margin(history: History | Catalog, regime: str | None = None,
                config: DetectorConfig | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Epoch (UTC JD) of the first set after each boundary and the boundary's detection margin: the largest over
    the R, T, N components of min(z / z threshold, |delta-v| / floor); a boundary is a hit where it exceeds 1."""
    cat = history.catalog if isinstance(history, History) else history
    regime = regime or majority_regime(cat)
    cfg = config or REGIME_CONFIG.get(regime, REGIME_CONFIG["LEO"])
    if len(cat) < 4:
        t = cat["epoch_jd"] + cat["epoch_fr"]
        return t[1:], np.zeros(max(len(t) - 1, 0))
    q = _boundary_steps(cat, cfg)
    m_t = np.minimum(q["z_t"] / cfg.z_threshold, np.abs(q["dv_t"]) / max(cfg.min_dv_intrack_mps, 1e-12))
    m_r = np.minimum(q["z_r"] / cfg.z_radial, q["dv_r"] / max(cfg.min_dv_radial_mps, 1e-12))
    m_n = np.minimum(q["z_n"] / cfg.z_normal, q["dv_n"] / max(cfg.min_dv_normal_mps, 1e-12))
    return q["t"][1:], np.maximum(np.maximum(m_t, m_r), m_n)


def detect_manoeuvres(history: History | Catalog, regime: str | None = None,
                      config: DetectorConfig | None = None) -> list[Manoeuvre]:
    """Manoeuvres in one object's element-set history (sorted by epoch), with the regime's configuration."""
    cat = history.catalog if isinstance(history, History) else history
    if len(cat) < 4:
        return []
    regime = regime or majority_regime(cat)
    cfg = config or REGIME_CONFIG.get(regime, REGIME_CONFIG["LEO"])
    q = _boundary_steps(cat, cfg)
    t, s, k = q["t"], q["s"], int(q["k"])
    v, a, da, na, ea, slope_a, di, sin_i = (q[x] for x in ("v", "a", "da", "na", "ea", "slope_a", "di", "sin_i"))
    eex, eey, ei, en, n_e, n_plane = (q[x] for x in ("eex", "eey", "ei", "en", "n_e", "n_plane"))
    dv_t, dv_r, dv_n, z_t, z_r, z_n = (q[x] for x in ("dv_t", "dv_r", "dv_n", "z_t", "z_r", "z_n"))
    hit_t, hit_r, hit_n = q["hit_t"], q["hit_r"], q["hit_n"]
    hit = hit_t | hit_r | hit_n
    z = np.where(hit_t, z_t, 0.0) + np.where(hit_r, z_r, 0.0) + np.where(hit_n, z_n, 0.0)
    jumps = np.abs(ea) / na * hit_t + np.hypot(eex, eey) / n_e * hit_r \
        + np.hypot(ei, sin_i * en) / n_plane * hit_n  # detrended increments in noise units
    # 1-sigma of a step of two k-set medians: increments carry sqrt(2) of one set's noise
    step_sig = SIG_MEDIAN / np.sqrt(k)
    dv_sig = np.stack([v * n_e * step_sig, v / (2.0 * a) * na * step_sig, v * n_plane * step_sig], axis=1)
    out = []
    a_ref = _rolling_median(s["a"], 181)
    sig_a = na / np.sqrt(2.0)  # noise of one set's a (km)
    for group in _groups(np.flatnonzero(hit), cfg.merge_sets):
        subs = _split_group(s["a"], t, group, k, sig_a, cfg) if cfg.split and np.any(hit_t[group]) else []
        if len(subs) < 2:
            b = group[np.argmax(jumps[group])]  # boundary between sets b and b+1
            m = _manoeuvre(cat, t, s, b, (dv_r[b], dv_t[b], dv_n[b]), dv_sig[b], da[b], di[b],
                           (hit_t[b], hit_r[b], hit_n[b]), float(np.max(z[group])), cfg, a_ref, regime)
            m.window_start_jd = float(t[group[0]] - cfg.lag_days)  # onset of the step, less the catalog lag
            out.append(m)
        else:
            for b, step_km, zs in subs:  # several burns inside one group: one in-track detection each
                dvt = float(v[b] * step_km / (2.0 * a[b]))
                m = _manoeuvre(cat, t, s, b, (0.0, dvt, 0.0), dv_sig[b] * (0.0, 1.0, 0.0), step_km, 0.0,
                               (True, False, False), zs, cfg, a_ref, regime)
                m.window_start_jd = float(t[b] - cfg.lag_days)
                out.append(m)
    for m in out:  # the first set showing the step can have an epoch before the burn
        m.window_end_jd += cfg.lead_days
    _time_all(out, t, s, cat, slope_a, na * step_sig, cfg)
    return out


def _time_all(out: list[Manoeuvre], t: np.ndarray, s: dict, cat: Catalog, slope_a: np.ndarray,
              sig_da: np.ndarray, cfg: DetectorConfig) -> None:
    """Set time_jd, time_sigma_s and timing of each detection from the sets between its neighbours only."""
    lam, nrad = _along_track(cat), cat["mean_motion_revday"] * (2.0 * np.pi)
    bounds = [m.element_sets[0] for m in out]
    for i, m in enumerate(out):
        b = bounds[i]
        lo_prev = bounds[i - 1] + 1 if i else 0
        hi_next = bounds[i + 1] + 1 if i + 1 < len(out) else len(t)
        a_detr = s["a"] - slope_a[b] * (t - t[b])
        sig_dn = 1.5 * nrad[b] / s["a"][b] * sig_da[b]  # rad/day: dn = -3/2 n da / a
        tb, sig, how = _burn_time(t, lam, nrad, a_detr, b, (lo_prev, hi_next), (m.window_start_jd, m.window_end_jd),
                                  m.direction.startswith("in-track"), sig_dn, cfg)
        m.time_jd, m.time_sigma_s, m.timing = tb, float(np.hypot(sig * 86400.0, cfg.time_sigma_floor_s)), how
        m.window_start_jd = min(m.window_start_jd, tb)  # a catalog lag longer than lag_days: the ramp start rules


def _along_track(cat: Catalog) -> np.ndarray:
    """Mean along-track angle (rad): mean argument of latitude plus the node projected on the orbit plane,
    so a plane change at the burn point leaves it unchanged; mean longitude for equatorial orbits."""
    return np.radians(cat["mean_anomaly_deg"] + cat["argp_deg"]) \
        + np.radians(cat["raan_deg"]) * np.cos(np.radians(cat["incl_deg"]))


def _crossing(t: np.ndarray, lam: np.ndarray, n: np.ndarray, pre: np.ndarray, post: np.ndarray,
              sig_dn: float) -> tuple[float, float]:
    """Crossing (UTC JD) of the along-track lines fitted to the sets `pre` (before the burn) and `post` (after
    it), and its 1-sigma (days).

    lam: along-track angle (rad), n: mean motion (rad/day). An impulsive burn keeps the position continuous, so
    the line after is the line before plus dn (t - t_burn), dn the mean-motion change (median of the TLE mean
    motions after minus before, 1-sigma sig_dn rad/day). Both lines share one fitted slope (J2 and resonance
    drift cancel); the fitted offset c of the later line gives t_burn = t_ref - c / dn. Sigma from the fit's
    residual variance and sig_dn; infinite when the fit has fewer than two degrees of freedom.
    """
    if len(pre) < 2 or len(post) < 2:
        return float("nan"), float("inf")
    dn = float(np.median(n[post]) - np.median(n[pre]))
    if abs(dn) < 1e-12:
        return float("nan"), float("inf")
    idx = np.concatenate([pre, post])
    after = np.arange(len(idx)) >= len(pre)
    ref = int(pre[-1])
    dt = t[idx] - t[ref]
    r = np.angle(np.exp(1j * (lam[idx] - lam[ref] - n[ref] * dt)))  # wrapped residual of a reference line
    x = np.column_stack([np.ones(len(idx)), dt, after.astype(np.float64)])
    y = r - after * dn * dt
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    dof = len(idx) - 3
    if dof < 2:
        return float("nan"), float("inf")
    s2 = float(np.sum((y - x @ coef) ** 2)) / dof
    var_c = s2 * float(np.linalg.inv(x.T @ x)[2, 2])
    cross = float(t[ref] - coef[2] / dn)
    sigma = float(np.sqrt(var_c / dn**2 + (coef[2] / dn**2) ** 2 * sig_dn**2))
    return cross, sigma


def _burn_time(t: np.ndarray, lam: np.ndarray, n: np.ndarray, a: np.ndarray, b: int, between: tuple[int, int],
               window: tuple[float, float], in_track: bool, sig_dn: float,
               cfg: DetectorConfig) -> tuple[float, float, str]:
    """Burn time (UTC JD), its 1-sigma (days) and the method, for the step between sets b and b+1.

    a: detrended semi-major axis (km); between: the sets between the neighbouring detections; window: the
    detection window. The semi-major-axis history brackets the burn: a flat-ramp-flat fit (:func:`fit_ramp`, with
    `ramp`; sets lying part-way were fitted to observations from both sides of the burn) gives the last set at
    the old level and the first at the new one (else the sets b and b+1). "crossing" (in-track steps): the
    along-track lines through up to k_time sets on each side of that ramp cross at the burn
    (:func:`_crossing`); taken when its sigma is at most max_crossing_sigma_days and it lies in the window.
    Otherwise the burn is placed `bracket_fraction` of the way through the bracket (last old-level set, first
    set after the step], plus `bracket_offset_days` (some catalogs show a burn only sets after it, so the last
    set at the old level can follow the burn), sigma that of a uniform distribution over the bracket. With
    `bracket_in_window` the bracket starts no earlier than the window; without, it starts at the ramp start even
    when the catalog lag exceeds `lag_days` (the caller widens the window to the estimate).
    """
    lo, hi = between
    i0, j1 = b, b + 1
    if cfg.ramp and in_track:
        idx = np.arange(lo, hi)
        idx = idx[(t[idx] >= t[b] - cfg.ramp_span_days) & (t[idx] <= t[b + 1] + cfg.ramp_span_days)]
        q = int(np.searchsorted(idx, b))
        if idx.size >= 3 and 0 <= q < idx.size - 1:
            si, sj = fit_ramp(t[idx], a[idx], q)
            i0, j1 = int(idx[si]), int(idx[sj])
    if cfg.timing == "crossing" and in_track:
        kt = cfg.k_time
        pre, post = np.arange(max(lo, i0 - kt + 1), i0 + 1), np.arange(j1, min(hi, j1 + kt))
        cross, sig = _crossing(t, lam, n, pre, post, sig_dn)
        if sig <= cfg.max_crossing_sigma_days and window[0] <= cross <= window[1]:
            return cross, sig, "crossing"
    start = max(float(t[i0]), window[0]) if cfg.bracket_in_window else float(t[i0])
    end = float(t[b + 1])
    est = start + cfg.bracket_fraction * (end - start) + cfg.bracket_offset_days
    if cfg.bracket_in_window:
        est = max(est, window[0])
    return float(est), float((end - start) / np.sqrt(12.0)), "bracket"


def fit_ramp(tt: np.ndarray, y: np.ndarray, q: int) -> tuple[int, int]:
    """Indices (last sample at the old level, first at the new one) of the least-squares flat-ramp-flat line
    through (tt, y) whose ramp spans the step between samples q and q+1 (requires 0 <= q < len - 1).

    A public element set fitted to observations from both sides of a burn lies part-way, so small LEO burns
    appear as ramps; a sharp step gives (q, q + 1).
    """
    i = np.arange(q + 1)[:, None, None]
    j = np.arange(q + 1, tt.size)[None, :, None]
    u = np.clip((tt[None, None, :] - tt[i]) / (tt[j] - tt[i]), 0.0, 1.0)  # (start, end, sample): 0 before, 1 after
    uc = u - u.mean(axis=2, keepdims=True)
    yc = y - y.mean()
    explained = np.einsum("ijk,k->ij", uc, yc) ** 2 / np.maximum(np.einsum("ijk,ijk->ij", uc, uc), 1e-300)
    si, sj = np.unravel_index(np.argmax(explained), explained.shape)  # least residual: most variance explained
    return int(si), int(sj + q + 1)


def _split_group(x: np.ndarray, t: np.ndarray, group: np.ndarray, k: int, sig: np.ndarray,
                 cfg: DetectorConfig) -> list[tuple[int, float, float]]:
    """Binary segmentation of the detrended series around one hit group into steps (boundary, step, z).

    Segments hold at least `min_segment` sets, so one outlier or one half-updated (catalog-lag) set is never
    a segment of its own; a step is kept when its median jump exceeds z_threshold noise units and the floor.
    """
    lo, hi = max(0, int(group[0]) - k + 1), min(len(x), int(group[-1]) + k + 1)
    seg_t = t[lo:hi]
    d = np.diff(x[max(0, lo - cfg.noise_window // 2):min(len(x), hi + cfg.noise_window // 2)])
    dt = np.diff(t[max(0, lo - cfg.noise_window // 2):min(len(x), hi + cfg.noise_window // 2)])
    slope = float(np.median(d / np.maximum(dt, 1e-6)))  # km/day (drag decay)
    raw = x[lo:hi] - slope * (seg_t - seg_t[0])
    y = raw
    if len(y) >= 3:  # median-of-3 filter: removes isolated outlier sets, keeps step edges
        y = np.concatenate([y[:1], np.median(sliding_window_view(y, 3), axis=1), y[-1:]])
    noise = float(np.median(sig[group]))
    steps: list[tuple[int, float, float]] = []
    _bisect(y, 0, len(y), noise, cfg, steps)
    if cfg.relocate:
        steps = _relocate(raw, steps)
    return sorted((lo + j - 1, st, zs) for j, st, zs in steps)  # j = first set after the step


def _relocate(raw: np.ndarray, steps: list[tuple[int, float, float]]) -> list[tuple[int, float, float]]:
    """Move each split step to the neighbouring boundary (one set either way) with the largest single increment
    in the step's direction: segments of >= min_segment sets put the split one set early or late when a set
    between two burns is the only one at its level (burns a day apart)."""
    taken = {j for j, _, _ in steps}
    out = []
    for j, st, zs in sorted(steps):
        cand = [c for c in (j - 1, j, j + 1) if 1 <= c < len(raw) and (c == j or c not in taken)]
        best = max(cand, key=lambda c: np.sign(st) * (raw[c] - raw[c - 1]))
        taken.discard(j)
        taken.add(best)
        out.append((best, st, zs))
    return out


def _bisect(y: np.ndarray, p: int, q: int, noise: float, cfg: DetectorConfig, out: list) -> None:
    """Recursively split y[p:q] at its most significant median step (appends (j, step, z) to out)."""
    m = cfg.min_segment
    best = None
    for j in range(p + m, q - m + 1):
        left, right = y[p:j], y[j:q]
        step = float(np.median(right) - np.median(left))
        z = abs(step) / (1.25 * noise * np.sqrt(1.0 / len(left) + 1.0 / len(right)) + 1e-15)
        if best is None or z > best[2]:
            best = (j, step, z)
    if best is None or best[2] < cfg.z_split:
        return
    out.append(best)
    _bisect(y, p, best[0], noise, cfg, out)
    _bisect(y, best[0], q, noise, cfg, out)


def _groups(idx: np.ndarray, gap: int) -> list[np.ndarray]:
    """Split sorted boundary indices into runs whose members are at most `gap` apart."""
    if len(idx) == 0:
        return []
    cuts = np.flatnonzero(np.diff(idx) > gap) + 1
    return np.split(idx, cuts)


def majority_regime(cat: Catalog) -> str:
    """The regime most element sets of the history fall in."""
    values, counts = np.unique(cat.regime.astype(str), return_counts=True)
    return str(values[np.argmax(counts)])


def _kind(hits: tuple[bool, bool, bool]) -> str:
    """Kind from the significant components (radial, in-track, normal hit flags in RTN order)."""
    names = [n for n, h in zip(("radial", "in-track", "normal"), hits, strict=True) if h]
    return names[0] if len(names) == 1 else "combined"


def _manoeuvre(cat, t, s, b, dv, dv_sig, da, di, hits, z, cfg, a_ref, regime) -> Manoeuvre:
    """One Manoeuvre record for boundary b (between cleaned sets b and b+1); dv = (R, T, N) m/s, hits (T, R, N)."""
    dv_r, dv_t, dv_n = dv[0] * hits[1], dv[1] * hits[0], dv[2] * hits[2]
    comps = {"radial": abs(dv_r), "in-track": abs(dv_t), "normal": abs(dv_n)}
    main = max(comps, key=lambda c: comps[c])
    direction = ("in-track +" if dv_t > 0 else "in-track -") if main == "in-track" else main
    kind = _kind((bool(hits[1]), bool(hits[0]), bool(hits[2])))
    restoring = abs(s["a"][b + 1] - a_ref[b]) < abs(s["a"][b] - a_ref[b])
    back_i = abs(s["i"][b + 1] - np.median(s["i"])) < abs(s["i"][b] - np.median(s["i"]))
    purpose = "station-keeping" if (main == "in-track" and restoring) or (main == "normal" and back_i) \
        else "orbit change"
    axis = ""
    if regime == "GEO":  # in-plane burns move the longitude, normal burns the inclination
        axis = {"normal": "north-south", "combined": "east-west+north-south"}.get(kind, "east-west")
        if kind == "combined" and not hits[2]:
            axis = "east-west"
    confidence = float(1.0 - 0.5 * np.exp(-(z - cfg.z_threshold) / cfg.z_threshold))
    sr, st, sn = (float(x) for x in np.asarray(dv_sig) * (hits[1], hits[0], hits[2]))
    sig = (sr, st, sn)
    return Manoeuvre(int(cat.norad_id[b]), float(t[b]), float(t[b + 1]), float(dv_r), float(dv_t), float(dv_n),
                     direction, kind, confidence, z, float(da), float(np.degrees(di)), (int(b), int(b + 1)),
                     {"epoch_before": str(format_utc(t[b], 0.0)), "epoch_after": str(format_utc(t[b + 1], 0.0)),
                      "element_set_no": (int(cat["element_set_no"][b]), int(cat["element_set_no"][b + 1]))},
                     dv_sigma_mps=sig, purpose=purpose, axis=axis)
