"""Catalog ingestion: TLE and CCSDS OMM readers, validation, and the columnar Catalog."""

from orbitshare.catalog.catalog import Catalog
from orbitshare.catalog.reader import detect_format, read_catalog, read_catalog_file
from orbitshare.catalog.records import CatalogError, ParseReport, Reject

__all__ = ["Catalog", "CatalogError", "ParseReport", "Reject", "detect_format", "read_catalog",
           "read_catalog_file"]
