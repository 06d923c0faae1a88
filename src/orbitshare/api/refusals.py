"""Refused unauthenticated requests, counted in memory and summarised in one audit entry per interval."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from orbitshare.sharing.consent import iso
from orbitshare.store.auditlog import clean_text

__all__ = ["SUMMARY_EVENT", "RefusalCounter"]

SUMMARY_EVENT = "auth.refuse.summary"
OTHER_SOURCES = "(other sources)"


class RefusalCounter:
    """Counts refusals per (source, reason) over windows of `interval_s` seconds; thread-safe.

    An unauthenticated caller only increments a counter: the audit log grows by at most one summary entry
    per window, however many requests arrive. At most `max_keys` (source, reason) pairs are kept per window;
    further sources are counted under one "(other sources)" row per reason, so no refusal goes uncounted.
    """

    def __init__(self, interval_s: float = 60.0, max_keys: int = 256, clock: Callable[[], float] = time.time) -> None:
        """An empty counter; `clock` returns seconds since the epoch."""
        self.interval_s, self.max_keys, self.clock = interval_s, max_keys, clock
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, str], list[Any]] = {}
        self._start: float | None = None

    def add(self, source: str | None, reason: str, method: str, path: str) -> dict[str, Any] | None:
        """Count one refusal; returns the summary of the previous window when that window has ended."""
        now = self.clock()
        with self._lock:
            due = self._take(now) if self._start is not None and now - self._start >= self.interval_s else None
            if self._start is None:
                self._start = now
            key = (clean_text(source or "unknown", 64), clean_text(reason, 100))
            if key not in self._counts and len(self._counts) >= self.max_keys:
                key = (OTHER_SOURCES, key[1])
            row = self._counts.setdefault(key, [0, f"{method} {clean_text(path, 200)}"])
            row[0] += 1
        return due

    def take_if_due(self) -> dict[str, Any] | None:
        """The summary of the current window if it has lasted `interval_s` (for a periodic flush)."""
        now = self.clock()
        with self._lock:
            if self._start is None or now - self._start < self.interval_s:
                return None
            return self._take(now)

    def take(self) -> dict[str, Any] | None:
        """The summary of the current window whatever its age (on shutdown); None when nothing was refused."""
        with self._lock:
            return self._take(self.clock())

    def _take(self, now: float) -> dict[str, Any] | None:
        """Summarise and reset (lock held)."""
        if self._start is None or not self._counts:
            self._start = None
            return None
        rows = [
            {"source": src, "reason": reason, "count": n, "first_request": first}
            for (src, reason), (n, first) in sorted(self._counts.items())
        ]
        summary = {
            "window_start": iso(datetime.fromtimestamp(self._start, UTC)),
            "window_end": iso(datetime.fromtimestamp(now, UTC)),
            "refused": sum(r["count"] for r in rows),
            "counts": rows,
        }
        self._counts, self._start = {}, None
        return summary
