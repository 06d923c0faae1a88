"""CDM writer: a :class:`Cdm` to KVN or XML text that reads back to the same values."""

from __future__ import annotations

import io
import math
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

from orbitshare.astro.time import Epoch
from orbitshare.ccsds.cdm.model import (
    ADDITIONAL_KEYS,
    ALT_MARK,
    COV_EXTRA_KEYS,
    COV_EXTRA_UNITS,
    COV_KEYS,
    META_KEYS,
    NO_COVARIANCE_COMMENT,
    OD_KEYS,
    STATE_KEYS,
    UNITS,
    Cdm,
    CdmObject,
    Item,
)

__all__ = ["write_cdm_kvn", "write_cdm_xml"]

# ----------------------------------------------------------------------------------------------- writing


def _fmt(value: float) -> str:
    """Shortest exact text for a float (round-trips bit for bit)."""
    return repr(float(value)) if math.isfinite(value) else "NaN"


def _fmt_date(value: datetime) -> str:
    """CCSDS date text with microseconds (UTC; a naive datetime is UTC)."""
    return Epoch.from_utc(value).iso(unit="us", zone="")


def _header_items(cdm: Cdm) -> list[Item]:
    """Ordered (keyword, value, unit) items of the header."""
    items: list[Item] = [
        ("CCSDS_CDM_VERS", cdm.version, None),
        ("CREATION_DATE", _fmt_date(cdm.creation_date), None),
        ("ORIGINATOR", cdm.originator, None),
    ]
    if cdm.message_for is not None:
        items.append(("MESSAGE_FOR", cdm.message_for, None))
    items.append(("MESSAGE_ID", cdm.message_id, None))
    return items + [(k, v, None) for k, v in cdm.header_fields.items()]


def _relative_items(cdm: Cdm) -> list[Item]:
    """Ordered (keyword, value, unit) items of the relative metadata."""
    items: list[Item] = [("TCA", _fmt_date(cdm.tca), None), ("MISS_DISTANCE", _fmt(cdm.miss_distance_m), "m")]
    if cdm.relative_speed_mps is not None:
        items.append(("RELATIVE_SPEED", _fmt(cdm.relative_speed_mps), "m/s"))
    for prefix, vec, unit in (
        ("POSITION", cdm.relative_position_rtn_m, "m"),
        ("VELOCITY", cdm.relative_velocity_rtn_mps, "m/s"),
    ):
        if vec is not None:
            items += [(f"RELATIVE_{prefix}_{c}", _fmt(x), unit) for c, x in zip("RTN", vec, strict=True)]
    items += [(k, v, cdm.relative_units.get(k)) for k, v in cdm.relative_fields.items()]
    if cdm.collision_probability is not None:
        items.append(("COLLISION_PROBABILITY", _fmt(cdm.collision_probability), None))
    if cdm.collision_probability_method is not None:
        items.append(("COLLISION_PROBABILITY_METHOD", cdm.collision_probability_method, None))
    return items


def _object_groups(obj: CdmObject) -> dict[str, list[Item]]:
    """Object items grouped as the XML blocks: metadata, od, additional, state, covariance."""
    meta = [
        ("OBJECT", obj.object),
        ("OBJECT_DESIGNATOR", obj.designator),
        ("CATALOG_NAME", obj.catalog_name),
        ("OBJECT_NAME", obj.name),
        ("INTERNATIONAL_DESIGNATOR", obj.international_designator),
    ]
    meta += [("OBJECT_TYPE", obj.object_type)] if obj.object_type else []
    meta += [(k, obj.fields[k]) for k in META_KEYS if k in obj.fields and META_KEYS.index(k) < 10]
    meta += [
        ("EPHEMERIS_NAME", obj.ephemeris_name),
        ("COVARIANCE_METHOD", obj.covariance_method),
        ("MANEUVERABLE", obj.maneuverable),
    ]
    meta += [("ORBIT_CENTER", obj.orbit_center)] if obj.orbit_center else []
    meta += [("REF_FRAME", obj.ref_frame)] + [(k, obj.fields[k]) for k in META_KEYS[15:] if k in obj.fields]
    groups: dict[str, list[Item]] = {"metadata": [(k, v, None) for k, v in meta]}
    groups["odParameters"] = _kept(obj, OD_KEYS)
    groups["additionalParameters"] = _kept(obj, ADDITIONAL_KEYS)
    groups["stateVector"] = [
        (k, _fmt(x), UNITS[k]) for k, x in zip(STATE_KEYS, (*obj.r_km, *obj.v_kmps), strict=True)
    ]
    groups["covarianceMatrix"] = _covariance_items(obj)
    known = set(META_KEYS) | set(OD_KEYS) | set(ADDITIONAL_KEYS)
    groups["extra"] = [(k, v, obj.units.get(k)) for k, v in obj.fields.items() if k not in known]
    return groups


def _kept(obj: CdmObject, keys) -> list[Item]:
    """Items of `keys` kept as raw text on the object, in CCSDS order."""
    return [(k, obj.fields[k], obj.units.get(k)) for k in keys if k in obj.fields]


def _covariance_items(obj: CdmObject) -> list[Item]:
    """Covariance items (6x6 RTN then drag/SRP/thrust rows), empty when the object has no covariance."""
    if obj.cov_rtn_lower is None:
        return []
    items: list[Item] = [(k, _fmt(x), UNITS[k]) for k, x in zip(COV_KEYS, obj.cov_rtn_lower, strict=True)]
    extra = [k for k in COV_EXTRA_KEYS if k in obj.cov_extra]
    return items + [(k, _fmt(obj.cov_extra[k]), obj.units.get(k) or COV_EXTRA_UNITS[k]) for k in extra]


def _kvn_line(key: str, value: str, unit: str | None) -> str:
    """One aligned KVN line with an optional unit."""
    line = f"{key.removesuffix(ALT_MARK):<36} = {value}"
    return f"{line:<70} [{unit}]" if unit else line


def write_cdm_kvn(cdm: Cdm, dest=None) -> str:
    """Write a CDM as KVN text; also write it to `dest` (path or text file object) when given."""
    lines: list[str] = []
    _kvn_block(lines, cdm.header_comments, _header_items(cdm))
    _kvn_block(lines, cdm.relative_comments, _relative_items(cdm))
    for obj in cdm.objects:
        groups = _object_groups(obj)
        comments = list(obj.comments)
        if obj.cov_rtn_lower is None and NO_COVARIANCE_COMMENT not in comments:
            comments.append(NO_COVARIANCE_COMMENT)
        _kvn_block(lines, comments, [item for items in groups.values() for item in items])
    return _emit("\n".join(lines) + "\n", dest)


def _kvn_block(lines: list[str], comments: list[str], items) -> None:
    """Append KVN lines of one section: the first item (ordering anchor), its comments, then the rest."""
    head = items[:1] if items and items[0][0] in ("CCSDS_CDM_VERS", "OBJECT") else []
    lines.extend(_kvn_line(*item) for item in head)
    lines.extend(f"COMMENT {c}".rstrip() for c in comments)
    lines.extend(_kvn_line(*item) for item in items[len(head) :])


def _emit(text: str, dest) -> str:
    """Write text to a path or file object when given, and return it."""
    if isinstance(dest, str | Path):
        Path(dest).write_text(text, encoding="utf-8")
    elif dest is not None:
        dest.write(text)
    return text


def write_cdm_xml(cdm: Cdm, dest=None) -> str:
    """Write a CDM as CCSDS NDM/XML text; also write it to `dest` (path or text file object) when given."""
    root = ET.Element("cdm", {"id": "CCSDS_CDM_VERS", "version": cdm.version})
    header = ET.SubElement(root, "header")
    _xml_items(header, cdm.header_comments, _header_items(cdm)[1:])
    body = ET.SubElement(root, "body")
    rel = ET.SubElement(body, "relativeMetadataData")
    items = _relative_items(cdm)
    state_keys = {f"RELATIVE_{p}_{c}" for p in ("POSITION", "VELOCITY") for c in "RTN"}
    lead_keys = {"TCA", "MISS_DISTANCE", "RELATIVE_SPEED"}
    _xml_items(rel, cdm.relative_comments, [i for i in items if i[0] in lead_keys])
    if cdm.relative_position_rtn_m is not None or cdm.relative_velocity_rtn_mps is not None:
        _xml_items(ET.SubElement(rel, "relativeStateVector"), [], [i for i in items if i[0] in state_keys])
    _xml_items(rel, [], [i for i in items if i[0] not in state_keys | lead_keys])
    for obj in cdm.objects:
        _xml_object(ET.SubElement(body, "segment"), obj)
    ET.indent(root)
    buf = io.StringIO()
    ET.ElementTree(root).write(buf, encoding="unicode", xml_declaration=False)
    return _emit('<?xml version="1.0" encoding="UTF-8"?>\n' + buf.getvalue() + "\n", dest)


def _xml_object(segment, obj: CdmObject) -> None:
    """Fill one <segment> with metadata and data blocks of an object."""
    groups = _object_groups(obj)
    _xml_items(ET.SubElement(segment, "metadata"), [], groups.pop("metadata"))
    data = ET.SubElement(segment, "data")
    comments = list(obj.comments)
    if obj.cov_rtn_lower is None and NO_COVARIANCE_COMMENT not in comments:
        comments.append(NO_COVARIANCE_COMMENT)
    for text in comments:
        ET.SubElement(data, "COMMENT").text = text
    extra = groups.pop("extra")
    for tag, items in groups.items():
        if items:
            _xml_items(ET.SubElement(data, tag), [], items)
    if extra:
        _xml_items(ET.SubElement(data, "additionalParameters"), [], extra)


def _xml_items(parent, comments: list[str], items) -> None:
    """Append COMMENT and keyword elements (with units attributes) to an XML element."""
    for text in comments:
        ET.SubElement(parent, "COMMENT").text = text
    for key, value, unit in items:
        if key.startswith("USER_DEFINED_"):
            elem = ET.SubElement(parent, "USER_DEFINED", {"parameter": key[len("USER_DEFINED_") :]})
        else:
            elem = ET.SubElement(parent, key.removesuffix(ALT_MARK), {"units": unit} if unit else {})
        elem.text = value
