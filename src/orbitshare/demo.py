"""The batch demo that `make run` prints: bundled catalog summary and national satellites' passes over Slovenia."""

from __future__ import annotations

import gzip
import importlib.resources
from datetime import timedelta

import numpy as np

from orbitshare.astro.time import jd_to_datetime64
from orbitshare.catalog import Catalog, ParseReport, read_catalog_file

__all__ = ["DEMO_CATALOG", "LJUBLJANA", "NATIONAL_ASSETS", "demo_window", "load_demo_catalog", "national_passes"]

DEMO_CATALOG = "celestrak_active_2026-03-10.csv.gz"
#: Partner assets in the bundled catalog: Slovenia's NEMO-HD and Luxembourg's LUXEOSys (NAOS).
NATIONAL_ASSETS = {46277: "Slovenia (SPACE-SI)", 65317: "Luxembourg (LUXEOSys / NAOS)"}
#: Ljubljana, Slovenia: WGS-84 latitude, longitude (deg) and height (km).
LJUBLJANA = (46.0569, 14.5058, 0.295)


def load_demo_catalog() -> tuple[Catalog, ParseReport]:
    """The bundled CelesTrak active-payload catalog of 2026-03-10 (offline)."""
    ref = importlib.resources.files("orbitshare") / "data" / DEMO_CATALOG
    with ref.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8", newline="") as fh:
        return read_catalog_file(fh, f"bundled:{DEMO_CATALOG}")


def demo_window(catalog: Catalog):
    """The day after the catalog's median epoch (UTC datetimes, from the next whole hour), so that the element
    sets are fresh: within their regime's age limit (orbitshare.ssa.conjunction.element_age) over the whole window."""
    t = jd_to_datetime64(np.median(catalog["epoch_jd"] + catalog["epoch_fr"]), 0.0)
    start = t.astype("datetime64[h]").astype(object) + timedelta(hours=1)
    return start, start + timedelta(days=1)


def national_passes(catalog: Catalog, start, stop, min_elevation_deg: float = 10.0):
    """Passes of the partners' satellites over Ljubljana between start and stop."""
    from orbitshare.astro.access import passes

    assets = catalog.select(ids=NATIONAL_ASSETS)
    return passes(assets, *LJUBLJANA, start=start, stop=stop, min_elevation_deg=min_elevation_deg)
