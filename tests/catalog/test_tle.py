"""TLE reading: fixed columns, checksums, Space-Track quirks, Alpha-5, and per-line rejects."""

from __future__ import annotations

import io

import numpy as np
import pytest
from sgp4.api import Satrec

from orbitshare.catalog import CatalogError, read_catalog_file
from orbitshare.catalog.tle import checksum, read_tle


def _fix(line: str) -> str:
    """Line with its checksum column recomputed (for hand-made test lines)."""
    return line[:68] + str(checksum(line))


ISS = ("ISS (ZARYA)",
       _fix("1 25544U 98067A   26069.50000000  .00016717  00000-0  30306-3 0  999"),
       _fix("2 25544  51.6335 312.1046 0007885 289.8741 160.8953 15.4895890655601"))
# Space-Track style: leading spaces in the NORAD id and "0 " before the name
VANGUARD = ("0 VANGUARD 1",
            "1     5U 58002B   22022.55771106  .00000105  00000-0  15609-3 0  9990",
            "2     5  34.2401 228.9165 1843365 100.8944 280.3452 10.84849428268693")


def _read(text: str, **kw):
    """Catalog and report from TLE text."""
    return read_catalog_file(io.StringIO(text), "test.tle", **kw)


def test_values_match_python_sgp4_parser():
    """Elements, epoch and BSTAR agree with python-sgp4's twoline2rv (independent parser)."""
    cat, rep = _read("\n".join(ISS) + "\n")
    assert rep.rejects == [] and len(cat) == 1
    sat = Satrec.twoline2rv(ISS[1], ISS[2])
    c = cat.columns
    assert c["norad_id"][0] == 25544 and c["name"][0] == "ISS (ZARYA)" and c["intl_des"][0] == "1998-067A"
    assert c["epoch_jd"][0] + c["epoch_fr"][0] == pytest.approx(sat.jdsatepoch + sat.jdsatepochF, abs=1e-9)
    assert np.radians(c["incl_deg"][0]) == pytest.approx(sat.inclo, rel=1e-15)
    assert c["ecc"][0] == pytest.approx(sat.ecco, rel=1e-15)
    assert c["bstar"][0] == pytest.approx(sat.bstar, rel=1e-12)
    assert c["mean_motion_revday"][0] * 2 * np.pi / 1440 == pytest.approx(sat.no_kozai, rel=1e-14)


def test_space_track_leading_spaces_and_zero_name_prefix():
    """'    5' reads as NORAD 5 and the '0 ' prefix is dropped from the name."""
    cat, rep = _read("\n".join(VANGUARD) + "\n")
    assert rep.rejects == []
    assert cat.norad_id.tolist() == [5] and cat.name.tolist() == ["VANGUARD 1"]
    assert cat["object_type"].tolist() == ["PAYLOAD"]


def test_two_line_without_names_and_plus_signs():
    """2-line sets read with empty names; '+' in the exponent and derivative fields is accepted."""
    l1 = _fix("1 25544U 98067A   26069.50000000 +.00016717 +00000+0 +30306-3 0  9990")
    cat, rep = _read(f"{l1}\n{ISS[2]}\n")
    assert rep.rejects == [], rep.rejects
    assert cat["ndot"][0] == pytest.approx(0.00016717)
    assert cat["bstar"][0] == pytest.approx(0.30306e-3)


def test_alpha5_ids():
    """Alpha-5 'A0001' is NORAD 100001 and 'Z9999' is 339999 (I and O are not used)."""
    l1 = _fix(ISS[1].replace("25544U", "A0001U"))
    l2 = _fix(ISS[2].replace("2 25544", "2 A0001"))
    l1z = _fix(ISS[1].replace("25544U", "Z9999U"))
    l2z = _fix(ISS[2].replace("2 25544", "2 Z9999"))
    cat, rep = _read(f"{l1}\n{l2}\n{l1z}\n{l2z}\n")
    assert rep.rejects == []
    assert sorted(cat.norad_id.tolist()) == [100001, 339999]


def test_eight_digit_eccentricity_is_rejected_and_neighbours_survive():
    """A line 2 of 70 characters (8-digit eccentricity) is rejected with the line number; others are kept."""
    bad2 = ISS[2][:26] + "00078850" + ISS[2][33:]
    text = "\n".join([*VANGUARD, "BAD ONE", ISS[1], bad2, *ISS]) + "\n"
    cat, rep = _read(text)
    assert sorted(cat.norad_id.tolist()) == [5, 25544]
    assert len(rep.rejects) == 1
    r = rep.rejects[0]
    assert r.location == "line 5" and r.field == "LINE2" and "70 characters" in r.reason
    assert r.norad_id == 25544


@pytest.mark.parametrize(
    ("mutate", "field", "words"),
    [
        (lambda l1, l2: (l1[:68] + str((int(l1[68]) + 1) % 10), l2), "LINE1", "checksum"),
        (lambda l1, l2: (_fix(l1[:8] + "X" + l1[9:]), l2), "LINE1", "column 9 must be blank"),
        (lambda l1, l2: (l1, _fix(l2[:2] + "25545" + l2[7:])), "NORAD_CAT_ID", "line 2 has"),
        (lambda l1, l2: (_fix(l1[:53] + " 3O306-3" + l1[61:]), l2), "BSTAR", "not in the form"),
        (lambda l1, l2: (l1, _fix(l2[:26] + "00x7885" + l2[33:])), "ECCENTRICITY", "7 digits"),
        (lambda l1, l2: (l1, _fix(l2[:8] + "  51.6x5" + l2[16:])), "INCLINATION", "not a number"),
        (lambda l1, l2: (l1, _fix(l2[:8] + " 181.000" + l2[16:])), "INCLINATION", "outside"),
        (lambda l1, l2: (_fix(l1[:20] + "400.50000000" + l1[32:]), l2), "EPOCH", "day of year"),
    ],
    ids=["checksum", "blank-column", "id-mismatch", "bstar", "ecc-digits", "incl-number", "incl-range", "doy"],
)
def test_each_defect_is_named(mutate, field, words):
    """Each kind of defect is rejected naming the field, and the good record beside it survives."""
    l1, l2 = mutate(ISS[1], ISS[2])
    cat, rep = _read("\n".join([*VANGUARD, "DEFECT", l1, l2]) + "\n")
    assert cat.norad_id.tolist() == [5]
    assert len(rep.rejects) == 1
    assert rep.rejects[0].field == field and words in rep.rejects[0].reason, rep.rejects[0]
    assert rep.rejects[0].location == "line 5"


def test_strict_raises_on_first_problem():
    """strict=True raises CatalogError naming the source, line and field."""
    bad1 = ISS[1][:68] + "0"
    with pytest.raises(CatalogError, match=r"test.tle: line 1 \(NORAD 25544\): LINE1: line 1 checksum"):
        _read(f"{bad1}\n{ISS[2]}\n", strict=True)


def test_orphan_lines_are_reported():
    """A line 1 without line 2, and a line 2 without line 1, are reported with their line numbers."""
    out = list(read_tle([ISS[1], "", *VANGUARD[1:], ISS[2]], "x"))
    kinds = [(r.location, r.field) for r in out if not isinstance(r, dict)]
    assert ("line 1", "LINE2") in kinds and ("line 5", "LINE1") in kinds


def test_duplicates_newest_epoch_wins():
    """Two element sets of one object: the newer is kept and the replacement reported."""
    older = _fix(ISS[1].replace("26069.50000000", "26068.50000000"))
    cat, rep = _read("\n".join([*ISS, "ISS (ZARYA)", older, ISS[2]]) + "\n")
    assert len(cat) == 1 and str(cat.epoch[0]).startswith("2026-03-10T12:00")
    assert len(rep.duplicates) == 1 and "replaced by newer epoch" in rep.duplicates[0].reason
