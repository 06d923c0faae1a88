"""Fragmentation detection: clusters against launch designators, COSMOS 1408 parent and ASAT test time."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from orbitshare.astro.time import datetime_to_jd
from orbitshare.catalog import read_catalog
from orbitshare.ssa.fragmentation import detect_fragmentations, gabbard_png, new_objects

DATA = Path(__file__).resolve().parents[1] / "data" / "sda"
SPACETRACK = Path(__file__).resolve().parents[3] / "shared" / "data" / "catalog" / "spacetrack_full_2022-01-22.3le"


@pytest.fixture(scope="module")
def debris():
    files = sorted(DATA.glob("celestrak_debris_2025-02-15_*.gz"))
    cat, report = read_catalog(*files)
    assert len(cat) > 2500 and not report.rejects
    return cat


def test_clouds_separate_by_orbit_plane(debris):
    """Single-linkage plane clusters of the 2009 collision and 2007 ASAT debris: each big cluster is one
    launch (the designators are the independent reference), and the two colliding objects stay apart."""
    found = detect_fragmentations(None, debris, estimate_time=False)
    big = [c for c in found if len(c.members) >= 50]
    assert {c.intl_prefix for c in big} >= {"1993-036", "1999-025"}
    for c in big:
        rows = debris.index_of(c.members)
        purity = np.mean([str(x).startswith(c.intl_prefix) for x in debris["intl_des"][rows]])
        assert purity > 0.95, (c.intl_prefix, purity)
    iridium = debris.select(name_contains="IRIDIUM 33").norad_id
    cosmos = next(c for c in big if c.intl_prefix == "1993-036")
    assert np.isin(iridium, cosmos.members).mean() < 0.05


def test_new_objects_and_gabbard(debris, tmp_path):
    before = debris.take(np.arange(0, len(debris), 2))
    fresh = new_objects(before, debris)
    assert len(fresh) == len(debris) - len(before)
    assert not np.isin(fresh.norad_id, before.norad_id).any()
    png = gabbard_png(debris.select(name_contains="IRIDIUM 33"), tmp_path / "g.png", "IRIDIUM 33 debris")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.skipif(not SPACETRACK.exists(), reason="needs ../shared/data (Space-Track data is not bundled)")
def test_cosmos_1408_asat_parent_and_event_time():
    """Fragments two months after the 2021-11-15 ~02:47 UTC ASAT test trace back to COSMOS 1408 and the day
    of the test (time of day within a few orbits: the parent's only element set is post-event)."""
    cat, _ = read_catalog(SPACETRACK)
    pairs = zip(cat["intl_des"], cat.name, strict=True)
    is_deb = np.array([str(i).startswith("1982-092") and "DEB" in str(n) for i, n in pairs])
    before = cat.take(~is_deb)
    found = detect_fragmentations(before, cat)
    main = max(found, key=lambda c: len(c.members))
    assert len(main.members) > 1000 and main.intl_prefix == "1982-092"
    assert main.parent_id == 13552 and main.parent_name == "COSMOS 1408"
    truth = sum(datetime_to_jd(datetime(2021, 11, 15, 2, 47, tzinfo=UTC)))
    assert abs(main.event_jd - truth) < 0.25, main.event_utc
