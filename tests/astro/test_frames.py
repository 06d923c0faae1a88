"""TEME -> ITRS -> geodetic against skyfield (independent implementation) for the stations group and GEO objects."""

from __future__ import annotations

import numpy as np
import pytest
from sgp4.api import WGS72, Satrec
from skyfield.api import EarthSatellite, wgs84
from skyfield.framelib import itrs
from tests.conftest import DATA

from orbitshare.astro.frames import (
    geodetic_to_itrs,
    itrs_to_geodetic,
    look_angles,
    site_look_angles,
    teme_to_itrs,
    timescale,
)
from orbitshare.astro.propagation import Sgp4Records, propagate
from orbitshare.astro.time import parse_utc, time_grid
from orbitshare.catalog import read_catalog
from orbitshare.catalog.reader import read_catalog_file

XPDOTP = 1440.0 / (2.0 * np.pi)


def _skyfield_sat(cat, i):
    """Skyfield satellite built with python-sgp4's own initialisation from the catalog's elements."""
    c = cat.columns
    s = Satrec()
    s.sgp4init(WGS72, "i", int(c["norad_id"][i]) % 100000, c["epoch_jd"][i] + c["epoch_fr"][i] - 2433281.5,
               c["bstar"][i], c["ndot"][i] / (XPDOTP * 1440.0), c["nddot"][i] / (XPDOTP * 1440.0**2),
               c["ecc"][i], np.radians(c["argp_deg"][i]), np.radians(c["incl_deg"][i]),
               np.radians(c["mean_anomaly_deg"][i]), c["mean_motion_revday"][i] / XPDOTP,
               np.radians(c["raan_deg"][i]))
    return EarthSatellite.from_satrec(s, timescale())


def _stations():
    """The CelesTrak stations group of 2026-03-10."""
    return read_catalog(DATA / "tle" / "stations_2026-03-10.json")[0]


def _geo():
    """Twenty GEO payloads from the bundled active catalog."""
    import gzip
    import importlib.resources

    ref = importlib.resources.files("orbitshare") / "data" / "celestrak_active_2026-03-10.csv.gz"
    with gzip.open(ref.open("rb"), "rt") as fh:
        cat = read_catalog_file(fh, "active")[0]
    geo = cat.select(regime="GEO")
    return geo.take(np.linspace(0, len(geo) - 1, 20).astype(int))


@pytest.mark.parametrize("make", [_stations, _geo], ids=["stations", "geo"])
def test_itrs_and_geodetic_match_skyfield(make):
    """ITRS position within 1 m, velocity within 1 mm/s, geodetic within 1 m of skyfield over a day."""
    cat = make()
    assert len(cat) >= 20
    jd, fr = time_grid(parse_utc("2026-03-10T00:00:00Z"), parse_utc("2026-03-11T00:00:00Z"), 3600.0)
    eph = propagate(Sgp4Records.from_catalog(cat), jd, fr)
    r, v = teme_to_itrs(eph.r_km, eph.v_kms, jd, fr)
    lat, lon, h = itrs_to_geodetic(r)
    t = timescale().utc(2026, 3, 10, np.arange(25))
    for i in range(len(cat)):
        pos = _skyfield_sat(cat, i).at(t)
        ri, vi = pos.frame_xyz_and_velocity(itrs)
        np.testing.assert_allclose(r[i], ri.km.T, rtol=0, atol=1e-3)
        np.testing.assert_allclose(v[i], vi.km_per_s.T, rtol=0, atol=1e-6)
        geo = wgs84.geographic_position_of(pos)
        north_m = np.radians(geo.latitude.degrees - lat[i]) * 6378e3
        east_m = np.radians((geo.longitude.degrees - lon[i] + 180) % 360 - 180) * 6378e3 * np.cos(
            np.radians(lat[i]))
        assert np.max(np.abs(north_m)) < 1.0
        assert np.max(np.abs(east_m)) < 1.0
        np.testing.assert_allclose(h[i], geo.elevation.km, rtol=0, atol=1e-3)


def test_geodetic_round_trip_and_known_point():
    """Geodetic -> ITRS -> geodetic round-trips; the equator/prime meridian point is at x = a (WGS-84)."""
    np.testing.assert_allclose(geodetic_to_itrs(0.0, 0.0, 0.0), [6378.137, 0.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(geodetic_to_itrs(90.0, 0.0, 0.0)[2], 6356.752314245, atol=1e-6)
    lat = np.array([46.05, -33.9, 89.9, 0.0])
    lon = np.array([14.51, 151.2, -120.0, 179.99])
    h = np.array([0.3, 550.0, 35786.0, 20200.0])
    out = itrs_to_geodetic(geodetic_to_itrs(lat, lon, h))
    np.testing.assert_allclose(out[0], lat, atol=1e-9)
    np.testing.assert_allclose(out[1], lon, atol=1e-9)
    np.testing.assert_allclose(out[2], h, atol=1e-6)


def test_look_angles_against_skyfield():
    """Azimuth/elevation/range of the ISS from Ljubljana agree with skyfield's topocentric altaz."""
    cat = _stations().select(ids=[25544])
    jd, fr = time_grid(parse_utc("2026-03-10T00:00:00Z"), parse_utc("2026-03-10T06:00:00Z"), 600.0)
    eph = propagate(Sgp4Records.from_catalog(cat), jd, fr)
    r, _ = teme_to_itrs(eph.r_km, eph.v_kms, jd, fr)
    az, el, rng = look_angles(r[0], 46.0569, 14.5058, 0.295)
    t = timescale().utc(2026, 3, 10, 0, np.arange(0, 361, 10))
    topo = (_skyfield_sat(cat, 0) - wgs84.latlon(46.0569, 14.5058, elevation_m=295.0)).at(t)
    alt_ref, az_ref, dist_ref = topo.altaz()
    np.testing.assert_allclose(el, alt_ref.degrees, atol=1e-4)
    np.testing.assert_allclose(rng, dist_ref.km, atol=2e-3)
    np.testing.assert_allclose((az - az_ref.degrees + 180) % 360 - 180, 0, atol=1e-3)


def test_site_look_angles_against_skyfield():
    """Look angles from several sites at once agree with skyfield's topocentric altaz for each site."""
    cat = _geo()
    jd, fr = time_grid(parse_utc("2026-03-10T00:00:00Z"), parse_utc("2026-03-10T06:00:00Z"), 1800.0)
    eph = propagate(Sgp4Records.from_catalog(cat), jd, fr)
    r, _ = teme_to_itrs(eph.r_km, eph.v_kms, jd, fr)
    sites = [(46.0569, 14.5058, 0.295), (49.6117, 6.1319, 0.3), (-33.9, 18.4, 0.0)]
    lat, lon, h = (np.array(c) for c in zip(*sites, strict=True))
    az, el, rng = site_look_angles(r[:2], lat, lon, h)
    assert el.shape == (3, 2, len(jd))
    t = timescale().utc(2026, 3, 10, 0, np.arange(0, 361, 30))
    for s, (la, lo, hk) in enumerate(sites):
        for k in range(2):
            topo = (_skyfield_sat(cat, k) - wgs84.latlon(la, lo, elevation_m=hk * 1e3)).at(t)
            alt_ref, az_ref, dist_ref = topo.altaz()
            np.testing.assert_allclose(el[s, k], alt_ref.degrees, atol=1e-4)
            np.testing.assert_allclose(rng[s, k], dist_ref.km, atol=5e-3)
            np.testing.assert_allclose((az[s, k] - az_ref.degrees + 180) % 360 - 180, 0, atol=1e-3)


@pytest.mark.parametrize("make", [_stations, _geo], ids=["stations", "geo"])
def test_gcrf_matches_skyfield(make):
    """TEME -> GCRF within 1 m and 1 mm/s of skyfield's EarthSatellite GCRS states over a day."""
    from orbitshare.astro.frames import teme_to_gcrf

    cat = make()
    t0 = parse_utc("2026-03-10T00:00:00Z")
    jd, fr = time_grid(t0, parse_utc("2026-03-11T00:00:00Z"), 3600.0)
    eph = propagate(Sgp4Records.from_catalog(cat), jd, fr)
    r, v = teme_to_gcrf(eph.r_km, eph.v_kms, jd, fr)
    t = timescale().utc(2026, 3, 10, np.arange(len(jd)))
    for i in range(len(cat)):
        pos = _skyfield_sat(cat, i).at(t)
        ok = eph.error[i] == 0
        assert np.abs(r[i][ok] - pos.position.km.T[ok]).max() < 1e-3
        assert np.abs(v[i][ok] - pos.velocity.km_per_s.T[ok]).max() < 1e-6
