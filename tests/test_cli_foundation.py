"""CLI: catalog info, propagate (CSV/Parquet, frames), the demo, and clear errors for bad arguments."""

from __future__ import annotations

import json

import numpy as np
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from tests.conftest import DATA
from typer.testing import CliRunner

from orbitshare.cli import app

runner = CliRunner()
STATIONS = str(DATA / "tle" / "stations_2026-03-10.json")


def test_catalog_info_reports_rejects_with_reasons():
    """Counts per file, and each reject with file, line and field; a file with no valid object exits 2."""
    res = runner.invoke(app, ["catalog", "info", STATIONS, str(DATA / "omm" / "OMM-wrong-keyword.txt")])
    assert res.exit_code == 2, res.output
    assert "LEO 33" in res.output.replace(",", "")
    assert "WRONG_KEYWORD: unknown OMM keyword" in res.output and "line 9" in res.output
    assert "OMM-wrong-keyword.txt: no valid object read (1 records, 1 rejected)" in res.output


def test_catalog_info_json():
    """--json gives machine-readable counts."""
    res = runner.invoke(app, ["catalog", "info", "--json", STATIONS])
    data = json.loads(res.stdout)
    assert data[0]["objects"] == 33 and data[0]["rejects"] == []


def test_catalog_info_missing_file():
    """A missing file is a clear error with exit code 2."""
    res = runner.invoke(app, ["catalog", "info", "/nonexistent/cat.tle"])
    assert res.exit_code == 2 and "cannot open" in res.output


@pytest.mark.parametrize("frame", ["teme", "itrs", "geodetic"])
def test_propagate_csv(tmp_path, frame):
    """Rows = objects x times; ISS geodetic height within its known 400-440 km band."""
    out = tmp_path / "eph.csv"
    res = runner.invoke(app, ["propagate", STATIONS, "--start", "2026-03-10T00:00:00Z", "--stop",
                              "2026-03-10T01:00:00Z", "--step", "10m", "--ids", "25544", "--frame", frame,
                              "--out", str(out)])
    assert res.exit_code == 0, res.output
    table = pacsv.read_csv(out).to_pydict()
    assert len(table["norad_id"]) == 7 and set(table["norad_id"]) == {25544}
    assert all(e == 0 for e in table["sgp4_error"])
    if frame == "geodetic":
        assert all(400 < h < 440 for h in table["alt_km"])
    else:
        r = np.linalg.norm(np.c_[table["x_km"], table["y_km"], table["z_km"]], axis=1)
        assert np.all((r > 6770) & (r < 6830))


def test_propagate_parquet_all(tmp_path):
    """Parquet output of every object."""
    out = tmp_path / "eph.parquet"
    res = runner.invoke(app, ["propagate", STATIONS, "--start", "2026-03-10", "--stop", "2026-03-10T00:02:00",
                              "--step", "60", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert pq.read_table(out).num_rows == 33 * 3


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--stop", "2026-03-09"], "must be after"),
        (["--step", "-5"], "step must be positive"),
        (["--step", "fast"], "not a duration"),
        (["--frame", "gcrs"], "'--frame': 'gcrs' is not one of teme"),
        (["--ids", "1"], "NORAD ids not in"),
        (["--start", "yesterday"], "'--start': 'yesterday' is not an ISO 8601 UTC time"),
    ],
)
def test_propagate_bad_arguments(tmp_path, args, words):
    """Each bad argument gets exit code 2 and one line naming the option and saying what was wrong."""
    base = {"--start": "2026-03-10", "--stop": "2026-03-11", "--step": "1h", "--out": str(tmp_path / "x.csv")}
    for k, v in zip(args[::2], args[1::2], strict=True):
        base[k] = v
    argv = ["propagate", STATIONS, *[x for kv in base.items() for x in kv]]
    if "--frame" in args:
        argv += ["--frame", "gcrs"]
    if "--ids" in args:
        argv += ["--ids", "1"]
    res = runner.invoke(app, argv)
    assert res.exit_code == 2 and words in res.output, res.output
    errors = [line for line in res.output.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "Traceback" not in res.output, res.output


def test_demo_prints_summary_and_passes():
    """The batch demo prints the bundled catalog summary and passes of the partner satellites."""
    res = runner.invoke(app, ["demo"])
    assert res.exit_code == 0, res.output
    assert "14,683" in res.output and "NEMO-HD" in res.output and "NAOS" in res.output
