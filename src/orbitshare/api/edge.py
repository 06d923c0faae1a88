"""The HTTP edge of the hub: request checks before routing, security headers on every response."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from orbitshare.api.witnessing import AuditKeeper

__all__ = ["CleanRequest", "SecurityHeaders", "allowed_methods", "known_query_only"]

MAX_URL_CHARS = 8192
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
API_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox"  # nothing the API returns may run as a page
DOCS = ("/docs", "/redoc", "/openapi.json")


class SecurityHeaders:
    """ASGI middleware: `nosniff` on every response; the page's CSP on the web page, a sandbox CSP elsewhere."""

    def __init__(self, app: Any) -> None:
        """Wrap `app`."""
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        """Add the headers to the response start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        csp = PAGE_CSP if path == "/" or path.startswith("/web/") else None if path.startswith(DOCS) else API_CSP

        async def with_headers(message: dict) -> None:
            """Append the security headers."""
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-content-type-options"]
                headers.append((b"x-content-type-options", b"nosniff"))
                if csp:
                    headers.append((b"content-security-policy", csp.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


class CleanRequest:
    """ASGI middleware: refuse control characters (NUL included) in the path or query (422) and huge URLs (414).

    The refusal is counted with the unauthenticated refusals (one audit summary per interval).
    """

    def __init__(self, app: Any, keeper: AuditKeeper) -> None:
        """Wrap `app`; refusals are counted by `keeper`."""
        self.app, self.keeper = app, keeper

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        """Check the decoded path and query string before routing."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        query = unquote(scope.get("query_string", b"").decode("latin-1"))
        if len(path) + len(query) > MAX_URL_CHARS:
            status, detail = 414, f"URL longer than {MAX_URL_CHARS} characters"
        elif any(c < " " or c == "\x7f" for c in path + query):
            status, detail = 422, "invalid request: the path or query contains a control character"
        else:
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        self.keeper.write_summary(
            self.keeper.refusals.add(client[0] if client else None, detail, scope.get("method", ""), path)
        )
        await JSONResponse({"detail": detail}, status)(scope, receive, send)


def known_query_only(request: Request) -> None:
    """Refuse query parameters the route does not declare (422), as unknown JSON fields are refused."""
    route = request.scope.get("route")
    if route is None or not request.query_params or not hasattr(route, "dependant"):
        return
    known = _QUERY_NAMES.get(id(route))
    if known is None:
        known = _QUERY_NAMES[id(route)] = frozenset(_query_names(route.dependant))
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        errors = [{"loc": ("query", n), "msg": "unknown query parameter", "type": "extra_forbidden"} for n in unknown]
        raise RequestValidationError(errors)


_QUERY_NAMES: dict[int, frozenset[str]] = {}  # by id of the route (routes live as long as the app)


def _query_names(dependant: Any) -> set[str]:
    """Names of the query parameters of a route's dependant and its sub-dependencies."""
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def allowed_methods(request: Request) -> list[str]:
    """The methods routes accept at the request's path, for the Allow header of a 405.

    A static route (`/products/upload`) takes precedence over a templated one (`/products/{product_id}`), as
    the schema documents it.
    """
    path, static, templated = request.url.path, set(), set()
    pending = list(request.app.router.routes)
    while pending:
        route = pending.pop()
        inner = getattr(route, "original_router", None)  # an included router (no prefixes are used here)
        if inner is not None:
            pending.extend(inner.routes)
        elif getattr(route, "methods", None) and route.path_regex.match(path):
            (templated if route.param_convertors else static).update(route.methods)
    return sorted(static or templated)
