"""Jamming model against independent forms: textbook free-space loss with skyfield positions, the radio-horizon
rule of thumb, the effective-C/N0 relation, band overlap and scenario parsing."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest

from orbitshare.pnt.jamming import (
    SIGNALS,
    Jammer,
    PropagationModel,
    ReceiverModel,
    band_overlap_fraction,
    carrier_to_noise_dbhz,
    jamming,
    js_tolerance_db,
    radio_horizon_km,
)
from orbitshare.pnt.scenario import ScenarioError, bundled_scenario_path, load_scenario, parse_scenario


def _ecef_km(lat, lon, h_m):
    """WGS-84 Earth-fixed position (km) from skyfield (independent of orbitshare.astro.frames)."""
    from skyfield.api import wgs84

    return np.array(wgs84.latlon(lat, lon, elevation_m=h_m).itrs_xyz.km)


def test_js_matches_textbook_free_space_budget():
    """J/S = EIRP - (20 log d_m + 20 log f_Hz - 147.55) + G_rx + 10 log(B_rx/B_j) - S_min, d from skyfield."""
    jam = Jammer("J", 46.05, 14.50, 30.0, 10.0, 1575.42, 20.0)
    lat = np.array([46.06, 46.10, 46.20])
    lon = np.array([14.52, 14.60, 14.70])
    rx = ReceiverModel(height_m=2.0, gain_toward_jammer_dbi=-5.0)
    res = jamming([jam], lat, lon, 0.0, rx, PropagationModel(horizon=False))
    for i in range(3):
        d_m = 1e3 * np.linalg.norm(_ecef_km(lat[i], lon[i], 2.0) - _ecef_km(46.05, 14.50, 30.0))
        fspl = 20 * math.log10(d_m) + 20 * math.log10(1575.42e6) - 147.55
        for k, key in enumerate(res.signals):
            sig = SIGNALS[key]
            expect = 10.0 - fspl - 5.0 + 10 * math.log10(sig.rx_bandwidth_mhz / 20.0) - sig.min_power_dbw
            assert res.js_db[i, k] == pytest.approx(expect, abs=0.01)


def test_minimum_powers_are_the_interface_specification_values():
    """IS-GPS-200 L1 C/A -158.5 dBW; Galileo OS SIS ICD E1 -157 dBW."""
    assert SIGNALS["GPS-L1CA"].min_power_dbw == -158.5
    assert SIGNALS["GAL-E1"].min_power_dbw == -157.0


def test_radio_horizon_rule_of_thumb():
    """4/3 Earth: d_km = 4.12 (sqrt(h1_m) + sqrt(h2_m)) (e.g. ITU-R / standard radio engineering rule)."""
    for h1, h2 in [(10.0, 2.0), (600.0, 2.0), (30.0, 30.0)]:
        assert radio_horizon_km(h1, h2) == pytest.approx(4.12 * (math.sqrt(h1) + math.sqrt(h2)), rel=2e-3)


def test_jammer_beyond_horizon_contributes_nothing():
    jam = Jammer("J", 46.0, 14.5, 2.0, 30.0, 1575.42, 2.0)
    near, far = 46.0 + 5.0 / 111.0, 46.0 + 30.0 / 111.0  # 5 km and 30 km north; horizon for 2 m / 2 m is 11.7 km
    res = jamming([jam], np.array([near, far]), np.array([14.5, 14.5]), 0.0)
    assert np.isfinite(res.js_db[0]).all() and np.isneginf(res.js_db[1]).all()
    assert not res.system_ok[0].any() and res.system_ok[1].all()


def test_tolerance_is_where_effective_cn0_reaches_the_threshold():
    """(C/N0)_eff = 1 / (1/(C/N0) + (J/S)/(Q Rc)) equals the tracking threshold at the derived J/S tolerance."""
    rx = ReceiverModel(tracking_threshold_dbhz=28.0)
    for key in SIGNALS:
        sig = SIGNALS[key]
        for waveform, q in (("noise", 2.0), ("spread", 1.5), ("cw", 1.0)):
            js = 10 ** (js_tolerance_db(sig, rx, waveform) / 10)
            cn0 = 10 ** (carrier_to_noise_dbhz(sig, rx) / 10)
            eff = 1.0 / (1.0 / cn0 + js / (q * sig.chip_rate_hz))
            assert 10 * math.log10(eff) == pytest.approx(28.0, abs=1e-9)
    # C/A code against wideband noise: about 35 dB, inside the 24-40 dB range quoted for typical receivers
    assert 33.0 < js_tolerance_db(SIGNALS["GPS-L1CA"], rx) < 37.0
    assert js_tolerance_db(SIGNALS["GPS-L1CA"], ReceiverModel(js_tolerance_db=24.0)) == 24.0


def test_unjammed_cn0_from_minimum_power():
    """C/N0 = -158.5 dBW - (-228.6 dBW/K/Hz + 10 log 290 K) - 2 dB = 43.5 dB-Hz."""
    c = carrier_to_noise_dbhz(SIGNALS["GPS-L1CA"], ReceiverModel())
    assert c == pytest.approx(-158.5 + 228.5991 - 10 * math.log10(290.0) - 2.0, abs=1e-9)


def test_band_overlap():
    assert band_overlap_fraction(1575.42, 20.0, 1575.42, 2.046) == pytest.approx(2.046 / 20.0)
    assert band_overlap_fraction(1176.45, 20.0, 1575.42, 2.046) == 0.0
    assert band_overlap_fraction(1575.42, 0.0, 1575.42, 2.046) == 1.0  # CW line in band
    assert band_overlap_fraction(1575.42, 1.0, 1575.42, 2.046) == 1.0


def test_l5_jammer_leaves_l1_receiver_locked_and_powers_add():
    lat, lon = np.array([46.01]), np.array([14.5])
    l5 = Jammer("L5", 46.0, 14.5, 10.0, 20.0, 1176.45, 20.0)
    assert jamming([l5], lat, lon, 0.0).system_ok.all()
    one = Jammer("a", 46.0, 14.5, 10.0, 0.0, 1575.42, 2.0)
    two = [one, Jammer("b", 46.0, 14.5, 10.0, 0.0, 1575.42, 2.0)]
    d = jamming(two, lat, lon, 0.0).js_db - jamming([one], lat, lon, 0.0).js_db
    np.testing.assert_allclose(d, 10 * math.log10(2.0), atol=1e-9)


def test_bundled_scenario_reads():
    sc = load_scenario(bundled_scenario_path())
    assert len(sc.jammers) == 3 and sc.receiver.signals == ("GPS-L1CA", "GAL-E1")


@pytest.mark.parametrize("text, needle", [
    ("jammers: [{lat_deg: 46, lon_deg: 14, eirp_dbw: 10, band: L9}]", "jammers[0].band"),
    ("jammers: [{lat_deg: 46, lon_deg: 14, band: L1}]", "eirp_dbw"),
    ("jammers: [{lat_deg: 96, lon_deg: 14, eirp_dbw: 1, band: L1}]", "jammers[0].lat_deg"),
    ("jammers: [{lat_deg: 46, lon_deg: 14, eirp_dbw: 1, band: L1, f_mhz: 1575}]", "exactly one"),
    ("jammers: []\nreceiver: {gain_dbi: 3}", "unknown field 'gain_dbi'"),
    ("jammers: []\nreceiver: {signals: [GPS-L2C]}", "receiver.signals"),
    ("jammers: [a, b", "not valid YAML"),
])
def test_scenario_errors_name_the_field(text, needle):
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(io.StringIO(text), "j.yaml")
    assert needle in str(exc.value) and str(exc.value).startswith("j.yaml")
    assert "\n" not in str(exc.value)
