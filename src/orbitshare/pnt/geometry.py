"""Satellite visibility and dilution of precision (DOP) for many sites x satellites x times (local ENU).

For a site and time, each satellite above the elevation mask gives one row of the geometry matrix
``G = [-e, -n, -u, s_1, ..., s_m]``: the east/north/up components of the unit line of sight (site to
satellite, WGS-84 local frame) and a one for the receiver clock of its system (one clock column per system:
GPS time, Galileo time; with both systems this is the receiver clock plus the GPS-Galileo inter-system bias,
five unknowns). ``Q = (G^T G)^-1``; GDOP = sqrt(PDOP^2 + TDOP^2), PDOP = sqrt(Q_ee + Q_nn + Q_uu),
HDOP = sqrt(Q_ee + Q_nn), VDOP = sqrt(Q_uu), TDOP = sqrt(Q_tt) of the clock of the first system in view
(GPS, then Galileo). A system with no satellite in view drops out (its clock is not estimated); a solution
needs at least 3 + (systems in view) satellites, else every DOP is NaN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orbitshare.astro.frames import site_look_angles

__all__ = ["DOP_NAMES", "DopGrid", "SiteGeometry", "dop", "site_geometry"]

DOP_NAMES = ("gdop", "pdop", "hdop", "vdop", "tdop")


@dataclass
class SiteGeometry:
    """Unit lines of sight in local ENU (east, north, up) and elevation (deg), each of shape (sites, sats, times)."""

    east: np.ndarray
    north: np.ndarray
    up: np.ndarray
    el_deg: np.ndarray


@dataclass
class DopGrid:
    """DOP values (sites, times), NaN where no solution; satellites in view in total and per system."""

    gdop: np.ndarray
    pdop: np.ndarray
    hdop: np.ndarray
    vdop: np.ndarray
    tdop: np.ndarray
    visible: np.ndarray
    visible_by_system: np.ndarray  # (systems, sites, times)

    def get(self, name: str) -> np.ndarray:
        """One of the DOP arrays by name (gdop, pdop, hdop, vdop, tdop)."""
        if name not in DOP_NAMES:
            raise KeyError(name)
        return getattr(self, name)


def site_geometry(r_itrs_km: np.ndarray, lat_deg, lon_deg, h_km=0.0, chunk: int = 64) -> SiteGeometry:
    """ENU unit lines of sight and elevations from sites (WGS-84 deg, km) to ITRS positions (sats, times, 3) km."""
    lat = np.atleast_1d(np.asarray(lat_deg, dtype=np.float64))
    lon = np.atleast_1d(np.asarray(lon_deg, dtype=np.float64))
    h = np.broadcast_to(np.asarray(h_km, dtype=np.float64), lat.shape)
    r = np.asarray(r_itrs_km, dtype=np.float64)
    shape = (lat.shape[0], *r.shape[:-1])
    east, north, up, el = (np.empty(shape) for _ in range(4))
    for lo in range(0, lat.shape[0], chunk):
        hi = min(lo + chunk, lat.shape[0])
        az, el_c, _ = site_look_angles(r, lat[lo:hi], lon[lo:hi], h[lo:hi])
        a, e = np.radians(az), np.radians(el_c)
        ce = np.cos(e)
        east[lo:hi], north[lo:hi], up[lo:hi], el[lo:hi] = ce * np.sin(a), ce * np.cos(a), np.sin(e), el_c
    return SiteGeometry(east, north, up, el)


def dop(geom: SiteGeometry, system_index: np.ndarray, n_systems: int, mask_deg: float = 10.0,
        sat_ok: np.ndarray | None = None, system_ok: np.ndarray | None = None, chunk: int = 64) -> DopGrid:
    """DOP over sites x times of the satellites above mask_deg (deg).

    system_index (sats,) gives each satellite's system (0..n_systems-1, clock column). sat_ok (sats,) or
    (sats, times) leaves satellites out (outages); system_ok (sites, n_systems) leaves a system out at a site
    (receiver lost lock, e.g. under jamming).
    """
    sys_idx = np.asarray(system_index, dtype=np.int64)
    n_sites, n_sats, n_times = geom.el_deg.shape
    if sys_idx.shape != (n_sats,):
        raise ValueError(f"system_index must have shape ({n_sats},), got {sys_idx.shape}")
    onehot = np.zeros((n_systems, n_sats))
    onehot[sys_idx, np.arange(n_sats)] = 1.0
    out = {k: np.full((n_sites, n_times), np.nan) for k in DOP_NAMES}
    visible = np.zeros((n_sites, n_times), dtype=np.int64)
    by_sys = np.zeros((n_systems, n_sites, n_times), dtype=np.int64)
    p = 3 + n_systems
    for lo in range(0, n_sites, chunk):
        hi = min(lo + chunk, n_sites)
        m = geom.el_deg[lo:hi] >= mask_deg                                         # (s, N, T)
        if sat_ok is not None:
            ok = np.asarray(sat_ok, dtype=bool)
            m &= ok[None, :, None] if ok.ndim == 1 else ok[None, :, :]
        if system_ok is not None:
            m &= np.asarray(system_ok, dtype=bool)[lo:hi][:, sys_idx][:, :, None]
        w = m.astype(np.float64)
        cols = [-geom.east[lo:hi], -geom.north[lo:hi], -geom.up[lo:hi]]
        cols += [np.broadcast_to(onehot[j][None, :, None], w.shape) for j in range(n_systems)]
        normal = np.empty((hi - lo, n_times, p, p))
        for a in range(p):
            wa = w * cols[a]
            for b in range(a, p):
                normal[:, :, a, b] = normal[:, :, b, a] = np.einsum("snt,snt->st", wa, cols[b])
        n_sys_vis = np.einsum("jn,snt->jst", onehot, w).astype(np.int64)            # (J, s, T)
        present = n_sys_vis > 0
        nvis = n_sys_vis.sum(axis=0)
        solvable = nvis >= 3 + present.sum(axis=0)
        for j in range(n_systems):  # a system out of view: its clock is not estimated (decoupled unit diagonal)
            absent = ~present[j]
            normal[:, :, 3 + j, 3 + j][absent] = 1.0
        normal[~solvable] = np.eye(p)
        q = _inverse(normal)
        diag = np.diagonal(q, axis1=-2, axis2=-1)
        first = np.argmax(present, axis=0)                                          # first system in view
        tvar = np.take_along_axis(diag[..., 3:], first[..., None], axis=-1)[..., 0]
        hvar, vvar = diag[..., 0] + diag[..., 1], diag[..., 2]
        with np.errstate(invalid="ignore"):
            vals = {"hdop": np.sqrt(hvar), "vdop": np.sqrt(vvar), "pdop": np.sqrt(hvar + vvar),
                    "tdop": np.sqrt(tvar), "gdop": np.sqrt(hvar + vvar + tvar)}
        for k, v in vals.items():
            v = np.where(solvable & np.isfinite(v), v, np.nan)
            out[k][lo:hi] = v
        visible[lo:hi] = nvis
        by_sys[:, lo:hi] = n_sys_vis
    return DopGrid(out["gdop"], out["pdop"], out["hdop"], out["vdop"], out["tdop"], visible, by_sys)


def _inverse(a: np.ndarray) -> np.ndarray:
    """Batched inverse of symmetric matrices (..., p, p); singular ones (degenerate geometry) give NaN."""
    try:
        return np.linalg.inv(a)
    except np.linalg.LinAlgError:
        flat = a.reshape(-1, a.shape[-2], a.shape[-1])
        res = np.full(flat.shape, np.nan)
        for i, m in enumerate(flat):
            try:
                res[i] = np.linalg.inv(m)
            except np.linalg.LinAlgError:
                pass
        return res.reshape(a.shape)
