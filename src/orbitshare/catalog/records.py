"""Element-set records, the columns a catalog holds, and the report of rejected records."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

__all__ = ["COLUMNS", "EARLIEST_EPOCH_JD", "OBJECT_TYPES", "CatalogError", "ParseReport", "Reject", "check_elements",
           "object_type_from_name"]

#: Columns of a catalog, in order, with their numpy dtypes.  Angles in degrees, mean motion in rev/day,
#: its derivatives as written in TLE/OMM (rev/day^2 for MEAN_MOTION_DOT = ndot/2, rev/day^3 for
#: MEAN_MOTION_DDOT = nddot/6), BSTAR in 1/earth radii, epoch as a two-part UTC Julian date.
COLUMNS: dict[str, str] = {
    "norad_id": "int64",
    "name": "object",
    "intl_des": "object",
    "object_type": "object",
    "classification": "object",
    "epoch_jd": "float64",
    "epoch_fr": "float64",
    "mean_motion_revday": "float64",
    "ecc": "float64",
    "incl_deg": "float64",
    "raan_deg": "float64",
    "argp_deg": "float64",
    "mean_anomaly_deg": "float64",
    "bstar": "float64",
    "ndot": "float64",
    "nddot": "float64",
    "element_set_no": "int64",
    "rev_at_epoch": "int64",
}

OBJECT_TYPES = ("PAYLOAD", "ROCKET BODY", "DEBRIS", "UNKNOWN")

#: Earliest acceptable epoch (Sputnik 1 launch, 1957-10-04) as a Julian date.
EARLIEST_EPOCH_JD = 2436115.5


@dataclass(frozen=True)
class Reject:
    """One record that was not accepted: where it came from, which field, and why."""

    source: str
    location: str  # e.g. "line 17" or "record 3"
    field: str
    reason: str
    norad_id: int | None = None

    def __str__(self) -> str:
        ident = f" (NORAD {self.norad_id})" if self.norad_id is not None else ""
        return f"{self.source}: {self.location}{ident}: {self.field}: {self.reason}"


class CatalogError(ValueError):
    """A record could not be read (raised at once with strict=True, else collected as a Reject)."""

    def __init__(self, reject: Reject):
        super().__init__(str(reject))
        self.reject = reject


@dataclass
class ParseReport:
    """What reading one or more sources produced besides the catalog: rejects and replaced duplicates."""

    sources: list[str] = field(default_factory=list)
    records_read: int = 0
    rejects: list[Reject] = field(default_factory=list)
    duplicates: list[Reject] = field(default_factory=list)

    def extend(self, other: ParseReport) -> None:
        """Add another report's counts and findings to this one."""
        self.sources += other.sources
        self.records_read += other.records_read
        self.rejects += other.rejects
        self.duplicates += other.duplicates


_DEBRIS_RE = re.compile(r"\b(DEB|COOLANT)\b")
_ROCKET_RE = re.compile(r"(\bR/B\b|\bAKM\b|\bPKM\b)")


def object_type_from_name(name: str) -> str:
    """Object type guessed from a catalog name as Space-Track and CelesTrak write them.

    The word DEB (e.g. 'USA 40 R/B DEB') or COOLANT (NaK droplets) means debris; R/B, AKM or PKM a rocket
    body; TBA or an empty name unknown; anything else a payload (so 'DEBUT (ORIZURU)' stays a payload).
    """
    upper = f" {name.upper()} "
    if _DEBRIS_RE.search(upper):
        return "DEBRIS"
    if _ROCKET_RE.search(upper):
        return "ROCKET BODY"
    if upper.strip() in ("", "TBA - TO BE ASSIGNED", "UNKNOWN") or upper.startswith(" OBJECT "):
        return "UNKNOWN"
    return "PAYLOAD"


def check_elements(rec: dict) -> tuple[str, str] | None:
    """First (field, reason) by which mean elements are out of range for SGP4, else None."""
    checks = (  # field, value, lowest, highest, low end allowed, high end allowed, unit
        ("MEAN_MOTION", rec["mean_motion_revday"], 0.0, 20.0, False, True, " rev/day"),
        ("ECCENTRICITY", rec["ecc"], 0.0, 1.0, True, False, ""),
        ("INCLINATION", rec["incl_deg"], 0.0, 180.0, True, True, " deg"),
        ("RA_OF_ASC_NODE", rec["raan_deg"], 0.0, 360.0, True, False, " deg"),
        ("ARG_OF_PERICENTER", rec["argp_deg"], 0.0, 360.0, True, False, " deg"),
        ("MEAN_ANOMALY", rec["mean_anomaly_deg"], 0.0, 360.0, True, False, " deg"),
    )
    for name, value, lo, hi, lo_in, hi_in, unit in checks:
        if not math.isfinite(value):
            return name, f"value {value!r} is not a finite number"
        above = value >= lo if lo_in else value > lo
        below = value <= hi if hi_in else value < hi
        if not (above and below):
            return name, f"value {value}{unit} outside {'[' if lo_in else '('}{lo}, {hi}{']' if hi_in else ')'}"
    for name in ("bstar", "ndot", "nddot"):
        if not math.isfinite(rec[name]):
            return name.upper(), f"value {rec[name]!r} is not a finite number"
    if rec["epoch_jd"] + rec["epoch_fr"] < EARLIEST_EPOCH_JD:
        return "EPOCH", "epoch is before 1957-10-04 (the first satellite)"
    return None
