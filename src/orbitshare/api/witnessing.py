"""The audit keeper: witnesses the hub's tree heads, co-signs partners' heads and flushes refusal summaries."""

from __future__ import annotations

import logging
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from orbitshare.api.refusals import SUMMARY_EVENT, RefusalCounter
from orbitshare.service import Hub, Principal
from orbitshare.settings import Settings
from orbitshare.sharing.consent import iso
from orbitshare.store.witness import PartnerKeys, WitnessFile, cosign, own_head, verify_partner_head

__all__ = ["AuditKeeper", "AuditSettings", "audit_settings"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AuditSettings:
    """Where witnessed heads and partner hub keys live, and how often heads and refusal summaries are written."""

    witness_file: Path
    partner_keys_file: Path
    witness_interval_s: float = 300.0
    refusal_interval_s: float = 60.0


def audit_settings(settings: Settings, home: Path) -> AuditSettings:
    """Witness file, partner keys and intervals from the settings; the files default to ones under `home`."""
    return AuditSettings(
        witness_file=settings.witness_file or home / "audit-heads.jsonl",
        partner_keys_file=settings.witness_partners or home / "witness-partners.json",
        witness_interval_s=settings.witness_interval_s,
        refusal_interval_s=settings.auth_summary_s,
    )


class AuditKeeper:
    """Flushes refusal summaries into the log and appends the hub's signed head to the witness file."""

    def __init__(self, hub: Hub, settings: AuditSettings) -> None:
        """Keep `hub`'s log witnessed as `settings` say."""
        self.hub, self.settings = hub, settings
        self.refusals = RefusalCounter(settings.refusal_interval_s)
        self.witness = WitnessFile(settings.witness_file)
        self.partner_keys = PartnerKeys(settings.partner_keys_file)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def write_summary(self, summary: dict[str, Any] | None) -> None:
        """Append one refusal summary entry (no-op for None)."""
        if summary is not None:
            self.hub.audit.record(SUMMARY_EVENT, None, **summary)

    def witness_head(self) -> dict[str, Any] | None:
        """Append the current signed head unless the newest witnessed one already has its size; returns it."""
        with self._lock:
            head = asdict(self.hub.audit.head())
            last = self.witness.newest("head")
            if head["size"] == 0 or (last is not None and last["size"] >= head["size"]):
                return None
            record = own_head(head, iso(datetime.now(UTC)))
            self.witness.append(record)
            return record

    def start(self) -> None:
        """Flush due refusal summaries and witness the head at their intervals, in a daemon thread."""
        if self._thread is None:
            period = min(self.settings.witness_interval_s, self.settings.refusal_interval_s)
            self._thread = threading.Thread(target=self._run, args=(period,), name="orbitshare-audit", daemon=True)
            self._thread.start()

    def _run(self, period: float) -> None:
        """The thread's loop; a failed step is logged and retried on the next one (shutdown flushes too)."""
        since_head = 0.0
        while not self._stop.wait(period):
            since_head += period
            try:
                self.write_summary(self.refusals.take_if_due())
                if since_head >= self.settings.witness_interval_s:
                    since_head = 0.0
                    self.witness_head()
            except Exception:  # a database or disk hiccup must not end witnessing for the process's life
                log.exception("audit keeper step failed; retrying at the next interval")

    def cosign_partner_head(self, who: Principal, head: dict[str, Any]) -> dict[str, Any]:
        """Verify a partner hub's head against its key and what was witnessed before, co-sign and keep it."""
        with self._lock:
            previous = self.witness.newest("cosigned", who.partner)
            verify_partner_head(who.partner, head, self.partner_keys.get(who.partner), previous)
            record = cosign(who.partner, head, self.hub.ctx.keys.audit_key, iso(datetime.now(UTC)))
            self.witness.append(record)
        return record

    def stop(self) -> None:
        """Stop the thread, write the pending summary and witness the final head."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None
        self.write_summary(self.refusals.take())
        self.witness_head()
