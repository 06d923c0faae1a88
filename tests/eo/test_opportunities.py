"""Imaging opportunities: AOI reading, the sensor model against published figures, and access properties."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from importlib import resources

import numpy as np
import pytest
import shapely
from shapely.geometry import shape

from orbitshare.astro.time import parse_utc
from orbitshare.eo.aoi import AoiError, read_aois
from orbitshare.eo.assets import load_registry
from orbitshare.eo.opportunities import find_opportunities
from orbitshare.eo.sensor import ground_swath_km, gsd_m, incidence_deg, slant_range_km

DATA = resources.files("orbitshare.data")
START = parse_utc("2026-03-10T00:00:00Z")


@pytest.fixture(scope="module")
def demo_aois():
    with DATA.joinpath("eo/demo_aoi.geojson").open() as fh:
        return read_aois(fh, "demo_aoi.geojson")


@pytest.fixture(scope="module")
def demo(catalog, demo_aois):
    return find_opportunities(catalog, load_registry(), demo_aois.aois, START, START + timedelta(days=2))


def test_demo_aoi_file_has_a_point_and_a_polygon(demo_aois):
    assert [a.id for a in demo_aois] == ["ljubljana", "luxembourg"]
    assert demo_aois.aois[0].is_point and not demo_aois.rejects
    assert 2300 < demo_aois.aois[1].area_km2 < 2900  # Luxembourg: 2,586 km2 (STATEC); outline simplified


def test_bad_features_are_rejected_one_line_each_and_counted():
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": "ok"}, "geometry": {"type": "Point", "coordinates": [14.5, 46.0]}},
        {"type": "Feature", "properties": {"id": "swapped"}, "geometry": {"type": "Point", "coordinates": [46, 140]}},
        {"type": "Feature", "properties": {"id": "line"}, "geometry": {"type": "LineString",
                                                                       "coordinates": [[0, 0], [1, 1]]}},
        {"type": "Feature", "properties": {"id": "bowtie"}, "geometry": {"type": "Polygon", "coordinates": [
            [[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}},
        {"type": "Feature", "properties": {"id": "ok"}, "geometry": {"type": "Point", "coordinates": [1, 1]}},
        "text",
    ]}
    out = read_aois(io.StringIO(json.dumps(doc)), "a.geojson")
    assert [a.id for a in out] == ["ok"] and len(out.rejects) == 5
    assert all(r.startswith("a.geojson: feature ") and "\n" not in r for r in out.rejects)
    assert "lat" in out.rejects[0] and "LineString" in out.rejects[1] and "invalid Polygon" in out.rejects[2]
    assert "duplicate" in out.rejects[3]


def test_unusable_files_raise_one_line():
    with pytest.raises(AoiError, match="not JSON"):
        read_aois(io.StringIO("{"), "x.geojson")
    with pytest.raises(AoiError, match="no usable"):
        read_aois(io.StringIO('{"type": "FeatureCollection", "features": []}'), "x.geojson")
    with pytest.raises(AoiError, match="not GeoJSON"):
        read_aois(io.StringIO("[1, 2]"), "x.geojson")


def test_ground_swath_off_nadir_matches_pleiades_neo_published_footprint():
    """International Charter mission page, Pleiades Neo: 14 km footprint at nadir, 19.68 km at 30 deg off-nadir
    (620 km orbit)."""
    inc = incidence_deg(30.0, 620.0)
    width = ground_swath_km(14.0, slant_range_km(30.0, 620.0), 620.0, inc)
    assert width == pytest.approx(19.68, rel=0.01)
    assert ground_swath_km(14.0, slant_range_km(0.0, 620.0), 620.0, 0.0) == pytest.approx(14.0)
    assert gsd_m(0.3, slant_range_km(0.0, 620.0), 620.0, 0.0) == pytest.approx(0.3)


def test_accesses_respect_each_assets_limits(demo):
    rows = demo.rows()
    assert rows and {r["aoi"] for r in rows} == {"ljubljana", "luxembourg"}
    reg = load_registry()
    for r in rows:
        a = reg.get(r["asset"])
        if a.sensor == "optical":
            assert r["daylight"] and r["sun_elevation_deg"] > 0.0
            if a.max_off_nadir_deg is not None:
                assert r["off_nadir_deg"] <= a.max_off_nadir_deg + 1e-6
        else:
            assert a.incidence_min_deg - 0.1 <= r["incidence_deg"] <= a.incidence_max_deg + 0.1
            assert a.look_side == "both" or r["look_side"] == a.look_side
        assert r["start"] <= r["best"] <= r["stop"]
    assert any(r["asset"].startswith("sentinel-1") for r in rows)


def test_coverage_of_a_polygon_by_a_wide_and_a_narrow_swath(demo):
    rows = [r for r in demo.rows() if r["aoi"] == "luxembourg"]
    s1 = [r["coverage_fraction"] for r in rows if r["asset"].startswith("sentinel-1")]
    assert s1 and min(s1) > 0.99  # 250 km swath over a country about 57 km x 82 km
    pneo = [r for r in rows if r["asset"].startswith("pleiades-neo")]
    assert pneo
    for r in pneo:  # a 14-20 km strip through the middle of an ~57 km wide, ~82 km tall polygon
        assert 0.15 < r["coverage_fraction"] < 0.8


def test_square_aoi_coverage_follows_the_strip_width(catalog):
    side_km = 100.0
    half_lat, half_lon = side_km / 2 / 111.19, side_km / 2 / (111.19 * np.cos(np.radians(46.0)))
    sq = {"type": "Polygon", "coordinates": [[[14.5 - half_lon, 46 - half_lat], [14.5 + half_lon, 46 - half_lat],
                                              [14.5 + half_lon, 46 + half_lat], [14.5 - half_lon, 46 + half_lat],
                                              [14.5 - half_lon, 46 - half_lat]]]}
    aois = read_aois(io.StringIO(json.dumps(sq)), "sq")
    opp = find_opportunities(catalog, load_registry().select("pleiades-neo-3"), aois.aois, START,
                             START + timedelta(days=2))
    assert len(opp)
    for i, r in enumerate(opp.rows()):
        width = opp.columns["swath_ground_km"][i]
        # a strip through the centre, within 25 deg of north-south, crosses 100 km to 110 km of the square
        assert width * side_km / side_km**2 * 0.97 < r["coverage_fraction"] < width * 111.0 / side_km**2 * 1.03


def test_geojson_footprints_contain_point_targets(demo):
    fc = demo.to_geojson()
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == len(demo)
    lj = shapely.Point(14.5058, 46.0569)
    for f in fc["features"]:
        if f["properties"]["aoi"] == "ljubljana":
            assert shape(f["geometry"]).buffer(1e-6).contains(lj)


def test_unknown_figures_leave_assets_out_with_a_reason(demo):
    assert any(s.startswith("worldview-legion-1: field of regard and swath unknown") for s in demo.skipped)
    assert "trisat: decayed" in demo.skipped


def test_planned_asset_with_notional_elements_gets_accesses(catalog, demo_aois):
    opp = find_opportunities(catalog, load_registry().select("sentinel-2d"), demo_aois.aois, START,
                             START + timedelta(days=10))
    assert len(opp) >= 2 and opp.assets[0].notional


def test_asset_missing_from_the_catalog_is_left_out_with_a_reason(catalog, demo_aois):
    small = catalog.select(ids=[39634])
    opp = find_opportunities(small, load_registry().select("sentinel-1a,sentinel-1c"), demo_aois.aois, START,
                             START + timedelta(hours=6))
    assert [p.asset.id for p in opp.assets] == ["sentinel-1a"]
    assert opp.skipped == ["sentinel-1c: NORAD id 62261 not in the catalog"]
