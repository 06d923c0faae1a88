"""Routes of the health check and the web page (its Content-Security-Policy is set by SecurityHeaders)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

import orbitshare
from orbitshare.api.schemas import Health

__all__ = ["WEB", "router"]

WEB = Path(str(resources.files("orbitshare.web"))) / "static"
router = APIRouter()


@router.get("/health", response_model=Health, tags=["meta"])
def health() -> dict[str, str]:
    """Liveness (no authentication)."""
    return {"status": "ok", "version": orbitshare.__version__}


@router.get("/", include_in_schema=False)
def index() -> FileResponse:
    """The web page (its Content-Security-Policy is set by SecurityHeaders)."""
    return FileResponse(WEB / "index.html")


@router.get("/web/{name}", include_in_schema=False)
def static(name: str) -> FileResponse:
    """Static assets of the web page."""
    files = {p.name: p for p in WEB.iterdir() if p.is_file()}
    if name not in files:
        raise HTTPException(404, f"no file {name}")
    return FileResponse(files[name])
