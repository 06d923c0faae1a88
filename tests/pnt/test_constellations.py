"""Selection of GPS and Galileo from the bundled catalog, exclusions with sources, planes and selection errors."""

from __future__ import annotations

import io
from importlib import resources

import numpy as np
import pytest

from orbitshare.catalog import read_catalog
from orbitshare.pnt.constellations import (
    ConstellationError,
    bundled_spec,
    element_age_days,
    parse_spec,
    plane_labels,
    select_constellation,
)


@pytest.fixture(scope="module")
def catalog():
    cat, _ = read_catalog(str(resources.files("orbitshare.data").joinpath("celestrak_active_2026-03-10.csv.gz")))
    return cat


def test_bundled_selection(catalog):
    con = select_constellation(catalog)
    names = {str(n).split(" (")[0] for n in con.catalog.name}
    out = {e.name.split(" (")[0]: e for e in con.excluded}
    # GSC constellation information lists GSAT0201/0202/0204/0210 as NOT USABLE
    for gsat in ("GSAT0201", "GSAT0202", "GSAT0204", "GSAT0210"):
        assert gsat in out and "NOT USABLE" in out[gsat].reason and "gsc-europa.eu" in out[gsat].source
        assert gsat not in names
    # GSAT0205 and NAVSTAR 52/53 are hundreds of km above their shells (disposal/reserve orbits)
    for name in ("GSAT0205", "NAVSTAR 52", "NAVSTAR 53"):
        assert name in out and "off the nominal" in out[name].reason
    assert all(n.startswith(("NAVSTAR", "GSAT0")) for n in names)
    assert set(con.system) == {"GPS", "GAL"}
    assert con.counts() == {"GPS": int(np.sum(con.system == "GPS")), "GAL": int(np.sum(con.system == "GAL"))}
    assert 24 <= con.counts()["GAL"] <= 30 and 24 <= con.counts()["GPS"] <= 40
    assert any("usually has 31" in w for w in con.warnings)


def test_user_exclusions_and_systems(catalog):
    con = select_constellation(catalog)
    nid = int(con.catalog.norad_id[0])
    fewer = select_constellation(catalog, exclude_ids=(nid,))
    assert len(fewer) == len(con) - 1 and any(e.norad_id == nid for e in fewer.excluded)
    gal = select_constellation(catalog, systems=("GAL",))
    assert set(gal.system) == {"GAL"}
    with pytest.raises(ConstellationError, match="not in the catalog"):
        select_constellation(catalog, exclude_ids=(99999999,))


def test_galileo_planes_are_three_nodes_120_deg_apart(catalog):
    from orbitshare.astro.time import jday
    from orbitshare.pnt.orbits import gnss_orbits

    con = select_constellation(catalog, systems=("GAL",))
    jd, fr = jday(2026, 3, 10, 0, 0, 0.0)
    orb = gnss_orbits(con, np.array([jd]), np.array([fr]))
    nodes = [np.degrees(np.angle(np.mean(np.exp(1j * np.radians(orb.raan_deg[orb.plane == p]))))) % 360
             for p in range(3)]
    assert min(np.bincount(orb.plane)) >= 6
    gaps = np.diff(sorted(nodes))
    np.testing.assert_allclose(gaps, 120.0, atol=3.0)
    # every satellite lies within a few degrees of its plane's node
    for p in range(3):
        d = (orb.raan_deg[orb.plane == p] - nodes[p] + 180) % 360 - 180
        assert np.all(np.abs(d) < 5.0)


def test_plane_labels_wrap_around():
    raan = np.array([359.0, 1.0, 119.0, 121.0, 239.5, 240.5])
    lab = plane_labels(raan, 3)
    assert lab[0] == lab[1] and lab[2] == lab[3] and lab[4] == lab[5] and len(set(lab.tolist())) == 3


def test_element_age(catalog):
    con = select_constellation(catalog)
    c = con.catalog.columns
    age = element_age_days(con.catalog, c["epoch_jd"][0] + 10.0, c["epoch_fr"][0])
    assert age[0] == pytest.approx(10.0)


@pytest.mark.parametrize("text, needle", [
    ("systems: {GLO: {name_pattern: x, nominal_sma_km: 25500, planes: 3}}", "systems.GLO: unknown system"),
    ("systems: {GPS: {name_pattern: '(', nominal_sma_km: 26560, planes: 6}}", "name_pattern: bad regular"),
    ("systems: {GPS: {name_pattern: x, planes: 6}}", "missing field 'nominal_sma_km'"),
    ("systems: {GPS: {name_pattern: x, nominal_sma_km: 26560, planes: 6}}\nexclude: [{name: A}]",
     "exclude[0]: missing field 'reason'"),
    ("[1, 2", "not valid YAML"),
])
def test_spec_errors_name_the_field(text, needle):
    with pytest.raises(ConstellationError) as exc:
        parse_spec(io.StringIO(text), "c.yaml")
    assert needle in str(exc.value) and str(exc.value).startswith("c.yaml")


def test_bundled_spec_has_sources():
    spec = bundled_spec()
    assert {s.system for s in spec.systems} == {"GPS", "GAL"}
    assert all(e.source for e in spec.exclude)
