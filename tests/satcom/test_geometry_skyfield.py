"""Constellation geometry against skyfield: elevation within 0.01 deg and slant range within 0.1 km."""

from __future__ import annotations

import numpy as np
from sgp4.api import WGS72, Satrec
from skyfield.api import EarthSatellite, load, wgs84
from tests.conftest import ROOT

from orbitshare.astro.time import Epoch
from orbitshare.catalog import read_catalog
from orbitshare.satcom.geometry import fleet_records, gap_stats, look_angles_chunked, satellite_itrs, serving_satellite
from orbitshare.satcom.models import load_models

CATALOG = ROOT / "src" / "orbitshare" / "data" / "celestrak_active_2026-03-10.csv.gz"
SITES = [("Ljubljana", 46.0569, 14.5058, 0.295), ("Luxembourg", 49.6116, 6.1296, 0.300),
         ("Novo Selo", 42.58, 20.96, 0.55), ("Riga", 56.95, 24.11, 0.01)]


def _satrec(recs, i: int) -> Satrec:
    """python-sgp4 Satrec with the same mean elements as row i of our records (improved mode, WGS-72)."""
    r = recs.records[i]
    s = Satrec()
    epoch = recs.epoch_jd[i] + recs.epoch_fr[i] - 2433281.5
    s.sgp4init(WGS72, "i", 1, epoch, r["bstar"], r["ndot"], r["nddot"], r["ecco"], r["argpo"], r["inclo"], r["mo"],
               r["no_kozai"], r["nodeo"])
    return s


def _check(con_name: str, catalog) -> None:
    ts = load.timescale()
    epoch = Epoch.from_iso("2026-03-10T00:00:00Z")
    t_s = np.arange(0.0, 6 * 3600.0 + 1, 600.0)
    jd, fr = epoch.offsets(t_s)
    fleet = fleet_records(load_models().constellation(con_name), epoch, catalog)
    r_itrs, ok = satellite_itrs(fleet.records, jd, fr)
    assert ok.all()
    lat = np.array([s[1] for s in SITES])
    lon = np.array([s[2] for s in SITES])
    h = np.array([s[3] for s in SITES])
    geom = look_angles_chunked(r_itrs, lat, lon, h, dtype=np.float64)
    t = ts.utc(2026, 3, 10, 0, 0, t_s)
    for i in range(len(fleet.names)):
        sat = EarthSatellite.from_satrec(_satrec(fleet.records, i), ts)
        for k, (_, la, lo, hk) in enumerate(SITES):
            alt, _, dist = (sat - wgs84.latlon(la, lo, elevation_m=hk * 1e3)).at(t).altaz()
            assert np.max(np.abs(geom.el_deg[k, i] - alt.degrees)) < 0.01
            assert np.max(np.abs(geom.range_km[k, i] - dist.km)) < 0.1


def test_geo_notional_slot_matches_skyfield():
    """GovSat-1 (notional GEO at 21.5 E): look angles from four sites agree with skyfield."""
    _check("govsat-1", None)


def test_meo_catalog_satellites_match_skyfield():
    """O3b mPOWER from the bundled CelesTrak elements: look angles from four sites agree with skyfield."""
    cat, _ = read_catalog(CATALOG)
    _check("o3b-mpower", cat)


def test_geo_slot_is_at_its_longitude():
    """The notional GEO satellite stays within 0.05 deg of 21.5 E and 0.05 deg of the equator for a day."""
    from orbitshare.astro.frames import itrs_to_geodetic

    epoch = Epoch.from_iso("2026-03-10T00:00:00Z")
    jd, fr = epoch.offsets(np.arange(0.0, 86400.0 + 1, 3600.0))
    r, _ = satellite_itrs(fleet_records(load_models().constellation("govsat-1"), epoch).records, jd, fr)
    lat, lon, h = itrs_to_geodetic(r[0])
    assert np.max(np.abs(lon - 21.5)) < 0.05 and np.max(np.abs(lat)) < 0.05
    assert np.all(np.abs(h - 35786.0) < 10.0)


def test_serving_hysteresis_and_gaps():
    """Hysteresis keeps a satellite until another is higher by the margin; gaps are counted with their length."""
    el = np.array([[[20, 21, 22, 23, 5, 5, 5, 30],      # sat 0
                    [10, 22, 23, 26, 6, 5, 5, 12]]], dtype=float)  # sat 1
    serving, handovers = serving_satellite(el, 10.0, hysteresis_deg=2.0)
    assert serving[0].tolist() == [0, 0, 0, 1, -1, -1, -1, 0]
    assert handovers[0] == 1   # 0 -> 1 at step 3 (26 > 23 + 2); re-acquisition after the gap is not a handover
    gs = gap_stats(serving >= 0, 60.0)
    assert gs.gaps[0] == 1 and gs.longest_gap_s[0] == 180.0 and abs(gs.covered_fraction[0] - 5 / 8) < 1e-12
