"""Benchmark: imaging opportunities of 50 satellites over 100 AOIs for 7 days (footprints and coverage included).

Times are CPU seconds of the process (all threads; on an idle 2-core machine the wall time is at most that), with
the wall time and the load average beside them, since the machine may be shared. Baseline measured in the same
run: skyfield's `find_events` (one satellite over one site per call) on a subset, scaled to the full problem; the
subset's windows are also compared with ours (same elements, same elevation limit).
Prints a table and writes bench/results/eo.json. Run: .venv/bin/python bench/eo.py
"""

from __future__ import annotations

import io
import json
import os
import platform
import time
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

import numpy as np

from orbitshare.astro.access import multi_site_windows
from orbitshare.astro.time import parse_utc
from orbitshare.catalog import read_catalog
from orbitshare.eo.aoi import read_aois
from orbitshare.eo.assets import load_registry, read_assets
from orbitshare.eo.opportunities import find_opportunities

ROOT = Path(__file__).resolve().parents[1]
CATALOG = resources.files("orbitshare.data").joinpath("celestrak_active_2026-03-10.csv.gz")
START = parse_utc("2026-03-10T00:00:00Z")
DAYS = 7
N_SATS, N_AOIS = 50, 100
#: Earth-observation satellites of the catalog added to the registry's own with a benchmark configuration
#: (30 deg field of regard, 15 km swath, 1 m GSD; SAR 20-40 deg incidence): timing only, not their real figures.
EXTRA_NAMES = ("WORLDVIEW", "PLEIADES 1", "SPOT", "CSG-", "COSMO-SKYMED", "SAOCOM", "TERRASAR", "TANDEM", "PAZ",
               "CAPELLA", "ICEYE-X", "SENTINEL-3", "LEGION")
SAR_NAMES = ("CSG-", "COSMO", "SAOCOM", "TERRASAR", "TANDEM", "PAZ", "CAPELLA", "ICEYE")


def bench_registry(cat):
    """The registry's computable assets plus catalog EO satellites with the benchmark configuration: 50 in all."""
    reg = load_registry()
    own = [a for a in reg if a.status == "operational" and a.norad_id in set(cat.norad_id.tolist())
           and a.field_of_regard(600.0) is not None]
    taken = {a.norad_id for a in reg if a.norad_id}
    entries = []
    for nid, name in zip(cat.norad_id.tolist(), cat.name.tolist(), strict=True):
        if len(own) + len(entries) >= N_SATS:
            break
        if nid in taken or not str(name).startswith(EXTRA_NAMES):
            continue
        sar = str(name).startswith(SAR_NAMES)
        fig = ("    incidence_min_deg: 20\n    incidence_max_deg: 40\n    look_side: both\n" if sar
               else "    max_off_nadir_deg: 30\n")
        entries.append(f"  - id: bench-{nid}\n    name: {name}\n    owner: BENCH\n    owner_kind: commercial\n"
                       f"    operator: benchmark\n    status: operational\n    norad_id: {nid}\n"
                       f"    sensor: {'sar' if sar else 'optical'}\n    gsd_nadir_m: 1.0\n    swath_km: 15\n{fig}"
                       f"    sharing: benchmark\n    sources:\n      - {{figure: \"norad_id,gsd_nadir_m,swath_km,"
                       f"{'incidence_min_deg,incidence_max_deg,look_side' if sar else 'max_off_nadir_deg'}\", "
                       f"source: benchmark configuration, date: \"2026-12-04\"}}\n")
    extra = read_assets(io.StringIO("assets:\n" + "".join(entries)), "bench")
    return type(reg)(tuple(own) + extra.assets)


def bench_aois():
    """100 AOIs over Europe (seeded): 80 points and 20 squares of 20-60 km."""
    rng = np.random.default_rng(1)
    feats = []
    for k in range(N_AOIS):
        lat, lon = rng.uniform(36.0, 62.0), rng.uniform(-9.0, 30.0)
        if k < 80:
            geom = {"type": "Point", "coordinates": [lon, lat]}
        else:
            h = rng.uniform(10.0, 30.0) / 111.0
            w = h / np.cos(np.radians(lat))
            geom = {"type": "Polygon", "coordinates": [[[lon - w, lat - h], [lon + w, lat - h], [lon + w, lat + h],
                                                        [lon - w, lat + h], [lon - w, lat - h]]]}
        feats.append({"type": "Feature", "properties": {"id": f"aoi-{k:03d}"}, "geometry": geom})
    return read_aois(io.StringIO(json.dumps({"type": "FeatureCollection", "features": feats})), "bench").aois


def skyfield_subset(cat, sats, sites, min_el_deg):
    """Seconds spent by skyfield's find_events for each (satellite, site), and the windows it finds."""
    import csv
    import gzip

    from skyfield.api import EarthSatellite, load, wgs84

    ts = load.timescale(builtin=True)
    with gzip.open(str(CATALOG), "rt") as fh:
        rows = {int(r["NORAD_CAT_ID"]): r for r in csv.DictReader(fh)}
    t0, t1 = ts.from_datetime(START), ts.from_datetime(START + timedelta(days=DAYS))
    found = {}
    start = time.perf_counter()
    for nid in sats:
        sat = EarthSatellite.from_omm(ts, rows[nid])
        for k, s in enumerate(sites):
            times, events = sat.find_events(wgs84.latlon(s.lat_deg, s.lon_deg), t0, t1, altitude_degrees=min_el_deg)
            found[(nid, k)] = [((t.utc_datetime() - START).total_seconds(), int(e)) for t, e in
                               zip(times, events, strict=True)]
    return time.perf_counter() - start, found


def main() -> None:
    """Run the measurements, print the table and write the JSON."""
    load = os.getloadavg()[0]
    cat, _ = read_catalog(str(CATALOG))
    reg = bench_registry(cat)
    aois = bench_aois()
    stop = START + timedelta(days=DAYS)
    find_opportunities(cat, reg.select(reg.ids[:2]), aois[:2], START, START + timedelta(hours=2))  # JIT warm-up
    t, c = time.perf_counter(), time.process_time()
    opp = find_opportunities(cat, reg, aois, START, stop)
    ours_s, ours_cpu = time.perf_counter() - t, time.process_time() - c
    t, c = time.perf_counter(), time.process_time()
    opp_nofp = find_opportunities(cat, reg, aois, START, stop, footprints=False)
    windows_s, windows_cpu = time.perf_counter() - t, time.process_time() - c
    assert len(opp_nofp) == len(opp)

    sub_ids = [46277, 48268, 39634]  # NEMO-HD, Pleiades Neo 3, Sentinel-1A
    sub_sites = [a.site for a in aois[:4]]
    min_el = 20.0
    c = time.process_time()
    _, sky = skyfield_subset(cat, sub_ids, sub_sites, min_el)
    sky_s = time.process_time() - c
    sub = cat.select(ids=sub_ids)
    order = [int(x) for x in sub.norad_id]
    w = multi_site_windows(sub, sub_sites, START, stop, min_elevation_deg=min_el)
    worst, n_ref, n_ours = 0.0, 0, 0
    for (nid, k), events in sky.items():
        rises = [s for s, e in events if e == 0]
        sets = [s for s, e in events if e == 2]
        mine = (w["site"] == k) & (w["sat"] == order.index(nid))
        ours_r = w["start_s"][mine][~w["start_clipped"][mine]]
        ours_s_ = w["stop_s"][mine][~w["stop_clipped"][mine]]
        n_ref += len(rises)
        n_ours += int(mine.sum())
        for ref, got in ((rises, ours_r), (sets, ours_s_)):
            for x in ref:
                if len(got):
                    worst = max(worst, float(np.min(np.abs(got - x))))
    scale = (len(opp.assets) * len(aois)) / (len(sub_ids) * len(sub_sites))
    sky_scaled = sky_s * scale
    rows = [
        ("satellites x AOIs x days", f"{len(opp.assets)} x {len(aois)} x {DAYS}", "", None),
        ("accesses found", len(opp), "", None),
        ("orbitshare, opportunities with footprints, CPU (s)", ours_cpu, "<= 5", ours_cpu <= 5.0),
        ("  wall time (s), load average at start", f"{ours_s:.2f}, {load:.1f}", "", None),
        ("orbitshare, windows and geometry only, CPU (s)", windows_cpu, "", None),
        ("  wall time (s)", windows_s, "", None),
        ("skyfield find_events, subset, CPU (s)", sky_s, "", None),
        (f"  subset: {len(sub_ids)} satellites x {len(sub_sites)} sites", "", "", None),
        ("skyfield find_events scaled to the full problem, CPU (s)", sky_scaled, "", None),
        ("  ratio skyfield / orbitshare (CPU)", sky_scaled / ours_cpu, ">= 1", sky_scaled / ours_cpu >= 1.0),
        ("subset windows: skyfield / orbitshare", f"{n_ref} / {n_ours}", "equal", n_ref == n_ours),
        ("subset: worst edge difference (s)", worst, "< 1", worst < 1.0),
    ]
    cpus = os.cpu_count() or 1
    machine = f"{cpus}-core {platform.machine()}"
    print(f"\nImaging opportunities, {DAYS} days from {START:%Y-%m-%d} ({machine})\n")
    print(f"{'measure':<52} {'value':>14}  {'target':>6}  met")
    for name, value, target, met in rows:
        flag = "" if met is None else ("yes" if met else "NO")
        text = f"{value:>14.4g}" if isinstance(value, float) else f"{value!s:>14}"
        print(f"{name:<52} {text}  {target:>6}  {flag}")
    out = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"), "machine": machine, "catalog": "celestrak_active_2026-03-10",
        "satellites": len(opp.assets), "aois": len(aois), "days": DAYS,
        "results": [{"measure": a, "value": b if isinstance(b, str) else float(b), "target": c,
                     "met": None if d is None else bool(d)} for a, b, c, d in rows],
    }
    path = ROOT / "bench" / "results" / "eo.json"
    path.write_text(json.dumps(out, indent=2) + "\n")
    print(f"\nwrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
