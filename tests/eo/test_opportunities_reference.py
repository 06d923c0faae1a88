"""Access windows against skyfield: the same elements in skyfield's EarthSatellite, events found by its own
root finder (find_events for elevation limits, find_discrete on skyfield's off-nadir angle), within 1 s."""

from __future__ import annotations

import csv
import gzip
from datetime import timedelta
from importlib import resources

import numpy as np
import pytest
from skyfield.api import EarthSatellite, load, wgs84
from skyfield.searchlib import find_discrete

from orbitshare.astro.access import Site, multi_site_windows
from orbitshare.astro.time import parse_utc

CATALOG = resources.files("orbitshare.data").joinpath("celestrak_active_2026-03-10.csv.gz")
START = parse_utc("2026-03-10T00:00:00Z")
SITES = [Site(46.0569, 14.5058, 0.295, "ljubljana"), Site(49.61, 6.13, 0.3, "luxembourg"),
         Site(-33.87, 151.21, 0.0, "sydney")]
TOL_S = 1.0


@pytest.fixture(scope="module")
def omm_rows():
    with gzip.open(str(CATALOG), "rt") as fh:
        return {int(r["NORAD_CAT_ID"]): r for r in csv.DictReader(fh)}


@pytest.fixture(scope="module")
def ts():
    return load.timescale(builtin=True)


def _skyfield_sat(ts, row):
    return EarthSatellite.from_omm(ts, row)


def _skyfield_windows(ts, sat, site, t0, t1, min_el_deg):
    """(rise, set) pairs in seconds after START from skyfield's find_events; a pass in progress at t0 (or t1)
    gets the edge of a wider search so that both tools report the true rise and set."""
    where = wgs84.latlon(site.lat_deg, site.lon_deg, elevation_m=site.h_km * 1000.0)
    pad = timedelta(hours=13)
    times, events = sat.find_events(where, ts.from_datetime(t0 - pad), ts.from_datetime(t1 + pad),
                                    altitude_degrees=min_el_deg)
    secs = [(t.utc_datetime() - START).total_seconds() for t in times]
    out, rise = [], None
    for s, e in zip(secs, events, strict=True):
        if e == 0:
            rise = s
        elif e == 2 and rise is not None:
            out.append((rise, s))
            rise = None
    if rise is not None:  # still up when the search ends
        out.append((rise, float("inf")))
    span0, span1 = (t0 - START).total_seconds(), (t1 - START).total_seconds()
    return [(r, s) for r, s in out if s >= span0 and r <= span1]


def _ours(cat, norad, site, t0, t1, **limits):
    w = multi_site_windows(cat.select(ids=[norad]), [site], t0, t1, **limits)
    base = (t0 - START).total_seconds()
    return list(zip(w["start_s"] + base, w["stop_s"] + base, w["start_clipped"], w["stop_clipped"], strict=True))


def _match(ours, ref):
    """Same windows, edges within TOL_S; an edge clipped at the end of the extended search lies before the
    reference edge (the pass goes on beyond what was searched)."""
    assert len(ours) == len(ref), (ours, ref)
    for (a0, a1, c0, c1), (b0, b1) in zip(sorted(ours), sorted(ref), strict=True):
        assert (b0 < a0 if c0 else abs(a0 - b0) < TOL_S), ((a0, a1), (b0, b1))
        assert (b1 > a1 if c1 else abs(a1 - b1) < TOL_S), ((a0, a1), (b0, b1))


@pytest.mark.parametrize("norad", [46277, 48268, 39634])  # NEMO-HD, Pleiades Neo 3, Sentinel-1A
def test_leo_elevation_windows_match_find_events(catalog, omm_rows, ts, norad):
    t1 = START + timedelta(days=2)
    for site in SITES:
        ref = _skyfield_windows(ts, _skyfield_sat(ts, omm_rows[norad]), site, START, t1, 10.0)
        _match(_ours(catalog, norad, site, START, t1, min_elevation_deg=10.0), ref)


def test_window_starting_mid_pass_reports_true_rise(catalog, omm_rows, ts):
    sat = _skyfield_sat(ts, omm_rows[46277])
    full = _skyfield_windows(ts, sat, SITES[0], START, START + timedelta(days=1), 10.0)
    rise, set_ = full[0]
    t0 = START + timedelta(seconds=0.5 * (rise + set_))  # the search starts inside the pass
    ours = _ours(catalog, 46277, SITES[0], t0, t0 + timedelta(hours=6), min_elevation_deg=10.0)
    ref = _skyfield_windows(ts, sat, SITES[0], t0, t0 + timedelta(hours=6), 10.0)
    assert ours[0][0] < (t0 - START).total_seconds()  # rise before the window start
    _match(ours, ref)


def test_high_elevation_limit_matches_find_events(catalog, omm_rows, ts):
    t1 = START + timedelta(days=4)
    for norad in (46277, 49070):
        ref = _skyfield_windows(ts, _skyfield_sat(ts, omm_rows[norad]), SITES[1], START, t1, 60.0)
        assert ref, "the reference finds passes above 60 deg"
        _match(_ours(catalog, norad, SITES[1], START, t1, min_elevation_deg=60.0), ref)


def test_eccentric_molniya_orbit_matches_find_events(catalog, omm_rows, ts):
    norad = 40296  # MERIDIAN 7, e = 0.67, 12 h Molniya orbit
    t1 = START + timedelta(days=3)
    for site in SITES[:2]:
        ref = _skyfield_windows(ts, _skyfield_sat(ts, omm_rows[norad]), site, START, t1, 10.0)
        assert ref
        _match(_ours(catalog, norad, site, START, t1, min_elevation_deg=10.0), ref)


@pytest.mark.parametrize(("norad", "limit"), [(48268, 30.0), (42063, 10.3)])  # Pleiades Neo 3; Sentinel-2B swath
def test_off_nadir_limit_matches_skyfield_geometry(catalog, omm_rows, ts, norad, limit):
    """Field-of-regard windows against skyfield's positions and root finder, down to the 40 s windows of a
    narrow swath that fall between the coarse grid's samples."""
    sat = _skyfield_sat(ts, omm_rows[norad])
    site = SITES[0]
    where = wgs84.latlon(site.lat_deg, site.lon_deg, elevation_m=site.h_km * 1000.0)
    target = where.itrs_xyz.km

    def inside(t):
        r = sat.at(t).frame_xyz(_itrs()).km.T
        to_site, nadir = target - r, -r
        cosang = np.sum(to_site * nadir, axis=-1) / (np.linalg.norm(to_site, axis=-1) * np.linalg.norm(r, axis=-1))
        above = (sat - where).at(t).altaz()[0].degrees > 0.0  # the line of sight does not cross the Earth
        return (np.degrees(np.arccos(np.clip(cosang, -1, 1))) <= limit) & above

    inside.step_days = 10.0 / 86400.0  # finer than the shortest window (about a minute)
    t1 = START + timedelta(days=3)
    times, values = find_discrete(ts.from_datetime(START - timedelta(hours=1)),
                                  ts.from_datetime(t1 + timedelta(hours=1)), inside)
    secs = [(t.utc_datetime() - START).total_seconds() for t in times]
    ref, rise = [], None
    for s, v in zip(secs, values, strict=True):
        if v:
            rise = s
        elif rise is not None:
            ref.append((rise, s))
            rise = None
    ref = [(r, s) for r, s in ref if s >= 0 and r <= 3 * 86400]
    assert ref
    _match(_ours(catalog, norad, site, START, t1, min_elevation_deg=0.0, max_off_nadir_deg=limit), ref)


def _itrs():
    from skyfield.framelib import itrs

    return itrs


def test_many_sites_agree_with_the_single_site_search(catalog):
    """multi_site_windows (many sites, per-satellite limits) gives the windows access_windows finds site by site."""
    from orbitshare.astro.access import Constraints, access_windows

    sub = catalog.select(ids=[46277, 48268, 40697, 39634, 43800])
    limits = [30.0, 45.0, None, 40.0, 30.0]
    t1 = START + timedelta(days=2)
    w = multi_site_windows(sub, SITES, START, t1, min_elevation_deg=0.0, max_off_nadir_deg=limits)
    mine = sorted(zip(w["site"].tolist(), w["sat"].tolist(), w["start_s"], w["stop_s"], strict=True))
    ref = sorted((si, k, x["start_s"], x["stop_s"]) for si, s in enumerate(SITES) for k, off in enumerate(limits)
                 for x in access_windows(sub.take([k]), s, START, t1, Constraints(0.0, off)))
    assert [m[:2] for m in mine] == [r[:2] for r in ref]
    assert max(max(abs(a[2] - b[2]), abs(a[3] - b[3])) for a, b in zip(mine, ref, strict=True)) < 0.01
