"""STAC items of acquisitions: valid against the core and extension schemas offline, served by the hub."""

from __future__ import annotations

import json
import urllib.request
from datetime import timedelta
from importlib import resources

import pytest
import shapely

from orbitshare.astro.time import parse_utc
from orbitshare.catalog import read_catalog
from orbitshare.eo.aoi import read_aois
from orbitshare.eo.assets import load_registry
from orbitshare.eo.opportunities import find_opportunities
from orbitshare.eo.stac import (
    EXTENSION_URI,
    EXTENSION_URIS,
    acquisition_collection,
    acquisition_item,
    items_from_opportunities,
    schema_map,
    validate,
)

DATA = resources.files("orbitshare.data")
START = parse_utc("2026-03-10T00:00:00Z")
LABEL = {"policy_id": "NATO", "classification": "RESTRICTED", "originator": "LUX",
         "categories": [{"tag_name": "Releasable To", "type": "PERMISSIVE", "values": ["LUX", "SVN"]}],
         "purposes": ["exercise"]}


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any attempt to fetch a schema over the network fails the test."""
    import requests

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args[:1]}")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    monkeypatch.setattr(requests, "get", refuse)
    monkeypatch.setattr(requests.Session, "get", refuse)


@pytest.fixture(scope="module")
def items():
    cat, _ = read_catalog(str(DATA.joinpath("celestrak_active_2026-03-10.csv.gz")))
    with DATA.joinpath("eo/demo_aoi.geojson").open() as fh:
        aois = read_aois(fh, "demo").aois
    opp = find_opportunities(cat, load_registry(), aois, START, START + timedelta(days=1))
    return items_from_opportunities(opp, LABEL, collection_id="lux-svn-demo")


def test_vendored_schemas_carry_the_ids_they_are_mapped_from():
    m = schema_map()
    for url in [*EXTENSION_URIS.values(), EXTENSION_URI]:
        with open(m[url]) as fh:
            assert json.load(fh)["$id"].rstrip("#") == url


def test_opportunity_items_and_collection_validate_offline(items):
    assert {it["properties"]["instruments"][0] for it in items} == {"optical", "sar"}
    for it in items:
        assert validate(it) == [], it["id"]
        assert it["properties"]["orbitshare:label"] == LABEL
    sar = next(it for it in items if it["properties"]["instruments"] == ["sar"])
    assert EXTENSION_URIS["sar"] in sar["stac_extensions"] and sar["properties"]["sar:frequency_band"] in "CX"
    opt = next(it for it in items if it["properties"]["instruments"] == ["optical"])
    assert EXTENSION_URIS["eo"] in opt["stac_extensions"] and "view:off_nadir" in opt["properties"]
    col = acquisition_collection("lux-svn-demo", items, "Planned acquisitions over the demo AOIs")
    assert validate(col) == []


@pytest.mark.parametrize(("path", "value", "needle"), [
    (("properties", "orbitshare:label", "classification"), "SECRETISH", "classification"),
    (("properties", "view:off_nadir"), 120, "view:off_nadir"),
    (("properties", "start_datetime"), "yesterday", "start_datetime"),
    (("properties", "orbitshare:status"), "maybe", "orbitshare:status"),
])
def test_invalid_fields_are_reported(items, path, value, needle):
    bad = json.loads(json.dumps(items[0]))
    node = bad
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    errors = validate(bad)
    assert errors and needle in errors[0]


def test_missing_label_is_invalid(items):
    bad = json.loads(json.dumps(items[0]))
    del bad["properties"]["orbitshare:label"]
    assert any("orbitshare:label" in e for e in validate(bad))


def test_delivered_item_with_cloud_cover_for_the_planner():
    asset = load_registry().get("pleiades-neo-3")
    fp = shapely.box(6.0, 49.5, 6.2, 49.7)
    item = acquisition_item(asset, "2026-03-10T10:00:00Z", "2026-03-10T10:00:08Z", fp, 12.5, label=LABEL,
                            status="delivered", orbit_state="descending", cloud_cover_pct=12.0, gsd_m=0.32,
                            asset_href="https://example.invalid/scene.tif")
    assert validate(item) == []
    assert item["properties"]["eo:cloud_cover"] == 12.0 and item["properties"]["orbitshare:status"] == "delivered"
    with pytest.raises(ValueError, match="status"):
        acquisition_item(asset, START, START, fp, 0.0, label=LABEL, status="done", orbit_state="ascending")


def test_hub_stac_search_serves_our_items(tmp_path, items):
    from tests.api.hub_api_env import make_env

    env = make_env(tmp_path)
    try:
        h = env.auth("lux_an")
        item = next(it for it in items if it["properties"]["platform"].startswith("sentinel-1"))
        lab = {k: v for k, v in LABEL.items() if k != "originator"}
        r = env.client.post("/products", headers=h, json={"kind": "stac_item", "title": item["id"], "label": lab,
                                                           "content": item})
        assert r.status_code == 201, r.text
        x0, y0, x1, y1 = item["bbox"]
        found = env.client.get(f"/stac/search?bbox={x0},{y0},{x1},{y1}", headers=h).json()
        got = next(f for f in found["features"] if f["id"] == item["id"])
        assert got["properties"]["view:off_nadir"] == item["properties"]["view:off_nadir"]
        assert got["properties"]["orbitshare:label"]["originator"] == "LUX"
        assert validate(got) == []  # the hub adds orbitshare:product_id and its own copy of the label
    finally:
        env.hub.close()
