"""CCSDS OMM (502.0-B) readers: KVN, XML (single OMM or combined NDM), CelesTrak/Space-Track JSON and CSV.

Each reader takes a file object (or text lines / parsed JSON) and yields element-set records (dicts with
the catalog columns) and Rejects naming the source, record and field.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator
from typing import IO

import defusedxml.ElementTree as DET

from orbitshare.astro.time import Epoch
from orbitshare.catalog.records import CatalogError, Reject, object_type_from_name
from orbitshare.ccsds.ndm import local_name

__all__ = ["KEYWORDS", "omm_to_record", "read_omm_csv", "read_omm_json", "read_omm_kvn", "read_omm_xml"]

_HEADER = {"CCSDS_OMM_VERS", "COMMENT", "CLASSIFICATION", "CREATION_DATE", "ORIGINATOR", "MESSAGE_ID"}
_METADATA = {"OBJECT_NAME", "OBJECT_ID", "CENTER_NAME", "REF_FRAME", "REF_FRAME_EPOCH", "TIME_SYSTEM",
             "MEAN_ELEMENT_THEORY"}
_MEAN = {"EPOCH", "SEMI_MAJOR_AXIS", "MEAN_MOTION", "ECCENTRICITY", "INCLINATION", "RA_OF_ASC_NODE",
         "ARG_OF_PERICENTER", "MEAN_ANOMALY", "GM"}
_SPACECRAFT = {"MASS", "SOLAR_RAD_AREA", "SOLAR_RAD_COEFF", "DRAG_AREA", "DRAG_COEFF"}
_TLE = {"EPHEMERIS_TYPE", "CLASSIFICATION_TYPE", "NORAD_CAT_ID", "ELEMENT_SET_NO", "REV_AT_EPOCH", "BSTAR",
        "BTERM", "MEAN_MOTION_DOT", "MEAN_MOTION_DDOT", "AGOM"}
_COV = {"COV_REF_FRAME"} | {
    f"C{a}_{b}" for i, a in enumerate(["X", "Y", "Z", "X_DOT", "Y_DOT", "Z_DOT"])
    for b in ["X", "Y", "Z", "X_DOT", "Y_DOT", "Z_DOT"][: i + 1]
}
KEYWORDS = _HEADER | _METADATA | _MEAN | _SPACECRAFT | _TLE | _COV
_REQUIRED = ("OBJECT_NAME", "OBJECT_ID", "CENTER_NAME", "REF_FRAME", "TIME_SYSTEM", "MEAN_ELEMENT_THEORY",
             "EPOCH", "ECCENTRICITY", "INCLINATION", "RA_OF_ASC_NODE", "ARG_OF_PERICENTER", "MEAN_ANOMALY")
# GP JSON/CSV: analyst objects (NORAD 80000-89999) and fresh launches come without an OBJECT_ID.
_REQUIRED_GP = tuple(k for k in _REQUIRED if k != "OBJECT_ID")
_SGP4_THEORIES = {"SGP4", "SGP/SGP4", "SGP", "TLE"}
# Defaults for the CelesTrak / Space-Track JSON and CSV forms, which leave out the fixed metadata.
_GP_DEFAULTS = {"CENTER_NAME": "EARTH", "REF_FRAME": "TEME", "TIME_SYSTEM": "UTC",
                "MEAN_ELEMENT_THEORY": "SGP4"}
_UNITS_RE = re.compile(r"\s*\[[^\]]*\]\s*$")


def _float(fields: dict, key: str, default: float | None = None) -> float:
    """A numeric OMM field, with an error naming the keyword when it is missing or not a number."""
    value = fields.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if default is not None:
            return default
        raise ValueError(f"{key}: missing or empty")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{key}: {value!r} is not a number") from None


def omm_to_record(fields: dict, ccsds: bool) -> dict:
    """Catalog record from OMM keyword values; raises ValueError('KEYWORD: reason')."""
    if ccsds:
        for key in fields:
            if key not in KEYWORDS and not key.startswith("USER_DEFINED"):
                raise ValueError(f"{key}: unknown OMM keyword")
    for key in _REQUIRED if ccsds else _REQUIRED_GP:
        value = fields.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ValueError(f"{key}: mandatory keyword missing or empty")
    theory = str(fields["MEAN_ELEMENT_THEORY"]).strip().upper()
    if theory not in _SGP4_THEORIES:
        raise ValueError(f"MEAN_ELEMENT_THEORY: {theory!r} elements cannot be propagated with SGP4")
    for key, expected in (("CENTER_NAME", "EARTH"), ("REF_FRAME", "TEME"), ("TIME_SYSTEM", "UTC")):
        if str(fields[key]).strip().upper() != expected:
            raise ValueError(f"{key}: {fields[key]!r} is not {expected}, as SGP4 mean elements require")
    eph = int(_float(fields, "EPHEMERIS_TYPE", 0.0))
    if eph not in (0, 2):
        raise ValueError(f"EPHEMERIS_TYPE: {eph} (SGP4-XP or other) is not SGP4 (0 or 2)")
    if "MEAN_MOTION" not in fields:
        raise ValueError("MEAN_MOTION: missing (SGP4 elements need mean motion, not SEMI_MAJOR_AXIS)")
    if fields.get("NORAD_CAT_ID") in (None, ""):
        raise ValueError("NORAD_CAT_ID: missing; a catalog number is needed to identify the object")
    norad = _float(fields, "NORAD_CAT_ID")
    if norad != int(norad) or not 0 < norad < 1_000_000_000:
        raise ValueError(f"NORAD_CAT_ID: {fields['NORAD_CAT_ID']!r} is not a positive integer")
    try:
        epoch = Epoch.from_iso(str(fields["EPOCH"]))
    except ValueError as exc:
        raise ValueError(f"EPOCH: {fields['EPOCH']!r} is not a UTC time ({exc})") from None
    name = str(fields["OBJECT_NAME"]).strip()
    otype = str(fields.get("OBJECT_TYPE") or "").strip().upper() or object_type_from_name(name)
    if otype in ("ROCKET", "R/B"):
        otype = "ROCKET BODY"
    if otype not in ("PAYLOAD", "ROCKET BODY", "DEBRIS", "UNKNOWN"):
        otype = "UNKNOWN"
    return {
        "norad_id": int(norad),
        "name": name,
        "intl_des": str(fields.get("OBJECT_ID") or "").strip(),
        "object_type": otype,
        "classification": str(fields.get("CLASSIFICATION_TYPE") or "U").strip() or "U",
        "epoch_jd": epoch.jd,
        "epoch_fr": epoch.fr,
        "mean_motion_revday": _float(fields, "MEAN_MOTION"),
        "ecc": _float(fields, "ECCENTRICITY"),
        "incl_deg": _float(fields, "INCLINATION"),
        "raan_deg": _float(fields, "RA_OF_ASC_NODE"),
        "argp_deg": _float(fields, "ARG_OF_PERICENTER"),
        "mean_anomaly_deg": _float(fields, "MEAN_ANOMALY"),
        "bstar": _float(fields, "BSTAR", 0.0),
        "ndot": _float(fields, "MEAN_MOTION_DOT", 0.0),
        "nddot": _float(fields, "MEAN_MOTION_DDOT", 0.0),
        "element_set_no": int(_float(fields, "ELEMENT_SET_NO", 0.0)),
        "rev_at_epoch": int(_float(fields, "REV_AT_EPOCH", 0.0)),
    }


def _emit(fields: dict, source: str, location: str, strict: bool, ccsds: bool,
          key_lines: dict[str, int] | None = None) -> dict | Reject:
    """Record or Reject for one OMM's fields (KVN: located at the offending keyword's line); strict raises."""
    try:
        rec = omm_to_record(fields, ccsds)
    except ValueError as exc:
        field, _, reason = str(exc).partition(": ")
        if key_lines and field in key_lines:
            location = f"line {key_lines[field]}"
        norad = fields.get("NORAD_CAT_ID")
        try:
            norad = int(float(norad)) if norad not in (None, "") else None
        except (TypeError, ValueError):
            norad = None
        r = Reject(source, location, field, reason, norad)
        if strict:
            raise CatalogError(r) from None
        return r
    rec["_location"] = location
    return rec


def read_omm_kvn(lines: Iterable[str], source: str = "<kvn>", strict: bool = False) -> Iterator[dict | Reject]:
    """Records from OMM KVN text; several messages may follow each other (each opens with CCSDS_OMM_VERS)."""
    fields: dict[str, str] = {}
    key_lines: dict[str, int] = {}
    start = 0
    bad: Reject | None = None
    for lineno, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("COMMENT"):
            continue
        key, eq, value = line.partition("=")
        key = key.strip()
        if key == "CCSDS_OMM_VERS":
            if fields:
                yield bad or _emit(fields, source, f"line {start}", strict, True, key_lines)
            fields, key_lines, start, bad = {}, {}, lineno, None
        if not eq:
            if bad is None:
                bad = Reject(source, f"line {lineno}", key or line, "line is not KEYWORD = value")
                if strict:
                    raise CatalogError(bad)
            continue
        if not start:
            start = lineno
        fields[key] = _UNITS_RE.sub("", value.strip())
        key_lines[key] = lineno
    if fields:
        yield bad or _emit(fields, source, f"line {start}", strict, True, key_lines)



def _parse_xml(data: bytes):
    """XML root element; tolerates the common quirk of an undeclared xsi: prefix on the root element."""
    try:
        return DET.fromstring(data)
    except DET.ParseError as exc:
        if "unbound prefix" not in str(exc) or b"xsi:" not in data or b"xmlns:xsi" in data:
            raise
    return DET.fromstring(re.sub(rb"<(ndm|omm)\b", rb'<\1 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
                                 data, count=1))


def _segment_problem(omm) -> tuple[str, str] | None:
    """(field, reason) when an <omm> element does not hold exactly one segment with one metadata and data."""
    segments = [el for el in omm.iter() if local_name(el.tag) == "segment"]
    if len(segments) != 1:
        return "segment", f"expected one <segment>, found {len(segments)}"
    for part in ("metadata", "data"):
        n = sum(1 for el in segments[0] if local_name(el.tag) == part)
        if n != 1:
            return part, f"segment must hold exactly one <{part}>, found {n}"
    return None


def read_omm_xml(fileobj: IO, source: str = "<xml>", strict: bool = False) -> Iterator[dict | Reject]:
    """Records from OMM XML: a single <omm> or a combined <ndm> holding several."""
    try:
        root = _parse_xml(fileobj.read())
    except Exception as exc:  # defusedxml raises ParseError and its own security errors
        r = Reject(source, "document", "XML", f"not well-formed or unsafe XML: {exc}")
        if strict:
            raise CatalogError(r) from None
        yield r
        return
    tag = local_name(root.tag)
    omms = [root] if tag == "omm" else [el for el in root if local_name(el.tag) == "omm"]
    if tag not in ("omm", "ndm") or not omms:
        r = Reject(source, "document", "XML", f"root element <{tag}> holds no <omm>")
        if strict:
            raise CatalogError(r)
        yield r
        return
    for index, omm in enumerate(omms, 1):
        problem = _segment_problem(omm)
        if problem:
            r = Reject(source, f"record {index}", *problem)
            if strict:
                raise CatalogError(r)
            yield r
            continue
        fields: dict[str, str] = {"CCSDS_OMM_VERS": omm.get("version", "")}
        for el in omm.iter():
            name = local_name(el.tag)
            if len(el) == 0 and name not in ("COMMENT", "omm"):
                if name == "USER_DEFINED":
                    name = f"USER_DEFINED_{el.get('parameter', '')}"
                fields[name] = (el.text or "").strip()
        yield _emit(fields, source, f"record {index}", strict, True)


def read_omm_json(fileobj: IO, source: str = "<json>", strict: bool = False) -> Iterator[dict | Reject]:
    """Records from CelesTrak / Space-Track GP JSON: a list of OMM objects (or one object)."""
    try:
        data = json.load(fileobj)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        r = Reject(source, "document", "JSON", f"not valid JSON: {exc}")
        if strict:
            raise CatalogError(r) from None
        yield r
        return
    items = data if isinstance(data, list) else [data]
    for index, item in enumerate(items, 1):
        if not isinstance(item, dict):
            r = Reject(source, f"record {index}", "JSON", f"expected an object, found {type(item).__name__}")
            if strict:
                raise CatalogError(r)
            yield r
            continue
        yield _emit({**_GP_DEFAULTS, **item}, source, f"record {index}", strict, False)


def read_omm_csv(fileobj: IO, source: str = "<csv>", strict: bool = False) -> Iterator[dict | Reject]:
    """Records from CelesTrak / Space-Track GP CSV with an OMM keyword header row."""
    reader = csv.DictReader(fileobj)
    for index, row in enumerate(reader, 1):
        if None in row or None in row.values():
            r = Reject(source, f"record {index} (line {reader.line_num})", "CSV",
                       f"row has {len(row) - (None in row)} cells, header has {len(reader.fieldnames or [])}")
            if strict:
                raise CatalogError(r)
            yield r
            continue
        fields = {k.strip(): v.strip() for k, v in row.items()}
        yield _emit({**_GP_DEFAULTS, **fields}, source, f"record {index} (line {reader.line_num})", strict,
                    False)
