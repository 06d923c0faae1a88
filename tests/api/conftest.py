"""API fixtures: an app over a fresh SQLite store seeded with the demo partners, people and products."""

from __future__ import annotations

from pathlib import Path

import pytest
from hub_api_env import Env, make_env


@pytest.fixture
def env(tmp_path: Path) -> Env:
    """A fresh seeded app."""
    e = make_env(tmp_path)
    yield e
    e.hub.close()


@pytest.fixture(scope="session")
def env_factory():
    """make_env, for tests that need their own app or settings."""
    return make_env
