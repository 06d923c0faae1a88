"""Element age, co-located pairs and screening CDMs, on real element sets (CelesTrak, 2026-03-10).

References: python-sgp4 (not our kernels) for the range of the formation pairs over the window; the CCSDS
NDM/XML 1.0 CDM schema for the written messages; a CCSDS test file known to lack a covariance block."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sgp4.api import WGS72, Satrec
from typer.testing import CliRunner

from orbitshare.catalog import read_catalog
from orbitshare.ccsds.cdm import read_cdm
from orbitshare.ccsds.cdm.schema import cdm_schema_errors
from orbitshare.cli import app
from orbitshare.ssa.conjunction.colocated import COLOCATED_RANGE_KM
from orbitshare.ssa.conjunction.element_age import STALE_AFTER_DAYS, default_start, stale
from orbitshare.ssa.conjunction.screening import screen
from orbitshare.ssa.conjunction.screening_cdm import write_screening_cdms
from orbitshare.ssa.conjunction.tle_covariance import TleCovarianceModel, fit_error_growth, read_element_history

DATA = Path(__file__).parents[1] / "data"
FORMATIONS = DATA / "screening" / "celestrak_active_2026-03-10_formations.csv"
START = datetime(2026, 3, 9, 12, tzinfo=UTC)
STOP = START + timedelta(days=2)
PAIRS = {(31698, 36605), (56153, 56154), (56153, 56155), (56153, 56156), (56154, 56155), (56154, 56156),
         (56155, 56156)}  # TerraSAR-X / TanDEM-X and the four PIESAT satellites


@pytest.fixture(scope="module")
def formations():
    """TerraSAR-X, TanDEM-X, PIESAT A-D and STARLINK-6107 (which crosses PIESAT A's orbit)."""
    cat, report = read_catalog(FORMATIONS)
    assert len(cat) == 7 and not report.rejects
    return cat


@pytest.fixture(scope="module")
def result(formations):
    """All-vs-all screening of the seven objects over 2 days at 5 km."""
    return screen(formations, START, STOP, 5.0)


def _satrec(cat, norad: int) -> Satrec:
    """python-sgp4 record of one catalog object (WGS-72, improved mode, as the catalog's element set)."""
    row = cat.index_of([norad])[0]
    sat = Satrec()
    sat.sgp4init(WGS72, "i", norad, (cat["epoch_jd"][row] + cat["epoch_fr"][row]) - 2433281.5, cat["bstar"][row],
                 0.0, 0.0, cat["ecc"][row], np.radians(cat["argp_deg"][row]), np.radians(cat["incl_deg"][row]),
                 np.radians(cat["mean_anomaly_deg"][row]), cat["mean_motion_revday"][row] * 2 * np.pi / 1440.0,
                 np.radians(cat["raan_deg"][row]))
    return sat


def _python_sgp4_max_range_km(cat, a: int, b: int) -> float:
    """Largest range (km) between two objects over the window, python-sgp4 every 60 s."""
    t = np.arange(0.0, 2.0, 60.0 / 86400.0)
    jd0 = 2461108.5  # 2026-03-09 00:00 UTC
    pos = [_satrec(cat, n).sgp4_array(np.full(t.shape, jd0), 0.5 + t)[1] for n in (a, b)]
    return float(np.linalg.norm(pos[0] - pos[1], axis=1).max())


def test_formation_pairs_are_flagged_and_kept(formations, result):
    """Every formation pair is flagged co-located in all its events (none dropped), python-sgp4 confirms they stay
    within the co-location range, and the crossing STARLINK-6107 / PIESAT A pair is not flagged."""
    pairs = {(int(a), int(b)) for a, b in zip(result["norad_id_1"], result["norad_id_2"], strict=True)}
    assert PAIRS <= pairs
    for a, b in PAIRS:
        sel = (result["norad_id_1"] == a) & (result["norad_id_2"] == b)
        assert result["colocated"][sel].all()
        assert (result["rel_speed_kms"][sel] < 0.01).all()  # formation flyers: below 10 m/s
        reference = _python_sgp4_max_range_km(formations, a, b)
        assert reference < COLOCATED_RANGE_KM
        assert result["pair_max_range_km"][sel][0] == pytest.approx(reference, abs=0.5)
    crossing = ~np.isin(result["norad_id_1"] * 100000 + result["norad_id_2"], [a * 100000 + b for a, b in PAIRS])
    assert not result["colocated"][crossing].any()


def test_stale_limits_by_regime():
    """An element set is stale beyond its regime's limit, forwards and backwards."""
    ages = np.array([2.9, 3.1, -3.1, 6.9, 7.1])
    regimes = np.array(["LEO", "LEO", "LEO", "GEO", "GEO"])
    assert stale(ages, regimes).tolist() == [False, True, True, False, True]
    assert STALE_AFTER_DAYS["LEO"] < STALE_AFTER_DAYS["GEO"]


def test_old_catalog_window_starts_at_its_median_epoch(formations):
    """On 2026-12-04 the catalog of 2026-03-10 is 269 days old: the window starts at its median epoch, said in one
    line that names --start; a fresh catalog keeps now."""
    now = datetime(2026, 12, 4, 15, tzinfo=UTC)
    start, note = default_start(formations, now)
    epochs = sorted(formations.epoch.astype("datetime64[s]").astype(datetime))
    assert abs(start.replace(tzinfo=None) - epochs[3]) < timedelta(hours=1)
    assert "--start" in note and "\n" not in note
    assert default_start(formations, epochs[3].replace(tzinfo=UTC) + timedelta(days=1)) == (
        epochs[3].replace(tzinfo=UTC) + timedelta(days=1), None)


def test_screening_cdms_have_covariance_and_pass_reader_and_schema(formations, result, tmp_path):
    """Every CDM written (KVN and XML) reads back with its mandatory covariance; every XML one is valid against
    the CCSDS CDM schema, with the TLE-based Pc and the covariance source in COMMENT lines."""
    for fmt in ("kvn", "xml"):
        paths = write_screening_cdms(result, formations, tmp_path / fmt, fmt)
        assert len(paths) == len(result)
        for path in paths:
            cdm = read_cdm(path)  # require_covariance=True
            assert cdm.object1.cov_rtn_6x6 is not None and cdm.object2.cov_rtn_6x6 is not None
            assert any("TLE-based" in c for c in cdm.header_comments)
            assert any("Covariance source" in c for c in cdm.object1.comments)
            assert cdm.collision_probability_method == "FOSTER-1992"
            if fmt == "xml":
                assert cdm_schema_errors(path.read_text()) == []


def test_schema_rejects_a_cdm_without_covariance():
    """The vendored schema is not vacuous: a CCSDS test CDM lacking object 1's covariance block fails it."""
    text = (DATA / "cdm" / "CDM-missing-object1-covariance-block.xml").read_text()
    assert any("covarianceMatrix" in e for e in cdm_schema_errors(text))
    assert cdm_schema_errors((DATA / "cdm" / "cdm_example_section4.xml").read_text()) == []


def test_error_growth_fit_recovers_a_known_growth():
    """Residuals drawn from sigma(t) = sqrt(0.1^2 + (0.3 t)^2) km recover it within 10 % (fit of a known law)."""
    rng = np.random.default_rng(1)
    t = rng.uniform(0.2, 8.0, 20000)
    sig = np.sqrt(0.1**2 + (0.3 * t) ** 2)
    resid = rng.standard_normal((t.size, 6)) * sig[:, None]
    fit = fit_error_growth(t, resid, "synthetic")
    for age in (1.0, 4.0, 7.0):
        assert fit.sigma(age)[:3] == pytest.approx(np.sqrt(0.1**2 + (0.3 * age) ** 2), rel=0.1)


def test_own_history_gives_a_calculated_covariance(tmp_path):
    """CryoSat-2's own history (Shorten et al. data set) gives it its own fit; a single-set object the table."""
    path = tmp_path / "cryosat.tle"
    with gzip.open(DATA / "sda" / "maneuvers_CryoSat-2.tle.gz", "rt") as fh:
        path.write_text("".join(fh.readlines()[:400]))
    model = TleCovarianceModel.from_history(read_element_history(path))
    assert 36508 in model.own
    cov, notes = model.covariance(36508, "LEO", 2.0)
    assert cov.shape == (6, 6) and np.all(np.diag(cov) > 0) and "own history" in notes[0]
    _, notes = model.covariance(25544, "LEO", 2.0)
    assert "LEO regime table" in notes[0]


def test_cli_screen_on_an_old_catalog(tmp_path):
    """`orbitshare screen` with no --start on the March catalog: the window moves to its epoch (one line), the
    formation pairs are printed apart, and the XML CDMs pass `orbitshare cdm pc`."""
    runner = CliRunner()
    out = runner.invoke(app, ["screen", str(FORMATIONS), "--days", "1", "--cdm-dir", str(tmp_path / "cdm"),
                              "--cdm-format", "xml", "--out", str(tmp_path / "events.csv")])
    assert out.exit_code == 0, out.output
    assert "median epoch" in out.output and "--start" in out.output
    assert "co-located / formation pairs" in out.output and "Pc TLE" in out.output
    files = sorted(str(p) for p in (tmp_path / "cdm").glob("*.xml"))
    assert files
    pc = runner.invoke(app, ["cdm", "pc", *files[:5], "--json"])
    assert pc.exit_code == 0, pc.output
    late = runner.invoke(app, ["screen", str(FORMATIONS), "--days", "1", "--start", "2026-12-01T00:00:00Z"])
    assert late.exit_code == 0, late.output
    assert "use element sets older than their regime's limit" in late.output


def test_cli_propagate_warns_on_stale_element_sets(tmp_path):
    """Propagating the March element sets to December prints the one-line stale warning."""
    out = CliRunner().invoke(app, ["propagate", str(FORMATIONS), "--start", "2026-12-01T00:00:00Z", "--stop",
                                   "2026-12-01T01:00:00Z", "--out", str(tmp_path / "eph.csv")])
    assert out.exit_code == 0, out.output
    assert "7 of 7 objects use element sets older than" in out.output


def test_demo_window_keeps_the_partner_satellites_fresh():
    """`make run`'s demo window: the partner satellites' element sets (epochs 2026-03-10) are within their age
    limit at both ends, whatever today's date."""
    from orbitshare.demo import NATIONAL_ASSETS, demo_window, load_demo_catalog
    from orbitshare.ssa.conjunction.element_age import stale_in_window

    cat, _ = load_demo_catalog()
    start, stop = demo_window(cat)
    assets = cat.select(ids=NATIONAL_ASSETS)
    assert len(assets) == 2 and not stale_in_window(assets, start, stop).any()
    epochs = assets.epoch.astype("datetime64[s]").astype(datetime)
    assert all(abs((start - e).total_seconds()) < 86400 * STALE_AFTER_DAYS["LEO"] for e in epochs)


def test_iss_and_docked_vehicles_from_two_days_are_colocated():
    """The ISS's element set of 2026-03-09 against the docked vehicles' (the ISS's set of 2026-03-10): 50 m apart
    at cm/s, maximum Pc near 1, every event kept and flagged co-located; python-sgp4 confirms the range stays
    within a few km over the day."""
    cat, report = read_catalog(DATA / "screening" / "iss_2026-03-09_docked_2026-03-10.json")
    assert len(cat) == 9 and not report.rejects
    start = datetime(2026, 3, 10, tzinfo=UTC)
    res = screen(cat, start, start + timedelta(days=1), 5.0)
    assert set(res["norad_id_1"].tolist()) == {25544} and len(set(res["norad_id_2"].tolist())) == 8
    assert res["colocated"].all() and (res["rel_speed_kms"] < 0.01).all() and res["pc_max"].max() > 0.1
    sat = [_satrec(cat, n) for n in (25544, 67796)]
    t = np.arange(0.0, 1.0, 60.0 / 86400.0)
    pos = [s.sgp4_array(np.full(t.shape, 2461109.5), t)[1] for s in sat]
    assert np.linalg.norm(pos[0] - pos[1], axis=1).max() < COLOCATED_RANGE_KM


def test_cli_proximity_and_overflights_warn_on_stale_element_sets(tmp_path):
    """`sda proximity` and `sda overflights` on the March element sets in December print the stale warning."""
    runner = CliRunner()
    window = ["--start", "2026-12-01T00:00:00Z", "--stop", "2026-12-01T12:00:00Z"]
    out = runner.invoke(app, ["sda", "proximity", str(FORMATIONS), "--assets", "31698", *window, "--out",
                              str(tmp_path / "prox.json")])
    assert out.exit_code == 0, out.output
    assert "use element sets older than their regime's limit" in out.output
    config = tmp_path / "watch.yaml"
    config.write_text("sites:\n  - {name: Ljubljana, lat: 46.06, lon: 14.51}\n"
                      "satellites:\n  - {name_contains: TERRASAR, sensor: sar, owner: DE}\n")
    out = runner.invoke(app, ["sda", "overflights", str(FORMATIONS), "--config", str(config), *window, "--out",
                              str(tmp_path / "over.json")])
    assert out.exit_code == 0, out.output
    assert "1 of 1 watched satellites use element sets older than" in out.output
