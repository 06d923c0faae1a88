"""Screening benchmark: full catalog all-vs-all (vs astroz, same run), 50 primaries, optional synthetic 100k.

Usage: .venv/bin/python bench/screen.py [--days 7] [--skip-astroz] [--synthetic N] [--only-synthetic]
       [--out bench/results/screen.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from orbitshare.catalog import read_catalog
from orbitshare.ssa.conjunction.screening import screen

FULL = Path(__file__).parents[1] / ".." / "shared" / "data" / "catalog" / "spacetrack_full_2022-01-22.3le"
START = datetime(2022, 1, 23, tzinfo=UTC)


def _peak_gb() -> float:
    """Peak resident memory of this process so far (GB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


def _timed(label, fn):
    """Run fn, print and return (result, seconds)."""
    t = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t
    print(f"{label}: {dt:.1f} s, peak {_peak_gb():.2f} GB", flush=True)
    return out, dt


def run_astroz(path: Path, days: float, threshold_km: float):
    """astroz screen of the same file and window: (ids_i, ids_j, tca seconds from START, miss km)."""
    import astroz

    cons = astroz.Constellation(str(path))
    ids = np.asarray(cons.satnums)  # NORAD ids (alpha-5 decoded) in astroz's own order
    ev = astroz.screen(cons, days * 1440.0, threshold=threshold_km, start_time=START)
    return ids[np.asarray(ev.i)], ids[np.asarray(ev.j)], np.asarray(ev.time) * 60.0, np.asarray(ev.distance)


def _explain(unmatched, mine, other, tol_s: float, threshold_km: float) -> dict:
    """Counts of why events of one side have no partner: same pair within 60 s, near threshold, other."""
    m1, m2, mt, _ = mine
    o1, o2, ot, _ = other
    by_pair = {}
    for k, (p, q) in enumerate(zip(np.minimum(o1, o2), np.maximum(o1, o2), strict=True)):
        by_pair.setdefault((int(p), int(q)), []).append(k)
    out = {"same_pair_within_60s": 0, "miss_within_50m_of_threshold": 0, "pair_not_found_by_other": 0}
    for k in unmatched:
        key = (int(min(m1[k], m2[k])), int(max(m1[k], m2[k])))
        near = [x for x in by_pair.get(key, []) if abs(ot[x] - mt[k]) <= 60.0]
        if near:
            out["same_pair_within_60s"] += 1
        elif mine[3][k] >= threshold_km - 0.05:
            out["miss_within_50m_of_threshold"] += 1
        else:
            out["pair_not_found_by_other"] += 1
    return out


def identical_state_mask(cat, ids_1, ids_2, t_s) -> np.ndarray:
    """Which events are of pairs whose SGP4 positions coincide (< 1 mm) at the event and 60 s later."""
    from orbitshare.astro.propagation import Sgp4Records, propagate_pairs

    same = np.ones(len(t_s), dtype=bool)
    if len(t_s) == 0:
        return same
    recs = Sgp4Records.from_catalog(cat)
    jd0 = 2459602.5  # START
    for dt in (0.0, 60.0):
        r1, _, _ = propagate_pairs(recs, cat.index_of(ids_1), jd0, (t_s + dt) / 86400.0)
        r2, _, _ = propagate_pairs(recs, cat.index_of(ids_2), jd0, (t_s + dt) / 86400.0)
        same &= np.linalg.norm(r2 - r1, axis=1) < 1e-6
    return same


def python_sgp4_check(path: Path, ids_1, ids_2, t_s, threshold_km: float, half_s: float = 120.0) -> list[dict]:
    """Independent look at events: python-sgp4 (TLE text via twoline2rv) range every 0.1 s within +-half_s.

    Per event: the smallest range there, and the interior local minima of range <= threshold (time from the
    event, range), which is what a complete screen must report.
    """
    from sgp4.api import Satrec

    lines = Path(path).read_text().splitlines()
    tle = {}
    for k, line in enumerate(lines):
        if line.startswith("1 ") and k + 1 < len(lines) and lines[k + 1].startswith("2 "):
            sat = Satrec.twoline2rv(line, lines[k + 1])
            tle[int(sat.satnum)] = sat
    out = []
    off = np.arange(-half_s, half_s + 0.05, 0.1)
    for a, b, t in zip(ids_1, ids_2, t_s, strict=True):
        jd = 2459602.5 + np.zeros(off.size)
        fr = (t + off) / 86400.0
        ra = tle[int(a)].sgp4_array(jd, fr)[1]
        rb = tle[int(b)].sgp4_array(jd, fr)[1]
        rng = np.linalg.norm(rb - ra, axis=1)
        k = np.flatnonzero((rng[1:-1] < rng[:-2]) & (rng[1:-1] <= rng[2:]) & (rng[1:-1] <= threshold_km)) + 1
        out.append({"id_1": int(a), "id_2": int(b), "t_s": float(t), "min_range_km": float(rng.min()),
                    "local_minima_le_threshold": [(round(float(off[x]), 1), float(rng[x])) for x in k],
                    "first_sgp4_error_days": first_error_days((tle[int(a)], tle[int(b)]))})
    return out


def first_error_days(sats, days: float = 7.0) -> list[float | None]:
    """Days from START of each python-sgp4 Satrec's first SGP4 error, sampled every 600 s (None: no error).

    Error 6 there means the SGP4 orbit dips below the Earth's surface: orbitshare treats the object as re-entered
    from that sample on (docs/catalog-and-propagation.md), python-sgp4 and astroz go on between perigees.
    """
    t = np.arange(0.0, days * 86400.0 + 1.0, 600.0)
    out = []
    for sat in sats:
        bad = np.flatnonzero(sat.sgp4_array(np.full(t.size, 2459602.5), t / 86400.0)[0] != 0)
        out.append(float(t[bad[0]] / 86400.0) if bad.size else None)
    return out


def agreement(ours, theirs, threshold_km: float, tol_s: float = 1.0, tol_km: float = 0.01) -> dict:
    """Events matched by pair and TCA within tol_s (and miss within tol_km); unmatched ones explained."""
    a1, a2, at, am = ours
    b1, b2, bt, bm = theirs
    key_a = {}
    for k, (p, q) in enumerate(zip(np.minimum(a1, a2), np.maximum(a1, a2), strict=True)):
        key_a.setdefault((int(p), int(q)), []).append(k)
    dmiss, dt, only_b, used = [], [], [], set()
    for k, (p, q) in enumerate(zip(np.minimum(b1, b2), np.maximum(b1, b2), strict=True)):
        cands = sorted((abs(at[x] - bt[k]), x) for x in key_a.get((int(p), int(q)), [])
                       if abs(at[x] - bt[k]) <= tol_s and x not in used)
        if cands:
            used.add(cands[0][1])
            dmiss.append(abs(am[cands[0][1]] - bm[k]))
            dt.append(cands[0][0])
        else:
            only_b.append(k)
    only_a = [k for k in range(len(at)) if k not in used]
    dmiss = np.array(dmiss)
    return {"tolerance": f"same pair, |dTCA| <= {tol_s} s; miss agreement {tol_km * 1e3:.0f} m",
            "ours": len(at), "astroz": len(bt), "matched": len(used),
            "matched_miss_within_tol": int(np.sum(dmiss <= tol_km)) if dmiss.size else 0,
            "matched_miss_diff_km_median": float(np.median(dmiss)) if dmiss.size else None,
            "matched_miss_diff_km_max": float(dmiss.max()) if dmiss.size else None,
            "matched_tca_diff_s_max": float(max(dt)) if dt else None,
            "only_ours": len(only_a), "only_ours_why": _explain(only_a, ours, theirs, tol_s, threshold_km),
            "only_astroz": len(only_b), "only_astroz_why": _explain(only_b, theirs, ours, tol_s, threshold_km),
            "only_astroz_index": only_b}


def synthetic_child(n: int, days: float, threshold_km: float) -> dict:
    """Screen the synthetic catalog in this (fresh) process: seconds, events, peak GB."""
    from synthetic_catalog import synthetic_catalog

    syn = synthetic_catalog(n, epoch=START)
    screen(syn.take(np.arange(200)), START, START + timedelta(hours=1), threshold_km)  # JIT (cached)
    res, dt = _timed(f"synthetic {n}", lambda: screen(syn, START, START + timedelta(days=days), threshold_km))
    return {"objects": n, "days": days, "seconds": dt, "events": len(res), "peak_gb": _peak_gb(),
            "measured_utc": datetime.now(UTC).isoformat(timespec="seconds")}


def _synthetic(args) -> dict:
    """Screen the synthetic catalog in a separate process (its own peak memory); its JSON result."""
    import subprocess
    import sys

    cmd = [sys.executable, __file__, "--synthetic-child", "--synthetic", str(args.synthetic or 100_000),
           "--days", str(args.synthetic_days or args.days), "--threshold-km", str(args.threshold_km)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()
    return json.loads(out[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=float, default=7.0)
    ap.add_argument("--threshold-km", type=float, default=5.0)
    ap.add_argument("--skip-astroz", action="store_true")
    ap.add_argument("--synthetic", type=int, default=0, help="also screen a synthetic catalog of N objects")
    ap.add_argument("--synthetic-days", type=float, default=None, help="window of the synthetic run (default --days)")
    ap.add_argument("--synthetic-child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--only-synthetic", action="store_true", help="run only the synthetic screen (default 100k)")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "screen.json"))
    args = ap.parse_args()
    if args.synthetic_child:
        print(json.dumps(synthetic_child(args.synthetic, args.days, args.threshold_km)))
        return
    if args.only_synthetic:  # update the synthetic entry of an existing result file, keep the rest
        results = json.loads(Path(args.out).read_text()) if Path(args.out).exists() else {}
        results["synthetic"] = _synthetic(args)
        Path(args.out).write_text(json.dumps(results, indent=1, default=float))
        print(json.dumps(results["synthetic"], indent=1))
        return
    cat, _ = read_catalog(FULL)
    stop = START + timedelta(days=args.days)
    cpus = len(__import__("os").sched_getaffinity(0))
    results = {"machine": platform.processor() or platform.machine(), "cpus": cpus,
               "catalog": FULL.name, "objects": len(cat), "days": args.days, "threshold_km": args.threshold_km}
    warm = cat.take(np.arange(200))
    screen(warm, START, START + timedelta(hours=1), 5.0)  # JIT warm-up of both modes (cached)
    screen(warm, START, START + timedelta(hours=1), 5.0, [int(warm.norad_id[0])])
    res, dt = _timed("orbitshare all-vs-all", lambda: screen(cat, START, stop, args.threshold_km))
    results["all_vs_all"] = {"seconds": dt, "events": len(res), "peak_gb": _peak_gb()}
    prim = [int(x) for x in cat.select(object_type="PAYLOAD", regime="LEO").norad_id[::100][:50]]
    runs = [_timed("orbitshare 50 primaries", lambda: screen(cat, START, stop, args.threshold_km, prim))
            for _ in range(3)]  # a few seconds each: three runs, the shared machine's noise is about +-10 %
    pres = runs[0][0]
    times = sorted(dt for _, dt in runs)
    results["primaries_50"] = {"seconds": times[0], "seconds_median": times[1], "runs_s": [dt for _, dt in runs],
                               "events": len(pres), "primaries": prim}
    if not args.skip_astroz:
        t_s = ((res["tca_jd"] - 2459602.5) + res["tca_fr"]) * 86400.0
        ours = (res["norad_id_1"], res["norad_id_2"], t_s, res["miss_km"])
        theirs, adt = _timed("astroz all-vs-all", lambda: run_astroz(FULL, args.days, args.threshold_km))
        results["astroz"] = {"seconds": adt, "events": len(theirs[0]), "ratio_astroz_over_ours": adt / dt,
                             "agreement": agreement(ours, theirs, args.threshold_km)}
        only_b = np.array(results["astroz"]["agreement"].pop("only_astroz_index"), dtype=np.int64)
        same = identical_state_mask(cat, theirs[0][only_b], theirs[1][only_b], theirs[2][only_b])
        results["astroz"]["agreement"]["only_astroz_range_identically_zero"] = int(same.sum())
        rest = only_b[~same]
        results["astroz"]["agreement"]["only_astroz_other_python_sgp4"] = python_sgp4_check(
            FULL, theirs[0][rest], theirs[1][rest], theirs[2][rest], args.threshold_km)
        results["astroz"]["agreement"]["only_astroz_pairs"] = len({(min(int(a), int(b)), max(int(a), int(b)))
                                                                  for a, b in zip(theirs[0][only_b],
                                                                                  theirs[1][only_b],
                                                                                  strict=True)})
        print(json.dumps(results["astroz"], indent=1))
    if args.synthetic:
        results["synthetic"] = _synthetic(args)
    elif Path(args.out).exists():  # keep the last synthetic result (a separate ~8 min run: --only-synthetic)
        previous = json.loads(Path(args.out).read_text()).get("synthetic")
        if previous:
            results["synthetic"] = previous | {"note": "from an earlier --only-synthetic run, see measured_utc"}
    Path(args.out).write_text(json.dumps(results, indent=1, default=float))
    print(json.dumps({k: v for k, v in results.items() if k != "primaries_50"}, indent=1, default=float))


if __name__ == "__main__":
    main()
