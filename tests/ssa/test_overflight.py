"""Overflight warnings: windows vs skyfield find_events and skyfield's Sun; polygons; daylight; config."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from skyfield.api import EarthSatellite, Loader, load, wgs84
from skyfield_data import get_skyfield_data_path

from orbitshare.catalog import read_catalog
from orbitshare.ssa.behaviour.io import load_overflight_config
from orbitshare.ssa.behaviour.overflight import SiteArea, WatchedSatellite, overflights

DATA = Path(__file__).resolve().parents[1] / "data" / "sda"
TS = load.timescale(builtin=True)
T0 = datetime(2026, 3, 10, 0, 0, tzinfo=UTC)
T1 = T0 + timedelta(days=1)


@pytest.fixture(scope="module")
def eo():
    cat, report = read_catalog(DATA / "eo_satellites_2026-03-10.csv.gz")
    assert not report.rejects
    return cat


def _skyfield_sat(cat, norad_id):
    """Skyfield EarthSatellite of a catalog row (python-sgp4 Satrec built from the same mean elements)."""
    from sgp4.api import WGS72, Satrec

    i = int(cat.index_of([norad_id])[0])
    c = cat.columns
    import math

    xpdotp = 1440.0 / (2.0 * math.pi)
    sat = Satrec()
    epoch = c["epoch_jd"][i] + c["epoch_fr"][i] - 2433281.5
    sat.sgp4init(WGS72, "i", int(norad_id), epoch, c["bstar"][i], c["ndot"][i] / (xpdotp * 1440.0),
                 c["nddot"][i] / (xpdotp * 1440.0 * 1440.0), c["ecc"][i], math.radians(c["argp_deg"][i]),
                 math.radians(c["incl_deg"][i]), math.radians(c["mean_anomaly_deg"][i]),
                 c["mean_motion_revday"][i] / xpdotp, math.radians(c["raan_deg"][i]))
    return EarthSatellite.from_satrec(sat, TS)


def test_sigint_point_windows_match_skyfield(eo):
    ids = eo.select(name_contains="YAOGAN-30").norad_id[:6].tolist()
    site = SiteArea.point("Cerklje", 45.90, 15.53, 0.15)
    tl = overflights(eo, [site], [WatchedSatellite(n, "sigint", min_elevation_deg=5.0) for n in ids], T0, T1)
    topos = wgs84.latlon(45.90, 15.53, elevation_m=150.0)
    ref = []
    for n in ids:
        t, e = _skyfield_sat(eo, n).find_events(topos, TS.from_datetime(T0), TS.from_datetime(T1), 5.0)
        rises = [x.utc_datetime() for x, k in zip(t, e, strict=True) if k == 0]
        sets = [x.utc_datetime() for x, k in zip(t, e, strict=True) if k == 2]
        if rises:
            ref += [(n, r, s) for r, s in zip(rises, [s for s in sets if s > rises[0]], strict=False)]
    ours = [(o.norad_id, o.start, o.stop) for o in tl["Cerklje"] if o.start >= T0 and o.stop <= T1]
    assert len(ref) > 10
    ref = [r for r in ref if r[1] >= T0 and r[2] <= T1]
    assert len(ours) == len(ref)
    for (n, a, b), (m, c, d) in zip(sorted(ours), sorted(ref), strict=True):
        assert n == m and abs((a - c).total_seconds()) < 1.0 and abs((b - d).total_seconds()) < 1.0


def test_optical_windows_are_in_daylight_only(eo):
    planets = Loader(get_skyfield_data_path())("de421.bsp")
    here = planets["earth"] + wgs84.latlon(49.87, 6.16)
    ids = eo.select(name_contains="JILIN-1").norad_id[:20].tolist()
    site = SiteArea.point("Diekirch", 49.87, 6.16)
    tl = overflights(eo, [site], [WatchedSatellite(n, "optical") for n in ids], T0, T1)["Diekirch"]
    assert tl
    for o in tl:
        for t in (o.start, o.stop):
            alt = here.at(TS.from_datetime(t)).observe(planets["sun"]).apparent().altaz()[0].degrees
            assert alt > 9.8
        assert o.max_elevation_deg >= 10.0


def test_polygon_windows_contain_centroid_windows(eo):
    ids = eo.select(name_contains="YAOGAN-30").norad_id[:6].tolist()
    poly = SiteArea.from_polygon("Postojna", [(45.8, 14.15), (45.8, 14.3), (45.7, 14.3), (45.7, 14.15)])
    c = poly.points[0]
    centre = SiteArea.point("c", c.lat_deg, c.lon_deg)
    w = [WatchedSatellite(n, "sar") for n in ids]
    tp = overflights(eo, [poly], w, T0, T1)["Postojna"]
    tc = overflights(eo, [centre], w, T0, T1)["c"]
    assert len(tc) > 0
    for o in tc:
        assert any(p.norad_id == o.norad_id and p.start <= o.start and p.stop >= o.stop for p in tp)


def test_config_file_and_errors(eo, tmp_path):
    sites, watched = load_overflight_config(DATA / "overflight_sites.yaml", eo)
    assert sites[0].name == "Cerklje ob Krki air base" and len(sites[1].points) == 5
    assert {w.sensor for w in watched} >= {"sigint", "optical"}
    bad = tmp_path / "bad.yaml"
    bad.write_text("sites:\n  - {name: X, lat: 95, lon: 0}\nsatellites: []\n")
    with pytest.raises(ValueError, match=r"bad.yaml: sites\[0\] \(X\): .*latitude"):
        load_overflight_config(bad)
    bad.write_text("sites: []\nsatellites:\n  - {norad_id: 1, sensor: laser}\n")
    with pytest.raises(ValueError, match="sensor 'laser'"):
        load_overflight_config(bad)
    with pytest.raises(KeyError, match="999999"):
        overflights(eo, sites, [WatchedSatellite(999999)], T0, T1)
