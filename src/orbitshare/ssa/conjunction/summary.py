"""What a screening summary shows: events per regime pair, the closest and highest-Pc encounters, and the
closest event of each co-located (docked or formation) pair, listed apart because it is no encounter."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["ScreeningSummary", "screening_summary"]


@dataclass(frozen=True)
class ScreeningSummary:
    """Event rows of a screening result picked for its summary: regime-pair counts, encounters and co-located pairs."""

    regime_pairs: list[tuple[str, int]]  # ("GEO / LEO", events), regime names sorted within and across pairs
    n_colocated: int  # events between co-located or formation pairs
    closest: np.ndarray  # rows of the encounters (co-located pairs left out) with the smallest miss, closest first
    highest_pc: np.ndarray  # rows of the encounters with the largest maximum Pc, largest first
    colocated: np.ndarray  # row of the closest event of each co-located pair, in row order


def screening_summary(res, top: int = 10) -> ScreeningSummary:
    """The summary rows of a screening result (ssa.conjunction.screening.Conjunctions): `top` encounters by miss
    distance (km) and by maximum Pc, counts per regime pair, and the closest event of each co-located pair."""
    together = np.asarray(res["colocated"], bool)
    pairs = [" / ".join(sorted((a, b))) for a, b in zip(res["regime_1"], res["regime_2"], strict=True)]
    names, counts = np.unique(np.array(pairs, dtype=str), return_counts=True)
    encounters = np.flatnonzero(~together)
    closest, highest = (encounters[np.argsort(key[encounters])][:top] for key in (res["miss_km"], -res["pc_max"]))
    first: dict[tuple[int, int], int] = {}
    for k in np.flatnonzero(together):
        pair = (int(res["norad_id_1"][k]), int(res["norad_id_2"][k]))
        if pair not in first or res["miss_km"][k] < res["miss_km"][first[pair]]:
            first[pair] = int(k)
    return ScreeningSummary([(str(n), int(c)) for n, c in zip(names, counts, strict=True)], int(together.sum()),
                            closest, highest, np.array(sorted(first.values()), dtype=np.int64))
