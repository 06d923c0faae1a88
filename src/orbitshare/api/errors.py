"""The HTTP status of each service refusal: the one table that maps the service's errors to the web."""

from __future__ import annotations

from orbitshare.service.common import Conflict, Forbidden, HubError, Invalid, NotFound, Unauthorized

__all__ = ["STATUS", "status_of"]

STATUS: dict[type[HubError], int] = {
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    Invalid: 422,
}


def status_of(exc: HubError) -> int:
    """The HTTP status of a refusal (its nearest class in the table; 400 for an unlisted one)."""
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400
