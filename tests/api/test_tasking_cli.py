"""`orbitshare eo task ...` and `orbitshare eo activate` on a seeded hub: the lifecycle and one-line refusals."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from typer.testing import CliRunner

from orbitshare.cli import app
from orbitshare.sharing.consent import iso

runner = CliRunner()
DATA = Path(__file__).resolve().parents[1] / "data"
ELEMENTS = str(DATA / "sda" / "eo_satellites_2026-03-10.csv.gz")
EXERCISE = str(DATA / "tasking" / "exercise_assets.yaml")


def _cli(env, who: str | None, *argv: str):
    """Run the CLI as `who` (its token in ORBITSHARE_TOKEN) on the env's hub."""
    extra = {"ORBITSHARE_HOME": str(env.hub.config.home)}
    if who:
        extra["ORBITSHARE_TOKEN"] = env.tokens[who]
    return runner.invoke(app, list(argv), env=extra)


def _one_error(res, *words: str) -> None:
    """Exit 2 with one `error:` line holding every word, no traceback."""
    assert res.exit_code == 2, res.output
    errors = [line for line in res.output.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and all(w in errors[0] for w in words), res.output
    assert "Traceback" not in res.output


def test_cli_lifecycle_and_refusals(env, tmp_path) -> None:
    """request, inbox, decide, advance and status; the wrong party and a skipped state are one line, exit 2."""
    now = datetime.now(UTC)
    window = ["--start", iso(now), "--stop", iso(now + timedelta(days=2))]
    res = _cli(env, "svn_an", "eo", "task", "request", "naos", "--at", "46.05,14.51", *window, "--json")
    assert res.exit_code == 0, res.output
    tid = json.loads(res.stdout)[0]["id"]
    inbox = json.loads(_cli(env, "lux_fp", "eo", "task", "inbox", "--json").stdout)
    assert [t["id"] for t in inbox] == [tid]
    _one_error(_cli(env, "lux_an", "eo", "task", "decide", tid, "--accept"), "focal point of the owner (LUX)")
    _one_error(_cli(env, "lux_an", "eo", "task", "advance", tid, "planned", "--planned-time", iso(now)),
               "cannot become planned")
    assert _cli(env, "lux_fp", "eo", "task", "decide", tid, "--accept").exit_code == 0
    plan_file = tmp_path / "accepted.yaml"
    assert _cli(env, "lux_an", "eo", "task", "plan-requests", "--out", str(plan_file)).exit_code == 0
    exported = yaml.safe_load(plan_file.read_text())["requests"]
    assert exported == [{"id": tid, "partner": "SVN", "aoi": {"point": [46.05, 14.51]}, "priority": 2,
                         "window": {"start": window[1], "end": window[3]}}]
    res = _cli(env, "lux_an", "eo", "task", "advance", tid, "planned", "--planned-time",
               iso(now + timedelta(days=5)))
    _one_error(res, "--planned-time", "outside the requested window")
    res = _cli(env, "lux_an", "eo", "task", "advance", tid, "planned", "--planned-time", iso(now + timedelta(hours=3)))
    assert res.exit_code == 0, res.output
    status = json.loads(_cli(env, "svn_an", "eo", "task", "status", tid, "--json").stdout)
    assert [h["status"] for h in status["history"]] == ["requested", "accepted", "planned"]
    assert status["acceptance_valid"] is True
    _one_error(_cli(env, "deu_an", "eo", "task", "status", tid), f"no tasking {tid}")
    _one_error(_cli(env, "svn_an", "eo", "task", "request", "nemo-hd", "--at", "46,14", *window), "ASSET", "own")
    _one_error(_cli(env, None, "eo", "task", "list", "--token", "osh_nope"), "--token")


def test_cli_activation_plan_only(env, tmp_path) -> None:
    """A plan-only activation lists the emergency-use assets of the exercise registry, fastest first; a polygon
    file aims at its centroid like --at does."""
    square = [[[14.4, 46.0], [14.6, 46.0], [14.6, 46.1], [14.4, 46.1], [14.4, 46.0]]]
    aoi = tmp_path / "aoi.geojson"
    feature = {"type": "Feature", "properties": {"id": "ljubljana"},
               "geometry": {"type": "Polygon", "coordinates": square}}
    aoi.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    common = ["--plan-only", "--assets", EXERCISE, "--catalog", ELEMENTS, "--start", "2026-03-10T12:00:00Z",
              "--horizon-h", "120", "--json"]
    outs = []
    for where in (["--at", "46.05,14.5"], ["--aoi", str(aoi)]):
        res = _cli(env, None, "eo", "activate", "--event", "flood", *where, *common)
        assert res.exit_code == 0, res.output
        outs.append(json.loads(res.stdout))
    out = outs[0]
    assert [p["asset_id"] for p in out["plan"]] == ["naos", "nemo-hd"]
    assert out["time_to_first_image_s"] == out["plan"][0]["time_to_first_image_s"]
    assert [p["first_access"] for p in outs[1]["plan"]] == [p["first_access"] for p in out["plan"]]
    _one_error(_cli(env, None, "eo", "activate", "--event", "flood", "--at", "95,14", "--plan-only"), "--at")
