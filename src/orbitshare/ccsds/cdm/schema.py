"""Validation of CDM XML against the CCSDS NDM/XML 1.0 schema (CCSDS 508.0-B-1), vendored in ccsds/schemas."""

from __future__ import annotations

import functools
import importlib.resources

__all__ = ["cdm_schema_errors"]


@functools.cache
def _schema():
    """The compiled CDM schema (xmlschema), loaded once from the package's schemas folder."""
    import xmlschema

    root = importlib.resources.files("orbitshare.ccsds") / "schemas" / "orbitshare-cdm-master.xsd"
    with importlib.resources.as_file(root) as path:
        return xmlschema.XMLSchema10(str(path))


def cdm_schema_errors(xml_text: str, limit: int = 10) -> list[str]:
    """Schema violations of a CDM XML document (empty when it is valid), at most `limit`, each naming the element
    path and the reason."""
    out = []
    for err in _schema().iter_errors(xml_text):
        out.append(f"{err.path}: {err.reason}")
        if len(out) >= limit:
            break
    return out
