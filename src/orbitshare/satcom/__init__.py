"""orbitshare.satcom."""
