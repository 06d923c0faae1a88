"""Scoring of manoeuvre detections against operator-reported burn times.

Reported times come from a YAML file (`manoeuvre_timestamps` list, UTC; `SATCAT number`). Matching is one-to-one
and optimal (scipy's linear_sum_assignment: the most pairs, then the least total distance), by the detection's
burn time (`by="time"`: within the tolerance) or by its window widened by the tolerance (`by="window"`).
:func:`leave_one_out` chooses a configuration on all satellites but one and scores it on that one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from orbitshare.ssa.behaviour.manoeuvres import (
    REGIME_CONFIG,
    History,
    Manoeuvre,
    detect_manoeuvres,
    majority_regime,
    step_margin,
)

__all__ = ["FALSE_ALARM_CAUSES", "MISS_CAUSES", "TOLERANCES_DAYS", "evaluate", "explain_errors", "f1_score",
           "leave_one_out", "match_detections", "read_truth", "sigma_floor"]

TOLERANCES_DAYS = (0.25, 0.5, 1.0, 2.0)  # 6 h, 12 h, 1 d, 2 d
MISS_CAUSES = ("paired", "timing", "below threshold", "not separated")
FALSE_ALARM_CAUSES = ("timing", "extra", "unreported large step", "unreported small step")


def match_detections(detections: list[Manoeuvre], truth_jd: np.ndarray, tolerance_days: float = 1.0,
                     by: str = "time"):
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


def f1_score(tp: int, fp: int, fn: int) -> float:
    """F1 of true-positive, false-positive and false-negative counts (0 when there is nothing)."""
    return 2.0 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0


def evaluate(history: History, truth_jd: np.ndarray, tolerance_days: float = 1.0,
             regime: str | None = None, by: str = "time", detections: list[Manoeuvre] | None = None) -> dict:
    """Precision, recall, F1 and timing errors of the detections (detected here unless given) against true
    manoeuvre times (UTC JD) inside the history span, matching by burn time or window (:func:`match_detections`).
    "pairs" lists (detection index, true time JD); "errors_s" the burn time minus the true time of each pair (s)."""
    t = history.t_jd
    truth_jd = np.sort(truth_jd[(truth_jd >= t[0]) & (truth_jd <= t[-1])])
    det = detect_manoeuvres(history, regime) if detections is None else detections
    tp, fp, fn, pairs = match_detections(det, truth_jd, tolerance_days, by)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    errors = [(det[d].time_jd - truth_jd[i]) * 86400.0 for d, i in pairs]
    return {"regime": regime or majority_regime(history.catalog), "element_sets": len(t),
            "truth": len(truth_jd), "detected": len(det), "tp": tp, "fp": fp, "fn": fn,
            "precision": p, "recall": r, "f1": f1_score(tp, fp, fn),
            "pairs": [(d, float(truth_jd[i])) for d, i in pairs], "errors_s": errors}


def leave_one_out(counts: np.ndarray) -> np.ndarray:
    """Configuration chosen for each held-out satellite: counts[c, s] = (tp, fp, fn) of configuration c on
    satellite s; for satellite s the configuration with the best F1 pooled over the others (the first of ties).
    Returns one configuration index per satellite."""
    counts = np.asarray(counts)
    total = counts.sum(axis=1)  # (config, 3)
    chosen = []
    for s in range(counts.shape[1]):
        rest = total - counts[:, s]
        chosen.append(int(np.argmax([f1_score(*c) for c in rest])))
    return np.array(chosen, dtype=int)


def sigma_floor(errors_s: np.ndarray, sigmas_s: np.ndarray) -> float:
    """Model error (s) to add in quadrature to stated sigmas so that half the errors lie within 0.6745 of them
    (the median of |z| of a normal distribution, robust to outliers); 0 when the sigmas already cover that."""
    e, s = np.abs(np.asarray(errors_s, dtype=float)), np.asarray(sigmas_s, dtype=float)
    if e.size == 0:
        return 0.0

    def median_z(f: float) -> float:
        return float(np.median(e / np.hypot(s, f)))

    target = 0.6745
    if median_z(0.0) <= target:
        return 0.0
    lo, hi = 0.0, float(np.max(e)) / target + 1.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if median_z(mid) > target else (lo, mid)
    return hi


def explain_errors(history: History, truth_jd: np.ndarray, detections: list[Manoeuvre], tolerance_days: float = 1.0,
                   regime: str | None = None, config=None, near_days: float = 3.0,
                   large_margin: float = 10.0) -> dict[str, dict[str, int]]:
    """Why each reported burn was missed and each detection is a false alarm (counts per cause), matching by time.

    Misses: "paired" (another reported burn less than `tolerance_days` away: one step in sets about a day
    apart), "timing" (an unmatched detection within `near_days`), "below threshold" (no boundary whose first set
    after it lies from half a day before the burn to the catalog lag plus a day after it has a step over the
    detection thresholds, :func:`step_margin`), "not separated" (a step over the thresholds that the detection
    of a neighbouring burn absorbed). False alarms: "timing" (an unmatched reported burn within `near_days`),
    "extra" (only matched reported burns within `near_days`), "unreported large step" (none within `near_days`
    and a step over `large_margin` times the in-track z threshold), "unreported small step" (none, smaller step)."""
    t = history.t_jd
    truth = np.sort(truth_jd[(truth_jd >= t[0]) & (truth_jd <= t[-1])])
    regime = regime or majority_regime(history.catalog)
    cfg = config or REGIME_CONFIG.get(regime, REGIME_CONFIG["LEO"])
    _, _, _, pairs = match_detections(detections, truth, tolerance_days, "time")
    hit_det, hit_truth = {d for d, _ in pairs}, {i for _, i in pairs}
    det_t = np.array([m.time_jd for m in detections])
    free_det = det_t[[d not in hit_det for d in range(len(detections))]] if len(detections) else det_t
    free_truth = truth[[i not in hit_truth for i in range(len(truth))]]
    t_after, margin = step_margin(history, regime, cfg)
    misses = dict.fromkeys(MISS_CAUSES, 0)
    for i in sorted(set(range(len(truth))) - hit_truth):
        x = truth[i]
        near = (t_after > x - 0.5) & (t_after <= x + cfg.lag_days + 1.0)
        if np.any(np.abs(np.delete(truth, i) - x) < tolerance_days):
            misses["paired"] += 1
        elif np.any(np.abs(free_det - x) <= near_days):
            misses["timing"] += 1
        elif not np.any(margin[near] > 1.0):
            misses["below threshold"] += 1
        else:
            misses["not separated"] += 1
    alarms = dict.fromkeys(FALSE_ALARM_CAUSES, 0)
    for d in sorted(set(range(len(detections))) - hit_det):
        x, m = det_t[d], detections[d]
        if np.any(np.abs(free_truth - x) <= near_days):
            alarms["timing"] += 1
        elif np.any(np.abs(truth - x) <= near_days):
            alarms["extra"] += 1
        else:
            big = m.z_score >= large_margin * cfg.z_threshold
            alarms["unreported large step" if big else "unreported small step"] += 1
    return {"misses": misses, "false_alarms": alarms}
