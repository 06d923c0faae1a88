"""Benchmark: GNSS DOP over the Slovenia grid (10 km, ~200 points) for 24 h at 10 min with GPS + Galileo.

Baseline measured in the same run: a plain loop over points and times that builds the geometry matrix and
takes numpy's pseudo-inverse (the textbook computation), on a subset of points, scaled per point-time.
Prints a table and writes bench/results/pnt.json. Run: .venv/bin/python bench/pnt.py
"""

from __future__ import annotations

import json
import platform
import time
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import numpy as np

from orbitshare.catalog import read_catalog
from orbitshare.pnt.constellations import SYSTEMS, select_constellation
from orbitshare.pnt.evaluate import EvaluationConfig, Points, default_start, evaluate
from orbitshare.pnt.geometry import dop, site_geometry
from orbitshare.pnt.orbits import gnss_orbits
from orbitshare.pnt.scenario import bundled_scenario_path, load_scenario
from orbitshare.satcom.region import grid_points, load_region

ROOT = Path(__file__).resolve().parents[1]
BASELINE_POINTS = 10


def best_of(fn, repeats: int = 3) -> float:
    """Shortest wall time (s) of several runs of fn()."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def baseline_pdop(geom, sys_idx, mask_deg: float, n_points: int) -> np.ndarray:
    """PDOP by a loop over points and times: geometry matrix per epoch and numpy pinv."""
    out = np.full((n_points, geom.el_deg.shape[2]), np.nan)
    for i in range(n_points):
        for t in range(geom.el_deg.shape[2]):
            vis = geom.el_deg[i, :, t] >= mask_deg
            g = np.column_stack([-geom.east[i, vis, t], -geom.north[i, vis, t], -geom.up[i, vis, t],
                                 (sys_idx[vis] == 0).astype(float), (sys_idx[vis] == 1).astype(float)])
            q = np.linalg.pinv(g) @ np.linalg.pinv(g).T
            out[i, t] = np.sqrt(q[0, 0] + q[1, 1] + q[2, 2])
    return out


def main() -> None:
    """Run the measurements, print the table and write the JSON."""
    cat, _ = read_catalog(str(resources.files("orbitshare.data").joinpath("celestrak_active_2026-03-10.csv.gz")))
    con = select_constellation(cat)
    reg = load_region("slovenia")
    lat, lon = grid_points(reg, 10.0)
    pts = Points.grid(lat, lon, 10.0, "slovenia")
    start = default_start(con.catalog)
    cfg = EvaluationConfig(start=start, hours=24.0, step_min=10.0)
    ev = evaluate(con, pts, cfg)  # warms the SGP4 kernels
    jd, fr = ev.orbits.jd, ev.orbits.fr
    sys_idx = np.array([SYSTEMS.index(s) for s in con.system])
    orbit_s = best_of(lambda: gnss_orbits(con, jd, fr))
    geom = site_geometry(ev.orbits.r_itrs_km, pts.lat_deg, pts.lon_deg, pts.h_km)
    geom_s = best_of(lambda: site_geometry(ev.orbits.r_itrs_km, pts.lat_deg, pts.lon_deg, pts.h_km))
    dop_s = best_of(lambda: dop(geom, sys_idx, 2, 10.0))
    d = dop(geom, sys_idx, 2, 10.0)
    t0 = time.perf_counter()
    ref = baseline_pdop(geom, sys_idx, 10.0, BASELINE_POINTS)
    base_s = time.perf_counter() - t0
    diff = float(np.max(np.abs(ref - d.pdop[:BASELINE_POINTS]) / ref))
    n_pt = len(pts) * len(jd)
    base_per = base_s / (BASELINE_POINTS * len(jd))
    dop_per = dop_s / n_pt
    scen = load_scenario(bundled_scenario_path())
    cfg_full = EvaluationConfig(start=start, hours=24.0, step_min=10.0, lose_planes=(("GAL", 1),), lose_count=4)
    full_s = best_of(lambda: evaluate(con, pts, cfg_full, scen), repeats=2)
    rows = [
        ("satellites (GPS + Galileo)", len(con), "", None),
        ("points x times", n_pt, "", None),
        ("SGP4 + TEME->ITRS, all satellites and times (s)", orbit_s, "", None),
        ("ENU lines of sight, all points (s)", geom_s, "", None),
        ("baseline loop + pinv (us per point-time)", base_per * 1e6, "", None),
        ("orbitshare vectorised DOP (us per point-time)", dop_per * 1e6, "", None),
        ("  ratio to baseline", base_per / dop_per, ">= 20", base_per / dop_per >= 20.0),
        ("max relative PDOP difference to baseline", diff, "< 1e-9", diff < 1e-9),
        ("full evaluation: 6 cases with jamming (s)", full_s, "< 10", full_s < 10.0),
    ]
    print(f"\nPNT over Slovenia: {len(pts)} points x {len(jd)} times, {len(con)} satellites "
          f"({platform.processor() or platform.machine()})\n")
    print(f"{'measure':<52} {'value':>12}  {'target':>8}  met")
    for name, value, target, met in rows:
        flag = "" if met is None else ("yes" if met else "NO")
        print(f"{name:<52} {value:>12.4g}  {target:>8}  {flag}")
    out = {"date": datetime.now(UTC).strftime("%Y-%m-%d"), "machine": f"{platform.machine()}",
           "points": len(pts), "times": len(jd), "satellites": len(con),
           "results": [{"measure": a, "value": float(b), "target": c, "met": None if m is None else bool(m)}
                       for a, b, c, m in rows]}
    path = ROOT / "bench" / "results" / "pnt.json"
    path.write_text(json.dumps(out, indent=2) + "\n")
    print(f"\nwrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
