"""Read catalogs in any supported format, detected from the content, with a report of every reject."""

from __future__ import annotations

import gzip
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from orbitshare.astro.time import Epoch
from orbitshare.catalog.catalog import Catalog
from orbitshare.catalog.records import CatalogError, ParseReport, Reject, check_elements
from orbitshare.catalog.tle import read_tle

__all__ = ["FORMATS", "MAX_FUTURE_DAYS", "detect_format", "open_text", "parse_text_records", "read_catalog",
           "read_catalog_file"]

FORMATS = ("tle", "omm-kvn", "omm-xml", "omm-json", "omm-csv")
#: Epochs later than this many days after the reading time are rejected as implausible.
MAX_FUTURE_DAYS = 30.0


def detect_format(head: str) -> str:
    """Catalog format of a text from its first characters: tle, omm-kvn, omm-xml, omm-json or omm-csv."""
    s = head.lstrip("\ufeff \t\r\n")
    if s.startswith("<"):
        return "omm-xml"
    if s.startswith(("[", "{")):
        return "omm-json"
    first = s.splitlines()[0] if s else ""
    if first.startswith("CCSDS_OMM_VERS") or first.startswith("COMMENT"):
        return "omm-kvn"
    if "," in first and "EPOCH" in first.upper() and "MEAN_MOTION" in first.upper():
        return "omm-csv"
    return "tle"


def open_text(path: str | Path) -> IO[str]:
    """Text file object for a catalog path, decompressing .gz; FileNotFoundError naming the path otherwise."""
    path = Path(path)
    try:
        if path.suffix == ".gz":
            return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", errors="replace", newline="")
        return open(path, encoding="utf-8", errors="replace", newline="")
    except OSError as exc:
        raise FileNotFoundError(f"{path}: cannot open ({exc.strerror or exc})") from None


def parse_text_records(fileobj: IO[str], source: str, fmt: str | None = None, strict: bool = False):
    """Records and Rejects from a text file object in the given (or detected) format."""
    text = fileobj.read()
    fmt = fmt or detect_format(text[:4096])
    if fmt not in FORMATS:
        raise ValueError(f"unknown catalog format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if fmt == "tle":
        return read_tle(text.splitlines(), source, strict)
    from orbitshare.ccsds import omm  # OMM records are built on catalog.records: imported here, not at load

    if fmt == "omm-kvn":
        return omm.read_omm_kvn(text.splitlines(), source, strict)
    if fmt == "omm-xml":
        return omm.read_omm_xml(io.BytesIO(text.encode("utf-8")), source, strict)
    if fmt == "omm-json":
        return omm.read_omm_json(io.StringIO(text), source, strict)
    return omm.read_omm_csv(io.StringIO(text, newline=""), source, strict)


def read_catalog_file(fileobj: IO[str], source: str = "<stream>", fmt: str | None = None, strict: bool = False,
                      now: datetime | None = None) -> tuple[Catalog, ParseReport]:
    """Catalog and report from one text file object; rejects are collected (or raised when strict)."""
    report = ParseReport(sources=[source])
    now = now or datetime.now(UTC)
    reading = Epoch.from_utc(now)
    latest_jd = reading.jd + reading.fr + MAX_FUTURE_DAYS
    good: list[dict] = []
    for item in parse_text_records(fileobj, source, fmt, strict):
        report.records_read += 1
        if isinstance(item, Reject):
            report.rejects.append(item)
            continue
        problem = check_elements(item)
        if problem is None and item["epoch_jd"] + item["epoch_fr"] > latest_jd:
            problem = ("EPOCH", f"epoch is more than {MAX_FUTURE_DAYS:g} days after {now:%Y-%m-%d}")
        if problem:
            r = Reject(source, item["_location"], problem[0], problem[1], item["norad_id"])
            if strict:
                raise CatalogError(r)
            report.rejects.append(r)
            continue
        good.append(item)
    catalog, dups = Catalog.from_records(good).deduplicate(source)
    if dups and strict:
        raise CatalogError(dups[0])
    report.duplicates += dups
    return catalog, report


def read_catalog(*paths: str | Path, fmt: str | None = None, strict: bool = False,
                 now: datetime | None = None) -> tuple[Catalog, ParseReport]:
    """Catalog merged from files (formats detected per file; newest epoch wins) and the combined report."""
    report = ParseReport()
    catalogs = []
    for p in paths:
        with open_text(p) as fh:
            cat, rep = read_catalog_file(fh, str(p), fmt, strict, now)
        catalogs.append(cat)
        report.extend(rep)
    if not catalogs:
        return Catalog.empty(), report
    if len(catalogs) == 1:
        return catalogs[0], report
    merged, dups = catalogs[0].merge(*catalogs[1:])
    report.duplicates += dups
    return merged, report
