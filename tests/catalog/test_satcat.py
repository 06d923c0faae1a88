"""SATCAT CSV reader: Space-Track and CelesTrak column names, decayed objects, bad rows counted."""

from __future__ import annotations

import io

import pytest

from orbitshare.catalog.satcat import read_satcat

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


def test_not_a_satcat_is_named():
    with pytest.raises(ValueError, match=r"x\.csv: not a SATCAT CSV"):
        read_satcat(io.StringIO("a,b\n1,2\n"), "x.csv")
