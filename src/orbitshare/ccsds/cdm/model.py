"""CCSDS Conjunction Data Message (CDM, CCSDS 508.0-B-1): the message model and keyword tables of the reader
(ccsds.cdm.reader) and writer (ccsds.cdm.writer), KVN and XML.

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
a screening (ssa.conjunction.screening_cdm) always carry a TLE-based covariance.
Units: state in km and km/s, covariance in m^2, m^2/s, m^2/s^2 (RTN of each object), miss in m, speeds in m/s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

__all__ = ["ADDITIONAL_KEYS", "ALT_COV_SHARED", "ALT_MARK", "COV_EXTRA_KEYS", "COV_EXTRA_UNITS", "COV_KEYS",
           "DATE_KEYS", "HEADER_KEYS", "HEADER_KEYS_V2", "MANDATORY_HEADER", "MANDATORY_META", "MANDATORY_RELATIVE",
           "META_KEYS", "NO_COVARIANCE_COMMENT", "OBJECT_KEYS", "OBJECT_KEYS_V2", "OD_KEYS", "RELATIVE_KEYS",
           "RELATIVE_KEYS_V2", "STATE_KEYS", "TOLERATED_EMPTY", "UNITS", "UNIT_QUIRKS", "Cdm", "CdmError", "CdmObject",
           "Item", "Vector3", "vector3"]

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


#: One (x, y, z) or (R, T, N) vector of a CDM, in the unit its field names.
Vector3 = tuple[float, float, float]
#: One (keyword, value text, unit or None) item of a message, in writing order.
Item = tuple[str, str, str | None]


def vector3(values) -> Vector3:
    """Three floats from any length-3 sequence (numpy array, list, tuple); ValueError for another length."""
    x, y, z = (float(v) for v in values)
    return x, y, z


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
    r_km: Vector3
    v_kmps: Vector3
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
    relative_position_rtn_m: Vector3 | None = None
    relative_velocity_rtn_mps: Vector3 | None = None
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
