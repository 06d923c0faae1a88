"""`orbitshare passes` against skyfield's find_events, and `propagate --frame gcrf` / `--out .oem|.czml` against
skyfield's EarthSatellite GCRS states (skyfield and its sgp4 are independent of our SGP4 kernels)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow.csv as pacsv
import pytest
from skyfield.api import EarthSatellite, load, wgs84
from tests.conftest import DATA
from typer.testing import CliRunner

from orbitshare.ccsds.oem import OemError, read_oem
from orbitshare.cli import app

runner = CliRunner()
TS = load.timescale(builtin=True)
SAMPLE = DATA / "sda" / "passes_sample.tle"
T0 = datetime(2025, 2, 15, tzinfo=UTC)
SITES = {"Ljubljana": (46.05, 14.51, 300.0), "Luxembourg": (49.61, 6.13, 0.0)}


def _satellites() -> dict[int, EarthSatellite]:
    lines = [ln.rstrip() for ln in SAMPLE.read_text().splitlines() if ln.strip()]
    return {int(lines[i + 1][2:7]): EarthSatellite(lines[i + 1], lines[i + 2], lines[i].strip(), TS)
            for i in range(0, len(lines), 3)}


def _find_events(sat: EarthSatellite, site, t0: datetime, t1: datetime, min_el: float) -> list[tuple]:
    """Complete (rise, culmination, set) triples from skyfield's find_events."""
    topos = wgs84.latlon(site[0], site[1], elevation_m=site[2])
    times, events = sat.find_events(topos, TS.from_datetime(t0), TS.from_datetime(t1), altitude_degrees=min_el)
    out, cur = [], {}
    for t, e in zip(times, events, strict=True):
        cur[int(e)] = t.utc_datetime()
        if e == 2:
            if 0 in cur and 1 in cur:
                out.append((cur[0], cur[1], cur[2]))
            cur = {}
    return out


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def geojson(tmp_path_factory):
    path = tmp_path_factory.mktemp("sites") / "sites.geojson"
    features = [{"type": "Feature", "properties": {"name": n},
                 "geometry": {"type": "Point", "coordinates": [lon, lat, alt]}} for n, (lat, lon, alt) in SITES.items()]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def test_passes_match_skyfield_find_events_at_every_site(geojson, tmp_path):
    """Rise, culmination and set of every LEO pass over two GeoJSON sites within 1 s of skyfield."""
    t1 = T0 + timedelta(hours=18)
    out = tmp_path / "passes.json"
    res = runner.invoke(app, ["passes", str(SAMPLE), "--sites", str(geojson), "--start", T0.isoformat(),
                              "--stop", t1.isoformat(), "--min-elevation", "10", "--out", str(out)])
    assert res.exit_code == 0, res.output
    rows = json.loads(out.read_text())
    compared = 0
    for sid, sat in _satellites().items():
        if sat.model.no_kozai < 0.02:  # GEO: always up, no rise or set to compare
            continue
        for name, site in SITES.items():
            ref = _find_events(sat, site, T0, t1, 10.0)
            ours = [r for r in rows if r["site"] == name and r["norad_id"] == sid
                    and T0 <= _utc(r["rise_utc"]) and _utc(r["set_utc"]) <= t1]
            assert len(ours) == len(ref), (sid, name)
            for r, (rise, culm, set_) in zip(ours, ref, strict=True):
                assert abs((_utc(r["rise_utc"]) - rise).total_seconds()) < 1.0
                assert abs((_utc(r["culmination_utc"]) - culm).total_seconds()) < 1.0
                assert abs((_utc(r["set_utc"]) - set_).total_seconds()) < 1.0
                compared += 1
    assert compared >= 20


def test_passes_single_site_csv_and_ids(tmp_path):
    out = tmp_path / "p.csv"
    res = runner.invoke(app, ["passes", str(SAMPLE), "--site", "46.05,14.51,300", "--ids", "24946",
                              "--start", "2025-02-15T00:00:00Z", "--stop", "2025-02-15T12:00:00Z", "--out", str(out)])
    assert res.exit_code == 0, res.output
    table = pacsv.read_csv(out).to_pydict()
    assert set(table["norad_id"]) == {24946} and len(table["rise_utc"]) >= 2
    assert f"wrote {len(table['rise_utc'])} rows to {out.resolve()}" in res.output.replace("\n", "")


def test_passes_json_on_stdout():
    res = runner.invoke(app, ["passes", str(SAMPLE), "--site", "46.05,14.51,300", "--ids", "22675", "--json",
                              "--start", "2025-02-15T00:00:00Z", "--stop", "2025-02-15T12:00:00Z"])
    assert res.exit_code == 0
    rows = json.loads(res.stdout)
    assert rows and {r["norad_id"] for r in rows} == {22675} and rows[0]["site"] == "46.05,14.51,300"


@pytest.mark.parametrize("args, message", [
    (["--site", "46.05,14.51", "--sites", str(SAMPLE)], "exactly one of --site"),
    (["--site", "46.05"], "expected LAT,LON"),
    (["--site", "146.05,14.51"], "latitude 146.05"),
    (["--site", "46.05,14.51", "--out", "p.parquet"], "unsupported file type '.parquet'; use .csv, .json"),
    (["--site", "46.05,14.51", "--out", "/nonexistent/p.csv"], "directory /nonexistent does not exist"),
])
def test_passes_bad_arguments_exit_2(args, message):
    res = runner.invoke(app, ["passes", str(SAMPLE), "--start", "2025-02-15", "--stop", "2025-02-16", *args])
    assert res.exit_code == 2 and message in " ".join(res.output.split()), res.output


def test_passes_geojson_polygon_is_named(tmp_path):
    bad = tmp_path / "bad.geojson"
    bad.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "area"}, "geometry": {"type": "Polygon", "coordinates": []}}]}))
    res = runner.invoke(app, ["passes", str(SAMPLE), "--sites", str(bad), "--start", "2025-02-15",
                              "--stop", "2025-02-16"])
    assert res.exit_code == 2 and "feature 1 (area) is not a Point" in " ".join(res.output.split())


def _skyfield_gcrs(times: list[datetime]) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    t = TS.from_datetimes(times)
    return {sid: (sat.at(t).position.km.T, sat.at(t).velocity.km_per_s.T) for sid, sat in _satellites().items()}


def _propagate(tmp_path, frame: str, name: str):
    out = tmp_path / name
    res = runner.invoke(app, ["propagate", str(SAMPLE), "--start", "2025-02-15T00:00:00Z",
                              "--stop", "2025-02-15T02:00:00Z", "--step", "10m", "--frame", frame, "--out", str(out)])
    assert res.exit_code == 0, res.output
    return out, [T0 + timedelta(minutes=10 * k) for k in range(13)]


def test_propagate_gcrf_matches_skyfield(tmp_path):
    """GCRF positions within 1 m and velocities within 1 mm/s of skyfield's GCRS states."""
    out, times = _propagate(tmp_path, "gcrf", "s.csv")
    table = pacsv.read_csv(out).to_pydict()
    ref = _skyfield_gcrs(times)
    ids = np.array(table["norad_id"])
    for sid, (r, v) in ref.items():
        rows = ids == sid
        ours_r = np.column_stack([np.array(table[c])[rows] for c in ("x_km", "y_km", "z_km")])
        ours_v = np.column_stack([np.array(table[c])[rows] for c in ("vx_kms", "vy_kms", "vz_kms")])
        assert np.abs(ours_r - r).max() < 1e-3 and np.abs(ours_v - v).max() < 1e-6, sid


def test_oem_reads_back_with_skyfield_numbers(tmp_path):
    """The OEM has one GCRF segment per object whose epochs and states match skyfield's."""
    out, times = _propagate(tmp_path, "gcrf", "s.oem")
    with open(out) as fh:
        segments = read_oem(fh, str(out))
    ref = _skyfield_gcrs(times)
    assert len(segments) == len(ref)
    for seg in segments:
        assert seg.meta["REF_FRAME"] == "GCRF" and seg.meta["TIME_SYSTEM"] == "UTC"
        assert seg.meta["CENTER_NAME"] == "EARTH"
        assert seg.meta["START_TIME"].startswith("2025-02-15T00:00:00")
        assert seg.meta["STOP_TIME"].startswith("2025-02-15T02:00:00")
        assert len(seg.epochs) == len(times)
        assert seg.epochs[-1] - seg.epochs[0] == np.timedelta64(2, "h")
    by_name = {s.meta["OBJECT_NAME"]: s for s in segments}
    for sat in _satellites().values():
        seg = by_name[sat.name]
        r, v = ref[sat.model.satnum]
        assert np.abs(seg.r_km - r).max() < 1e-3 and np.abs(seg.v_kms - v).max() < 1e-6


def test_oem_reader_rejects_a_bad_line(tmp_path):
    """A number that is not a number is named with its line."""
    out, _ = _propagate(tmp_path, "teme", "s.oem")
    lines = out.read_text().splitlines()
    k = next(i for i, ln in enumerate(lines) if ln.startswith("2025-"))
    parts = lines[k].split()
    lines[k] = " ".join([parts[0], "5x3", *parts[2:]])
    bad = tmp_path / "bad.oem"
    bad.write_text("\n".join(lines))
    with open(bad) as fh, pytest.raises(OemError, match=f"line {k + 1}: bad ephemeris line"):
        read_oem(fh, str(bad))


def test_czml_has_the_structure_cesium_expects(tmp_path):
    """Document packet with a clock first; per object an INERTIAL position with an epoch, Lagrange
    interpolation and [t, x, y, z] samples in metres that match skyfield."""
    out, times = _propagate(tmp_path, "gcrf", "s.czml")
    doc = json.loads(out.read_text())
    assert doc[0]["id"] == "document" and doc[0]["version"] == "1.0"
    assert doc[0]["clock"]["interval"] == "2025-02-15T00:00:00.000Z/2025-02-15T02:00:00.000Z"
    ref = _skyfield_gcrs(times)
    assert len(doc) == 1 + len(ref)
    for packet in doc[1:]:
        pos = packet["position"]
        assert pos["epoch"] == "2025-02-15T00:00:00.000Z" and pos["referenceFrame"] == "INERTIAL"
        assert pos["interpolationAlgorithm"] == "LAGRANGE" and pos["interpolationDegree"] == 5
        samples = np.array(pos["cartesian"]).reshape(-1, 4)
        assert np.allclose(samples[:, 0], np.arange(13) * 600.0)
        r, _ = ref[int(packet["id"])]
        assert np.abs(samples[:, 1:] - r * 1000.0).max() < 1.0


@pytest.mark.parametrize("frame, suffix", [("teme", ".czml"), ("geodetic", ".oem"), ("itrs", ".oem")])
def test_unsupported_frame_for_format_exits_2(tmp_path, frame, suffix):
    res = runner.invoke(app, ["propagate", str(SAMPLE), "--start", "2025-02-15", "--stop", "2025-02-15T01:00:00",
                              "--frame", frame, "--out", str(tmp_path / f"s{suffix}")])
    assert res.exit_code == 2 and f"--out {suffix} takes --frame" in " ".join(res.output.split())
    assert not (tmp_path / f"s{suffix}").exists()


def test_propagate_unwritable_output_exits_2_before_work():
    res = runner.invoke(app, ["propagate", str(SAMPLE), "--start", "2025-02-15", "--stop", "2025-02-15T01:00:00",
                              "--frame", "gcrf", "--out", "/nonexistent/s.oem"])
    assert res.exit_code == 2 and "directory /nonexistent does not exist" in " ".join(res.output.split())
