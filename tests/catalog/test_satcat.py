"""SATCAT CSV reader: Space-Track and CelesTrak column names, decayed objects, owners, bad rows counted."""

from __future__ import annotations

import io

import pytest
from tests.conftest import SHARED, shared_path

from orbitshare.catalog.satcat import owner_names, owner_table, read_satcat

SPACETRACK = """INTLDES,NORAD_CAT_ID,OBJECT_TYPE,SATNAME,COUNTRY,LAUNCH,SITE,DECAY
1982-092A,13552,PAYLOAD,COSMOS 1408,CIS,1982-09-16,PKMTR,2024-10-27
1999-025B,25731,PAYLOAD,SJ-5,PRC,1999-05-10,TSC,
,99999,DEBRIS,NO DESIGNATOR,,,,
1999-025C,x,ROCKET BODY,CZ-4B R/B,PRC,1999-05-10,TSC,
"""
CELESTRAK = """OBJECT_NAME,OBJECT_ID,NORAD_CAT_ID,OBJECT_TYPE,OPS_STATUS_CODE,OWNER,LAUNCH_DATE,DECAY_DATE
FENGYUN 1C,1999-025A,25730,PAY,-,PRC,1999-05-10,
"""


def test_space_track_columns_and_skipped_rows():
    entries, skipped = read_satcat(io.StringIO(SPACETRACK))
    assert skipped == 2
    assert [(e.intl_des, e.norad_id, e.object_type, e.name, e.decay) for e in entries] == [
        ("1982-092A", 13552, "PAYLOAD", "COSMOS 1408", "2024-10-27"), ("1999-025B", 25731, "PAYLOAD", "SJ-5", "")]


def test_celestrak_columns_and_type_codes():
    (e,), _ = read_satcat(io.StringIO(CELESTRAK))
    assert (e.intl_des, e.norad_id, e.object_type, e.name) == ("1999-025A", 25730, "PAYLOAD", "FENGYUN 1C")
    assert e.owner == "PRC"


def test_owner_codes_of_space_track_satcat():
    """Owners read from the Space-Track SATCAT: as its COUNTRY column, e.g. ISS, SES, Luxembourg's LUXE."""
    table = owner_table(shared_path("catalog", "satcat_2025-03-16.csv.gz"))
    assert table.codes([25544, 43178, 37840, 40697, 10**8]) == ["ISS", "SES", "LUXE", "ESA", ""]
    assert table.source == "satcat_2025-03-16.csv.gz (63,108 objects)"


def test_owner_names_are_celestraks_list():
    """The bundled owner table is the shared CelesTrak list (136 codes, names as published)."""
    names = owner_names()
    assert len(names) == 136
    assert (names["LUXE"], names["SVN"], names["SES"]) == ("Luxembourg", "Slovenia", "SES")
    shared = SHARED / "catalog" / "satcat_owners.csv"
    if shared.exists():
        import csv

        with shared.open() as fh:
            assert names == {r["OWNER"]: r["NAME"] for r in csv.DictReader(fh)}


def test_satcat_without_owners_is_refused(tmp_path):
    path = tmp_path / "no_owner.csv"
    path.write_text("INTLDES,NORAD_CAT_ID,OBJECT_TYPE,SATNAME\n1999-025B,25731,PAYLOAD,SJ-5\n")
    with pytest.raises(ValueError, match=r"no_owner\.csv: SATCAT has no COUNTRY or OWNER values"):
        owner_table(path)


def test_not_a_satcat_is_named():
    with pytest.raises(ValueError, match=r"x\.csv: not a SATCAT CSV"):
        read_satcat(io.StringIO("a,b\n1,2\n"), "x.csv")
