"""Write propagated states of many objects to CSV, Parquet, CCSDS OEM or CZML, streaming object blocks (I/O edge)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from orbitshare.astro.frames import itrs_to_geodetic, teme_to_gcrf, teme_to_itrs
from orbitshare.astro.propagation import Sgp4Records, propagate
from orbitshare.astro.time import jd_to_datetime64
from orbitshare.ccsds.oem import OEM_FRAMES, write_oem_header, write_oem_segment
from orbitshare.export.czml import CZML_FRAMES, begin_czml, end_czml, write_czml_object

__all__ = ["FORMAT_FRAMES", "FRAMES", "OUTPUT_SUFFIXES", "check_output", "write_ephemeris"]

FRAMES = ("teme", "gcrf", "itrs", "geodetic")
OUTPUT_SUFFIXES = (".csv", ".parquet", ".oem", ".czml")
#: Frames each state-message format can carry (tables take every frame).
FORMAT_FRAMES = {".oem": tuple(OEM_FRAMES), ".czml": tuple(CZML_FRAMES)}


def check_output(frame: str, out: Path) -> None:
    """ValueError naming the option when a frame or an output suffix (or the pair) is not supported, or the
    output folder is missing or read-only."""
    if frame not in FRAMES:
        raise ValueError(f"--frame must be one of {', '.join(FRAMES)}, got {frame!r}")
    if out.suffix not in OUTPUT_SUFFIXES:
        raise ValueError(f"--out must end in {', '.join(OUTPUT_SUFFIXES)}, got {out.name!r}")
    allowed = FORMAT_FRAMES.get(out.suffix)
    if allowed and frame not in allowed:
        raise ValueError(f"--out {out.suffix} takes --frame {' or '.join(allowed)}, got --frame {frame}")
    if not (out.parent.is_dir() and os.access(out.parent, os.W_OK)):
        raise ValueError(f"--out {out}: folder {out.parent} does not exist or is not writable")


def _in_frame(frame: str, r, v, jd, fr):
    """Positions (km) and velocities (km/s) of one block in teme, gcrf or itrs."""
    if frame == "gcrf":
        return teme_to_gcrf(r, v, jd, fr)
    if frame in ("itrs", "geodetic"):
        return teme_to_itrs(r, v, jd, fr)
    return r, v


def _columns(frame: str, r, v, jd, fr):
    """Output columns (name -> flat array) for one block of objects x times in the requested frame."""
    r, v = _in_frame(frame, r, v, jd, fr)
    if frame == "geodetic":
        lat, lon, h = itrs_to_geodetic(r)
        return {"lat_deg": lat.ravel(), "lon_deg": lon.ravel(), "alt_km": h.ravel()}
    return {"x_km": r[..., 0].ravel(), "y_km": r[..., 1].ravel(), "z_km": r[..., 2].ravel(),
            "vx_kms": v[..., 0].ravel(), "vy_kms": v[..., 1].ravel(), "vz_kms": v[..., 2].ravel()}


def write_ephemeris(catalog, jd, fr, frame: str, out: Path, block: int = 256,
                    on_block: Callable[[int], None] | None = None) -> dict:
    """Propagate every catalog object at the given times and write long-format rows to .csv or .parquet, or
    one OEM segment / CZML packet per object to .oem / .czml (samples with an SGP4 error left out there).

    Returns counts: rows written, samples with an SGP4 error and the NORAD ids that had any.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    check_output(frame, out)
    if out.suffix in FORMAT_FRAMES:
        return _write_messages(catalog, jd, fr, frame, out, block, on_block)
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


def _write_messages(catalog, jd, fr, frame: str, out: Path, block: int,
                    on_block: Callable[[int], None] | None) -> dict:
    """Write states as a CCSDS OEM (one segment per object) or a CZML document (one packet per object)."""
    recs = Sgp4Records.from_catalog(catalog)
    times = jd_to_datetime64(jd, fr)
    rows = errors = 0
    failed: list[int] = []
    with open(out, "w") as fh:
        if out.suffix == ".oem":
            write_oem_header(fh, comments=["SGP4 states from catalog element sets (orbitshare propagate)"])
        else:
            begin_czml(fh, times[0], times[-1])
        for lo in range(0, len(catalog), block):
            hi = min(lo + block, len(catalog))
            eph = propagate(Sgp4Records(recs.records[lo:hi], recs.epoch_jd[lo:hi], recs.epoch_fr[lo:hi]), jd, fr)
            r, v = _in_frame(frame, eph.r_km, eph.v_kms, jd, fr)
            for k in range(hi - lo):
                ok = eph.error[k] == 0
                row = lo + k
                if not ok.all():
                    failed.append(int(catalog.norad_id[row]))
                    errors += int((~ok).sum())
                if ok.sum() < 2:
                    continue
                name, norad = str(catalog.name[row]), str(catalog.norad_id[row])
                if out.suffix == ".oem":
                    intl = str(catalog["intl_des"][row] or "")
                    write_oem_segment(fh, name, intl or norad, frame, times[ok], r[k][ok], v[k][ok],
                                      comments=[f"NORAD_CAT_ID {norad}"])
                else:
                    write_czml_object(fh, norad, name, frame, times[ok], r[k][ok])
                rows += int(ok.sum())
            if on_block:
                on_block(hi - lo)
        if out.suffix == ".czml":
            end_czml(fh)
    return {"rows": rows, "error_samples": errors, "failed_ids": failed}
