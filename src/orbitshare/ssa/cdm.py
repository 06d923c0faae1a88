"""CCSDS Conjunction Data Message (CDM, CCSDS 508.0-B-1) reader and writer, KVN and XML.

Reading: :func:`read_cdm` detects KVN or XML (parsed with defusedxml), checks keywords, mandatory fields,
numbers, dates and units, and raises :class:`CdmError` naming the file, the line (KVN) or element path (XML),
the keyword and the reason. CDM 2.0 draft keywords (as in Orekit's test files) are accepted, kept as text.
Tolerated real-world quirks (listed in ``Cdm.quirks``): RELATIVE_VELOCITY units written ``[m]`` (read as m/s),
a unit bracket left open (``[``), ``NaN`` in optional fields, empty or ``nil`` optional XML elements,
day-of-year dates (``YYYY-DDDThh:mm:ss``), ``key=value`` text in COMMENT lines (e.g. CARA's ``COMMENT HBR``),
NaN as INTERNATIONAL_DESIGNATOR, and CDM 2.0 XYZ alternate covariance blocks repeating CDRG_DRG-like terms.

Writing: :func:`write_cdm_kvn` and :func:`write_cdm_xml` write every modelled and every kept keyword, so a
message read back gives the same values. :func:`cdm_from_conjunction` builds a CDM from a screening result.
An object given without covariance gets none, which CDM 1.0 makes mandatory: such messages omit the covariance
block, say so in a COMMENT, and can only be read back with ``read_cdm(..., require_covariance=False)``; the CDMs of
a screening (ssa.screening_cdm) always carry a TLE-based covariance.
Units: state in km and km/s, covariance in m^2, m^2/s, m^2/s^2 (RTN of each object), miss in m, speeds in m/s.
"""

from __future__ import annotations

import io
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import defusedxml.ElementTree as SafeET
import numpy as np

NO_COVARIANCE_COMMENT = (
    "orbitshare: covariance unavailable (TLE-only object); mandatory covariance block omitted"
)

HEADER_KEYS = ("CCSDS_CDM_VERS", "CREATION_DATE", "ORIGINATOR", "MESSAGE_FOR", "MESSAGE_ID")
HEADER_KEYS_V2 = ("CLASSIFICATION",)
RELATIVE_KEYS = (
    "TCA",
    "MISS_DISTANCE",
    "RELATIVE_SPEED",
    "RELATIVE_POSITION_R",
    "RELATIVE_POSITION_T",
    "RELATIVE_POSITION_N",
    "RELATIVE_VELOCITY_R",
    "RELATIVE_VELOCITY_T",
    "RELATIVE_VELOCITY_N",
    "START_SCREEN_PERIOD",
    "STOP_SCREEN_PERIOD",
    "SCREEN_VOLUME_FRAME",
    "SCREEN_VOLUME_SHAPE",
    "SCREEN_VOLUME_X",
    "SCREEN_VOLUME_Y",
    "SCREEN_VOLUME_Z",
    "SCREEN_ENTRY_TIME",
    "SCREEN_EXIT_TIME",
    "COLLISION_PROBABILITY",
    "COLLISION_PROBABILITY_METHOD",
)
RELATIVE_KEYS_V2 = (
    "CONJUNCTION_ID",
    "APPROACH_ANGLE",
    "SCREEN_TYPE",
    "SCREEN_VOLUME_RADIUS",
    "SCREEN_PC_THRESHOLD",
    "MAHALANOBIS_DISTANCE",
    "COLLISION_PERCENTILE",
    "COLLISION_MAX_PROBABILITY",
    "COLLISION_MAX_PC_METHOD",
    "SEFI_COLLISION_PROBABILITY",
    "SEFI_COLLISION_PROBABILITY_METHOD",
    "SEFI_FRAGMENTATION_MODEL",
    "PREVIOUS_MESSAGE_ID",
    "PREVIOUS_MESSAGE_EPOCH",
    "NEXT_MESSAGE_EPOCH",
)
META_KEYS = (
    "OBJECT",
    "OBJECT_DESIGNATOR",
    "CATALOG_NAME",
    "OBJECT_NAME",
    "INTERNATIONAL_DESIGNATOR",
    "OBJECT_TYPE",
    "OPERATOR_CONTACT_POSITION",
    "OPERATOR_ORGANIZATION",
    "OPERATOR_PHONE",
    "OPERATOR_EMAIL",
    "EPHEMERIS_NAME",
    "COVARIANCE_METHOD",
    "MANEUVERABLE",
    "ORBIT_CENTER",
    "REF_FRAME",
    "GRAVITY_MODEL",
    "ATMOSPHERIC_MODEL",
    "N_BODY_PERTURBATIONS",
    "SOLAR_RAD_PRESSURE",
    "EARTH_TIDES",
    "INTRACK_THRUST",
)
OD_KEYS = (
    "TIME_LASTOB_START",
    "TIME_LASTOB_END",
    "RECOMMENDED_OD_SPAN",
    "ACTUAL_OD_SPAN",
    "OBS_AVAILABLE",
    "OBS_USED",
    "TRACKS_AVAILABLE",
    "TRACKS_USED",
    "RESIDUALS_ACCEPTED",
    "WEIGHTED_RMS",
)
ADDITIONAL_KEYS = (
    "AREA_PC",
    "AREA_DRG",
    "AREA_SRP",
    "MASS",
    "CD_AREA_OVER_MASS",
    "CR_AREA_OVER_MASS",
    "THRUST_ACCELERATION",
    "SEDR",
)
STATE_KEYS = ("X", "Y", "Z", "X_DOT", "Y_DOT", "Z_DOT")
_RTN = ("R", "T", "N", "RDOT", "TDOT", "NDOT", "DRG", "SRP", "THR")
_ROWS = ("CR", "CT", "CN", "CRDOT", "CTDOT", "CNDOT", "CDRG", "CSRP", "CTHR")
COV_KEYS = tuple(f"{_ROWS[i]}_{_RTN[j]}" for i in range(6) for j in range(i + 1))
COV_EXTRA_KEYS = tuple(f"{_ROWS[i]}_{_RTN[j]}" for i in range(6, 9) for j in range(i + 1))
_XYZ = ("X", "Y", "Z", "XDOT", "YDOT", "ZDOT", "DRG", "SRP", "THR")
_XYZ_ROWS = ("CX", "CY", "CZ", "CXDOT", "CYDOT", "CZDOT", "CDRG", "CSRP", "CTHR")
OBJECT_KEYS_V2 = (
    "ODM_MSG_LINK",
    "ADM_MSG_LINK",
    "OBS_BEFORE_NEXT_MESSAGE",
    "COVARIANCE_SOURCE",
    "ALT_COV_TYPE",
    "ALT_COV_REF_FRAME",
    "OD_EPOCH",
    "AREA_PC_MIN",
    "AREA_PC_MAX",
    "OEB_PARENT_FRAME",
    "OEB_PARENT_FRAME_EPOCH",
    "OEB_Q1",
    "OEB_Q2",
    "OEB_Q3",
    "OEB_QC",
    "OEB_MAX",
    "OEB_INT",
    "OEB_MIN",
    "AREA_ALONG_OEB_MAX",
    "AREA_ALONG_OEB_INT",
    "AREA_ALONG_OEB_MIN",
    "RCS",
    "RCS_MIN",
    "RCS_MAX",
    "VM_ABSOLUTE",
    "VM_APPARENT_MIN",
    "VM_APPARENT",
    "VM_APPARENT_MAX",
    "REFLECTANCE",
    "HBR",
    "APOAPSIS_ALTITUDE",
    "PERIAPSIS_ALTITUDE",
    "INCLINATION",
    "COV_CONFIDENCE",
    "COV_CONFIDENCE_METHOD",
    "CSCALE_FACTOR",
    "CSCALE_FACTOR_MIN",
    "CSCALE_FACTOR_MAX",
    "SCREENING_DATA_SOURCE",
    "DCP_DENSITY_FORECAST_UNCERTAINTY",
    "DENSITY_FORECAST_UNCERTAINTY",
    "DCP_SENSITIVITY_VECTOR_POSITION",
    "DCP_SENSITIVITY_VECTOR_VELOCITY",
    "CSIG3EIGVEC3",
    *tuple(f"{_XYZ_ROWS[i]}_{_XYZ[j]}" for i in range(9) for j in range(i + 1)),
)
OBJECT_KEYS = META_KEYS + OD_KEYS + ADDITIONAL_KEYS + STATE_KEYS + COV_KEYS + COV_EXTRA_KEYS

ALT_COV_SHARED = {"CDRG_DRG", "CSRP_DRG", "CSRP_SRP", "CTHR_DRG", "CTHR_SRP", "CTHR_THR"}
ALT_MARK = "@XYZ"  # suffix of the XYZ-block copy of a term shared with the RTN covariance block
TOLERATED_EMPTY = {"INTERNATIONAL_DESIGNATOR"}  # CARA samples write NaN for analyst objects
MANDATORY_HEADER = ("CCSDS_CDM_VERS", "CREATION_DATE", "ORIGINATOR", "MESSAGE_ID")
MANDATORY_RELATIVE = ("TCA", "MISS_DISTANCE")
MANDATORY_META = (
    "OBJECT",
    "OBJECT_DESIGNATOR",
    "CATALOG_NAME",
    "OBJECT_NAME",
    "INTERNATIONAL_DESIGNATOR",
    "EPHEMERIS_NAME",
    "COVARIANCE_METHOD",
    "MANEUVERABLE",
    "REF_FRAME",
)
DATE_KEYS = {
    "CREATION_DATE",
    "TCA",
    "START_SCREEN_PERIOD",
    "STOP_SCREEN_PERIOD",
    "SCREEN_ENTRY_TIME",
    "SCREEN_EXIT_TIME",
    "TIME_LASTOB_START",
    "TIME_LASTOB_END",
    "PREVIOUS_MESSAGE_EPOCH",
    "NEXT_MESSAGE_EPOCH",
    "OD_EPOCH",
}
_COV_UNITS = {0: "m**2", 1: "m**2/s", 2: "m**2/s**2"}
UNITS = {
    "MISS_DISTANCE": "m",
    "RELATIVE_SPEED": "m/s",
    **{f"RELATIVE_POSITION_{c}": "m" for c in "RTN"},
    **{f"RELATIVE_VELOCITY_{c}": "m/s" for c in "RTN"},
    **{k: "km" for k in STATE_KEYS[:3]},
    **{k: "km/s" for k in STATE_KEYS[3:]},
    **{f"{_ROWS[i]}_{_RTN[j]}": _COV_UNITS[(i >= 3) + (j >= 3)] for i in range(6) for j in range(i + 1)},
}
#: CCSDS 508.0-B-1 units of the drag, SRP and thrust rows by column group: R/T/N, rates, DRG/SRP, THR.
_EXTRA_ROW_UNITS = {
    "CDRG": ("m**3/kg", "m**3/(kg*s)", "m**4/kg**2", None),
    "CSRP": ("m**3/kg", "m**3/(kg*s)", "m**4/kg**2", None),
    "CTHR": ("m**2/s**2", "m**2/s**3", "m**3/(kg*s**2)", "m**2/s**4"),
}
#: Units the writer gives the drag/SRP/thrust covariance terms a message was read without (the XML schema requires
#: them); the reader does not check these terms' units.
COV_EXTRA_UNITS = {
    k: _EXTRA_ROW_UNITS[k.split("_")[0]][0 if k.split("_")[1] in "RTN" else 1 if k.endswith("DOT") else
                                         3 if k.endswith("THR") else 2]
    for k in COV_EXTRA_KEYS
}
UNIT_QUIRKS = {
    **{(f"RELATIVE_VELOCITY_{c}", "m"): "RELATIVE_VELOCITY units written [m], read as m/s" for c in "RTN"}
}


class CdmError(ValueError):
    """A CDM that cannot be read: names the file, the line or XML element, the keyword and the reason."""

    def __init__(self, source: str, where: str, keyword: str, reason: str):
        super().__init__(f"{source}: {where}: {keyword}: {reason}")
        self.source, self.where, self.keyword, self.reason = source, where, keyword, reason


@dataclass
class CdmObject:
    """One object of a CDM: metadata, state (km, km/s) and RTN covariance (m^2, m^2/s, m^2/s^2) at TCA."""

    object: str
    designator: str
    catalog_name: str
    name: str
    international_designator: str
    ephemeris_name: str
    covariance_method: str
    maneuverable: str
    ref_frame: str
    r_km: tuple[float, float, float]
    v_kmps: tuple[float, float, float]
    cov_rtn_lower: tuple[float, ...] | None = None
    object_type: str | None = None
    orbit_center: str | None = None
    cov_extra: dict[str, float] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)

    @property
    def r_m(self) -> np.ndarray:
        """Position (m) in ``ref_frame``."""
        return np.asarray(self.r_km) * 1e3

    @property
    def v_mps(self) -> np.ndarray:
        """Velocity (m/s) in ``ref_frame``."""
        return np.asarray(self.v_kmps) * 1e3

    @property
    def cov_rtn_6x6(self) -> np.ndarray | None:
        """Full symmetric 6x6 RTN position-velocity covariance (m^2, m^2/s, m^2/s^2), or None."""
        if self.cov_rtn_lower is None:
            return None
        cov = np.zeros((6, 6))
        cov[np.tril_indices(6)] = self.cov_rtn_lower
        return cov + np.tril(cov, -1).T


@dataclass
class Cdm:
    """A Conjunction Data Message: header, relative metadata (TCA UTC, miss m, speeds m/s) and two objects."""

    version: str
    creation_date: datetime
    originator: str
    message_id: str
    tca: datetime
    miss_distance_m: float
    object1: CdmObject
    object2: CdmObject
    message_for: str | None = None
    relative_speed_mps: float | None = None
    relative_position_rtn_m: tuple[float, float, float] | None = None
    relative_velocity_rtn_mps: tuple[float, float, float] | None = None
    collision_probability: float | None = None
    collision_probability_method: str | None = None
    header_fields: dict[str, str] = field(default_factory=dict)
    relative_fields: dict[str, str] = field(default_factory=dict)
    relative_units: dict[str, str] = field(default_factory=dict)
    header_comments: list[str] = field(default_factory=list)
    relative_comments: list[str] = field(default_factory=list)
    quirks: list[str] = field(default_factory=list, compare=False)
    source: str = field(default="<cdm>", compare=False)

    @property
    def objects(self) -> tuple[CdmObject, CdmObject]:
        """Both objects, OBJECT1 first."""
        return self.object1, self.object2

    def hbr_from_comments_m(self) -> float | None:
        """Combined hard-body radius (m) from CARA's ``COMMENT HBR = x`` convention, if present."""
        for text in self.relative_comments + self.header_comments:
            match = re.match(r"\s*HBR\s*=\s*([-+0-9.eE]+)", text)
            if match:
                return float(match.group(1))
        return None


# ----------------------------------------------------------------------------------------------- tokenising


@dataclass
class _Token:
    """One keyword occurrence: value text, unit text (or None), location, and the raw unit bracket state."""

    key: str
    value: str
    unit: str | None
    where: str
    segment: int | None = None


_KVN_LINE = re.compile(r"^\s*([A-Za-z0-9_]+)\s*=\s*(.*?)\s*$")
_UNIT = re.compile(r"^(.*?)\s*\[([^\]]*)\]?\s*$")


def _kvn_tokens(text: str, source: str) -> tuple[list[_Token], list[tuple[int, str]]]:
    """Split KVN text into keyword tokens and (token index, comment) pairs; malformed lines raise CdmError."""
    tokens: list[_Token] = []
    comments: list[tuple[int, str]] = []
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
        value, unit = _split_unit(match.group(2))
        tokens.append(_Token(match.group(1), value, unit, f"line {number}"))
    return tokens, comments


def _split_unit(text: str) -> tuple[str, str | None]:
    """Separate a trailing ``[unit]`` (or an unterminated ``[``) from a KVN value."""
    if "[" not in text:
        return text.strip(), None
    match = _UNIT.match(text)
    return match.group(1).strip(), match.group(2).strip()


def _xml_tokens(text: str, source: str) -> tuple[list[_Token], list[tuple[int, str]]]:
    """Flatten a CDM XML document into keyword tokens in document order (segments numbered 1, 2)."""
    try:
        root = SafeET.fromstring(text)
    except (ET.ParseError, ValueError) as exc:
        raise CdmError(source, "XML", "cdm", f"not well-formed XML ({exc})") from exc
    if _local(root.tag) != "cdm":
        raise CdmError(source, "XML", _local(root.tag), "root element must be <cdm>")
    tokens = [_Token("CCSDS_CDM_VERS", root.get("version", ""), None, "<cdm version>")]
    comments: list[tuple[int, str]] = []
    for child in root:
        _walk_xml(child, _local(child.tag), tokens, comments, segment=None)
    return tokens, comments


def _walk_xml(elem, path: str, tokens: list[_Token], comments: list[tuple[int, str]], segment: int | None):
    """Recursively collect leaf elements of the XML CDM, tracking which <segment> they belong to."""
    children = list(elem)
    tag = _local(elem.tag)
    if tag == "segment":
        segment = 1 + sum(1 for t in tokens if t.key == "OBJECT")
    if not children:
        _xml_leaf(elem, tag, path, tokens, comments, segment)
        return
    for child in children:
        _walk_xml(child, f"{path}/{_local(child.tag)}", tokens, comments, segment)


def _xml_leaf(elem, tag: str, path: str, tokens: list[_Token], comments, segment) -> None:
    """Append one XML leaf as a comment or keyword token (USER_DEFINED parameter names are expanded)."""
    text = (elem.text or "").strip()
    if tag == "COMMENT":
        comments.append((len(tokens), text, True))
        return
    if tag == "USER_DEFINED":
        tag = "USER_DEFINED_" + elem.get("parameter", "")
    tokens.append(_Token(tag, text, elem.get("units"), f"XML <{path}>", segment))


def _local(tag: str) -> str:
    """XML tag without namespace."""
    return tag.rsplit("}", 1)[-1]


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


def _group(tokens: list[_Token], comments, source: str):
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


def _comments_by_index(comments) -> dict[int, tuple[list[str], list[str]]]:
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


def parse_cdm_date(text: str) -> datetime:
    """Parse a CCSDS date (YYYY-MM-DDThh:mm:ss[.f] or YYYY-DDDThh:mm:ss[.f], optional Z) as UTC datetime."""
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d*)?Z?", text.strip())
    if match:
        y, mo, d, h, mi, s = (int(g) for g in match.groups()[:6])
        base = datetime(y, mo, d, h, mi, s, tzinfo=UTC)
    else:
        match = re.fullmatch(r"(\d{4})-(\d{3})T(\d{2}):(\d{2}):(\d{2})(\.\d*)?Z?", text.strip())
        if not match:
            raise ValueError(f"not a CCSDS date: {text!r}")
        y, doy, h, mi, s = (int(g) for g in match.groups()[:5])
        if not 1 <= doy <= (366 if y % 4 == 0 and (y % 100 != 0 or y % 400 == 0) else 365):
            raise ValueError(f"day of year out of range: {text!r}")
        base = datetime(y, 1, 1, h, mi, s, tzinfo=UTC) + timedelta(days=doy - 1)
    frac = match.groups()[-1]
    return base + timedelta(microseconds=round(float(frac) * 1e6)) if frac and frac != "." else base


def _date(ctx: _Ctx, tok: _Token) -> datetime:
    """Parse a date token, raising CdmError with the keyword on failure."""
    try:
        return parse_cdm_date(tok.value)
    except ValueError as exc:
        raise CdmError(ctx.source, tok.where, tok.key, f"invalid date ({exc})") from None


def _optional_number(ctx: _Ctx, block: dict[str, _Token], key: str) -> float | None:
    """Numeric value of an optional keyword; absent, empty or nil gives None, 'NaN' gives nan."""
    tok = block.get(key)
    if tok is None or tok.value == "":
        return None
    return _number(ctx, tok)


def _triple(ctx: _Ctx, block: dict[str, _Token], prefix: str) -> tuple[float, float, float] | None:
    """An optional R, T, N triple (all three or none)."""
    values = [_optional_number(ctx, block, f"{prefix}_{c}") for c in "RTN"]
    if all(v is None for v in values):
        return None
    if any(v is None for v in values):
        missing = next(f"{prefix}_{c}" for c, v in zip("RTN", values, strict=True) if v is None)
        raise CdmError(ctx.source, "relative metadata", missing, "incomplete relative state vector")
    return tuple(values)  # type: ignore[return-value]


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
        r_km=tuple(state[:3]),
        v_kmps=tuple(state[3:]),
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


# ----------------------------------------------------------------------------------------------- writing


def _fmt(value: float) -> str:
    """Shortest exact text for a float (round-trips bit for bit)."""
    return repr(float(value)) if math.isfinite(value) else "NaN"


def _fmt_date(value: datetime) -> str:
    """CCSDS date text with microseconds (UTC)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def _header_items(cdm: Cdm) -> list[tuple[str, str, str | None]]:
    """Ordered (keyword, value, unit) items of the header."""
    items = [
        ("CCSDS_CDM_VERS", cdm.version, None),
        ("CREATION_DATE", _fmt_date(cdm.creation_date), None),
        ("ORIGINATOR", cdm.originator, None),
    ]
    if cdm.message_for is not None:
        items.append(("MESSAGE_FOR", cdm.message_for, None))
    items.append(("MESSAGE_ID", cdm.message_id, None))
    return items + [(k, v, None) for k, v in cdm.header_fields.items()]


def _relative_items(cdm: Cdm) -> list[tuple[str, str, str | None]]:
    """Ordered (keyword, value, unit) items of the relative metadata."""
    items = [("TCA", _fmt_date(cdm.tca), None), ("MISS_DISTANCE", _fmt(cdm.miss_distance_m), "m")]
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


def _object_groups(obj: CdmObject) -> dict[str, list[tuple[str, str, str | None]]]:
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
    groups = {"metadata": [(k, v, None) for k, v in meta]}
    groups["odParameters"] = _kept(obj, OD_KEYS)
    groups["additionalParameters"] = _kept(obj, ADDITIONAL_KEYS)
    groups["stateVector"] = [
        (k, _fmt(x), UNITS[k]) for k, x in zip(STATE_KEYS, (*obj.r_km, *obj.v_kmps), strict=True)
    ]
    groups["covarianceMatrix"] = _covariance_items(obj)
    known = set(META_KEYS) | set(OD_KEYS) | set(ADDITIONAL_KEYS)
    groups["extra"] = [(k, v, obj.units.get(k)) for k, v in obj.fields.items() if k not in known]
    return groups


def _kept(obj: CdmObject, keys) -> list[tuple[str, str, str | None]]:
    """Items of `keys` kept as raw text on the object, in CCSDS order."""
    return [(k, obj.fields[k], obj.units.get(k)) for k in keys if k in obj.fields]


def _covariance_items(obj: CdmObject) -> list[tuple[str, str, str | None]]:
    """Covariance items (6x6 RTN then drag/SRP/thrust rows), empty when the object has no covariance."""
    if obj.cov_rtn_lower is None:
        return []
    items = [(k, _fmt(x), UNITS[k]) for k, x in zip(COV_KEYS, obj.cov_rtn_lower, strict=True)]
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


# ----------------------------------------------------------------------------------------------- building


def _rtn_rows(r, v) -> np.ndarray:
    """Rows R, T, N (unit vectors) of the RTN frame of state r, v."""
    r = np.asarray(r, float)
    h = np.cross(r, np.asarray(v, float))
    u_r, u_n = r / np.linalg.norm(r), h / np.linalg.norm(h)
    return np.vstack([u_r, np.cross(u_n, u_r), u_n])


def relative_state_rtn(r1_km, v1_kmps, r2_km, v2_kmps) -> tuple[np.ndarray, np.ndarray]:
    """Object 2 minus object 1, rotated into object 1's RTN axes: position (m), velocity (m/s) (as JSpOC)."""
    rot = _rtn_rows(r1_km, v1_kmps)
    return rot @ np.subtract(r2_km, r1_km) * 1e3, rot @ np.subtract(v2_kmps, v1_kmps) * 1e3


def teme_to_gcrf(r_km, v_kmps, when_utc: datetime) -> tuple[np.ndarray, np.ndarray]:
    """Rotate a TEME state (km, km/s) at a UTC instant to GCRF (skyfield; TEME rotation rate neglected)."""
    from skyfield.api import load
    from skyfield.sgp4lib import TEME

    t = load.timescale(builtin=True).from_datetime(when_utc.astimezone(UTC))
    rot = np.asarray(TEME.rotation_at(t)).T
    return rot @ np.asarray(r_km, float), rot @ np.asarray(v_kmps, float)


@dataclass
class ConjunctionObject:
    """One object of a screening result: NORAD id, name, state at TCA (km, km/s), optional RTN covariance."""

    norad_id: int | str
    name: str
    r_km: tuple[float, float, float]
    v_kmps: tuple[float, float, float]
    international_designator: str = "UNKNOWN"
    object_type: str | None = None
    cov_rtn_6x6: np.ndarray | None = None
    maneuverable: str = "N/A"
    ephemeris_name: str = "NONE"
    covariance_method: str = "DEFAULT"


def cdm_from_conjunction(
    obj1: ConjunctionObject,
    obj2: ConjunctionObject,
    *,
    tca_utc: datetime,
    originator: str,
    message_id: str,
    frame: str = "TEME",
    miss_distance_m: float | None = None,
    relative_speed_mps: float | None = None,
    collision_probability: float | None = None,
    pc_method: str | None = None,
    creation_date: datetime | None = None,
    comments: list[str] | None = None,
) -> Cdm:
    """Build a CDM from a conjunction record; TEME states are rotated to GCRF (CDM 1.0 has no TEME frame)."""
    states = [(o.r_km, o.v_kmps) for o in (obj1, obj2)]
    ref_frame = frame.upper()
    if ref_frame == "TEME":
        states = [teme_to_gcrf(r, v, tca_utc) for r, v in states]
        ref_frame = "GCRF"
    if ref_frame not in ("EME2000", "GCRF", "ITRF"):
        raise ValueError(f"frame must be TEME, EME2000, GCRF or ITRF, not {frame!r}")
    rel_r, rel_v = relative_state_rtn(states[0][0], states[0][1], states[1][0], states[1][1])
    objects = [
        _cdm_object(o, f"OBJECT{i + 1}", r, v, ref_frame)
        for i, (o, (r, v)) in enumerate(zip((obj1, obj2), states, strict=True))
    ]
    return Cdm(
        version="1.0",
        creation_date=creation_date or datetime.now(UTC),
        originator=originator,
        message_id=message_id,
        tca=tca_utc.astimezone(UTC),
        miss_distance_m=float(np.linalg.norm(rel_r)) if miss_distance_m is None else float(miss_distance_m),
        relative_speed_mps=float(np.linalg.norm(np.subtract(states[1][1], states[0][1])) * 1e3)
        if relative_speed_mps is None
        else float(relative_speed_mps),
        relative_position_rtn_m=tuple(float(x) for x in rel_r),
        relative_velocity_rtn_mps=tuple(float(x) for x in rel_v),
        collision_probability=collision_probability,
        collision_probability_method=pc_method,
        object1=objects[0],
        object2=objects[1],
        header_comments=list(comments or []),
    )


def _cdm_object(o: ConjunctionObject, label: str, r_km, v_kmps, ref_frame: str) -> CdmObject:
    """CdmObject for one conjunction object (covariance lower triangle when one is given)."""
    cov = None
    if o.cov_rtn_6x6 is not None:
        cov = tuple(float(x) for x in np.asarray(o.cov_rtn_6x6, float)[np.tril_indices(6)])
    return CdmObject(
        object=label,
        designator=str(o.norad_id),
        catalog_name="SATCAT",
        name=o.name,
        international_designator=o.international_designator,
        ephemeris_name=o.ephemeris_name,
        covariance_method=o.covariance_method,
        maneuverable=o.maneuverable,
        ref_frame=ref_frame,
        r_km=tuple(float(x) for x in r_km),
        v_kmps=tuple(float(x) for x in v_kmps),
        cov_rtn_lower=cov,
        object_type=o.object_type,
    )
