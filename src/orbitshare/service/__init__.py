"""The sharing hub's services: parties and tokens, products, consent and audit (api -> service -> store, sharing)."""

from orbitshare.service.common import (
    Conflict,
    Forbidden,
    HubConfig,
    HubError,
    Invalid,
    NotFound,
    Principal,
    Unauthorized,
)
from orbitshare.service.hub import Hub

__all__ = ["Conflict", "Forbidden", "Hub", "HubConfig", "HubError", "Invalid", "NotFound", "Principal", "Unauthorized"]
