"""Emergency activation: only emergency-use assets, earliest access checked against skyfield's find_events."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from skyfield.api import EarthSatellite, Loader, load, wgs84
from skyfield_data import get_skyfield_data_path

from orbitshare.catalog import read_catalog
from orbitshare.eo.activation import aoi_of, fastest_plan
from orbitshare.eo.assets import Asset, load_registry
from orbitshare.eo.opportunities import DEFAULT_MIN_SUN_ELEVATION_DEG

DATA = Path(__file__).resolve().parents[1] / "data" / "sda" / "eo_satellites_2026-03-10.csv.gz"
EXERCISE = Path(__file__).resolve().parents[1] / "data" / "tasking" / "exercise_assets.yaml"
TS = load.timescale(builtin=True)
T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
LJUBLJANA = {"type": "Polygon", "coordinates": [[[14.4, 46.0], [14.6, 46.0], [14.6, 46.1], [14.4, 46.1], [14.4, 46.0]]]}
WGS84_A_KM, WGS84_F = 6378.137, 1.0 / 298.257223563


@pytest.fixture(scope="module")
def assets() -> list[Asset]:
    """The packaged registry extended by the exercise file: a 30 deg field of regard for the emergency-use assets
    (the packaged registry leaves their agility unknown, which means nadir only)."""
    return list(load_registry(EXERCISE))


@pytest.fixture(scope="module")
def catalog():
    """The EO satellites of 2026-03-10 (CelesTrak OMM)."""
    cat, report = read_catalog(DATA)
    assert not report.rejects
    return cat


def _skyfield_sat(cat, norad_id: int) -> EarthSatellite:
    """Skyfield satellite from python-sgp4 initialised with the catalog row's mean elements."""
    from sgp4.api import WGS72, Satrec

    i = int(cat.index_of([norad_id])[0])
    c = cat.columns
    xpdotp = 1440.0 / (2.0 * math.pi)
    sat = Satrec()
    sat.sgp4init(WGS72, "i", int(norad_id), c["epoch_jd"][i] + c["epoch_fr"][i] - 2433281.5, c["bstar"][i],
                 c["ndot"][i] / (xpdotp * 1440.0), c["nddot"][i] / (xpdotp * 1440.0 * 1440.0), c["ecc"][i],
                 math.radians(c["argp_deg"][i]), math.radians(c["incl_deg"][i]),
                 math.radians(c["mean_anomaly_deg"][i]), c["mean_motion_revday"][i] / xpdotp,
                 math.radians(c["raan_deg"][i]))
    return EarthSatellite.from_satrec(sat, TS)


def _geocentric_radius_km(lat_deg: float) -> float:
    """Distance (km) from the Earth's centre to the WGS-84 ellipsoid at geodetic latitude `lat_deg`."""
    a, b, p = WGS84_A_KM, WGS84_A_KM * (1.0 - WGS84_F), math.radians(lat_deg)
    return math.sqrt(((a * a * math.cos(p)) ** 2 + (b * b * math.sin(p)) ** 2)
                     / ((a * math.cos(p)) ** 2 + (b * math.sin(p)) ** 2))


def _reference_first_access(sat: EarthSatellite, lat: float, lon: float, off_nadir_deg: float,
                            min_sun_deg: float | None, t0: datetime, t1: datetime) -> datetime:
    """First rise above the elevation equivalent to the off-nadir limit with the Sun high enough (skyfield).

    In the triangle Earth centre - target - satellite, sin(off-nadir) / R_target = cos(elevation) / r_sat.
    """
    r_sat = sat.model.a * sat.model.radiusearthkm  # mean orbital radius (eccentricity ~1e-3: < 0.1 s here)
    el_eq = math.degrees(math.acos(r_sat * math.sin(math.radians(off_nadir_deg)) / _geocentric_radius_km(lat)))
    topos = wgs84.latlon(lat, lon)
    times, events = sat.find_events(topos, TS.from_datetime(t0), TS.from_datetime(t1), altitude_degrees=el_eq)
    planets = Loader(get_skyfield_data_path())("de421.bsp")
    here = planets["earth"] + topos
    for t, e in zip(times, events, strict=True):
        if e != 0:
            continue
        sun = here.at(t).observe(planets["sun"]).apparent().altaz()[0].degrees
        if min_sun_deg is None or sun >= min_sun_deg:
            return t.utc_datetime()
    raise AssertionError("no reference access")


def test_plan_lists_only_emergency_assets_ranked(catalog, assets) -> None:
    """Only emergency-use assets are planned (NAOS of LUX, NEMO-HD of SVN); entries are ranked by first access."""
    plan = fastest_plan(assets, catalog, LJUBLJANA, T0, horizon_h=120.0)
    ids = [e.asset_id for e in plan.entries]
    emergency = {a.id for a in assets if a.emergency_use}
    assert sorted(ids) == ["naos", "nemo-hd"] == sorted(emergency)
    assert {e.owner for e in plan.entries} == {"LUX", "SVN"}
    firsts = [e.first_access for e in plan.entries]
    assert firsts == sorted(firsts) and plan.first_image == firsts[0]
    assert plan.time_to_first_image_s == pytest.approx((firsts[0] - T0).total_seconds())
    assert all(e.time_to_first_image_s > 0 and e.access_end > e.first_access for e in plan.entries)


def test_time_to_first_image_matches_skyfield(catalog, assets) -> None:
    """Each asset's first access equals skyfield's first rise above the equivalent elevation, within 3 s."""
    plan = fastest_plan(assets, catalog, LJUBLJANA, T0, horizon_h=120.0)
    site = aoi_of(LJUBLJANA).site
    assert site.lat_deg == pytest.approx(46.05) and site.lon_deg == pytest.approx(14.5)
    by_id = {a.id: a for a in assets}
    assert len(plan.entries) == 2
    for e in plan.entries:
        a = by_id[e.asset_id]
        sun = a.min_sun_elevation_deg if a.min_sun_elevation_deg is not None else DEFAULT_MIN_SUN_ELEVATION_DEG
        ref = _reference_first_access(_skyfield_sat(catalog, a.norad_id), site.lat_deg, site.lon_deg,
                                      a.max_off_nadir_deg, sun, T0, T0 + timedelta(hours=120))
        assert not e.in_progress
        assert abs((e.first_access - ref).total_seconds()) < 3.0, (a.id, e.first_access, ref)


def test_unknown_agility_and_missing_elements_are_reported(catalog) -> None:
    """With the registry as packaged (agility unknown: nadir only) or without elements, the reason is given."""
    reg = [a for a in load_registry() if a.emergency_use]
    plan = fastest_plan(reg, catalog.select(ids=[65317]), LJUBLJANA, T0, horizon_h=24.0)
    reasons = dict(plan.unavailable)
    assert "46277" in reasons["nemo-hd"] and "not in the catalog" in reasons["nemo-hd"]
    assert plan.entries or "nadir only" in reasons["naos"]
    assert not any(a.id == "sentinel-2b" for a in reg)
