"""Synthetic catalog for scaling benchmarks: constellation shells, debris clouds, a GEO belt, GTO/HEO and MEO."""

from __future__ import annotations

from datetime import datetime

import numpy as np

from orbitshare.astro.time import datetime_to_jd
from orbitshare.catalog.catalog import Catalog

MU = 398600.8
RE = 6378.135


def _n_revday(a_km):
    """Mean motion (rev/day) of semi-major axis a (km)."""
    return np.sqrt(MU / a_km**3) * 86400.0 / (2 * np.pi)


def synthetic_catalog(n: int, epoch: datetime, seed: int = 1) -> Catalog:
    """n objects: 35 % shells (Walker-like), 30 % debris clouds, 20 % random LEO, 5 % GEO, 5 % MEO, 5 % GTO/HEO."""
    rng = np.random.default_rng(seed)
    parts = [int(n * f) for f in (0.35, 0.30, 0.20, 0.05, 0.05)]
    parts.append(n - sum(parts))
    a, e, inc, raan, argp, ma = [], [], [], [], [], []

    def add(ak, ek, ik, rk, wk, mk):
        for lst, val in zip((a, e, inc, raan, argp, ma), (ak, ek, ik, rk, wk, mk), strict=True):
            lst.append(np.asarray(val, float))

    k = parts[0]
    shells = rng.choice([(550, 53), (540, 53.2), (570, 70), (560, 97.6), (1200, 87.9), (1100, 53)], size=k)
    planes = rng.integers(0, 72, k)
    add(RE + shells[:, 0] + rng.normal(0, 0.5, k), rng.uniform(1e-4, 2e-3, k), shells[:, 1],
        planes * 5.0, rng.uniform(0, 360, k), rng.uniform(0, 360, k))
    k = parts[1]
    cloud = rng.integers(0, 4, k)
    base = np.array([(850, 74), (780, 99), (480, 82.6), (800, 86.4)])[cloud]
    add(RE + base[:, 0] + rng.normal(0, 40, k), np.abs(rng.normal(0.005, 0.004, k)), base[:, 1] + rng.normal(0, 0.3, k),
        cloud * 80.0 + rng.normal(0, 3, k), rng.uniform(0, 360, k), rng.uniform(0, 360, k))
    k = parts[2]
    add(RE + rng.uniform(300, 2000, k), rng.uniform(0, 0.02, k), rng.uniform(0, 110, k), rng.uniform(0, 360, k),
        rng.uniform(0, 360, k), rng.uniform(0, 360, k))
    k = parts[3]
    add(42164.0 + rng.normal(0, 30, k), rng.uniform(0, 1e-3, k), rng.uniform(0, 5, k), rng.uniform(0, 360, k),
        rng.uniform(0, 360, k), rng.uniform(0, 360, k))
    k = parts[4]
    add(RE + rng.uniform(19000, 23500, k), rng.uniform(0, 0.01, k), rng.uniform(50, 65, k), rng.uniform(0, 360, k),
        rng.uniform(0, 360, k), rng.uniform(0, 360, k))
    k = parts[5]
    rp, ra = RE + rng.uniform(250, 600, k), RE + rng.uniform(20000, 40000, k)
    add((rp + ra) / 2, (ra - rp) / (ra + rp), rng.uniform(5, 63, k), rng.uniform(0, 360, k), rng.uniform(0, 360, k),
        rng.uniform(0, 360, k))
    a, e, inc, raan, argp, ma = (np.concatenate(x) for x in (a, e, inc, raan, argp, ma))
    jd, fr = datetime_to_jd(epoch)
    cols = {"norad_id": np.arange(100001, 100001 + n), "name": np.array([f"SYN {i}" for i in range(n)], object),
            "intl_des": np.full(n, "", object), "object_type": np.full(n, "DEBRIS", object),
            "classification": np.full(n, "U", object), "epoch_jd": np.full(n, jd), "epoch_fr": np.full(n, fr),
            "mean_motion_revday": _n_revday(a), "ecc": e, "incl_deg": inc, "raan_deg": raan, "argp_deg": argp,
            "mean_anomaly_deg": ma, "bstar": np.full(n, 1e-5), "ndot": np.zeros(n), "nddot": np.zeros(n),
            "element_set_no": np.ones(n, np.int64), "rev_at_epoch": np.zeros(n, np.int64)}
    return Catalog(cols)
