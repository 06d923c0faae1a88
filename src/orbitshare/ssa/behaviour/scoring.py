"""Per-detection and summary numbers of a manoeuvre scoring run (the result of ssa.behaviour.evaluation.evaluate):
the reported time each detection was matched to, and the median timing error."""

from __future__ import annotations

import numpy as np

from orbitshare.astro.time import format_utc

__all__ = ["median_abs_error_h", "reported_times"]


def reported_times(score: dict, n_detections: int) -> list[str]:
    """ISO 8601 UTC text of the reported time matched to each of the n detections ('' where none matched)."""
    matched = dict(score["pairs"])
    return [str(format_utc(matched[i], 0.0)) if i in matched else "" for i in range(n_detections)]


def median_abs_error_h(score: dict) -> float | None:
    """Median |burn time - reported time| (hours) over the matched detections; None when none matched."""
    errors_h = np.abs(np.asarray(score["errors_s"], dtype=float)) / 3600.0
    return float(np.median(errors_h)) if errors_h.size else None
