"""Visibility of satellites from ground sites: elevation, off-nadir and sun limits, passes by root finding.

Everything is vectorised over satellites x times on a coarse grid; interval edges are refined by bisection
and culminations by golden-section search (per pass, all passes at once), so a pass is neither missed nor
cut when the window starts or ends inside it: the grid is extended by a margin on both sides and every
pass that overlaps the window is reported with its true rise and set.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from orbitshare.astro.frames import geodetic_to_itrs, gmst82_rad, look_angles, teme_to_itrs
from orbitshare.astro.propagation import Sgp4Records, propagate, propagate_pairs
from orbitshare.astro.time import Epoch, as_utc

_GOLDEN = (np.sqrt(5.0) - 1.0) / 2.0
#: Bisection steps for interval edges (a 120 s bracket shrinks below 0.1 ms).
EDGE_ITERATIONS = 22
#: Golden-section steps for culminations (a 240 s bracket shrinks below 1 ms).
CULMINATION_ITERATIONS = 30
#: Largest number of satellite x time samples evaluated at once (memory bound).
MAX_SAMPLES = 4_000_000


@dataclass(frozen=True)
class Site:
    """A ground point: WGS-84 geodetic latitude/longitude (deg) and height (km), with a name."""

    lat_deg: float
    lon_deg: float
    h_km: float = 0.0
    name: str = "site"

    def __post_init__(self) -> None:
        if not (np.isfinite(self.lat_deg) and -90.0 <= self.lat_deg <= 90.0):
            raise ValueError(f"site {self.name!r}: latitude {self.lat_deg} deg outside [-90, 90]")
        if not (np.isfinite(self.lon_deg) and -360.0 <= self.lon_deg <= 360.0):
            raise ValueError(f"site {self.name!r}: longitude {self.lon_deg} deg outside [-360, 360]")
        if not (np.isfinite(self.h_km) and -12.0 <= self.h_km <= 100.0):
            raise ValueError(f"site {self.name!r}: height {self.h_km} km outside [-12, 100]")


@dataclass(frozen=True)
class Constraints:
    """Access limits: minimum elevation (deg), maximum off-nadir angle at the satellite (deg, None: any),
    minimum sun elevation at the site (deg, None: day and night)."""

    min_elevation_deg: float = 10.0
    max_off_nadir_deg: float | None = None
    min_sun_elevation_deg: float | None = None


@dataclass(frozen=True)
class Pass:
    """One pass of a satellite over a site (UTC datetimes; angles in degrees, range in km).

    rise_clipped / set_clipped are True when the satellite was already (still) visible at the edge of the
    extended search grid, so the true rise (set) lies further out than `rise` (`set`)."""

    norad_id: int
    name: str
    rise: datetime
    culmination: datetime
    set: datetime
    max_elevation_deg: float
    rise_azimuth_deg: float
    culmination_azimuth_deg: float
    set_azimuth_deg: float
    min_range_km: float
    rise_clipped: bool = False
    set_clipped: bool = False

    @property
    def duration_s(self) -> float:
        """Seconds from rise to set."""
        return (self.set - self.rise).total_seconds()

    def as_dict(self) -> dict:
        """Plain dict with ISO 8601 UTC times, for JSON/CSV export."""
        out = dict(self.__dict__)
        for key in ("rise", "culmination", "set"):
            out[key] = Epoch.from_datetime(out[key]).iso()
        out["duration_s"] = round(self.duration_s, 3)
        return out


def sun_direction_teme(jd, fr) -> np.ndarray:
    """Unit vector (..., 3) to the Sun in the mean equator/equinox of date (~TEME), Astronomical Almanac
    low-precision formula (about 0.01 deg)."""
    n = (np.asarray(jd, dtype=np.float64) - 2451545.0) + np.asarray(fr, dtype=np.float64)
    mean_lon = np.radians((280.460 + 0.9856474 * n) % 360.0)
    g = np.radians((357.528 + 0.9856003 * n) % 360.0)
    ecl_lon = mean_lon + np.radians(1.915) * np.sin(g) + np.radians(0.020) * np.sin(2.0 * g)
    eps = np.radians(23.439 - 4.0e-7 * n)
    return np.stack([np.cos(ecl_lon), np.cos(eps) * np.sin(ecl_lon), np.sin(eps) * np.sin(ecl_lon)], axis=-1)


def sun_elevation_deg(lat_deg: float, lon_deg: float, jd, fr) -> np.ndarray:
    """Geometric elevation (deg) of the Sun's centre at a site (WGS-84) at UTC two-part Julian dates."""
    u = sun_direction_teme(jd, fr)
    theta, _ = gmst82_rad(np.atleast_1d(jd), np.atleast_1d(fr))
    c, s = np.cos(theta), np.sin(theta)
    u_itrs = np.stack([c * u[..., 0] + s * u[..., 1], -s * u[..., 0] + c * u[..., 1], u[..., 2]], axis=-1)
    _, el, _ = look_angles(u_itrs * 1.496e8, lat_deg, lon_deg, 0.0)
    return el


def off_nadir_deg(r_sat_km, r_site_km) -> np.ndarray:
    """Angle (deg) at the satellite between geocentric nadir and the line of sight to the site."""
    to_site = np.asarray(r_site_km) - np.asarray(r_sat_km)
    nadir = -np.asarray(r_sat_km)
    cosang = np.sum(to_site * nadir, axis=-1) / (
        np.linalg.norm(to_site, axis=-1) * np.linalg.norm(nadir, axis=-1)
    )
    return np.degrees(np.arccos(np.clip(cosang, -1.0, 1.0)))


def as_records(catalog_or_records) -> tuple[Sgp4Records, np.ndarray, np.ndarray]:
    """SGP4 records, NORAD ids and names of a Catalog (or Sgp4Records: ids 0.., empty names)."""
    if isinstance(catalog_or_records, Sgp4Records):
        n = len(catalog_or_records)
        return catalog_or_records, np.arange(n), np.array([""] * n, dtype=object)
    cat = catalog_or_records
    if not hasattr(cat, "columns"):
        raise TypeError(f"expected a Catalog or Sgp4Records, got {type(cat).__name__}")
    return Sgp4Records.from_catalog(cat), cat.norad_id, cat.name


def _state_geometry(recs: Sgp4Records, idx, epoch: Epoch, t_s, site: Site):
    """Elevation (deg), azimuth (deg), range (km), off-nadir (deg) and SGP4 error of satellites idx[k] at
    t_s[k] seconds after the epoch."""
    jd, fr = epoch.offsets(t_s)
    r, v, err = propagate_pairs(recs, idx, jd, fr)
    r_itrs, _ = teme_to_itrs(r, v, jd, fr)
    az, el, rng = look_angles(r_itrs, site.lat_deg, site.lon_deg, site.h_km)
    site_r = geodetic_to_itrs(site.lat_deg, site.lon_deg, site.h_km)
    return el, az, rng, off_nadir_deg(r_itrs, site_r), err


def _margin(el, off, sun_el, c: Constraints) -> np.ndarray:
    """Smallest constraint margin (deg): positive where every access limit is met."""
    m = np.asarray(el, dtype=np.float64) - c.min_elevation_deg
    if c.max_off_nadir_deg is not None:
        m = np.minimum(m, c.max_off_nadir_deg - off)
    if c.min_sun_elevation_deg is not None:
        m = np.minimum(m, sun_el - c.min_sun_elevation_deg)
    return m


def _pair_margin(recs, site: Site, c: Constraints, epoch: Epoch) -> Callable:
    """Function (idx, t_s) -> constraint margin (deg) for satellite/time pairs; -90 on SGP4 error."""

    def margin(idx, t_s):
        el, _, _, off, err = _state_geometry(recs, idx, epoch, t_s, site)
        sun = None
        if c.min_sun_elevation_deg is not None:
            sun = sun_elevation_deg(site.lat_deg, site.lon_deg, *epoch.offsets(t_s))
        return np.where(err == 0, _margin(el, off, sun, c), -90.0)

    return margin


def _grid_margin(recs, site: Site, c: Constraints, epoch: Epoch, t_s: np.ndarray) -> np.ndarray:
    """Constraint margin (deg) of every satellite (rows) at every grid time (columns), chunked."""
    n, m = len(recs), len(t_s)
    jd, fr = epoch.offsets(t_s)
    sun = (
        sun_elevation_deg(site.lat_deg, site.lon_deg, jd, fr) if c.min_sun_elevation_deg is not None else None
    )
    site_r = geodetic_to_itrs(site.lat_deg, site.lon_deg, site.h_km)
    out = np.empty((n, m))
    rows = max(1, MAX_SAMPLES // max(m, 1))
    for lo in range(0, n, rows):
        sub = Sgp4Records(
            recs.records[lo : lo + rows], recs.epoch_jd[lo : lo + rows], recs.epoch_fr[lo : lo + rows]
        )
        eph = propagate(sub, jd, fr)
        r_itrs, _ = teme_to_itrs(eph.r_km, eph.v_kms, jd, fr)
        _, el, _ = look_angles(r_itrs, site.lat_deg, site.lon_deg, site.h_km)
        off = off_nadir_deg(r_itrs, site_r) if c.max_off_nadir_deg is not None else None
        out[lo : lo + rows] = np.where(eph.error == 0, _margin(el, off, sun, c), -90.0)
    return out


def _bisect(fn: Callable, idx, t_lo, t_hi, rising, iterations: int = EDGE_ITERATIONS) -> np.ndarray:
    """Times (s) in [t_lo, t_hi] where fn(idx, t) crosses zero (upwards where rising, a bool or per-pair array),
    all pairs at once."""
    lo, hi = np.array(t_lo, dtype=np.float64), np.array(t_hi, dtype=np.float64)
    rising = np.asarray(rising, dtype=bool)
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        positive = fn(idx, mid) > 0.0
        inside = positive == rising
        hi = np.where(inside, mid, hi)
        lo = np.where(inside, lo, mid)
    return 0.5 * (lo + hi)


def _golden_max(fn: Callable, idx, t_lo, t_hi, iterations: int = CULMINATION_ITERATIONS
                ) -> tuple[np.ndarray, np.ndarray]:
    """Time (s) and value of the maximum of fn(idx, t) in [t_lo, t_hi], golden-section, all pairs at once."""
    a, b = np.array(t_lo, dtype=np.float64), np.array(t_hi, dtype=np.float64)
    x1, x2 = b - _GOLDEN * (b - a), a + _GOLDEN * (b - a)
    f1, f2 = fn(idx, x1), fn(idx, x2)
    for _ in range(iterations):
        left = f1 > f2  # maximum lies in [a, x2]
        b = np.where(left, x2, b)
        a = np.where(left, a, x1)
        x_new = np.where(left, b - _GOLDEN * (b - a), a + _GOLDEN * (b - a))
        f_new = fn(idx, x_new)
        x2, f2, x1, f1 = (
            np.where(left, x1, x_new),
            np.where(left, f1, f_new),
            np.where(left, x_new, x2),
            np.where(left, f_new, f2),
        )
    t = 0.5 * (a + b)
    return t, fn(idx, t)


def _intervals(margin: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows, first and last grid index of each run of positive margin along axis 1."""
    pos = margin > 0.0
    padded = np.zeros((pos.shape[0], pos.shape[1] + 2), dtype=bool)
    padded[:, 1:-1] = pos
    d = np.diff(padded.astype(np.int8), axis=1)
    r_up, c_up = np.nonzero(d == 1)
    _, c_dn = np.nonzero(d == -1)
    return r_up, c_up, c_dn - 1  # nonzero is row-major, so ups and downs pair in order


def _peaks_between_samples(margin: np.ndarray, fn: Callable, t_s: np.ndarray):
    """Rows and grid index of local maxima whose neighbouring samples are all below the limit but whose
    refined maximum exceeds it (short passes that fall between grid samples)."""
    inner = margin[:, 1:-1]
    peak = (inner >= margin[:, :-2]) & (inner >= margin[:, 2:]) & (inner <= 0.0) & (inner > -15.0)
    rows, cols = np.nonzero(peak)
    cols = cols + 1
    if len(rows) == 0:
        return rows, cols
    _, value = _golden_max(fn, rows, t_s[cols - 1], t_s[cols + 1])
    keep = value > 0.0
    return rows[keep], cols[keep]


def access_windows(
    catalog_or_records,
    site: Site,
    start,
    stop,
    constraints: Constraints | None = None,
    step_s: float | None = None,
    margin_s: float | None = None,
) -> list[dict]:
    """Intervals in which each satellite meets every access limit at a site, overlapping [start, stop].

    Returns dicts with the satellite row `index`, `norad_id`, `name`, `start`/`stop` (aware UTC datetimes,
    refined by bisection) and `start_clipped`/`stop_clipped` (still visible at the extended grid's edge)."""
    c = constraints or Constraints()
    recs, ids, names = as_records(catalog_or_records)
    start, stop = as_utc(start), as_utc(stop)
    if stop <= start:
        raise ValueError(f"stop {stop.isoformat()} is not after start {start.isoformat()}")
    if len(recs) == 0:
        return []
    step = step_s or default_step_s(recs)
    pad = margin_s if margin_s is not None else default_margin_s(recs)
    epoch = Epoch.from_datetime(start)
    span = (stop - start).total_seconds()
    t_s = np.arange(-pad, span + pad + step, step)
    fn = _pair_margin(recs, site, c, epoch)
    grid = _grid_margin(recs, site, c, epoch, t_s)
    rows, first, last = _intervals(grid)
    p_rows, p_cols = _peaks_between_samples(grid, fn, t_s)
    rows = np.concatenate([rows, p_rows])
    first, last = np.concatenate([first, p_cols]), np.concatenate([last, p_cols])
    if len(rows) == 0:
        return []
    peak_only = np.zeros(len(rows), dtype=bool)
    peak_only[len(rows) - len(p_rows) :] = True
    t_peak = np.zeros(len(rows))
    if peak_only.any():
        t_peak[peak_only], _ = _golden_max(
            fn, rows[peak_only], t_s[first[peak_only] - 1], t_s[first[peak_only] + 1]
        )
    # rise: between the last sample below and the first sample above (or the in-between peak)
    lo_clip = (first == 0) & ~peak_only
    hi_clip = (last == len(t_s) - 1) & ~peak_only
    r_lo = t_s[np.maximum(first - 1, 0)]
    r_hi = np.where(peak_only, t_peak, t_s[first])
    s_lo = np.where(peak_only, t_peak, t_s[last])
    s_hi = t_s[np.minimum(last + 1, len(t_s) - 1)]
    rise = np.where(lo_clip, t_s[0], _bisect(fn, rows, r_lo, r_hi, rising=True))
    sets = np.where(hi_clip, t_s[-1], _bisect(fn, rows, s_lo, s_hi, rising=False))
    keep = (sets >= 0.0) & (rise <= span) & (sets > rise)
    order = np.lexsort((rise[keep], rows[keep]))
    out = []
    for k in np.flatnonzero(keep)[order]:
        out.append(
            {
                "index": int(rows[k]),
                "norad_id": int(ids[rows[k]]),
                "name": str(names[rows[k]]),
                "start": start + timedelta(seconds=float(rise[k])),
                "stop": start + timedelta(seconds=float(sets[k])),
                "start_s": float(rise[k]),
                "stop_s": float(sets[k]),
                "start_clipped": bool(lo_clip[k]),
                "stop_clipped": bool(hi_clip[k]),
            }
        )
    return out


def default_step_s(recs: Sgp4Records) -> float:
    """Coarse grid step (s): 1/90 of the shortest orbital period, between 10 s and 120 s."""
    no_rad_min = recs.records["no_unkozai"] if "no_unkozai" in (recs.records.dtype.names or ()) else None
    if no_rad_min is None or len(no_rad_min) == 0:
        return 60.0
    period_s = 2.0 * np.pi / np.max(no_rad_min) * 60.0
    return float(np.clip(period_s / 90.0, 10.0, 120.0))


def default_margin_s(recs: Sgp4Records) -> float:
    """Grid extension (s) before start and after stop: half the longest period, at most 12 h."""
    no = recs.records["no_unkozai"] if "no_unkozai" in (recs.records.dtype.names or ()) else None
    if no is None or len(no) == 0:
        return 3600.0
    period_s = 2.0 * np.pi / np.max(np.maximum(np.min(no), 1e-6)) * 60.0
    return float(min(0.5 * period_s, 12 * 3600.0))


def passes(
    catalog_or_records,
    lat_deg: float,
    lon_deg: float,
    h_km: float = 0.0,
    start=None,
    stop=None,
    min_elevation_deg: float = 10.0,
    max_off_nadir_deg: float | None = None,
    min_sun_elevation_deg: float | None = None,
    step_s: float | None = None,
) -> list[Pass]:
    """Passes of every satellite over a site between start and stop (datetimes or ISO text; default: now
    to 24 h later): rise, culmination, set (UTC), max elevation, azimuths; sorted by rise time."""
    start = as_utc(start) if start is not None else datetime.now(UTC)
    stop = as_utc(stop) if stop is not None else start + timedelta(days=1)
    site = Site(lat_deg, lon_deg, h_km)
    c = Constraints(min_elevation_deg, max_off_nadir_deg, min_sun_elevation_deg)
    recs, ids, names = as_records(catalog_or_records)
    windows = access_windows(recs, site, start, stop, c, step_s)
    if not windows:
        return []
    epoch = Epoch.from_datetime(start)
    idx = np.array([w["index"] for w in windows])
    t0 = np.array([w["start_s"] for w in windows])
    t1 = np.array([w["stop_s"] for w in windows])

    def elevation(i, t):
        return _state_geometry(recs, i, epoch, t, site)[0]

    t_c, _ = _golden_max(elevation, idx, t0, t1)
    el_c, az_c, rng_c, _, _ = _state_geometry(recs, idx, epoch, t_c, site)
    _, az_r, _, _, _ = _state_geometry(recs, idx, epoch, t0, site)
    _, az_s, _, _, _ = _state_geometry(recs, idx, epoch, t1, site)
    out = []
    for k, w in enumerate(windows):
        out.append(
            Pass(
                int(ids[w["index"]]),
                str(names[w["index"]]),
                w["start"],
                start + timedelta(seconds=float(t_c[k])),
                w["stop"],
                float(el_c[k]),
                float(az_r[k]),
                float(az_c[k]),
                float(az_s[k]),
                float(rng_c[k]),
                w["start_clipped"],
                w["stop_clipped"],
            )
        )
    return sorted(out, key=lambda p: (p.rise, p.norad_id))


# --- many sites, per-satellite limits ---------------------------------------------------------------------------


def sun_direction_itrs(jd, fr) -> np.ndarray:
    """Unit vectors (m, 3) to the Sun in ITRS at UTC two-part Julian dates (low-precision solar position)."""
    jd, fr = np.atleast_1d(jd), np.atleast_1d(fr)
    u = sun_direction_teme(jd, fr)
    theta, _ = gmst82_rad(jd, fr)
    c, s = np.cos(theta), np.sin(theta)
    return np.stack([c * u[..., 0] + s * u[..., 1], -s * u[..., 0] + c * u[..., 1], u[..., 2]], axis=-1)


def _per_object(value, n: int, none: float) -> np.ndarray:
    """A scalar, per-object sequence or None (-> `none`) as a float array of shape (n,); None items -> `none`."""
    if value is None:
        return np.full(n, none)
    arr = np.asarray([none if v is None else v for v in np.atleast_1d(np.asarray(value, dtype=object))],
                     dtype=np.float64)
    return np.broadcast_to(arr, (n,)).copy()


def _central_angle_limit(r_km: np.ndarray, min_el_deg: np.ndarray, max_off_deg: np.ndarray) -> np.ndarray:
    """Largest Earth central angle (rad, spherical Earth of the equatorial radius) between a satellite at radius
    r_km and a site that meets both an elevation floor and an off-nadir ceiling (nan: no ceiling)."""
    from orbitshare.constants import WGS84_A_KM

    ratio = np.clip(WGS84_A_KM / r_km, 0.0, 1.0)
    el = np.radians(min_el_deg)
    lam_el = 0.5 * np.pi - el - np.arcsin(np.clip(ratio * np.cos(el), -1.0, 1.0))
    eta = np.radians(np.where(np.isnan(max_off_deg), 90.0, max_off_deg))
    s = np.sin(eta) / ratio
    lam_off = np.where(s < 1.0, np.arcsin(np.clip(s, -1.0, 1.0)) - eta, np.arccos(ratio))
    return np.minimum(lam_el, lam_off)


def _site_margin(r_itrs, site_r, up, sun_u, min_el, max_off, min_sun) -> np.ndarray:
    """Smallest margin (deg) of elevation floor, off-nadir ceiling and sun floor for matching rows of satellite
    positions (k, 3), site positions and up vectors (k, 3), sun unit vectors (k, 3) and per-row limits."""
    d = r_itrs - site_r
    rng = np.linalg.norm(d, axis=-1)
    el = np.degrees(np.arcsin(np.clip(np.sum(d * up, axis=-1) / rng, -1.0, 1.0)))
    m = el - min_el
    cos_off = np.sum(-d * -r_itrs, axis=-1) / (rng * np.linalg.norm(r_itrs, axis=-1))
    off = np.degrees(np.arccos(np.clip(cos_off, -1.0, 1.0)))
    m = np.where(np.isnan(max_off), m, np.minimum(m, max_off - off))
    if sun_u is not None:
        sun = np.degrees(np.arcsin(np.clip(np.sum(sun_u * up, axis=-1), -1.0, 1.0)))
        m = np.where(np.isnan(min_sun), m, np.minimum(m, sun - min_sun))
    return m


def site_geometry(recs: Sgp4Records, sat_idx, site_lat_deg, site_lon_deg, site_h_km, epoch: Epoch, t_s):
    """Elevation (deg), azimuth (deg), range (km), off-nadir (deg), sun elevation (deg), ITRS position and
    velocity (km, km/s) and SGP4 error of satellite sat_idx[k] seen from site k at t_s[k] s after the epoch."""
    jd, fr = epoch.offsets(np.asarray(t_s, dtype=np.float64))
    r, v, err = propagate_pairs(recs, sat_idx, jd, fr)
    r_itrs, v_itrs = teme_to_itrs(r, v, jd, fr)
    lat, lon = np.radians(site_lat_deg), np.radians(site_lon_deg)
    site_r = geodetic_to_itrs(site_lat_deg, site_lon_deg, site_h_km)
    east = np.stack([-np.sin(lon), np.cos(lon), np.zeros_like(lon)], axis=-1)
    north = np.stack([-np.sin(lat) * np.cos(lon), -np.sin(lat) * np.sin(lon), np.cos(lat)], axis=-1)
    up = np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=-1)
    d = r_itrs - site_r
    rng = np.linalg.norm(d, axis=-1)
    el = np.degrees(np.arcsin(np.clip(np.sum(d * up, axis=-1) / rng, -1.0, 1.0)))
    az = np.degrees(np.arctan2(np.sum(d * east, axis=-1), np.sum(d * north, axis=-1))) % 360.0
    off = off_nadir_deg(r_itrs, site_r)
    sun = np.degrees(np.arcsin(np.clip(np.sum(sun_direction_itrs(jd, fr) * up, axis=-1), -1.0, 1.0)))
    return el, az, rng, off, sun, r_itrs, v_itrs, err


def multi_site_windows(
    catalog_or_records,
    sites,
    start,
    stop,
    *,
    min_elevation_deg=0.0,
    max_off_nadir_deg=None,
    min_sun_elevation_deg=None,
    step_s: float | None = None,
    margin_s: float | None = None,
    site_chunk: int = 16,
) -> dict[str, np.ndarray]:
    """Access windows of every satellite over every site overlapping [start, stop], with per-satellite limits.

    Limits are scalars or per-satellite sequences (None: no limit): elevation floor at the site (deg),
    off-nadir ceiling at the satellite (deg; an imager's field of regard) and sun-elevation floor at the site
    (deg). Satellites are propagated once on a coarse grid; an Earth-central-angle screen picks the few
    satellite x site x time samples that can be in view, where the exact margin is evaluated; edges are refined
    by bisection and each window's least off-nadir time by golden-section search, all windows at once.

    Returns columns (numpy arrays, one row per window, sorted by site, satellite, start): `site`, `sat`
    (indices), `start_s`, `stop_s`, `best_s` (seconds after start, UTC), `start_clipped`, `stop_clipped`."""
    recs, _, _ = as_records(catalog_or_records)
    sites = list(sites)
    start, stop = as_utc(start), as_utc(stop)
    if stop <= start:
        raise ValueError(f"stop {stop.isoformat()} is not after start {start.isoformat()}")
    empty = {k: np.zeros(0, dtype=int) for k in ("site", "sat")}
    empty.update({k: np.zeros(0) for k in ("start_s", "stop_s", "best_s")})
    empty.update({k: np.zeros(0, dtype=bool) for k in ("start_clipped", "stop_clipped")})
    n, n_sites = len(recs), len(sites)
    if n == 0 or n_sites == 0:
        return empty
    min_el = _per_object(min_elevation_deg, n, -90.0)
    max_off = _per_object(max_off_nadir_deg, n, np.nan)
    min_sun = _per_object(min_sun_elevation_deg, n, np.nan)
    step = step_s or default_step_s(recs)
    pad = margin_s if margin_s is not None else default_margin_s(recs)
    epoch = Epoch.from_datetime(start)
    span = (stop - start).total_seconds()
    t_s = np.arange(-pad, span + pad + step, step)
    jd, fr = epoch.offsets(t_s)
    eph = propagate(recs, jd, fr)
    r_itrs, v_itrs = teme_to_itrs(eph.r_km, eph.v_kms, jd, fr)
    r_norm = np.linalg.norm(r_itrs, axis=-1)
    u_sat = r_itrs / r_norm[..., None]
    # a sample next to a window lies within one step of it: widen the screen by the angle swept in 1.5 steps
    sweep = 1.5 * step * np.linalg.norm(v_itrs, axis=-1) / r_norm + np.radians(0.5)
    lam0 = _central_angle_limit(r_norm, min_el[:, None], max_off[:, None])
    cos_thr = np.where(eph.error == 0, np.cos(np.minimum(lam0 + sweep, np.pi)), 2.0)
    # the central angle changes by at most half the sweep between a sample and the next half-step: a window that
    # falls between samples has a neighbouring sample within that of the limit (plus the ellipsoid's slack)
    peak_reach = np.degrees(0.5 * step * np.linalg.norm(v_itrs, axis=-1) / r_norm) + 0.3
    lat = np.array([s.lat_deg for s in sites])
    lon = np.array([s.lon_deg for s in sites])
    hgt = np.array([s.h_km for s in sites])
    site_r = geodetic_to_itrs(lat, lon, hgt)
    la, lo = np.radians(lat), np.radians(lon)
    up = np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)
    u_site = site_r / np.linalg.norm(site_r, axis=-1)[:, None]
    sun_u = sun_direction_itrs(jd, fr) if np.isfinite(min_sun).any() else None

    # GMST (linear in time to 1e-12 rad over a grid step) and the Sun's direction (0.01 deg a step) are
    # interpolated from the grid instead of being recomputed at every refinement step
    theta_grid = np.unwrap(gmst82_rad(jd, fr)[0])

    def lerp(grid_values, t):
        """Values on the uniform time grid (first axis) linearly interpolated at times t (s)."""
        x = np.clip((t - t_s[0]) / step, 0.0, len(t_s) - 1.000001)
        i = x.astype(np.int64)
        w = (x - i).reshape((-1,) + (1,) * (grid_values.ndim - 1))
        return grid_values[i] * (1.0 - w) + grid_values[i + 1] * w

    def geometry(k, t):
        """ITRS positions (km) of satellites k at t (s), sun unit vectors (or None) and SGP4 errors."""
        tj, tf = epoch.offsets(t)
        r, _, err = propagate_pairs(recs, k, tj, tf)
        theta = lerp(theta_grid, t)
        c, s_ = np.cos(theta), np.sin(theta)
        ri = np.stack([c * r[:, 0] + s_ * r[:, 1], -s_ * r[:, 0] + c * r[:, 1], r[:, 2]], axis=-1)
        su = None
        if sun_u is not None:
            su = lerp(sun_u, t)
            su /= np.linalg.norm(su, axis=-1)[:, None]
        return ri, su, err

    def margin_of(s_idx, k_idx):
        """Constraint margin (deg) as a function of time for fixed site/satellite pairs (for the refiners)."""
        def fn(_, t):
            ri, su, err = geometry(k_idx, t)
            m = _site_margin(ri, site_r[s_idx], up[s_idx], su, min_el[k_idx], max_off[k_idx], min_sun[k_idx])
            return np.where(err == 0, m, -90.0)
        return fn

    # sparse screen: candidate samples (site, satellite, time) sorted by site, satellite, time
    nm = n * len(t_s)
    u_flat = u_sat.reshape(nm, 3)
    thr_flat = cos_thr.reshape(nm)
    keys, vals, lams, reach = [], [], [], []
    for s0 in range(0, n_sites, site_chunk):
        s1 = min(n_sites, s0 + site_chunk)
        cos_lam = u_site[s0:s1] @ u_flat.T
        ss, flat = np.nonzero(cos_lam > thr_flat[None, :])
        if len(ss) == 0:
            continue
        kk, jj = np.divmod(flat, len(t_s))
        lams.append(np.degrees(lam0[kk, jj] - np.arccos(np.clip(cos_lam[ss, flat], -1.0, 1.0))))
        reach.append(peak_reach[kk, jj])
        ss = ss + s0
        vals.append(_site_margin(r_itrs[kk, jj], site_r[ss], up[ss], None if sun_u is None else sun_u[jj],
                                 min_el[kk], max_off[kk], min_sun[kk]))
        keys.append(ss.astype(np.int64) * nm + flat)
    if not keys:
        return empty
    key, val = np.concatenate(keys), np.concatenate(vals)
    lam_m, lam_reach = np.concatenate(lams), np.concatenate(reach)
    m_t = len(t_s)
    row, col = np.divmod(key, m_t)  # row = site * n + satellite
    adj_prev = np.zeros(len(key), dtype=bool)
    adj_prev[1:] = key[1:] == key[:-1] + 1
    adj_next = np.zeros(len(key), dtype=bool)
    adj_next[:-1] = key[:-1] + 1 == key[1:]
    pos = val > 0.0
    prev_pos = np.zeros(len(key), dtype=bool)
    prev_pos[1:] = pos[:-1]
    next_pos = np.zeros(len(key), dtype=bool)
    next_pos[:-1] = pos[1:]
    starts = np.flatnonzero(pos & ~(adj_prev & prev_pos))
    ends = np.flatnonzero(pos & ~(adj_next & next_pos))
    rows_w, first, last = row[starts], col[starts], col[ends]
    # closest approaches (central angle) outside the limits at the samples but near enough that the limits may be
    # met between samples: refine the exact margin there, keep those that exceed zero
    prev_lam = np.full(len(key), -np.inf)
    prev_lam[1:] = np.where(adj_prev[1:], lam_m[:-1], -np.inf)
    next_lam = np.full(len(key), -np.inf)
    next_lam[:-1] = np.where(adj_next[:-1], lam_m[1:], -np.inf)
    peak = (~pos & (lam_m > -lam_reach) & (lam_m >= prev_lam) & (lam_m >= next_lam) & ~(adj_prev & prev_pos)
            & ~(adj_next & next_pos) & (col > 0) & (col < m_t - 1))
    pk = np.flatnonzero(peak)
    t_peak = np.zeros(0)
    if len(pk):
        ps, pk_sat = np.divmod(row[pk], n)
        t_pk, v_pk = _golden_max(margin_of(ps, pk_sat), None, t_s[col[pk] - 1], t_s[col[pk] + 1], iterations=20)
        good = v_pk > 0.0
        pk, t_peak = pk[good], t_pk[good]
    rows = np.concatenate([rows_w, row[pk]])
    first = np.concatenate([first, col[pk]])
    last = np.concatenate([last, col[pk]])
    peak_only = np.concatenate([np.zeros(len(rows_w), dtype=bool), np.ones(len(pk), dtype=bool)])
    t_pk_all = np.concatenate([np.zeros(len(rows_w)), t_peak])
    lo_clip = (first == 0) & ~peak_only
    hi_clip = (last == m_t - 1) & ~peak_only
    r_lo = t_s[np.maximum(first - 1, 0)]
    r_hi = np.where(peak_only, t_pk_all, t_s[first])
    s_lo = np.where(peak_only, t_pk_all, t_s[last])
    s_hi = t_s[np.minimum(last + 1, m_t - 1)]
    # rises and sets refined together (bisection to below 1 ms from brackets of at most 120 s)
    both_s, both_k = np.divmod(np.concatenate([rows, rows]), n)
    edges = _bisect(margin_of(both_s, both_k), None, np.concatenate([r_lo, s_lo]), np.concatenate([r_hi, s_hi]),
                    np.concatenate([np.ones(len(rows), bool), np.zeros(len(rows), bool)]), iterations=18)
    rise = np.where(lo_clip, t_s[0], edges[: len(rows)])
    sets = np.where(hi_clip, t_s[-1], edges[len(rows):])
    keep = (sets >= 0.0) & (rise <= span) & (sets > rise)
    rows, rise, sets, lo_clip, hi_clip = rows[keep], rise[keep], sets[keep], lo_clip[keep], hi_clip[keep]
    site_idx, sat_idx = np.divmod(rows, n)

    def neg_off(_, t):
        ri, _, err = geometry(sat_idx, t)
        return np.where(err == 0, -off_nadir_deg(ri, site_r[site_idx]), -180.0)

    best, _ = _golden_max(neg_off, None, rise, sets, iterations=24)
    order = np.lexsort((rise, sat_idx, site_idx))
    return {"site": site_idx[order], "sat": sat_idx[order], "start_s": rise[order], "stop_s": sets[order],
            "best_s": best[order], "start_clipped": lo_clip[order], "stop_clipped": hi_clip[order]}
