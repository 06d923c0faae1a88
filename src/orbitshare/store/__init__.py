"""orbitshare.store."""

__all__ = ["auditlog", "db", "keys", "models", "witness"]
