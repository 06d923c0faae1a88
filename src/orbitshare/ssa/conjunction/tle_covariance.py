"""TLE-based covariance: RTN error growth of SGP4 element sets, from an object's own history or a regime table.

An element set carries no covariance. Its error at an age t (time from its epoch) is measured the way
operators without tracking data do it: propagate an earlier element set of the same object to the epoch of a
later one and compare with the later one's state there (the later set, fitted to fresher observations, stands
in for the truth). The residuals (radial, transverse, normal position in km and their rates in km/s, in the RTN
frame of the later state) are grouped by the propagation span, a robust sigma is taken per span bin and
per component (sqrt(median(x^2) / 0.4549): manoeuvres between the two sets become outliers instead of
inflating the fit), and sigma^2(t) = a^2 + b^2 t^2 + c^2 t^4 is fitted with non-negative a, b, c (t in days).

An object whose catalog holds at least MIN_HISTORY_SETS element sets gets its own fit; any other object the fit
of its regime in REGIME_ERROR_GROWTH, measured by bench/tle_error_growth.py from public element-set histories
(see docs/screening.md, "TLE-based covariance"). Covariances are diagonal in RTN (m^2, m^2/s, m^2/s^2):
correlations between components are not estimated, and a Pc computed from them is labelled TLE-based.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orbitshare.astro.frames import rtn_components

__all__ = ["MIN_HISTORY_SETS", "REGIME_ERROR_GROWTH", "ErrorGrowth", "TleCovarianceModel", "fit_error_growth",
           "history_residuals", "read_element_history"]

MEDIAN_CHI2_1 = 0.454936  # median of a chi-square variable with one degree of freedom
MIN_HISTORY_SETS = 5  # element sets of one object needed for its own fit
MIN_PAIRS = 8  # residual pairs needed for a fit
MAX_GAP_DAYS = 10.0  # longest propagation span used from a history
NEXT_SETS = 12  # each element set is propagated to the epochs of at most this many later ones
COMPONENTS = ("R", "T", "N", "RDOT", "TDOT", "NDOT")


@dataclass(frozen=True)
class ErrorGrowth:
    """sigma_k(t)^2 = a_k^2 + b_k^2 t^2 + c_k^2 t^4 per RTN component k (t: element-set age in days; position
    sigma in km, velocity sigma in km/s), with the data it was fitted on."""

    abc: tuple[tuple[float, float, float], ...]  # six (a, b, c) rows: R, T, N (km), RDOT, TDOT, NDOT (km/s)
    n_pairs: int
    min_gap_days: float  # ages below the shortest measured span use the sigma there (no extrapolation to 0)
    max_gap_days: float
    source: str

    def sigma(self, age_days: float) -> np.ndarray:
        """1-sigma RTN errors at an age (days): R, T, N in km, RDOT, TDOT, NDOT in km/s."""
        t = max(abs(float(age_days)), self.min_gap_days)
        abc = np.asarray(self.abc, float)
        return np.sqrt(abc[:, 0] ** 2 + (abc[:, 1] * t) ** 2 + (abc[:, 2] * t * t) ** 2)

    def covariance_rtn(self, age_days: float) -> np.ndarray:
        """Diagonal 6x6 RTN covariance at an age (days) in CDM units: m^2, m^2/s, m^2/s^2."""
        return np.diag((self.sigma(age_days) * 1e3) ** 2)


#: Per-regime error growth (a, b, c per component: R, T, N in km, km/day, km/day^2; RDOT, TDOT, NDOT in km/s,
#: km/s/day, km/s/day^2), measured by bench/tle_error_growth.py (bench/results/tle_error_growth.json, 2026-12-04)
#: from public element-set histories: LEO from CryoSat-2, Haiyang-2A, Jason-1, Jason-2, Sentinel-3A, Sentinel-6A
#: and GEO from Fengyun-2D/2E/2F/4A (../shared/data/maneuvers, Shorten et al. benchmark set; pairs spanning a
#: reported manoeuvre left out), plus 10,273 LEO objects present with different epochs in CelesTrak's catalogs
#: of 2026-03-09 and 2026-03-10. No public history of MEO or HEO objects was at hand: they get the envelope of
#: the LEO and GEO fits (the larger coefficient of each), said so in the CDM comments.
_BENCH = "bench/tle_error_growth.py, public element-set histories"
_LEO = ErrorGrowth(((0.05762, 0.06464, 0.002175), (0.1352, 0.1088, 0.01311), (0.0484, 0.06238, 0.003603),
                    (1.311e-04, 7.724e-05, 1.292e-05), (5.836e-05, 6.349e-05, 1.789e-06), (3.211e-05, 2.405e-05, 0.0)),
                   152446, 0.5514, 10.0, f"LEO table ({_BENCH}: 152,446 pairs, spans 0.55-10 d)")
_GEO = ErrorGrowth(((0.08101, 0.1319, 0.0), (0.0, 1.519, 0.2368), (0.0, 0.2795, 0.009675),
                    (0.0, 1.082e-04, 1.741e-05), (5.805e-06, 9.517e-06, 0.0), (0.0, 1.674e-05, 1.042e-06)),
                   56468, 1.0103, 10.0, f"GEO table ({_BENCH}: 56,468 pairs, spans 1.0-10 d)")
_ENVELOPE = ErrorGrowth(tuple((max(a[0], b[0]), max(a[1], b[1]), max(a[2], b[2]))
                              for a, b in zip(_LEO.abc, _GEO.abc, strict=True)),
                        0, max(_LEO.min_gap_days, _GEO.min_gap_days), 10.0,
                        "envelope of the LEO and GEO tables (no measured MEO/HEO history)")
REGIME_ERROR_GROWTH: dict[str, ErrorGrowth] = {"LEO": _LEO, "GEO": _GEO, "MEO": _ENVELOPE, "HEO": _ENVELOPE}


def read_element_history(*paths):
    """Every valid element set of catalog files (a Catalog, duplicates kept: the history that read_catalog merges
    away, newest epoch winning)."""
    from orbitshare.catalog import Catalog
    from orbitshare.catalog.reader import open_text, parse_text_records
    from orbitshare.catalog.records import Reject, check_elements

    good = []
    for path in paths:
        with open_text(path) as fh:
            good += [r for r in parse_text_records(fh, str(path)) if not isinstance(r, Reject) and
                     check_elements(r) is None]
    return Catalog.from_records(good)


def history_residuals(history, max_gap_days: float = MAX_GAP_DAYS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Propagation spans (days), RTN residuals (n, 6: km, km/s) and later-set epochs (JD) of a one-object
    element-set history (Catalog): each set propagated to the epochs of up to NEXT_SETS later sets within
    max_gap_days, minus the later set's own state there, in the later state's RTN frame. Pairs SGP4 cannot
    propagate are left out."""
    from orbitshare.astro.propagation import Sgp4Records, propagate_pairs

    t = history["epoch_jd"] + history["epoch_fr"]
    order = np.argsort(t, kind="stable")
    history, t = history.take(order), t[order]
    recs = Sgp4Records.from_catalog(history)
    i_idx, j_idx = [], []
    for i in range(len(t)):
        for j in range(i + 1, min(i + 1 + NEXT_SETS, len(t))):
            gap = t[j] - t[i]
            if gap > max_gap_days:
                break
            if gap > 1e-3:  # reissues of one fit (same epoch to 90 s) carry no information on growth
                i_idx.append(i)
                j_idx.append(j)
    if not i_idx:
        return np.empty(0), np.empty((0, 6)), np.empty(0)
    old, new = np.asarray(i_idx), np.asarray(j_idx)
    jd, fr = history["epoch_jd"][new], history["epoch_fr"][new]
    r_old, v_old, e_old = propagate_pairs(recs, old, jd, fr)
    r_new, v_new, e_new = propagate_pairs(recs, new, jd, fr)
    ok = (e_old == 0) & (e_new == 0) & (recs.init_error[old] == 0) & (recs.init_error[new] == 0)
    resid = np.hstack([rtn_components(r_new, v_new, r_old - r_new), rtn_components(r_new, v_new, v_old - v_new)])
    return (t[new] - t[old])[ok], resid[ok], t[new][ok]


def fit_error_growth(gap_days: np.ndarray, resid: np.ndarray, source: str, bins: int = 10) -> ErrorGrowth | None:
    """Fit sigma^2(t) = a^2 + b^2 t^2 + c^2 t^4 (a, b, c >= 0) per component to robust sigmas of the residuals
    (n, 6: km, km/s) in span bins of equal counts; None with fewer than MIN_PAIRS residuals."""
    from scipy.optimize import nnls

    gap_days, resid = np.asarray(gap_days, float), np.asarray(resid, float)
    if gap_days.size < MIN_PAIRS:
        return None
    order = np.argsort(gap_days)
    groups = [g for g in np.array_split(order, min(bins, gap_days.size // 4)) if g.size]
    t = np.array([np.median(gap_days[g]) for g in groups])
    sig2 = np.array([np.median(resid[g] ** 2, axis=0) / MEDIAN_CHI2_1 for g in groups])  # (bins, 6)
    rows: list[tuple[float, float, float]] = []
    for k in range(6):
        s2 = np.maximum(sig2[:, k], 1e-30)
        design = np.column_stack([np.ones_like(t), t**2, t**4]) / s2[:, None]  # relative misfit per bin
        coef, _ = nnls(design, np.ones_like(t))
        a, b, c = (float(x) for x in np.sqrt(coef))
        rows.append((a, b, c))
    return ErrorGrowth(tuple(rows), int(gap_days.size), float(t[0]), float(gap_days.max()), source)


@dataclass
class TleCovarianceModel:
    """Covariance source per object: its own history fit where the catalog gave several element sets, else the
    table fit of its regime (REGIME_ERROR_GROWTH), else none."""

    own: dict[int, ErrorGrowth]
    table: dict[str, ErrorGrowth]

    @classmethod
    def from_history(cls, history=None, table: dict[str, ErrorGrowth] | None = None) -> TleCovarianceModel:
        """Fit every object of `history` (a Catalog holding every element set read, duplicates kept) that has at
        least MIN_HISTORY_SETS sets; `table` defaults to REGIME_ERROR_GROWTH."""
        own: dict[int, ErrorGrowth] = {}
        if history is not None and len(history):
            ids, counts = np.unique(history.norad_id, return_counts=True)
            for norad in ids[counts >= MIN_HISTORY_SETS]:
                sets = history.take(history.norad_id == norad)
                gap, resid, _ = history_residuals(sets)
                fit = fit_error_growth(gap, resid, f"own element-set history: {len(sets)} sets, {gap.size} "
                                                   f"propagation pairs up to {gap.max() if gap.size else 0:.1f} d")
                if fit is not None:
                    own[int(norad)] = fit
        return cls(own, dict(REGIME_ERROR_GROWTH if table is None else table))

    @classmethod
    def from_files(cls, *paths) -> TleCovarianceModel:
        """The model of every element set in catalog files (own fits for the objects with several sets)."""
        return cls.from_history(read_element_history(*paths))

    def growth(self, norad_id: int, regime: str) -> ErrorGrowth | None:
        """The error growth used for an object, or None when neither its history nor its regime has one."""
        return self.own.get(int(norad_id)) or self.table.get(str(regime))

    def covariance(self, norad_id: int, regime: str, age_days: float) -> tuple[np.ndarray | None, list[str]]:
        """6x6 RTN covariance (m^2, m^2/s, m^2/s^2) at an element-set age (days) and the COMMENT lines stating its
        source; (None, [reason]) when there is none."""
        fit = self.growth(norad_id, regime)
        if fit is None:
            return None, [f"no TLE error model for NORAD {norad_id} ({regime}): no history and no regime table"]
        sig = fit.sigma(age_days)
        kind = "own history" if int(norad_id) in self.own else f"{regime} regime table"
        return fit.covariance_rtn(age_days), [
            f"Covariance: TLE-based ({kind}), diagonal RTN, element-set age {age_days:.2f} d",
            f"Covariance source: {fit.source}",
            "Covariance 1-sigma R/T/N: " + " / ".join(f"{x * 1e3:.0f}" for x in sig[:3]) + " m",
        ]
