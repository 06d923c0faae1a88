"""Routes of the health check, the web page with its assets, and the API docs served from bundled assets.

The page's Content-Security-Policy is set by SecurityHeaders; nothing is loaded from outside the hub.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

import orbitshare
from orbitshare.api.schemas import Health

__all__ = ["WEB", "router"]

WEB = Path(str(resources.files("orbitshare.web"))) / "static"
MEDIA = {".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css", ".json": "application/json",
         ".svg": "image/svg+xml", ".html": "text/html", ".png": "image/png"}
#: The API docs may run their bundled scripts and inline styles but reach nothing outside the hub (ReDoc's
#: footer logo, Swagger UI's online validator badge).
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' blob:; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data: blob:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
router = APIRouter()


@router.get("/health", response_model=Health, tags=["meta"])
def health() -> dict[str, str]:
    """Liveness (no authentication)."""
    return {"status": "ok", "version": orbitshare.__version__}


@router.get("/", include_in_schema=False)
def index() -> FileResponse:
    """The web page (its Content-Security-Policy is set by SecurityHeaders)."""
    return FileResponse(WEB / "index.html", media_type="text/html")


@router.get("/web/{path:path}", include_in_schema=False)
def static(path: str) -> FileResponse:
    """Static assets of the web page (files under the package's web/static, no directory listing)."""
    root = WEB.resolve()
    target = (root / path).resolve()
    if not path or not target.is_relative_to(root) or not target.is_file():
        raise HTTPException(404, f"no file {path}")
    return FileResponse(target, media_type=MEDIA.get(target.suffix, "application/octet-stream"))


@router.get("/docs", include_in_schema=False)
def swagger_ui() -> HTMLResponse:
    """Swagger UI over /openapi.json, from the bundled swagger-ui-dist."""
    page = get_swagger_ui_html(openapi_url="/openapi.json", title="orbitshare API",
                               swagger_js_url="/web/vendor/swagger-ui-bundle.js",
                               swagger_css_url="/web/vendor/swagger-ui.css", swagger_favicon_url="/web/favicon.svg",
                               swagger_ui_parameters={"validatorUrl": None})
    page.headers["Content-Security-Policy"] = DOCS_CSP
    return page


@router.get("/redoc", include_in_schema=False)
def redoc() -> HTMLResponse:
    """ReDoc over /openapi.json, from the bundled redoc standalone build."""
    page = get_redoc_html(openapi_url="/openapi.json", title="orbitshare API",
                          redoc_js_url="/web/vendor/redoc.standalone.js", redoc_favicon_url="/web/favicon.svg",
                          with_google_fonts=False)
    page.headers["Content-Security-Policy"] = DOCS_CSP
    return page
