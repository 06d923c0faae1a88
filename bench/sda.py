"""SDA benchmark: manoeuvre detection time over 20 years of history, leave-one-satellite-out scores, proximity.

Manoeuvres: per regime, every configuration of a small grid is run on the regime's satellites; for each
satellite the configuration best on the others (F1 at 1 day, point times, one-to-one) is scored on it. Reports
F1 at 6 h, 12 h, 1 d and 2 d and the median absolute timing error, held out by satellite, and the configuration
chosen on all satellites of the regime (the adopted REGIME_CONFIG must equal it). The burn-time sigma floor
(model error) is calibrated the same way: on the other satellites' matched burns, checked on the held-out
one. Each held-out satellite's misses and false alarms are counted by cause (evaluation.explain_errors), with the
1-day F1 those causes leave as a ceiling. Reads ../shared/data/maneuvers (falls back to the vendored
tests/data/sda copies); writes bench/results/sda.json. --skip-proximity keeps the proximity entry of the
previous sda.json.
"""

from __future__ import annotations

import dataclasses
import gzip
import itertools
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from orbitshare.catalog import Catalog
from orbitshare.catalog.tle import read_tle
from orbitshare.ssa.behaviour.evaluation import (
    FALSE_ALARM_CAUSES,
    MISS_CAUSES,
    TOLERANCES_DAYS,
    explain_errors,
    f1_score,
    leave_one_out,
    match_detections,
    read_truth,
    sigma_floor,
)
from orbitshare.ssa.behaviour.io import read_history
from orbitshare.ssa.behaviour.manoeuvres import REGIME_CONFIG, detect_manoeuvres, history_from_records

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "maneuvers"
VENDORED = ROOT / "tests" / "data" / "sda"
SATELLITES = {"LEO": ["CryoSat-2", "Haiyang-2A", "Jason-1", "Jason-2", "Sentinel-3A", "Sentinel-6A"],
              "GEO": ["Fengyun-2D", "Fengyun-2E", "Fengyun-2F", "Fengyun-4A"]}
SELECT_TOLERANCE_DAYS = 1.0
GRIDS = {  # parameters searched per regime around REGIME_CONFIG (product of the values)
    "LEO": {"z_threshold": (6.0, 8.0, 10.0), "k_time": (3, 6), "max_crossing_sigma_days": (0.25, 0.5, 1.0),
            "bracket_offset_days": (-1.0, -0.5, 0.0), "bracket_in_window": (True, False)},
    "GEO": {"z_threshold": (8.0, 10.0, 12.0), "k_time": (3, 6), "max_crossing_sigma_days": (0.5, 10.0),
            "bracket_fraction": (0.0, 0.5), "bracket_offset_days": (-0.5, 0.0)},
}
FULL_CATALOG = ROOT.parent / "shared" / "data" / "catalog" / "spacetrack_full_2022-01-22.3le"


def grid_configs(regime: str) -> list:
    """The regime's configurations: REGIME_CONFIG with every combination of GRIDS[regime] values."""
    keys = list(GRIDS[regime])
    return [dataclasses.replace(REGIME_CONFIG[regime], time_sigma_floor_s=0.0, **dict(zip(keys, vals, strict=True)))
            for vals in itertools.product(*(GRIDS[regime][k] for k in keys))]


def _adopted(regime: str):
    """REGIME_CONFIG of the regime without its sigma floor (the grid's configurations have none)."""
    return dataclasses.replace(REGIME_CONFIG[regime], time_sigma_floor_s=0.0)


def _score(det, truth: np.ndarray) -> dict:
    """(tp, fp, fn) per tolerance and the timing errors (s) of the 1-day matching."""
    out = {}
    for tol in TOLERANCES_DAYS:
        tp, fp, fn, pairs = match_detections(det, truth, tol, "time")
        out[tol] = (tp, fp, fn)
        if tol == SELECT_TOLERANCE_DAYS:
            out["errors_s"] = [(det[d].time_jd - truth[i]) * 86400.0 for d, i in pairs]
            out["sigmas_s"] = [det[d].time_sigma_s for d, _ in pairs]
    return out


def leave_one_satellite_out(data: dict, regime: str) -> dict:
    """Held-out scores of the regime: per satellite, the grid configuration best on the others, scored on it."""
    names, configs = SATELLITES[regime], grid_configs(regime)
    scores = []
    for cfg in configs:
        row = []
        for n in names:
            h, truth = data[n]
            row.append(_score(detect_manoeuvres(h, config=cfg), truth))
        scores.append(row)
    counts = np.array([[s[SELECT_TOLERANCE_DAYS] for s in row] for row in scores])  # (config, satellite, 3)
    chosen = leave_one_out(counts)
    per_sat, errors, zs = {}, [], []
    causes = {"misses": dict.fromkeys(MISS_CAUSES, 0), "false_alarms": dict.fromkeys(FALSE_ALARM_CAUSES, 0)}
    pooled = {tol: np.zeros(3, dtype=int) for tol in TOLERANCES_DAYS}
    for s, n in enumerate(names):
        sc = scores[chosen[s]][s]
        for tol in TOLERANCES_DAYS:
            pooled[tol] += np.array(sc[tol])
        errors += sc["errors_s"]
        train = [scores[chosen[s]][o] for o in range(len(names)) if o != s]
        floor = sigma_floor(np.concatenate([x["errors_s"] for x in train]),
                            np.concatenate([x["sigmas_s"] for x in train]))  # calibrated without satellite s
        zs += list(np.abs(sc["errors_s"]) / np.hypot(sc["sigmas_s"], floor))
        tp, fp, fn = sc[SELECT_TOLERANCE_DAYS]
        h, truth = data[n]
        why = explain_errors(h, truth, detect_manoeuvres(h, config=configs[chosen[s]]), SELECT_TOLERANCE_DAYS,
                             regime, configs[chosen[s]])
        for part in ("misses", "false_alarms"):
            for cause, c in why[part].items():
                causes[part][cause] += c
        per_sat[n] = {"config": _params(configs[chosen[s]], regime), "sigma_floor_s": floor,
                      "tp": tp, "fp": fp, "fn": fn, "why": why,
                      "f1_by_tolerance": {f"{tol:g}": f1_score(*sc[tol]) for tol in TOLERANCES_DAYS},
                      "median_abs_error_h": float(np.median(np.abs(sc["errors_s"])) / 3600.0) if sc["errors_s"]
                      else None}
    best_all = int(np.argmax([f1_score(*c) for c in counts.sum(axis=1)]))
    floor_all = sigma_floor(np.concatenate([x["errors_s"] for x in scores[best_all]]),
                            np.concatenate([x["sigmas_s"] for x in scores[best_all]]))
    return {"grid_size": len(configs), "held_out": per_sat, "why": causes,
            "f1_1d_ceiling": _ceiling(pooled[SELECT_TOLERANCE_DAYS], causes),
            "pooled_f1_by_tolerance": {f"{tol:g}": f1_score(*pooled[tol]) for tol in TOLERANCES_DAYS},
            "pooled_counts_1d": [int(x) for x in pooled[SELECT_TOLERANCE_DAYS]],
            "median_abs_error_h": float(np.median(np.abs(errors)) / 3600.0) if errors else None,
            "within_1_sigma": float(np.mean(np.array(zs) <= 1.0)) if zs else None,
            "within_2_sigma": float(np.mean(np.array(zs) <= 2.0)) if zs else None,
            "chosen_on_all": _params(configs[best_all], regime) | {"time_sigma_floor_s": floor_all},
            "adopted_equals_chosen_on_all": configs[best_all] == _adopted(regime)
            and abs(REGIME_CONFIG[regime].time_sigma_floor_s - floor_all) < 60.0,
            "in_sample_f1_1d_adopted": _in_sample(scores, configs, regime)}


def _ceiling(counts: np.ndarray, causes: dict) -> float:
    """1-day F1 if every miss but those below the thresholds or paired (one step in the sets) were found and every
    false alarm but the unreported large steps removed: what this detector's sensitivity and the record allow."""
    tp, _, fn = (int(x) for x in counts)
    m, f = causes["misses"], causes["false_alarms"]
    found = m["timing"] + m["not separated"]
    return f1_score(tp + found, f["unreported large step"], fn - found)


def _in_sample(scores: list, configs: list, regime: str) -> float | None:
    """Pooled 1-day F1 of the adopted REGIME_CONFIG (in-sample), when it is in the grid."""
    for row, cfg in zip(scores, configs, strict=True):
        if cfg == _adopted(regime):
            return f1_score(*np.sum([s[SELECT_TOLERANCE_DAYS] for s in row], axis=0))
    return None


def _params(cfg, regime: str) -> dict:
    """The grid parameters of one configuration."""
    return {k: getattr(cfg, k) for k in GRIDS[regime]}


def proximity_bench() -> dict | None:
    """Proximity watch of 25 LEO + 25 GEO payloads (seeded choice) against the full catalog over 7 days."""
    if not FULL_CATALOG.exists():
        return None
    from orbitshare.catalog import read_catalog
    from orbitshare.ssa.behaviour.proximity import geo_belt_view, proximity_watch

    cat, _ = read_catalog(FULL_CATALOG)
    pay = cat["object_type"] == "PAYLOAD"
    rng = np.random.default_rng(0)
    assets = [int(x) for reg in ("LEO", "GEO") for x in rng.choice(cat.norad_id[pay & (cat.regime == reg)], 25,
                                                                     replace=False)]
    # JIT warm-up of every code path of a watch (compiled code is cached on disk; loading it takes seconds): one
    # LEO and one GEO asset against the objects of their regimes among the first 2,000, over 2 hours
    warm = cat.take(np.arange(2000))
    warm_assets = [int(warm.norad_id[warm.regime == reg][0]) for reg in ("LEO", "GEO")]
    proximity_watch(warm, warm_assets, "2022-01-22T00:00:00", "2022-01-22T02:00:00")
    runs = []
    for _ in range(3):  # a few seconds each: best of three, the shared machine's noise is about +-10 %
        t0 = time.perf_counter()
        rows = proximity_watch(cat, assets, "2022-01-22T00:00:00", "2022-01-29T00:00:00")
        runs.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    belt = geo_belt_view(cat, assets, "2022-01-22T00:00:00")
    belt_s = time.perf_counter() - t0
    trends = {k: sum(r["trend"] == k for r in rows) for k in ("closing", "station-keeping near", "departing")}
    base_s = _baseline_sgp4_s(FULL_CATALOG)
    return {"objects": len(cat), "assets": len(assets), "days": 7, "pairs": len(rows), "runs_s": runs,
            "best_s": min(runs), "target_s": 5.0, "belt_rows": len(belt), "belt_s": belt_s,
            "trends": trends, "baseline_sgp4_s": base_s, "ratio_to_baseline": min(runs) / base_s}


def _baseline_sgp4_s(path: Path) -> float:
    """Machine-speed baseline of the same run (one run, ~11 s): python-sgp4 SatrecArray.sgp4 (Vallado's C++, one
    core) over the whole catalog for 7 days every 900 s, the samples the proximity watch's LEO screening takes."""
    from sgp4.api import Satrec, SatrecArray

    lines = path.read_text().splitlines()
    sats = SatrecArray([Satrec.twoline2rv(lines[i + 1], lines[i + 2]) for i in range(0, len(lines) - 2, 3)])
    jd0 = 2459601.5  # 2022-01-22T00:00:00 UTC
    fr = np.arange(0.0, 7 * 86400.0 + 1.0, 900.0) / 86400.0
    t0 = time.perf_counter()
    sats.sgp4(np.full(fr.shape, jd0), fr)
    return time.perf_counter() - t0


def _paths(name: str) -> tuple[Path, Path]:
    """History and truth files of one satellite (shared data, else vendored gzip)."""
    if (SHARED / f"{name}.tle").exists():
        return SHARED / f"{name}.tle", SHARED / f"manoeuvres_{name}.yaml"
    tmp = Path("/tmp") / f"sda_truth_{name}.yaml"
    tmp.write_text(gzip.open(VENDORED / f"maneuvers_manoeuvres_{name}.yaml.gz", "rt").read())
    return VENDORED / f"maneuvers_{name}.tle.gz", tmp


def twenty_year_history() -> tuple[Catalog, float]:
    """A ~18-year history: Jason-1 (2001-2013) then Jason-2 (2013-2019) as one object, ~7,900 sets."""
    recs = []
    for name in ("Jason-1", "Jason-2"):
        path, _ = _paths(name)
        text = gzip.open(path, "rt").read() if path.suffix == ".gz" else path.read_text()
        recs += [r for r in read_tle(text.splitlines(), name) if isinstance(r, dict)]
    for r in recs:
        r["norad_id"] = 1
    hist = history_from_records(recs, "jason-1+2")
    years = (hist.t_jd[-1] - hist.t_jd[0]) / 365.25
    return hist, years


def main() -> None:
    """Run the benchmark, print tables and write bench/results/sda.json."""
    detect_manoeuvres(read_history(_paths("Sentinel-6A")[0]))  # warm-up
    hist, years = twenty_year_history()
    times, cpu = [], []
    for _ in range(5):  # wall and CPU time: on a shared machine the load inflates wall time, not CPU time
        t0, c0 = time.perf_counter(), time.process_time()
        found = detect_manoeuvres(hist)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"manoeuvre detection, {len(hist.catalog)} element sets over {years:.1f} years: "
          f"median {np.median(times):.3f} s wall, {np.median(cpu):.3f} s CPU (target <= 2 s; load average "
          f"{load:.1f}), {len(found)} detections")
    data = {}
    for name in SATELLITES["LEO"] + SATELLITES["GEO"]:
        tle, truth_path = _paths(name)
        h = read_history(tle)
        truth = read_truth(truth_path)[1]
        t = h.t_jd
        data[name] = (h, np.sort(truth[(truth >= t[0]) & (truth <= t[-1])]))
    loso = {}
    for regime in ("LEO", "GEO"):
        t0 = time.perf_counter()
        r = loso[regime] = leave_one_satellite_out(data, regime)
        print(f"{regime}: leave one satellite out over {r['grid_size']} configurations "
              f"({time.perf_counter() - t0:.0f} s); point times, one-to-one")
        tols = [f"{tol:g}" for tol in TOLERANCES_DAYS]
        print(f"{'held out':12s} {'tp':>4s} {'fp':>4s} {'fn':>4s} " + " ".join(f"F1@{x:>4s}d" for x in tols)
              + "  med|err| h  config")
        for n, s in r["held_out"].items():
            med = f"{s['median_abs_error_h']:10.2f}" if s["median_abs_error_h"] is not None else f"{'-':>10s}"
            print(f"{n:12s} {s['tp']:4d} {s['fp']:4d} {s['fn']:4d} "
                  + " ".join(f"{s['f1_by_tolerance'][x]:9.3f}" for x in tols) + f"  {med}  {s['config']}")
        tp, fp, fn = r["pooled_counts_1d"]
        print(f"{'pooled':12s} {tp:4d} {fp:4d} {fn:4d} "
              + " ".join(f"{r['pooled_f1_by_tolerance'][x]:9.3f}" for x in tols)
              + f"  {r['median_abs_error_h']:10.2f}  within 1/2 sigma {r['within_1_sigma']:.2f}/"
              f"{r['within_2_sigma']:.2f}")
        for n, s in r["held_out"].items():
            print(f"{n:12s} misses {s['why']['misses']}; false alarms {s['why']['false_alarms']}")
        print(f"{regime} misses {r['why']['misses']}; false alarms {r['why']['false_alarms']}; "
              f"F1 1 d ceiling {r['f1_1d_ceiling']:.3f}")
        print(f"chosen on all {regime} satellites: {r['chosen_on_all']} "
              f"(adopted REGIME_CONFIG equal: {r['adopted_equals_chosen_on_all']})")
    old = ROOT / "bench" / "results" / "sda.json"
    if "--skip-proximity" in sys.argv and old.exists():  # keep the last proximity run
        prox = json.loads(old.read_text()).get("proximity")
    else:
        prox = proximity_bench()
    print(f"proximity watch: {prox}")
    out = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": platform.platform(),
           "processor": platform.processor(), "python": platform.python_version(),
           "manoeuvres_20y": {"element_sets": len(hist.catalog), "years": years, "median_s": float(np.median(times)),
                              "runs_s": times, "median_cpu_s": float(np.median(cpu)), "cpu_s": cpu,
                              "load_average_1min": load, "target_s": 2.0},
           "manoeuvres_leave_one_satellite_out": loso, "proximity": prox}
    (ROOT / "bench" / "results").mkdir(parents=True, exist_ok=True)
    (ROOT / "bench" / "results" / "sda.json").write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
