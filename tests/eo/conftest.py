"""EO test fixtures: the bundled CelesTrak catalog and the demo AOIs."""

from __future__ import annotations

from importlib import resources

import pytest

from orbitshare.catalog import read_catalog

DATA = resources.files("orbitshare.data")


@pytest.fixture(scope="session")
def catalog():
    """The bundled CelesTrak active catalog of 2026-03-10."""
    cat, _ = read_catalog(str(DATA.joinpath("celestrak_active_2026-03-10.csv.gz")))
    return cat
