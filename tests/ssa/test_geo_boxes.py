"""GEO station-keeping boxes and drift alerts on the Fengyun histories (tests/data/sda, public TLEs).

References: the operators' announced slots (Fengyun-2D 86.5 E; Fengyun-2E 105 E, moved to 86.5 E in 2015;
Fengyun-2F 112 E; Fengyun-4A 104.7 E) and the Fengyun-2E relocation of mid-2015 visible in its history."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from orbitshare.astro.time import datetime_to_jd, parse_utc
from orbitshare.ssa.behaviour.geo_boxes import drift_alerts, history_alerts, longitude_history, station_boxes
from orbitshare.ssa.behaviour.io import read_history
from orbitshare.ssa.behaviour.manoeuvres import History

DATA = Path(__file__).resolve().parents[1] / "data" / "sda"


def _jd(text: str) -> float:
    return float(sum(datetime_to_jd(parse_utc(text))))


@pytest.fixture(scope="module")
def hist():
    return {n: read_history(DATA / f"maneuvers_{n}.tle.gz")
            for n in ("Fengyun-2D", "Fengyun-2E", "Fengyun-2F", "Fengyun-4A")}


def _until(h: History, iso: str) -> History:
    return History(h.catalog.take(h.t_jd < _jd(iso)), [])


def test_boxes_sit_on_the_announced_slots(hist):
    boxes = {n: station_boxes(h) for n, h in hist.items()}
    assert [len(b) for b in boxes.values()] == [1, 2, 1, 1]
    slots = {"Fengyun-2D": [86.5], "Fengyun-2E": [105.0, 86.5], "Fengyun-2F": [112.0], "Fengyun-4A": [104.7]}
    for n, want in slots.items():
        got = [b.lon_centre_deg for b in boxes[n]]
        assert np.allclose(got, want, atol=0.75), (n, got)
        assert all(0.1 < b.lon_half_width_deg < 1.0 for b in boxes[n])
    fy2e = boxes["Fengyun-2E"]
    assert _jd("2015-05-15") < fy2e[0].end_jd < fy2e[1].start_jd < _jd("2015-07-15")
    # Fengyun-4A keeps its inclination (north-south station-keeping), the Fengyun-2 satellites let it grow
    assert boxes["Fengyun-4A"][0].incl_controlled and boxes["Fengyun-4A"][0].incl_max_deg < 0.35
    assert not any(b.incl_controlled for n in ("Fengyun-2D", "Fengyun-2E", "Fengyun-2F") for b in boxes[n])


def test_every_station_keeping_set_lies_in_its_box(hist):
    for h in hist.values():
        t, lon, drift = longitude_history(h)
        for b in station_boxes(h):
            sel = (t >= b.start_jd) & (t <= b.end_jd) & (np.abs(drift) <= 0.1)
            assert np.mean(b.contains_lon(lon[sel])) >= 0.99


def test_relocation_toward_another_satellites_slot_is_alerted(hist):
    """Fengyun-2E, boxed on its 2011-2014 history, leaves 105 E in June 2015 and drifts west to Fengyun-2D's
    slot: "left box" and "drifting toward slot" (target Fengyun-2D) within days of the start of the drift."""
    own = station_boxes(_until(hist["Fengyun-2E"], "2015-01-01"))[-1]
    others = [station_boxes(hist[n])[0] for n in ("Fengyun-2D", "Fengyun-2F", "Fengyun-4A")]
    alerts = drift_alerts(hist["Fengyun-2E"], own, others)
    reasons = [(a["reason"], a.get("target_norad_id")) for a in alerts]
    assert reasons[:2] == [("left box", None), ("drifting toward slot", 29640)], alerts
    for a in alerts[:2]:
        assert _jd("2015-05-25") < _jd(a["time"]) < _jd("2015-06-15"), a
    assert alerts[1]["drift_deg_per_day"] < -0.05 and 0.0 < alerts[1]["days_to_target_box"] <= 60.0


def test_satellites_that_keep_station_raise_no_alert(hist):
    """Fengyun-2F and Fengyun-4A stay in the boxes of their early years. (Fengyun-2D does not: from late 2012 it
    uses 86.0-87.3 E against 86.0-86.8 E before, and is reported leaving its early box.)"""
    for name, cut in (("Fengyun-2F", "2016-06-01"), ("Fengyun-4A", "2019-02-01")):
        own = station_boxes(_until(hist[name], cut))[-1]
        others = [station_boxes(h)[-1] for n, h in hist.items() if n != name]
        assert drift_alerts(hist[name], own, others) == [], name


def test_history_alerts_per_tenancy(hist):
    """Over Fengyun-2E's whole history: two boxes, and between them the move toward Fengyun-2D's slot."""
    boxes, alerts = history_alerts(hist["Fengyun-2E"], [station_boxes(hist["Fengyun-2D"])[-1]])
    assert len(boxes) == 2
    assert [a["reason"] for a in alerts] == ["left box", "drifting toward slot"]
    assert all(boxes[0].end_jd < _jd(a["time"]) < boxes[1].start_jd for a in alerts)


def test_cli_writes_boxes_and_drift_alerts(tmp_path):
    import gzip
    import json

    from typer.testing import CliRunner

    from orbitshare.cli import app

    paths = {}
    for name in ("Fengyun-2E", "Fengyun-2D"):
        paths[name] = tmp_path / f"{name}.tle"
        paths[name].write_text(gzip.open(DATA / f"maneuvers_{name}.tle.gz", "rt").read())
    out = tmp_path / "boxes.json"
    res = CliRunner().invoke(app, ["sda", "manoeuvres", str(paths["Fengyun-2E"]), "--out", str(tmp_path / "F.csv"),
                                   "--boxes", str(out), "--neighbour", str(paths["Fengyun-2D"])])
    assert res.exit_code == 0, res.output
    doc = json.loads(out.read_text())
    assert len(doc["boxes"]) == 2 and doc["drift_alerts"][1]["target_norad_id"] == 29640
    res = CliRunner().invoke(app, ["sda", "manoeuvres", str(paths["Fengyun-2E"]), "--neighbour",
                                   str(paths["Fengyun-2D"])])
    assert res.exit_code == 2 and "--boxes" in res.output
    res = CliRunner().invoke(app, ["sda", "manoeuvres", str(paths["Fengyun-2E"]), "--boxes", str(out),
                                   "--neighbour", str(tmp_path / "missing.tle")])
    assert res.exit_code == 2 and "missing.tle" in res.output
