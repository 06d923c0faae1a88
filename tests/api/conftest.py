"""API fixtures: an app over a fresh SQLite store seeded with the demo partners, people and products."""

from __future__ import annotations

from pathlib import Path

import pytest
from hub_api_env import Env, make_env
from tests.store.conftest import pg_available, pg_url  # noqa: F401  (PostgreSQL fixtures, one definition)


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


@pytest.fixture(params=["sqlite", "postgresql"])
def db_env(request: pytest.FixtureRequest, tmp_path: Path) -> Env:
    """A fresh seeded app on each backend (SQLite file, PostgreSQL database)."""
    url = None if request.param == "sqlite" else request.getfixturevalue("pg_url")
    e = make_env(tmp_path, db_url=url)
    yield e
    e.hub.close()
