"""MODCOD ladder, antenna patterns, link arithmetic, scenario threats and PACE."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest

from orbitshare.satcom.atmosphere import exceedance_at_margin
from orbitshare.satcom.evaluate import evaluate, orbit_mix, pace_table
from orbitshare.satcom.jamming import (
    angle_between_deg,
    bandwidth_overlap_db,
    earth_station_gain_dbi,
    radio_horizon_km,
    satellite_relative_gain_db,
)
from orbitshare.satcom.linkbudget import combine_cn_db, rain_noise_increase_db
from orbitshare.satcom.modcod import load_modcods
from orbitshare.satcom.models import ModelError, load_models, read_models
from orbitshare.satcom.region import Sites
from orbitshare.satcom.scenario import Jammer, LinkOption, Scenario, ScenarioError, read_scenario


def test_modcods_respect_shannon_and_ladder():
    """Every MODCOD needs more Es/N0 than the Shannon limit 2^eta - 1; the ACM ladder rises in both columns."""
    for std in (("S2",), ("S2", "S2X")):
        mc = load_modcods(std)
        shannon = 10 * np.log10(2.0 ** mc.efficiency_bps_hz - 1.0)
        assert np.all(mc.esn0_db > shannon)
        assert np.all(np.diff(mc.esn0_db) > 0) and np.all(np.diff(mc.efficiency_bps_hz) > 0)
    mc = load_modcods()
    idx, eff = mc.select(np.array([-5.0, 1.0, 1.5, 30.0]), margin_db=0.5)
    assert idx[0] == -1 and eff[0] == 0.0
    assert mc.names[idx[1]] == "QPSK 9/20"          # 0.5 dB available: 0.22 closes, 1.00 (QPSK 1/2) does not
    assert mc.names[idx[3]] == "256APSK 3/4" and eff[3] == pytest.approx(5.900855)
    assert len(load_modcods(("S2",))) >= 20


def test_earth_station_pattern_s465():
    """S.465-6: 32 - 25 log phi between phi_min and 48 deg, -10 dBi beyond; the peak at boresight."""
    g = earth_station_gain_dbi(np.array([0.0, 2.0, 10.0, 30.0, 60.0, 170.0]), 1.0, 0.6, 20.0)
    g_max = 10 * math.log10(0.6 * (math.pi * 1.0 * 20e9 / 299792458.0) ** 2)
    assert g[0] == pytest.approx(g_max)
    assert g[1] == pytest.approx(32 - 25 * math.log10(2.0))
    assert g[2] == pytest.approx(7.0) and g[3] == pytest.approx(32 - 25 * math.log10(30.0))
    assert g[4] == -10.0 and g[5] == -10.0


def test_satellite_pattern_s672():
    """S.672-4: -3 dB at psi0, Ls = -25 dB between 2.88 and 6.32 psi0, then Ls + 20 - 25 log(psi/psi0)."""
    r = satellite_relative_gain_db(np.array([0.0, 1.0, 2.0, 4.0, 10.0]), 1.0, -25.0)
    assert r[0] == 0.0 and r[1] == pytest.approx(-3.0) and r[2] == pytest.approx(-12.0)
    assert r[3] == -25.0 and r[4] == pytest.approx(-25 + 20 - 25.0)


def test_geometry_helpers():
    """Angles between directions, radio horizon (4/3 Earth) and band overlap."""
    assert angle_between_deg(0, 0, 90, 0) == pytest.approx(90.0)
    assert angle_between_deg(10, 30, 10, 50) == pytest.approx(20.0)
    assert radio_horizon_km(100.0, 0.0) == pytest.approx(41.2)
    assert bandwidth_overlap_db(20.7, 100.0, 20.7, 20.0) == pytest.approx(0.0)
    assert bandwidth_overlap_db(20.7, 100.0, 20.75, 20.0) == pytest.approx(10 * math.log10(0.5))
    assert bandwidth_overlap_db(20.7, 100.0, 21.7, 20.0) == float("-inf")


def test_link_arithmetic():
    """C/(N+I) adds inverse ratios; the sky-noise rise of 3 dB fade on a 200 K receiver; p inversion."""
    assert combine_cn_db(10.0, 10.0) == pytest.approx(10 - 10 * math.log10(2))
    assert float(rain_noise_increase_db(3.0, 200.0)) == pytest.approx(
        10 * math.log10((200 + 275 * (1 - 10 ** -0.3)) / 200))
    p = np.array([0.01, 0.1, 1.0])
    a = np.array([[10.0, 5.0, 2.0]])
    assert exceedance_at_margin(a, p, np.array([5.0]))[0] == pytest.approx(0.1)
    assert exceedance_at_margin(a, p, np.array([7.5]))[0] == pytest.approx(10 ** -1.5)
    assert exceedance_at_margin(a, p, np.array([20.0]))[0] == pytest.approx(0.01)
    assert exceedance_at_margin(a, p, np.array([1.0]))[0] == 100.0


def test_bad_models_and_scenarios_are_one_line():
    """Unknown fields, bad values and bad YAML name the file and field in one line."""
    with pytest.raises(ModelError, match=r"^m.yaml: .*") as err:
        read_models(io.StringIO("constellations:\n  - {name: x, orbit: heo}\n"), "m.yaml")
    assert "\n" not in str(err.value)
    with pytest.raises(ScenarioError, match=r"s.yaml: jammers.0.lat_deg"):
        read_scenario(io.StringIO("jammers:\n  - {name: j, target: uplink, lat_deg: 99, lon_deg: 0, eirp_dbw: 1,"
                                  " f_ghz: 20, bandwidth_mhz: 1}\n"), "s.yaml")
    with pytest.raises(ScenarioError, match="line"):
        read_scenario(io.StringIO("a: [\n"), "s.yaml")
    assert read_scenario(io.StringIO("")).name == "baseline"


SITES = Sites(["Ljubljana", "Maribor"], np.array([46.0569, 46.5547]), np.array([14.5058, 15.6459]),
              np.array([0.295, 0.275]))
OPTS = [LinkOption(constellation="govsat-1", band="ka-mil", terminal="ka-mil-1.0m"),
        LinkOption(constellation="govsat-1", band="x", terminal="x-manpack-0.6m"),
        LinkOption(constellation="o3b-mpower", band="ka", terminal="ka-1.0m")]


@pytest.fixture(scope="module")
def threatened():
    """Two sites, 3 h: jammers on the Ka uplink and downlink, GovSat-1 and one MEO slot lost or not."""
    jams = [Jammer(name="up", target="uplink", lat_deg=45.8, lon_deg=15.9, eirp_dbw=60, f_ghz=30.5,
                   bandwidth_mhz=20),
            Jammer(name="down", target="downlink", lat_deg=46.07, lon_deg=14.52, height_m=30, eirp_dbw=30,
                   f_ghz=20.7, bandwidth_mhz=100)]
    return evaluate(SITES, Scenario(hours=3, options=OPTS, jammers=jams), load_models())


def test_jamming_reduces_only_the_attacked_band(threatened):
    """Ka forward and return lose margin; the X-band option (other band) is untouched; baseline is kept."""
    (ka_b, x_b, meo_b), (ka_t, x_t, meo_t) = threatened.baseline, threatened.threatened
    assert np.all(ka_t.rtn_mbps <= ka_b.rtn_mbps) and np.all(ka_t.availability_pct < ka_b.availability_pct)
    np.testing.assert_array_equal(x_t.availability_pct, x_b.availability_pct)
    assert np.all(meo_t.fwd_mbps <= meo_b.fwd_mbps + 1e-9)
    # the downlink jammer is 2 km from Ljubljana and hurts it far more than Maribor (beyond the radio horizon)
    drop = ka_b.fwd_margin_db - ka_t.fwd_margin_db
    assert drop[0] > 0.5 and drop[1] < 0.05
    np.testing.assert_allclose(ka_b.fwd_esn0_db - ka_t.fwd_esn0_db, drop, atol=1e-9)   # Es/(N0+I0) carries it


def test_orbit_mix_and_pace(threatened):
    """Multi-orbit availability is at least every option's; PACE lists options, best first."""
    mix = orbit_mix(threatened.threatened)
    for r in threatened.threatened:
        assert np.all(mix["multi-orbit"] >= r.availability_pct - 1e-9)
    rows = pace_table(SITES, threatened.threatened, 99.5)
    assert [r["site"] for r in rows] == SITES.names
    assert all(r["primary"] != "none" for r in rows)


def test_losing_the_geo_satellite_leaves_meo_only():
    """With GOVSAT-1 lost, the GEO options have no coverage and the multi-orbit result is the MEO one."""
    ev = evaluate(SITES, Scenario(hours=2, options=OPTS, lost_satellites=["GOVSAT-1"]), load_models())
    geo = [r for r in ev.threatened if r.orbit == "geo"]
    assert all(np.all(r.coverage_pct == 0) and np.all(r.availability_pct == 0) for r in geo)
    mix = orbit_mix(ev.threatened)
    np.testing.assert_allclose(mix["multi-orbit"], mix["meo-only"])
    assert np.all(ev.baseline[0].coverage_pct == 100.0)


def test_terminal_follows_the_band_and_leo_shell_hands_over():
    """An option without a terminal gets one of its band; the notional LEO shell covers with many handovers."""
    models = load_models()
    assert models.resolve("govsat-1", "x")[2].name == "x-manpack-0.6m"
    assert models.resolve("govsat-1")[2].name == "ka-mil-1.0m"
    with pytest.raises(ModelError, match="band"):
        models.resolve("govsat-1", "q")
    one = Sites(["Ljubljana"], SITES.lat_deg[:1], SITES.lon_deg[:1], SITES.h_km[:1])
    ev = evaluate(one, Scenario(hours=1, options=[LinkOption(constellation="leo-notional")]), models)
    leo = ev.baseline[0]
    assert leo.terminal == "ku-flat-panel" and leo.coverage_pct[0] == 100.0 and leo.handovers[0] >= 10
    assert leo.mean_latency_ms[0] < 4.0     # 550 km shell above 25 deg elevation: slant range < 1,250 km
