"""CCSDS Conjunction Data Message (CCSDS 508.0-B-1): model, KVN/XML reader and writer, building from a screening."""

from orbitshare.ccsds.cdm.build import ConjunctionObject, cdm_from_conjunction, relative_state_rtn
from orbitshare.ccsds.cdm.model import (
    HEADER_KEYS_V2,
    NO_COVARIANCE_COMMENT,
    OBJECT_KEYS_V2,
    RELATIVE_KEYS_V2,
    Cdm,
    CdmError,
    CdmObject,
)
from orbitshare.ccsds.cdm.reader import read_cdm
from orbitshare.ccsds.cdm.writer import write_cdm_kvn, write_cdm_xml

__all__ = [
    "HEADER_KEYS_V2",
    "NO_COVARIANCE_COMMENT",
    "OBJECT_KEYS_V2",
    "RELATIVE_KEYS_V2",
    "Cdm",
    "CdmError",
    "CdmObject",
    "ConjunctionObject",
    "cdm_from_conjunction",
    "read_cdm",
    "relative_state_rtn",
    "write_cdm_kvn",
    "write_cdm_xml",
]
