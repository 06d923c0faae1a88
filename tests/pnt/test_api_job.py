"""The `pnt-evaluation` hub job: a stored `pnt_evaluation` product with a GeoJSON of the points."""

from __future__ import annotations

import json

import pytest
from tests.api.hub_api_env import make_env

LAB = {"policy_id": "NATO", "classification": "UNCLASSIFIED"}


@pytest.fixture
def env(tmp_path):
    """A fresh seeded hub app."""
    e = make_env(tmp_path)
    yield e
    e.hub.close()


def _job(env, params: dict):
    """POST /jobs/pnt-evaluation as the Slovenian analyst."""
    return env.client.post("/jobs/pnt-evaluation", headers=env.auth("svn_an"), json={"label": LAB, "params": params})


def test_pnt_job_stores_summary_and_geojson(env) -> None:
    params = {"region": "luxembourg", "spacing_km": 15, "hours": 2, "step_min": 30, "start": "2026-03-10T06:00:00Z",
              "jammers": [{"name": "J", "lat_deg": 49.6, "lon_deg": 6.1, "height_m": 30, "eirp_dbw": 10,
                           "band": "L1", "bandwidth_mhz": 20}]}
    r = _job(env, params)
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == "pnt_evaluation"
    doc = env.client.get(f"/products/{r.json()['id']}/content", headers=env.auth("svn_an")).json()
    fc = doc["geojson"]
    assert fc["type"] == "FeatureCollection" and fc["features"]
    props = fc["features"][0]["properties"]
    assert {"pdop", "visible", "lock"} <= set(props)
    assert doc["cases"][0]["case"] == "GPS+GAL"
    # a 10 W jammer on a 30 m mast: lock is lost near it (within its radio horizon) and kept further away
    def dist2(f):
        lon, lat = f["geometry"]["coordinates"]
        return (lat - 49.6) ** 2 + ((lon - 6.1) * 0.65) ** 2

    lost = [dist2(f) for f in fc["features"] if not f["properties"]["lock"]]
    kept = [dist2(f) for f in fc["features"] if f["properties"]["lock"]]
    assert lost and kept and max(lost) < min(kept)
    assert json.dumps(doc)  # plain JSON, no NaN/inf


def test_pnt_job_refuses_bad_parameters(env) -> None:
    r = _job(env, {"region": "atlantis"})
    assert r.status_code == 422 and "atlantis" in r.text
    r = _job(env, {"jammers": [{"lat_deg": 46, "lon_deg": 14, "eirp_dbw": 10, "band": "L9"}]})
    assert r.status_code == 422 and "band" in r.text
    r = _job(env, {"hours": 0})
    assert r.status_code == 422 and "hours" in r.text
