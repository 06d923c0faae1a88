"""CDM reader: KVN or XML text to a checked :class:`Cdm` (CCSDS 508.0-B-1)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import defusedxml.ElementTree as SafeET

from orbitshare.astro.time import parse_ccsds_utc
from orbitshare.ccsds.cdm.model import (
    ALT_COV_SHARED,
    ALT_MARK,
    COV_EXTRA_KEYS,
    COV_KEYS,
    DATE_KEYS,
    HEADER_KEYS,
    HEADER_KEYS_V2,
    MANDATORY_HEADER,
    MANDATORY_META,
    MANDATORY_RELATIVE,
    NO_COVARIANCE_COMMENT,
    OBJECT_KEYS,
    OBJECT_KEYS_V2,
    RELATIVE_KEYS,
    RELATIVE_KEYS_V2,
    STATE_KEYS,
    TOLERATED_EMPTY,
    UNIT_QUIRKS,
    UNITS,
    Cdm,
    CdmError,
    CdmObject,
    Vector3,
    vector3,
)
from orbitshare.ccsds.ndm import local_name

__all__ = ["read_cdm"]

# ----------------------------------------------------------------------------------------------- tokenising


@dataclass
class _Token:
    """One keyword occurrence: value text, unit text (or None), location, and the raw unit bracket state."""

    key: str
    value: str
    unit: str | None
    where: str
    segment: int | None = None


#: A comment: index of the token it precedes, its text, and whether it came from XML (it then stays with the
#: keyword it precedes; see _comments_by_index).
_Note = tuple[int, str, bool]

_KVN_LINE = re.compile(r"^\s*([A-Za-z0-9_]+)\s*=\s*(.*?)\s*$")
_UNIT = re.compile(r"^(.*?)\s*\[([^\]]*)\]?\s*$")


def _kvn_tokens(text: str, source: str) -> tuple[list[_Token], list[_Note]]:
    """Split KVN text into keyword tokens and (token index, comment) pairs; malformed lines raise CdmError."""
    tokens: list[_Token] = []
    comments: list[_Note] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped == "COMMENT" or stripped.startswith(("COMMENT ", "COMMENT\t")):
            comments.append((len(tokens), stripped[7:].strip(), False))
            continue
        match = _KVN_LINE.match(line)
        if not match:
            raise CdmError(source, f"line {number}", stripped.split()[0], "not a KEYWORD = value line")
        split = _split_unit(match.group(2))
        if split is None:
            raise CdmError(source, f"line {number}", match.group(1), "text after the [unit] bracket")
        value, unit = split
        tokens.append(_Token(match.group(1), value, unit, f"line {number}"))
    return tokens, comments


def _split_unit(text: str) -> tuple[str, str | None] | None:
    """Separate a trailing ``[unit]`` (or an unterminated ``[``) from a KVN value; None when text follows it."""
    if "[" not in text:
        return text.strip(), None
    match = _UNIT.match(text)
    return None if match is None else (match.group(1).strip(), match.group(2).strip())


def _xml_tokens(text: str, source: str) -> tuple[list[_Token], list[_Note]]:
    """Flatten a CDM XML document into keyword tokens in document order (segments numbered 1, 2)."""
    try:
        root = SafeET.fromstring(text)
    except (ET.ParseError, ValueError) as exc:
        raise CdmError(source, "XML", "cdm", f"not well-formed XML ({exc})") from exc
    if local_name(root.tag) != "cdm":
        raise CdmError(source, "XML", local_name(root.tag), "root element must be <cdm>")
    tokens = [_Token("CCSDS_CDM_VERS", root.get("version", ""), None, "<cdm version>")]
    comments: list[_Note] = []
    for child in root:
        _walk_xml(child, local_name(child.tag), tokens, comments, segment=None)
    return tokens, comments


def _walk_xml(elem, path: str, tokens: list[_Token], comments: list[_Note], segment: int | None):
    """Recursively collect leaf elements of the XML CDM, tracking which <segment> they belong to."""
    children = list(elem)
    tag = local_name(elem.tag)
    if tag == "segment":
        segment = 1 + sum(1 for t in tokens if t.key == "OBJECT")
    if not children:
        _xml_leaf(elem, tag, path, tokens, comments, segment)
        return
    for child in children:
        _walk_xml(child, f"{path}/{local_name(child.tag)}", tokens, comments, segment)


def _xml_leaf(elem, tag: str, path: str, tokens: list[_Token], comments: list[_Note], segment: int | None) -> None:
    """Append one XML leaf as a comment or keyword token (USER_DEFINED parameter names are expanded)."""
    text = (elem.text or "").strip()
    if tag == "COMMENT":
        comments.append((len(tokens), text, True))
        return
    if tag == "USER_DEFINED":
        tag = "USER_DEFINED_" + elem.get("parameter", "")
    tokens.append(_Token(tag, text, elem.get("units"), f"XML <{path}>", segment))



# ----------------------------------------------------------------------------------------------- parsing


def _section_of(key: str) -> str | None:
    """Which CDM section ('header', 'relative', 'object') a keyword belongs to, or None if unknown."""
    if key in HEADER_KEYS or key in HEADER_KEYS_V2:
        return "header"
    if key in RELATIVE_KEYS or key in RELATIVE_KEYS_V2:
        return "relative"
    if key in OBJECT_KEYS or key in OBJECT_KEYS_V2 or key.startswith("USER_DEFINED_") or ALT_MARK in key:
        return "object"
    return None


def _group(tokens: list[_Token], comments: list[_Note], source: str):
    """Group tokens into header, relative and per-object dicts; reject unknown, misplaced or repeated keys."""
    blocks: dict[str, dict[str, _Token]] = {"header": {}, "relative": {}}
    notes: dict[str, list[str]] = {"header": [], "relative": []}
    objects: list[dict[str, _Token]] = []
    pending = _comments_by_index(comments)
    current = "header"
    for index, tok in enumerate(tokens):
        section = _section_of(tok.key)
        if section is None:
            raise CdmError(source, tok.where, tok.key, "unknown keyword")
        kvn, xml = pending.get(index, ([], []))
        before, inside = (kvn, xml) if tok.key == "OBJECT" else ([], kvn + xml)
        notes[_label(current, objects)].extend(before)
        current = _advance(current, section, tok, source, objects, blocks, notes)
        notes[_label(current, objects)].extend(inside)
        target = blocks[current] if current in blocks else objects[-1]
        if tok.key in target:
            tok = _alt_cov_duplicate(tok, target, source)
        target[tok.key] = tok
    before, inside = pending.get(len(tokens), ([], []))
    notes[_label(current, objects)].extend(before + inside)
    return blocks["header"], blocks["relative"], objects, notes


def _alt_cov_duplicate(tok: _Token, target: dict[str, _Token], source: str) -> _Token:
    """Rename the second CDRG_DRG-like term of a CDM 2.0 XYZ alternate covariance; else raise CdmError."""
    alt = target.get("ALT_COV_TYPE")
    if (
        tok.key in ALT_COV_SHARED
        and alt is not None
        and alt.value.upper() == "XYZ"
        and ALT_MARK not in tok.key
    ):
        return _Token(tok.key + ALT_MARK, tok.value, tok.unit, tok.where, tok.segment)
    raise CdmError(source, tok.where, tok.key, "keyword repeated in the same section")


def _label(current: str, objects: list) -> str:
    """Key of the comment list of the current section."""
    return f"object{len(objects)}" if current == "object" else current


def _comments_by_index(comments: list[_Note]) -> dict[int, tuple[list[str], list[str]]]:
    """Comments keyed by the index of the token they precede, split into (KVN, XML) comments.

    A KVN comment just before an OBJECT line belongs to the section it follows (CARA writes relative-data
    comments such as ``COMMENT HBR`` there); any other comment, and every XML comment, belongs to the
    section of the keyword it precedes.
    """
    out: dict[int, tuple[list[str], list[str]]] = {}
    for index, text, sticky in comments:
        out.setdefault(index, ([], []))[1 if sticky else 0].append(text)
    return out


def _advance(current, section, tok, source, objects, blocks, notes) -> str:
    """Move the section state machine forward for a token of `section`; out-of-order keys raise CdmError."""
    order = {"header": 0, "relative": 1, "object": 2}
    if tok.key == "OBJECT":
        objects.append({})
        notes[f"object{len(objects)}"] = []
        return "object"
    if section == "object" and not objects:
        raise CdmError(source, tok.where, tok.key, "object keyword before the OBJECT keyword")
    if order[section] < order[current]:
        raise CdmError(source, tok.where, tok.key, f"{section} keyword out of place (after {current} data)")
    return section


def read_cdm(src, *, require_covariance: bool = True) -> Cdm:
    """Read a CDM (KVN or XML) from a path, text/binary file object or string content; raise CdmError."""
    text, source = _read_text(src)
    is_xml = text.lstrip().startswith("<")
    tokens, comments = (_xml_tokens if is_xml else _kvn_tokens)(text, source)
    header, relative, objects, notes = _group(tokens, comments, source)
    quirks: list[str] = []
    ctx = _Ctx(source, quirks)
    _require(ctx, header, MANDATORY_HEADER, "header")
    _require(ctx, relative, MANDATORY_RELATIVE, "relative metadata")
    if len(objects) != 2:
        raise CdmError(source, "message", "OBJECT", f"expected 2 object sections, found {len(objects)}")
    obj1, obj2 = (
        _build_object(ctx, o, notes[f"object{i + 1}"], require_covariance) for i, o in enumerate(objects)
    )
    if (obj1.object, obj2.object) != ("OBJECT1", "OBJECT2"):
        raise CdmError(source, objects[0]["OBJECT"].where, "OBJECT", "objects must be OBJECT1 then OBJECT2")
    return _build_cdm(ctx, header, relative, obj1, obj2, notes)


def _read_text(src) -> tuple[str, str]:
    """Text content and a display name from a path, a file object, bytes or a string of CDM content."""
    if isinstance(src, Path) or (
        isinstance(src, str) and "\n" not in src and "=" not in src and "<" not in src
    ):
        path = Path(src)
        return path.read_bytes().decode("utf-8-sig", errors="replace"), str(path)
    if isinstance(src, bytes):
        return src.decode("utf-8-sig", errors="replace"), "<bytes>"
    if isinstance(src, str):
        return src, "<string>"
    data = src.read()
    name = str(getattr(src, "name", "<stream>"))
    return (data.decode("utf-8-sig", errors="replace") if isinstance(data, bytes) else data), name


@dataclass
class _Ctx:
    """Reader context: source name for errors and the list of tolerated quirks."""

    source: str
    quirks: list[str]


def _require(ctx: _Ctx, block: dict[str, _Token], keys, section: str) -> None:
    """Raise CdmError for the first mandatory keyword missing or empty in a section."""
    for key in keys:
        tok = block.get(key)
        if tok is None:
            raise CdmError(ctx.source, section, key, "mandatory keyword missing")
        if tok.value == "" or tok.value.upper() == "NAN":
            if key not in TOLERATED_EMPTY:
                raise CdmError(ctx.source, tok.where, key, "mandatory keyword has no value")
            ctx.quirks.append(f"{tok.where}: {key}: mandatory value missing ({tok.value or 'empty'})")


def _number(ctx: _Ctx, tok: _Token) -> float:
    """Parse a numeric value, checking its unit against the CCSDS unit for modelled keywords."""
    try:
        value = float(tok.value)
    except ValueError:
        raise CdmError(ctx.source, tok.where, tok.key, f"not a number: {tok.value!r}") from None
    _check_unit(ctx, tok)
    return value


def _check_unit(ctx: _Ctx, tok: _Token) -> None:
    """Accept the CCSDS unit, no unit, or a known quirk; any other unit raises CdmError."""
    expected = UNITS.get(tok.key)
    if expected is None or tok.unit is None or tok.unit == "":
        if tok.unit == "" and expected is not None:
            ctx.quirks.append(f"{tok.where}: {tok.key}: empty or unterminated unit bracket")
        return
    unit = tok.unit.replace(" ", "")
    if unit.lower() == expected.lower():
        return
    quirk = UNIT_QUIRKS.get((tok.key, unit))
    if quirk is None:
        raise CdmError(ctx.source, tok.where, tok.key, f"unit [{tok.unit}] where [{expected}] is required")
    ctx.quirks.append(f"{tok.where}: {tok.key}: {quirk}")


def _date(ctx: _Ctx, tok: _Token) -> datetime:
    """Parse a date token, raising CdmError with the keyword on failure."""
    try:
        return parse_ccsds_utc(tok.value)
    except ValueError as exc:
        raise CdmError(ctx.source, tok.where, tok.key, f"invalid date ({exc})") from None


def _optional_number(ctx: _Ctx, block: dict[str, _Token], key: str) -> float | None:
    """Numeric value of an optional keyword; absent, empty or nil gives None, 'NaN' gives nan."""
    tok = block.get(key)
    if tok is None or tok.value == "":
        return None
    return _number(ctx, tok)


def _triple(ctx: _Ctx, block: dict[str, _Token], prefix: str) -> Vector3 | None:
    """An optional R, T, N triple (all three or none)."""
    values = [_optional_number(ctx, block, f"{prefix}_{c}") for c in "RTN"]
    if all(v is None for v in values):
        return None
    missing = [f"{prefix}_{c}" for c, v in zip("RTN", values, strict=True) if v is None]
    if missing:
        raise CdmError(ctx.source, "relative metadata", missing[0], "incomplete relative state vector")
    return vector3(values)


def _validate_dates(ctx: _Ctx, block: dict[str, _Token]) -> None:
    """Check that every date keyword present with a value is a valid CCSDS date."""
    for key, tok in block.items():
        if key in DATE_KEYS and tok.value not in ("", "NaN"):
            _date(ctx, tok)


def _extras(block: dict[str, _Token], modelled) -> tuple[dict[str, str], dict[str, str]]:
    """Raw text and unit of every non-modelled keyword with a value, in message order."""
    kept = {k: t for k, t in block.items() if k not in modelled and t.value != ""}
    return {k: t.value for k, t in kept.items()}, {k: t.unit for k, t in kept.items() if t.unit}


_HEADER_MODELLED = {"CCSDS_CDM_VERS", "CREATION_DATE", "ORIGINATOR", "MESSAGE_ID", "MESSAGE_FOR"}
_RELATIVE_MODELLED = {
    "TCA",
    "MISS_DISTANCE",
    "RELATIVE_SPEED",
    "COLLISION_PROBABILITY",
    "COLLISION_PROBABILITY_METHOD",
} | {f"RELATIVE_{p}_{c}" for p in ("POSITION", "VELOCITY") for c in "RTN"}
_OBJECT_MODELLED = (
    set(MANDATORY_META)
    | {"OBJECT_TYPE", "ORBIT_CENTER"}
    | set(STATE_KEYS)
    | set(COV_KEYS)
    | set(COV_EXTRA_KEYS)
)


def _build_cdm(ctx: _Ctx, header, relative, obj1: CdmObject, obj2: CdmObject, notes) -> Cdm:
    """Assemble the Cdm dataclass from validated header and relative-metadata tokens."""
    _validate_dates(ctx, header)
    _validate_dates(ctx, relative)
    version = header["CCSDS_CDM_VERS"].value
    if version not in ("1.0", "2.0"):
        raise CdmError(
            ctx.source, header["CCSDS_CDM_VERS"].where, "CCSDS_CDM_VERS", f"unsupported {version!r}"
        )
    h_fields, _ = _extras(header, _HEADER_MODELLED)
    r_fields, r_units = _extras(relative, _RELATIVE_MODELLED)
    pc_tok = relative.get("COLLISION_PROBABILITY_METHOD")
    return Cdm(
        version=version,
        creation_date=_date(ctx, header["CREATION_DATE"]),
        originator=header["ORIGINATOR"].value,
        message_id=header["MESSAGE_ID"].value,
        message_for=header["MESSAGE_FOR"].value if "MESSAGE_FOR" in header else None,
        tca=_date(ctx, relative["TCA"]),
        miss_distance_m=_number(ctx, relative["MISS_DISTANCE"]),
        relative_speed_mps=_optional_number(ctx, relative, "RELATIVE_SPEED"),
        relative_position_rtn_m=_triple(ctx, relative, "RELATIVE_POSITION"),
        relative_velocity_rtn_mps=_triple(ctx, relative, "RELATIVE_VELOCITY"),
        collision_probability=_optional_number(ctx, relative, "COLLISION_PROBABILITY"),
        collision_probability_method=pc_tok.value if pc_tok is not None and pc_tok.value else None,
        object1=obj1,
        object2=obj2,
        header_fields=h_fields,
        relative_fields=r_fields,
        relative_units=r_units,
        header_comments=notes["header"],
        relative_comments=notes["relative"],
        quirks=ctx.quirks,
        source=ctx.source,
    )


def _build_object(ctx: _Ctx, block: dict[str, _Token], comments: list[str], require_covariance: bool):
    """Build a CdmObject from its tokens: mandatory metadata, state vector and (optionally) covariance."""
    _require(ctx, block, MANDATORY_META, f"{block['OBJECT'].value} metadata")
    _validate_dates(ctx, block)
    name = block["OBJECT"].value
    if name not in ("OBJECT1", "OBJECT2"):
        raise CdmError(ctx.source, block["OBJECT"].where, "OBJECT", f"must be OBJECT1 or OBJECT2: {name!r}")
    _require(ctx, block, STATE_KEYS, f"{name} state vector")
    state = [_number(ctx, block[k]) for k in STATE_KEYS]
    fields, units = _extras(block, _OBJECT_MODELLED)
    return CdmObject(
        object=name,
        designator=block["OBJECT_DESIGNATOR"].value,
        catalog_name=block["CATALOG_NAME"].value,
        name=block["OBJECT_NAME"].value,
        international_designator=block["INTERNATIONAL_DESIGNATOR"].value,
        ephemeris_name=block["EPHEMERIS_NAME"].value,
        covariance_method=block["COVARIANCE_METHOD"].value,
        maneuverable=block["MANEUVERABLE"].value,
        ref_frame=block["REF_FRAME"].value,
        r_km=vector3(state[:3]),
        v_kmps=vector3(state[3:]),
        cov_rtn_lower=_covariance(ctx, block, name, comments, require_covariance),
        object_type=_text(block, "OBJECT_TYPE"),
        orbit_center=_text(block, "ORBIT_CENTER"),
        cov_extra={k: _number(ctx, block[k]) for k in COV_EXTRA_KEYS if k in block and block[k].value},
        fields=fields,
        units=units,
        comments=comments,
    )


def _text(block: dict[str, _Token], key: str) -> str | None:
    """Optional text value (None when absent or empty)."""
    tok = block.get(key)
    return tok.value if tok is not None and tok.value else None


def _covariance(ctx, block, name, comments, require_covariance) -> tuple[float, ...] | None:
    """The 21 lower-triangle RTN covariance terms, or None for a declared covariance-less message."""
    present = [k for k in COV_KEYS if k in block and block[k].value != ""]
    if not present and (not require_covariance or NO_COVARIANCE_COMMENT in comments):
        if require_covariance:
            raise CdmError(
                ctx.source,
                f"{name} covariance",
                "CR_R",
                "covariance omitted (TLE-only); read with require_covariance=False",
            )
        return None
    _require(ctx, block, COV_KEYS, f"{name} covariance")
    return tuple(_number(ctx, block[k]) for k in COV_KEYS)
