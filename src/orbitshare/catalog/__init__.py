"""orbitshare.catalog."""
