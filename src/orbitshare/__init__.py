"""orbitshare: allied space domain awareness, EO virtual constellation and SATCOM resilience, shared under rules."""

__all__ = ["__version__"]

__version__ = "0.1.0"
