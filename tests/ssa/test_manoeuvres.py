"""Manoeuvre detection against operator-reported manoeuvre times (Shorten et al. benchmark, vendored with the
times corrected to UTC, see tests/data/sda/maneuvers_SOURCE.txt) and against synthetic histories with known burns.

The levels asserted here are in-sample (the adopted configuration on all satellites of its regime); the
held-out (leave-one-satellite-out) figures are bench/sda.py's and docs/sda.md's."""

from __future__ import annotations

import dataclasses
import gzip
from pathlib import Path

import numpy as np
import pytest

from orbitshare.catalog.tle import read_tle
from orbitshare.ssa.behaviour.evaluation import (
    evaluate,
    f1_score,
    leave_one_out,
    match_detections,
    read_truth,
    sigma_floor,
)
from orbitshare.ssa.behaviour.io import read_history
from orbitshare.ssa.behaviour.manoeuvres import (
    KINDS,
    REGIME_CONFIG,
    Manoeuvre,
    detect_manoeuvres,
    history_from_records,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "sda"
LEO = ["CryoSat-2", "Haiyang-2A", "Jason-1", "Jason-2", "Sentinel-3A", "Sentinel-6A"]
GEO = ["Fengyun-2D", "Fengyun-2E", "Fengyun-2F", "Fengyun-4A"]
TOLERANCE_DAYS = 1.0


def _load(name: str):
    """Cleaned history and true manoeuvre times (JD) of one benchmark satellite."""
    hist = read_history(DATA / f"maneuvers_{name}.tle.gz")
    norad, truth = read_truth_gz(DATA / f"maneuvers_manoeuvres_{name}.yaml.gz")
    assert norad == int(hist.catalog.norad_id[0])
    return hist, truth


def read_truth_gz(path: Path):
    """read_truth on a gzipped YAML file (through a temporary plain copy)."""
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as fh:
        fh.write(gzip.open(path, "rt").read())
    try:
        return read_truth(fh.name)
    finally:
        Path(fh.name).unlink()


@pytest.fixture(scope="module")
def histories():
    return {name: _load(name) for name in LEO + GEO}


@pytest.fixture(scope="module")
def table(histories):
    """Matching by burn time: a true time within the tolerance of the detection's time_jd, one-to-one."""
    return {name: evaluate(hist, truth, TOLERANCE_DAYS) for name, (hist, truth) in histories.items()}


def _pooled(rows, names):
    tp = sum(rows[n]["tp"] for n in names)
    fp = sum(rows[n]["fp"] for n in names)
    fn = sum(rows[n]["fn"] for n in names)
    p, r = tp / (tp + fp), tp / (tp + fn)
    return p, r, 2 * p * r / (p + r)


def test_regimes_are_classified(table):
    assert all(table[n]["regime"] == "LEO" for n in LEO)
    assert all(table[n]["regime"] == "GEO" for n in GEO)


def test_geo_burn_times_against_operator_truth(table):
    """GEO, burn time within 1 day of the reported (UTC-corrected) time: pooled F1 0.870 in-sample, 0.865 held
    out (the issue's target is 0.95, not met), every satellite >= 0.75; median |error| 3 h."""
    p, r, f1 = _pooled(table, GEO)
    assert f1 >= 0.86, (p, r, f1)
    assert all(table[n]["f1"] >= 0.75 for n in GEO), {n: table[n]["f1"] for n in GEO}
    errors = np.concatenate([table[n]["errors_s"] for n in GEO])
    assert np.median(np.abs(errors)) <= 4 * 3600.0


def test_leo_burn_times_against_operator_truth(table):
    """LEO, burn time within 1 day: pooled precision >= 0.8 and F1 0.766 in-sample, 0.761 held out (target 0.85,
    not met: Haiyang-2A, Jason-1 and Sentinel-6A burns of a few mm/s are absorbed by the catalog over days); the
    median |error| of the matched burns is within the 6-hour target (2.7 h), CryoSat-2 and Sentinel-3A 1-2 h."""
    p, r, f1 = _pooled(table, LEO)
    assert p >= 0.8 and f1 >= 0.75, (p, r, f1)
    errors = np.concatenate([table[n]["errors_s"] for n in LEO])
    assert np.median(np.abs(errors)) <= 6 * 3600.0
    for name in ("CryoSat-2", "Sentinel-3A"):
        assert table[name]["f1"] >= 0.88 and np.median(np.abs(table[name]["errors_s"])) <= 2.5 * 3600.0


def test_corrected_truth_fits_better_than_the_published_times(histories):
    """The burn times agree with the UTC-corrected reported times, not with the published ones (LEO one day
    late, Fengyun 8 h late): median signed error within 3 h of the corrected times, over 5 h off the published."""
    for name, late_days in (("CryoSat-2", 1.0), ("Sentinel-3A", 1.0), ("Fengyun-2E", 8 / 24), ("Fengyun-2F", 8 / 24)):
        hist, truth = histories[name]
        corrected = np.median(evaluate(hist, truth, TOLERANCE_DAYS)["errors_s"]) / 3600.0
        published = np.median(evaluate(hist, truth + late_days, TOLERANCE_DAYS)["errors_s"]) / 3600.0
        assert abs(corrected) < 3.0 and abs(published) > 5.0, (name, corrected, published)


def test_burn_time_sigma_is_stated_and_calibrated(table, histories):
    """Every detection carries a finite 1-sigma of at least the regime's model-error floor; the matched burns'
    errors against the reported times are close to normal in units of it: about 68 % within 1 sigma and at least
    80 % / 90 % (LEO / GEO) within 2 sigma (in-sample 65 / 84 % and 72 / 93 %; held out: LEO 65 / 84 %, GEO 73 /
    90 %, bench/sda.py; the LEO tail is heavier than normal)."""
    for m in detect_manoeuvres(histories["Jason-2"][0]):
        assert REGIME_CONFIG["LEO"].time_sigma_floor_s <= m.time_sigma_s < 10 * 86400.0
        assert m.timing in ("crossing", "bracket")
    for names, two_sigma in ((LEO, 0.8), (GEO, 0.9)):
        z = []
        for n in names:
            det = detect_manoeuvres(histories[n][0])
            z += [abs(det[d].time_jd - tt) * 86400.0 / det[d].time_sigma_s for d, tt in table[n]["pairs"]]
        z = np.array(z)
        assert 0.6 <= np.mean(z <= 1.0) <= 0.76 and np.mean(z <= 2.0) >= two_sigma, (np.mean(z <= 1), np.mean(z <= 2))


def test_sigma_floor_calibration():
    """sigma_floor: errors of a normal distribution with stated sigmas half the true ones get a floor that brings
    the median |z| to 0.6745; sigmas that already cover the errors get none."""
    rng = np.random.default_rng(2)
    true_sig = 3600.0
    err = rng.normal(0.0, true_sig, 4000)
    floor = sigma_floor(err, np.full(err.size, true_sig / 2))
    assert floor == pytest.approx(np.sqrt(true_sig**2 - (true_sig / 2) ** 2), rel=0.05)
    assert sigma_floor(err, np.full(err.size, 2 * true_sig)) == 0.0


def test_burn_time_lies_in_the_window(histories):
    for name in ("Jason-2", "Fengyun-4A"):
        for m in detect_manoeuvres(histories[name][0]):
            assert m.window_start_jd <= m.time_jd <= m.window_end_jd, m.as_dict()
            assert m.as_dict()["time"]


def test_bracket_outside_the_lag_widens_the_window(histories):
    """Without bracket_in_window (the LEO configuration) a bracket time may precede onset - lag_days (Jason-1's
    catalog shows some small burns 3-6 days late); the window then starts at it, so the time still lies in the
    window, and crossing times are the same as when the bracket is held in the window."""
    hist = histories["Jason-1"][0]
    assert not REGIME_CONFIG["LEO"].bracket_in_window
    held = detect_manoeuvres(hist, config=dataclasses.replace(REGIME_CONFIG["LEO"], bracket_in_window=True))
    free = detect_manoeuvres(hist, "LEO")
    assert len(held) == len(free)
    moved = 0
    for a, b in zip(held, free, strict=True):
        assert b.window_start_jd <= b.time_jd <= b.window_end_jd, b.as_dict()
        assert b.window_start_jd <= a.window_start_jd and b.window_end_jd == a.window_end_jd
        if a.timing == "crossing":
            assert b.time_jd == a.time_jd
        moved += b.time_jd < a.time_jd - 1e-9
    assert moved > 0


def test_ramp_of_a_burn_absorbed_over_several_sets():
    """A step absorbed over three sets (catalog fit spans straddling the burn) gives the last set at the old level
    and the first at the new one; a sharp step the sets either side. With noise of a tenth of the step the ramp
    start is right in most draws and never more than one set (a day) off."""
    from orbitshare.ssa.behaviour.manoeuvres import fit_ramp

    rng = np.random.default_rng(5)
    tt = np.arange(14.0) + 0.3
    ramp = np.clip((tt - 6.3) / 4.0, 0.0, 1.0)  # burn just after 6.3: sets 7.3, 8.3, 9.3 part-way
    assert fit_ramp(tt, 0.02 * ramp, 8) == (6, 10)
    starts = []
    for _ in range(40):
        starts.append(tt[fit_ramp(tt, 0.02 * ramp + rng.normal(0.0, 0.002, tt.size), 8)[0]])  # 20 m, 2 m noise
        sharp = 0.02 * (tt > 6.5) + rng.normal(0.0, 0.002, tt.size)
        assert fit_ramp(tt, sharp, 6) == (6, 7)
    starts = np.array(starts)
    assert np.median(starts) == 6.3 and np.all(np.abs(starts - 6.3) <= 1.0), starts


def _synthetic_geo(burn_day: float, lag_days: float, rng) -> list[dict]:
    """Daily GEO element sets with one in-track burn (n += 2e-4 rev/day, about 0.2 m/s) at burn_day: mean
    longitude continuous at the burn; sets less than lag_days after it still carry the old orbit (catalog lag)."""
    base = {"norad_id": 99999, "name": "", "intl_des": "2000-001A", "object_type": "PAYLOAD", "classification": "U",
            "ecc": 0.0002, "incl_deg": 0.05, "raan_deg": 0.0, "argp_deg": 0.0, "bstar": 0.0, "ndot": 0.0,
            "nddot": 0.0, "element_set_no": 999, "rev_at_epoch": 1}
    n0, dn, t0 = 1.0027, 2e-4, 2459000.5
    recs = []
    for day in range(90):
        t = day + 0.3 + rng.uniform(-0.15, 0.15)
        post = t > burn_day + lag_days
        n = n0 + dn * post
        lam = 360.0 * (n0 * t + (dn * (t - burn_day) if post else 0.0)) + rng.normal(0.0, 0.002)
        recs.append(base | {"epoch_jd": t0 + np.floor(t), "epoch_fr": t - np.floor(t), "mean_anomaly_deg": lam % 360.0,
                            "mean_motion_revday": n + rng.normal(0.0, 2e-7)})
    return recs


@pytest.mark.parametrize("lag_days", [0.0, 0.6, 1.7])
def test_geo_burn_time_from_the_along_track_crossing(lag_days):
    """The crossing of the along-track lines times a GEO burn to within 0.2 d, however late the catalog shows it."""
    rng = np.random.default_rng(3)
    burn = 45.55
    hist = history_from_records(_synthetic_geo(burn, lag_days, rng), "synthetic")
    found = detect_manoeuvres(hist)
    assert len(found) == 1, [m.as_dict() for m in found]
    m = found[0]
    err = m.time_jd - (2459000.5 + burn)
    assert abs(err) < 0.2 and abs(err) * 86400.0 < 4.0 * m.time_sigma_s, (err, m.time_sigma_s / 86400.0, lag_days)
    assert m.timing == "crossing" and m.time_sigma_s < 0.2 * 86400.0
    assert m.direction == "in-track -" and 0.1 < abs(m.dv_intrack_mps) < 0.3
    assert m.kind == "in-track" and m.axis == "east-west"
    assert 0.0 < m.dv_sigma_mps[1] < 0.2 * abs(m.dv_intrack_mps) and m.dv_sigma_mps[0] == m.dv_sigma_mps[2] == 0.0


def test_match_by_window_or_time():
    def det(t0, t1, tm):
        return Manoeuvre(1, t0, t1, 0.0, 0.01, 0.0, "in-track +", "orbit change", 0.9, 20.0, 0.01, 0.0, time_jd=tm)

    dets = [det(10.0, 14.0, 13.5), det(20.0, 21.0, 20.5)]
    truth = np.array([9.5, 20.2, 30.0])
    assert match_detections(dets, truth, 1.0, by="window")[:3] == (2, 0, 1)  # 9.5 lies in [10 - 1, 14 + 1]
    tp, fp, fn, pairs = match_detections(dets, truth, 1.0, by="time")  # 9.5 is 4 days from 13.5
    assert (tp, fp, fn) == (1, 1, 2) and pairs == [(1, 1)]
    # the second window covers both true times, the first only the earlier one: the optimal matching pairs both
    # (nearest-first greedy gave the second detection the earlier time and left two unpaired, Jason-2 2016-10-03)
    dets = [det(0.0, 1.0, 1.0), det(1.2, 6.0, 5.0)]
    assert match_detections(dets, np.array([4.0, 1.5]), 1.0, by="window")[:3] == (2, 0, 0)
    assert match_detections(dets, np.array([4.0, 1.5]), 1.0, by="window")[3] == [(0, 0), (1, 1)]
    assert match_detections([], truth, 1.0)[:3] == (0, 0, 3)
    with pytest.raises(ValueError, match="by must be"):
        match_detections(dets, truth, 1.0, by="nearest")
    with pytest.raises(ValueError, match="timing must be one of"):
        dataclasses.replace(REGIME_CONFIG["GEO"], timing="middle")


def test_leave_one_out_never_looks_at_the_held_out_satellite():
    """The configuration chosen for a satellite depends only on the others' counts (pooled F1 over them)."""
    counts = np.array([[[5, 5, 5], [8, 1, 1], [8, 1, 1]],  # config 0: good on satellites 1, 2
                       [[10, 0, 0], [6, 3, 3], [6, 3, 3]]])  # config 1: perfect on satellite 0
    # satellite 0 out: config 0 pools 0.889 on 1+2 against 0.667; satellites 1 or 2 out: config 1 pools 0.842
    assert leave_one_out(counts).tolist() == [0, 1, 1]
    for worst in ([0, 10, 10], [10, 0, 0]):  # whatever the configurations score on satellite 0 itself
        counts[:, 0] = worst
        assert leave_one_out(counts)[0] == 0
    assert f1_score(8, 1, 1) == pytest.approx(16 / 18) and f1_score(0, 0, 0) == 0.0


def _synthetic_leo(burn_day: float, rng) -> list[dict]:
    """Daily LEO element sets (a = 7,100 km) with one in-track burn of +26 mm/s (a +50 m) at burn_day: the
    along-track angle continuous at the burn, drifting slower by the mean-motion change after it; 0.001 deg
    (120 m) noise."""
    base = {"norad_id": 99998, "name": "", "intl_des": "2000-002A", "object_type": "PAYLOAD", "classification": "U",
            "ecc": 0.001, "incl_deg": 98.0, "raan_deg": 10.0, "argp_deg": 90.0, "bstar": 0.0, "ndot": 0.0,
            "nddot": 0.0, "element_set_no": 999, "rev_at_epoch": 1}
    mu = 398600.4418
    a0, da = 7100.0, 0.050
    n_of = lambda a: np.sqrt(mu / a**3) * 86400.0 / (2 * np.pi)  # noqa: E731 (rev/day)
    n0, n1 = n_of(a0), n_of(a0 + da)
    recs, t0 = [], 2459000.5
    for day in range(60):
        t = day + 0.4 + rng.uniform(-0.2, 0.2)
        post = t > burn_day
        lam = 360.0 * (n0 * t + ((n1 - n0) * (t - burn_day) if post else 0.0)) + rng.normal(0.0, 0.001)
        recs.append(base | {"epoch_jd": t0 + np.floor(t), "epoch_fr": t - np.floor(t), "mean_anomaly_deg": lam % 360.0,
                            "mean_motion_revday": (n1 if post else n0) * (1 + rng.normal(0.0, 1e-8))})
    return recs


def test_leo_burn_time_between_element_sets():
    """A 26 mm/s LEO burn at a known time between two daily sets is timed by the along-track crossing to within
    2 h, inside its stated 3-sigma, with the delta-v within 20 % (Gauss: dv_T = v da / 2a)."""
    rng = np.random.default_rng(11)
    burn = 30.7
    hist = history_from_records(_synthetic_leo(burn, rng), "synthetic-leo")
    found = detect_manoeuvres(hist, "LEO")
    assert len(found) == 1, [m.as_dict() for m in found]
    m = found[0]
    err_s = (m.time_jd - (2459000.5 + burn)) * 86400.0
    assert m.timing == "crossing" and abs(err_s) < 7200.0 and abs(err_s) < 3.0 * m.time_sigma_s, (err_s, m.time_sigma_s)
    v = np.sqrt(398600.4418 / 7100.0) * 1000.0
    assert m.dv_intrack_mps == pytest.approx(v * 0.050 / (2 * 7100.0), rel=0.2)
    assert m.kind == "in-track" and m.axis == "" and m.direction == "in-track +"


def test_single_outliers_and_duplicates_do_not_create_detections():
    hist, _ = _load("Sentinel-3A")
    base = detect_manoeuvres(hist)
    lines = gzip.open(DATA / "maneuvers_Sentinel-3A.tle.gz", "rt").read().splitlines()
    items = list(read_tle(lines, "s3a"))
    rng = np.random.default_rng(1)
    recs = [r for r in items if isinstance(r, dict)]
    recs.sort(key=lambda r: r["epoch_jd"] + r["epoch_fr"])
    for i in rng.choice(np.arange(50, len(recs) - 50), 15, replace=False):  # corrupt 15 isolated sets
        recs[i] = dict(recs[i], mean_motion_revday=recs[i]["mean_motion_revday"] * (1 + 3e-5))
    dup = [dict(r, epoch_fr=r["epoch_fr"] + 1e-4) for r in recs[100:110]]  # re-issued sets, 8.6 s later
    noisy = history_from_records(recs + dup, "noisy")
    got = detect_manoeuvres(noisy)
    assert len(noisy.catalog) == len(hist.catalog)
    assert abs(len(got) - len(base)) <= 1


def test_detection_fields_are_consistent():
    hist, _ = _load("Fengyun-2E")
    found = detect_manoeuvres(hist)
    assert found
    for m in found:
        assert m.window_start_jd < m.window_end_jd and 0.5 <= m.confidence <= 1.0
        assert m.direction in ("in-track +", "in-track -", "radial", "normal")
        assert m.kind in KINDS and m.purpose in ("station-keeping", "orbit change")
        assert m.axis == ("north-south" if m.kind == "normal" else "east-west") or m.kind == "combined"
        if m.direction.startswith("in-track"):
            assert np.sign(m.dv_intrack_mps) == np.sign(m.delta_sma_km)
    assert REGIME_CONFIG["GEO"] is not REGIME_CONFIG["LEO"]


@pytest.mark.parametrize("text, message", [
    ("manoeuvre_timestamps: 5\n", "expected a 'manoeuvre_timestamps' list"),
    ("- a\n- b\n", "expected a 'manoeuvre_timestamps' list"),
    ("manoeuvre_timestamps: [2015-01-01, [\n", "not valid YAML"),
    ("manoeuvre_timestamps:\n- 2015-01-01 10:00:00\n- yesterday\n", r"manoeuvre_timestamps\[1\]"),
    ("SATCAT number: abc\nmanoeuvre_timestamps: []\n", "SATCAT number: not an integer"),
])
def test_bad_truth_file_is_a_clear_error(tmp_path, text, message):
    path = tmp_path / "truth.yaml"
    path.write_text(text)
    with pytest.raises(ValueError, match=message) as info:
        read_truth(path)
    assert "truth.yaml" in str(info.value)


def test_truth_file_times_and_id(tmp_path):
    path = tmp_path / "truth.yaml"
    path.write_text("SATCAT number: 38049\nmanoeuvre_timestamps:\n- 2012-09-11 15:00:00\n- 2013-01-15T02:30:00Z\n")
    norad, jd = read_truth(path)
    assert norad == 38049 and np.allclose(jd, [2456182.125, 2456307.6041666665], atol=1e-9)
    path.write_text("manoeuvre_timestamps:\n")
    assert read_truth(path)[0] is None and read_truth(path)[1].size == 0


def test_bad_input_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.tle"
    bad.write_text("1 25544U 98067A   24001.5 garbage\nnot a tle\n")
    with pytest.raises(ValueError, match=r"bad.tle: no valid element sets"):
        read_history(bad)
    with pytest.raises(FileNotFoundError, match=r"missing\.tle"):
        read_history(tmp_path / "missing.tle")
    two = tmp_path / "two.tle"
    src = gzip.open(DATA / "maneuvers_Jason-1.tle.gz", "rt").read().splitlines()[:4]
    other = gzip.open(DATA / "maneuvers_Jason-2.tle.gz", "rt").read().splitlines()[:2]
    two.write_text("\n".join(src + other) + "\n")
    with pytest.raises(ValueError, match="several objects"):
        read_history(two)
    assert len(read_history(two, norad_id=26997).catalog) == 2


def test_alerts_round_trip_json_csv(tmp_path):
    from orbitshare.ssa.behaviour.alerts import manoeuvre_alert
    from orbitshare.ssa.behaviour.io import AlertStore, read_alerts, write_alerts

    hist, _ = _load("Fengyun-2D")
    alerts = [manoeuvre_alert(m, "Fengyun-2D.tle") for m in detect_manoeuvres(hist)[:5]]
    assert alerts and all(a.element_sets[0]["epoch"] < a.element_sets[1]["epoch"] for a in alerts)
    for suffix in (".json", ".csv", ".jsonl"):
        back = read_alerts(write_alerts(alerts, tmp_path / f"a{suffix}"))
        assert [a.as_dict() for a in back] == [a.as_dict() for a in alerts]
    store = AlertStore(tmp_path / "store.jsonl")
    assert store.add(alerts) == 5 and store.add(alerts) == 0 and len(store.all()) == 5
    (tmp_path / "bad.json").write_text("{}")
    with pytest.raises(ValueError, match=r"bad\.json: not an alert file"):
        read_alerts(tmp_path / "bad.json")


def test_cli_writes_one_row_per_manoeuvre(tmp_path):
    from typer.testing import CliRunner

    from orbitshare.cli import app

    hist_file = tmp_path / "fy2d.tle"
    hist_file.write_text(gzip.open(DATA / "maneuvers_Fengyun-2D.tle.gz", "rt").read())
    out = tmp_path / "F.csv"
    res = CliRunner().invoke(app, ["sda", "manoeuvres", str(hist_file), "--out", str(out)])
    assert res.exit_code == 0, res.output
    rows = out.read_text().splitlines()
    assert rows[0].startswith("norad_id,time,time_sigma_s,window_start,window_end,dv_mps")
    for col in ("dv_intrack_sigma_mps", "dv_normal_sigma_mps", "kind", "axis", "confidence"):
        assert col in rows[0].split(",")
    assert len(rows) - 1 == len(detect_manoeuvres(read_history(hist_file)))
    res = CliRunner().invoke(app, ["sda", "manoeuvres", str(tmp_path / "nope.tle")])
    assert res.exit_code == 2 and "nope.tle" in res.output


def test_cli_plots_the_history(tmp_path):
    """--plot writes a PNG; a plot path that is not .png or cannot be written is a usage error (exit 2)."""
    from typer.testing import CliRunner

    from orbitshare.cli import app

    hist_file = tmp_path / "fy2d.tle"
    hist_file.write_text(gzip.open(DATA / "maneuvers_Fengyun-2D.tle.gz", "rt").read())
    truth_file = tmp_path / "fy2d.yaml"
    truth_file.write_text(gzip.open(DATA / "maneuvers_manoeuvres_Fengyun-2D.yaml.gz", "rt").read())
    png = tmp_path / "fy2d.png"
    res = CliRunner().invoke(app, ["sda", "manoeuvres", str(hist_file), "--out", str(tmp_path / "F.csv"),
                                   "--plot", str(png), "--truth", str(truth_file)])
    assert res.exit_code == 0, res.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
    res = CliRunner().invoke(app, ["sda", "manoeuvres", str(hist_file), "--plot", str(tmp_path / "x.jpg")])
    assert res.exit_code == 2 and "--plot" in res.output
    res = CliRunner().invoke(app, ["sda", "manoeuvres", str(hist_file), "--plot", str(tmp_path / "no" / "x.png")])
    assert res.exit_code == 2 and "--plot" in res.output and "does not exist" in res.output, res.output


def test_cli_scores_against_reported_times(tmp_path):
    """--truth: P/R/F1 printed, each row carries the reported time it matched (Fengyun-2D: 20 of 22 reported
    manoeuvres inside the history span matched, 23 detections; see the table in docs/sda.md)."""
    from typer.testing import CliRunner

    from orbitshare.cli import app

    hist_file = tmp_path / "fy2d.tle"
    hist_file.write_text(gzip.open(DATA / "maneuvers_Fengyun-2D.tle.gz", "rt").read())
    truth_file = tmp_path / "fy2d.yaml"
    truth_file.write_text(gzip.open(DATA / "maneuvers_manoeuvres_Fengyun-2D.yaml.gz", "rt").read())
    out = tmp_path / "F.csv"
    res = CliRunner().invoke(app, ["sda", "manoeuvres", str(hist_file), "--out", str(out), "--truth", str(truth_file)])
    assert res.exit_code == 0, res.output
    assert "TP 20 FP 3 FN 2" in res.output and "F1 0.889" in res.output, res.output
    import csv

    rows = list(csv.DictReader(out.open()))
    assert sum(bool(r["reported_time"]) for r in rows) == 20
    res = CliRunner().invoke(app, ["sda", "manoeuvres", str(hist_file), "--truth", str(truth_file), "--match", "x"])
    assert res.exit_code == 2 and "--match" in res.output
    truth_file.write_text("manoeuvre_timestamps: [2015-13-45]\n")
    res = CliRunner().invoke(app, ["sda", "manoeuvres", str(hist_file), "--truth", str(truth_file)])
    assert res.exit_code == 2 and "manoeuvre_timestamps[0]" in res.output, res.output


def test_step_margin_marks_the_burn_boundary_only():
    """The detection margin exceeds 1 at the boundary whose first later set follows the synthetic burn, and stays
    below 1 at every boundary more than a set away from it."""
    from orbitshare.ssa.behaviour.manoeuvres import step_margin

    rng = np.random.default_rng(11)
    burn = 2459000.5 + 30.7
    hist = history_from_records(_synthetic_leo(30.7, rng), "synthetic-leo")
    t_after, margin = step_margin(hist, "LEO")
    assert t_after.shape == margin.shape == (len(hist.catalog) - 1,)
    first = int(np.argmax(t_after > burn))
    assert margin[first] > 1.0
    far = np.abs(np.arange(margin.size) - first) > REGIME_CONFIG["LEO"].k  # beyond the k-set medians' reach
    assert np.all(margin[far] < 1.0), margin[far].max()


def test_explain_errors_names_the_causes():
    """One synthetic burn against reported lists built to exercise every cause: matched; a burn with no step in
    the sets (below threshold); a second burn hours after the first (paired); a report two days off (timing miss
    and timing false alarm); no report at all (an unreported large step)."""
    from orbitshare.ssa.behaviour.evaluation import explain_errors

    rng = np.random.default_rng(11)
    hist = history_from_records(_synthetic_leo(30.7, rng), "synthetic-leo")
    det = detect_manoeuvres(hist, "LEO")
    t0 = 2459000.5
    got = explain_errors(hist, np.array([t0 + 30.7, t0 + 10.2, t0 + 30.9]), det, 1.0, "LEO")
    assert got["misses"] == {"paired": 1, "timing": 0, "below threshold": 1, "not separated": 0}
    assert sum(got["false_alarms"].values()) == 0
    got = explain_errors(hist, np.array([t0 + 32.8]), det, 1.0, "LEO")
    assert got["misses"]["timing"] == 1 and got["false_alarms"]["timing"] == 1
    got = explain_errors(hist, np.array([t0 + 50.0]), det, 1.0, "LEO")
    assert got["misses"]["below threshold"] == 1 and got["false_alarms"]["unreported large step"] == 1
