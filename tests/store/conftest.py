"""Store fixtures: every storage test runs against SQLite and against a real PostgreSQL server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_ADMIN = os.environ.get("ORBITSHARE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def _pg_admin():
    """An autocommit admin connection to PostgreSQL, or None when no server answers."""
    import psycopg

    try:
        return psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        return None


@pytest.fixture(scope="session")
def pg_available() -> bool:
    """Whether PostgreSQL answers; in CI (ORBITSHARE_REQUIRE_POSTGRES=1) its absence is a failure."""
    conn = _pg_admin()
    if conn is None:
        if os.environ.get("ORBITSHARE_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL required (ORBITSHARE_REQUIRE_POSTGRES) but {PG_ADMIN} is unreachable")
        return False
    conn.close()
    return True


@pytest.fixture
def pg_url(pg_available: bool) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    if not pg_available:
        pytest.skip(f"no PostgreSQL server at {PG_ADMIN}; start one (see .ci/run) to run these tests")
    name = f"orbitshare_test_{uuid.uuid4().hex[:12]}"
    with _pg_admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with _pg_admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database URL of each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hub.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def hub(db_url: str, tmp_path: Path):
    """A migrated hub over `db_url` with its keys under tmp_path."""
    from orbitshare.service import Hub, HubConfig
    from orbitshare.store.db import migrate

    migrate(db_url)
    h = Hub(HubConfig(db_url=db_url, home=tmp_path / "home"))
    yield h
    h.close()
