"""CDM reader/writer: every valid example reads, every malformed one is rejected, KVN and XML round-trip."""

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from orbitshare.ccsds.cdm import (
    NO_COVARIANCE_COMMENT,
    CdmError,
    ConjunctionObject,
    cdm_from_conjunction,
    read_cdm,
    relative_state_rtn,
    write_cdm_kvn,
    write_cdm_xml,
)

CDM_DIR = Path(__file__).resolve().parents[1] / "data" / "cdm"
MALFORMED = {  # file -> (keyword the error must name, location text it must contain)
    "CDM-missing-TCA.txt": ("TCA", "relative metadata"),
    "CDM-wrong-key-word.txt": ("WRONG_KEYWORD", "line 6"),
    "CDM-covariance-wrong-entry-format.txt": ("CRDOT_T", "line 65"),
    "CDM-missing-object2-state-vector.txt": ("X", "OBJECT2"),
    "CDM-missing-object1-covariance-block.xml": ("CR_R", "OBJECT1"),
    "CDMExample1InvalidTca.txt": ("TCA", "line 5"),
    "CDMExample_issue1319_mandatory_empty_value.xml": ("X", "stateVector"),
}
VALID = sorted(p for p in CDM_DIR.rglob("*") if p.is_file() and p.name not in MALFORMED and p.suffix != ".md")


def test_inventory():
    assert len([p for p in VALID if p.parent.name == "cara_sample_cdms"]) == 34  # README says 27; 34 shipped
    assert len(VALID) >= 60


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_examples_read(path):
    cdm = read_cdm(path)
    assert cdm.object1.object == "OBJECT1" and cdm.object2.object == "OBJECT2"
    assert cdm.object1.cov_rtn_6x6 is not None and cdm.object2.cov_rtn_6x6 is not None
    assert np.isfinite(cdm.miss_distance_m)


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_rejected(name):
    keyword, where = MALFORMED[name]
    with pytest.raises(CdmError) as info:
        read_cdm(CDM_DIR / name)
    assert info.value.keyword == keyword
    assert where in str(info.value) and name in str(info.value)


def test_example1_values_as_orekit_asserts():
    """Values asserted by Orekit's CdmParserTest for CDMExample1.txt (CCSDS units: km, km/s, m^2)."""
    for path in (CDM_DIR / "CDMExample1.txt", CDM_DIR / "CDMExample1.xml"):
        cdm = read_cdm(path)
        assert cdm.creation_date == datetime(2010, 3, 12, 22, 31, 12, tzinfo=UTC)
        assert cdm.tca == datetime(2010, 3, 13, 22, 37, 52, 618000, tzinfo=UTC)
        assert (cdm.originator, cdm.miss_distance_m) == ("JSPOC", 715.0)
        assert cdm.message_id == {".txt": "201113719185", ".xml": "20111371985"}[path.suffix]
        o1, o2 = cdm.objects
        meta = (o1.designator, o1.name, o1.ref_frame, o1.maneuverable)
        assert meta == ("12345", "SATELLITE A", "EME2000", "YES")
        assert o1.r_km == (2570.097065, 2244.654904, 6281.497978)
        assert o2.v_kmps == (-2.888612500, -6.007247516, 3.328770172)
        cov1, cov2 = o1.cov_rtn_6x6, o2.cov_rtn_6x6
        assert (cov1[0, 0], cov1[1, 0], cov1[0, 1], cov1[1, 1]) == (41.42, -8.579, -8.579, 2533.0)
        assert (cov1[3, 0], cov1[5, 5]) == (2.520e-3, 5.529e-5)
        assert (cov2[1, 0], cov2[2, 1], cov2[5, 5]) == (-4.806e4, -7.5888e2, 5.178e-5)


def test_cara_quirks_tolerated():
    cdm = read_cdm(CDM_DIR / "cara_sample_cdms" / "AlfanoTestCase01.cdm")
    assert any("RELATIVE_VELOCITY units written [m]" in q for q in cdm.quirks)
    assert cdm.hbr_from_comments_m() == 15.0
    single = read_cdm(CDM_DIR / "cara_sample_cdms" / "SingleCovTestCase1-1.cdm")
    assert single.creation_date == datetime(2014, 1, 21, 17, 42, 47, tzinfo=UTC)  # day-of-year 2014-021
    assert single.object1.fields["RESIDUALS_ACCEPTED"] == "85.4"  # unit bracket left open: "[" only


def _values(cdm) -> dict:
    """All compared fields of a Cdm (not its source name nor the quirks noticed while reading)."""
    return {f.name: dataclasses.asdict(cdm)[f.name] for f in dataclasses.fields(cdm) if f.compare}


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
@pytest.mark.parametrize("writer", [write_cdm_kvn, write_cdm_xml])
def test_round_trip(path, writer):
    original = read_cdm(path)
    again = read_cdm(writer(original))
    np.testing.assert_equal(_values(again), _values(original))


def test_relative_state_matches_jspoc_cdms():
    """RELATIVE_POSITION/VELOCITY written by JSpOC (rounded to 0.1) reproduced from the two state vectors."""
    for name in ("SingleCovTestCase1-1.cdm", "SingleCovTestCase1-13.cdm"):
        cdm = read_cdm(CDM_DIR / "cara_sample_cdms" / name)
        o1, o2 = cdm.objects
        rel_r, rel_v = relative_state_rtn(o1.r_km, o1.v_kmps, o2.r_km, o2.v_kmps)
        np.testing.assert_allclose(rel_r, cdm.relative_position_rtn_m, atol=0.2)
        np.testing.assert_allclose(rel_v, cdm.relative_velocity_rtn_mps, atol=0.1)


def _conjunction(cov: bool):
    """A conjunction record from CDMExample1's states (EME2000), optionally with covariances."""
    cdm = read_cdm(CDM_DIR / "CDMExample1.txt")
    objs = [
        ConjunctionObject(o.designator, o.name, o.r_km, o.v_kmps, o.international_designator, "PAYLOAD",
                          o.cov_rtn_6x6 if cov else None)
        for o in cdm.objects
    ]
    return cdm, objs


@pytest.mark.parametrize("writer", [write_cdm_kvn, write_cdm_xml])
def test_cdm_from_conjunction_round_trip(writer):
    source, objs = _conjunction(cov=True)
    built = cdm_from_conjunction(*objs, tca_utc=source.tca, originator="ORBITSHARE", message_id="T-1",
                                 frame="EME2000", collision_probability=1.5e-5, pc_method="FOSTER-1992")
    again = read_cdm(writer(built))
    np.testing.assert_equal(_values(again), _values(built))
    miss_m = np.linalg.norm(np.subtract(objs[1].r_km, objs[0].r_km)) * 1e3
    assert again.miss_distance_m == pytest.approx(miss_m)
    np.testing.assert_array_equal(again.object2.cov_rtn_6x6, source.object2.cov_rtn_6x6)


@pytest.mark.parametrize("writer", [write_cdm_kvn, write_cdm_xml])
def test_tle_only_conjunction_flags_missing_covariance(writer):
    source, objs = _conjunction(cov=False)
    built = cdm_from_conjunction(*objs, tca_utc=source.tca, originator="ORBITSHARE", message_id="T-2")
    text = writer(built)
    assert NO_COVARIANCE_COMMENT in text
    with pytest.raises(CdmError, match="require_covariance=False"):
        read_cdm(text)
    again = read_cdm(text, require_covariance=False)
    assert again.object1.cov_rtn_lower is None and again.object1.ref_frame == "GCRF"
    np.testing.assert_allclose(np.linalg.norm(again.object1.r_km), np.linalg.norm(objs[0].r_km), rtol=1e-12)


def test_cli_cdm_pc_json_and_rejections():
    import json

    from typer.testing import CliRunner

    from orbitshare.cli import app

    good = CDM_DIR / "cara_sample_cdms" / "OmitronTestCase_Test08_3DNc.cdm"
    result = CliRunner().invoke(app, ["cdm", "pc", "--json", "--hbr", "20", str(good),
                                      str(CDM_DIR / "CDM-missing-TCA.txt")])
    assert result.exit_code == 2
    out = json.loads(result.stdout)
    assert len(out["results"]) == 1 and "TCA" in out["errors"][0]["error"]
    assert out["results"][0]["pc"]["foster"] == pytest.approx(2.2660816e-20, rel=1e-3)  # CARA Pc2D_Foster


def _is_cdm_1_0(cdm) -> bool:
    """A CDM 1.0 message using only CDM 1.0 keywords (CDM 2.0 draft keywords are kept but not in the 1.0 schema)."""
    from orbitshare.ccsds.cdm import HEADER_KEYS_V2, OBJECT_KEYS_V2, RELATIVE_KEYS_V2

    v2 = set(HEADER_KEYS_V2) | set(RELATIVE_KEYS_V2) | set(OBJECT_KEYS_V2)
    used = set(cdm.header_fields) | set(cdm.relative_fields) | set(cdm.object1.fields) | set(cdm.object2.fields)
    return cdm.version == "1.0" and not (used & v2)


CDM_1_0 = [p for p in VALID if p.parent == CDM_DIR and _is_cdm_1_0(read_cdm(p))]


def test_cdm_1_0_files_are_most_of_the_test_set():
    """The schema check below covers the CDM 1.0 messages: all test files but the three CDM 2.0 draft ones."""
    assert len(CDM_1_0) == len([p for p in VALID if p.parent == CDM_DIR]) - 3


@pytest.mark.parametrize("path", CDM_1_0, ids=lambda p: p.name)
def test_xml_written_from_cdm_1_0_files_is_schema_valid(path):
    """Every CDM 1.0 test message (KVN or XML, Orekit and CCSDS Blue Book files), written as XML, is valid against
    the CCSDS NDM/XML 1.0 CDM schema (drag/SRP/thrust covariance terms read without units get the CCSDS units)."""
    from orbitshare.ccsds.cdm.schema import cdm_schema_errors

    assert cdm_schema_errors(write_cdm_xml(read_cdm(path))) == []
