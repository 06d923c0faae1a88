"""orbitshare.astro."""
