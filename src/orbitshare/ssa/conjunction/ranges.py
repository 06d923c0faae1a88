"""Range between pairs of catalog objects sampled over a window (SGP4, TEME): the series co-located pairs and
proximity trends are judged on."""

from __future__ import annotations

import numpy as np

from orbitshare.astro.propagation import Sgp4Records, propagate
from orbitshare.astro.time import Epoch, as_utc

__all__ = ["range_series"]


def range_series(catalog, pairs: list[tuple[int, int]], start, stop, step_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Range (km, shape pairs x times) between the objects of each (id, id) pair, sampled every step_s (s).

    Each object is propagated once (all threads), NaN where SGP4 has no state (docs/catalog-and-propagation.md).
    """
    start = as_utc(start)
    epoch = Epoch.from_datetime(start)
    t_s = np.arange(0.0, (as_utc(stop) - start).total_seconds() + 1e-9, step_s)
    ids = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    uniq, inv = np.unique(ids, return_inverse=True)
    recs = Sgp4Records.from_catalog(catalog.take(catalog.index_of(uniq)))
    r = propagate(recs, *epoch.offsets(t_s)).r_km
    inv = inv.reshape(-1, 2)
    return t_s, np.linalg.norm(r[inv[:, 1]] - r[inv[:, 0]], axis=2)
