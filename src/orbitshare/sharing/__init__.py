"""orbitshare.sharing."""
