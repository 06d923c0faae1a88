"""Earth-orientation data: the UT1-UTC and leap-second table in use, how long it holds, and IERS finals files.

Skyfield carries a UT1/leap-second table (built from IERS ``finals2000A.all`` when skyfield was released:
observations, then about a year of IERS predictions). Beyond its last day skyfield falls back on a long-term
Delta-T model, so UT1 - and every Earth-fixed position (ITRS, geodetic, passes) - degrades. A user brings a newer
IERS file (``orbitshare data update FILE``, offline); it is kept as ``<home>/eop/finals2000A.all`` and used
instead of the bundled table. ``<home>`` is ``$ORBITSHARE_HOME`` or ``~/.orbitshare``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import IO

import numpy as np

from orbitshare.constants import DAY_S, EARTH_ROTATION_RAD_S, JD_MJD_OFFSET, JD_UNIX_EPOCH, WGS84_A_KM

__all__ = [
    "EopStatus",
    "EopWarning",
    "FinalsError",
    "FinalsTable",
    "check_ut1_coverage",
    "eop_status",
    "finals_path",
    "import_finals",
    "load_timescale",
    "parse_finals",
]

FINALS_NAME = "finals2000A.all"
MJD_UNIX_EPOCH = JD_UNIX_EPOCH - JD_MJD_OFFSET
POLAR_MOTION_USE = "not applied: ITRS here is TEME rotated by GMST 1982 (AIAA 2006-6753)"


class EopWarning(RuntimeWarning):
    """UT1 was needed beyond the end of the loaded Earth-orientation table."""


class FinalsError(ValueError):
    """An IERS finals file that cannot be read: names the line and the field."""


@dataclass(frozen=True)
class FinalsTable:
    """Daily UT1-UTC (s) and polar motion (arcsec) of an IERS finals2000A file, with the observed/predicted flag."""

    utc_mjd: np.ndarray
    dut1_s: np.ndarray
    x_arcsec: np.ndarray
    y_arcsec: np.ndarray
    observed: np.ndarray  # True where UT1-UTC is flagged I (IERS final/rapid value), False for P (prediction)


@dataclass(frozen=True)
class EopStatus:
    """What Earth-orientation data is loaded and until when it holds (UTC dates)."""

    source: str
    first_day: date
    last_observed_day: date | None
    last_day: date
    leap_seconds: int
    last_leap_second: date
    polar_motion: str


def _mjd_day(mjd: float) -> date:
    """UTC calendar day of a modified Julian date."""
    return date(1970, 1, 1) + timedelta(days=int(np.floor(mjd - MJD_UNIX_EPOCH)))


def _field(line: str, lo: int, hi: int, lineno: int, name: str, source: str) -> float:
    """A float from 1-based columns lo..hi of a finals line, or FinalsError naming the line and field."""
    try:
        return float(line[lo - 1 : hi])
    except ValueError:
        raise FinalsError(f"{source}: line {lineno}: {name} (columns {lo}-{hi}) is not a number") from None


def parse_finals(f: IO[str], source: str = "finals file") -> FinalsTable:
    """Parse an IERS finals2000A file (fixed columns, readme.finals2000A); rows without UT1-UTC end the table."""
    mjd, dut1, x, y, obs = [], [], [], [], []
    for lineno, raw in enumerate(f, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        if len(line) < 68:
            raise FinalsError(f"{source}: line {lineno}: too short for an IERS finals2000A record")
        if not line[57:68].strip():
            _field(line, 8, 15, lineno, "MJD", source)
            break  # the file's tail: dates with no UT1-UTC yet
        flag = line[57]
        if flag not in "IP":
            raise FinalsError(f"{source}: line {lineno}: UT1-UTC flag (column 58) is {flag!r}, expected I or P")
        mjd.append(_field(line, 8, 15, lineno, "MJD", source))
        x.append(_field(line, 19, 27, lineno, "PM-x", source))
        y.append(_field(line, 38, 46, lineno, "PM-y", source))
        dut1.append(_field(line, 59, 68, lineno, "UT1-UTC", source))
        obs.append(flag == "I")
        if len(mjd) > 1 and mjd[-1] != mjd[-2] + 1.0:
            raise FinalsError(f"{source}: line {lineno}: MJD {mjd[-1]:.0f} does not follow {mjd[-2]:.0f}")
    if len(mjd) < 2:
        raise FinalsError(f"{source}: no UT1-UTC records (is this an IERS finals2000A file?)")
    return FinalsTable(np.array(mjd), np.array(dut1), np.array(x), np.array(y), np.array(obs))


def finals_path(home: Path | None = None) -> Path:
    """Where an imported finals file is kept: <home>/eop/finals2000A.all."""
    if home is None:
        from orbitshare.settings import load_settings  # configuration, not computation: read at the edge

        home = load_settings().home
    return home / "eop" / FINALS_NAME


def import_finals(src: Path, home: Path | None = None, force: bool = False) -> EopStatus:
    """Check an IERS finals file and install it as the table in use; refuses one older than the table in use."""
    with open(src, encoding="ascii", errors="replace") as f:
        table = parse_finals(f, source=str(src))
    status = _table_status(table, str(src))
    current = eop_status()
    if status.last_day < current.last_day and not force:
        raise FinalsError(
            f"{src}: ends {status.last_day}, before the table in use ({current.last_day}, {current.source}); "
            "use --force to import it anyway"
        )
    dest = finals_path(home)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(".tmp")
    tmp.write_bytes(Path(src).read_bytes())
    tmp.replace(dest)
    load_timescale.cache_clear()
    eop_status.cache_clear()
    return _table_status(table, str(dest))


def _bundled_arrays() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """skyfield's bundled table: daily TT (JD), Delta-T (s), leap-second dates (UTC JD) and TAI-UTC (s)."""
    from skyfield.functions import load_bundled_npy

    arrays = load_bundled_npy("iers.npz")
    daily_tt = arrays["tt_jd_minus_arange"] + np.arange(len(arrays["tt_jd_minus_arange"]))
    return daily_tt, (arrays["delta_t_1e7"] / 1e7).round(7), arrays["leap_dates"], arrays["leap_offsets"]


def _timescale_arrays(table: FinalsTable) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Daily TT, Delta-T, leap dates and TAI-UTC for a finals table of any span (finals2000A.all or .daily).

    TAI-UTC comes from skyfield's leap-second table, extended by any leap second the file shows after it
    (a UT1-UTC step of about +1 s); days before the file starts come from skyfield's bundled table.
    """
    b_tt, b_dt, leap_dates, leap_offsets = _bundled_arrays()
    jd_utc = table.utc_mjd + JD_MJD_OFFSET
    later = np.flatnonzero((np.diff(table.dut1_s) > 0.9) & (jd_utc[1:] > leap_dates[-1])) + 1
    leap_dates = np.concatenate([leap_dates, jd_utc[later]])
    leap_offsets = np.concatenate([leap_offsets, leap_offsets[-1] + np.arange(1.0, later.size + 1.0)])
    tai_utc = leap_offsets[np.searchsorted(leap_dates, jd_utc, side="right") - 1]
    tt_minus_utc = tai_utc + 32.184
    daily_tt = jd_utc + tt_minus_utc / DAY_S
    daily_dt = (tt_minus_utc - table.dut1_s).round(7)
    keep = b_tt < daily_tt[0] - 0.5
    return np.concatenate([b_tt[keep], daily_tt]), np.concatenate([b_dt[keep], daily_dt]), leap_dates, leap_offsets


def _timescale_from_table(table: FinalsTable):
    """A skyfield Timescale whose UT1 comes from this finals table."""
    from skyfield.timelib import Timescale

    daily_tt, daily_dt, leap_dates, leap_offsets = _timescale_arrays(table)
    return Timescale((daily_tt, daily_dt), leap_dates, leap_offsets)


@lru_cache(maxsize=1)
def load_timescale():
    """The skyfield Timescale in use: the imported finals file if there is one, else skyfield's bundled table."""
    from skyfield.api import load

    path = finals_path()
    if path.is_file():
        with open(path, encoding="ascii", errors="replace") as f:
            return _timescale_from_table(parse_finals(f, source=str(path)))
    return load.timescale(builtin=True)


def _table_status(table: FinalsTable, source: str) -> EopStatus:
    """Status of a parsed finals table."""
    _, _, leap_dates, _ = _timescale_arrays(table)
    observed = table.utc_mjd[table.observed]
    return EopStatus(
        source=source,
        first_day=_mjd_day(table.utc_mjd[0]),
        last_observed_day=_mjd_day(observed[-1]) if observed.size else None,
        last_day=_mjd_day(table.utc_mjd[-1]),
        leap_seconds=len(leap_dates),
        last_leap_second=_mjd_day(leap_dates[-1] - JD_MJD_OFFSET),
        polar_motion="in the file; " + POLAR_MOTION_USE,
    )


@lru_cache(maxsize=1)
def eop_status() -> EopStatus:
    """Status of the table in use (imported file, or skyfield's bundled table)."""
    path = finals_path()
    if path.is_file():
        with open(path, encoding="ascii", errors="replace") as f:
            return _table_status(parse_finals(f, source=str(path)), str(path))
    import skyfield

    daily_tt, _, leap_dates, _ = _bundled_arrays()
    return EopStatus(
        source=f"skyfield {skyfield.__version__} bundled table (IERS finals2000A; observed, then IERS predictions)",
        first_day=_mjd_day(daily_tt[0] - JD_MJD_OFFSET),
        last_observed_day=None,
        last_day=_mjd_day(daily_tt[-1] - JD_MJD_OFFSET),
        leap_seconds=len(leap_dates),
        last_leap_second=_mjd_day(leap_dates[-1] - JD_MJD_OFFSET),
        polar_motion="not in the table; " + POLAR_MOTION_USE,
    )


def _table_end_jd() -> float:
    """UTC Julian date of the last day of the table in use."""
    return (eop_status().last_day - date(1970, 1, 1)).days + MJD_UNIX_EPOCH + JD_MJD_OFFSET


_warned_ends: set[float] = set()


def check_ut1_coverage(jd_utc: np.ndarray, fr_utc: np.ndarray) -> None:
    """Warn once (EopWarning) when UT1 is needed past the table's end, with the size of the effect."""
    end_jd = _table_end_jd()
    latest = float(np.max(np.asarray(jd_utc) + np.asarray(fr_utc), initial=-np.inf))
    if latest <= end_jd + 1.0 or end_jd in _warned_ends:
        return
    _warned_ends.add(end_jd)
    ts = load_timescale()
    end_t, late_t = ts.ut1_jd(end_jd), ts.ut1_jd(latest)
    slope = (end_t.delta_t - ts.ut1_jd(end_jd - 30.0).delta_t) / 30.0
    jump_s = abs(late_t.delta_t - (end_t.delta_t + slope * (latest - end_jd)))
    metres = jump_s * EARTH_ROTATION_RAD_S * WGS84_A_KM * 1e3
    last_day = eop_status().last_day.isoformat()
    when = _mjd_day(latest - JD_MJD_OFFSET).isoformat()
    warnings.warn(
        f"Earth-orientation data end {last_day}; UT1 up to {when} comes from skyfield's long-term Delta-T model, "
        f"{jump_s:.2f} s from a continuation of the table ({metres:,.0f} m of Earth rotation at the equator) "
        f"in Earth-fixed positions; import a current IERS finals2000A.all with `orbitshare data update FILE`",
        EopWarning,
        stacklevel=3,
    )
