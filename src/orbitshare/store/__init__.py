"""orbitshare.store."""
