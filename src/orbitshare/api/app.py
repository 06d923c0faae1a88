"""FastAPI application factory of the sharing hub."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

import orbitshare
from orbitshare.api import capabilities  # noqa: F401  (registers the capability jobs)
from orbitshare.api.auth import JwtSettings
from orbitshare.api.errors import status_of
from orbitshare.api.routes import router
from orbitshare.api.schemas import Health
from orbitshare.service import Hub, HubConfig, HubError
from orbitshare.store.db import migrate

WEB = Path(str(resources.files("orbitshare.web"))) / "static"


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
) -> FastAPI:
    """Build the app over `hub` (or a new hub for `config`, migrating its database first)."""
    if hub is None:
        if config is None:
            raise ValueError("give a HubConfig or a Hub")
        if run_migrations:
            migrate(config.db_url)
        hub = Hub(config)
        hub.warm()
    app = FastAPI(
        title="orbitshare sharing hub",
        version=orbitshare.__version__,
        description="Labelled space-domain products shared under the originator's consent.",
    )
    app.state.hub, app.state.jwt = hub, jwt
    app.include_router(router)
    _add_handlers(app)
    _add_pages(app)
    app.add_middleware(BodyLimit, max_bytes=hub.config.max_upload_bytes)
    return app


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
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse({"detail": exc.message}, status, headers=headers)

    @app.exception_handler(IntegrityError)
    def conflict(_: Request, exc: IntegrityError) -> JSONResponse:
        """A write raced another one on a unique value."""
        return JSONResponse({"detail": "conflicting data: a unique value is already taken"}, 409)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
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
            return JSONResponse({"detail": "malformed JSON body", "errors": errors}, 400)
        summary = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors[:5])
        return JSONResponse({"detail": f"invalid request: {summary}", "errors": errors}, 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        """Plain HTTP errors (404 route, 405, 413) as JSON."""
        return JSONResponse({"detail": str(exc.detail)}, exc.status_code, headers=exc.headers)


def _add_pages(app: FastAPI) -> None:
    """The health check and the web page."""

    @app.get("/health", response_model=Health, tags=["meta"])
    def health() -> dict[str, str]:
        """Liveness (no authentication)."""
        return {"status": "ok", "version": orbitshare.__version__}

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        """The web page."""
        return FileResponse(WEB / "index.html")

    @app.get("/web/{name}", include_in_schema=False)
    def static(name: str) -> FileResponse:
        """Static assets of the web page."""
        files = {p.name: p for p in WEB.iterdir() if p.is_file()}
        if name not in files:
            raise HTTPException(404, f"no file {name}")
        return FileResponse(files[name])
