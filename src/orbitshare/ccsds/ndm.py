"""What the CCSDS navigation data message readers share: XML element names without their namespace."""

from __future__ import annotations

__all__ = ["local_name"]


def local_name(tag: str) -> str:
    """Element name of an ElementTree tag without its '{namespace}' prefix ('{urn:ccsds}cdm' -> 'cdm')."""
    return tag.rsplit("}", 1)[-1]
