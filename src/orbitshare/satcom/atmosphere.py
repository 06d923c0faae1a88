"""Atmospheric attenuation on Earth-space paths (ITU-R P.618/P.676/P.840/P.837 via itur), vectorised over sites.

`attenuation_table` returns the gaseous, cloud, rain and scintillation attenuation and their P.618-13 sum
A_T = A_G + sqrt((A_R + A_C)^2 + A_S^2) (with A_G, A_C taken at max(p, 1 %)) for every site, elevation node and
exceedance probability p. Each term comes from itur; what this module adds is the batching that makes grids of
thousands of sites fast: the site climate (P.1511 height, P.1510 temperature, P.835 pressure, P.836 water vapour)
is looked up once per site, the P.676 Annex 2 slant-path gas attenuation is evaluated once per site at zenith
and scaled by 1/sin(el) (the Annex 2 slant-path formula for el >= 5 deg), and rain, cloud and scintillation
are called once per p on all (site, elevation) points. The result equals `itur.atmospheric_attenuation_slant_path`
(tests compare them) at elevations >= 5 deg.

Availability is found by inverting the attenuation over p: the p at which A_T(p) equals the clear-sky margin,
interpolated linearly in (log10 p, A_T) between table nodes.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["DEFAULT_P_GRID", "AttenuationTable", "SiteClimate", "attenuation_table", "exceedance_at_margin",
           "exceedance_at_zero", "interp_elevation", "site_climate"]

DEFAULT_P_GRID = np.array([0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0])


def _itur():
    """The itur package, imported on first use (it loads its maps lazily and takes seconds)."""
    import itur
    return itur


def _v(x) -> np.ndarray:
    """Plain float64 array of an astropy Quantity or array."""
    return np.asarray(getattr(x, "value", x), dtype=np.float64)


@dataclass(frozen=True)
class SiteClimate:
    """Per-site inputs of the ITU-R models: lat/lon (deg), height hs (km), mean temperature T (K), pressure (hPa)."""

    lat_deg: np.ndarray
    lon_deg: np.ndarray
    hs_km: np.ndarray
    t_k: np.ndarray
    p_hpa: np.ndarray


@dataclass(frozen=True)
class AttenuationTable:
    """Attenuation (dB) per site, elevation node and p: arrays of shape (sites, nodes, len(p_pct))."""

    el_deg: np.ndarray       # (sites, nodes)
    p_pct: np.ndarray        # (np,)
    gas_db: np.ndarray
    cloud_db: np.ndarray
    rain_db: np.ndarray
    scint_db: np.ndarray
    total_db: np.ndarray


def site_climate(lat_deg: npt.ArrayLike, lon_deg: npt.ArrayLike, h_km: npt.ArrayLike | None = None) -> SiteClimate:
    """ITU-R site climate of sites (deg); height from P.1511 when h_km is None (or NaN for a site)."""
    it = _itur()
    lat = np.atleast_1d(np.asarray(lat_deg, dtype=np.float64))
    lon = np.atleast_1d(np.asarray(lon_deg, dtype=np.float64))
    topo = _v(it.topographic_altitude(lat, lon)).reshape(lat.shape)
    if h_km is None:
        hs = topo
    else:
        hs = np.broadcast_to(np.asarray(h_km, dtype=np.float64), lat.shape).copy()
        hs = np.where(np.isfinite(hs), hs, topo)
    t_k = _v(it.surface_mean_temperature(lat, lon)).reshape(lat.shape)
    p_hpa = _v(it.standard_pressure(hs)).reshape(lat.shape)
    return SiteClimate(lat, lon, hs, t_k, p_hpa)


def _gas_zenith_serial(args: tuple) -> np.ndarray:
    """P.676 Annex 2 zenith gaseous attenuation (dB) of sites: (lat, lon, hs, t_k, p_hpa, f_ghz, p_cg) arrays."""
    lat, lon, hs, t_k, p_hpa, f_ghz, p_cg = args
    it = _itur()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        v_t = _v(it.total_water_vapour_content(lat, lon, p_cg, hs)).reshape(lat.shape)
        rho = _v(it.surface_water_vapour_density(lat, lon, p_cg, hs)).reshape(lat.shape)
        return _v(it.gaseous_attenuation_slant_path(f_ghz, 90.0, rho, p_hpa, t_k, v_t, hs)).reshape(lat.shape)


#: Sites per worker below which the per-site P.676 loop runs in this process.
_GAS_SITES_PER_WORKER = 150


def _gas_zenith_db(clim: SiteClimate, f_ghz: float, p_cg: float, workers: int | None = 1) -> np.ndarray:
    """P.676 Annex 2 zenith gaseous attenuation (dB) per site with P.836 vapour at p_cg (%).

    itur evaluates this term one site at a time in Python; with workers > 1 (None: one per CPU) large site sets
    are split over forked worker processes (the itur maps already loaded are shared), falling back to this
    process where fork is unavailable. Servers keep the default of 1: forking a threaded process is unsafe.
    """
    import os

    n = clim.lat_deg.size
    workers = min(workers or os.cpu_count() or 1, n // _GAS_SITES_PER_WORKER)
    parts = [(clim.lat_deg[sl], clim.lon_deg[sl], clim.hs_km[sl], clim.t_k[sl], clim.p_hpa[sl], f_ghz, p_cg)
             for sl in (slice(i, i + -(-n // max(workers, 1))) for i in range(0, n, -(-n // max(workers, 1))))]
    if workers >= 2:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        try:
            ctx = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
                return np.concatenate(list(pool.map(_gas_zenith_serial, parts)))
        except (ValueError, OSError, RuntimeError):
            pass
    return np.concatenate([_gas_zenith_serial(a) for a in parts])


def attenuation_table(clim: SiteClimate, f_ghz: float, el_deg: npt.ArrayLike, p_pct: npt.ArrayLike = DEFAULT_P_GRID,
                      diameter_m: float = 1.0, efficiency: float = 0.5, tau_deg: float = 45.0,
                      r001_mmh: npt.ArrayLike | None = None, workers: int | None = 1) -> AttenuationTable:
    """Gas, cloud, rain, scintillation and total attenuation (dB) at every site, elevation node (deg) and p (%).

    el_deg is (nodes,) shared by all sites or (sites, nodes); elevations must be >= 5 deg (ITU-R P.618 range).
    r001_mmh (sites,) replaces the P.837 map's rain rate exceeded 0.01 % of the year with local measurements.
    workers > 1 (None: one per CPU) splits the per-site P.676 gas loop over forked processes.
    """
    it = _itur()
    s = clim.lat_deg.size
    el = np.asarray(el_deg, dtype=np.float64)
    el = np.broadcast_to(el, (s, el.size)) if el.ndim == 1 else el
    if el.shape[0] != s:
        raise ValueError(f"elevation nodes have {el.shape[0]} rows for {s} sites")
    ps = np.atleast_1d(np.asarray(p_pct, dtype=np.float64))
    n = el.shape[1]
    lat = np.repeat(clim.lat_deg, n)
    lon = np.repeat(clim.lon_deg, n)
    hs = np.repeat(clim.hs_km, n)
    t_k = np.repeat(clim.t_k, n)
    p_hpa = np.repeat(clim.p_hpa, n)
    elf = el.ravel()
    r001 = None if r001_mmh is None else np.repeat(np.broadcast_to(np.asarray(r001_mmh, dtype=np.float64), (s,)), n)
    inv_sin = 1.0 / np.sin(np.radians(elf))
    shape = (s, n, ps.size)
    gas, cloud, rain, scint = (np.empty(shape) for _ in range(4))
    zen: dict[float, np.ndarray] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for k, p in enumerate(ps):
            p_cg = max(1.0, float(p))
            if p_cg not in zen:
                zen[p_cg] = np.repeat(_gas_zenith_db(clim, f_ghz, p_cg, workers), n)
            gas[:, :, k] = (zen[p_cg] * inv_sin).reshape(s, n)
            cloud[:, :, k] = _v(it.cloud_attenuation(lat, lon, elf, f_ghz, p_cg)).reshape(s, n)
            rain[:, :, k] = _v(it.rain_attenuation(lat, lon, f_ghz, elf, hs, float(p), r001, tau_deg)).reshape(s, n)
            scint[:, :, k] = _v(it.scintillation_attenuation(lat, lon, f_ghz, elf, float(p), diameter_m, efficiency,
                                                             t_k, None, p_hpa)).reshape(s, n)
    total = gas + np.sqrt((rain + cloud) ** 2 + scint ** 2)
    return AttenuationTable(el, ps, gas, cloud, rain, scint, total)


def interp_elevation(values: np.ndarray, nodes_deg: np.ndarray, el_deg: np.ndarray) -> np.ndarray:
    """Values (sites, nodes, ...) at elevations el_deg (sites, times), linear between uniform nodes (deg).

    With one node per site (a geostationary satellite) the node value is returned for every time. Elevations
    outside the nodes take the end values.
    """
    s, n = values.shape[:2]
    if n == 1:
        return np.broadcast_to(values[:, :1], (s, el_deg.shape[1], *values.shape[2:])).copy()
    e0, de = nodes_deg[0], nodes_deg[1] - nodes_deg[0]
    x = np.clip((np.asarray(el_deg, dtype=np.float64) - e0) / de, 0.0, n - 1.0)
    i0 = np.minimum(np.floor(x).astype(np.int64), n - 2)
    w = x - i0
    rows = np.arange(s)[:, None]
    v0 = values[rows, i0]
    v1 = values[rows, i0 + 1]
    if values.ndim > 2:
        w = w.reshape(*w.shape, *([1] * (values.ndim - 2)))
    return v0 * (1.0 - w) + v1 * w


def exceedance_at_zero(deficit_db: np.ndarray, p_pct: np.ndarray) -> np.ndarray:
    """Percentage of time p (%) at which deficit_db(..., p) (dB short of the threshold) crosses zero.

    The deficit falls with p along the last axis (a deeper fade is rarer). Interpolation is linear in
    (log10 p, dB). No deficit at the smallest p gives that p (availability at least 100 - p_min); a deficit at
    the largest p gives 100 (the link is never closed at that time).
    """
    a = np.asarray(deficit_db, dtype=np.float64)
    logp = np.log10(np.asarray(p_pct, dtype=np.float64))
    above = (a > 0.0).sum(axis=-1)
    k = np.clip(above, 1, a.shape[-1] - 1)
    a_lo = np.take_along_axis(a, (k - 1)[..., None], axis=-1)[..., 0]
    a_hi = np.take_along_axis(a, k[..., None], axis=-1)[..., 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(a_lo != a_hi, a_lo / (a_lo - a_hi), 0.0)
    p = 10.0 ** (logp[k - 1] + np.clip(w, 0.0, 1.0) * (logp[k] - logp[k - 1]))
    p = np.where(above == 0, p_pct[0], p)
    return np.where(above == a.shape[-1], 100.0, p)


def exceedance_at_margin(total_db: np.ndarray, p_pct: np.ndarray, margin_db: np.ndarray) -> np.ndarray:
    """Percentage of time p (%) at which attenuation total_db(..., p) equals a clear-sky margin_db (...)."""
    return exceedance_at_zero(np.asarray(total_db) - np.asarray(margin_db, dtype=np.float64)[..., None], p_pct)
