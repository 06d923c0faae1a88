"""SDA benchmark: manoeuvre detection time over 20 years of history and the F1 table per satellite.

Reads ../shared/data/maneuvers (falls back to the vendored tests/data/sda copies); writes bench/results/sda.json.
"""

from __future__ import annotations

import gzip
import json
import platform
import time
from pathlib import Path

import numpy as np

from orbitshare.catalog import Catalog
from orbitshare.catalog.tle import read_tle
from orbitshare.ssa.manoeuvres import detect_manoeuvres, evaluate, history_from_records, read_history, read_truth

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "maneuvers"
VENDORED = ROOT / "tests" / "data" / "sda"
NAMES = ["CryoSat-2", "Haiyang-2A", "Jason-1", "Jason-2", "Sentinel-3A", "Sentinel-6A",
         "Fengyun-2D", "Fengyun-2E", "Fengyun-2F", "Fengyun-4A"]
TOLERANCE_DAYS = 1.0


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
    """Run the benchmark, print a table and write bench/results/sda.json."""
    detect_manoeuvres(read_history(_paths("Sentinel-6A")[0]))  # warm-up
    hist, years = twenty_year_history()
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        found = detect_manoeuvres(hist)
        times.append(time.perf_counter() - t0)
    rows = {}
    for name in NAMES:
        tle, truth = _paths(name)
        t0 = time.perf_counter()
        h = read_history(tle)
        rows[name] = evaluate(h, read_truth(truth)[1], TOLERANCE_DAYS) | {"seconds_read_and_detect":
                                                                          time.perf_counter() - t0}
    pooled = {}
    for regime in ("LEO", "GEO"):
        sel = [r for r in rows.values() if r["regime"] == regime]
        tp, fp, fn = (sum(r[k] for r in sel) for k in ("tp", "fp", "fn"))
        p, r = tp / (tp + fp), tp / (tp + fn)
        pooled[regime] = {"tp": tp, "fp": fp, "fn": fn, "precision": p, "recall": r, "f1": 2 * p * r / (p + r)}
    print(f"manoeuvre detection, {len(hist.catalog)} element sets over {years:.1f} years: "
          f"median {np.median(times):.3f} s (target < 2 s), {len(found)} detections")
    head = ("satellite", "regime", "sets", "truth", "det", "tp", "P", "R", "F1")
    print("{:12s} {:6s} {:>5s} {:>5s} {:>4s} {:>4s} {:>5s} {:>5s} {:>5s}".format(*head))
    for name, r in rows.items():
        print(f"{name:12s} {r['regime']:6s} {r['element_sets']:5d} {r['truth']:5d} {r['detected']:4d} {r['tp']:4d} "
              f"{r['precision']:5.2f} {r['recall']:5.2f} {r['f1']:5.2f}")
    for regime, r in pooled.items():
        print(f"{'pooled':12s} {regime:6s} {'':5s} {'':5s} {'':4s} {r['tp']:4d} {r['precision']:5.2f} "
              f"{r['recall']:5.2f} {r['f1']:5.2f}")
    print("proximity watch: not benchmarked (screening engine not yet committed; see docs/sda.md)")
    out = {"machine": platform.platform(), "python": platform.python_version(),
           "manoeuvres_20y": {"element_sets": len(hist.catalog), "years": years, "median_s": float(np.median(times)),
                              "runs_s": times, "target_s": 2.0},
           "matching_tolerance_days": TOLERANCE_DAYS, "f1_table": rows, "pooled": pooled,
           "proximity": None}
    (ROOT / "bench" / "results").mkdir(parents=True, exist_ok=True)
    (ROOT / "bench" / "results" / "sda.json").write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
