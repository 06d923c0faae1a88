"""Engines, sessions and Alembic migrations of the hub's store."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

__all__ = ["MIGRATIONS", "alembic_config", "create_private_sqlite", "make_engine", "migrate", "normalise_url",
           "session_factory", "sqlite_url"]

MIGRATIONS = Path(__file__).with_name("migrations")


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for bare postgresql:// URLs."""
    u = make_url(url)
    if u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+psycopg")
    return u.render_as_string(hide_password=False)


def make_engine(url: str) -> Engine:
    """An engine; SQLite gets WAL, a busy timeout and BEGIN IMMEDIATE write transactions."""
    url = normalise_url(url)
    if make_url(url).get_backend_name() != "sqlite":
        return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
    create_private_sqlite(url)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 60})
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def create_private_sqlite(url: str) -> None:
    """Create a SQLite database file readable only by its owner (SQLite gives its -wal/-shm files the same mode)."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:" or "mode=memory" in url:
        return
    path = Path(u.database)
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def _sqlite_on_connect(dbapi_conn, _record) -> None:
    """Autocommit at the driver level (transactions are begun explicitly) and set pragmas."""
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=60000")
    cur.close()


def _sqlite_on_begin(conn) -> None:
    """Take the write lock at the start of every transaction so writers queue instead of deadlocking."""
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory that keeps objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str):
    """An Alembic Config pointing at the packaged migrations."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return cfg


def migrate(url: str, revision: str = "head") -> None:
    """Upgrade the database at `url` to `revision`."""
    from alembic import command

    create_private_sqlite(normalise_url(url))
    command.upgrade(alembic_config(url), revision)


def sqlite_url(path: Path) -> str:
    """SQLite URL of a file path."""
    return f"sqlite:///{path}"
