"""Shared test helpers: paths to vendored data and to the optional ../shared reference data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
SHARED = ROOT.parent / "shared" / "data"


def shared_path(*parts: str) -> Path:
    """Path under ../shared/data; skips (or fails in CI, ORBITSHARE_REQUIRE_SHARED=1) when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if os.environ.get("ORBITSHARE_REQUIRE_SHARED"):
            pytest.fail(f"reference data {path} is missing and ORBITSHARE_REQUIRE_SHARED is set")
        pytest.skip(f"reference data {path} not present (a fresh clone has no ../shared)")
    return path
