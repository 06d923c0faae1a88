"""Pc benchmark: 2D, 3D and Monte Carlo Pc of the 12 Alfano (2009) cases against NASA CARA's references.

Reads the vendored tests/data/pc/alfano2009_cases.json (CARA Analysis Tools); for each case prints Foster 2D,
our 3D Pc (window +-TLimit of CARA's Pc3D_Hall_UnitTest) and our Monte Carlo Pc (seeded, --trials per case,
window +-TLimit) next to CARA's Pc2D, Pc3D and 1e8-trial Monte Carlo, with timings; writes bench/results/pc.json.

    .venv/bin/python bench/pc.py [--trials 1000000] [--cases 1 2 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import time
from pathlib import Path

from orbitshare.ssa.conjunction import pc, pc3d, pc_montecarlo

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "pc"
Z_95 = 1.959963984540054


def run_case(case: dict, t_limit_s: float, trials: int, seed: int) -> dict:
    """All Pc values and timings of one Alfano case."""
    t = case["at_TCA"]
    args = (t["r1_m"], t["v1_mps"], t["cov1_6x6_m_s"], t["r2_m"], t["v2_mps"], t["cov2_6x6_m_s"])
    hbr, e = case["HBR_m"], case["expected"]
    start = time.perf_counter()
    foster = pc.pc_from_states(*args, hbr)
    t2d = time.perf_counter() - start
    start = time.perf_counter()
    res3d = pc3d.pc_3d(*args, hbr, t_limit_s=t_limit_s)
    t3d = time.perf_counter() - start
    start = time.perf_counter()
    mc = pc_montecarlo.pc_monte_carlo(*args, hbr, trials, (-t_limit_s, t_limit_s), seed=seed)
    tmc = time.perf_counter() - start
    sigma_ref = (e["CARA_PcMCHi95"] - e["CARA_PcMCLo95"]) / (2 * Z_95)
    sigma = math.sqrt(e["CARA_PcMC"] * (1 - e["CARA_PcMC"]) / trials + sigma_ref**2)
    return {
        "case": case["case"], "description": case["description"], "hbr_m": hbr, "t_limit_s": t_limit_s,
        "foster_2d": foster, "cara_pc2d": e["CARA_Pc2D"], "pc_3d": res3d.pc, "cara_pc3d": e["CARA_Pc3D"],
        "pc_3d_rel_error": res3d.pc / e["CARA_Pc3D"] - 1.0,
        "mc": mc.pc, "mc_hits": mc.hits, "mc_trials": mc.trials, "mc_ci95": [mc.ci_low, mc.ci_high],
        "cara_mc_1e8": e["CARA_PcMC"], "alfano_mc_1e8": e["A09_PcMC1e8"],
        "mc_z_vs_cara": (mc.pc - e["CARA_PcMC"]) / sigma, "seconds_2d": t2d, "seconds_3d": t3d,
        "seconds_mc": tmc,
    }


def main() -> None:
    """Run the benchmark, print the table and write bench/results/pc.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=1_000_000, help="Monte Carlo trials per case")
    parser.add_argument("--cases", type=int, nargs="*", default=list(range(1, 13)))
    parser.add_argument("--seed", type=int, default=20090209)
    ns = parser.parse_args()
    cases = json.loads((DATA / "alfano2009_cases.json").read_text())["cases"]
    limits = json.loads((DATA / "cara_pc_unit_test_expected.json").read_text())["alfano2009"]["TLimit_s_for_Pc3D"]
    rows = []
    header = (f"{'case':>4} {'Foster 2D':>11} {'our 3D':>11} {'CARA 3D':>11} {'rel err':>9} {'our MC':>11} "
              f"{'95% CI':>23} {'CARA MC 1e8':>11} {'z':>6} {'t3D s':>6} {'tMC s':>7}")
    print(header)
    for number in ns.cases:
        r = run_case(cases[number - 1], limits[number - 1], ns.trials, ns.seed)
        rows.append(r)
        print(f"{r['case']:>4} {r['foster_2d']:>11.4e} {r['pc_3d']:>11.4e} {r['cara_pc3d']:>11.4e} "
              f"{r['pc_3d_rel_error']:>+9.1e} {r['mc']:>11.4e} {r['mc_ci95'][0]:>11.4e}-{r['mc_ci95'][1]:.4e} "
              f"{r['cara_mc_1e8']:>11.4e} {r['mc_z_vs_cara']:>+6.2f} {r['seconds_3d']:>6.1f} {r['seconds_mc']:>7.1f}")
    out = {"date_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "machine": platform.platform(),
           "processor": platform.processor() or platform.machine(), "cpus": os.cpu_count(),
           "python": platform.python_version(), "trials_per_case": ns.trials, "seed": ns.seed, "cases": rows}
    path = ROOT / "bench" / "results" / "pc.json"
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
