"""Passes and access windows against skyfield's EarthSatellite.find_events (an independent implementation)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from skyfield.api import EarthSatellite, load, wgs84

from orbitshare.astro.access import Constraints, Site, access_windows, passes, sun_elevation_deg
from orbitshare.astro.time import datetime_to_jd
from orbitshare.catalog import read_catalog

DATA = Path(__file__).resolve().parents[1] / "data" / "sda"
LJUBLJANA = (46.05, 14.51, 0.3)
TS = load.timescale(builtin=True)


def _tles() -> list[tuple[str, str, str]]:
    """(name, line1, line2) of the sample file."""
    lines = [ln.rstrip() for ln in (DATA / "passes_sample.tle").read_text().splitlines() if ln.strip()]
    return [(lines[i].strip(), lines[i + 1], lines[i + 2]) for i in range(0, len(lines), 3)]


def _skyfield_passes(l1, l2, site, t0: datetime, t1: datetime, min_el: float):
    """(rise, culmination, set) datetimes from skyfield find_events; None where the event is outside."""
    sat = EarthSatellite(l1, l2, ts=TS)
    topos = wgs84.latlon(site[0], site[1], elevation_m=site[2] * 1000.0)
    times, events = sat.find_events(topos, TS.from_datetime(t0), TS.from_datetime(t1),
                                    altitude_degrees=min_el)
    out, cur = [], {}
    for t, e in zip(times, events, strict=True):
        cur[int(e)] = t.utc_datetime()
        if e == 2:
            out.append((cur.get(0), cur.get(1), cur[2]))
            cur = {}
    return out


def _epoch(l1: str) -> datetime:
    """Epoch of a TLE line 1 as an aware datetime."""
    year = int(l1[18:20]) + 2000
    return datetime(year, 1, 1, tzinfo=UTC) + timedelta(days=float(l1[20:32]) - 1.0)


@pytest.mark.parametrize("k", [0, 1, 2, 3, 5])
def test_passes_match_skyfield_find_events(k, tmp_path):
    name, l1, l2 = _tles()[k]
    f = tmp_path / "one.tle"
    f.write_text(f"{name}\n{l1}\n{l2}\n")
    cat, _ = read_catalog(f)
    t0 = _epoch(l1).replace(microsecond=0)
    t1 = t0 + timedelta(days=2)
    ours = passes(cat, *LJUBLJANA, start=t0, stop=t1, min_elevation_deg=10.0)
    ref = [p for p in _skyfield_passes(l1, l2, LJUBLJANA, t0, t1, 10.0) if p[0] is not None]
    ours = [p for p in ours if p.rise >= t0 and p.set <= t1]
    assert len(ref) >= 3
    assert len(ours) == len(ref), (name, [p.rise for p in ours], [r[0] for r in ref])
    for p, (rise, culm, set_) in zip(ours, ref, strict=True):
        assert abs((p.rise - rise).total_seconds()) < 1.0
        assert abs((p.set - set_).total_seconds()) < 1.0
        assert abs((p.culmination - culm).total_seconds()) < 3.0
        assert p.min_range_km > 0 and 10.0 <= p.max_elevation_deg <= 90.0


def test_high_elevation_limit_finds_short_passes():
    """With a 60 deg limit the passes last seconds; none is missed between grid samples."""
    _, l1, l2 = _tles()[0]
    cat, _ = read_catalog(DATA / "passes_sample.tle")
    cat = cat.select(ids=[int(l1[2:7])])
    t0 = _epoch(l1).replace(microsecond=0)
    t1 = t0 + timedelta(days=4)
    ours = passes(cat, *LJUBLJANA, start=t0, stop=t1, min_elevation_deg=60.0)
    ref = [p for p in _skyfield_passes(l1, l2, LJUBLJANA, t0, t1, 60.0) if p[0] is not None]
    assert len(ours) == len(ref) >= 1
    for p, (rise, _, set_) in zip(ours, ref, strict=True):
        assert abs((p.rise - rise).total_seconds()) < 1.0 and abs((p.set - set_).total_seconds()) < 1.0


def test_window_starting_mid_pass_reports_true_rise():
    _, l1, l2 = _tles()[2]
    cat, _ = read_catalog(DATA / "passes_sample.tle")
    cat = cat.select(ids=[int(l1[2:7])])
    t0 = _epoch(l1).replace(microsecond=0)
    ref = [p for p in _skyfield_passes(l1, l2, LJUBLJANA, t0, t0 + timedelta(days=1), 10.0) if p[0]]
    rise, culm, set_ = ref[1]
    mid = culm
    ours = passes(cat, *LJUBLJANA, start=mid, stop=mid + timedelta(hours=1), min_elevation_deg=10.0)
    assert abs((ours[0].rise - rise).total_seconds()) < 1.0
    assert abs((ours[0].set - set_).total_seconds()) < 1.0
    assert not ours[0].rise_clipped


def test_geostationary_satellite_is_one_clipped_window():
    name, l1, _ = _tles()[4]
    assert "FENGYUN" in name
    cat, _ = read_catalog(DATA / "passes_sample.tle")
    cat = cat.select(ids=[int(l1[2:7])])
    t0 = _epoch(l1)
    ours = passes(cat, 35.0, 100.0, 0.0, start=t0, stop=t0 + timedelta(days=1), min_elevation_deg=10.0)
    assert len(ours) == 1 and ours[0].rise_clipped and ours[0].set_clipped
    assert ours[0].rise <= t0 and ours[0].set >= t0 + timedelta(days=1)


def test_sun_elevation_matches_skyfield():
    from skyfield.api import Loader
    from skyfield_data import get_skyfield_data_path

    planets = Loader(get_skyfield_data_path())("de421.bsp")
    topos = planets["earth"] + wgs84.latlon(46.05, 14.51)
    times = [datetime(2026, 3, 10, h, 17, tzinfo=UTC) for h in range(0, 24, 3)]
    for dt in times:
        alt, _, _ = topos.at(TS.from_datetime(dt)).observe(planets["sun"]).apparent().altaz()
        jd, fr = datetime_to_jd(dt)
        ours = float(sun_elevation_deg(46.05, 14.51, np.array([jd]), np.array([fr]))[0])
        assert abs(ours - alt.degrees) < 0.1


def test_off_nadir_limit_shortens_windows():
    cat, _ = read_catalog(DATA / "passes_sample.tle")
    cat = cat.take([0])
    t0 = datetime(2025, 2, 15, tzinfo=UTC)
    site = Site(*LJUBLJANA, name="LJ")
    wide = access_windows(cat, site, t0, t0 + timedelta(days=2), Constraints(0.0))
    narrow = access_windows(cat, site, t0, t0 + timedelta(days=2), Constraints(0.0, max_off_nadir_deg=30.0))
    assert 0 < len(narrow) <= len(wide)
    total = sum((w["stop"] - w["start"]).total_seconds() for w in narrow)
    assert total < 0.5 * sum((w["stop"] - w["start"]).total_seconds() for w in wide)


def test_bad_site_is_a_clear_error():
    with pytest.raises(ValueError, match="latitude"):
        Site(123.0, 0.0)
    with pytest.raises(ValueError, match="not after"):
        access_windows(read_catalog(DATA / "passes_sample.tle")[0], Site(0, 0), "2025-02-16", "2025-02-15")
