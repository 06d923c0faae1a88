"""Evaluation cases (per system, jammed, outages) agree with the underlying DOP; the CLI writes its files and
refuses bad input with one line and exit 2."""

from __future__ import annotations

import csv
import json
from importlib import resources

import numpy as np
import pytest
from typer.testing import CliRunner

from orbitshare.astro.time import parse_utc
from orbitshare.catalog import read_catalog
from orbitshare.cli import app
from orbitshare.pnt.constellations import select_constellation
from orbitshare.pnt.evaluate import EvaluationConfig, Points, evaluate
from orbitshare.pnt.jamming import Jammer
from orbitshare.pnt.scenario import JammingScenario

runner = CliRunner()
START = "2026-03-10T06:00:00Z"


@pytest.fixture(scope="module")
def ev():
    """Five sites: three near a strong L1 jammer in Ljubljana, two far away; outage cases."""
    cat, _ = read_catalog(str(resources.files("orbitshare.data").joinpath("celestrak_active_2026-03-10.csv.gz")))
    con = select_constellation(cat)
    pts = Points(["a", "b", "c", "far1", "far2"], np.array([46.05, 46.06, 46.04, 46.6, 45.6]),
                 np.array([14.50, 14.52, 14.48, 15.9, 13.7]), np.zeros(5), "sites")
    scen = JammingScenario([Jammer("J", 46.05, 14.50, 20.0, 0.0, 1575.42, 2.0)])
    cfg = EvaluationConfig(start=parse_utc(START), hours=3, step_min=30, lose_planes=(("GAL", 2),), lose_count=3)
    return evaluate(con, pts, cfg, scen)


def test_cases_and_jamming_consistency(ev):
    labels = [c.label for c in ev.cases]
    assert labels == ["GPS+GAL", "GPS", "GAL", "GAL plane 2 lost", "3 satellites lost", "jammed"]
    comb, gps, gal, plane, lost, jam = (c.dop for c in ev.cases)
    np.testing.assert_array_equal(comb.visible, gps.visible + gal.visible)
    assert np.all(comb.pdop <= np.minimum(gps.pdop, gal.pdop) + 1e-12)  # more satellites never dilute more
    assert np.all(plane.visible <= comb.visible) and np.all(lost.visible <= comb.visible)
    ok = ev.jamming.system_ok
    for i in range(len(ev.points)):
        expect = comb if ok[i].all() else gps if ok[i, 0] else gal if ok[i, 1] else None
        if expect is None:
            assert np.all(np.isnan(jam.pdop[i])) and np.all(jam.visible[i] == 0)
        else:
            np.testing.assert_array_equal(jam.pdop[i], expect.pdop[i])
    assert not ok[:3].any() and ok[3:].all()  # lock lost next to the jammer only
    rows = ev.point_rows()
    assert [r["lock"] for r in rows] == [False, False, False, True, True]
    json.dumps(ev.summary())
    assert ev.summary()["jamming"]["points_lock_lost_pct"] == 60.0


def test_element_age_warning(ev):
    assert any("days from the evaluation time" in w for w in ev.warnings)


def test_cli_evaluate_writes_report(tmp_path):
    out = tmp_path / "out"
    r = runner.invoke(app, ["pnt", "evaluate", "--region", "luxembourg", "--spacing-km", "20", "--start", START,
                            "--hours", "1", "--step-min", "30", "--jammers", "sample", "--lose-plane", "GPS:1",
                            "--out", str(out)])
    assert r.exit_code == 0, r.output
    for name in ("summary.json", "cases.csv", "sites.csv", "times.csv", "satellites.csv", "grid.geojson",
                 "pdop_mean.png", "visible_min.png", "report.html"):
        assert (out / name).is_file(), name
    with open(out / "cases.csv") as fh:
        cases = [row["case"] for row in csv.DictReader(fh)]
    assert cases[0] == "GPS+GAL" and "GPS plane 1 lost" in cases and "jammed" in cases
    assert "<img" in (out / "report.html").read_text()


@pytest.mark.parametrize("args, needle", [
    (["--region", "atlantis"], "atlantis"),
    (["--sites", "missing.geojson"], "missing.geojson"),
    (["--region", "slovenia", "--lose-plane", "GAL"], "SYSTEM:PLANE"),
    (["--region", "slovenia", "--lose-plane", "GAL:7"], "GAL:7"),
    (["--region", "slovenia", "--systems", "GLO"], "GPS, GAL"),
    (["--region", "slovenia", "--exclude", "99999999"], "not in the catalog"),
    (["--region", "slovenia", "--spacing-km", "1", "--hours", "48"], "point-times"),
])
def test_cli_bad_input_is_one_line_exit_2(tmp_path, args, needle):
    r = runner.invoke(app, ["pnt", "evaluate", *args, "--start", START, "--hours", "1", "--out", str(tmp_path / "o")]
                      if "--hours" not in args else ["pnt", "evaluate", *args, "--start", START,
                                                     "--out", str(tmp_path / "o")])
    assert r.exit_code == 2, r.output
    assert needle in r.output
    assert "Traceback" not in r.output


def test_cli_bad_jammer_file_names_file_and_field(tmp_path):
    bad = tmp_path / "j.yaml"
    bad.write_text("jammers:\n  - {lat_deg: 46, lon_deg: 14, eirp_dbw: 10, band: L1, power: 3}\n")
    r = runner.invoke(app, ["pnt", "evaluate", "--region", "slovenia", "--jammers", str(bad), "--out",
                            str(tmp_path / "o")])
    assert r.exit_code == 2
    line = [x for x in r.output.splitlines() if "error" in x.lower()]
    assert line and str(bad) in line[0] and "power" in line[0]


def test_cli_sites_mode(tmp_path):
    sites = tmp_path / "s.geojson"
    sites.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Ljubljana"},
         "geometry": {"type": "Point", "coordinates": [14.5058, 46.0569, 295]}},
        {"type": "Feature", "properties": {"name": "Luxembourg"},
         "geometry": {"type": "Point", "coordinates": [6.1319, 49.6116, 300]}}]}))
    out = tmp_path / "o"
    r = runner.invoke(app, ["pnt", "evaluate", "--sites", str(sites), "--start", START, "--hours", "1",
                            "--systems", "GAL", "--json", "--out", str(out)])
    assert r.exit_code == 0, r.output
    with open(out / "sites.csv") as fh:
        assert [row["name"] for row in csv.DictReader(fh)] == ["Ljubljana", "Luxembourg"]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["satellites"]["GPS"] == 0 and summary["cases"][0]["case"] == "GAL"


@pytest.mark.parametrize("option", ["--jammers", "--sites", "--catalog", "--constellations"])
@pytest.mark.parametrize("kind", ["missing", "empty", "binary", "garbage"])
def test_cli_bad_input_files(tmp_path, option, kind):
    path = tmp_path / f"{kind}.txt"
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "binary":
        path.write_bytes(bytes(range(256)) * 8)
    elif kind == "garbage":
        path.write_text("{not: [valid\n")
    r = runner.invoke(app, ["pnt", "evaluate", option, str(path), "--start", START, "--hours", "1",
                            "--out", str(tmp_path / "o")])
    assert r.exit_code == 2, r.output
    assert path.name in r.output and "Traceback" not in r.output
