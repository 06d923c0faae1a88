"""First use of the compiled kernels: telling the user when numba compiles, and compiling them all ahead.

numba compiles the SGP4 and screening kernels on their first call and caches the machine code on disk (beside
the sources, or in ``$NUMBA_CACHE_DIR``); later processes load it in about a second. A fresh install pays the
compilation once (docs/catalog-and-propagation.md gives the time measured by bench/first_run.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import numpy as np

__all__ = ["announce_compilation", "warm_up"]


def announce_compilation(notify: Callable[[], None]) -> None:
    """Call notify() once, when numba starts compiling a kernel in this process (never when it loads a cache)."""
    from numba.core import event

    class _FirstCompile(event.Listener):
        done = False

        def on_start(self, ev: event.Event) -> None:
            if not self.done:
                self.done = True
                notify()

        def on_end(self, ev: event.Event) -> None:
            pass

    event.register("numba:compile", _FirstCompile())


def warm_up() -> float:
    """Compile (or load) every kernel a command can call (bundled catalog: propagation, screening, proximity,
    passes; a small Pc case); seconds taken."""
    from orbitshare.astro.propagation import Sgp4Records, propagate
    from orbitshare.astro.time import Epoch
    from orbitshare.demo import demo_window, load_demo_catalog, national_passes
    from orbitshare.ssa.behaviour.proximity import proximity_watch
    from orbitshare.ssa.conjunction.screening import screen

    t0 = time.perf_counter()
    catalog, _ = load_demo_catalog()
    start, _ = demo_window(catalog)
    stop = start + timedelta(hours=2)
    sample = catalog.take(np.arange(min(len(catalog), 1500)))
    jd, fr = Epoch.from_datetime(start).offsets(np.arange(8) * 900.0)
    for time_major in (False, True):
        propagate(Sgp4Records.from_catalog(sample), jd, fr, time_major=time_major)
    screen(sample, start, stop, 10.0)
    assets = [int(sample.norad_id[sample.regime == regime][0]) for regime in ("LEO", "GEO")
              if np.any(sample.regime == regime)]
    proximity_watch(sample, assets, start, stop)
    national_passes(catalog, start, stop)
    _warm_pc()
    return time.perf_counter() - t0


def _warm_pc() -> None:
    """Run the 3D and Monte Carlo Pc kernels once on a small LEO crossing (m, m/s)."""
    from orbitshare.ssa.conjunction.pc3d import pc_3d
    from orbitshare.ssa.conjunction.pc_montecarlo import pc_monte_carlo

    r1, v1 = np.array([7.0e6, 0.0, 0.0]), np.array([0.0, 7.5e3, 0.0])
    r2, v2 = r1 + np.array([50.0, 0.0, 0.0]), np.array([0.0, 0.0, 7.5e3])
    cov = np.diag([1e4, 4e4, 1e4, 1.0, 4.0, 1.0])
    pc_3d(r1, v1, cov, r2, v2, cov, 10.0)
    pc_monte_carlo(r1, v1, cov, r2, v2, cov, 10.0, trials=1000, window_s=(-5.0, 5.0), seed=1)
