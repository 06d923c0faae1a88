"""The hub's imaging-opportunities job: an uploaded catalog and posted AOIs give a labelled GeoJSON product."""

from __future__ import annotations

import gzip
import json
from importlib import resources

import pytest

LAB = {"policy_id": "NATO", "classification": "UNCLASSIFIED"}
DATA = resources.files("orbitshare.data")


def _eo_catalog_text() -> str:
    """OMM CSV lines of a few EO satellites from the bundled CelesTrak catalog."""
    with gzip.open(str(DATA.joinpath("celestrak_active_2026-03-10.csv.gz")), "rt") as fh:
        lines = fh.read().splitlines()
    keep = ("SENTINEL-1A,", "SENTINEL-2B,", "PLEIADES NEO 3,", "ICEYE-X7,")
    return "\n".join([lines[0], *[x for x in lines[1:] if x.startswith(keep)]]) + "\n"


@pytest.fixture
def env(tmp_path):
    from tests.api.hub_api_env import make_env

    e = make_env(tmp_path)
    yield e
    e.hub.close()


def _upload(env, user: str) -> str:
    r = env.client.post("/catalogs", headers=env.auth(user), data={"label": json.dumps(LAB)},
                        files={"file": ("eo.csv", _eo_catalog_text().encode())})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _job(env, user: str, params: dict):
    return env.client.post("/jobs/imaging-opportunities", headers=env.auth(user), json={"label": LAB,
                                                                                        "params": params})


def test_job_stores_footprints_with_access_properties(env):
    pid = _upload(env, "lux_an")
    aois = json.loads(DATA.joinpath("eo/demo_aoi.geojson").read_text())
    r = _job(env, "lux_an", {"catalog_product": pid, "aois": aois, "start": "2026-03-10T00:00:00Z", "hours": 24})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["kind"] == "imaging_opportunities" and body["meta"]["accesses"] > 0
    fc = env.client.get(f"/products/{body['id']}/content", headers=env.auth("lux_an")).json()
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == body["meta"]["accesses"]
    props = fc["features"][0]["properties"]
    assert {"aoi", "asset", "best", "off_nadir_deg", "gsd_m", "coverage_fraction"} <= set(props)
    assert {f["properties"]["asset"] for f in fc["features"]} <= {"sentinel-1a", "sentinel-2b", "pleiades-neo-3",
                                                                  "iceye-x7"}
    _check_persistence(fc, aois)


def _check_persistence(fc: dict, aois: dict) -> None:
    """Each AOI's persistence figures are those of the stored accesses' best times (accesses that see part of a
    polygon, or whose swath is unknown), recomputed here; the AOIs are the posted ones."""
    from datetime import datetime

    import numpy as np

    posted = {f["properties"].get("id") or f.get("id") for f in aois["features"]}
    shown = fc["properties"]["aois"]["features"]
    assert {f["properties"]["aoi"] for f in shown} <= posted and len(shown) == len(fc["properties"]["persistence"])
    start = datetime.fromisoformat(fc["properties"]["start_utc"])
    kinds = {f["properties"]["aoi"]: f["geometry"]["type"] for f in shown}
    for row in fc["properties"]["persistence"]:
        hours = sorted((datetime.fromisoformat(f["properties"]["best"].replace("Z", "+00:00")) - start)
                       .total_seconds() / 3600 for f in fc["features"]
                       if f["properties"]["aoi"] == row["aoi"]
                       and (kinds[row["aoi"]] == "Point" or not (f["properties"]["coverage_fraction"] or 1) <= 0))
        assert row["accesses"] == len(hours), row
        if len(hours) > 1:
            assert abs(row["max_gap_h"] - float(np.max(np.diff(hours)))) < 1e-3, row
    assert sum(row["accesses"] > 1 for row in fc["properties"]["persistence"]) >= 2


@pytest.mark.parametrize(("params", "needle"), [
    ({"aois": {"type": "FeatureCollection", "features": []}}, "no usable"),
    ({"assets": ["NOPE"]}, "assets"),
    ({"hours": 1000}, "hours"),
    ({"colour": "red"}, "colour"),
])
def test_bad_params_are_422_naming_the_field(env, params, needle):
    pid = _upload(env, "lux_an")
    base = {"catalog_product": pid, "aois": {"type": "Point", "coordinates": [6.13, 49.61]}, "hours": 2}
    r = _job(env, "lux_an", {**base, **params})
    assert r.status_code == 422 and needle in r.text, r.text
