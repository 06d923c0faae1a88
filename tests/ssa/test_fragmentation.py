"""Fragmentation detection against real debris clouds and the public dates of the events that made them.

Public facts the tests check against (independent of this code):
- FENGYUN 1C (NORAD 25730, 1999-025A) destroyed by a Chinese ASAT test on 2007-01-11.
- COSMOS 2251 (22675, 1993-036A) and IRIDIUM 33 (24946, 1997-051C) collided on 2009-02-10 16:56 UTC.
- COSMOS 1408 (13552, 1982-092A) destroyed by a Russian ASAT test on 2021-11-15 at about 02:47 UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from tests.conftest import shared_path

from orbitshare.astro.time import datetime_to_jd
from orbitshare.catalog import read_catalog
from orbitshare.ssa.behaviour.fragmentation import cluster_by_plane, detect_fragmentations, new_objects
from orbitshare.ssa.behaviour.report import gabbard_png

DATA = Path(__file__).resolve().parents[1] / "data" / "sda"


def _jd(*args) -> float:
    return float(sum(datetime_to_jd(datetime(*args, tzinfo=UTC))))


FENGYUN_ASAT = _jd(2007, 1, 11)
COLLISION_2009 = _jd(2009, 2, 10, 16, 56)
COSMOS_1408_ASAT = _jd(2021, 11, 15, 2, 47)
PARENTS = {"1999-025": (25730, FENGYUN_ASAT), "1993-036": (22675, COLLISION_2009),
           "1997-051": (24946, COLLISION_2009), "1982-092": (None, COSMOS_1408_ASAT)}


@pytest.fixture(scope="module")
def debris():
    files = sorted(DATA.glob("celestrak_debris_2025-02-15_*.gz"))
    cat, report = read_catalog(*files)
    assert len(cat) > 2500 and not report.rejects
    return cat


@pytest.fixture(scope="module")
def debris_clouds(debris):
    calls = []
    found = detect_fragmentations(None, debris, progress=lambda d, n: calls.append((d, n)))
    assert calls and calls[-1][0] == calls[-1][1] == len(found)
    return found


def test_clouds_never_exceed_their_designator(debris, debris_clouds):
    """Without --before each cloud is the debris of one launch: exactly the DEB objects with its designator."""
    assert {c.intl_prefix for c in debris_clouds} == set(PARENTS)
    deb = debris.select(object_type="DEBRIS")
    for c in debris_clouds:
        same = np.array([str(x).startswith(c.intl_prefix) for x in deb["intl_des"]])
        assert sorted(c.members.tolist()) == sorted(deb.norad_id[same].tolist())
    assert sum(len(c.members) for c in debris_clouds) <= len(debris)


def test_parents_of_the_2007_and_2009_clouds(debris_clouds):
    """FENGYUN 1C, COSMOS 2251 and IRIDIUM 33 are named as parents (not a co-launched payload such as SJ-5);
    COSMOS 1408 decayed in 2024, so its 2025 fragments have no intact parent and none is invented."""
    for c in debris_clouds:
        assert c.parent_id == PARENTS[c.intl_prefix][0], (c.intl_prefix, c.parent_id, c.parent_name)


def test_old_clouds_are_not_given_a_wrong_date(debris_clouds):
    """Clouds 3 to 18 years old have planes that J2 and drag have scrambled: no date is claimed, confidence is
    low, and the interval reported contains the real event."""
    for c in debris_clouds:
        truth = PARENTS[c.intl_prefix][1]
        assert c.event_jd is None and c.confidence < 0.5, (c.intl_prefix, c.event_utc)
        assert c.not_before_jd <= truth <= c.not_after_jd, c.as_dict()


def test_plane_clusters_separate_the_2009_collision_clouds(debris):
    """Single-linkage orbit-plane clusters (used for objects without designator): the big clusters are each
    one launch (the designators are the independent reference)."""
    deb = debris.select(object_type="DEBRIS")
    for rows in cluster_by_plane(deb):
        if len(rows) < 50:
            continue
        pre = [str(x)[:8] for x in deb["intl_des"][rows]]
        values, counts = np.unique(pre, return_counts=True)
        assert counts.max() / len(rows) > 0.95, dict(zip(values, counts, strict=True))


def test_new_objects_and_gabbard(debris, tmp_path):
    before = debris.take(np.arange(0, len(debris), 2))
    fresh = new_objects(before, debris)
    assert len(fresh) == len(debris) - len(before)
    assert not np.isin(fresh.norad_id, before.norad_id).any()
    png = gabbard_png(debris.select(name_contains="IRIDIUM 33"), tmp_path / "g.png", "IRIDIUM 33 debris")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def full_catalog():
    cat, _ = read_catalog(shared_path("catalog", "spacetrack_full_2022-01-22.3le"))
    return cat


def test_cosmos_1408_dated_from_orbits_alone(full_catalog):
    """The full catalog two months after the 2021-11-15 ASAT test, without an earlier catalog: the fragments'
    planes meet on the day of the test, the parent is COSMOS 1408, and the time of day comes out within a few
    orbits (drag on the two-month back-propagation blurs which revolution)."""
    found = detect_fragmentations(None, full_catalog)
    main = next(c for c in found if c.intl_prefix == "1982-092")
    deb = full_catalog.select(object_type="DEBRIS")
    assert len(main.members) == sum(str(x).startswith("1982-092") for x in deb["intl_des"]) > 1000
    assert main.parent_id == 13552 and main.parent_name == "COSMOS 1408"
    assert main.confidence > 0.8
    assert abs(main.event_jd - COSMOS_1408_ASAT) < 0.25, main.event_utc
    assert main.not_before_jd <= COSMOS_1408_ASAT <= main.not_after_jd
    by_prefix = {c.intl_prefix: c for c in found}
    for prefix in ("1999-025", "1993-036", "1997-051"):
        c = by_prefix[prefix]
        assert c.parent_id == PARENTS[prefix][0], (prefix, c.parent_name)
        assert c.event_jd is None or abs(c.event_jd - PARENTS[prefix][1]) < 30.0, (prefix, c.event_utc)
        assert c.not_before_jd <= PARENTS[prefix][1] <= c.not_after_jd


def test_cosmos_1408_with_an_earlier_catalog(full_catalog):
    """With --before (the catalog without the 1982-092 debris) the same cloud, parent and day come out."""
    cat = full_catalog
    is_deb = np.array([str(i).startswith("1982-092") and "DEB" in str(n)
                       for i, n in zip(cat["intl_des"], cat.name, strict=True)])
    found = detect_fragmentations(cat.take(~is_deb), cat)
    main = max(found, key=lambda c: len(c.members))
    assert len(main.members) == int(is_deb.sum()) and main.intl_prefix == "1982-092"
    assert main.parent_id == 13552
    assert abs(main.event_jd - COSMOS_1408_ASAT) < 0.25, main.event_utc


def test_a_new_launch_is_not_a_fragmentation(debris):
    """New objects between two catalogs: a new designator with no debris among them (a launch of six payloads)
    is not reported, while IRIDIUM 33 debris missing from the earlier catalog is."""
    from orbitshare.catalog import Catalog

    iridium_deb = np.array(["IRIDIUM 33 DEB" in str(n) for n in debris.name])
    launch = debris.take(np.flatnonzero(~iridium_deb)[:6])
    cols = {k: v.copy() for k, v in launch.columns.items()}
    cols["norad_id"] = np.arange(90001, 90007)
    cols["name"] = np.array([f"TESTSAT-{k}" for k in range(6)], dtype=object)
    cols["object_type"] = np.array(["PAYLOAD"] * 6, dtype=object)
    cols["intl_des"] = np.array([f"2025-999{c}" for c in "ABCDEF"], dtype=object)
    after = debris.merge(Catalog(cols))[0]
    found = detect_fragmentations(debris.take(~iridium_deb), after, estimate_time=False)
    assert [c.intl_prefix for c in found] == ["1997-051"]
    assert found[0].parent_id == 24946


def test_satcat_names_a_decayed_parent(debris):
    """COSMOS 1408 decayed on 2024-10-27 (SATCAT), so the 2025 element sets lack it: the SATCAT names it as the
    parent of its 10 remaining fragments; FENGYUN 1C stays the parent found in the catalog itself."""
    from orbitshare.catalog.reader import open_text
    from orbitshare.catalog.satcat import read_satcat

    with open_text(shared_path("catalog", "satcat_2025-03-16.csv.gz")) as fh:
        entries, skipped = read_satcat(fh)
    assert len(entries) == 63108 and skipped == 0
    found = {c.intl_prefix: c for c in detect_fragmentations(None, debris, estimate_time=False, satcat=entries)}
    assert found["1982-092"].parent_id == 13552 and "decayed 2024-10-27" in found["1982-092"].parent_evidence
    assert found["1999-025"].parent_id == 25730 and not found["1999-025"].parent_evidence.startswith("SATCAT")
