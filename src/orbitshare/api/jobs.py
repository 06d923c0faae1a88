"""Jobs: capabilities register a function whose result the hub stores as a labelled product.

A capability calls :func:`register_job` at import time; `POST /jobs/{name}` then runs the function
with the posted parameters and stores the result under the posted label.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

JobResult = tuple[bytes | dict[str, Any] | list[Any], str, dict[str, Any]]


@dataclass(frozen=True)
class Job:
    """A registered job: name, kind of product it makes, and the function."""

    name: str
    result_kind: str
    summary: str
    run: Callable[[dict[str, Any]], JobResult]


JOBS: dict[str, Job] = {}


def register_job(name: str, result_kind: str, summary: str) -> Callable:
    """Decorator: register `fn(params) -> (content, media_type, meta)` as POST /jobs/{name}."""

    def wrap(fn: Callable[[dict[str, Any]], JobResult]) -> Callable[[dict[str, Any]], JobResult]:
        """Record the job."""
        if not re.fullmatch(r"[a-z][a-z0-9_-]{0,39}", name):
            raise ValueError(f"bad job name {name!r}")
        JOBS[name] = Job(name, result_kind, summary, fn)
        return fn

    return wrap


def encode_result(content: bytes | dict[str, Any] | list[Any]) -> bytes:
    """Bytes of a job result (JSON values are serialised)."""
    return content if isinstance(content, bytes) else json.dumps(content).encode()


# --- catalogs: raw TLE / OMM files ----------------------------------------------------------------------

CatalogParser = Callable[[str, str], dict[str, Any]]
CATALOG_PARSER: list[CatalogParser] = []  # the lead wires orbitshare.catalog here: fn(text, fmt) -> meta


def sniff_catalog(text: str) -> tuple[str, int]:
    """Detect a catalog format (tle, omm-xml, omm-kvn, omm-json, omm-csv) and count objects; ValueError."""
    head = text.lstrip()[:4000]
    if head.startswith("<"):
        if "<omm" not in head.lower() and "<ndm" not in head.lower():
            raise ValueError("XML that is not a CCSDS OMM/NDM document")
        return "omm-xml", max(text.lower().count("<omm"), 1)
    if "CCSDS_OMM_VERS" in head:
        return "omm-kvn", text.count("CCSDS_OMM_VERS")
    if head.startswith(("[", "{")):
        return "omm-json", _count_json(text)
    if "NORAD_CAT_ID" in head.splitlines()[0] if head else False:
        return "omm-csv", max(len([ln for ln in text.splitlines() if ln.strip()]) - 1, 0)
    return "tle", _count_tle(text)


def _count_json(text: str) -> int:
    """Count OMM records in a JSON document."""
    try:
        data = json.loads(text)
    except ValueError as e:
        raise ValueError(f"invalid OMM JSON: {e}") from None
    records = data if isinstance(data, list) else [data]
    if not records or not all(isinstance(r, dict) and "NORAD_CAT_ID" in r for r in records):
        raise ValueError("OMM JSON records must be objects with NORAD_CAT_ID")
    return len(records)


def _count_tle(text: str) -> int:
    """Count TLE sets, checking line pairing and the modulo-10 checksums."""
    lines = [ln.rstrip() for ln in text.splitlines() if ln.strip()]
    ones = [i for i, ln in enumerate(lines) if ln.startswith("1 ")]
    if not ones:
        raise ValueError("not a TLE or OMM file (no TLE line 1 found)")
    for i in ones:
        if i + 1 >= len(lines) or not lines[i + 1].startswith("2 "):
            raise ValueError(f"TLE line 1 at non-blank line {i + 1} is not followed by a line 2")
        for ln in (lines[i], lines[i + 1]):
            if len(ln) < 69 or not ln[68].isdigit() or _tle_checksum(ln) != int(ln[68]):
                raise ValueError(f"TLE line fails its checksum or length: {ln[:20]}...")
    return len(ones)


def _tle_checksum(line: str) -> int:
    """Modulo-10 checksum of the first 68 columns (digits count, '-' counts 1)."""
    return sum(int(c) if c.isdigit() else (1 if c == "-" else 0) for c in line[:68]) % 10


def catalog_meta(text: str) -> dict[str, Any]:
    """Metadata stored with a catalog product; a wired parser may add to it."""
    fmt, count = sniff_catalog(text)
    meta: dict[str, Any] = {"format": fmt, "objects": count}
    for parser in CATALOG_PARSER:
        meta.update(parser(text, fmt))
    return meta
