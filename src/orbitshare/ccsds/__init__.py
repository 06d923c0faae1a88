"""CCSDS navigation data messages: OMM reader, CDM reader/writer (with its vendored XML schema), OEM writer and
reader, and what their readers share (ndm)."""

__all__ = ["cdm", "ndm", "oem", "omm"]
