"""DOP and visibility against an independent computation: skyfield positions, numpy least-squares geometry."""

from __future__ import annotations

import csv
import gzip
from datetime import UTC, datetime, timedelta
from importlib import resources

import numpy as np
import pytest

from orbitshare.astro.time import parse_utc, time_grid
from orbitshare.catalog import read_catalog
from orbitshare.pnt.constellations import SYSTEMS, select_constellation
from orbitshare.pnt.geometry import DOP_NAMES, dop, site_geometry
from orbitshare.pnt.orbits import gnss_orbits

SITES = [("Ljubljana", 46.0569, 14.5058, 0.295), ("Luxembourg", 49.6116, 6.1319, 0.3),
         ("Gulf of Guinea", 0.5, 0.5, 0.0)]
MASK_DEG = 10.0


def _catalog_path():
    return resources.files("orbitshare.data").joinpath("celestrak_active_2026-03-10.csv.gz")


@pytest.fixture(scope="module")
def case():
    """The bundled constellation at four times, seen from three sites by orbitshare."""
    cat, _ = read_catalog(str(_catalog_path()))
    con = select_constellation(cat)
    t0 = parse_utc("2026-03-10T01:00:00Z")
    jd, fr = time_grid(t0, t0 + timedelta(hours=18), 6 * 3600)
    orb = gnss_orbits(con, jd, fr)
    lat, lon, h = (np.array([s[i] for s in SITES]) for i in (1, 2, 3))
    geom = site_geometry(orb.r_itrs_km, lat, lon, h)
    sys_idx = np.array([SYSTEMS.index(s) for s in con.system])
    return con, jd, fr, geom, sys_idx


def _reference(con, jd, fr, systems):
    """Alt/az from skyfield (EarthSatellite from the same OMM records, wgs84 sites) and DOP by numpy pinv."""
    from skyfield.api import EarthSatellite, load, wgs84

    ts = load.timescale(builtin=True)
    wanted = set(con.catalog.norad_id.tolist())
    with gzip.open(str(_catalog_path()), "rt") as fh:
        rows = {int(r["NORAD_CAT_ID"]): r for r in csv.DictReader(fh) if int(r["NORAD_CAT_ID"]) in wanted}
    sats = [EarthSatellite.from_omm(ts, rows[int(n)]) for n in con.catalog.norad_id]
    base = datetime(2000, 1, 1, 12, tzinfo=UTC)
    moments = [base + timedelta(days=float((j - 2451545.0) + f)) for j, f in zip(jd, fr, strict=True)]
    t = ts.from_datetimes(moments)
    out = {k: np.full((len(SITES), len(jd)), np.nan) for k in (*DOP_NAMES, "visible")}
    for i, (_, la, lo, h) in enumerate(SITES):
        topos = wgs84.latlon(la, lo, elevation_m=h * 1000.0)
        alt = np.empty((len(sats), len(jd)))
        az = np.empty_like(alt)
        for k, s in enumerate(sats):
            a, z, _ = (s - topos).at(t).altaz()
            alt[k], az[k] = a.degrees, z.degrees
        for j in range(len(jd)):
            vis = alt[:, j] >= MASK_DEG
            vis &= np.isin(con.system, systems)
            el, a = np.radians(alt[vis, j]), np.radians(az[vis, j])
            los = np.column_stack([np.cos(el) * np.sin(a), np.cos(el) * np.cos(a), np.sin(el)])
            gal = (con.system[vis] == "GAL").astype(float)
            cols = [-los, np.ones((vis.sum(), 1))]
            if len(systems) == 2:
                cols.append(gal[:, None])  # inter-system bias: receiver clock plus ISB for Galileo
            g = np.hstack(cols)
            pinv = np.linalg.pinv(g)  # least-squares solution operator; covariance = pinv pinv^T
            q = pinv @ pinv.T
            out["visible"][i, j] = vis.sum()
            out["hdop"][i, j] = np.sqrt(q[0, 0] + q[1, 1])
            out["vdop"][i, j] = np.sqrt(q[2, 2])
            out["pdop"][i, j] = np.sqrt(q[0, 0] + q[1, 1] + q[2, 2])
            out["tdop"][i, j] = np.sqrt(q[3, 3])
            out["gdop"][i, j] = np.sqrt(q[0, 0] + q[1, 1] + q[2, 2] + q[3, 3])
    return out


@pytest.mark.parametrize("systems", [("GPS",), ("GAL",), ("GPS", "GAL")])
def test_dop_matches_skyfield_least_squares(case, systems):
    con, jd, fr, geom, sys_idx = case
    ref = _reference(con, jd, fr, systems)
    system_ok = np.tile(np.isin(SYSTEMS, systems), (len(SITES), 1))
    got = dop(geom, sys_idx, len(SYSTEMS), MASK_DEG, system_ok=system_ok)
    np.testing.assert_array_equal(got.visible, ref["visible"])
    for name in DOP_NAMES:
        np.testing.assert_allclose(got.get(name), ref[name], rtol=1e-6, atol=0, err_msg=name)
    assert np.all(np.isfinite(got.pdop))


def test_too_few_satellites_give_nan(case):
    con, _, _, geom, sys_idx = case
    sat_ok = np.zeros(len(con), dtype=bool)
    sat_ok[:3] = True
    got = dop(geom, sys_idx, len(SYSTEMS), MASK_DEG, sat_ok=sat_ok)
    assert np.all(np.isnan(got.pdop))
    assert np.all(got.visible <= 3)
