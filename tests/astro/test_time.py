"""Epoch: two-part Julian dates against published values (J2000.0 = JD 2451545.0 = 2000-01-01T12:00 TT is used
here as the UTC label 2000-01-01T12:00:00; the Unix epoch is JD 2440587.5)."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from orbitshare.astro.time import Epoch, time_grid


def test_epoch_of_published_instants():
    """JD of 2000-01-01T12:00 and 1970-01-01T00:00 are 2451545.0 and 2440587.5, from text or a datetime."""
    e = Epoch.from_iso("2000-01-01T12:00:00Z")
    assert e.jd + e.fr == 2451545.0
    assert Epoch.from_datetime(datetime(1970, 1, 1)) == Epoch(2440587.5, 0.0)
    assert Epoch.from_utc("2000-001T12:00:00") == e  # day-of-year form
    with pytest.raises(TypeError):
        Epoch.from_utc(2451545.0)


def test_offsets_and_iso_text():
    """Offsets in seconds give jd, fr arrays one day apart per 86400 s; ISO text back with milliseconds."""
    e = Epoch.from_iso("2026-03-10T07:26:52.157Z")
    jd, fr = e.offsets(np.array([0.0, 86400.0, 43200.0]))
    assert jd.shape == fr.shape == (3,) and np.all(jd == e.jd)
    np.testing.assert_allclose((jd + fr) - (e.jd + e.fr), [0.0, 1.0, 0.5], atol=1e-9)
    assert e.iso() == "2026-03-10T07:26:52.157Z"
    assert e.iso(3600.0) == "2026-03-10T08:26:52.157Z"
    jd_n, fr_n = e.offsets_normalised([0.0, 86400.0 * 2.75])
    assert np.all((fr_n >= 0) & (fr_n < 1)) and e.iso(86400.0 * 2.75) == Epoch(jd_n[1], fr_n[1]).iso()


def test_time_grid_is_epoch_offsets():
    """time_grid from start to stop inclusive equals the epoch's offsets of a regular grid."""
    start = datetime(2026, 3, 10, tzinfo=UTC)
    jd, fr = time_grid(start, start + timedelta(minutes=10), 60.0)
    ref_jd, ref_fr = Epoch.from_datetime(start).offsets(np.arange(11) * 60.0)
    assert np.array_equal(jd, ref_jd) and np.array_equal(fr, ref_fr)


def test_ccsds_time_text():
    """CCSDS time codes A and B (CCSDS 301.0-B-4) read to the same instant; other forms and impossible days of
    year are refused; fractions beyond microseconds are rounded."""
    from orbitshare.astro.time import jd_to_datetime, parse_ccsds_utc

    j2000 = datetime(2000, 1, 1, 12, tzinfo=UTC)
    assert parse_ccsds_utc("2000-01-01T12:00:00") == parse_ccsds_utc("2000-001T12:00:00.000Z") == j2000
    assert parse_ccsds_utc("2000-366T00:00:00") == datetime(2000, 12, 31, tzinfo=UTC)  # 2000 is a leap year
    for text in ("2001-366T00:00:00", "2000-01-01 12:00:00", "2000-01-01T12:00", "2000-01-01T12:00:00+01:00"):
        with pytest.raises(ValueError):
            parse_ccsds_utc(text)
    assert parse_ccsds_utc("2010-03-13T22:37:52.6180004").microsecond == 618000
    assert parse_ccsds_utc("2010-03-13T22:37:59.9999996") == datetime(2010, 3, 13, 22, 38, tzinfo=UTC)
    assert jd_to_datetime(2451545.0) == j2000 and Epoch.from_datetime(j2000).to_datetime() == j2000


def test_time_text_units_and_zone():
    """format_utc and Epoch.iso truncate to seconds, milliseconds or microseconds, with or without the Z."""
    e = Epoch.from_iso("2026-03-10T07:26:52.157891Z")
    assert e.iso(unit="s") == "2026-03-10T07:26:52Z"
    assert e.iso() == "2026-03-10T07:26:52.157Z"
    assert e.iso(unit="us", zone="") == "2026-03-10T07:26:52.157891"
    with pytest.raises(ValueError):
        e.iso(unit="ns")
