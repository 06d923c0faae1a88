"""orbitshare.sharing."""

__all__ = ["audit", "consent", "labels"]
