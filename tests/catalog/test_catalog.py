"""The reference catalogs load without unexplained rejects; Catalog filter, merge and Parquet round trip."""

from __future__ import annotations

import re

import numpy as np
import pytest
from tests.conftest import shared_path

from orbitshare.astro.propagation import Sgp4Records, propagate
from orbitshare.astro.time import parse_utc, time_grid
from orbitshare.catalog import Catalog, read_catalog

#: Catalog file -> (objects expected, rejects expected). Counts from ../shared/data/README.md.
EXPECTED = {
    "spacetrack_full_2022-01-22.3le": (23939, 0),
    "celestrak_gp_2026-03-09.json": (18407, 0),
    "celestrak_active_2026-03-10.csv": (14683, 0),
    "celestrak_groups_2026-03-10/stations.json": (33, 0),
    "celestrak_groups_2026-03-10/analyst.json": (418, 0),
    "celestrak_groups_2026-03-10/fengyun-1c-debris.json": (1827, 0),
    "celestrak_debris_2025-02-15/cosmos-1408-debris.txt": (10, 0),
    "celestrak_debris_2025-02-15/cosmos-2251-debris.txt": (641, 0),
    "celestrak_debris_2025-02-15/fengyun-1c-debris.txt": (1918, 0),
    "celestrak_debris_2025-02-15/iridium-33-debris.txt": (119, 0),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_reference_catalogs_load(name):
    """Each reference catalog loads completely; the expected reject count is zero for all of them."""
    cat, rep = read_catalog(shared_path("catalog", name))
    n, rejects = EXPECTED[name]
    assert len(rep.rejects) == rejects, [str(r) for r in rep.rejects[:5]]
    assert len(cat) == n and rep.duplicates == []


def _debris_named(cat):
    """Mask of objects whose name holds the word DEB."""
    return np.array([bool(re.search(r"\bDEB\b", str(n))) for n in cat.name])


@pytest.mark.parametrize(("name", "readme_debris"), [("celestrak_gp_2026-03-09.json", 3573),
                                                     ("spacetrack_full_2022-01-22.3le", 13057)])
def test_readme_debris_figures(name, readme_debris):
    """The README counts names containing 'DEB': that includes the payload DEBUT (ORIZURU), which is not debris.

    So objects named with the word DEB number one fewer, and every one of them is typed DEBRIS.
    """
    cat, _ = read_catalog(shared_path("catalog", name))
    named = _debris_named(cat)
    assert int(named.sum()) == readme_debris - 1
    assert np.all(cat["object_type"][named] == "DEBRIS")
    debut = np.array(["DEBUT" in str(n) for n in cat.name])
    assert debut.sum() == 1 and cat["object_type"][debut][0] == "PAYLOAD"


def test_readme_figures_for_the_gp_catalog():
    """The README's figures: 18,149 LEO and 49 six-digit NORAD ids in the GP JSON."""
    cat, _ = read_catalog(shared_path("catalog", "celestrak_gp_2026-03-09.json"))
    assert int(np.sum(cat.norad_id > 99999)) == 49
    assert int(np.sum(cat.regime == "LEO")) == 18149


def test_full_catalog_facts():
    """Space-Track 2022: 1,215 COSMOS 1408 fragments two months after the ASAT test, as the README states."""
    cat, _ = read_catalog(shared_path("catalog", "spacetrack_full_2022-01-22.3le"))
    assert len(cat.select(name_contains="COSMOS 1408 DEB")) == 1215


def test_merge_newest_wins_and_parquet_round_trip(tmp_path):
    """Merging two snapshots keeps each object's newest epoch; Parquet save/load keeps every column."""
    old, _ = read_catalog(shared_path("catalog", "celestrak_debris_2025-02-15", "iridium-33-debris.txt"))
    new, _ = read_catalog(shared_path("catalog", "celestrak_groups_2026-03-10", "iridium-33-debris.json"))
    merged, dups = old.merge(new)
    common = np.intersect1d(old.norad_id, new.norad_id)
    assert len(merged) == len(np.union1d(old.norad_id, new.norad_id)) and len(dups) == len(common)
    i = merged.index_of(common)
    assert np.all(merged.epoch[i] == new.epoch[new.index_of(common)])
    path = tmp_path / "cat.parquet"
    merged.to_parquet(path)
    back = Catalog.from_parquet(path)
    for col, values in merged.columns.items():
        assert np.array_equal(back[col], values), col
    assert np.array_equal(back.regime, merged.regime)


def test_select_and_summary():
    """Selection by id, regime and type; summary counts add up."""
    cat, _ = read_catalog(shared_path("catalog", "celestrak_active_2026-03-10.csv"))
    s = cat.summary()
    assert sum(s["by_regime"].values()) == len(cat) == sum(s["by_type"].values())
    iss = cat.select(ids=[25544])
    assert iss.name.tolist() == ["ISS (ZARYA)"] and iss.regime.tolist() == ["LEO"]
    assert 400 < iss.perigee_km[0] < iss.apogee_km[0] < 440
    geo = cat.select(regime="GEO")
    # GEO here is the geosynchronous band (0.9-1.1 rev/day), drifting objects included
    assert len(geo) > 400 and np.all(np.abs(geo.sma_km - 42164) < 2500)
    assert np.median(np.abs(geo.sma_km - 42164)) < 5
    with pytest.raises(KeyError, match="99999999"):
        cat.index_of([25544, 99999999])


def test_decayed_objects_flagged_not_silent():
    """Objects that decay in the window carry SGP4 error 6 from then on, and are listed as failed."""
    cat, _ = read_catalog(shared_path("catalog", "spacetrack_full_2022-01-22.3le"))
    low = cat.take(np.argsort(cat.perigee_km)[:50])
    jd, fr = time_grid(parse_utc("2022-01-22"), parse_utc("2022-03-22"), 86400.0)
    eph = propagate(Sgp4Records.from_catalog(low), jd, fr)
    failed = eph.failed_objects()
    assert len(failed) > 0
    assert np.all(np.isin(eph.error[failed], (0, 1, 4, 6)))  # decay shows as e >= 1, p < 0 or r < 1 ER
    assert np.all(np.isnan(eph.r_km[eph.error != 0]))
    assert np.all(np.isfinite(eph.r_km[eph.error == 0]))
    # once an object has failed after its epoch it stays failed: no "resurrected" states afterwards
    after_epoch = (jd + fr)[None, :] > (low["epoch_jd"] + low["epoch_fr"])[:, None]
    bad = (eph.error != 0) & after_epoch
    first = np.where(bad.any(axis=1), np.argmax(bad, axis=1), bad.shape[1])
    later = np.arange(bad.shape[1])[None, :] >= first[:, None]
    assert np.all(eph.error[later] != 0)
    # and every state reported valid is plausible: above the surface (SGP4: 1 earth radius) and no farther
    # out than the object's apogee at epoch (drag only shrinks an orbit)
    radius = np.linalg.norm(eph.r_km, axis=-1)
    apogee_radius = (low.apogee_km + 6378.135)[:, None] * np.ones_like(radius)
    valid = eph.error == 0
    assert radius[valid].min() >= 6378.135
    assert np.all(radius[valid] < 1.01 * apogee_radius[valid])
