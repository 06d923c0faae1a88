"""Pc validation against independent references: CARA Pc2D (Alfano 2009), Orekit cases, CARA unit tests."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from orbitshare.ccsds.cdm import read_cdm
from orbitshare.ssa.conjunction import pc

DATA = Path(__file__).resolve().parents[1] / "data"
ALFANO = json.loads((DATA / "pc" / "alfano2009_cases.json").read_text())["cases"]
OREKIT = json.loads((DATA / "pc" / "pc2d_encounter_plane_cases_expected.json").read_text())
CARA = json.loads((DATA / "pc" / "cara_pc_unit_test_expected.json").read_text())
CARA_CASES = {c["id"]: c for c in CARA["cases"]}
CDMS = DATA / "cdm" / "cara_sample_cdms"

# Orekit's Laas2015 reference for AlfanoTestCase5 (0.044507) is 2.9e-6 away from the exact integral, beyond
# its own 1e-6 tolerance; the exact value 0.0445099 is within Orekit's Patera2005 and Alfano2005 tolerances
# (see test_alfano5_exact_methods and docs/pc.md), so that single Laas reference is not used for Foster.
LAAS_EXCLUDED = {"AlfanoTestCase5"}
FOSTER_REFS = [
    (name, ref)
    for name, case in OREKIT.items()
    for ref in ("Patera2005", "Laas2015")
    if ref in case["expected"] and not (ref == "Laas2015" and name in LAAS_EXCLUDED)
]
SERIES = {"Chan1997": pc.pc_chan_diag, "Alfano2005": pc.pc_alfano2005_diag}


def _at_tca(case):
    """States and covariances at TCA of an Alfano 2009 case (m, m/s, m^2)."""
    t = case["at_TCA"]
    return t["r1_m"], t["v1_mps"], t["cov1_6x6_m_s"], t["r2_m"], t["v2_mps"], t["cov2_6x6_m_s"]


@pytest.mark.parametrize("case", ALFANO, ids=lambda c: f"alfano{c['case']:02d}")
@pytest.mark.parametrize("method", ["foster", "alfano2005"])
def test_alfano2009_matches_cara_pc2d(case, method):
    expected = case["expected"]["CARA_Pc2D"]
    value = pc.pc_from_states(*_at_tca(case), case["HBR_m"], method)
    if expected is None:  # identical orbits: zero relative velocity, CARA reports no 2D Pc
        assert math.isnan(value)
    else:
        assert value == pytest.approx(expected, rel=1e-3)


@pytest.mark.parametrize(("name", "ref"), FOSTER_REFS)
def test_orekit_cases_foster(name, ref):
    case = OREKIT[name]
    i, e = case["inputs"], case["expected"][ref]
    value = pc.pc_foster_diag(i["xm"], i["ym"], i["sigmaX"], i["sigmaY"], i["radius"])
    assert abs(value - e["Pc"]) <= e["abs_tol"]


@pytest.mark.parametrize("name", [n for n, c in OREKIT.items() if set(SERIES) <= set(c["expected"])])
@pytest.mark.parametrize("ref", list(SERIES))
def test_orekit_cases_series(name, ref):
    i, e = OREKIT[name]["inputs"], OREKIT[name]["expected"][ref]
    value = SERIES[ref](i["xm"], i["ym"], i["sigmaX"], i["sigmaY"], i["radius"])
    assert abs(value - e["Pc"]) <= e["abs_tol"]


def test_alfano5_exact_methods():
    case = OREKIT["AlfanoTestCase5"]
    i = case["inputs"]
    value = pc.pc_foster_diag(i["xm"], i["ym"], i["sigmaX"], i["sigmaY"], i["radius"])
    for ref in ("Patera2005", "Alfano2005"):
        assert abs(value - case["expected"][ref]["Pc"]) <= case["expected"][ref]["abs_tol"]


def test_chan_vectorised_matches_scalar():
    names = [n for n, c in OREKIT.items() if "Chan1997" in c["expected"]]
    keys = ("xm", "ym", "sigmaX", "sigmaY", "radius")
    arr = {k: np.array([OREKIT[n]["inputs"][k] for n in names]) for k in keys}
    values = pc.pc_chan_diag(arr["xm"], arr["ym"], arr["sigmaX"], arr["sigmaY"], arr["radius"])
    for name, value in zip(names, values, strict=True):
        e = OREKIT[name]["expected"]["Chan1997"]
        assert abs(value - e["Pc"]) <= e["abs_tol"]


def _cara(case, hbr, cov2=None):
    """Foster Pc for a CARA unit-test case (units as given in the case)."""
    c2 = case["cov2"] if cov2 is None else cov2
    return pc.pc_from_states(case["r1"], case["v1"], case["cov1"], case["r2"], case["v2"], c2, hbr)


def test_cara_omitron_case1():
    case = CARA_CASES["omitron_case1"]
    value = _cara(case, case["HBR"])
    expected = case["expected"]["PcCircle default"]
    assert value == pytest.approx(expected, rel=case["reltol"]["PcCircle"])
    assert value == pytest.approx(case["expected"]["Pc2D_Foster circle (tol 1e-9)"], rel=1e-3)
    assert _cara(case, -case["HBR"]) == case["expected"]["PcElrod HBR=-0.020"]


def test_cara_omitron_case2():
    case = CARA_CASES["omitron_case2"]
    expected = case["expected"]["PcCircle"]
    assert _cara(case, case["HBR"]) == pytest.approx(expected, rel=case["reltol"]["PcCircle"])


def test_cara_npd_covariance_gives_zero():
    case = CARA_CASES["npd_covariance"]
    assert _cara(case, case["HBR"]) == case["expected"]["PcCircle (warns PcCircle:NPDCovariance)"]


def test_cara_hbr_sweep():
    """HBR <= 100 m within 1e-7; HBR >= 1 km within 5e-4 (error of CARA's GC quadrature, docs/pc.md)."""
    case = CARA_CASES["multi_HBR_sweep"]
    for hbr, expected in zip(case["HBR"], case["expected"]["PcCircle"], strict=True):
        value = _cara(case, float(hbr))
        rel = 1e-7 if float(hbr) <= 100 else 5e-4
        assert value == pytest.approx(expected, rel=rel, abs=0.0)


def test_cara_leo_6x6():
    case = CARA_CASES["leo_6x6_similar_2D_3D"]
    value = _cara(case, case["HBR"])
    assert value == pytest.approx(case["expected"]["PcElrod (2D, position block)"], rel=case["reltol"])


@pytest.mark.parametrize("k", [0, 1])
def test_cara_conj_data_extras(k):
    case = CARA_CASES["PcCircleWithConjData_extras"]
    exp = case["expected"]
    cov2 = np.array(case["cov2_variants_row_major"][k]).reshape(3, 3)
    plane = pc.encounter_plane(case["r1"], case["v1"], case["cov1"], case["r2"], case["v2"], cov2)
    diag = pc.diagonalize(plane.miss_xz_m, plane.cov_xz_m2, case["HBR"])
    assert plane.miss_m == pytest.approx(exp["MissDistance"][k], rel=case["reltol"])
    assert diag.sy_m == pytest.approx(exp["SemiMajorAxis"][k], rel=case["reltol"])
    assert diag.sx_m == pytest.approx(exp["SemiMinorAxis"][k], rel=case["reltol"])
    assert diag.remediated == exp["IsRemediated"][k]
    assert _cara(case, case["HBR"], cov2) == pytest.approx(exp["Pc"][k], rel=1e-7, abs=0.0)


def _cdm_pc(name: str, hbr_m: float) -> float:
    """Foster Pc from a CARA sample CDM (EME2000 states, RTN covariances rotated to ECI)."""
    cdm = read_cdm(CDMS / name)
    args = []
    for obj in cdm.objects:
        args += [obj.r_m, obj.v_mps, pc.rtn_to_eci_cov(obj.cov_rtn_6x6, obj.r_m, obj.v_mps)]
    return pc.pc_from_states(*args, hbr_m)


def test_cara_cdm_based():
    for exp in CARA_CASES["cdm_based"]["expected"][:2]:
        value = _cdm_pc(exp["cdm"], exp["HBR"])
        if "Pc2D_Foster circle" in exp:
            assert value == pytest.approx(exp["Pc2D_Foster circle"], rel=exp["reltol"])
        else:
            assert value == exp["Pc2D_Foster"]


def test_cdm_alfano_cases_match_cara_pc2d():
    for case in ALFANO[:11]:
        name = f"AlfanoTestCase{case['case']:02d}.cdm"
        assert _cdm_pc(name, case["HBR_m"]) == pytest.approx(case["expected"]["CARA_Pc2D"], rel=1e-3)


def test_max_pc_scaled_bounds_frisbee_reference():
    exp = CARA_CASES["cdm_based"]["expected"][3]
    for index, (lower, hbr) in enumerate(zip(exp["FrisbeeMaxPc >= "], exp["HBR"], strict=True)):
        cdm = read_cdm(CDMS / f"AlfanoTestCase{index + 1:02d}.cdm")
        (o1, o2) = cdm.objects
        covs = [pc.rtn_to_eci_cov(o.cov_rtn_6x6, o.r_m, o.v_mps) for o in (o1, o2)]
        plane = pc.encounter_plane(o1.r_m, o1.v_mps, covs[0], o2.r_m, o2.v_mps, covs[1])
        assert pc.pc_max_scaled(plane.miss_xz_m, plane.cov_xz_m2, hbr)[0] >= lower * (1 - 1e-3)


@pytest.mark.parametrize("aspect", [1.0, 3.0])
def test_pc_max_small_hbr_limit(aspect):
    """Alfano (2005): for HBR << miss, Pc_max -> AR * HBR^2 / (e * miss^2) at major sigma = miss / sqrt(2)."""
    miss, hbr = 1000.0, 5.0
    result = pc.pc_max(miss, hbr, aspect)
    assert result.pc_max == pytest.approx(aspect * hbr**2 / (math.e * miss**2), rel=1e-3)
    assert result.sigma_at_max_m * aspect == pytest.approx(miss / math.sqrt(2), rel=1e-3)


def test_pc_max_isotropic_vectorised():
    miss = np.array([5.0, 50.0, 500.0, 5000.0])
    values, sigmas = pc.pc_max_isotropic(miss, 10.0)
    assert values[0] == 1.0 and sigmas[0] == 0.0
    for m, v in zip(miss[1:], values[1:], strict=True):
        assert v == pytest.approx(pc.pc_max(m, 10.0).pc_max, rel=1e-6)
    assert values[-1] == pytest.approx(10.0**2 / (math.e * 5000.0**2), rel=1e-4)


def test_pc_max_isotropic_spline_path_matches_scalar_maximisation():
    """Above 20,000 events the vectorised max Pc interpolates exact nodes; it must still equal Brent's maximum."""
    rng = np.random.default_rng(7)
    miss = np.concatenate([rng.uniform(1.0, 5000.0, 30_000), [5.0, 12.0, 25.0]])
    hbr = np.concatenate([rng.uniform(0.5, 30.0, 30_000), [10.0, 10.0, 10.0]])
    values, sigmas = pc.pc_max_isotropic(miss, hbr)
    assert values[-3] == 1.0 and sigmas[-3] == 0.0
    for k in [*range(0, 30_000, 1_500), 30_001, 30_002]:
        ref = pc.pc_max(miss[k], hbr[k])
        assert values[k] == pytest.approx(ref.pc_max, rel=1e-9)
        assert sigmas[k] == pytest.approx(ref.sigma_at_max_m, rel=1e-5)
