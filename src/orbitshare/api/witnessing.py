"""Witnessed tree heads over HTTP (GET /audit/heads, POST /audit/witness) and the keeper that writes them."""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from orbitshare.api import schemas as S
from orbitshare.api.refusals import SUMMARY_EVENT, RefusalCounter
from orbitshare.api.routes import ERRORS, principal
from orbitshare.service import Conflict, Forbidden, Hub, Invalid, Principal
from orbitshare.sharing.consent import iso
from orbitshare.store.witness import PartnerKeys, WitnessError, WitnessFile, cosign, own_head, verify_partner_head

__all__ = ["AuditKeeper", "AuditSettings", "audit_settings_from_env", "router"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AuditSettings:
    """Where witnessed heads and partner hub keys live, and how often heads and refusal summaries are written."""

    witness_file: Path
    partner_keys_file: Path
    witness_interval_s: float = 300.0
    refusal_interval_s: float = 60.0


def audit_settings_from_env(home: Path, env: dict[str, str] | None = None) -> AuditSettings:
    """ORBITSHARE_WITNESS_FILE, _WITNESS_PARTNERS, _WITNESS_INTERVAL_S, _AUTH_SUMMARY_S (defaults under `home`)."""
    env = os.environ if env is None else env
    return AuditSettings(
        witness_file=Path(env.get("ORBITSHARE_WITNESS_FILE") or home / "audit-heads.jsonl").expanduser(),
        partner_keys_file=Path(env.get("ORBITSHARE_WITNESS_PARTNERS") or home / "witness-partners.json").expanduser(),
        witness_interval_s=_positive(env, "ORBITSHARE_WITNESS_INTERVAL_S", 300.0),
        refusal_interval_s=_positive(env, "ORBITSHARE_AUTH_SUMMARY_S", 60.0),
    )


def _positive(env: dict[str, str], name: str, default: float) -> float:
    """A positive number of seconds from the environment; raises ValueError naming the variable."""
    text = env.get(name)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds, not {text!r}") from None
    if not value > 0:
        raise ValueError(f"{name} must be positive, not {text!r}")
    return value


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


def keeper_of(request: Request) -> AuditKeeper:
    """The app's audit keeper."""
    return request.app.state.audit_keeper


router = APIRouter(tags=["audit"], responses=ERRORS)
Who = Annotated[Principal, Depends(principal)]
Keeper = Annotated[AuditKeeper, Depends(keeper_of)]


@router.get("/audit/heads", response_model=list[S.WitnessedHead])
def witnessed_heads(
    who: Who,
    keeper: Keeper,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """Witnessed tree heads, oldest first (the newest `limit`): this hub's own and partners' co-signed ones."""
    return keeper.witness.records()[-limit:]


@router.post("/audit/witness", response_model=S.WitnessedHead, status_code=201)
def witness_partner_head(body: S.WitnessIn, who: Who, keeper: Keeper) -> dict[str, Any]:
    """A partner hub's focal point presents its hub's signed tree head; verified, co-signed and kept."""
    if who.role != "focal_point":
        raise Forbidden("only a partner's focal point may present its hub's tree head")
    try:
        record = keeper.cosign_partner_head(who, body.model_dump())
    except WitnessError as e:
        keeper.hub.audit.record("audit.witness.refuse", who, size=body.size, root=body.root, reason=str(e))
        raise (Conflict if e.conflict else Invalid)(str(e)) from None
    keeper.hub.audit.record("audit.witness", who, size=body.size, root=body.root)
    return record
