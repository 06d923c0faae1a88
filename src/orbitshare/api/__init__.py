"""orbitshare.api."""
