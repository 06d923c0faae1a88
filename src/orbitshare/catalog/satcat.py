"""SATCAT (satellite catalogue: every object catalogued, decayed ones included) as CSV, Space-Track or CelesTrak
column names: international designator, NORAD id, object type, name, owner and decay date per object; and the
bundled table of SATCAT owner codes (CelesTrak's list of sources, e.g. 'LUXE' Luxembourg, 'SES' SES)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import IO

__all__ = ["OwnerTable", "SatcatEntry", "owner_by_norad", "owner_names", "owner_table", "read_satcat"]

#: Column of each field in Space-Track's and CelesTrak's SATCAT CSV.
_COLUMNS = {"intl_des": ("INTLDES", "OBJECT_ID"), "norad_id": ("NORAD_CAT_ID",),
            "object_type": ("OBJECT_TYPE",), "name": ("SATNAME", "OBJECT_NAME"), "decay": ("DECAY", "DECAY_DATE"),
            "owner": ("COUNTRY", "OWNER")}
_OPTIONAL = ("decay", "owner")
_TYPES = {"PAY": "PAYLOAD", "R/B": "ROCKET BODY", "DEB": "DEBRIS", "UNK": "UNKNOWN"}


@dataclass(frozen=True)
class SatcatEntry:
    """One catalogued object: designator ('1982-092A'), NORAD id, type (PAYLOAD, ROCKET BODY, DEBRIS, UNKNOWN),
    name, decay date ('' while on orbit) and owner code ('' when the file has none)."""

    intl_des: str
    norad_id: int
    object_type: str
    name: str
    decay: str
    owner: str = ""


def read_satcat(fh: IO[str], source: str = "SATCAT") -> tuple[list[SatcatEntry], int]:
    """Entries of a SATCAT CSV and the number of rows skipped (no designator or a bad NORAD id); ValueError
    naming the source when a needed column is missing."""
    reader = csv.DictReader(fh)
    header = set(reader.fieldnames or [])
    cols = {}
    for key, names in _COLUMNS.items():
        found = next((n for n in names if n in header), None)
        if found is None and key not in _OPTIONAL:
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
                               (row.get(cols["name"]) or "").strip(), _text(row, cols["decay"]),
                               _text(row, cols["owner"]).upper()))
    return out, skipped


def _text(row: dict[str, str], column: str | None) -> str:
    """A row's stripped text in an optional column ('' when the file lacks the column)."""
    return (row.get(column) or "").strip() if column else ""


def owner_by_norad(entries: list[SatcatEntry]) -> dict[int, str]:
    """Owner code of each NORAD id that has one."""
    return {e.norad_id: e.owner for e in entries if e.owner}


@cache
def owner_names() -> dict[str, str]:
    """Owner code -> name from the bundled CelesTrak list of SATCAT sources (136 codes)."""
    with resources.files("orbitshare.data").joinpath("satcat_owners.csv").open("r", encoding="utf-8") as fh:
        return {row["OWNER"].strip(): row["NAME"].strip() for row in csv.DictReader(fh)}


@dataclass(frozen=True)
class OwnerTable:
    """Owner code of each NORAD id from a SATCAT file, with the file's name and its count of objects."""

    by_norad: dict[int, str]
    source: str

    def codes(self, norad_ids: list[int]) -> list[str]:
        """Owner code of each id ('' where the SATCAT has none)."""
        return [self.by_norad.get(int(i), "") for i in norad_ids]


def owner_table(path: str | Path) -> OwnerTable:
    """OwnerTable of a SATCAT CSV file (.gz accepted); OSError or ValueError naming the file when unreadable."""
    from orbitshare.catalog.reader import open_text

    with open_text(path) as fh:
        entries, _ = read_satcat(fh, str(path))
    owners = owner_by_norad(entries)
    if not owners:
        raise ValueError(f"{path}: SATCAT has no COUNTRY or OWNER values")
    return OwnerTable(owners, f"{Path(path).name} ({len(owners):,} objects)")
