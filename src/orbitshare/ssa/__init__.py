"""orbitshare.ssa."""
