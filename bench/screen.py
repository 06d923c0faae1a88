"""Screening benchmark: full catalog all-vs-all (vs astroz, same run), 50 primaries, optional synthetic 100k.

Usage: .venv/bin/python bench/screen.py [--days 7] [--skip-astroz] [--synthetic N] [--out bench/results/screen.json]
"""

from __future__ import annotations

import argparse
import itertools
import json
import platform
import resource
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from orbitshare.catalog import read_catalog
from orbitshare.ssa.screening import screen

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


def _tle_ids(path: Path) -> list[int]:
    """NORAD id of each element set in file order (line 1 of each TLE)."""
    lines = path.read_text().splitlines()
    return [int(a[2:7]) for a, b in itertools.pairwise(lines)
            if a.startswith("1 ") and b.startswith("2 ") and len(a) >= 69 and a[2:7] == b[2:7]]


def run_astroz(path: Path, days: float, threshold_km: float):
    """astroz screen of the same file and window: (ids_i, ids_j, tca seconds from START, miss km)."""
    import astroz

    cons = astroz.Constellation(str(path))
    ids = np.array(_tle_ids(path))
    ev = astroz.screen(cons, days * 1440.0, threshold=threshold_km, start_time=START)
    return ids[np.asarray(ev.i)], ids[np.asarray(ev.j)], np.asarray(ev.time) * 60.0, np.asarray(ev.distance)


def agreement(ours, theirs, tol_s: float = 2.0) -> dict:
    """Events matched by pair and TCA within tol_s; miss-distance differences of the matched ones."""
    a1, a2, at, am = ours
    b1, b2, bt, bm = theirs
    key_a = {}
    for k, (p, q) in enumerate(zip(np.minimum(a1, a2), np.maximum(a1, a2), strict=True)):
        key_a.setdefault((int(p), int(q)), []).append(k)
    matched, dmiss, only_b = 0, [], []
    used = set()
    for k, (p, q) in enumerate(zip(np.minimum(b1, b2), np.maximum(b1, b2), strict=True)):
        cands = [x for x in key_a.get((int(p), int(q)), []) if abs(at[x] - bt[k]) <= tol_s and x not in used]
        if cands:
            used.add(cands[0])
            matched += 1
            dmiss.append(abs(am[cands[0]] - bm[k]))
        else:
            only_b.append(float(bm[k]))
    return {"ours": len(at), "astroz": len(bt), "matched": matched, "only_ours": len(at) - len(used),
            "only_astroz": len(only_b), "only_astroz_miss_km_min": min(only_b) if only_b else None,
            "matched_miss_diff_km_max": float(max(dmiss)) if dmiss else None}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=float, default=7.0)
    ap.add_argument("--threshold-km", type=float, default=5.0)
    ap.add_argument("--skip-astroz", action="store_true")
    ap.add_argument("--synthetic", type=int, default=0, help="also screen a synthetic catalog of N objects")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "screen.json"))
    args = ap.parse_args()
    cat, _ = read_catalog(FULL)
    stop = START + timedelta(days=args.days)
    cpus = len(__import__("os").sched_getaffinity(0))
    results = {"machine": platform.processor() or platform.machine(), "cpus": cpus,
               "catalog": FULL.name, "objects": len(cat), "days": args.days, "threshold_km": args.threshold_km}
    screen(cat.take(np.arange(200)), START, START + timedelta(hours=1), 5.0)  # JIT warm-up (cached)
    res, dt = _timed("orbitshare all-vs-all", lambda: screen(cat, START, stop, args.threshold_km))
    results["all_vs_all"] = {"seconds": dt, "events": len(res), "peak_gb": _peak_gb()}
    prim = [int(x) for x in cat.select(object_type="PAYLOAD", regime="LEO").norad_id[::100][:50]]
    pres, pdt = _timed("orbitshare 50 primaries", lambda: screen(cat, START, stop, args.threshold_km, prim))
    results["primaries_50"] = {"seconds": pdt, "events": len(pres), "primaries": prim}
    if not args.skip_astroz:
        t_s = ((res["tca_jd"] - 2459602.5) + res["tca_fr"]) * 86400.0
        ours = (res["norad_id_1"], res["norad_id_2"], t_s, res["miss_km"])
        theirs, adt = _timed("astroz all-vs-all", lambda: run_astroz(FULL, args.days, args.threshold_km))
        results["astroz"] = {"seconds": adt, "events": len(theirs[0]), "ratio_astroz_over_ours": adt / dt,
                             "agreement": agreement(ours, theirs)}
        print(json.dumps(results["astroz"], indent=1))
    if args.synthetic:
        from synthetic_catalog import synthetic_catalog

        syn = synthetic_catalog(args.synthetic, epoch=START)
        sres, sdt = _timed(f"synthetic {args.synthetic}", lambda: screen(syn, START, stop, args.threshold_km))
        results["synthetic"] = {"objects": args.synthetic, "seconds": sdt, "events": len(sres), "peak_gb": _peak_gb()}
    Path(args.out).write_text(json.dumps(results, indent=1, default=float))
    print(json.dumps({k: v for k, v in results.items() if k != "primaries_50"}, indent=1, default=float))


if __name__ == "__main__":
    main()
