"""The README's commands, copied as written, run on ../shared/data and give results that agree with independent
references (the shared data's published counts, python-sgp4, CARA's Pc2D, the operator's manoeuvre list)."""

from __future__ import annotations

import csv
import json
import math
import os
import re
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import httpx
import pyarrow.parquet as pq
import pytest
from sgp4 import omm
from sgp4.api import Satrec, jday
from tests.conftest import ROOT, SHARED, shared_path

from orbitshare.cli import app

README = ROOT / "README.md"
PREFIX = ".venv/bin/orbitshare "


def readme_commands() -> list[str]:
    """The `orbitshare` command lines of the README's sh blocks, continuation lines joined."""
    lines: list[str] = []
    for block in re.findall(r"```sh\n(.*?)```", README.read_text(), re.S):
        pending = ""
        for line in block.splitlines():
            pending += line.strip() if pending else line.rstrip()
            if pending.endswith("\\"):
                pending = pending[:-1].rstrip() + " "
                continue
            lines.append(pending)
            pending = ""
    return [line for line in lines if line.startswith(PREFIX)]


def _command_key(line: str) -> str:
    """The command path of a README line: 'sda proximity', 'cdm pc', 'demo', ..."""
    words = line[len(PREFIX):].split()
    return " ".join(words[:2]) if words[0] in GROUPS else words[0]


def _all_commands() -> set[str]:
    """Every leaf command path of the real CLI."""
    import typer

    found = set()
    for name, cmd in typer.main.get_command(app).commands.items():
        sub = getattr(cmd, "commands", None)
        found |= {f"{name} {s}" for s in sub} if sub else {name}
    return found


GROUPS = {"catalog", "cdm", "sda", "audit", "data", "eo", "satcom", "pnt"}
#: Commands the README shows in prose instead of a runnable line, and the test that runs them instead.
NOT_RUN = {"data update": "needs a current IERS file the user downloads; tests/astro/test_eop.py imports a real one",
           "audit partner-key": "needs a partner hub's key; tests/api/test_hub_witness.py registers a real one",
           "eo task": "needs a running hub and two partners' tokens; tests/api/test_tasking_cli.py runs the lifecycle"}


def test_readme_shows_every_command():
    """Every command and subcommand of the CLI has a README line (runnable, or in prose when listed in NOT_RUN)."""
    keys = {_command_key(line) for line in readme_commands()}
    assert keys | set(NOT_RUN) == _all_commands(), (keys ^ _all_commands())
    for key in NOT_RUN:
        assert f".venv/bin/orbitshare {key} " in README.read_text()


# --- independent checks ---------------------------------------------------------------------------------------


def _satrecs(path: Path) -> dict[int, Satrec]:
    """python-sgp4 satellites from a CelesTrak OMM JSON or CSV file (the independent propagator)."""
    with open(path) as fh:
        records = json.load(fh) if path.suffix == ".json" else list(omm.parse_csv(fh))
    sats = {}
    for fields in records:
        sat = Satrec()
        omm.initialize(sat, {k: str(v) for k, v in fields.items()})
        sats[int(fields["NORAD_CAT_ID"])] = sat
    return sats


def _range_km(sats: dict[int, Satrec], a: int, b: int, iso: str, offset_s: float = 0.0) -> float:
    """Distance between two objects at a UTC time by python-sgp4 (TEME, km)."""
    t = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    jd, fr = jday(t.year, t.month, t.day, t.hour, t.minute, t.second + t.microsecond * 1e-6 + offset_s)
    (ea, ra, _), (eb, rb, _) = sats[a].sgp4(jd, fr), sats[b].sgp4(jd, fr)
    assert ea == eb == 0
    return sum((x - y) ** 2 for x, y in zip(ra, rb, strict=True)) ** 0.5


def _csv_rows(path: Path) -> list[dict]:
    """Rows of a CSV file the command wrote."""
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def check_demo(res, work):
    """The bundled catalog's 14,683 objects, and passes of the partners' satellites."""
    assert "14,683" in res.stdout and "Passes over Ljubljana" in res.stdout
    assert "(65317)" in res.stdout or "(46277)" in res.stdout


def check_catalog_info(res, work):
    """Object counts published in ../shared/data/README.md."""
    assert "18,407 (of 18,407 records read)" in res.stdout and "23,939 (of 23,939 records read)" in res.stdout


def check_propagate(res, work):
    """Parquet: 2 objects x 1,441 minutes, the ISS at its known 400-440 km altitude. OEM: the stations group's
    GCRF states every minute for 6 hours, each above 100 km altitude and below 10,000 km radius (LEO)."""
    if "states.oem" in res.stderr:
        text = (work / "states.oem").read_text()
        assert text.startswith("CCSDS_OEM_VERS") and "REF_FRAME = GCRF" in text
        n_sats = len(json.loads((SHARED / "catalog" / "celestrak_groups_2026-03-10" / "stations.json").read_text()))
        assert text.count("META_START") == n_sats
        rows = [line.split() for line in text.splitlines() if re.match(r"^\d{4}-\d\d-\d\dT", line)]
        assert len(rows) == n_sats * 361
        radii = [sum(float(x) ** 2 for x in row[1:4]) ** 0.5 for row in rows]
        assert all(6478.0 < r < 10000.0 for r in radii)
        return
    table = pq.read_table(work / "states.parquet").to_pydict()
    assert len(table["norad_id"]) == 2 * 1441 and set(table["norad_id"]) == {25544, 48274}
    iss = [h for i, h in zip(table["norad_id"], table["alt_km"], strict=True) if i == 25544]
    assert all(400 < h < 440 for h in iss)
    assert str(work / "states.parquet") in res.stderr


def check_passes(res, work):
    """ISS passes over Ljubljana in one day: 4 to 7 above 10 deg (ISS at 51.6 deg inclination, latitude 46 deg)."""
    rows = [r for r in _csv_rows(work / "passes.csv") if r["norad_id"] == "25544"]
    assert 4 <= len(rows) <= 7 and all(10.0 <= float(r["max_elevation_deg"]) <= 90.0 for r in rows)


def check_screen(res, work):
    """Each event involves a primary, is a minimum of range at TCA by python-sgp4, and has its CDM."""
    events = pq.read_table(work / "events.parquet").to_pylist()
    assert events and len(list((work / "cdms").iterdir())) == len(events)
    sats = _satrecs(SHARED / "catalog" / "celestrak_gp_2026-03-09.json")
    for e in events:
        a, b = e["norad_id_1"], e["norad_id_2"]
        assert {a, b} & {46277, 65317} and e["miss_km"] <= 5.0
        assert "2026-03-10T00:00" <= e["tca_utc"] <= "2026-03-11T00:00"
        assert _range_km(sats, a, b, e["tca_utc"]) == pytest.approx(e["miss_km"], abs=0.01)
        assert min(_range_km(sats, a, b, e["tca_utc"], s) for s in (-1.0, 1.0)) > e["miss_km"]
        assert e["tca_utc"] in res.stdout or len(events) > 10


def check_cdm_pc(res, work):
    """Foster's Pc of the Alfano 2009 cases equals CARA's Pc2D (to the 4 digits printed)."""
    cases = json.loads((SHARED / "pc" / "alfano2009" / "alfano2009_cases.json").read_text())["cases"]
    rows = {cells[0]: cells for line in res.stdout.splitlines()
            if len(cells := [c.strip() for c in line.split("│")[1:-1]]) >= 9}
    assert len(rows) == len(list((SHARED / "pc" / "cara_sample_cdms").glob("*.cdm")))
    for case in cases:
        name = f"AlfanoTestCase{case['case']:02d}.cdm"
        if name in rows and case["expected"]["CARA_Pc2D"] is not None:
            assert float(rows[name][5]) == pytest.approx(case["expected"]["CARA_Pc2D"], rel=1e-3), name


def check_sda_manoeuvres(res, work):
    """Scored against the operator's reported manoeuvres: F1 at least 0.9; one CSV row per detection."""
    score = re.search(r"TP (\d+) FP (\d+) FN (\d+).* F1 ([0-9.]+)", res.stderr)
    assert score and float(score.group(4)) >= 0.9, res.stderr
    assert len(_csv_rows(work / "manoeuvres.csv")) == int(score.group(1)) + int(score.group(2))


def check_sda_proximity(res, work):
    """Within 50 km (GEO watch distance) by python-sgp4 at each TCA; the co-located ASTRA 1M/1N pair is found."""
    rows = _csv_rows(work / "proximity.csv")
    sats = _satrecs(SHARED / "catalog" / "celestrak_active_2026-03-10.csv")
    for r in rows:
        miss = float(r["miss_km"])
        assert miss <= 50.0
        assert _range_km(sats, int(r["asset_id"]), int(r["object_id"]), r["tca"]) == pytest.approx(miss, abs=0.01)
    assert {(int(r["asset_id"]), int(r["object_id"])) for r in rows} & {(33436, 37775), (37775, 33436)}
    assert _csv_rows(work / "belt.csv")


def check_sda_fragmentation(res, work):
    """Every cloud of the COSMOS 2251 debris file traces to COSMOS 2251 (22675), the designators' parent; the
    COSMOS 1408 fragments (designator 1982-092) trace through the SATCAT to COSMOS 1408 (13552)."""
    if "1982-092" in res.stdout:
        assert "13552" in res.stdout, res.stdout
        return
    rows = _csv_rows(work / "clouds.csv")
    n_objects = len(json.loads((SHARED / "catalog" / "celestrak_groups_2026-03-10" /
                                "cosmos-2251-debris.json").read_text()))
    assert rows and all(r["intl_prefix"] == "1993-036" and r["parent_id"] == "22675" for r in rows)
    assert sum(int(r["fragments"]) for r in rows) <= n_objects
    assert (work / "gabbard.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def check_sda_overflights(res, work):
    """Overflights of the configured sites by the configured sensor kinds, inside the window."""
    rows = _csv_rows(work / "overflights.csv")
    assert rows
    assert {r["site"] for r in rows} <= {"Cerklje ob Krki air base", "Postojna training area",
                                         "Diekirch Herrenberg barracks"}
    for r in rows:
        assert r["sensor"] in ("sigint", "optical", "sar") and r["start"] < r["stop"]
        assert "2026-03-10T06:00" <= r["start"] <= "2026-03-10T18:00"


def check_audit_head(res, work):
    """A signed tree head as JSON."""
    head = json.loads((work / "head.json").read_text())
    assert head["size"] > 0 and head["root"] and head["signature"]


def check_warmup(res, work):
    """Every kernel compiled or loaded."""
    assert "kernels ready in" in res.stdout


def check_data_status(res, work):
    """The table in use: skyfield's bundled one (a fresh ORBITSHARE_HOME), its end date and the leap seconds."""
    assert "skyfield" in res.stdout and "predictions valid until" in res.stdout and "27, last 2017-01-01" in res.stdout


def check_audit_verify(res, work):
    """The audit log seeded by `serve --demo` verifies against the saved head."""
    assert ": OK" in res.stdout


def _skyfield_sats(path: Path) -> dict:
    """skyfield satellites (its own SGP4 and frames) of a CelesTrak OMM CSV file, by NORAD id."""
    from skyfield.api import EarthSatellite, load

    ts = load.timescale(builtin=True)
    with open(path, newline="") as fh:
        return {int(r["NORAD_CAT_ID"]): EarthSatellite.from_omm(ts, r) for r in csv.DictReader(fh)}


def _utc(text: str) -> datetime:
    """Aware datetime of ISO text ending in Z."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def check_eo_assets(res, work):
    """NAOS and NEMO-HD carry the NORAD ids CelesTrak gives them; TRISAT is decayed in Space-Track's SATCAT."""
    import gzip

    assert "65317" in res.stdout and "46277" in res.stdout
    with gzip.open(SHARED / "catalog" / "satcat_2025-03-16.csv.gz", "rt") as fh:
        trisat = next(r for r in csv.DictReader(fh) if r["NORAD_CAT_ID"] == "46280")
    assert trisat["DECAY"] and "decayed" in res.stdout


def check_eo_opportunities(res, work):
    """At each Ljubljana access's best time skyfield (same elements, its own frames) sees the satellite at the
    reported elevation (0.05 deg) and azimuth (0.1 deg); limits hold; one valid STAC item per access."""
    from skyfield.api import load, wgs84

    ts = load.timescale(builtin=True)
    feats = json.loads((work / "opportunities.geojson").read_text())["features"]
    assert feats and len(list((work / "stac" / "items").iterdir())) == len(feats)
    sats = _skyfield_sats(SHARED / "catalog" / "celestrak_active_2026-03-10.csv")
    site = wgs84.latlon(46.0569, 14.5058)
    for f in feats:
        p = f["properties"]
        assert p["start"] <= p["best"] <= p["stop"]
        if p["aoi"] == "ljubljana":
            alt, az, _ = (sats[p["norad_id"]] - site).at(ts.from_datetime(_utc(p["best"]))).altaz()
            assert abs(alt.degrees - p["elevation_deg"]) < 0.05
            assert abs((az.degrees - p["azimuth_deg"] + 180) % 360 - 180) < 0.1


def check_eo_persistence(res, work):
    """Both AOIs; each partner's loss is listed and never adds accesses; the 'all' rows equal the main table."""
    rows = {r["aoi"]: r for r in _csv_rows(work / "eo-persistence" / "persistence.csv")}
    assert set(rows) == {"ljubljana", "luxembourg"}
    deg = _csv_rows(work / "eo-persistence" / "degradation.csv")
    assert {r["lost"] for r in deg if r["scenario"] == "partner lost"} == {"LUX", "SVN", "EU"}
    for r in deg:
        assert int(r["accesses"]) <= int(rows[r["aoi"]]["accesses"])
        if r["scenario"] == "all":
            assert r["accesses"] == rows[r["aoi"]]["accesses"]
    assert (work / "eo-persistence" / "revisit_timeline.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def check_eo_plan(res, work):
    """Every planned acquisition: skyfield puts the target at the reported off-nadir angle (0.05 deg) at mid-scene;
    acquisitions of one satellite do not overlap; every request served or listed with a reason."""
    import numpy as np
    from skyfield.api import load, wgs84

    ts = load.timescale(builtin=True)
    plan = json.loads((work / "plan.json").read_text())
    sats = _skyfield_sats(SHARED / "catalog" / "celestrak_active_2026-03-10.csv")
    assert plan["acquisitions"]
    for a in plan["acquisitions"]:
        t0, t1 = _utc(a["start"]), _utc(a["end"])
        t = ts.from_datetime(t0 + (t1 - t0) / 2)
        r_sat = sats[a["norad_id"]].at(t).position.km
        los = wgs84.latlon(a["lat_deg"], a["lon_deg"]).at(t).position.km - r_sat
        off = np.degrees(np.arccos(np.dot(-r_sat, los) / np.linalg.norm(r_sat) / np.linalg.norm(los)))
        assert abs(off - a["off_nadir_deg"]) < 0.05, a
    by_sat: dict = {}
    for a in sorted(plan["acquisitions"], key=lambda a: a["start"]):
        assert by_sat.get(a["norad_id"], "") <= a["start"]
        by_sat[a["norad_id"]] = a["end"]
    served = {a["request"] for a in plan["acquisitions"]} | {u["id"] if isinstance(u, dict) else u
                                                              for u in plan["unserved"]}
    assert len(served) == sum(int(p["requests"]) for p in plan["partners"])


def check_eo_activate(res, work):
    """Each emergency asset's access by skyfield: at its first access and at its end the flood site lies on the
    30 deg field of regard of the exercise assets (0.01 deg), at mid-access at the reported smallest off-nadir
    angle (0.05 deg); the time to first image counts from the activation."""
    import numpy as np
    from skyfield.api import load, wgs84

    ts = load.timescale(builtin=True)
    sats = _skyfield_sats(SHARED / "catalog" / "celestrak_active_2026-03-10.csv")

    def off_nadir(norad_id: int, when: datetime) -> float:
        t = ts.from_datetime(when)
        r_sat = sats[norad_id].at(t).position.km
        los = wgs84.latlon(46.05, 14.51).at(t).position.km - r_sat
        return float(np.degrees(np.arccos(np.dot(-r_sat, los) / np.linalg.norm(r_sat) / np.linalg.norm(los))))

    rows = [c for line in res.stdout.splitlines() if len(c := [x.strip() for x in line.split("│")[1:-1]]) >= 7
            and c[2].isdigit()]
    assert rows
    for c in rows:
        first, end = _utc(c[3]), _utc(c[4])
        assert (first - _utc("2026-03-10T12:00:00Z")).total_seconds() == pytest.approx(float(c[5]), abs=1.0)
        assert off_nadir(int(c[2]), first) == pytest.approx(30.0, abs=0.01)
        assert off_nadir(int(c[2]), end) == pytest.approx(30.0, abs=0.01)
        assert off_nadir(int(c[2]), first + (end - first) / 2) == pytest.approx(float(c[6]), abs=0.05)


def check_satcom_models(res, work):
    """GovSat-1 and O3b mPOWER are listed; every published figure names its source and date, and every figure
    with no public source is marked unknown and called an assumption."""
    rows = [c for line in res.stdout.splitlines() if len(c := [x.strip() for x in line.split("│")[1:-1]]) == 6]
    assert {r[0].split("/")[0] for r in rows} >= {"govsat-1", "o3b-mpower"}
    for model, _param, _value, basis, source, date in rows:
        if basis == "published":
            assert source and re.fullmatch(r"\d{4}-\d\d-\d\d", date), model
        elif basis == "unknown":
            assert "assumption" in source, model


def check_satcom_evaluate(res, work):
    """GEO rows: elevation of a geostationary satellite at 21.5 deg E seen from each site (WGS-84 normal by
    skyfield) within 0.05 deg, and one-way latency equal to slant range / c within 0.5 ms; a PACE row per site."""
    import numpy as np
    from skyfield.api import wgs84

    geo = 42164.17 * np.array([np.cos(np.radians(21.5)), np.sin(np.radians(21.5)), 0.0])
    rows = _csv_rows(work / "satcom-slovenia" / "sites.csv")
    geo_rows = [r for r in rows if r["orbit"] == "geo"]
    assert geo_rows
    for r in geo_rows[::7]:
        lat, lon = float(r["lat_deg"]), float(r["lon_deg"])
        site = np.array(wgs84.latlon(lat, lon).itrs_xyz.km)
        up = np.array([np.cos(np.radians(lat)) * np.cos(np.radians(lon)),
                       np.cos(np.radians(lat)) * np.sin(np.radians(lon)), np.sin(np.radians(lat))])
        los = geo - site
        rng = np.linalg.norm(los)
        assert float(r["mean_elevation_deg"]) == pytest.approx(np.degrees(np.arcsin(los @ up / rng)), abs=0.05)
        assert float(r["latency_ms"]) == pytest.approx(rng / 299792.458 * 1e3, abs=0.5)
    sites = {r["site"] for r in rows}
    assert len(_csv_rows(work / "satcom-slovenia" / "pace.csv")) >= len(sites)


def check_pnt_evaluate(res, work):
    """Receivers lose lock only within the 4/3-Earth radio horizon of an L1 jammer of the bundled scenario
    (4.12 (sqrt h1 + sqrt h2) km, heights in m); DOP of every point at least 1."""
    import importlib.resources

    import yaml

    scenario = yaml.safe_load((importlib.resources.files("orbitshare") / "data" / "pnt" /
                               "jammers_slovenia.yaml").read_text())
    l1 = [j for j in scenario["jammers"] if j["band"] == "L1"]
    rows = _csv_rows(work / "pnt-si" / "sites.csv")
    assert rows and all(float(r["pdop_mean"]) >= 1.0 for r in rows)
    lost = [r for r in rows if r["lock"] == "False"]
    assert lost
    for r in lost:
        reach = []
        for j in l1:
            lat1, lon1, lat2, lon2 = map(math.radians, (float(r["lat_deg"]), float(r["lon_deg"]), j["lat_deg"],
                                                        j["lon_deg"]))
            d_km = 6371.0 * 2 * math.asin(math.sqrt(math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) *
                                                    math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2))
            reach.append(d_km <= 4.12 * (math.sqrt(j["height_m"]) + math.sqrt(2.0)) * 1.01)
        assert any(reach), r


CHECKS = {"demo": check_demo, "catalog info": check_catalog_info, "propagate": check_propagate,
          "screen": check_screen, "cdm pc": check_cdm_pc, "sda manoeuvres": check_sda_manoeuvres,
          "sda proximity": check_sda_proximity, "sda fragmentation": check_sda_fragmentation,
          "sda overflights": check_sda_overflights, "audit head": check_audit_head,
          "audit verify": check_audit_verify, "warmup": check_warmup, "passes": check_passes,
          "data status": check_data_status, "eo assets": check_eo_assets,
          "eo opportunities": check_eo_opportunities, "eo persistence": check_eo_persistence, "eo plan": check_eo_plan,
          "eo activate": check_eo_activate, "satcom models": check_satcom_models,
          "satcom evaluate": check_satcom_evaluate, "pnt evaluate": check_pnt_evaluate}


# --- running them ----------------------------------------------------------------------------------------------


def _workdir(tmp_path: Path) -> Path:
    """A project-like directory: ../shared, tests/ and .venv/bin/orbitshare (this interpreter) as in a checkout."""
    work = tmp_path / "project"
    (work / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / "shared").symlink_to(SHARED.parent, target_is_directory=True)
    (work / "tests").symlink_to(ROOT / "tests", target_is_directory=True)
    script = work / ".venv" / "bin" / "orbitshare"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m orbitshare.cli "$@"\n')
    script.chmod(0o755)
    return work


def _free_port() -> int:
    """An unused local TCP port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_serve(line: str, work: Path, env: dict) -> str:
    """Start the README's serve command (on a free port), wait until it answers, stop it; '' or a failure."""
    port = _free_port()
    command = line.split(" #")[0].rstrip()  # README's --port default may be taken by another process: add --port
    proc = subprocess.Popen(["sh", "-c", f"exec {command} --port {port}"], cwd=work, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        first = proc.stdout.readline()
        if f"http://127.0.0.1:{port}/" not in first:
            return f"no hub URL printed: {first!r}"
        for _ in range(300):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/docs").status_code == 200:
                    return ""
            except httpx.HTTPError:
                time.sleep(0.1)
        return "the hub did not answer on /docs"
    finally:
        proc.terminate()
        proc.wait(20)


def test_readme_commands_run_on_shared_data(tmp_path):
    """Each README command, as written, exits 0 and passes its independent check (outputs in a temporary folder)."""
    shared_path("catalog")  # skips without ../shared, fails when ORBITSHARE_REQUIRE_SHARED=1
    work = _workdir(tmp_path)
    env = {**os.environ, "ORBITSHARE_HOME": str(tmp_path / "home"), "COLUMNS": "200"}
    failures = []
    for line in readme_commands():
        key = _command_key(line)
        if key == "serve":
            problem = _run_serve(line, work, env)
            if problem:
                failures.append(f"{line}\n  {problem}")
            continue
        res = subprocess.run(["sh", "-c", line], cwd=work, env=env, capture_output=True, text=True, timeout=600)
        if res.returncode != 0:
            failures.append(f"{line}\n  exit {res.returncode}: {res.stderr[-2000:]}")
            continue
        if "Traceback" in res.stderr:
            failures.append(f"{line}\n  traceback on stderr")
        try:
            CHECKS[key](res, work)
        except (AssertionError, OSError, KeyError, ValueError) as exc:
            failures.append(f"{line}\n  check failed: {type(exc).__name__}: {exc}")
    assert not failures, "\n".join(failures)
