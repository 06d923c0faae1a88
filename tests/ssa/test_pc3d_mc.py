"""3D Pc, Monte Carlo Pc and 2D usage violations against NASA CARA's references for the Alfano (2009) cases.

Tolerances are CARA's: Pc3D_Hall_UnitTest compares Pc3D with its Alfano-case values at 1e-3 relative and with
Alfano's 1e8-trial Monte Carlo (case 7 CDM) at 5e-3; LinearConjDuration_UnitTest checks the conjunction bounds at
5e-8. Monte Carlo results are checked against CARA's 1e8-trial Monte Carlo with a tolerance derived from the
binomial spread of both estimates (4 combined standard deviations; seeded, so the test is deterministic).
"""

import json
import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from orbitshare.ccsds.cdm import read_cdm
from orbitshare.cli import app
from orbitshare.ssa.conjunction import pc, pc3d, pc_montecarlo, pc_usage

DATA = Path(__file__).resolve().parents[1] / "data"
ALFANO = json.loads((DATA / "pc" / "alfano2009_cases.json").read_text())["cases"]
CARA = json.loads((DATA / "pc" / "cara_pc_unit_test_expected.json").read_text())
CARA_ALFANO = CARA["alfano2009"]
CARA_CASES = {c["id"]: c for c in CARA["cases"]}
COPPOLA = json.loads((DATA / "pc" / "cara_linear_conj_duration_expected.json").read_text())
CDMS = DATA / "cdm" / "cara_sample_cdms"
Z_95 = 1.959963984540054


def _at_tca(case):
    """States and 6x6 covariances at TCA of an Alfano 2009 case (m, m/s, m^2)."""
    t = case["at_TCA"]
    return t["r1_m"], t["v1_mps"], t["cov1_6x6_m_s"], t["r2_m"], t["v2_mps"], t["cov2_6x6_m_s"]


def _cdm_args(name: str):
    """ECI states and covariances (m, m/s, m^2) of both objects of a CARA sample CDM."""
    args = []
    for obj in read_cdm(CDMS / name).objects:
        args += [obj.r_m, obj.v_mps, pc.rtn_to_eci_cov(obj.cov_rtn_6x6, obj.r_m, obj.v_mps)]
    return args


@pytest.mark.parametrize("case", COPPOLA["cases"], ids=lambda c: c["id"])
def test_coppola_bounds_match_cara_linear_conj_duration(case):
    r = np.subtract(case["r2"], case["r1"])
    v = np.subtract(case["v2"], case["v1"])
    tau0, tau1 = pc3d.conjunction_bounds_coppola(case["HBR_m"], r, v, np.add(case["c1"], case["c2"]))
    assert tau0 == pytest.approx(case["tau0_s"], rel=COPPOLA["reltol"])
    assert tau1 == pytest.approx(case["tau1_s"], rel=COPPOLA["reltol"])


def test_coppola_bounds_zero_relative_velocity():
    case = COPPOLA["cases"][0]
    bounds = pc3d.conjunction_bounds_coppola(20.0, np.subtract(case["r2"], case["r1"]), np.zeros(3),
                                             np.add(case["c1"], case["c2"]))
    assert bounds == (-math.inf, math.inf)


@pytest.mark.parametrize("index", range(12), ids=lambda k: f"alfano{k + 1:02d}")
def test_pc3d_alfano2009_matches_cara_pc3d(index):
    """CARA Pc3D_Hall_UnitTest/testAlfano: window +-TLimit, 1e-3 relative."""
    case = ALFANO[index]
    expected = CARA_ALFANO["Pc3D_Hall_Neph1000"][index]
    assert case["expected"]["CARA_Pc3D"] == pytest.approx(expected, rel=1e-9)
    result = pc3d.pc_3d(*_at_tca(case), case["HBR_m"], t_limit_s=CARA_ALFANO["TLimit_s_for_Pc3D"][index])
    assert result.pc == pytest.approx(expected, rel=CARA_ALFANO["reltol"])


def test_pc3d_alfano07_cdm_matches_alfano_monte_carlo():
    """CARA Pc3D_Hall_UnitTest/testOutputStruct: Alfano case 7 CDM, default window, vs Alfano's 1e8 MC, 5e-3."""
    exp = CARA_CASES["cdm_based"]["expected"][2]
    result = pc3d.pc_3d(*_cdm_args(exp["cdm"]), exp["HBR"])
    assert result.nc == pytest.approx(exp["Pc3D_Hall and Nc"], rel=exp["reltol"])


def test_pc3d_omitron_3d_case_far_above_2d():
    """CARA's Omitron Test08: the 2D Pc (2.3e-20) is 15 orders below the 3D one (1.93e-5).

    Ours propagates a Cartesian Gaussian; CARA's Pc3D_Hall a Gaussian in equinoctial elements. With a 4 km
    in-track sigma on a 7190 km orbit the two differ (curvature ~10 m radially vs a 33 m radial sigma), so this
    case is held to a factor 1.5 of CARA's value rather than CARA's 1e-3 (docs/pc.md).
    """
    exp = CARA_CASES["cdm_based"]["expected"][0]
    args = _cdm_args(exp["cdm"])
    assert pc.pc_from_states(*args, exp["HBR"]) == pytest.approx(exp["Pc2D_Foster circle"], rel=exp["reltol"])
    result = pc3d.pc_3d(*args, exp["HBR"])
    assert exp["Pc3D_Hall"] / 1.5 < result.pc < exp["Pc3D_Hall"] * 1.5


def test_pc3d_npd_covariance_case_is_zero():
    """CARA's Omitron Test07 (non-positive-definite covariance, remediated): Pc3D_Hall = Nc3D = 0."""
    exp = CARA_CASES["cdm_based"]["expected"][1]
    result = pc3d.pc_3d(*_cdm_args(exp["cdm"]), exp["HBR"])
    assert result.pc == exp["Pc3D_Hall"] and result.nc == exp["Nc3D"]


def test_pc3d_leo_6x6_matches_cara():
    """CARA PcMultiStep/Pc3D_Hall 'sample' LEO case: Pc3D 0.010289973 at 1e-3."""
    case = CARA_CASES["leo_6x6_similar_2D_3D"]
    result = pc3d.pc_3d(case["r1"], case["v1"], case["cov1"], case["r2"], case["v2"], case["cov2"], case["HBR"])
    assert result.pc == pytest.approx(case["expected"]["Pc3D_Hall"], rel=case["reltol"])


def test_pc3d_needs_6x6():
    case = CARA_CASES["omitron_case1"]
    with pytest.raises(ValueError, match="6x6"):
        pc3d.pc_3d(case["r1"], case["v1"], case["cov1"], case["r2"], case["v2"], case["cov2"], 20.0)


def test_binomial_interval_matches_cara_binofit():
    """CARA's 1e8-trial intervals are MATLAB binofit (Clopper-Pearson) at 95 %, printed to ~1e-8."""
    for case in (ALFANO[0], ALFANO[6]):
        e = case["expected"]
        lo, hi = pc_montecarlo.binomial_interval(int(e["CARA_MCHits"]), int(e["CARA_MCTrials"]))
        assert lo == pytest.approx(e["CARA_PcMCLo95"], rel=1e-7)
        assert hi == pytest.approx(e["CARA_PcMCHi95"], rel=1e-7)


MC_CASES = [(1, 20_000), (2, 20_000), (3, 10_000), (9, 10_000), (10, 10_000)]


@pytest.mark.parametrize(("number", "trials"), MC_CASES, ids=[f"alfano{n:02d}" for n, _ in MC_CASES])
def test_monte_carlo_alfano2009_matches_cara_monte_carlo(number, trials):
    """Seeded MC within 4 combined binomial standard deviations of CARA's 1e8-trial MC; the 2D Pc of the
    nonlinear cases (1, 2, 9, 10) lies outside our 95 % interval, the linear case's (3) inside."""
    case, index = ALFANO[number - 1], number - 1
    e = case["expected"]
    result = pc_montecarlo.pc_monte_carlo(*_at_tca(case), case["HBR_m"], trials,
                                          (-CARA_ALFANO["TLimit_s_for_Pc3D"][index],
                                           CARA_ALFANO["TLimit_s_for_Pc3D"][index]), seed=20090209)
    sigma_ref = (e["CARA_PcMCHi95"] - e["CARA_PcMCLo95"]) / (2 * Z_95)
    sigma = math.sqrt(e["CARA_PcMC"] * (1 - e["CARA_PcMC"]) / trials + sigma_ref**2)
    assert abs(result.pc - e["CARA_PcMC"]) <= 4 * sigma
    assert result.ci_low <= result.pc <= result.ci_high
    pc2d = e["CARA_Pc2D"]
    inside = result.ci_low <= pc2d <= result.ci_high
    assert inside == (number == 3)


def test_monte_carlo_is_reproducible_and_batch_independent():
    case = ALFANO[2]
    window = (-200.0, 200.0)
    a = pc_montecarlo.pc_monte_carlo(*_at_tca(case), case["HBR_m"], 3000, window, seed=5, batch=1000)
    b = pc_montecarlo.pc_monte_carlo(*_at_tca(case), case["HBR_m"], 3000, window, seed=5, batch=3000)
    assert a.hits == b.hits and a.trials == 3000


def _describes_linear_motion(case) -> bool:
    """Alfano's own description of the case: linear relative motion."""
    return case["description"].endswith(", linear relative motion")


CLEAR_CUT = [c for c in ALFANO if "near-linear" not in c["description"]]  # case 6 is neither


@pytest.mark.parametrize("case", CLEAR_CUT, ids=lambda c: f"alfano{c['case']:02d}")
def test_usage_violation_follows_alfano_descriptions(case):
    """Cases Alfano describes as linear relative motion pass the 2D checks; nonlinear, leader-follower and
    identical-orbit cases are flagged. Uses CARA's Pc2D and Pc3D."""
    e = case["expected"]
    pc2d = e["CARA_Pc2D"] if e["CARA_Pc2D"] is not None else math.nan
    usage = pc_usage.usage_violation_pc2d(*_at_tca(case), case["HBR_m"], pc2d, e["CARA_Pc3D"])
    assert usage.violated == (not _describes_linear_motion(case))


def test_usage_violation_zero_relative_speed_is_extended():
    case = ALFANO[11]
    usage = pc_usage.usage_violation_pc2d(*_at_tca(case), case["HBR_m"])
    assert usage.extended == 1.0 and usage.offset == 1.0 and "extended" in usage.reasons


def test_cli_cdm_pc_reports_3d_mc_and_usage():
    runner = CliRunner()
    name = str(CDMS / "AlfanoTestCase02.cdm")
    result = runner.invoke(app, ["cdm", "pc", name, "--json", "--mc", "4000", "--seed", "3"])
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout)["results"][0]
    expected = ALFANO[1]["expected"]
    assert row["pc"]["foster"] == pytest.approx(expected["CARA_Pc2D"], rel=1e-3)
    # two approaches three hours apart: the main one is the CLI's Pc 3D, the other is reported beside it;
    # together they are CARA's +-21600 s value (CDM states are rounded: 1e-2)
    assert row["pc_3d"] < expected["CARA_Pc3D"]
    assert row["pc_3d"] + row["nc_3d_other_approaches"] == pytest.approx(expected["CARA_Pc3D"], rel=1e-2)
    assert row["usage_violation"]["violated"] is True
    assert row["pc_mc"]["trials"] == 4000 and row["pc_mc"]["seed"] == 3
    table = runner.invoke(app, ["cdm", "pc", name, "--no-3d"])
    assert table.exit_code == 0 and "VIOLATED" in table.output and "Pc 3D" in table.output


def test_cli_cdm_pc_help_explains_every_column():
    result = CliRunner().invoke(app, ["cdm", "pc", "--help"], env={"COLUMNS": "200"})
    for column in ("Foster", "Chan", "Alfano05", "Pc max", "Pc 3D", "MC", "2D usage"):
        assert column in result.output
