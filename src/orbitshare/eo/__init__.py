"""orbitshare.eo."""
