"""`orbitshare eo assets|opportunities|persistence` on the real CLI: outputs, and bad input as one line, exit 2."""

from __future__ import annotations

import csv
import json
from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

from orbitshare.cli import app

runner = CliRunner()
AOI = str(resources.files("orbitshare.data").joinpath("eo/demo_aoi.geojson"))
WINDOW = ["--start", "2026-03-10T00:00:00Z"]


def _run(*args: str):
    return runner.invoke(app, list(args))


def _one_line_error(res, *words: str) -> None:
    assert res.exit_code == 2, res.output
    lines = [x for x in res.output.strip().splitlines() if x.startswith("error:")]
    assert len(lines) == 1 and "Traceback" not in res.output, res.output
    for w in words:
        assert w in lines[0], lines[0]


def test_assets_table_json_and_owner_filter():
    res = _run("eo", "assets", "--owner", "LUX,SVN", "--json")
    assert res.exit_code == 0
    assert {a["id"] for a in json.loads(res.stdout)} == {"naos", "nemo-hd", "trisat"}
    res = _run("eo", "assets")
    assert res.exit_code == 0 and "pleiades-neo-3" in res.stdout and "sentinel-1a" in res.stdout


def test_assets_bad_owner_and_bad_file(tmp_path):
    _one_line_error(_run("eo", "assets", "--owner", "XX"), "--owner", "XX")
    bad = tmp_path / "mine.yaml"
    bad.write_text("assets:\n  - id: x\n    name: X\n")
    _one_line_error(_run("eo", "assets", "--assets", str(bad)), "mine.yaml", "asset x", "field")


def test_opportunities_writes_csv_and_geojson(tmp_path):
    out_csv, out_geo = tmp_path / "o.csv", tmp_path / "o.geojson"
    res = _run("eo", "opportunities", "--aoi", AOI, *WINDOW, "--hours", "12", "--only", "EU,AIRBUS",
               "--out", str(out_csv))
    assert res.exit_code == 0, res.output
    with open(out_csv) as fh:
        rows = list(csv.DictReader(fh))
    assert rows and {r["owner"] for r in rows} <= {"EU", "AIRBUS"} and "coverage_fraction" in rows[0]
    res = _run("eo", "opportunities", "--aoi", AOI, *WINDOW, "--hours", "12", "--only", "pleiades-neo-3",
               "--out", str(out_geo))
    assert res.exit_code == 0, res.output
    fc = json.loads(out_geo.read_text())
    assert fc["type"] == "FeatureCollection" and all(f["properties"]["asset"] == "pleiades-neo-3"
                                                     for f in fc["features"])


@pytest.mark.parametrize(("args", "words"), [
    (["--only", "NOPE"], ("--only", "NOPE")),
    (["--hours", "-1"], ("--hours",)),
    (["--start", "yesterday"], ("--start",)),
    (["--out", "x.txt"], ("unsupported file type",)),
])
def test_opportunities_bad_options(args, words):
    _one_line_error(_run("eo", "opportunities", "--aoi", AOI, *WINDOW, *args), *words)


def test_opportunities_bad_aoi_file(tmp_path):
    bad = tmp_path / "a.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": null}]}')
    _one_line_error(_run("eo", "opportunities", "--aoi", str(bad), *WINDOW), "a.geojson", "no usable")
    half = tmp_path / "b.geojson"
    half.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"id": "p"}, '
                    '"geometry": {"type": "Point", "coordinates": [14.5, 46.0]}}, {"type": "Feature", '
                    '"geometry": {"type": "Point", "coordinates": [400, 0]}}]}')
    res = _run("eo", "opportunities", "--aoi", str(half), *WINDOW, "--hours", "2", "--only", "sentinel-1a")
    assert res.exit_code == 0 and "1 feature(s) rejected, 1 used" in res.output


def test_persistence_writes_tables_and_plots(tmp_path):
    out = tmp_path / "p"
    res = _run("eo", "persistence", "--aoi", AOI, *WINDOW, "--days", "2", "--constellation", "EU,AIRBUS",
               "--out", str(out))
    assert res.exit_code == 0, res.output
    names = {p.name for p in Path(out).iterdir()}
    assert {"persistence.csv", "persistence.json", "degradation.csv", "revisit_timeline.png",
            "coverage_luxembourg.png"} <= names
    deg = json.loads((out / "degradation.json").read_text())
    assert {r["lost"] for r in deg if r["scenario"] == "partner lost"} == {"EU", "AIRBUS"}
    _one_line_error(_run("eo", "persistence", "--aoi", AOI, *WINDOW, "--constellation", "XYZ"), "XYZ")
    _one_line_error(_run("eo", "persistence", "--aoi", AOI, *WINDOW, "--days", "1", "--request",
                         "2026-04-01T00:00:00Z", "--constellation", "EU"), "--request", "outside")


def test_opportunities_writes_valid_stac_items(tmp_path):
    from orbitshare.eo.stac import validate

    label = str(resources.files("orbitshare.data").joinpath("eo/demo_label.json"))
    out = tmp_path / "stac"
    res = _run("eo", "opportunities", "--aoi", AOI, *WINDOW, "--hours", "12", "--only", "sentinel-1a,AIRBUS",
               "--stac", str(out), "--label", label)
    assert res.exit_code == 0, res.output
    items = [json.loads(p.read_text()) for p in sorted((out / "items").glob("*.json"))]
    assert items and all(validate(it) == [] for it in items)
    assert items[0]["properties"]["orbitshare:label"]["classification"] == "RESTRICTED"
    assert validate(json.loads((out / "collection.json").read_text())) == []
    _one_line_error(_run("eo", "opportunities", "--aoi", AOI, *WINDOW, "--stac", str(out)), "--label")
    bad = tmp_path / "label.json"
    bad.write_text('{"policy_id": "NATO"}')
    _one_line_error(_run("eo", "opportunities", "--aoi", AOI, *WINDOW, "--stac", str(out), "--label", str(bad)),
                    "label.json", "classification")
