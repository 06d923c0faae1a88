"""Conjunction screening against an independent brute-force reference built on python-sgp4 (not our kernels).

Reference: python-sgp4 SatrecArray states every 60 s; a pair can come within the threshold in the 60 s
around a sample only if its linearly predicted range there comes within threshold + 9 km (relative
acceleration <= 0.0196 km/s^2 gives at most 9 km over 30 s); those windows are then sampled every 1 s with
python-sgp4 and every discrete local minimum of range <= threshold is a reference event.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from scipy.spatial import cKDTree
from sgp4.api import WGS72, Satrec, SatrecArray

from orbitshare.astro.frames import rtn_components
from orbitshare.catalog import read_catalog
from orbitshare.ccsds.cdm import relative_state_rtn
from orbitshare.ssa.conjunction.screening import Conjunctions, screen

DATA = Path(__file__).parents[1] / "data" / "screening" / "celestrak_gp_2026-03-09_subset2000.json.gz"
START = datetime(2026, 3, 9, 12, tzinfo=UTC)
STOP = START + timedelta(days=2)
THRESHOLD_KM = 5.0
REL_ACC_KMS2 = 0.0196  # two objects' gravity at the Earth's surface, summed


def _satrecs(cat) -> list[Satrec]:
    """python-sgp4 satellites from catalog elements (improved mode, WGS-72)."""
    c, out = cat.columns, []
    for k in range(len(cat)):
        s = Satrec()
        s.sgp4init(WGS72, "i", int(c["norad_id"][k]) % 100000, c["epoch_jd"][k] + c["epoch_fr"][k] - 2433281.5,
                   c["bstar"][k], 0.0, 0.0, c["ecc"][k], math.radians(c["argp_deg"][k]),
                   math.radians(c["incl_deg"][k]), math.radians(c["mean_anomaly_deg"][k]),
                   c["mean_motion_revday"][k] * 2 * math.pi / 1440.0, math.radians(c["raan_deg"][k]))
        out.append(s)
    return out


def _jd(t: datetime) -> tuple[float, float]:
    """Two-part JD of a UTC datetime."""
    days = (t - datetime(2000, 1, 1, 12, tzinfo=UTC)) / timedelta(days=1)
    return 2451545.0, days


def _candidate_windows(r, v, ok, threshold_km):
    """(i, j, k) sample windows where a pair may come within threshold during +-30 s (independent bound)."""
    found = []
    for k in range(r.shape[1]):
        live = np.flatnonzero(ok[:, k])
        vmax = np.max(np.linalg.norm(v[live, k], axis=1))
        radius = threshold_km + 30.0 * 2 * vmax + REL_ACC_KMS2 * 450.0
        pairs = cKDTree(r[live, k]).query_pairs(radius, output_type="ndarray")
        if len(pairs) == 0:
            continue
        i, j = live[pairs[:, 0]], live[pairs[:, 1]]
        d, w = r[j, k] - r[i, k], v[j, k] - v[i, k]
        tau = np.clip(-np.einsum("ij,ij->i", d, w) / np.maximum(np.einsum("ij,ij->i", w, w), 1e-12), -30, 30)
        closest = np.linalg.norm(d + tau[:, None] * w, axis=1)
        keep = closest <= threshold_km + REL_ACC_KMS2 * 450.0 / 2 * 2
        found.append(np.stack([np.minimum(i, j)[keep], np.maximum(i, j)[keep], np.full(keep.sum(), k)], axis=1))
    return np.concatenate(found) if found else np.empty((0, 3), int)


def brute_force(cat, start, stop, threshold_km):
    """Reference events (i, j, t_s, range_km) from python-sgp4: discrete 1 s local minima <= threshold."""
    sats = _satrecs(cat)
    jd0, fr0 = _jd(start)
    span = (stop - start).total_seconds()
    t60 = np.arange(0.0, span + 1e-9, 60.0)
    e, r, v = SatrecArray(sats).sgp4(np.full(t60.shape, jd0), fr0 + t60 / 86400.0)
    windows = _candidate_windows(r, v, e == 0, threshold_km)
    events = []
    for (i, j), ks in _group(windows).items():
        secs = np.unique(np.concatenate([np.arange(k * 60 - 31, k * 60 + 32) for k in ks]))
        secs = secs[(secs >= 0) & (secs <= span)].astype(float)
        ei, ri, _ = sats[i].sgp4_array(np.full(secs.shape, jd0), fr0 + secs / 86400.0)
        ej, rj, _ = sats[j].sgp4_array(np.full(secs.shape, jd0), fr0 + secs / 86400.0)
        d = np.where((ei == 0) & (ej == 0), np.linalg.norm(rj - ri, axis=1), np.nan)
        contiguous = np.diff(secs) == 1.0
        for m in range(1, len(secs) - 1):
            if contiguous[m - 1] and contiguous[m] and d[m - 1] > d[m] <= d[m + 1] and d[m] <= threshold_km:
                events.append((i, j, secs[m], d[m]))
    return events


def _group(windows):
    """{(i, j): [k, ...]} from (i, j, k) rows."""
    out: dict[tuple[int, int], list[int]] = {}
    for i, j, k in windows:
        out.setdefault((int(i), int(j)), []).append(int(k))
    return out


@pytest.fixture(scope="module")
def subset():
    """The bundled 2,000-object CelesTrak subset."""
    cat, report = read_catalog(DATA)
    assert len(cat) == 2000 and not report.rejects
    return cat


@pytest.fixture(scope="module")
def result(subset):
    """All-vs-all screening of the subset over 2 days at 5 km."""
    return screen(subset, START, STOP, THRESHOLD_KM)


@pytest.fixture(scope="module")
def reference(subset):
    """Brute-force reference events of the subset."""
    return brute_force(subset, START, STOP, THRESHOLD_KM)


def _row_of(cat, res):
    """Catalog rows of objects 1 and 2 and TCA seconds from START for every event."""
    a, b = cat.index_of(res["norad_id_1"]), cat.index_of(res["norad_id_2"])
    start_s = (START - datetime(2000, 1, 1, 12, tzinfo=UTC)).total_seconds()
    t = ((res["tca_jd"] - 2451545.0) + res["tca_fr"]) * 86400.0 - start_s
    return a, b, t


def _match_tolerance_s(res):
    """Time tolerance (s) of matching an event to a 1 s reference minimum.

    1 s of sampling, plus the flatness of very slow encounters: with the two SGP4 implementations agreeing to
    ~1e-6 km, a minimum of range d at relative speed v is only defined to sqrt(2 d 1e-6 km) / v seconds
    (formation flyers 60 m apart at 5 cm/s: ~6 s).
    """
    return 1.0 + np.sqrt(2.0 * res["miss_km"] * 2e-6) / np.maximum(res["rel_speed_kms"], 1e-12)


def test_no_misses_against_brute_force(subset, result, reference):
    """Every 1 s brute-force minimum <= threshold has an event of the same pair within 1 s."""
    assert len(reference) > 100, "subset too sparse to be a meaningful test"
    a, b, t = _row_of(subset, result)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    tol = _match_tolerance_s(result)
    missed = [(i, j, ts, d) for i, j, ts, d in reference
              if not np.any((lo == i) & (hi == j) & (np.abs(t - ts) <= tol))]
    assert missed == [], f"{len(missed)} of {len(reference)} reference events missed: {missed[:5]}"


def test_every_event_is_a_reference_minimum_or_between_samples(subset, result, reference):
    """Each event matches a reference minimum, or its 1 s samples all lie above the threshold."""
    ref = {(i, j): [] for i, j, _, _ in reference}
    for i, j, ts, _ in reference:
        ref[(i, j)].append(ts)
    a, b, t = _row_of(subset, result)
    tol = _match_tolerance_s(result)
    for k in range(len(result)):
        key = (min(a[k], b[k]), max(a[k], b[k]))
        if any(abs(ts - t[k]) <= tol[k] for ts in ref.get(key, [])):
            continue
        # allowed only when the sampled range near TCA exceeds the threshold (minimum between samples)
        half_s = 0.5 * result["rel_speed_kms"][k]
        assert math.hypot(result["miss_km"][k], half_s) > THRESHOLD_KM, result.row(k)


def test_tca_and_miss_agree_with_python_sgp4(subset, result):
    """At each TCA python-sgp4 gives the same miss (1 m) and range is larger 1 ms before and after."""
    sats = _satrecs(subset)
    a, b, _ = _row_of(subset, result)
    for k in range(0, len(result), max(1, len(result) // 200)):
        jd, fr = result["tca_jd"][k], result["tca_fr"][k]
        ranges = []
        for dt_s in (-1e-3, 0.0, 1e-3):
            _, ri, _ = sats[a[k]].sgp4(jd, fr + dt_s / 86400.0)
            _, rj, _ = sats[b[k]].sgp4(jd, fr + dt_s / 86400.0)
            ranges.append(np.linalg.norm(np.subtract(rj, ri)))
        assert abs(ranges[1] - result["miss_km"][k]) < 1e-3
        assert ranges[0] >= ranges[1] - 1e-9 and ranges[2] >= ranges[1] - 1e-9, result.row(k)


def test_primaries_match_all_vs_all(subset, result):
    """Primaries mode returns exactly the all-vs-all events that involve a primary, primary first."""
    ids = [int(x) for x in subset.norad_id[::100]]
    prim = screen(subset, START, STOP, THRESHOLD_KM, primaries=ids)
    assert np.all(np.isin(prim["norad_id_1"], ids))
    mine = {(min(p, q), max(p, q), round(t, 6)) for p, q, t in
            zip(prim["norad_id_1"], prim["norad_id_2"], prim["tca_fr"] + prim["tca_jd"] - 2461000, strict=True)}
    sel = np.isin(result["norad_id_1"], ids) | np.isin(result["norad_id_2"], ids)
    ref = {(min(p, q), max(p, q), round(t, 6)) for p, q, t in
           zip(result["norad_id_1"][sel], result["norad_id_2"][sel],
               result["tca_fr"][sel] + result["tca_jd"][sel] - 2461000, strict=True)}
    assert mine == ref and len(ref) > 0


def test_rtn_and_columns(subset, result):
    """RTN miss matches the CDM module's relative_state_rtn; ages and speeds are consistent."""
    assert len(result) > 0
    r1, v1, r2, v2 = result.state(0)
    rel_m, _ = relative_state_rtn(r1, v1, r2, v2)
    rtn = [result["miss_r_km"][0], result["miss_t_km"][0], result["miss_n_km"][0]]
    np.testing.assert_allclose(np.array(rtn) * 1e3, rel_m, atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(rtn), result["miss_km"][0], rtol=1e-12)
    np.testing.assert_allclose(rtn_components(np.array([[7000.0, 0, 0]]), np.array([[0, 7.5, 0]]),
                                              np.array([[1.0, 2.0, 3.0]])), [[1.0, 2.0, 3.0]])
    k = 0
    epoch = subset.index_of([result["norad_id_1"][k]])[0]
    age = (result["tca_jd"][k] - subset["epoch_jd"][epoch]) + (result["tca_fr"][k] - subset["epoch_fr"][epoch])
    assert result["age_1_days"][k] == pytest.approx(age)
    assert np.all(result["miss_km"] <= THRESHOLD_KM)
    assert np.all((result["pc_max"] >= 0) & (result["pc_max"] <= 1))
    assert result["tca_utc"][0].endswith("Z") and result.tca_datetime(0).tzinfo is not None


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_write_and_read_back(result, tmp_path, suffix):
    """CSV and Parquet outputs read back to the same values."""
    path = tmp_path / f"out{suffix}"
    result.write(path)
    back = Conjunctions.read(path)
    assert len(back) == len(result)
    for name in ("norad_id_1", "miss_km", "tca_fr", "miss_n_km", "v2_z_kms"):
        np.testing.assert_array_equal(back[name], result[name])
    assert list(back["name_2"]) == list(result["name_2"])


def test_bad_input(subset):
    """Unknown primary, stop before start and non-positive threshold raise clear errors."""
    with pytest.raises(KeyError, match="unknown primary"):
        screen(subset, START, STOP, 5.0, primaries=[999999999])
    with pytest.raises(ValueError, match="after start"):
        screen(subset, STOP, START, 5.0)
    with pytest.raises(ValueError, match="positive"):
        screen(subset, START, STOP, 0.0)
    with pytest.raises(ValueError, match="empty"):
        screen(subset, START, STOP, 5.0, primaries=[])


def test_primary_step_must_be_a_multiple_of_the_sub_interval():
    """Primaries mode samples SGP4 every primary_coarse_s, which must hold whole 60 s sub-intervals."""
    from orbitshare.ssa.conjunction.screening import ScreenConfig

    assert ScreenConfig().for_primaries().sub_s == ScreenConfig().sub_s
    with pytest.raises(ValueError, match="multiple"):
        ScreenConfig(primary_coarse_s=870.0).for_primaries()


def test_deep_space_primaries_use_the_longer_step(subset):
    """With only deep-space primaries (period >= 225 min) SGP4 is sampled every primary_coarse_deep_s, else every
    primary_coarse_s; both keep the 60 s sub-interval."""
    from orbitshare.ssa.conjunction.screening import ScreenConfig, prepare

    cfg = ScreenConfig()
    geo = subset.norad_id[subset.period_min >= 225.0][:2]
    leo = subset.norad_id[subset.period_min < 225.0][:1]
    assert prepare(subset, START, STOP, 50.0, primaries=geo)[0].config.coarse_s == cfg.primary_coarse_deep_s
    mixed = prepare(subset, START, STOP, 50.0, primaries=np.concatenate([geo, leo]))[0].config
    assert mixed.coarse_s == cfg.primary_coarse_s
    assert mixed.sub_s == cfg.sub_s == cfg.for_primaries(deep_space=True).sub_s
    with pytest.raises(ValueError, match="primary_coarse_deep_s"):
        ScreenConfig(primary_coarse_deep_s=1530.0).for_primaries(deep_space=True)


def test_eccentric_objects_are_sampled_at_the_fine_step(subset):
    """Primaries mode puts objects whose quintic error bound over the primary step exceeds primary_split_km in a
    second job at primary_fine_s, with the primaries, and leaves primary pairs to the first job."""
    from orbitshare.ssa.conjunction.screening import ScreenConfig, prepare

    cfg = ScreenConfig()
    ids = [int(x) for x in subset.norad_id[::20]]
    jobs = prepare(subset, START, STOP, 10.0, primaries=ids)
    assert [j.config.coarse_s for j in jobs] == [cfg.primary_coarse_s, cfg.primary_fine_s]
    fine_only = np.setdiff1d(jobs[1].index, jobs[0].index)
    assert fine_only.size > 0 and np.all(subset["ecc"][fine_only] > 0.05)
    assert np.all(np.isin(subset.index_of(ids), jobs[1].index)) and not jobs[1].primary_pairs
    assert np.all(np.isfinite(jobs[0].dv_kms)) and np.median(jobs[0].dv_kms) < 1e-3


@pytest.mark.parametrize("step_s", [3600.0, 1800.0])
def test_step_error_bounds_hold_against_python_sgp4(subset, step_s):
    """Primaries mode's quintic error bound per SGP4 step (step_eps: from the lowest radius an object reaches in
    the step, so small away from an eccentric orbit's perigee) covers the quintic's distance from python-sgp4
    positions every 60 s, for the subset's 115 objects with e > 0.05 and 200 near-circular ones over 1 day."""
    from orbitshare.astro.propagation import propagate
    from orbitshare.ssa.conjunction import kernels as k
    from orbitshare.ssa.conjunction.screening import ScreenConfig, make_job

    rows = np.concatenate([np.flatnonzero(subset["ecc"] > 0.05), np.flatnonzero(subset["ecc"] <= 0.05)[:200]])
    sub = subset.take(rows)
    jd0, fr0 = _jd(START)
    job = make_job(sub, np.arange(len(sub)), np.array([0]), (jd0, fr0, 86400.0, 10.0), ScreenConfig(), True)
    steps, nsub, n = int(86400 / step_s), int(step_s / 60.0), len(sub)
    t_s = np.arange(steps + 1) * step_s
    eph = propagate(job.recs, np.full(t_s.shape, jd0), fr0 + t_s / 86400.0, time_major=True)
    r, v = (np.ascontiguousarray(x.transpose(1, 0, 2)) for x in (eph.r_km, eph.v_kms))
    ok = np.ascontiguousarray(eph.ok.T)
    eps, chord, rhodev, amax, rlo = (np.empty(n) for _ in range(5))
    k.motion_bounds(r, ok, job.sma_km, job.ecc, step_s, 60.0, True, job.dv_kms, job.da_kms2, eps, chord, rhodev,
                    amax, rlo)
    eps_step, acc = np.empty((steps, n)), np.empty_like(r)
    k.step_eps(r, v, ok, job.sma_km, job.ecc, step_s, nsub, rhodev, job.dv_kms, job.da_kms2, eps, rlo, eps_step)
    k.accelerations(r, ok, acc)
    t60 = np.arange(steps * nsub + 1) * 60.0
    e, truth, _ = SatrecArray(_satrecs(sub.take(job.index))).sgp4(np.full(t60.shape, jd0), fr0 + t60 / 86400.0)
    u = np.arange(nsub + 1) / nsub
    worst = 0.0
    for c in range(steps):  # quintic Hermite: SGP4 position and velocity, J2 model acceleration at both ends
        r0, v0, v1 = r[c], step_s * v[c], step_s * v[c + 1]
        a0, a1, d = step_s**2 * acc[c], step_s**2 * acc[c + 1], r[c + 1] - r[c]
        coef = [r0, v0, 0.5 * a0, 10 * d - 6 * v0 - 4 * v1 - 1.5 * a0 + 0.5 * a1,
                -15 * d + 8 * v0 + 7 * v1 + 1.5 * a0 - a1, 6 * d - 3 * v0 - 3 * v1 - 0.5 * a0 + 0.5 * a1]
        quintic = sum(q[None] * u[:, None, None] ** p for p, q in enumerate(coef))  # (nsub + 1, n, 3)
        seg = slice(c * nsub, (c + 1) * nsub + 1)
        good = ok[c] & ok[c + 1] & np.all(e[:, seg] == 0, axis=1)
        err = np.linalg.norm(quintic.transpose(1, 0, 2) - truth[:, seg], axis=2).max(axis=1)
        worst = max(worst, float(np.max(err[good] / eps_step[c, good])))
    assert 0.05 < worst < 1.0
    eccentric = job.ecc > 0.05  # (the job keeps its objects in order of perigee radius)
    assert np.median(eps_step[:, eccentric] / eps[eccentric]) < 0.5  # far from perigee the bound is much smaller


DECAYING_3LE = """\
0 COSMOS 1408 DEB
1 50083U 82092TX  22022.52632373  .02357281 -11453-5  77324-3 0  9990
2 50083  82.2904  45.8516 0028481 333.4847  26.4984 16.24809978  8260
0 ORBCOMM FM 5 DEB
1 50145U 97084R   22008.33687862  .01545988  00000-0  17785+0 0  9995
2 50145  44.8872 242.9666 0182158 144.2177 217.1046 14.70766543  4442
0 SPEKTR R
1 37755U 11037A   22016.16246096 -.00013483  00000-0  00000-0 0  9994
2 37755  59.5612 307.7486 7990681 352.8195 355.4158  0.10302778  4233
"""


def test_band_prefilter_keeps_objects_that_leave_their_mean_element_band(tmp_path):
    """Primaries mode's perigee/apogee prefilter, on three objects of the Space-Track catalog of 2022-01-22 over
    the week after it: ORBCOMM FM 5 DEB (B* 0.18) falls from a 532 km mean perigee to below 100 km, through the
    band of COSMOS 1408 DEB 50083 (185-222 km), so it must be kept for that primary although their mean-element
    bands (padded by 60 km + 1 % of a) do not overlap; python-sgp4 confirms it enters the primary's band."""
    from orbitshare.ssa.conjunction.screening import BAND_MARGIN_FRACTION, BAND_MARGIN_KM, prepare

    path = tmp_path / "decay.3le"
    path.write_text(DECAYING_3LE)
    cat, report = read_catalog(path)
    assert len(cat) == 3 and not report.rejects
    start = datetime(2022, 1, 22, tzinfo=UTC)
    prim, debris = cat.index_of(np.array([50083, 50145]))
    pad = 10.0 + BAND_MARGIN_KM + BAND_MARGIN_FRACTION * cat.sma_km
    perigee, apogee = cat.sma_km * (1 - cat["ecc"]), cat.sma_km * (1 + cat["ecc"])
    assert perigee[debris] - pad[debris] > apogee[prim] + pad[prim]  # the mean-element bands are apart
    sat = _satrecs(cat)[debris]
    days = np.arange(0.0, 7.0, 60.0 / 86400.0)
    jd0, fr0 = _jd(start)
    err, r, _ = sat.sgp4_array(np.full(days.shape, jd0), fr0 + days)
    radius = np.linalg.norm(r[err == 0], axis=1)
    assert radius.min() < apogee[prim]  # ... yet the debris comes down through the primary's band
    jobs = prepare(cat, start, start + timedelta(days=7), 10.0, primaries=[50083])
    kept = np.concatenate([j.index for j in jobs])
    assert debris in kept
    jobs = prepare(cat, start, start + timedelta(days=7), 10.0, primaries=[37755])  # SPEKTR R alone: nothing near
    assert set(np.concatenate([j.index for j in jobs]).tolist()) == {cat.index_of(np.array([37755]))[0]}
