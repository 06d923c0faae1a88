"""CCSDS navigation data messages: OMM reader, CDM reader/writer (with its vendored XML schema), OEM writer."""

__all__ = ["cdm", "oem", "omm"]
