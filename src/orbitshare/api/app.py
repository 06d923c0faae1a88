"""FastAPI application factory of the sharing hub."""

from __future__ import annotations

import csv
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, StatementError
from starlette.exceptions import HTTPException as StarletteHTTPException

import orbitshare
from orbitshare.api.auth import JwtSettings
from orbitshare.api.capabilities import capability_jobs
from orbitshare.api.edge import CleanRequest, SecurityHeaders, allowed_methods, known_query_only
from orbitshare.api.errors import status_of
from orbitshare.api.jobs import JobRegistry
from orbitshare.api.routes import audit as audit_routes
from orbitshare.api.routes import consent as consent_routes
from orbitshare.api.routes import jobs as job_routes
from orbitshare.api.routes import pages as page_routes
from orbitshare.api.routes import parties as party_routes
from orbitshare.api.routes import picture as picture_routes
from orbitshare.api.routes import products as product_routes
from orbitshare.api.routes import stac as stac_routes
from orbitshare.api.routes import tasking as tasking_routes
from orbitshare.api.witnessing import AuditKeeper, AuditSettings, audit_settings
from orbitshare.catalog.satcat import OwnerTable, owner_table
from orbitshare.service import Hub, HubConfig, HubError
from orbitshare.settings import Settings, SettingsError, env_name, load_settings
from orbitshare.store.db import migrate

__all__ = ["BodyLimit", "create_app"]

DATA_ERROR = "invalid data: a value is too long or holds a character the database does not store"
log = logging.getLogger(__name__)


class BodyLimit:
    """ASGI middleware: refuse request bodies larger than `max_bytes` with 413, streamed or not."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        """Wrap `app`."""
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        """Check Content-Length up front and count streamed bytes."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await JSONResponse({"detail": f"request body larger than {self.max_bytes} bytes"}, 413)(
                scope, receive, send
            )
            return
        seen = 0

        async def limited() -> dict:
            """Receive, refusing once the limit is passed."""
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise HTTPException(413, f"request body larger than {self.max_bytes} bytes")
            return message

        await self.app(scope, limited, send)


def create_app(
    config: HubConfig | None = None,
    hub: Hub | None = None,
    jwt: JwtSettings | None = None,
    run_migrations: bool = True,
    audit: AuditSettings | None = None,
    job_registry: JobRegistry | None = None,
    settings: Settings | None = None,
) -> FastAPI:
    """Build the app over `hub` (or a new hub for `config`, migrating its database first).

    `audit` says where tree heads are witnessed (default: from `settings`, files under the hub's home);
    `job_registry` holds the jobs offered at POST /jobs/{name} (default: the capabilities' jobs);
    `settings` default to the environment's.
    """
    settings = settings or load_settings()
    if hub is None:
        if config is None:
            raise ValueError("give a HubConfig or a Hub")
        if run_migrations:
            migrate(config.db_url)
        hub = Hub(config)
        hub.warm()
    keeper = AuditKeeper(hub, audit or audit_settings(settings, hub.config.home))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        """Witness heads and flush refusal summaries while serving; once more on shutdown."""
        keeper.start()
        try:
            yield
        finally:
            keeper.stop()

    app = FastAPI(
        title="orbitshare sharing hub",
        version=orbitshare.__version__,
        description="Labelled space-domain products shared under the originator's consent.",
        lifespan=lifespan,
        docs_url=None,  # /docs and /redoc are served from bundled assets (routes.pages)
        redoc_url=None,
        dependencies=[Depends(known_query_only)],
    )
    app.state.hub, app.state.jwt, app.state.audit_keeper = hub, jwt, keeper
    app.state.jobs = job_registry if job_registry is not None else JobRegistry(capability_jobs())
    app.state.settings = settings
    app.state.owners = _owner_table(settings)
    app.include_router(party_routes.router)
    app.include_router(product_routes.router)
    app.include_router(stac_routes.router)
    app.include_router(consent_routes.router)
    app.include_router(tasking_routes.router)
    app.include_router(audit_routes.router)
    app.include_router(job_routes.router)
    app.include_router(picture_routes.router)
    app.include_router(page_routes.router)
    _add_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=hub.config.max_upload_bytes)
    app.add_middleware(CleanRequest, keeper=keeper)
    app.add_middleware(SecurityHeaders)
    return app


def _owner_table(settings: Settings) -> OwnerTable | None:
    """Owner codes from the configured SATCAT (None when unset); SettingsError naming the variable if unreadable."""
    if settings.satcat is None:
        return None
    try:
        return owner_table(settings.satcat)
    except (OSError, EOFError, UnicodeError, ValueError, csv.Error) as e:
        raise SettingsError(f"{env_name('satcat')}: {e}") from None


def _audit_failure(request: Request, event: str, status: int, reason: str) -> None:
    """Record a refused or failed request: an entry for an authenticated caller, a counted refusal otherwise."""
    who = getattr(request.state, "principal", None)
    keeper: AuditKeeper = request.app.state.audit_keeper
    if who is not None:
        try:
            keeper.hub.audit.record(event, who, status=status, reason=reason, method=request.method,
                                    path=request.url.path)
            return
        except Exception:  # the record must not be lost: count it (the summary names the reason)
            log.exception("audit write failed; counting the refusal instead")
    client = request.client.host if request.client else None
    keeper.write_summary(keeper.refusals.add(client, f"{event}: {reason}", request.method, request.url.path))


def _add_handlers(app: FastAPI) -> None:
    """Map hub errors, validation errors and HTTP errors to JSON with a clear `detail`."""

    @app.exception_handler(HubError)
    def hub_error(request: Request, exc: HubError) -> JSONResponse:
        """Refusals (audited) and invalid input."""
        status = status_of(exc)
        if status == 403 and not exc.audited:
            who = getattr(request.state, "principal", None)
            hub: Hub = request.app.state.hub
            path = request.url.path
            hub.audit.record("refuse", who, status=403, reason=exc.message, method=request.method, path=path)
        elif status == 422 and not exc.audited:
            _audit_failure(request, "request.invalid", 422, exc.message)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse({"detail": exc.message}, status, headers=headers)

    @app.exception_handler(IntegrityError)
    def conflict(_: Request, exc: IntegrityError) -> JSONResponse:
        """A write raced another one on a unique value."""
        return JSONResponse({"detail": "conflicting data: a unique value is already taken"}, 409)

    @app.exception_handler(StatementError)
    def data_error(request: Request, exc: StatementError) -> JSONResponse:
        """Values the database refuses (too long, NUL, out of range) are the caller's error: 422, audited."""
        if isinstance(exc, DBAPIError) and not isinstance(exc, DataError):
            log.error("database error: %s", exc)
            _audit_failure(request, "request.failed", 503, "database error")
            return JSONResponse({"detail": "the database is unavailable; try again"}, 503)
        _audit_failure(request, "request.invalid", 422, DATA_ERROR)
        return JSONResponse({"detail": DATA_ERROR}, 422)

    @app.exception_handler(RequestValidationError)
    def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        """Validation errors: 400 for malformed JSON, 422 otherwise, with field-level messages."""
        errors = [
            {
                "loc": [str(x) for x in e.get("loc", ())],
                "msg": str(e.get("msg", "")),
                "type": str(e.get("type", "")),
            }
            for e in exc.errors()
        ]
        if any(e["type"] == "json_invalid" for e in errors):
            _audit_failure(request, "request.invalid", 400, "malformed JSON body")
            return JSONResponse({"detail": "malformed JSON body", "errors": errors}, 400)
        summary = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors[:5])
        _audit_failure(request, "request.invalid", 422, summary)
        return JSONResponse({"detail": f"invalid request: {summary}", "errors": errors}, 422)

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        """Plain HTTP errors (404 route, 405 with its Allow header, 413) as JSON."""
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request))
        return JSONResponse({"detail": str(exc.detail)}, exc.status_code, headers=headers or None)
