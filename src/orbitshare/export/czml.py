"""CZML (Cesium) documents of sampled satellite positions: a document packet, then one packet per object with
time-tagged cartesian samples in metres and Lagrange interpolation, streamed packet by packet."""

from __future__ import annotations

import json
from typing import TextIO

import numpy as np

from orbitshare.astro.time import datetime64_to_jd, format_utc

__all__ = ["CZML_FRAMES", "begin_czml", "end_czml", "write_czml_object"]

#: Project frame name -> CZML referenceFrame.
CZML_FRAMES = {"gcrf": "INERTIAL", "itrs": "FIXED"}


def _iso(t: np.datetime64) -> str:
    """ISO 8601 UTC text with milliseconds and a Z, as Cesium's JulianDate.fromIso8601 reads it."""
    return str(format_utc(*datetime64_to_jd(t)))


def begin_czml(fh: TextIO, start: np.datetime64, stop: np.datetime64, name: str = "orbitshare") -> None:
    """Open the packet array and write the document packet with its clock (start/stop, looping)."""
    interval = f"{_iso(start)}/{_iso(stop)}"
    doc = {"id": "document", "name": name, "version": "1.0",
           "clock": {"interval": interval, "currentTime": _iso(start), "multiplier": 60,
                     "range": "LOOP_STOP", "step": "SYSTEM_CLOCK_MULTIPLIER"}}
    fh.write("[\n" + json.dumps(doc))


def write_czml_object(fh: TextIO, object_id: str, name: str, frame: str, epochs: np.ndarray,
                      r_km: np.ndarray) -> None:
    """Write one object's packet: label, point, path and position samples (seconds from epoch, metres)."""
    if frame not in CZML_FRAMES:
        raise ValueError(f"CZML frames are {', '.join(CZML_FRAMES)}, got {frame!r}")
    t0 = epochs[0]
    seconds = (epochs - t0) / np.timedelta64(1, "us") / 1e6
    samples = np.column_stack([seconds, np.asarray(r_km) * 1000.0])
    packet = {
        "id": object_id, "name": name.strip() or object_id,
        "availability": f"{_iso(epochs[0])}/{_iso(epochs[-1])}",
        "label": {"text": name.strip() or object_id, "font": "11pt sans-serif", "pixelOffset": {"cartesian2": [8, 0]},
                  "horizontalOrigin": "LEFT"},
        "point": {"pixelSize": 5, "color": {"rgba": [255, 255, 0, 255]}},
        "path": {"width": 1, "leadTime": 0, "trailTime": 3600, "resolution": 60},
        "position": {"epoch": _iso(t0), "referenceFrame": CZML_FRAMES[frame],
                     "interpolationAlgorithm": "LAGRANGE", "interpolationDegree": 5,
                     "cartesian": [round(float(x), 3) for x in samples.ravel()]},
    }
    fh.write(",\n" + json.dumps(packet))


def end_czml(fh: TextIO) -> None:
    """Close the packet array."""
    fh.write("\n]\n")
