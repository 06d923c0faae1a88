"""What every hub service shares: the principal, the refusals, the configuration and the store context.

Refusals carry a message and no transport detail: the API maps each class to an HTTP status
(`orbitshare.api.errors`).
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from orbitshare.sharing.labels import Classification, Clearance
from orbitshare.store import auditlog
from orbitshare.store.db import make_engine, session_factory
from orbitshare.store.keys import HubKeys

__all__ = [
    "DEFAULT_GRANT_DAYS",
    "KINDS",
    "MAX_GRANT_DAYS",
    "ROLES",
    "Conflict",
    "Context",
    "Forbidden",
    "HubConfig",
    "HubError",
    "Invalid",
    "NotFound",
    "Principal",
    "Unauthorized",
    "hash_token",
    "level_name",
    "now_utc",
    "parse_level",
]

ROLES = ("focal_point", "analyst", "viewer")
KINDS = (
    "catalog",
    "conjunction_report",
    "cdm",
    "alert",
    "imaging_opportunities",
    "collection_plan",
    "stac_item",
    "satcom_evaluation",
    "pnt_evaluation",
    "file",
)
MAX_GRANT_DAYS = 366
DEFAULT_GRANT_DAYS = 90


class HubError(Exception):
    """A refusal or bad request with a clear message (the API chooses the status)."""

    def __init__(self, message: str) -> None:
        """Keep the message; `audited` is set once the refusal is in the audit log."""
        super().__init__(message)
        self.message = message
        self.audited = False


class Unauthorized(HubError):
    """No valid credentials."""


class Forbidden(HubError):
    """Authenticated but not allowed."""


class NotFound(HubError):
    """Unknown id (or one the caller may not see)."""


class Conflict(HubError):
    """State conflict (duplicate, already decided)."""


class Invalid(HubError):
    """Semantically invalid input."""


@dataclass(frozen=True)
class Principal:
    """An authenticated user acting for a partner (with the API token it presented, if any)."""

    user_id: str
    name: str
    partner: str
    role: str
    clearance: Clearance
    purpose: str
    token_id: str | None = None
    token_expires_at: datetime | None = None

    def can_write(self) -> bool:
        """Analysts and focal points may upload and request consent."""
        return self.role in ("analyst", "focal_point")


@dataclass(frozen=True)
class HubConfig:
    """Where the hub keeps its data, and its limits."""

    db_url: str
    home: Path
    max_upload_bytes: int = 16 * 1024 * 1024
    max_token_days: float = 90.0


def now_utc() -> datetime:
    """The current time, aware UTC."""
    return datetime.now(UTC)


def hash_token(token: str) -> str:
    """SHA-256 hex of an API token (tokens are 256-bit random, so a fast hash suffices)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_id() -> str:
    """A random UUID string."""
    return str(uuid.uuid4())


def json_list(text: str) -> list[str]:
    """Parse a JSON list column."""
    return list(json.loads(text))


def parse_level(value: Any) -> Classification:
    """Parse a clearance or classification level (a name or an integer, never a boolean) or raise Invalid."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise Invalid("a classification level must be a name such as 'NATO SECRET' or an integer")
    try:
        return Classification.parse(value)
    except ValueError as e:
        raise Invalid(str(e)) from None


def level_name(level: Classification | int) -> str:
    """Display name of a level."""
    return Classification(level).name.replace("_", " ")


class Context:
    """One database, one data directory, one write lock and the audit log: what the services share."""

    def __init__(self, config: HubConfig) -> None:
        """Open the store (migrations are applied separately, see `orbitshare.store.db.migrate`)."""
        self.config = config
        self.engine = make_engine(config.db_url)
        self.sessions = session_factory(self.engine)
        self.keys = HubKeys(config.home)
        self._write_lock = threading.Lock()

    def close(self) -> None:
        """Release database connections."""
        self.engine.dispose()

    @contextmanager
    def tx(self) -> Iterator[Session]:
        """One transaction (writes are serialised in-process; the database serialises across processes)."""
        with self._write_lock, self.sessions.begin() as s:
            yield s

    def log(self, s: Session, event: str, actor: Principal | None = None, **fields: Any) -> None:
        """Append an audit record within transaction `s` (None fields are left out)."""
        record = {
            "event": event,
            "actor": actor.user_id if actor else None,
            "partner": actor.partner if actor else None,
        }
        record.update({k: v for k, v in fields.items() if v is not None})
        auditlog.append(s, self.keys.audit_key, record)

    def log_now(self, event: str, actor: Principal | None = None, **fields: Any) -> None:
        """Append an audit record in its own transaction."""
        with self.tx() as s:
            self.log(s, event, actor, **fields)
