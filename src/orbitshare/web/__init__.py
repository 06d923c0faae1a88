"""orbitshare.web."""
