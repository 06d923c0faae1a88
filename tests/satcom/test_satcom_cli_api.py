"""`orbitshare satcom` commands and the hub job `satcom-evaluation`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.conftest import ROOT
from typer.testing import CliRunner

from orbitshare.cli import app

runner = CliRunner()
SCENARIO = ROOT / "src" / "orbitshare" / "data" / "satcom" / "scenarios" / "jamming.yaml"
LAB = {"policy_id": "NATO", "classification": "UNCLASSIFIED"}


@pytest.fixture
def sites_file(tmp_path: Path) -> Path:
    """Two named sites, one at home and one deployed abroad."""
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Ljubljana"},
         "geometry": {"type": "Point", "coordinates": [14.5058, 46.0569, 295]}},
        {"type": "Feature", "properties": {"name": "Novo Selo"},
         "geometry": {"type": "Point", "coordinates": [20.96, 42.58]}}]}
    path = tmp_path / "sites.geojson"
    path.write_text(json.dumps(fc))
    return path


def test_evaluate_writes_tables_maps_and_report(tmp_path, sites_file):
    """evaluate --sites --scenario writes CSV/JSON/GeoJSON/PNG/HTML and prints one row per option and mode."""
    out = tmp_path / "out"
    r = runner.invoke(app, ["satcom", "evaluate", "--sites", str(sites_file), "--scenario", str(SCENARIO),
                            "--hours", "1", "--step-s", "300", "--out", str(out), "--json"])
    assert r.exit_code == 0, r.output
    names = {p.name for p in out.iterdir()}
    assert {"sites.csv", "pace.csv", "summary.json", "grid.geojson", "report.html",
            "availability_multi_orbit.png"} <= names
    summ = json.loads((out / "summary.json").read_text())
    assert summ["kind"] == "satcom_evaluation" and summ["sites"] == 2 and len(summ["options"]) == 3
    geo = json.loads((out / "grid.geojson").read_text())
    assert [f["properties"]["site"] for f in geo["features"]] == ["Ljubljana", "Novo Selo"]
    html = (out / "report.html").read_text()
    assert "data:image/png;base64," in html and "PACE" in html


@pytest.mark.parametrize(("args", "needle"), [
    (["--region", "atlantis"], "atlantis"),
    (["--hours", "-1"], "--hours"),
    (["--scenario", "BAD"], "jammers"),
    (["--models", "BADM"], "constellations"),
])
def test_bad_input_is_one_line_exit_2(tmp_path, args, needle):
    """Unknown region, bad numbers, bad scenario or model files: exit 2 and one line naming the problem."""
    bad_s = tmp_path / "bad_scenario.yaml"
    bad_s.write_text("jammers:\n  - {name: j, target: sideways}\n")
    bad_m = tmp_path / "bad_models.yaml"
    bad_m.write_text("constellations: 5\n")
    args = [str(bad_s) if a == "BAD" else str(bad_m) if a == "BADM" else a for a in args]
    r = runner.invoke(app, ["satcom", "evaluate", *args, "--out", str(tmp_path / "o")])
    assert r.exit_code == 2
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in r.output


def test_models_lists_sources():
    """satcom models lists every parameter with basis and source; unknown figures say so."""
    r = runner.invoke(app, ["satcom", "models", "--json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    eirp = next(x for x in rows if x["model"] == "govsat-1/ka-mil" and x["parameter"] == "eirp_dbw")
    assert eirp["basis"] == "unknown"
    assert any(x["basis"] == "published" for x in rows)


def test_satcom_job_stores_a_labelled_product(tmp_path):
    """POST /jobs/satcom-evaluation stores a satcom_evaluation product with a GeoJSON grid; bad params are 422."""
    from tests.api.hub_api_env import make_env

    env = make_env(tmp_path)
    try:
        r = env.client.post("/jobs/satcom-evaluation", headers=env.auth("svn_an"), json={
            "label": LAB, "params": {"region": "luxembourg", "spacing_km": 25,
                                     "scenario": {"hours": 1, "step_s": 600, "lost_satellites": ["GOVSAT-1"]}}})
        assert r.status_code == 201, r.text
        assert r.json()["kind"] == "satcom_evaluation"
        body = env.client.get(f"/products/{r.json()['id']}/content", headers=env.auth("svn_an")).json()
        assert body["geojson"]["type"] == "FeatureCollection" and body["geojson"]["features"]
        assert "multi_orbit_availability_pct" in body["geojson"]["features"][0]["properties"]
        assert body["options"][0]["scenario"]["mean_coverage_pct"] == 0.0    # GovSat-1 lost
        bad = env.client.post("/jobs/satcom-evaluation", headers=env.auth("svn_an"), json={
            "label": LAB, "params": {"region": "atlantis"}})
        assert bad.status_code == 422 and "atlantis" in bad.text
        bad = env.client.post("/jobs/satcom-evaluation", headers=env.auth("svn_an"), json={
            "label": LAB, "params": {"scenario": {"hours": -1}}})
        assert bad.status_code == 422 and "hours" in bad.text
    finally:
        env.hub.close()
