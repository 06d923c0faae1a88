"""orbitshare.api."""

__all__ = ["app", "auth", "capabilities", "demo", "deps", "edge", "errors", "jobs", "refusals", "routes", "schemas",
           "witnessing"]
