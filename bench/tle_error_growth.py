"""TLE error growth per orbit regime, the table behind orbitshare.ssa.conjunction.tle_covariance.REGIME_ERROR_GROWTH.

Residuals: an element set propagated (SGP4) to the epoch of a later set of the same object, minus the later set's
state there, in its RTN frame (tle_covariance.history_residuals). Sources, all in ../shared/data:
* maneuvers/*.tle: element-set histories of six LEO and four GEO satellites; pairs spanning an operator-reported
  manoeuvre (manoeuvres_*.yaml, widened by a day) are left out;
* catalog/celestrak_gp_2026-03-09.json against catalog/celestrak_active_2026-03-10.csv: every object in both with
  different epochs gives one pair (all regimes, spans up to about two days).
Prints the fitted sigmas at 0, 1, 3 and 7 days and a held-out check (LEO and GEO histories in two folds: fitted on
one, the fraction of the other's residuals within 1 and 2 sigma per component) and writes
bench/results/tle_error_growth.json.
"""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path

import numpy as np

from orbitshare.catalog import read_catalog
from orbitshare.ssa.behaviour.evaluation import read_truth
from orbitshare.ssa.behaviour.io import read_history
from orbitshare.ssa.conjunction.tle_covariance import fit_error_growth, history_residuals

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
HISTORIES = {"LEO": ["CryoSat-2", "Haiyang-2A", "Jason-1", "Jason-2", "Sentinel-3A", "Sentinel-6A"],
             "GEO": ["Fengyun-2D", "Fengyun-2E", "Fengyun-2F", "Fengyun-4A"]}
CROSS = ("catalog/celestrak_gp_2026-03-09.json", "catalog/celestrak_active_2026-03-10.csv")
MANOEUVRE_PAD_DAYS = 1.0
FOLDS = {"LEO": (["CryoSat-2", "Jason-1", "Sentinel-3A"], ["Haiyang-2A", "Jason-2", "Sentinel-6A"]),
         "GEO": (["Fengyun-2D", "Fengyun-2F"], ["Fengyun-2E", "Fengyun-4A"])}


def history_pairs(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Spans and residuals of one satellite's history, pairs across a reported manoeuvre left out."""
    hist = read_history(SHARED / "maneuvers" / f"{name}.tle")
    truth_jd = np.sort(np.asarray(read_truth(SHARED / "maneuvers" / f"manoeuvres_{name}.yaml")[1], float))
    cat = hist.catalog
    t = np.sort(cat["epoch_jd"] + cat["epoch_fr"])
    gap, resid, t_end = history_residuals(cat)
    t_start = t_end - gap
    lo = np.searchsorted(truth_jd, t_start - MANOEUVRE_PAD_DAYS)
    hi = np.searchsorted(truth_jd, t_end + MANOEUVRE_PAD_DAYS)
    clean = lo == hi
    print(f"  {name}: {len(t)} sets, {gap.size} pairs, {int(clean.sum())} without a reported manoeuvre")
    return gap[clean], resid[clean]


def cross_pairs() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per regime, spans and residuals of the objects in both CelesTrak catalogs with different epochs."""
    from orbitshare.catalog import Catalog

    a, _ = read_catalog(SHARED / CROSS[0])
    b, _ = read_catalog(SHARED / CROSS[1])
    common = np.intersect1d(a.norad_id, b.norad_id)
    a, b = a.take(a.index_of(common)), b.take(b.index_of(common))
    out: dict[str, list] = {}
    for k in range(len(common)):
        pair = Catalog({c: np.concatenate([a.columns[c][k:k + 1], b.columns[c][k:k + 1]]) for c in a.columns})
        gap, resid, _ = history_residuals(pair)
        if gap.size:
            out.setdefault(str(b.regime[k]), []).append((gap, resid))
    return {reg: (np.concatenate([g for g, _ in v]), np.concatenate([r for _, r in v])) for reg, v in out.items()}


def held_out(pairs: dict[str, tuple[np.ndarray, np.ndarray]]) -> dict[str, dict]:
    """Per regime and fold direction: fit on one fold's histories, fraction of the other's residuals within 1 and 2
    sigma (R, T, N position components)."""
    out = {}
    for regime, (a, b) in FOLDS.items():
        for fit_on, test_on in ((a, b), (b, a)):
            fit = fit_error_growth(np.concatenate([pairs[n][0] for n in fit_on]),
                                   np.concatenate([pairs[n][1] for n in fit_on]), "fold")
            gap = np.concatenate([pairs[n][0] for n in test_on])
            resid = np.concatenate([pairs[n][1] for n in test_on])
            sig = np.array([fit.sigma(t)[:3] for t in gap])
            z = np.abs(resid[:, :3]) / sig
            key = f"{regime} fit {'+'.join(fit_on)} -> {'+'.join(test_on)}"
            out[key] = {"within_1_sigma": (z <= 1).mean(axis=0).round(3).tolist(),
                        "within_2_sigma": (z <= 2).mean(axis=0).round(3).tolist(), "pairs": int(gap.size)}
            print(f"  {key}: within 1 sigma R/T/N {out[key]['within_1_sigma']}, 2 sigma {out[key]['within_2_sigma']}")
    return out


def main() -> None:
    """Fit every regime, print the table and write the JSON."""
    t0 = time.perf_counter()
    data: dict[str, list] = {}
    by_name = {}
    print("histories:")
    for regime, names in HISTORIES.items():
        for name in names:
            by_name[name] = history_pairs(name)
            data.setdefault(regime, []).append(by_name[name])
    print("cross-catalog pairs:")
    for regime, pair in cross_pairs().items():
        print(f"  {regime}: {pair[0].size} objects")
        data.setdefault(regime, []).append(pair)
    results = {}
    print(f"\n{'regime':<6} {'pairs':>7} {'max d':>6}  1-sigma R / T / N (m) at 0 d | 1 d | 3 d | 7 d")
    for regime in ("LEO", "MEO", "GEO", "HEO"):
        if regime not in data:
            continue
        gap = np.concatenate([g for g, _ in data[regime]])
        resid = np.concatenate([r for _, r in data[regime]])
        fit = fit_error_growth(gap, resid, f"bench/tle_error_growth.py {regime}")
        if fit is None:
            continue
        cells = [" / ".join(f"{x * 1e3:.0f}" for x in fit.sigma(d)[:3]) for d in (0, 1, 3, 7)]
        print(f"{regime:<6} {fit.n_pairs:>7} {fit.max_gap_days:>6.1f}  " + " | ".join(cells))
        results[regime] = {"abc": fit.abc, "n_pairs": fit.n_pairs, "min_gap_days": fit.min_gap_days,
                           "max_gap_days": fit.max_gap_days,
                           "sigma_m_at_days": {d: [x * 1e3 for x in fit.sigma(d)[:3]] for d in (0, 1, 3, 7)}}
    print("\nheld-out check (Gaussian: 0.683 within 1 sigma, 0.954 within 2):")
    check = held_out(by_name)
    out = {"machine": platform.platform(), "python": platform.python_version(),
           "date": time.strftime("%Y-%m-%d"), "seconds": round(time.perf_counter() - t0, 1), "regimes": results,
           "held_out": check}
    path = ROOT / "bench" / "results" / "tle_error_growth.json"
    path.write_text(json.dumps(out, indent=2))
    print(f"\nwrote {path} ({out['seconds']} s)")


if __name__ == "__main__":
    main()
