"""Conjunction screening: every local minimum of range below a threshold, all-vs-all or primaries vs all.

Algorithm and the bounds that make it complete are in docs/screening.md. In short: SGP4 (TEME) is sampled
every ``coarse_s`` seconds in streamed time blocks; each object's path over a sub-interval of ``coarse_s /
nsub`` seconds is bounded by a box around its cubic Hermite chord (padding = Hermite error bound + chord
curvature bound + threshold / 2) and by a radius interval; a 4-D hash grid (x, y, z, radius) finds the
overlapping boxes; a chord-distance test removes most; the narrow phase brackets each sign change of
d . d_dot with exact SGP4 and refines the time of closest approach (TCA) by safeguarded Newton to 1e-7 s.

Public API: :func:`screen` (stable; used by proximity watch with ``primaries=`` and 10-50 km thresholds)
and :class:`Conjunctions` (columnar result).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from orbitshare.astro.frames import rtn_components
from orbitshare.astro.propagation import Sgp4Records, default_workers, propagate
from orbitshare.astro.time import Epoch, as_utc, jd_to_datetime64
from orbitshare.constants import MIN_PER_DAY
from orbitshare.ssa.conjunction import kernels, narrow_kernels, primary_kernels
from orbitshare.ssa.conjunction.element_age import stale
from orbitshare.ssa.conjunction.runners import get_runner

__all__ = ["BAND_MARGIN_FRACTION", "BAND_MARGIN_KM", "CONSISTENCY_H_S", "DEEP_SPACE_PERIOD_MIN", "ENVELOPE_MARGIN_KM",
           "ENVELOPE_SAMPLES", "ENVELOPE_STEP_S", "NEAR_EARTH_ENVELOPE_STEP_S", "RAW_FIELDS", "STATE_COLUMNS",
           "Conjunctions", "ScreenConfig", "ScreenJob", "build_conjunctions", "candidates_for_block",
           "events_for_candidates", "make_job", "merge_raw", "prepare", "screen", "screen_blocks", "with_colocated"]

#: Margin (km) added to the perigee/apogee prefilter of primaries mode, beyond the threshold: covers
#: SGP4 short-period radius oscillations (< 25 km) and 7 days of drag decay of non-decaying objects.
BAND_MARGIN_KM = 60.0
BAND_MARGIN_FRACTION = 0.01  # plus 1 % of the semi-major axis (deep-space luni-solar terms)
#: Objects the band above leaves out are checked again on their SGP4 path: the lowest osculating perigee and
#: highest osculating apogee radius at samples ENVELOPE_STEP_S apart (3.5 days for near-Earth objects; at most
#: ENVELOPE_SAMPLES, both window ends included), padded by the threshold and ENVELOPE_MARGIN_KM. It catches what
#: the mean elements cannot: a decaying object (ORBCOMM FM 5 DEB in the catalog of 2022-01-22: B* 0.18, perigee
#: 532 km, at 69 km within a week) or luni-solar perigee motion of high orbits (SPEKTR R: 3,557 km, 1.9 % of a).
#: Checked over 7 days on that catalog (23,779 objects, radius every 60 s): radii stay within 8.6 km below /
#: 18.7 km above the 12-hour envelope of the deep-space objects and 15.9 / 24.7 km of the 3.5-day one of the
#: others (docs/screening.md).
ENVELOPE_MARGIN_KM = 40.0
ENVELOPE_STEP_S = 43200.0  # deep-space objects (with 3.5-day samples the excess reached 43 km)
NEAR_EARTH_ENVELOPE_STEP_S = 302400.0  # near-Earth objects: 3.5 days (excess at most 15.9 km below, 24.7 above)
ENVELOPE_SAMPLES = 30
DEEP_SPACE_PERIOD_MIN = 225.0  # SGP4's deep-space (SDP4) criterion, applied to the catalog's mean motion


@dataclass(frozen=True)
class ScreenConfig:
    """Tuning of the screening engine; defaults are what bench/screen.py measured fastest (docs/screening.md)."""

    coarse_s: float = 300.0  # SGP4 sample step (s), all-vs-all
    nsub: int = 5  # broad-phase sub-intervals per SGP4 step
    block_steps: int = 48  # SGP4 steps per streamed time block
    cell_km: float = 800.0  # spatial cell edge of the broad-phase grid (km)
    rcell_km: float = 30.0  # radial cell of the broad-phase grid (km)
    primary_coarse_s: float = 1800.0  # SGP4 sample step (s) with primaries (quintic interpolant); a multiple of sub_s
    primary_coarse_deep_s: float = 3600.0  # ... when every primary is deep-space (period >= 225 min)
    primary_fine_s: float = 900.0  # ... for the objects whose interpolation error bound exceeds primary_split_km
    primary_split_km: float = 40.0  # (eccentric orbits: the bound grows as the step^6 / perigee radius^8)
    primary_scan_s: float = 900.0  # primaries mode scans each SGP4 step in pieces of about this length (s)
    primary_block_steps: int = 48  # SGP4 steps per streamed time block with primaries (24 h at 1,800 s)
    workers: int | None = None  # threads (default: usable CPUs)

    @property
    def sub_s(self) -> float:
        """Broad-phase sub-interval (s)."""
        return self.coarse_s / self.nsub

    def for_primaries(self, deep_space: bool = False, fine: bool = False) -> ScreenConfig:
        """The configuration primaries mode runs with: SGP4 step primary_coarse_s (primary_coarse_deep_s when
        every primary is deep-space; primary_fine_s for the fine-step objects), same sub-interval, blocks of
        primary_block_steps."""
        name = "primary_fine_s" if fine else "primary_coarse_deep_s" if deep_space else "primary_coarse_s"
        step_s = getattr(self, name)
        nsub = round(step_s / self.sub_s)
        if nsub < 1 or abs(nsub * self.sub_s - step_s) > 1e-9:
            raise ValueError(f"{name} {step_s} must be a multiple of {self.sub_s} s")
        # segment masks are 64-bit; Hermite steps of hours would be useless anyway
        if nsub > 60 * primary_kernels.SEG_SUBS:
            raise ValueError(f"{name} {step_s} s is too long: at most {60 * primary_kernels.SEG_SUBS} "
                             f"sub-intervals of {self.sub_s} s")
        return replace(self, coarse_s=step_s, nsub=nsub, block_steps=self.primary_block_steps)


# ------------------------------------------------------------------------------------------------ result

STATE_COLUMNS = tuple(f"{o}_{q}_{u}" for o in ("r1", "v1", "r2", "v2") for q in "xyz"
                      for u in (("km",) if o[0] == "r" else ("kms",)))


@dataclass
class Conjunctions:
    """Columnar screening result, one row per close approach (local minimum of range <= threshold).

    Columns: norad_id_1, name_1, regime_1, norad_id_2, name_2, regime_2 (object 1 is the primary when
    screening primaries), tca_jd + tca_fr (two-part UTC Julian date), tca_utc (ISO text, microseconds),
    miss_km, rel_speed_kms, miss_r_km, miss_t_km, miss_n_km (object 2 minus object 1 in object 1's RTN frame),
    age_1_days, age_2_days (TCA minus element-set epoch), hbr_m (combined hard-body radius), pc_max (maximum
    Pc over unknown covariance), stale (an element set older than its regime's limit at TCA:
    ssa.conjunction.element_age), colocated and pair_max_range_km (the pair stays close over the whole window:
    ssa.conjunction.colocated), and the TEME states at TCA r1_x_km .. v2_z_kms.
    """

    columns: dict[str, np.ndarray]
    threshold_km: float = 0.0
    start_utc: datetime | None = None
    stop_utc: datetime | None = None
    meta: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.columns["miss_km"])

    @classmethod
    def concat(cls, parts: list[Conjunctions]) -> Conjunctions:
        """Rows of several results of one window and threshold, sorted by (TCA, object 1, object 2); meta of the
        first, with every part's meta under "parts"."""
        cols = {name: np.concatenate([p.columns[name] for p in parts]) for name in parts[0].columns}
        order = np.lexsort((cols["norad_id_2"], cols["norad_id_1"], cols["tca_fr"], cols["tca_jd"]))
        first = parts[0]
        meta = dict(first.meta, parts=[p.meta for p in parts])
        return cls({name: col[order] for name, col in cols.items()}, first.threshold_km, first.start_utc,
                   first.stop_utc, meta)

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    def __repr__(self) -> str:
        return f"Conjunctions({len(self)} events <= {self.threshold_km} km)"

    def row(self, k: int) -> dict:
        """Row k as a dict of Python scalars."""
        return {name: col[k].item() if hasattr(col[k], "item") else col[k] for name, col in self.columns.items()}

    def rows(self) -> Iterator[dict]:
        """Iterate over rows as dicts."""
        for k in range(len(self)):
            yield self.row(k)

    def state(self, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """TEME r1 (km), v1 (km/s), r2 (km), v2 (km/s) of row k at TCA."""
        vals = np.array([self.columns[c][k] for c in STATE_COLUMNS])
        return vals[0:3], vals[3:6], vals[6:9], vals[9:12]

    def tca_datetime(self, k: int) -> datetime:
        """TCA of row k as an aware UTC datetime (microseconds)."""
        us = jd_to_datetime64(self.columns["tca_jd"][k], self.columns["tca_fr"][k]).astype(np.int64)
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(us))

    def to_arrow(self):
        """pyarrow Table of every column."""
        import pyarrow as pa

        return pa.table({name: pa.array(col.tolist() if col.dtype == object else col)
                         for name, col in self.columns.items()})

    def to_parquet(self, path: str | Path) -> None:
        """Write every column to a Parquet file."""
        import pyarrow.parquet as pq

        pq.write_table(self.to_arrow(), str(path))

    def to_csv(self, path: str | Path) -> None:
        """Write every column to a CSV file (full float precision)."""
        import pyarrow.csv as pacsv

        pacsv.write_csv(self.to_arrow(), str(path))

    def write(self, path: str | Path) -> None:
        """Write to .csv or .parquet by the file extension."""
        suffix = Path(path).suffix.lower()
        if suffix == ".csv":
            self.to_csv(path)
        elif suffix in (".parquet", ".pq"):
            self.to_parquet(path)
        else:
            raise ValueError(f"output must end in .csv or .parquet, not {path}")

    @classmethod
    def read(cls, path: str | Path) -> Conjunctions:
        """Read a result written by :meth:`write` (CSV or Parquet)."""
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq

        path = Path(path)
        table = pacsv.read_csv(str(path)) if path.suffix.lower() == ".csv" else pq.read_table(str(path))
        cols = {}
        for name in table.column_names:
            col = table.column(name).to_numpy(zero_copy_only=False)
            cols[name] = col.astype(object) if col.dtype.kind in "OU" else col
        return cls(cols)


# ------------------------------------------------------------------------------------------------ setup


@dataclass
class ScreenJob:
    """Everything one time block needs: records of the screened objects and window constants."""

    recs: Sgp4Records
    index: np.ndarray  # catalog row of each screened object
    primary: np.ndarray  # bool per screened object
    primary_mode: bool
    sma_km: np.ndarray
    ecc: np.ndarray
    jd0: float
    fr0: float
    span_s: float
    threshold_km: float
    config: ScreenConfig
    primary_pairs: bool = True  # primaries mode: also screen primaries against each other
    dv_kms: np.ndarray | None = None  # measured |SGP4 velocity - d(position)/dt| per object (_consistency)
    da_kms2: np.ndarray | None = None  # measured |d2(position)/dt2 - J2 model| per object

    @property
    def n_sub(self) -> int:
        """Number of broad-phase sub-intervals covering the window."""
        return max(1, math.ceil(self.span_s / self.config.sub_s - 1e-9))

    @property
    def n_coarse(self) -> int:
        """Number of SGP4 steps covering the window."""
        return math.ceil(self.n_sub / self.config.nsub)

    def blocks(self) -> list[tuple[int, int]]:
        """(first, last) SGP4 step of each streamed time block."""
        b = self.config.block_steps
        return [(c, min(c + b, self.n_coarse)) for c in range(0, self.n_coarse, b)]

    @property
    def epoch(self) -> Epoch:
        """Window start (UTC two-part Julian date)."""
        return Epoch(self.jd0, self.fr0)

    @property
    def tb_min(self) -> np.ndarray:
        """Minutes from each object's epoch to the window start."""
        return ((self.jd0 - self.recs.epoch_jd) + (self.fr0 - self.recs.epoch_fr)) * MIN_PER_DAY


def _bands(sma_km: np.ndarray, ecc: np.ndarray, threshold_km: float) -> tuple[np.ndarray, np.ndarray]:
    """Padded perigee and apogee radii (km) of each object."""
    pad = threshold_km + BAND_MARGIN_KM + BAND_MARGIN_FRACTION * sma_km
    return sma_km * (1 - ecc) - pad, sma_km * (1 + ecc) + pad


def _osculating_envelope(catalog, rows: np.ndarray, jd0: float, fr0: float, span_s: float,
                         workers: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Lowest osculating perigee and highest osculating apogee radius (km) of objects `rows` over the window, from
    SGP4 states at evenly spaced samples, both ends included: ENVELOPE_STEP_S apart or closer for deep-space
    objects (luni-solar terms), NEAR_EARTH_ENVELOPE_STEP_S for the others (drag: monotonic), at most
    ENVELOPE_SAMPLES. Objects SGP4 cannot propagate at any sample get (inf, -inf); escape orbits an infinite
    apogee."""
    lo, hi = np.full(rows.size, np.inf), np.full(rows.size, -np.inf)
    deep_space = catalog.period_min[rows] >= DEEP_SPACE_PERIOD_MIN
    for deep, step_s in ((True, ENVELOPE_STEP_S), (False, NEAR_EARTH_ENVELOPE_STEP_S)):
        sel = np.flatnonzero(deep_space == deep)
        if sel.size == 0:
            continue
        nsamp = int(min(ENVELOPE_SAMPLES, max(3, math.ceil(span_s / step_s) + 1)))
        t_s = np.linspace(0.0, span_s, nsamp)
        part = Sgp4Records.from_catalog(catalog.take(rows[sel]))
        eph = propagate(part, *Epoch(jd0, fr0).offsets(t_s), workers=workers)
        r2 = np.einsum("ijk,ijk->ij", eph.r_km, eph.r_km)
        v2 = np.einsum("ijk,ijk->ij", eph.v_kms, eph.v_kms)
        h2 = np.maximum(r2 * v2 - np.einsum("ijk,ijk->ij", eph.r_km, eph.v_kms) ** 2, 0.0)  # |r x v|^2
        energy = 0.5 * v2 - kernels.MU_KM3S2 / np.sqrt(np.maximum(r2, 1e-18))
        ecc = np.sqrt(np.maximum(1.0 + 2.0 * energy * h2 / kernels.MU_KM3S2**2, 0.0))
        p_km = h2 / kernels.MU_KM3S2  # semi-latus rectum: perigee p / (1 + e), apogee p / (1 - e)
        with np.errstate(divide="ignore"):
            q = np.where(eph.ok, p_km / (1.0 + ecc), np.inf)
            big_q = np.where(eph.ok, np.where(ecc < 1.0, p_km / (1.0 - ecc), np.inf), -np.inf)
        lo[sel], hi[sel] = q.min(axis=1), big_q.max(axis=1)
    return lo, hi


def _band_overlap(catalog, primary_rows: np.ndarray, threshold_km: float,
                  window: tuple[float, float, float] | None = None) -> tuple[np.ndarray, float]:
    """Mask of objects whose perigee-apogee band (padded) overlaps that of at least one primary, and the lowest
    radius (km) of the primaries' bands. With window (jd0, fr0, span_s), the primaries and the objects whose
    mean-element bands overlap none are checked again with their osculating envelope (_osculating_envelope)."""
    lo, hi = _bands(catalog.sma_km, catalog["ecc"], threshold_km)
    pad = threshold_km + ENVELOPE_MARGIN_KM

    def widen(rows):
        if window is not None and rows.size:
            elo, ehi = _osculating_envelope(catalog, rows, *window)
            lo[rows] = np.minimum(lo[rows], elo - pad)
            hi[rows] = np.maximum(hi[rows], ehi + pad)

    def overlap(sel):
        keep = np.zeros(sel.size, dtype=bool)
        for p in primary_rows:
            keep |= (lo[sel] <= hi[p]) & (hi[sel] >= lo[p])
        return keep

    widen(primary_rows)
    keep = overlap(np.arange(len(catalog)))
    keep[primary_rows] = True
    # near-Earth objects with B* >= 0 only sink (drag): those wholly below every primary's band need no envelope
    # (over the 7-day check no near-Earth envelope, B* < 0 included, rose above its mean-element band: >= 36 km
    # to spare)
    sinking = (catalog.period_min < DEEP_SPACE_PERIOD_MIN) & (catalog["bstar"] >= 0.0) & (hi < lo[primary_rows].min())
    rest = np.flatnonzero(~keep & ~sinking)
    widen(rest)
    keep[rest] = overlap(rest)
    return keep, float(lo[primary_rows].min())


def prepare(catalog, start, stop, threshold_km: float, primaries: Iterable[int] | None = None,
            config: ScreenConfig | None = None) -> list[ScreenJob]:
    """Validate inputs, prefilter and initialise SGP4 for a screening run (raises ValueError/KeyError).

    All-vs-all: one job. Primaries mode: one job at the primary step with the primaries and every object whose
    quintic error bound over that step (from its elements, at the radii where it can meet a primary) is within
    primary_split_km, and, if any are left, a second job at primary_fine_s with the primaries and those objects,
    primary pairs excluded (docs/screening.md, "two sampling rates").
    """
    config = config or ScreenConfig()
    start, stop = as_utc(start), as_utc(stop)
    if not (threshold_km > 0 and math.isfinite(threshold_km)):
        raise ValueError(f"threshold must be a positive number of km, got {threshold_km}")
    if stop <= start:
        raise ValueError(f"stop {stop.isoformat()} must be after start {start.isoformat()}")
    epoch = Epoch.from_datetime(start)
    window = (float(epoch.jd), float(epoch.fr), (stop - start).total_seconds(), float(threshold_km))
    if primaries is None:
        return [make_job(catalog, np.arange(len(catalog)), np.zeros(0, np.int64), window, config, True)]
    ids = np.fromiter(primaries, dtype=np.int64)
    if ids.size == 0:
        raise ValueError("primaries is empty: give at least one NORAD id, or None for all-vs-all")
    try:
        prim_rows = catalog.index_of(ids)
    except KeyError as exc:
        raise KeyError(f"unknown primary: {exc.args[0]}") from None
    keep, prim_lo = _band_overlap(catalog, prim_rows, threshold_km, window[:3])
    rows = np.flatnonzero(keep)
    deep = bool(np.all(Sgp4Records.from_catalog(catalog.take(prim_rows)).deep_space))  # SGP4's own method flag
    cfg = config.for_primaries(deep)
    ecc = np.clip(catalog["ecc"][rows], 0.0, 0.999)
    rlo = _rlo_km(catalog.sma_km[rows], ecc)
    # the bound where an object can meet a primary: at radii above the primaries' lowest (padded) perigee
    r_meet = np.maximum(rlo, prim_lo)
    eps = np.minimum(kernels.sixth_eps_km(rlo, ecc, cfg.coarse_s),
                     kernels.local_sixth_eps_km(r_meet, ecc, cfg.coarse_s))
    fine = config.for_primaries(deep, fine=True)
    rough = (eps > config.primary_split_km) & ~np.isin(rows, prim_rows) & (fine.coarse_s < cfg.coarse_s)
    jobs = [make_job(catalog, rows[~rough], prim_rows, window, cfg, True)]
    if rough.any():
        jobs.append(make_job(catalog, np.union1d(rows[rough], prim_rows), prim_rows, window, fine, False))
    return jobs


def make_job(catalog, rows: np.ndarray, prim_rows: np.ndarray, window: tuple[float, float, float, float],
             config: ScreenConfig,
         primary_pairs: bool) -> ScreenJob:
    """ScreenJob of catalog rows (primaries mode when prim_rows is not empty); objects SGP4 cannot initialise are
    left out. window: (jd0, fr0, span_s, threshold_km)."""
    primary_mode = prim_rows.size > 0
    if primary_mode:  # objects ordered by perigee radius: those a primary scans lie close together in memory
        rows = rows[np.argsort(catalog.sma_km[rows] * (1.0 - catalog["ecc"][rows]), kind="stable")]
    sub = catalog.take(rows)
    recs = Sgp4Records.from_catalog(sub)
    usable = recs.init_error == 0
    rows, sub_idx = rows[usable], np.flatnonzero(usable)
    recs = Sgp4Records(recs.records[sub_idx], recs.epoch_jd[sub_idx], recs.epoch_fr[sub_idx])
    is_primary = np.isin(rows, prim_rows) if primary_mode else np.ones(rows.size, dtype=bool)
    sma, ecc = catalog.sma_km[rows].copy(), catalog["ecc"][rows].copy()
    job = ScreenJob(recs, rows, is_primary, primary_mode, sma, ecc, *window, config, primary_pairs)
    job.dv_kms, job.da_kms2 = _consistency(job, config.workers)
    return job


# ------------------------------------------------------------------------------------------------ blocks

RAW_FIELDS = ("pairs", "t_s", "miss_km", "states")


def _split(n: int, parts: int) -> list[tuple[int, int]]:
    """Split range(n) into `parts` contiguous pieces (some may be empty)."""
    edges = np.linspace(0, n, parts + 1).astype(int)
    return [(int(a), int(b)) for a, b in itertools.pairwise(edges)]


def _coarse_samples(job: ScreenJob, c_lo: int, c_hi: int, workers: int, scratch: np.ndarray | None = None):
    """SGP4 states (TEME km, km/s) and validity at SGP4 steps c_lo..c_hi inclusive.

    scratch: a working copy of job.recs.records owned by the caller (SGP4 writes into it), reused across blocks.
    """
    t_s = np.arange(c_lo, c_hi + 1) * job.config.coarse_s
    eph = propagate(job.recs, *job.epoch.offsets(t_s), workers=workers,
                    time_major=True, scratch=scratch)
    return eph.r_km, eph.v_kms, eph.ok


CONSISTENCY_H_S = 1.0  # half-width (s) of the central differences that measure SGP4's consistency


def _consistency(job: ScreenJob, workers: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per object, |SGP4 velocity - d(position)/dt| (km/s) and |d2(position)/dt2 - J2 model| (km/s^2), the largest
    of those measured at the window's start, middle and end (kernels.consistency)."""
    mids = np.array([0.0, 0.5, 1.0]) * job.span_s
    t_s = (mids[:, None] + CONSISTENCY_H_S * np.array([-1.0, 0.0, 1.0])).ravel()
    eph = propagate(job.recs, *job.epoch.offsets(t_s), workers=workers)
    dv, da = np.empty(len(job.recs)), np.empty(len(job.recs))
    kernels.consistency(eph.r_km, eph.v_kms, eph.ok, CONSISTENCY_H_S, dv, da)
    return dv, da


def candidates_for_block(job: ScreenJob, c_lo: int, c_hi: int, workers: int,
                         scratch: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Broad phase of one block: (i, j, k) screened-object indices and global sub-interval index, and each
    object's acceleration bound (km/s^2) from the lowest radius of its elements and of its samples in the block."""
    cfg = job.config
    r, v, ok = _coarse_samples(job, c_lo, c_hi, workers, scratch)
    n = len(job.recs)
    r_t, v_t = np.ascontiguousarray(r.transpose(1, 0, 2)), np.ascontiguousarray(v.transpose(1, 0, 2))  # no copy
    ok_t = np.ascontiguousarray(ok.T)
    del r, v
    eps, chord, rhodev, amax, rlo = (np.empty(n) for _ in range(5))
    kernels.motion_bounds(r_t, ok_t, job.sma_km, job.ecc, cfg.coarse_s, cfg.sub_s, job.primary_mode, job.dv_kms,
                     job.da_kms2, eps, chord, rhodev, amax, rlo)
    k_stop = min((c_hi - c_lo) * cfg.nsub, job.n_sub - c_lo * cfg.nsub)
    prim = np.flatnonzero(job.primary)

    def run(piece):
        if job.primary_mode:  # this thread's samples (steps piece[0]..piece[1]), with their J2 accelerations
            a, b = piece[0], piece[1] + 1
            acc = np.empty_like(r_t[a:b])
            kernels.accelerations(r_t[a:b], ok_t[a:b], acc)
            eps_step = np.empty((b - 1 - a, n))  # error bound per step: small far from an eccentric orbit's perigee
            kernels.step_eps(r_t[a:b], v_t[a:b], ok_t[a:b], job.sma_km, job.ecc, cfg.coarse_s, cfg.nsub, rhodev,
                        job.dv_kms, job.da_kms2, eps, rlo, eps_step)
            parts = max(1, round(cfg.coarse_s / cfg.primary_scan_s))
            return primary_kernels.primary_phase(r_t[a:b], v_t[a:b], ok_t[a:b], cfg.coarse_s, cfg.nsub, 0, b - 1 - a,
                                    k_stop - a * cfg.nsub, eps_step, chord, rhodev, job.threshold_km, prim,
                                    (c_lo + a) * cfg.nsub, acc, job.primary_pairs, parts)
        return kernels.broad_phase(r_t, v_t, ok_t, cfg.coarse_s, cfg.nsub, piece[0], piece[1], k_stop, eps, chord,
                              rhodev, job.threshold_km, cfg.cell_km, cfg.rcell_km, c_lo * cfg.nsub)

    pieces = [p for p in _split(c_hi - c_lo, workers) if p[1] > p[0]]
    with ThreadPoolExecutor(max(1, len(pieces))) as pool:
        found = list(pool.map(run, pieces))
    return (np.concatenate(found) if found else np.empty((0, 3), np.int64)), amax


def _rlo_km(sma_km: np.ndarray, ecc: np.ndarray) -> np.ndarray:
    """Lowest radius (km) the bounds assume from the elements: 0.98 perigee radius, at least 0.9 Earth radius."""
    return np.maximum(0.98 * sma_km * (1 - ecc), 0.9 * kernels.RE_KM)


def events_for_candidates(job: ScreenJob, cand: np.ndarray, workers: int, amax: np.ndarray) -> dict[str, np.ndarray]:
    """Narrow phase: every local minimum of range <= threshold inside the candidate sub-intervals. amax: each
    object's acceleration bound (km/s^2) from candidates_for_block (lowest radius of its elements' perigee and its
    samples in the block, so an object decaying below its perigee keeps a valid bound)."""
    tb = job.tb_min

    def run(piece):
        part = cand[piece[0]:piece[1]]
        objs, inv = np.unique(part[:, :2], return_inverse=True)  # only the records this piece needs, copied:
        local = np.column_stack([inv.reshape(-1, 2), part[:, 2]])  # SGP4 writes into them (one copy per thread)
        pairs, t_s, miss, states = narrow_kernels.narrow_phase(job.recs.records[objs], tb[objs], amax[objs], local,
                                                   job.config.sub_s, job.threshold_km, job.span_s)
        return objs[pairs], t_s, miss, states

    pieces = [p for p in _split(len(cand), workers) if p[1] > p[0]]
    if not pieces:
        return _empty_raw()
    with ThreadPoolExecutor(len(pieces)) as pool:
        parts = list(pool.map(run, pieces))
    return {name: np.concatenate([p[q] for p in parts]) for q, name in enumerate(RAW_FIELDS)}


def _empty_raw() -> dict[str, np.ndarray]:
    """Raw event arrays with no rows."""
    return {"pairs": np.empty((0, 2), np.int64), "t_s": np.empty(0), "miss_km": np.empty(0),
            "states": np.empty((0, 12))}


def screen_blocks(job: ScreenJob, blocks: list[tuple[int, int]], workers: int | None = None,
                  progress: Callable[[int], None] | None = None) -> dict[str, np.ndarray]:
    """Raw events (screened-object indices, s from start, miss km, TEME states) of the given time blocks."""
    workers = workers or job.config.workers or default_workers()
    scratch = job.recs.records.copy()  # SGP4 working records of this call (a Dask worker may run tasks side by side)
    parts = []
    for c_lo, c_hi in blocks:
        cand, amax = candidates_for_block(job, c_lo, c_hi, workers, scratch)
        parts.append(events_for_candidates(job, cand, workers, amax))
        if progress is not None:
            progress(c_hi - c_lo)
    return merge_raw(parts)


def merge_raw(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Concatenate raw event arrays and sort them by (TCA, i, j) so any split gives the same order."""
    parts = [p for p in parts if len(p["t_s"])] or [_empty_raw()]
    raw = {name: np.concatenate([p[name] for p in parts]) for name in RAW_FIELDS}
    order = np.lexsort((raw["pairs"][:, 1], raw["pairs"][:, 0], raw["t_s"]))
    return {name: raw[name][order] for name in RAW_FIELDS}


# ------------------------------------------------------------------------------------------------ output


def _orient(job: ScreenJob, raw: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Catalog rows of objects 1 and 2 and states (r1, v1, r2, v2): object 1 is the primary when screening them and
    one of the two is, else the one earlier in the catalog (whatever order the job keeps its objects in)."""
    i, j = raw["pairs"][:, 0], raw["pairs"][:, 1]
    states = raw["states"].copy()
    swap = job.index[j] < job.index[i]
    if job.primary_mode:
        swap = np.where(job.primary[i] == job.primary[j], swap, job.primary[j])
    states[swap] = np.concatenate([raw["states"][swap, 6:], raw["states"][swap, :6]], axis=1)
    a, b = np.where(swap, j, i), np.where(swap, i, j)
    return job.index[a], job.index[b], states


def _hbr_m(catalog, rows: np.ndarray) -> np.ndarray:
    """Hard-body radius (m) of catalog rows: CARA table by NORAD id, else object-type default."""
    from orbitshare.ssa.conjunction.hbr import hbr_m

    uniq, inv = np.unique(rows, return_inverse=True)
    vals = np.array([hbr_m(int(catalog.norad_id[r]), catalog["object_type"][r]) for r in uniq])
    return vals[inv] if rows.size else np.empty(0)


def build_conjunctions(catalog, job: ScreenJob, raw: dict[str, np.ndarray], start: datetime,
                       stop: datetime) -> Conjunctions:
    """Conjunctions table from raw events: names, UTC TCA, RTN miss, element ages, HBR and max Pc."""
    from orbitshare.ssa.conjunction.pc import pc_max_isotropic

    a, b, st = _orient(job, raw)
    r1, v1, r2, v2 = st[:, 0:3], st[:, 3:6], st[:, 6:9], st[:, 9:12]
    jd, fr = job.epoch.offsets_normalised(raw["t_s"])
    cols: dict[str, np.ndarray] = {}
    for tag, rows in (("1", a), ("2", b)):
        cols[f"norad_id_{tag}"] = catalog.norad_id[rows]
        cols[f"name_{tag}"] = catalog.name[rows].astype(object)
        cols[f"regime_{tag}"] = catalog.regime[rows].astype(object)
    cols["tca_jd"], cols["tca_fr"] = jd, fr
    cols["tca_utc"] = np.char.add(np.datetime_as_string(jd_to_datetime64(jd, fr), unit="us"), "Z").astype(object)
    cols["miss_km"] = np.linalg.norm(r2 - r1, axis=1)
    cols["rel_speed_kms"] = np.linalg.norm(v2 - v1, axis=1)
    rtn = rtn_components(r1, v1, r2 - r1) if len(a) else np.empty((0, 3))
    cols["miss_r_km"], cols["miss_t_km"], cols["miss_n_km"] = rtn[:, 0], rtn[:, 1], rtn[:, 2]
    for tag, rows in (("1", a), ("2", b)):
        cols[f"age_{tag}_days"] = (jd - catalog["epoch_jd"][rows]) + (fr - catalog["epoch_fr"][rows])
    cols["hbr_m"] = _hbr_m(catalog, a) + _hbr_m(catalog, b)
    cols["pc_max"] = pc_max_isotropic(cols["miss_km"] * 1e3, cols["hbr_m"])[0] if len(a) else np.empty(0)
    cols["stale"] = stale(cols["age_1_days"], catalog.regime[a]) | stale(cols["age_2_days"], catalog.regime[b])
    for q, name in enumerate(STATE_COLUMNS):
        cols[name] = st[:, q]
    meta = {"objects_screened": len(job.recs), "primary_mode": job.primary_mode,
            "config": job.config.__dict__.copy()}
    return Conjunctions(cols, job.threshold_km, start, stop, meta)


def screen(catalog, start, stop, threshold_km: float, primaries: Iterable[int] | None = None, *,
           config: ScreenConfig | None = None, scheduler: str | None = None,
           progress: Callable[[int, int], None] | None = None) -> Conjunctions:
    """Every close approach (local minimum of range <= threshold_km, TEME/SGP4) in [start, stop] UTC.

    catalog: orbitshare Catalog; start/stop: aware or naive-UTC datetimes or ISO text; primaries: NORAD ids
    (None = all-vs-all; else each event has a primary as object 1); scheduler: a Dask scheduler address
    ("tcp://HOST:PORT"), "local" for an in-process LocalCluster, or None to run here; progress(done, total)
    is called with SGP4 steps done. Raises ValueError for stop <= start or threshold <= 0, KeyError for an
    unknown primary.
    """
    jobs = prepare(catalog, start, stop, threshold_km, primaries, config)
    start, stop = as_utc(start), as_utc(stop)
    total = sum(job.n_coarse for job in jobs)
    parts, base = [], 0  # base: SGP4 steps of the jobs already done
    for job in jobs:

        def report(n_done: int, _n_job: int = 0, base: int = base) -> None:
            if progress is not None:
                progress(base + n_done, total)

        if scheduler is not None:
            raw = get_runner("dask")(job, scheduler, report)
        else:
            done = [0]

            def step(n: int, done: list = done, report=report) -> None:
                done[0] += n
                report(done[0])

            raw = screen_blocks(job, job.blocks(), progress=step)
        parts.append(build_conjunctions(catalog, job, raw, start, stop))
        base += job.n_coarse
    res = parts[0] if len(parts) == 1 else Conjunctions.concat(parts)
    return with_colocated(catalog, res)


def with_colocated(catalog, res: Conjunctions) -> Conjunctions:
    """The result with columns colocated (the pair stays close over the whole window: ssa.conjunction.colocated) and
    pair_max_range_km (largest sampled range of slow pairs, NaN for others) inserted after stale."""
    from orbitshare.ssa.conjunction.colocated import colocated_pairs

    flag, widest = colocated_pairs(catalog, res)
    cols = {}
    for name, col in res.columns.items():
        cols[name] = col
        if name == "stale":
            cols["colocated"], cols["pair_max_range_km"] = flag, widest
    res.columns = cols
    return res
