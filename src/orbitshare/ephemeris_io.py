"""Write propagated states of many objects to CSV or Parquet, streaming object blocks (I/O edge)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from orbitshare.astro.frames import itrs_to_geodetic, teme_to_itrs
from orbitshare.astro.propagation import Sgp4Records, propagate
from orbitshare.astro.time import jd_to_datetime64

FRAMES = ("teme", "itrs", "geodetic")
OUTPUT_SUFFIXES = (".csv", ".parquet")


def _columns(frame: str, r, v, jd, fr):
    """Output columns (name -> flat array) for one block of objects x times in the requested frame."""
    if frame in ("itrs", "geodetic"):
        r, v = teme_to_itrs(r, v, jd, fr)
    if frame == "geodetic":
        lat, lon, h = itrs_to_geodetic(r)
        return {"lat_deg": lat.ravel(), "lon_deg": lon.ravel(), "alt_km": h.ravel()}
    return {"x_km": r[..., 0].ravel(), "y_km": r[..., 1].ravel(), "z_km": r[..., 2].ravel(),
            "vx_kms": v[..., 0].ravel(), "vy_kms": v[..., 1].ravel(), "vz_kms": v[..., 2].ravel()}


def write_ephemeris(catalog, jd, fr, frame: str, out: Path, block: int = 256,
                    on_block: Callable[[int], None] | None = None) -> dict:
    """Propagate every catalog object at the given times and write long-format rows to .csv or .parquet.

    Returns counts: rows written, samples with an SGP4 error and the NORAD ids that had any.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    if frame not in FRAMES:
        raise ValueError(f"frame must be one of {', '.join(FRAMES)}, got {frame!r}")
    if out.suffix not in OUTPUT_SUFFIXES:
        raise ValueError(f"output must end in {' or '.join(OUTPUT_SUFFIXES)}, got {out.name!r}")
    recs = Sgp4Records.from_catalog(catalog)
    times = jd_to_datetime64(jd, fr)
    writer = None
    rows = errors = 0
    failed: list[int] = []
    try:
        for lo in range(0, len(catalog), block):
            hi = min(lo + block, len(catalog))
            sub = Sgp4Records(recs.records[lo:hi], recs.epoch_jd[lo:hi], recs.epoch_fr[lo:hi])
            eph = propagate(sub, jd, fr)
            n, m = eph.error.shape
            cols = {"norad_id": np.repeat(catalog.norad_id[lo:hi], m),
                    "name": np.repeat(catalog.name[lo:hi].astype(str), m),
                    "time_utc": np.tile(times, n)}
            cols.update(_columns(frame, eph.r_km, eph.v_kms, jd, fr))
            cols["sgp4_error"] = eph.error.ravel()
            table = pa.table(cols)
            if writer is None:
                writer = (pq.ParquetWriter(str(out), table.schema, compression="zstd") if out.suffix == ".parquet"
                          else pacsv.CSVWriter(str(out), table.schema))
            writer.write_table(table)
            rows += n * m
            bad = eph.error != 0
            errors += int(bad.sum())
            failed += catalog.norad_id[lo:hi][bad.any(axis=1)].tolist()
            if on_block:
                on_block(hi - lo)
    finally:
        if writer is not None:
            writer.close()
    return {"rows": rows, "error_samples": errors, "failed_ids": failed}
