"""Persistence figures: definitions checked on hand-worked cases, and Sentinel-2's published revisit."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from importlib import resources

import numpy as np
import pytest
import shapely

from orbitshare.astro.time import parse_utc
from orbitshare.eo.aoi import read_aois
from orbitshare.eo.assets import load_registry
from orbitshare.eo.opportunities import find_opportunities
from orbitshare.eo.persistence import aoi_metrics, coverage_grid, persistence
from orbitshare.eo.plots import coverage_map_png, revisit_timeline_png

DATA = resources.files("orbitshare.data")
START = parse_utc("2026-03-10T00:00:00Z")


def test_gap_and_response_definitions_on_a_hand_worked_case():
    m = aoi_metrics(np.array([1.0, 3.0, 7.0, 12.0]), span_h=10.0, request_h=2.0)  # 12 h lies outside
    assert m["accesses"] == 3 and m["accesses_per_day"] == pytest.approx(7.2)
    assert m["mean_gap_h"] == pytest.approx(3.0) and m["max_gap_h"] == pytest.approx(4.0)
    assert m["max_wait_h"] == pytest.approx(4.0)  # 0-1, 1-3, 3-7, 7-10
    assert m["first_access_h"] == pytest.approx(1.0)
    assert m["mean_response_h"] == pytest.approx((1 + 4 + 16) / (2 * 7))
    none = aoi_metrics(np.array([]), span_h=24.0)
    assert none["accesses"] == 0 and none["mean_gap_h"] is None and none["max_wait_h"] == 24.0


def test_coverage_grid_first_look_times():
    sq = {"type": "Polygon", "coordinates": [[[14.0, 46.0], [14.2, 46.0], [14.2, 46.2], [14.0, 46.2], [14.0, 46.0]]]}
    aoi = read_aois(io.StringIO(json.dumps(sq)), "sq").aois[0]
    x0, y0, x1, y1 = aoi.local.bounds
    xm = 0.5 * (x0 + x1)
    left, right = shapely.box(x0 - 1, y0 - 1, xm, y1 + 1), shapely.box(xm, y0 - 1, x1 + 1, y1 + 1)
    grid = coverage_grid(aoi, [right, left, None], [5.0, 1.0, 2.0], cells=400)
    assert grid.fraction_seen() == 1.0
    assert np.mean(grid.first_seen_h == 1.0) == pytest.approx(0.5, abs=0.05)
    assert grid.hours_to_fraction(0.4) == 1.0 and grid.hours_to_fraction(0.9) == 5.0
    only_left = coverage_grid(aoi, [left], [1.0], cells=400)
    assert only_left.fraction_seen() == pytest.approx(0.5, abs=0.05) and only_left.hours_to_fraction(1.0) is None


def test_sentinel2_pair_revisits_the_equator_every_five_days(catalog):
    """ESA Sentinel-2 mission requirements: 5-day revisit at the equator with two satellites (2B and 2C fly the
    operational pair since 2C replaced 2A)."""
    pts = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": f"eq{k}"}, "geometry": {"type": "Point", "coordinates": [lon, 0.0]}}
        for k, lon in enumerate((-60.0, 10.0, 25.0, 100.0, 115.0))]}
    aois = read_aois(io.StringIO(json.dumps(pts)), "eq").aois
    days = 30
    opp = find_opportunities(catalog, load_registry().select("sentinel-2b,sentinel-2c"), aois, START,
                             START + timedelta(days=days))
    per_day = [r["accesses_per_day"] for r in persistence(opp).table]
    assert np.mean(per_day) == pytest.approx(1 / 5, rel=0.2)


def test_losing_assets_never_adds_accesses(catalog, tmp_path):
    with DATA.joinpath("eo/demo_aoi.geojson").open() as fh:
        aois = read_aois(fh, "demo").aois
    opp = find_opportunities(catalog, load_registry().select("EU,AIRBUS,ICEYE"), aois, START,
                             START + timedelta(days=3))
    p = persistence(opp)
    base = {r["aoi"]: r["accesses"] for r in p.degradation if r["scenario"] == "all"}
    lost = [r for r in p.degradation if r["scenario"] != "all"]
    assert {r["lost"] for r in lost} >= {"EU", "AIRBUS", "ICEYE", "sentinel-1a"}
    for r in lost:
        assert r["accesses"] <= base[r["aoi"]]
    partner = {r["aoi"]: r["accesses"] for r in lost if r["lost"] == "EU"}
    eu = {a: sum(1 for _, _, o in p.access_hours[a] if o == "EU") for a in base}
    assert all(partner[a] == base[a] - eu[a] for a in base)
    png = revisit_timeline_png(p, tmp_path / "t.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert coverage_map_png("luxembourg", p.grids["luxembourg"], tmp_path / "c.png").stat().st_size > 1000
