"""The screening summary and manoeuvre scoring numbers the CLI prints, on hand-made results."""

import numpy as np

from orbitshare.ssa.behaviour.scoring import median_abs_error_h, reported_times
from orbitshare.ssa.conjunction.summary import screening_summary


def _result():
    """Five events: three encounters and two of one co-located pair (the second the closer)."""
    return {
        "colocated": np.array([False, True, False, True, False]),
        "regime_1": np.array(["LEO", "LEO", "GEO", "LEO", "LEO"]),
        "regime_2": np.array(["GEO", "LEO", "LEO", "LEO", "LEO"]),
        "miss_km": np.array([3.0, 0.5, 1.0, 0.2, 4.0]),
        "pc_max": np.array([1e-6, 1e-2, 1e-7, 1e-2, 1e-3]),
        "norad_id_1": np.array([1, 25544, 3, 25544, 5]),
        "norad_id_2": np.array([2, 49044, 4, 49044, 6]),
    }


def test_summary_picks_encounters_and_pairs_apart():
    """Encounters ranked without the co-located pair; one row (the closest) per co-located pair; regime pairs
    counted with names sorted."""
    s = screening_summary(_result(), top=2)
    assert s.regime_pairs == [("GEO / LEO", 2), ("LEO / LEO", 3)]
    assert s.n_colocated == 2
    assert s.closest.tolist() == [2, 0] and s.highest_pc.tolist() == [4, 0]
    assert s.colocated.tolist() == [3]


def test_scoring_numbers():
    """Reported times follow the matched pairs; the median error is in hours, None without a match."""
    score = {"pairs": [(1, 2451545.0)], "errors_s": [-7200.0, 3600.0, 10800.0]}
    assert reported_times(score, 3) == ["", "2000-01-01T12:00:00.000Z", ""]
    assert median_abs_error_h(score) == 2.0
    assert median_abs_error_h({"pairs": [], "errors_s": []}) is None
