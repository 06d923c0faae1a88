"""SATCAT (satellite catalogue: every object catalogued, decayed ones included) as CSV, Space-Track or CelesTrak
column names: international designator, NORAD id, object type, name and decay date per object."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import IO

__all__ = ["SatcatEntry", "read_satcat"]

#: Column of each field in Space-Track's and CelesTrak's SATCAT CSV.
_COLUMNS = {"intl_des": ("INTLDES", "OBJECT_ID"), "norad_id": ("NORAD_CAT_ID",),
            "object_type": ("OBJECT_TYPE",), "name": ("SATNAME", "OBJECT_NAME"), "decay": ("DECAY", "DECAY_DATE")}
_TYPES = {"PAY": "PAYLOAD", "R/B": "ROCKET BODY", "DEB": "DEBRIS", "UNK": "UNKNOWN"}


@dataclass(frozen=True)
class SatcatEntry:
    """One catalogued object: designator ('1982-092A'), NORAD id, type (PAYLOAD, ROCKET BODY, DEBRIS, UNKNOWN),
    name and decay date ('' while on orbit)."""

    intl_des: str
    norad_id: int
    object_type: str
    name: str
    decay: str


def read_satcat(fh: IO[str], source: str = "SATCAT") -> tuple[list[SatcatEntry], int]:
    """Entries of a SATCAT CSV and the number of rows skipped (no designator or a bad NORAD id); ValueError
    naming the source when a needed column is missing."""
    reader = csv.DictReader(fh)
    header = set(reader.fieldnames or [])
    cols = {}
    for key, names in _COLUMNS.items():
        found = next((n for n in names if n in header), None)
        if found is None and key != "decay":
            raise ValueError(f"{source}: not a SATCAT CSV (no {' or '.join(names)} column)")
        cols[key] = found
    out, skipped = [], 0
    for row in reader:
        intl = (row.get(cols["intl_des"]) or "").strip()
        try:
            norad = int(row.get(cols["norad_id"]) or "")
        except ValueError:
            skipped += 1
            continue
        if not intl:
            skipped += 1
            continue
        kind = (row.get(cols["object_type"]) or "").strip().upper()
        out.append(SatcatEntry(intl, norad, _TYPES.get(kind, kind or "UNKNOWN"),
                               (row.get(cols["name"]) or "").strip(),
                               (row.get(cols["decay"]) or "").strip() if cols["decay"] else ""))
    return out, skipped
