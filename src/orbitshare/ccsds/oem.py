"""CCSDS Orbit Ephemeris Message (OEM, CCSDS 502.0-B-2) in KVN: a writer streaming one segment per object,
and a reader returning each segment's metadata and states (file objects in, no paths)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TextIO

import numpy as np

from orbitshare.astro.time import Epoch, datetime64_to_jd, format_utc, parse_ccsds_utc

__all__ = ["OEM_FRAMES", "OemError", "OemSegment", "read_oem", "write_oem_header", "write_oem_segment"]

#: Project frame name -> OEM REF_FRAME (SANA reference-frame names).
OEM_FRAMES = {"teme": "TEME", "gcrf": "GCRF"}
OEM_VERSION = "2.0"


class OemError(ValueError):
    """An OEM that cannot be read: names the source, line and keyword."""


@dataclass
class OemSegment:
    """One OEM segment: metadata (keyword -> text) and states: epochs (datetime64[us], UTC), r (km), v (km/s)."""

    meta: dict[str, str]
    epochs: np.ndarray
    r_km: np.ndarray
    v_kms: np.ndarray


def _iso(t) -> np.ndarray:
    """OEM epoch text of datetime64 values (ISO 8601, microseconds, no zone: the TIME_SYSTEM keyword gives it)."""
    return format_utc(*datetime64_to_jd(t), unit="us", zone="")


def _epoch64(text: str) -> np.datetime64:
    """datetime64[us] (UTC) of OEM epoch text (CCSDS calendar or day-of-year form); ValueError otherwise."""
    return np.datetime64(parse_ccsds_utc(text).replace(tzinfo=None), "us")


def write_oem_header(fh: TextIO, originator: str = "ORBITSHARE", comments: Iterable[str] = ()) -> None:
    """Write the OEM header (version, comments, creation date, originator)."""
    fh.write(f"CCSDS_OEM_VERS = {OEM_VERSION}\n")
    for c in comments:
        fh.write(f"COMMENT {c}\n")
    fh.write(f"CREATION_DATE = {Epoch.now().iso(unit='s', zone='')}\n")
    fh.write(f"ORIGINATOR = {originator}\n")


def write_oem_segment(fh: TextIO, name: str, object_id: str, frame: str, epochs: np.ndarray, r_km: np.ndarray,
                      v_kms: np.ndarray, comments: Iterable[str] = ()) -> None:
    """Write one segment (metadata and ephemeris lines, km and km/s, UTC) of states in frame 'teme' or 'gcrf'."""
    if frame not in OEM_FRAMES:
        raise ValueError(f"OEM frames are {', '.join(OEM_FRAMES)}, got {frame!r}")
    fh.write("\nMETA_START\n")
    fh.write(f"OBJECT_NAME = {name.strip() or 'UNKNOWN'}\n")
    fh.write(f"OBJECT_ID = {object_id.strip() or 'UNKNOWN'}\n")
    fh.write("CENTER_NAME = EARTH\n")
    fh.write(f"REF_FRAME = {OEM_FRAMES[frame]}\n")
    fh.write("TIME_SYSTEM = UTC\n")
    fh.write(f"START_TIME = {_iso(epochs[0])}\n")
    fh.write(f"STOP_TIME = {_iso(epochs[-1])}\n")
    fh.write("META_STOP\n\n")
    for c in comments:
        fh.write(f"COMMENT {c}\n")
    text = _iso(epochs)
    for t, r, v in zip(text, r_km, v_kms, strict=True):
        fh.write(f"{t} {r[0]:.6f} {r[1]:.6f} {r[2]:.6f} {v[0]:.9f} {v[1]:.9f} {v[2]:.9f}\n")


def read_oem(fh: TextIO, source: str = "OEM") -> list[OemSegment]:
    """Segments of an OEM in KVN (covariance blocks are skipped); OemError naming the line on bad input."""
    segments: list[OemSegment] = []
    meta: dict[str, str] | None = None
    rows: list[list[str]] = []
    in_meta = in_cov = False
    header_seen = False

    def close() -> None:
        if meta is not None:
            for key in ("REF_FRAME", "TIME_SYSTEM", "START_TIME", "STOP_TIME", "CENTER_NAME", "OBJECT_NAME"):
                if key not in meta:
                    raise OemError(f"{source}: segment {len(segments) + 1} lacks mandatory {key}")
            data = np.array([[float(x) for x in r[1:7]] for r in rows]) if rows else np.empty((0, 6))
            epochs = np.array([_epoch64(r[0]) for r in rows], dtype="datetime64[us]")
            segments.append(OemSegment(meta, epochs, data[:, :3], data[:, 3:6]))

    for n, raw in enumerate(fh, 1):
        line = raw.strip()
        if not line or line.startswith("COMMENT"):
            continue
        if line.startswith("CCSDS_OEM_VERS"):
            header_seen = True
        elif line == "META_START":
            close()
            meta, rows, in_meta = {}, [], True
        elif line == "META_STOP":
            in_meta = False
        elif line == "COVARIANCE_START":
            in_cov = True
        elif line == "COVARIANCE_STOP":
            in_cov = False
        elif in_meta or (meta is None and "=" in line):
            key, _, value = line.partition("=")
            if in_meta and meta is not None:
                meta[key.strip()] = value.strip()
        elif not in_cov:
            parts = line.split()
            if meta is None or len(parts) not in (7, 10):
                raise OemError(f"{source} line {n}: expected an epoch and 6 (or 9) numbers, got {line[:60]!r}")
            try:
                [float(x) for x in parts[1:]]
                _epoch64(parts[0])
            except ValueError:
                raise OemError(f"{source} line {n}: bad ephemeris line {line[:60]!r}") from None
            rows.append(parts)
    if not header_seen:
        raise OemError(f"{source}: no CCSDS_OEM_VERS header")
    close()
    return segments
