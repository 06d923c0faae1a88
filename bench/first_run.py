"""First run after an install: compiling every numba kernel (`orbitshare warmup` on an empty cache) against
loading them from numba's on-disk cache (the same command again). Prints a table, writes
bench/results/first_run.json. Each figure is one fresh process; the ratio is cold over warm in the same run."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ORBITSHARE = Path(sys.executable).with_name("orbitshare")


def timed_warmup(cache_dir: str) -> float:
    """Wall seconds of `orbitshare warmup` in a fresh process with numba's cache in cache_dir."""
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    t0 = time.perf_counter()
    subprocess.run([str(ORBITSHARE), "warmup"], env=env, check=True, capture_output=True)
    return time.perf_counter() - t0


def main() -> None:
    """Cold (empty cache) then warm (cache filled by the cold run) `orbitshare warmup`."""
    with tempfile.TemporaryDirectory() as cache:
        cold_s = timed_warmup(cache)
        warm_s = min(timed_warmup(cache) for _ in range(2))
    rows = [("compile every kernel (empty cache)", cold_s), ("load every kernel (cached), best of 2", warm_s),
            ("ratio cold / warm", cold_s / warm_s)]
    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs"
    print(f"\nFirst run of the numba kernels ({machine})\n")
    for name, value in rows:
        print(f"{name:<42} {value:>8.1f}")
    out = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine,
           "python": platform.python_version(), "cold_s": cold_s, "warm_s": warm_s, "ratio": cold_s / warm_s}
    path = ROOT / "bench" / "results" / "first_run.json"
    path.write_text(json.dumps(out, indent=2) + "\n")
    print(f"\nwrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
