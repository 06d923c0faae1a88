"""Conjunction assessment: screening and its numba kernels, Pc (2-D, 3-D, Monte Carlo, usage), hard-body radii,
element age, co-located pairs, TLE covariance, CDMs of a screening and the Dask runner."""

__all__ = [
    "colocated",
    "distributed",
    "element_age",
    "hbr",
    "kernels",
    "narrow_kernels",
    "pc",
    "pc3d",
    "pc_montecarlo",
    "pc_usage",
    "primary_kernels",
    "ranges",
    "runners",
    "screening",
    "screening_cdm",
    "tle_covariance",
]
