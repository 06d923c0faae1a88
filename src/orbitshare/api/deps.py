"""FastAPI dependencies of the hub's routes: the hub, the authenticated principal, the purpose, jobs, settings."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header, Request

from orbitshare.api.auth import authenticate, bearer
from orbitshare.api.jobs import JobRegistry
from orbitshare.api.witnessing import AuditKeeper
from orbitshare.catalog.satcat import OwnerTable
from orbitshare.service import Hub, Principal
from orbitshare.settings import Settings

__all__ = ["HubDep", "Jobs", "Keeper", "Owners", "PurposeHeader", "SettingsDep", "Who", "hub_of", "jobs_of",
           "keeper_of", "owners_of", "principal", "purpose_of", "settings_of"]


def hub_of(request: Request) -> Hub:
    """The app's hub."""
    return request.app.state.hub


def principal(request: Request, _cred: Any = Depends(bearer)) -> Principal:
    """Dependency: the authenticated principal (refusals audited)."""
    who = authenticate(request, hub_of(request), request.app.state.jwt)
    request.state.principal = who
    return who


def keeper_of(request: Request) -> AuditKeeper:
    """The app's audit keeper (witnessed heads, refusal summaries)."""
    return request.app.state.audit_keeper


def jobs_of(request: Request) -> JobRegistry:
    """The jobs registered with the app."""
    return request.app.state.jobs


def settings_of(request: Request) -> Settings:
    """The settings the app was built with."""
    return request.app.state.settings


def owners_of(request: Request) -> OwnerTable | None:
    """Owner codes of catalogued objects (ORBITSHARE_SATCAT), None when no SATCAT is configured."""
    return request.app.state.owners


def purpose_of(who: Principal, purpose: str | None) -> str:
    """The declared purpose or the user's default."""
    return purpose.strip() if purpose and purpose.strip() else who.purpose


Who = Annotated[Principal, Depends(principal)]
HubDep = Annotated[Hub, Depends(hub_of)]
Keeper = Annotated[AuditKeeper, Depends(keeper_of)]
Jobs = Annotated[JobRegistry, Depends(jobs_of)]
SettingsDep = Annotated[Settings, Depends(settings_of)]
Owners = Annotated[OwnerTable | None, Depends(owners_of)]
PurposeHeader = Annotated[
    str | None,
    Header(alias="X-Purpose", max_length=100, description="Purpose of this access (default: the user's)"),
]
