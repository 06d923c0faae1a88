"""Vectorised SGP4 propagation of many objects at many times (TEME), on all cores, errors kept per sample."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from orbitshare.astro import sgp4_numba

__all__ = ["SGP4_ERRORS", "Ephemeris", "Sgp4Records", "default_workers", "propagate", "propagate_pairs"]

#: SGP4 error codes (Vallado) plus 7 for a non-finite result from finite-looking elements.
SGP4_ERRORS = {
    0: "ok",
    1: "mean eccentricity outside [0, 1)",
    2: "mean motion below zero",
    3: "perturbed eccentricity outside [0, 1]",
    4: "semi-latus rectum below zero",
    6: "orbit decayed (radius below one earth radius)",
    7: "non-finite result",
}
OPSMODE_IMPROVED, OPSMODE_AFSPC = 1, 0


def default_workers() -> int:
    """Number of threads to use: the CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


@dataclass
class Sgp4Records:
    """Initialised SGP4 state of many objects (numpy structured array) with their epochs (two-part UTC JD)."""

    records: np.ndarray
    epoch_jd: np.ndarray
    epoch_fr: np.ndarray

    @classmethod
    def from_elements(cls, epoch_jd, epoch_fr, mean_motion_revday, ecc, incl_deg, raan_deg, argp_deg,
                      mean_anomaly_deg, bstar, ndot, nddot, opsmode: int = OPSMODE_IMPROVED) -> Sgp4Records:
        """Initialise from mean elements in TLE/OMM units (deg, rev/day, rev/day^2, rev/day^3, 1/ER)."""
        arrays = [np.ascontiguousarray(a, dtype=np.float64) for a in (
            epoch_jd, epoch_fr, mean_motion_revday, ecc, incl_deg, raan_deg, argp_deg, mean_anomaly_deg,
            bstar, ndot, nddot)]
        recs = np.zeros(arrays[0].shape[0], dtype=sgp4_numba.SATREC_DTYPE)
        sgp4_numba.init_records(recs, *arrays, opsmode)  # type: ignore[call-arg]  # numba dispatcher, typed at run time
        return cls(recs, arrays[0], arrays[1])

    @classmethod
    def from_catalog(cls, catalog, opsmode: int = OPSMODE_IMPROVED) -> Sgp4Records:
        """Initialise every object of a Catalog."""
        c = catalog.columns
        return cls.from_elements(c["epoch_jd"], c["epoch_fr"], c["mean_motion_revday"], c["ecc"], c["incl_deg"],
                                 c["raan_deg"], c["argp_deg"], c["mean_anomaly_deg"], c["bstar"], c["ndot"],
                                 c["nddot"], opsmode)

    def __len__(self) -> int:
        return self.records.shape[0]

    @property
    def init_error(self) -> np.ndarray:
        """SGP4 error code of each object at its epoch (0 when usable)."""
        return self.records["error"].copy()

    @property
    def deep_space(self) -> np.ndarray:
        """Whether each object uses the deep-space (SDP4) branch (period >= 225 min)."""
        return self.records["method"] == 1


@dataclass
class Ephemeris:
    """Positions (km) and velocities (km/s) of n objects at m times, shape (n, m, 3), with error codes (n, m)."""

    r_km: np.ndarray
    v_kms: np.ndarray
    error: np.ndarray
    jd: np.ndarray
    fr: np.ndarray
    frame: str = "TEME"

    @property
    def ok(self) -> np.ndarray:
        """Mask (n, m) of samples without SGP4 error."""
        return self.error == 0

    def failed_objects(self) -> np.ndarray:
        """Indices of objects with an SGP4 error at one or more times."""
        return np.flatnonzero(np.any(self.error != 0, axis=1))


def _chunks(n: int, parts: int) -> list[tuple[int, int]]:
    """Split range(n) into about `parts` contiguous (lo, hi) pieces."""
    edges = np.linspace(0, n, parts + 1).astype(int)
    return [(int(a), int(b)) for a, b in pairwise(edges) if b > a]


def propagate(recs: Sgp4Records, jd, fr, workers: int | None = None, time_major: bool = False,
              scratch: np.ndarray | None = None) -> Ephemeris:
    """TEME position and velocity of every object at every time (two-part UTC JD), using worker threads.

    The arrays have shape (objects, times, 3) either way; with time_major they are views of (times, objects, 3)
    memory, so ``r_km.transpose(1, 0, 2)`` is C-contiguous (what the screening kernels read) without a copy.
    SGP4 writes its working state into the records, so a copy is used: `scratch` (a copy of recs.records that the
    caller keeps for repeated calls, modified here) or a fresh one.
    """
    jd = np.ascontiguousarray(np.broadcast_to(np.asarray(jd, dtype=np.float64), np.shape(fr)))
    fr = np.ascontiguousarray(fr, dtype=np.float64)
    if jd.ndim != 1:
        raise ValueError(f"times must be one-dimensional, got shape {jd.shape}")
    n, m = len(recs), jd.shape[0]
    shape = (m, n, 3) if time_major else (n, m, 3)
    r = np.empty(shape)
    v = np.empty(shape)
    err = np.empty((n, m), dtype=np.uint8)
    work = recs.records.copy() if scratch is None else scratch  # SGP4 writes into records: never share them
    workers = workers or default_workers()
    pieces = _chunks(n, workers * 8 if workers > 1 else 1)

    kernel = sgp4_numba.propagate_range_time_major if time_major else sgp4_numba.propagate_range

    def run(piece):
        kernel(work, recs.epoch_jd, recs.epoch_fr, jd, fr, r, v, err, piece[0], piece[1])

    if workers == 1 or n < 2:
        for piece in pieces:
            run(piece)
    else:
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(run, pieces))
    if time_major:
        r, v = r.transpose(1, 0, 2), v.transpose(1, 0, 2)
    return Ephemeris(r, v, err, jd, fr)


def propagate_pairs(recs: Sgp4Records, index, jd, fr) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """TEME r (km), v (km/s) and error of object index[k] at time (jd[k], fr[k]) for each k."""
    index = np.ascontiguousarray(index, dtype=np.int64)
    jd = np.ascontiguousarray(np.broadcast_to(np.asarray(jd, dtype=np.float64), index.shape))
    fr = np.ascontiguousarray(np.broadcast_to(np.asarray(fr, dtype=np.float64), index.shape))
    r = np.empty((index.shape[0], 3))
    v = np.empty((index.shape[0], 3))
    err = np.empty(index.shape[0], dtype=np.uint8)
    sgp4_numba.propagate_pairs(recs.records.copy(), recs.epoch_jd, recs.epoch_fr, index, jd, fr, r, v, err)
    return r, v, err
