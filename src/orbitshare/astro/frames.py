"""Frame conversions: TEME -> ITRS (GMST 1982, as AIAA 2006-6753), TEME -> GCRF (IAU 2000A precession-nutation
via skyfield) and ITRS <-> WGS-84 geodetic, vectorised."""

from __future__ import annotations

import numpy as np
from skyfield.sgp4lib import theta_GMST1982

from orbitshare.astro.eop import check_ut1_coverage, load_timescale
from orbitshare.constants import DAY_S, JD_UNIX_EPOCH, WGS84_A_KM, WGS84_E2

__all__ = ["enu_matrix", "geodetic_to_itrs", "gmst82_rad", "itrs_to_geodetic", "look_angles", "rtn_basis",
           "rtn_components", "site_look_angles", "teme_to_gcrf", "teme_to_itrs", "timescale", "ut1_jd"]


def timescale():
    """Skyfield timescale: UT1 and leap seconds from an imported IERS file, else skyfield's bundled table."""
    return load_timescale()


def _utc_times(jd, fr):
    """Skyfield Time array for UTC two-part Julian dates."""
    jd, fr = np.asarray(jd, dtype=np.float64), np.asarray(fr, dtype=np.float64)
    days = np.floor(jd - JD_UNIX_EPOCH)
    seconds = ((jd - JD_UNIX_EPOCH - days) + fr) * DAY_S
    return timescale().utc(1970, 1, 1 + days, 0, 0, seconds)


def ut1_jd(jd, fr) -> tuple[np.ndarray, np.ndarray]:
    """UT1 as a two-part Julian date (whole, fraction) for UTC two-part Julian dates (skyfield's tables)."""
    check_ut1_coverage(jd, fr)
    t = _utc_times(jd, fr)
    return t.whole, t.ut1_fraction


def gmst82_rad(jd, fr) -> tuple[np.ndarray, np.ndarray]:
    """GMST 1982 angle (rad) and its rate (rad/s) at UTC two-part Julian dates."""
    whole, frac = ut1_jd(jd, fr)
    theta, theta_dot_per_day = theta_GMST1982(whole, frac)
    return np.asarray(theta), np.asarray(theta_dot_per_day) / DAY_S


def teme_to_itrs(r_km, v_kms, jd, fr) -> tuple[np.ndarray, np.ndarray]:
    """ITRS (Earth-fixed, no polar motion) r (km) and v (km/s) from TEME; arrays (..., m, 3) over m times."""
    theta, omega = gmst82_rad(jd, fr)
    c, s = np.cos(theta)[:, None], np.sin(theta)[:, None]
    r_km, v_kms = np.asarray(r_km), np.asarray(v_kms)
    x, y = r_km[..., 0], r_km[..., 1]
    xp, yp = c[:, 0] * x + s[:, 0] * y, -s[:, 0] * x + c[:, 0] * y
    r_out = np.stack([xp, yp, r_km[..., 2]], axis=-1)
    vx, vy = v_kms[..., 0], v_kms[..., 1]
    vxp = c[:, 0] * vx + s[:, 0] * vy + omega * yp
    vyp = -s[:, 0] * vx + c[:, 0] * vy - omega * xp
    v_out = np.stack([vxp, vyp, v_kms[..., 2]], axis=-1)
    return r_out, v_out


def teme_to_gcrf(r_km, v_kms, jd, fr) -> tuple[np.ndarray, np.ndarray]:
    """GCRF r (km) and v (km/s) from TEME; arrays (..., m, 3) over m UTC times (two-part JD).

    TEME is rotated by the equation of the equinoxes (GAST - GMST 1982) and skyfield's IAU 2000A
    precession-nutation-bias matrix, as skyfield's EarthSatellite does; the rotation's own rate (below
    1e-11 rad/s, under 0.1 mm/s in LEO) is neglected for the velocity. GCRF differs from J2000/EME2000 by the
    frame bias (about 23 mas, under 1 m at GEO)."""
    from skyfield.sgp4lib import TEME

    t = _utc_times(np.atleast_1d(jd), np.atleast_1d(fr))
    rot = np.moveaxis(TEME.rotation_at(t), -1, 0)  # (m, 3, 3): GCRF -> TEME
    r_out = np.einsum("mji,...mj->...mi", rot, np.asarray(r_km, dtype=np.float64))
    v_out = np.einsum("mji,...mj->...mi", rot, np.asarray(v_kms, dtype=np.float64))
    return r_out, v_out


def rtn_basis(r, v) -> np.ndarray:
    """Rows R, T, N (unit vectors in the frame of r, v) of the RTN frame of states r, v: (3, 3) for one state,
    (n, 3, 3) for n states (n, 3); any consistent units."""
    r, v = np.asarray(r, dtype=np.float64), np.asarray(v, dtype=np.float64)
    h = np.cross(r, v)
    if r.ndim == 1:
        u_r, u_n = r / np.linalg.norm(r), h / np.linalg.norm(h)
    else:
        u_r = r / np.linalg.norm(r, axis=-1, keepdims=True)
        u_n = h / np.linalg.norm(h, axis=-1, keepdims=True)
    return np.stack([u_r, np.cross(u_n, u_r), u_n], axis=-2)


def rtn_components(r, v, vec) -> np.ndarray:
    """Components (n, 3) of vectors vec (n, 3) along the radial, transverse and normal axes of states r, v (n, 3)."""
    basis = rtn_basis(r, v)
    return np.stack([np.einsum("ij,ij->i", vec, np.ascontiguousarray(basis[:, k])) for k in range(3)], axis=1)


def itrs_to_geodetic(r_km) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """WGS-84 geodetic latitude (deg), longitude (deg, -180..180) and height (km) of ITRS positions (..., 3)."""
    r_km = np.asarray(r_km, dtype=np.float64)
    x, y, z = r_km[..., 0], r_km[..., 1], r_km[..., 2]
    lon = np.arctan2(y, x)
    p = np.hypot(x, y)
    lat = np.arctan2(z, p * (1.0 - WGS84_E2))
    for _ in range(5):  # fixed-point iteration; converges below 1e-12 rad from 100 km to GEO and beyond
        sin_lat = np.sin(lat)
        n = WGS84_A_KM / np.sqrt(1.0 - WGS84_E2 * sin_lat * sin_lat)
        lat = np.arctan2(z + n * WGS84_E2 * sin_lat, p)
    sin_lat, cos_lat = np.sin(lat), np.cos(lat)
    n = WGS84_A_KM / np.sqrt(1.0 - WGS84_E2 * sin_lat * sin_lat)
    with np.errstate(invalid="ignore", divide="ignore"):
        h = np.where(np.abs(cos_lat) > 1e-10, p / cos_lat - n, np.abs(z) - n * (1.0 - WGS84_E2))
    return np.degrees(lat), np.degrees(lon), h


def geodetic_to_itrs(lat_deg, lon_deg, h_km) -> np.ndarray:
    """ITRS position (km), shape (..., 3), of WGS-84 geodetic latitude/longitude (deg) and height (km)."""
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    sin_lat = np.sin(lat)
    n = WGS84_A_KM / np.sqrt(1.0 - WGS84_E2 * sin_lat * sin_lat)
    h = np.asarray(h_km, dtype=np.float64)
    return np.stack([(n + h) * np.cos(lat) * np.cos(lon), (n + h) * np.cos(lat) * np.sin(lon),
                     (n * (1.0 - WGS84_E2) + h) * sin_lat], axis=-1)


def enu_matrix(lat_deg, lon_deg) -> np.ndarray:
    """Rotation (3, 3) taking ITRS vectors to local East-North-Up at a geodetic latitude/longitude (deg)."""
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    sl, cl, so, co = np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)
    return np.array([[-so, co, 0.0], [-sl * co, -sl * so, cl], [cl * co, cl * so, sl]])


def look_angles(r_itrs_km, site_lat_deg, site_lon_deg, site_h_km=0.0):
    """Azimuth (deg from north, clockwise), elevation (deg) and range (km) of ITRS positions from a site."""
    site = geodetic_to_itrs(site_lat_deg, site_lon_deg, site_h_km)
    enu = (np.asarray(r_itrs_km) - site) @ enu_matrix(site_lat_deg, site_lon_deg).T
    rng = np.linalg.norm(enu, axis=-1)
    el = np.degrees(np.arcsin(np.clip(enu[..., 2] / rng, -1.0, 1.0)))
    az = np.degrees(np.arctan2(enu[..., 0], enu[..., 1])) % 360.0
    return az, el, rng


def site_look_angles(r_itrs_km, lat_deg, lon_deg, h_km=0.0):
    """Azimuth (deg), elevation (deg) and range (km), shape (sites, ...), of ITRS positions (..., 3) from many sites.

    Sites are WGS-84 geodetic latitude/longitude (deg) and height (km) arrays of one shape (sites,); positions
    are any array of ITRS vectors (e.g. satellites x times x 3), seen from every site at once.
    """
    lat = np.atleast_1d(np.asarray(lat_deg, dtype=np.float64))
    lon = np.atleast_1d(np.asarray(lon_deg, dtype=np.float64))
    h = np.broadcast_to(np.asarray(h_km, dtype=np.float64), lat.shape)
    site = geodetic_to_itrs(lat, lon, h)                                   # (S, 3)
    rot = np.stack([enu_matrix(la, lo) for la, lo in zip(lat, lon, strict=True)])  # (S, 3, 3)
    r = np.asarray(r_itrs_km, dtype=np.float64)
    extra = (1,) * (r.ndim - 1)
    d = r[None, ...] - site.reshape(site.shape[0], *extra, 3)              # (S, ..., 3)
    east = np.einsum("s...k,sk->s...", d, rot[:, 0, :])
    north = np.einsum("s...k,sk->s...", d, rot[:, 1, :])
    up = np.einsum("s...k,sk->s...", d, rot[:, 2, :])
    rng = np.sqrt(east * east + north * north + up * up)
    el = np.degrees(np.arcsin(np.clip(up / rng, -1.0, 1.0)))
    az = np.degrees(np.arctan2(east, north)) % 360.0
    return az, el, rng
