"""Manoeuvre detection from the element-set history of one object (TLE or OMM series).

Method (one configuration per regime, see REGIME_CONFIG and docs/sda.md):
1. Sort by epoch, merge element sets less than `min_gap_s` apart (the later one wins), drop SGP4-invalid ones.
2. Three series from the mean elements: semi-major axis a (in-track manoeuvres), eccentricity vector
   (radial) and orbit-plane angles (inclination, node drift-corrected; out-of-plane).
3. At every boundary between successive element sets, a robust step: the median level of the next k sets
   minus that of the previous k sets, both referred to the boundary with the local robust slope (median of
   the neighbouring increments per day: drag decay, J2 node drift). Medians make single outliers invisible
   and persistent steps, i.e. manoeuvres, stand out.
4. Each step is converted to a delta-v component (Gauss equations for near-circular orbits) and compared
   with the local noise (scaled median absolute deviation of the increments): a boundary is a detection
   when a component exceeds both `z_threshold` noise units and the regime's delta-v floor. Neighbouring
   boundaries that see the same step are merged into one detection placed at the largest detrended single
   increment (in noise units, so natural e-vector rotation or drag decay never place it).
5. Burn sequences days apart (LEO): a group with an in-track hit is split by binary segmentation of the
   detrended semi-major axis (segments of >= 2 sets, each step >= z_split noise units); one detection per step,
   moved to the largest single increment next to the split (a set between two burns a day apart is the only
   one at its level, and 2-set segments would otherwise put the split one set off).
6. The manoeuvre window is (epoch before - catalog lag, epoch after + fit-span lead]: public element sets
   absorb a burn only after their fit span (lag), and the first set that shows a burn can carry an epoch
   before it (lead; LEO). A detection that moves a back towards its long-term median is station-keeping.
7. Burn time (`time_jd`, inside the window): "intersection" (GEO) solves for the crossing of the along-track
   angle lines before and after the step (an impulsive burn keeps the position continuous; the slopes differ
   by the mean-motion change), independent of when the catalog first shows the step; "ramp" (LEO) fits a
   flat-ramp-flat line to a (small burns are absorbed over several sets) and takes the start of the ramp, or
   the epoch after a sharp step. match_detections / evaluate match true times by window or by this time
   (optimal one-to-one matching within a stated tolerance).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from orbitshare.astro.time import format_utc
from orbitshare.catalog import Catalog
from orbitshare.catalog.records import Reject, check_elements

MU_KM3S2 = 398600.4418


@dataclass(frozen=True)
class DetectorConfig:
    """Detection parameters of one orbit regime (never tuned per satellite)."""

    k: int = 3  # element sets on each side of a boundary for the median levels
    noise_window: int = 121  # increments in the rolling noise (MAD) and slope estimates
    z_threshold: float = 8.0  # in-track step / noise, in noise units
    z_radial: float = 20.0  # eccentricity-vector step / noise
    z_normal: float = 20.0  # orbit-plane step / noise
    lag_days: float = 2.0  # catalog lag: public element sets absorb a manoeuvre only after their fit span
    lead_days: float = 0.0  # fit-span lead: a set's epoch can precede the last observations of its fit
    min_dv_intrack_mps: float = 0.0005  # floors per component (m/s)
    min_dv_radial_mps: float = 0.2
    min_dv_normal_mps: float = 0.5
    min_gap_s: float = 600.0  # element sets closer than this are merged (later one kept)
    merge_sets: int = 3  # boundaries closer than this many sets form one detection
    split: bool = True  # split a hit group into several in-track steps (burn sequences days apart)
    min_segment: int = 2  # fewest sets between two split steps
    z_split: float = 60.0  # significance of each step of a split group, in noise units
    relocate: bool = True  # move each split step to the largest single increment next to it
    timing: str = "intersection"  # burn time: "intersection" of along-track lines, "ramp" start, "after"
    time_shift_days: float = 0.0  # added to the "ramp" / "after" estimate
    k_time: int = 3  # sets on each side fitted by the "intersection" lines
    ramp_span_days: float = 6.0  # "ramp" timing: sets this close to the step are fitted

    def __post_init__(self) -> None:
        if self.timing not in ("intersection", "ramp", "after"):
            raise ValueError(f"timing must be 'intersection', 'ramp' or 'after', not {self.timing!r}")


REGIME_CONFIG: dict[str, DetectorConfig] = {
    "LEO": DetectorConfig(z_radial=40.0, min_dv_normal_mps=1.5, lead_days=1.0, timing="ramp", time_shift_days=0.15),
    "GEO": DetectorConfig(k=3, noise_window=61, z_threshold=10.0, z_radial=40.0, z_normal=20.0, lag_days=2.0,
                          min_dv_intrack_mps=0.05, min_dv_radial_mps=0.2, min_dv_normal_mps=2.0, split=False),
}
REGIME_CONFIG["MEO"] = REGIME_CONFIG["LEO"]
REGIME_CONFIG["HEO"] = REGIME_CONFIG["GEO"]


@dataclass
class Manoeuvre:
    """One detected manoeuvre: window (UTC JD), delta-v estimate (m/s, RTN), direction and confidence."""

    norad_id: int
    window_start_jd: float
    window_end_jd: float
    dv_radial_mps: float
    dv_intrack_mps: float
    dv_normal_mps: float
    direction: str
    kind: str
    confidence: float
    z_score: float
    delta_sma_km: float
    delta_incl_deg: float
    element_sets: tuple[int, int] = (0, 0)  # row indices (before, after) in the cleaned history
    evidence: dict = field(default_factory=dict)
    time_jd: float = float("nan")  # estimated burn time (UTC JD), inside the window

    @property
    def dv_mps(self) -> float:
        """Magnitude of the estimated delta-v (m/s)."""
        return float(np.sqrt(self.dv_radial_mps**2 + self.dv_intrack_mps**2 + self.dv_normal_mps**2))

    def as_dict(self) -> dict:
        """Flat dict with ISO 8601 UTC window edges (for CSV/JSON)."""
        return {"norad_id": self.norad_id,
                "window_start": str(format_utc(self.window_start_jd, 0.0)),
                "window_end": str(format_utc(self.window_end_jd, 0.0)),
                "dv_mps": round(self.dv_mps, 5), "dv_radial_mps": round(self.dv_radial_mps, 5),
                "dv_intrack_mps": round(self.dv_intrack_mps, 5), "dv_normal_mps": round(self.dv_normal_mps, 5),
                "direction": self.direction, "kind": self.kind, "confidence": round(self.confidence, 3),
                "z_score": round(self.z_score, 2), "delta_sma_m": round(self.delta_sma_km * 1000.0, 2),
                "delta_incl_deg": round(self.delta_incl_deg, 5),
                "time": str(format_utc(self.time_jd, 0.0)) if np.isfinite(self.time_jd) else ""}


@dataclass
class History:
    """Cleaned element-set history of one object: a Catalog with one row per element set, sorted by epoch."""

    catalog: Catalog
    rejects: list[Reject]

    @property
    def t_jd(self) -> np.ndarray:
        """Epochs as single float Julian dates (UTC)."""
        return self.catalog["epoch_jd"] + self.catalog["epoch_fr"]


def read_history(path: str | Path, norad_id: int | None = None) -> History:
    """Every element set in a TLE/OMM file (no deduplication), one object, sorted and cleaned."""
    from orbitshare.catalog.reader import open_text, parse_text_records

    with open_text(path) as fh:
        items = list(parse_text_records(fh, str(path)))
    return history_from_records(items, str(path), norad_id)


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


def detect_manoeuvres(history: History | Catalog, regime: str | None = None,
                      config: DetectorConfig | None = None) -> list[Manoeuvre]:
    """Manoeuvres in one object's element-set history (sorted by epoch), with the regime's configuration."""
    cat = history.catalog if isinstance(history, History) else history
    if len(cat) < 4:
        return []
    regime = regime or _majority_regime(cat)
    cfg = config or REGIME_CONFIG.get(regime, REGIME_CONFIG["LEO"])
    t = cat["epoch_jd"] + cat["epoch_fr"]
    s = _series(cat)
    k = min(cfg.k, max(1, (len(t) - 1) // 2))
    v = s["v"][1:]
    a = s["a"][1:]
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
    z_t = np.abs(da) / (na * np.sqrt(2.0 / k) + 1e-15)
    z_r = de / (np.hypot(nex, ney) * np.sqrt(2.0 / k) + 1e-15)
    z_n = d_plane / (np.hypot(ni, sin_i * nn) * np.sqrt(2.0 / k) + 1e-15)
    hit_t = (z_t > cfg.z_threshold) & (np.abs(dv_t) > cfg.min_dv_intrack_mps)
    hit_r = (z_r > cfg.z_radial) & (dv_r > cfg.min_dv_radial_mps)
    hit_n = (z_n > cfg.z_normal) & (dv_n > cfg.min_dv_normal_mps)
    hit = hit_t | hit_r | hit_n
    z = np.where(hit_t, z_t, 0.0) + np.where(hit_r, z_r, 0.0) + np.where(hit_n, z_n, 0.0)
    jumps = np.abs(ea) / na * hit_t + np.hypot(eex, eey) / np.hypot(nex, ney) * hit_r \
        + np.hypot(ei, sin_i * en) / np.hypot(ni, sin_i * nn) * hit_n  # detrended increments in noise units
    out = []
    a_ref = _rolling_median(s["a"], 181)
    sig_a = na / np.sqrt(2.0)  # noise of one set's a (km): increments carry sqrt(2) of it
    lam, nrad = _along_track(cat), cat["mean_motion_revday"] * (2.0 * np.pi)
    for group in _groups(np.flatnonzero(hit), cfg.merge_sets):
        subs = _split_group(s["a"], t, group, k, sig_a, cfg) if cfg.split and np.any(hit_t[group]) else []
        if len(subs) < 2:
            b = group[np.argmax(_group_jumps(jumps, group))]  # boundary between sets b and b+1
            m = _manoeuvre(cat, t, s, b, dv_r[b], dv_t[b], dv_n[b], da[b], di[b],
                           (hit_t[b], hit_r[b], hit_n[b]), float(np.max(z[group])), cfg, a_ref)
            m.window_start_jd = float(t[group[0]] - cfg.lag_days)  # onset of the step, less the catalog lag
            out.append(m)
        else:
            for b, step_km, zs in subs:  # several burns inside one group: one in-track detection each
                dvt = float(v[b] * step_km / (2.0 * a[b]))
                m = _manoeuvre(cat, t, s, b, 0.0, dvt, 0.0, step_km, 0.0, (True, False, False), zs, cfg, a_ref)
                m.window_start_jd = float(t[b] - cfg.lag_days)
                out.append(m)
    for m in out:  # the first set showing the step can have an epoch before the burn
        m.window_end_jd += cfg.lead_days
    bounds = [m.element_sets[0] for m in out]
    kt = cfg.k_time
    for i, m in enumerate(out):  # burn time from the sets between the neighbouring detections only
        b = bounds[i]
        lo = max(b - kt + 1, bounds[i - 1] + 1 if i else 0)
        hi = min(b + kt + 1, bounds[i + 1] + 1 if i + 1 < len(out) else len(t))
        m.time_jd = _burn_time(t, lam, nrad, s["a"] - slope_a[b] * (t - t[b]), b, lo, hi, m.window_start_jd,
                               m.direction.startswith("in-track"), cfg, bounds[i - 1] + 1 if i else 0,
                               bounds[i + 1] + 1 if i + 1 < len(out) else len(t))
    return out


def _along_track(cat: Catalog) -> np.ndarray:
    """Mean along-track angle (rad): mean argument of latitude plus the node projected on the orbit plane,
    so a plane change at the burn point leaves it unchanged; mean longitude for equatorial orbits."""
    return np.radians(cat["mean_anomaly_deg"] + cat["argp_deg"]) \
        + np.radians(cat["raan_deg"]) * np.cos(np.radians(cat["incl_deg"]))


def _burn_time(t: np.ndarray, lam: np.ndarray, n: np.ndarray, a: np.ndarray, b: int, lo: int, hi: int,
               earliest: float, in_track: bool, cfg: DetectorConfig, lo_prev: int = 0,
               hi_next: int | None = None) -> float:
    """Burn time of the step between sets b and b+1, clipped to (earliest, t[b+1]] (inside the window).

    lam: along-track angle (rad), n: mean motion (rad/day), a: detrended semi-major axis; sets lo..hi-1 lie
    between the neighbouring detections; lo_prev..hi_next-1 are all the sets after the previous detection and
    up to the next one.
    "intersection" (in-track steps): an impulsive burn leaves the position continuous, so the along-track angle
    of the sets before (one line) and after (a line steeper by the mean-motion change, from the TLE mean motions)
    cross at the burn. Both lines are fitted with one common slope (J2 and resonance drift cancel); the crossing
    does not depend on when the catalog first showed the step. Other steps (no drift change to time them by):
    the epoch before the step.
    "ramp" (in-track steps): a flat-ramp-flat line fitted to a (:func:`_ramp_start`); a burn absorbed over
    several sets is timed at the start of the ramp, a sharp step (no set part-way) at the epoch after it; plus
    `time_shift_days`. "after", and other steps with "ramp": the epoch after the step plus `time_shift_days`.
    """
    t_before, t_after = float(t[b]), float(t[b + 1])
    est = t_after + cfg.time_shift_days
    if cfg.timing == "intersection":
        est = t_before
        idx = np.arange(lo, hi)
        post = idx > b
        dn = float(np.median(n[idx[post]]) - np.median(n[idx[~post]]))  # rad/day
        if in_track and len(idx) >= 4 and abs(dn) > 1e-12:
            dt = t[idx] - t_before
            r = np.angle(np.exp(1j * (lam[idx] - lam[b] - n[b] * dt)))  # wrapped residual of a reference line
            x = np.column_stack([np.ones(len(idx)), dt, post.astype(np.float64)])
            coef = np.linalg.lstsq(x, r - post * dn * dt, rcond=None)[0]  # post line = pre line + dn dt + jump
            cross = t_before - coef[2] / dn
            if np.isfinite(cross):
                est = float(cross)
    elif cfg.timing == "ramp" and in_track:
        idx = np.arange(lo_prev, len(t) if hi_next is None else hi_next)
        idx = idx[(t[idx] >= t_before - cfg.ramp_span_days) & (t[idx] <= t_after + cfg.ramp_span_days)]
        est = _ramp_start(t[idx], a[idx], int(np.searchsorted(idx, b)), t_after) + cfg.time_shift_days
    return float(min(max(est, earliest), t_after))


def _ramp_start(tt: np.ndarray, y: np.ndarray, q: int, t_after: float) -> float:
    """Start (UTC JD) of the ramp of the least-squares flat-ramp-flat line through (tt, y) whose ramp spans the
    step between samples q and q+1; t_after when no sample lies part-way up the ramp (a sharp step).

    The ramp runs from sample i <= q to sample j > q (both at the level before / after); a public element set
    fitted to observations from both sides of a burn lies part-way, so small LEO burns appear as ramps.
    """
    if tt.size < 3 or not 0 <= q < tt.size - 1:
        return t_after
    i = np.arange(q + 1)[:, None, None]
    j = np.arange(q + 1, tt.size)[None, :, None]
    u = np.clip((tt[None, None, :] - tt[i]) / (tt[j] - tt[i]), 0.0, 1.0)  # (start, end, sample): 0 before, 1 after
    uc = u - u.mean(axis=2, keepdims=True)
    yc = y - y.mean()
    explained = np.einsum("ijk,k->ij", uc, yc) ** 2 / np.maximum(np.einsum("ijk,ijk->ij", uc, uc), 1e-300)
    si, sj = np.unravel_index(np.argmax(explained), explained.shape)  # least residual: most variance explained
    return float(tt[si]) if sj + q + 1 - si >= 2 else t_after


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


def _group_jumps(jumps: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Single-increment sizes (noise units) at a group's boundaries; hit flags can differ along a group, so
    boundaries without any component hit score by the hits of their neighbours (0 here)."""
    return jumps[group]


def _groups(idx: np.ndarray, gap: int) -> list[np.ndarray]:
    """Split sorted boundary indices into runs whose members are at most `gap` apart."""
    if len(idx) == 0:
        return []
    cuts = np.flatnonzero(np.diff(idx) > gap) + 1
    return np.split(idx, cuts)


def _majority_regime(cat: Catalog) -> str:
    """The regime most element sets of the history fall in."""
    values, counts = np.unique(cat.regime.astype(str), return_counts=True)
    return str(values[np.argmax(counts)])


def _manoeuvre(cat, t, s, b, dv_r, dv_t, dv_n, da, di, hits, z, cfg, a_ref) -> Manoeuvre:
    """Build one Manoeuvre record for boundary b (between cleaned element sets b and b+1)."""
    comps = {"radial": abs(dv_r) * hits[1], "in-track": abs(dv_t) * hits[0], "out-of-plane": abs(dv_n) * hits[2]}
    main = max(comps, key=comps.get)
    if main == "in-track":
        direction = "in-track +" if dv_t > 0 else "in-track -"
    else:
        direction = main
    restoring = abs(s["a"][b + 1] - a_ref[b]) < abs(s["a"][b] - a_ref[b])
    kind = "station-keeping" if (main == "in-track" and restoring) or (main == "out-of-plane" and \
        abs(s["i"][b + 1] - np.median(s["i"])) < abs(s["i"][b] - np.median(s["i"]))) else "orbit change"
    confidence = float(1.0 - 0.5 * np.exp(-(z - cfg.z_threshold) / cfg.z_threshold))
    return Manoeuvre(int(cat.norad_id[b]), float(t[b]), float(t[b + 1]), float(dv_r * hits[1]),
                     float(dv_t * hits[0]), float(dv_n * hits[2]), direction, kind, confidence, z,
                     float(da), float(np.degrees(di)), (int(b), int(b + 1)),
                     {"epoch_before": str(format_utc(t[b], 0.0)), "epoch_after": str(format_utc(t[b + 1], 0.0)),
                      "element_set_no": (int(cat["element_set_no"][b]), int(cat["element_set_no"][b + 1]))})


def match_detections(detections: list[Manoeuvre], truth_jd: np.ndarray, tolerance_days: float = 1.0,
                     by: str = "window"):
    """One-to-one matching of detections to true times (UTC JD). by="window": a true time can match a detection
    whose window, widened by the tolerance on each side, contains it; by="time": one whose estimated burn time
    is within the tolerance. The matching is optimal: the most pairs, and of those the least total distance
    (gap outside the window, or time difference); a greedy nearest-first matching can pair a detection with a
    true time another detection also covers and leave the second detection's only match unpaired. Returns
    (tp, fp, fn, pairs) with pairs (detection index, index into the sorted truth)."""
    from scipy.optimize import linear_sum_assignment

    if by not in ("window", "time"):
        raise ValueError(f"by must be 'window' or 'time', not {by!r}")
    truth_jd = np.sort(np.asarray(truth_jd, dtype=np.float64))
    if not detections or truth_jd.size == 0:
        return 0, len(detections), int(truth_jd.size), []
    w0 = np.array([d.window_start_jd if by == "window" else d.time_jd for d in detections])
    w1 = np.array([d.window_end_jd if by == "window" else d.time_jd for d in detections])
    gap = np.maximum(np.maximum(w0[:, None] - truth_jd[None, :], truth_jd[None, :] - w1[:, None]), 0.0)
    ok = gap <= tolerance_days
    # each pair is worth -1 plus its gap scaled below 1/(pairs possible): more pairs always win, then less gap
    scale = 1.0 / ((tolerance_days + 1.0) * (min(gap.shape) + 1.0))
    rows, cols = linear_sum_assignment(np.where(ok, gap * scale - 1.0, 0.0))
    pairs = sorted((int(r), int(c)) for r, c in zip(rows, cols, strict=True) if ok[r, c])
    tp = len(pairs)
    return tp, len(detections) - tp, int(len(truth_jd) - tp), pairs


def read_truth(path: str | Path) -> tuple[int | None, np.ndarray]:
    """NORAD id and manoeuvre times (float UTC JD) from an operator ground-truth YAML file."""
    import yaml

    from orbitshare.astro.time import datetime_to_jd, parse_utc

    path = Path(path)
    try:  # BaseLoader: every scalar a string, so a bad timestamp is reported with its index by parse_utc
        doc = yaml.load(path.read_text(), Loader=yaml.BaseLoader)
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML ({exc})") from None
    stamps = doc.get("manoeuvre_timestamps") if isinstance(doc, dict) else None
    if stamps == "":  # an empty list written as "manoeuvre_timestamps:"
        stamps = []
    if not isinstance(stamps, list):
        raise ValueError(f"{path}: expected a 'manoeuvre_timestamps' list")
    times = []
    for i, ts in enumerate(stamps):
        try:
            times.append(sum(datetime_to_jd(parse_utc(str(ts)))))
        except ValueError as exc:
            raise ValueError(f"{path}: manoeuvre_timestamps[{i}]: {exc}") from None
    norad = doc.get("SATCAT number")
    try:
        norad = int(norad) if norad not in (None, "", "null", "~") else None
    except (TypeError, ValueError):
        raise ValueError(f"{path}: SATCAT number: not an integer: {norad!r}") from None
    return norad, np.array(times)


def evaluate(history: History, truth_jd: np.ndarray, tolerance_days: float = 1.0,
             regime: str | None = None, by: str = "window", detections: list[Manoeuvre] | None = None) -> dict:
    """Precision, recall and F1 of the detections (detected here unless given) against true manoeuvre times
    (UTC JD) inside the history span, matching `by` window or estimated burn time (see match_detections);
    "pairs" lists (detection index, true time JD)."""
    t = history.t_jd
    truth_jd = np.sort(truth_jd[(truth_jd >= t[0]) & (truth_jd <= t[-1])])
    det = detect_manoeuvres(history, regime) if detections is None else detections
    tp, fp, fn, pairs = match_detections(det, truth_jd, tolerance_days, by)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"regime": regime or _majority_regime(history.catalog), "element_sets": len(t),
            "truth": len(truth_jd), "detected": len(det), "tp": tp, "fp": fp, "fn": fn,
            "precision": p, "recall": r, "f1": f1, "pairs": [(d, float(truth_jd[i])) for d, i in pairs]}
