"""orbitshare.astro."""

__all__ = ["access", "eop", "frames", "propagation", "secular", "sgp4_numba", "time", "twobody"]
