"""Manoeuvre detection against operator-reported manoeuvre times (Shorten et al. benchmark, vendored)."""

from __future__ import annotations

import dataclasses
import gzip
from pathlib import Path

import numpy as np
import pytest

from orbitshare.catalog.tle import read_tle
from orbitshare.ssa.manoeuvres import (
    REGIME_CONFIG,
    Manoeuvre,
    detect_manoeuvres,
    evaluate,
    history_from_records,
    match_detections,
    read_history,
    read_truth,
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
    """Matching by window: a true time within the detection window widened by the tolerance."""
    return {name: evaluate(hist, truth, TOLERANCE_DAYS) for name, (hist, truth) in histories.items()}


@pytest.fixture(scope="module")
def time_table(histories):
    """Matching by estimated burn time: a true time within the tolerance of the detection's time_jd."""
    return {name: evaluate(hist, truth, TOLERANCE_DAYS, by="time") for name, (hist, truth) in histories.items()}


def _pooled(rows, names):
    tp = sum(rows[n]["tp"] for n in names)
    fp = sum(rows[n]["fp"] for n in names)
    fn = sum(rows[n]["fn"] for n in names)
    p, r = tp / (tp + fp), tp / (tp + fn)
    return p, r, 2 * p * r / (p + r)


def test_regimes_are_classified(table):
    assert all(table[n]["regime"] == "LEO" for n in LEO)
    assert all(table[n]["regime"] == "GEO" for n in GEO)


def test_geo_detection_against_operator_truth(table):
    """GEO, window matching (+-1 day): pooled F1 >= 0.9 (issue target; reached 0.911), every satellite >= 0.85."""
    p, r, f1 = _pooled(table, GEO)
    assert f1 >= 0.91, (p, r, f1)
    assert all(table[n]["f1"] >= 0.85 for n in GEO), {n: table[n]["f1"] for n in GEO}


def test_leo_detection_against_operator_truth(table):
    """LEO, window matching (+-1 day): pooled precision >= 0.9 and F1 >= 0.8 (issue target; reached 0.829, 0.816
    with the earlier greedy matching). Haiyang-2A alone stays far below (recall 0.43, its burns are within its
    2014-2018 noise; docs/sda.md)."""
    p, r, f1 = _pooled(table, LEO)
    assert p >= 0.9 and f1 >= 0.82, (p, r, f1)
    assert all(table[n]["precision"] >= 0.75 for n in LEO), {n: table[n]["precision"] for n in LEO}


def test_windows_contain_the_reported_times(histories):
    """The windows themselves (no tolerance) hold the reported times: pooled F1 with the true time required
    inside the window, LEO 0.816 (0.48 before the 1-day fit-span lead: the first LEO set showing a burn often has
    an epoch before it) and GEO 0.901."""
    zero = {n: evaluate(h, truth, 0.0) for n, (h, truth) in histories.items()}
    assert _pooled(zero, LEO)[2] >= 0.81, _pooled(zero, LEO)
    assert _pooled(zero, GEO)[2] >= 0.9, _pooled(zero, GEO)


def test_detection_times_against_operator_truth(time_table):
    """Matching by the estimated burn time (+-1 day, the stricter reading of the issue's tolerance): the levels
    reached (docs/sda.md) -- GEO 0.87, LEO 0.73 (0.69 before the ramp timing); both below the issue targets
    0.9 / 0.8."""
    p, r, f1 = _pooled(time_table, GEO)
    assert f1 >= 0.86, (p, r, f1)
    p, r, f1 = _pooled(time_table, LEO)
    assert f1 >= 0.72, (p, r, f1)
    assert time_table["Sentinel-3A"]["f1"] >= 0.85 and time_table["Fengyun-2E"]["f1"] >= 0.9


def test_burn_time_lies_in_the_window(histories):
    for name in ("Jason-2", "Fengyun-4A"):
        for m in detect_manoeuvres(histories[name][0]):
            assert m.window_start_jd <= m.time_jd <= m.window_end_jd, m.as_dict()
            assert m.as_dict()["time"]


def test_ramp_start_of_a_burn_absorbed_over_several_sets():
    """A step absorbed over three sets (catalog fit spans straddling the burn) is timed at the start of its ramp;
    a sharp step at the epoch after it. With noise of a tenth of the step the ramp start is right in most draws
    and never more than one set (a day) off."""
    from orbitshare.ssa.manoeuvres import _ramp_start

    rng = np.random.default_rng(5)
    tt = np.arange(14.0) + 0.3
    ramp = np.clip((tt - 6.3) / 4.0, 0.0, 1.0)  # burn just after 6.3: sets 7.3, 8.3, 9.3 part-way
    assert _ramp_start(tt, 0.02 * ramp, 8, tt[9]) == 6.3
    starts = []
    for _ in range(40):
        starts.append(_ramp_start(tt, 0.02 * ramp + rng.normal(0.0, 0.002, tt.size), 8, tt[9]))  # 20 m, 2 m noise
        sharp = 0.02 * (tt > 6.5) + rng.normal(0.0, 0.002, tt.size)
        assert _ramp_start(tt, sharp, 6, tt[7]) == tt[7]
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
    assert abs(m.time_jd - (2459000.5 + burn)) < 0.2, (m.time_jd - 2459000.5, lag_days)
    assert m.direction == "in-track -" and 0.1 < abs(m.dv_intrack_mps) < 0.3


def test_match_by_window_or_time():
    def det(t0, t1, tm):
        return Manoeuvre(1, t0, t1, 0.0, 0.01, 0.0, "in-track +", "orbit change", 0.9, 20.0, 0.01, 0.0, time_jd=tm)

    dets = [det(10.0, 14.0, 13.5), det(20.0, 21.0, 20.5)]
    truth = np.array([9.5, 20.2, 30.0])
    assert match_detections(dets, truth, 1.0)[:3] == (2, 0, 1)  # 9.5 lies in [10 - 1, 14 + 1]
    tp, fp, fn, pairs = match_detections(dets, truth, 1.0, by="time")  # 9.5 is 4 days from 13.5
    assert (tp, fp, fn) == (1, 1, 2) and pairs == [(1, 1)]
    # the second window covers both true times, the first only the earlier one: the optimal matching pairs both
    # (nearest-first greedy gave the second detection the earlier time and left two unpaired, Jason-2 2016-10-03)
    dets = [det(0.0, 1.0, 1.0), det(1.2, 6.0, 5.0)]
    assert match_detections(dets, np.array([4.0, 1.5]), 1.0)[:3] == (2, 0, 0)
    assert match_detections(dets, np.array([4.0, 1.5]), 1.0)[3] == [(0, 0), (1, 1)]
    assert match_detections([], truth, 1.0)[:3] == (0, 0, 3)
    with pytest.raises(ValueError, match="by must be"):
        match_detections(dets, truth, 1.0, by="nearest")
    with pytest.raises(ValueError, match="timing must be"):
        dataclasses.replace(REGIME_CONFIG["GEO"], timing="middle")


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
        assert m.direction in ("in-track +", "in-track -", "radial", "out-of-plane")
        assert m.kind in ("station-keeping", "orbit change")
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
    from orbitshare.ssa.alerts import AlertStore, manoeuvre_alert, read_alerts, write_alerts

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
    assert rows[0].startswith("norad_id,window_start,window_end,dv_mps")
    assert len(rows) - 1 == len(detect_manoeuvres(read_history(hist_file)))
    res = CliRunner().invoke(app, ["sda", "manoeuvres", str(tmp_path / "nope.tle")])
    assert res.exit_code == 2 and "nope.tle" in res.output


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
