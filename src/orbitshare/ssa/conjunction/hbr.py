"""Default hard-body radii (HBR, metres) per NORAD id from NASA CARA's table, else by object type.

Source table: NASA CARA "HBR_Mass_Estimates_20260601_ForDistribution.csv" (vendored gzip-compressed
as orbitshare/data/cara_hbr_mass_20260601.csv.gz): one row per NORAD id with HBR (m) and its source (CARA
Protected Primary, CARA Override, SFK RCS Estimate, DISCOS DB, Default).
Rows with an empty HBR are treated as unknown.

Fallback by object type (orbitshare project defaults, deliberately conservative round numbers; they are not
taken from a published table and callers should pass better values when they have them):
  PAYLOAD 5.0 m, ROCKET BODY 5.0 m, DEBRIS 1.0 m, UNKNOWN/TBA 5.0 m.
For comparison, NASA CARA's own sample CDMs use a 20 m combined HBR for conservative screening.
The combined HBR of a conjunction is the sum of both objects' radii (spheres enclosing each object).
"""

from __future__ import annotations

import csv
import gzip
import io
import math
from functools import lru_cache
from importlib import resources

__all__ = ["TABLE_RESOURCE", "TYPE_ALIASES", "TYPE_DEFAULT_HBR_M", "cara_table", "combined_hbr_m", "hbr_lookup",
           "hbr_m", "normalize_object_type"]

TABLE_RESOURCE = "cara_hbr_mass_20260601.csv.gz"
TYPE_DEFAULT_HBR_M = {"PAYLOAD": 5.0, "ROCKET BODY": 5.0, "DEBRIS": 1.0, "UNKNOWN": 5.0}
TYPE_ALIASES = {"PAY": "PAYLOAD", "R/B": "ROCKET BODY", "ROCKET_BODY": "ROCKET BODY", "RB": "ROCKET BODY",
                "DEB": "DEBRIS", "TBA": "UNKNOWN", "OTHER": "UNKNOWN", "": "UNKNOWN"}


@lru_cache(maxsize=1)
def cara_table() -> dict[int, tuple[float, str]]:
    """NORAD id -> (HBR m, source) for every row of the vendored CARA table that has a positive HBR."""
    raw = resources.files("orbitshare").joinpath("data", TABLE_RESOURCE).read_bytes()
    rows = csv.DictReader(io.TextIOWrapper(gzip.GzipFile(fileobj=io.BytesIO(raw)), encoding="utf-8"))
    return {int(r["ObjectID"]): (float(r["HBR"]), r["HBRSource"]) for r in rows if _positive(r["HBR"])}


def _positive(text: str) -> bool:
    """True when a CSV cell holds a finite positive number."""
    try:
        value = float(text)
    except ValueError:
        return False
    return math.isfinite(value) and value > 0


def normalize_object_type(object_type: str | None) -> str:
    """Map CCSDS/SATCAT object-type spellings to PAYLOAD, ROCKET BODY, DEBRIS or UNKNOWN."""
    key = (object_type or "").strip().upper()
    key = TYPE_ALIASES.get(key, key)
    return key if key in TYPE_DEFAULT_HBR_M else "UNKNOWN"



def hbr_lookup(norad_id: int | str | None, object_type: str | None = None) -> tuple[float, str]:
    """HBR (m) and its provenance for a NORAD id: the CARA table entry, else the object-type default."""
    try:
        key = int(str(norad_id).strip())
    except (TypeError, ValueError):
        key = None
    entry = cara_table().get(key) if key is not None else None
    if entry is not None:
        return entry[0], f"CARA table ({entry[1]})"
    kind = normalize_object_type(object_type)
    return TYPE_DEFAULT_HBR_M[kind], f"default for {kind}"


def hbr_m(norad_id: int | str | None, object_type: str | None = None) -> float:
    """HBR (m) of one object: CARA table value for the NORAD id, else the object-type default."""
    return hbr_lookup(norad_id, object_type)[0]


def combined_hbr_m(norad_id1, norad_id2, object_type1: str | None = None,
                   object_type2: str | None = None) -> float:
    """Combined HBR (m) of a conjunction: sum of both objects' radii."""
    return hbr_m(norad_id1, object_type1) + hbr_m(norad_id2, object_type2)
