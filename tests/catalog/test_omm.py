"""OMM reading: KVN, XML (single and combined NDM), JSON, CSV; malformed messages rejected with clear messages."""

from __future__ import annotations

import io

import pytest
from tests.conftest import DATA

from orbitshare.catalog import CatalogError, detect_format, read_catalog, read_catalog_file

OMM = DATA / "omm"

#: Each malformed or unusable OMM file -> (field named in the reject, words in the reason).
REJECTED = {
    "OMM-empty-object-id.txt": ("OBJECT_ID", "missing or empty"),
    "OMM-empty-object-id.xml": ("OBJECT_ID", "missing or empty"),
    "OMM-number-format-error.txt": ("ARG_OF_PERICENTER", "'this-is-not-a-number' is not a number"),
    "OMM-wrong-keyword.txt": ("WRONG_KEYWORD", "unknown OMM keyword"),
    "spurious-metadata.xml": ("metadata", "exactly one <metadata>, found 2"),
    "OMMExample3.txt": ("MEAN_ELEMENT_THEORY", "cannot be propagated with SGP4"),
    "OMMExample3_utc.txt": ("MEAN_ELEMENT_THEORY", "cannot be propagated with SGP4"),
    "OMMExample5.txt": ("MEAN_ELEMENT_THEORY", "'SGP4-XP'"),
}
ACCEPTED = ["OMM-with-units.xml", "OMMExample1.txt", "OMMExample2.txt", "OMMExample2.xml", "OMMExample4.txt",
            "OMMExample4.xml", "ndmxml-1.0-omm-2.0.xml", "omm1_ct.kvn", "omm1_ct.xml", "omm1_st.kvn",
            "omm1_st.xml"]


def test_every_file_is_classified():
    """The test data folder holds exactly the files this test expects (no file escapes the checks)."""
    names = {p.name for p in OMM.iterdir()}
    assert names == set(REJECTED) | set(ACCEPTED) | {"omm_combined.xml"}


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_malformed_rejected_with_clear_message(name):
    """The message names the file, the place, the keyword and what was wrong."""
    cat, rep = read_catalog(OMM / name)
    assert len(cat) == 0 and len(rep.rejects) == 1
    r = rep.rejects[0]
    field, words = REJECTED[name]
    assert r.field == field and words in r.reason, str(r)
    assert name in str(r) and ("line" in r.location or "record" in r.location)


@pytest.mark.parametrize("name", ACCEPTED)
def test_valid_examples_read(name):
    """Every valid SGP4 OMM reads to one object with the values written in the file."""
    cat, rep = read_catalog(OMM / name)
    assert rep.rejects == [] and len(cat) == 1


def test_goes9_values_from_the_file():
    """OMMExample1 values (GOES 9): the numbers written in the message, epoch in day-of-year form."""
    cat, _ = read_catalog(OMM / "OMMExample1.txt")
    c = cat.columns
    assert c["norad_id"][0] == 23581 and c["name"][0] == "GOES 9" and c["intl_des"][0] == "1995-025A"
    assert str(cat.epoch[0]) == "2007-03-05T10:34:41.426400"
    assert c["mean_motion_revday"][0] == 1.00273272 and c["ecc"][0] == 0.0005013
    assert c["incl_deg"][0] == 3.0539 and c["raan_deg"][0] == 81.7939
    assert c["argp_deg"][0] == 249.2363 and c["mean_anomaly_deg"][0] == 150.1602
    assert c["bstar"][0] == 0.0001 and c["ndot"][0] == -0.00000113 and c["element_set_no"][0] == 925
    assert cat.regime[0] == "GEO"


def test_combined_ndm_keeps_good_messages():
    """A combined NDM with one empty message: that one is rejected, the other 19 are kept."""
    cat, rep = read_catalog(OMM / "omm_combined.xml")
    assert len(cat) == 19
    assert [(r.location, r.field) for r in rep.rejects] == [("record 1", "metadata")]


def test_kvn_good_neighbours_survive():
    """Several KVN messages in one file: the malformed ones are rejected at their line, the rest kept."""
    text = "\n".join((OMM / n).read_text() for n in ["OMMExample1.txt", "OMM-wrong-keyword.txt",
                                                       "OMMExample4.txt", "OMM-number-format-error.txt"])
    cat, rep = read_catalog_file(io.StringIO(text), "multi.kvn")
    assert sorted(cat.norad_id.tolist()) == [7646, 23581]
    assert [r.field for r in rep.rejects] == ["WRONG_KEYWORD", "ARG_OF_PERICENTER"]
    assert all(r.location.startswith("line ") for r in rep.rejects)


def test_strict_raises():
    """strict=True raises on the first malformed message."""
    with pytest.raises(CatalogError, match="WRONG_KEYWORD: unknown OMM keyword"):
        read_catalog(OMM / "OMM-wrong-keyword.txt", strict=True)


def test_json_csv_xml_forms_agree():
    """The same element set as OMM JSON, CSV and XML (python-sgp4's samples) give the same elements."""
    sgp4_dir = DATA / "sgp4"
    cats = {fmt: read_catalog(sgp4_dir / f"sample_omm.{fmt}")[0] for fmt in ("json", "csv", "xml")}
    assert all(len(c) == 1 and c.norad_id[0] == 5 for c in cats.values())
    assert cats["csv"]["ecc"][0] == 0.1845686


def test_json_six_digit_ids_and_bad_records():
    """6-digit NORAD ids are kept; a record with a bad number or non-object entry is rejected, others kept."""
    text = ('[{"OBJECT_NAME":"A","OBJECT_ID":"2026-001A","EPOCH":"2026-03-09T19:18:25.550496",'
            '"MEAN_MOTION":15.1,"ECCENTRICITY":0.001,"INCLINATION":53,"RA_OF_ASC_NODE":10,'
            '"ARG_OF_PERICENTER":20,"MEAN_ANOMALY":30,"NORAD_CAT_ID":270001,"BSTAR":0.0001,'
            '"MEAN_MOTION_DOT":0,"MEAN_MOTION_DDOT":0},'
            '{"OBJECT_NAME":"B","OBJECT_ID":"2026-001B","EPOCH":"2026-03-09T19:18:25",'
            '"MEAN_MOTION":"fast","ECCENTRICITY":0.001,"INCLINATION":53,"RA_OF_ASC_NODE":10,'
            '"ARG_OF_PERICENTER":20,"MEAN_ANOMALY":30,"NORAD_CAT_ID":270002}, 42]')
    cat, rep = read_catalog_file(io.StringIO(text), "gp.json")
    assert cat.norad_id.tolist() == [270001]
    assert [(r.location, r.field) for r in rep.rejects] == [("record 2", "MEAN_MOTION"), ("record 3", "JSON")]


def test_csv_ragged_row_rejected():
    """A CSV row with the wrong number of cells is rejected naming the record and line."""
    head = (DATA / "sgp4" / "sample_omm.csv").read_text().splitlines()
    text = "\n".join([head[0], head[1], head[1].rsplit(",", 3)[0]]) + "\n"
    cat, rep = read_catalog_file(io.StringIO(text), "gp.csv")
    assert len(cat) == 1 and rep.rejects[0].field == "CSV" and "record 2" in rep.rejects[0].location


def test_format_detection():
    """Formats are told apart from their first characters."""
    assert detect_format("<?xml version='1.0'?><omm/>") == "omm-xml"
    assert detect_format('[{"OBJECT_NAME": "X"}]') == "omm-json"
    assert detect_format("CCSDS_OMM_VERS = 2.0\n") == "omm-kvn"
    assert detect_format("OBJECT_NAME,OBJECT_ID,EPOCH,MEAN_MOTION\n") == "omm-csv"
    assert detect_format("ISS\n1 25544U ...\n") == "tle"


def test_future_epoch_rejected():
    """An epoch more than 30 days after the reading time is rejected as implausible."""
    from datetime import UTC, datetime

    cat, rep = read_catalog(OMM / "OMMExample4.txt", now=datetime(2020, 1, 1, tzinfo=UTC))
    assert len(cat) == 0 and rep.rejects[0].field == "EPOCH"
