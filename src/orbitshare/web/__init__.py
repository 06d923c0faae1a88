"""orbitshare.web."""

__all__: list[str] = []
