"""Hub job `collection-plan`: a fair collection plan stored as a `collection_plan` product with GeoJSON."""

from __future__ import annotations

import gzip
import json

from tests.conftest import ROOT

LAB = {"policy_id": "NATO", "classification": "UNCLASSIFIED"}
CATALOG = ROOT / "src" / "orbitshare" / "data" / "celestrak_active_2026-03-10.csv.gz"
#: Pleiades Neo 3/4, Sentinel-2A/B/C, Sentinel-1A/C, ICEYE-X38 (assets of the packaged registry).
IDS = {"48268", "49070", "40697", "42063", "60989", "39634", "62261", "59100"}


def _catalog_text() -> str:
    """OMM CSV of a few registry assets from the packaged CelesTrak snapshot."""
    lines = gzip.decompress(CATALOG.read_bytes()).decode().splitlines()
    header = lines[0].split(",")
    col = header.index("NORAD_CAT_ID")
    return "\n".join([lines[0], *(ln for ln in lines[1:] if ln.split(",")[col] in IDS)]) + "\n"


def test_collection_plan_job_stores_plan_with_geojson(env) -> None:
    """SVN and LUX requests: stored as collection_plan with acquisitions, partners, gap and a GeoJSON layer."""
    r = env.client.post("/catalogs", headers=env.auth("svn_an"), data={"label": json.dumps(LAB)},
                        files={"file": ("eo.csv", _catalog_text().encode())})
    assert r.status_code == 201, r.text
    requests = [{"id": "svn-lj", "partner": "SVN", "aoi": {"point": [46.0569, 14.5058]}, "priority": 4},
                {"id": "lux-city", "partner": "LUX", "aoi": {"polygon": [[49.62, 6.10], [49.62, 6.16],
                                                                         [49.59, 6.16], [49.59, 6.10]]}}]
    stac_label = {"policy_id": "NATO", "classification": "UNCLASSIFIED", "originator": "SVN"}
    body = {"label": LAB, "params": {"catalog_product": r.json()["id"], "requests": requests,
                                     "start": "2026-03-10T00:00:00Z", "days": 1, "time_limit_s": 5,
                                     "stac_label": stac_label}}
    r = env.client.post("/jobs/collection-plan", headers=env.auth("svn_an"), json=body)
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == "collection_plan"
    content = env.client.get(f"/products/{r.json()['id']}/content", headers=env.auth("svn_an")).json()
    assert content["geojson"]["type"] == "FeatureCollection"
    assert len(content["geojson"]["features"]) == len(content["acquisitions"]) >= 1
    assert {p["partner"] for p in content["partners"]} == {"SVN", "LUX"}
    assert 0 <= content["solver"]["gap"] <= 1
    assert len(content["stac_items"]) == len(content["acquisitions"])
    assert all(i["properties"]["orbitshare:status"] == "planned" for i in content["stac_items"])


def test_collection_plan_job_refuses_bad_requests(env) -> None:
    """A request with a bad field is answered 422 naming it."""
    r = env.client.post("/catalogs", headers=env.auth("svn_an"), data={"label": json.dumps(LAB)},
                        files={"file": ("eo.csv", _catalog_text().encode())})
    body = {"label": LAB, "params": {"catalog_product": r.json()["id"],
                                     "requests": [{"id": "x", "partner": "SVN", "aoi": {"point": [95, 1]}}]}}
    r = env.client.post("/jobs/collection-plan", headers=env.auth("svn_an"), json=body)
    assert r.status_code == 422 and "field point" in r.json()["detail"]
    body["params"]["days"] = 30
    r = env.client.post("/jobs/collection-plan", headers=env.auth("svn_an"), json=body)
    assert r.status_code == 422 and "days" in r.json()["detail"]
