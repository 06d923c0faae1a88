"""Co-located and formation pairs: objects that stay close over a whole screening window.

Docked modules and visiting vehicles (ISS and what is berthed to it), tandem formations (TerraSAR-X /
TanDEM-X) and clusters released together come within a few km of each other at relative speeds of cm/s to m/s
on every orbit. Their "conjunctions" are real minima of range between SGP4 trajectories, but not encounters:
the short-encounter Pc assumptions fail and operators manage such pairs by agreement, not by avoidance. A pair
is flagged co-located when one of its events is slow (relative speed below COLOCATED_SPEED_KMS) and its range,
sampled every COLOCATED_STEP_S over the whole window, never exceeds COLOCATED_RANGE_KM. Flagged events stay in
the result (column ``colocated``); nothing is dropped.
"""

from __future__ import annotations

import numpy as np

__all__ = ["COLOCATED_RANGE_KM", "COLOCATED_SPEED_KMS", "COLOCATED_STEP_S", "colocated_pairs"]

COLOCATED_SPEED_KMS = 0.1  # candidate pairs: an event slower than 100 m/s (crossing orbits meet at km/s)
COLOCATED_RANGE_KM = 25.0  # ... whose range stays below this over the whole window
COLOCATED_STEP_S = 300.0  # range sampling step (s)


def colocated_pairs(catalog, conj) -> tuple[np.ndarray, np.ndarray]:
    """Per event of a screening result: whether its pair is co-located over the result's window, and the pair's
    largest sampled range (km; NaN for pairs not tested)."""
    from orbitshare.ssa.conjunction.ranges import range_series

    n = len(conj)
    flag, widest = np.zeros(n, dtype=bool), np.full(n, np.nan)
    slow = conj["rel_speed_kms"] < COLOCATED_SPEED_KMS
    if not slow.any() or conj.start_utc is None:
        return flag, widest
    pairs = np.unique(np.column_stack([conj["norad_id_1"][slow], conj["norad_id_2"][slow]]), axis=0)
    _, rng = range_series(catalog, [tuple(p) for p in pairs.tolist()], conj.start_utc, conj.stop_utc,
                          COLOCATED_STEP_S)
    with np.errstate(invalid="ignore"):
        valid = np.isfinite(rng).any(axis=1)
        far = np.where(valid, np.nanmax(np.where(np.isfinite(rng), rng, -np.inf), axis=1), np.nan)
    key = {(int(a), int(b)): k for k, (a, b) in enumerate(pairs.tolist())}
    for e in range(n):
        k = key.get((int(conj["norad_id_1"][e]), int(conj["norad_id_2"][e])))
        if k is not None:
            widest[e] = far[k]
            flag[e] = bool(valid[k] and far[k] <= COLOCATED_RANGE_KM)
    return flag, widest
