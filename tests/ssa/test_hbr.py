"""Hard-body radius defaults: CARA table rows (values as published in the CSV), else object-type defaults."""

import pytest

from orbitshare.ssa.conjunction import hbr


@pytest.mark.parametrize(
    ("norad", "radius_m", "source"),
    [
        (25544, 66.1, "CARA Protected Primary"),  # ISS row of the CARA table
        (20580, 8.4, "CARA Protected Primary"),
        (51, 0.964231173853356, "SFK RCS Estimate"),
        (74, 3.7, "Default"),
        (23937, 0.396, "CARA Override"),
    ],
)
def test_cara_table_rows(norad, radius_m, source):
    value, provenance = hbr.hbr_lookup(norad)
    assert value == radius_m and source in provenance


def test_table_size_and_empty_rows():
    assert len(hbr.cara_table()) == 23583  # rows with a numeric HBR in the 2026-06-01 table
    assert 48274 not in hbr.cara_table()  # listed with an empty HBR


@pytest.mark.parametrize(
    ("object_type", "expected"),
    [("DEBRIS", 1.0), ("DEB", 1.0), ("PAYLOAD", 5.0), ("R/B", 5.0), ("ROCKET BODY", 5.0), (None, 5.0),
     ("TBA", 5.0)],
)
def test_type_defaults(object_type, expected):
    assert hbr.hbr_m(999_999_999, object_type) == expected
    assert hbr.hbr_m(48274, object_type) == expected


def test_combined():
    assert hbr.combined_hbr_m(25544, "unknown-id", None, "DEBRIS") == pytest.approx(67.1)
