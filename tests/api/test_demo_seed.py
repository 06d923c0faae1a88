"""The demo hub: products computed from the bundled data (checked against python-sgp4 and skyfield), released
by grants, and the jobs `serve --demo` runs once."""

from __future__ import annotations

import csv
import gzip
import importlib.resources
import io
import json
from datetime import datetime, timedelta

import numpy as np
from sgp4 import omm
from sgp4.api import Satrec
from skyfield.api import EarthSatellite, load, wgs84

from orbitshare.api.demo import ALERT_TITLE, CATALOG_TITLE, result_jobs
from orbitshare.demo import DEMO_CATALOG, LJUBLJANA, NATIONAL_ASSETS

SDA = "space-domain-awareness"
TS = load.timescale(builtin=True)


def _omm_rows() -> dict[int, dict[str, str]]:
    """Rows of the bundled CelesTrak CSV by NORAD id, read with the standard library."""
    raw = gzip.decompress((importlib.resources.files("orbitshare") / "data" / DEMO_CATALOG).read_bytes())
    return {int(r["NORAD_CAT_ID"]): r for r in csv.DictReader(io.StringIO(raw.decode("utf-8")))}


def _skyfield(row: dict[str, str]) -> EarthSatellite:
    """Skyfield satellite from one OMM row, initialised by python-sgp4's own OMM reader."""
    sat = Satrec()
    omm.initialize(sat, row)
    return EarthSatellite.from_satrec(sat, TS)


def test_demo_catalog_and_overflight_alert(env) -> None:
    """The shared catalog holds every bundled row; each overflight window's peak elevation agrees with skyfield."""
    rows = _omm_rows()
    cid = env.products[CATALOG_TITLE]["id"]
    assert env.client.get(f"/products/{cid}", headers=env.auth("lux_an")).json()["meta"]["objects"] == len(rows)
    pid = env.products[ALERT_TITLE]["id"]
    alerts = json.loads(env.client.get(f"/products/{pid}/content", headers=env.auth("svn_an")).content)
    assert len(alerts) >= 3 and {a["kind"] for a in alerts} == {"overflight"}
    site = wgs84.latlon(LJUBLJANA[0], LJUBLJANA[1], elevation_m=LJUBLJANA[2] * 1000.0)
    for a in alerts:
        ev = a["evidence"]
        assert (ev["lat_deg"], ev["lon_deg"]) == LJUBLJANA[:2]  # placed on the map
        start, stop = (datetime.fromisoformat(ev[k].replace("Z", "+00:00")) for k in ("start", "stop"))
        sat = _skyfield(rows[ev["norad_id"]])
        n = max(2, int((stop - start).total_seconds()))
        t = TS.from_datetimes([start + timedelta(seconds=s) for s in np.linspace(0, n, 200)])
        alt = (sat - site).at(t).altaz()[0].degrees
        assert abs(alt.max() - ev["max_elevation_deg"]) < 0.2, (ev, alt.max())


def test_demo_jobs_run_once_and_are_released(env) -> None:
    """`serve --demo`'s jobs store four products, each granted to the other partner, each once."""
    people = {name: {"token": tok} for name, tok in (
        ("Slovenia MoD focal point", env.tokens["svn_fp"]), ("Slovenia MoD analyst", env.tokens["svn_an"]),
        ("Luxembourg DoD focal point", env.tokens["lux_fp"]), ("Luxembourg DoD analyst", env.tokens["lux_an"]))}
    runs = result_jobs(env.hub, people, env.client.app.state.jobs)
    assert len(runs) == 4
    made = [run() for _, run in runs[:2]]  # a start stopped after two jobs: a restart runs only the others
    rest = result_jobs(env.hub, people, env.client.app.state.jobs)
    assert [title for title, _ in rest] == [title for title, _ in runs[2:]]
    made += [run() for _, run in rest]
    assert result_jobs(env.hub, people, env.client.app.state.jobs) == []
    for info in made:
        reader = "lux_an" if info.originator == "SVN" else "svn_an"
        assert env.client.get(f"/products/{info.id}", headers=env.auth(reader)).status_code == 200
    report = json.loads(env.client.get(f"/products/{made[0].id}/content", headers=env.auth("lux_an")).content)
    assert report["conjunctions"] and all(
        {r["norad_id_1"], r["norad_id_2"]} & set(NATIONAL_ASSETS) for r in report["conjunctions"])
    assert [m.kind for m in made] == ["conjunction_report", "imaging_opportunities", "pnt_evaluation",
                                      "satcom_evaluation"]
