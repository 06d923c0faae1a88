"""UTC instants as two-part Julian dates (whole day + fraction), parsed and converted with numpy."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import numpy as np
import numpy.typing as npt

from orbitshare.constants import DAY_S, JD_UNIX_EPOCH

__all__ = ["Epoch", "TimeUnit", "as_utc", "datetime64_to_jd", "datetime_to_jd", "format_utc", "jd_to_datetime",
           "jd_to_datetime64", "jday", "parse_ccsds_utc", "parse_utc", "time_grid", "tle_epoch_to_jd"]

#: Precision of time text: whole seconds, milliseconds or microseconds.
TimeUnit = Literal["s", "ms", "us"]

_DAY_US = 86_400_000_000
_DOY_RE = re.compile(r"^(\d{4})-(\d{3})(?:T(.*))?$")
#: CCSDS ASCII time codes A (calendar) and B (day of year) of CCSDS 301.0-B-4, with an optional Z.
_CCSDS_RE = re.compile(r"\d{4}-(?:\d{2}-\d{2}|\d{3})T\d{2}:\d{2}:\d{2}(?:\.\d*)?Z?")


def jday(year, mon, day, hr=0, minute=0, sec=0.0):
    """Two-part Julian date (jd at 0h, day fraction) of a Gregorian UTC calendar date (Vallado's jday)."""
    year, mon, day = np.asarray(year), np.asarray(mon), np.asarray(day)
    jd = (367.0 * year - np.floor(7 * (year + np.floor((mon + 9) / 12.0)) * 0.25)
          + np.floor(275 * mon / 9.0) + day + 1721013.5)
    fr = (np.asarray(sec) + np.asarray(minute) * 60.0 + np.asarray(hr) * 3600.0) / DAY_S
    return jd, fr


def tle_epoch_to_jd(year2: npt.ArrayLike, doy: npt.ArrayLike):
    """Two-part Julian date of TLE epochs: 2-digit year (57-99 -> 19xx) and fractional day of year."""
    year2, doy = np.asarray(year2), np.asarray(doy)
    year = np.where(year2 < 57, 2000 + year2, 1900 + year2)
    jd0, _ = jday(year, 1, 0)  # Julian date of January 0 at 0h
    whole = np.floor(doy)
    return jd0 + whole, doy - whole


def parse_utc(text: str) -> datetime:
    """Timezone-aware UTC datetime from ISO 8601 text, calendar or day-of-year form ('2007-064T10:34:41'), with any
    number of fractional-second digits (rounded to the microsecond)."""
    s = text.strip().replace(" ", "T", 1) if "T" not in text else text.strip()
    if s.endswith("Z"):
        s = s[:-1]
    m = _DOY_RE.match(s)
    if m:
        year, doy, rest = int(m.group(1)), int(m.group(2)), m.group(3) or "00:00:00"
        days_in_year = 366 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 365
        if not 1 <= doy <= days_in_year:
            raise ValueError(f"day of year {doy} outside 1..{days_in_year} in {text!r}")
        base = datetime(year, 1, 1, tzinfo=UTC) + timedelta(days=doy - 1)
        s = base.strftime("%Y-%m-%d") + "T" + rest
    extra_us = 0
    if "." in s:  # fromisoformat takes at most 6 fractional digits: the fraction is added separately, rounded
        head, frac = s.split(".", 1)
        digits = frac[: len(frac) - len(frac.lstrip("0123456789"))]
        extra_us = round(float("0." + digits) * 1e6) if digits else 0
        s = head + frac[len(digits):]
    dt = datetime.fromisoformat(s) + timedelta(microseconds=extra_us)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def parse_ccsds_utc(text: str) -> datetime:
    """UTC datetime of CCSDS time text: YYYY-MM-DDThh:mm:ss[.d...] or YYYY-DDDThh:mm:ss[.d...], optional Z
    (CCSDS 301.0-B-4 ASCII time codes A and B); ValueError for any other form."""
    if not _CCSDS_RE.fullmatch(text.strip()):
        raise ValueError(f"not a CCSDS date: {text!r}")
    return parse_utc(text)


def as_utc(value: datetime | str) -> datetime:
    """Aware UTC datetime from a datetime (naive means UTC) or ISO 8601 text; TypeError for anything else."""
    if isinstance(value, str):
        return parse_utc(value)
    if not isinstance(value, datetime):
        raise TypeError(f"expected a datetime or ISO 8601 text, got {type(value).__name__}: {value!r}")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def datetime_to_jd(dt: datetime):
    """Two-part Julian date of a datetime (naive means UTC), exact to the microsecond."""
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    us = (dt - datetime(1970, 1, 1)) // timedelta(microseconds=1)
    days, rem = divmod(us, _DAY_US)
    return JD_UNIX_EPOCH + days, rem / _DAY_US


def datetime64_to_jd(t) -> tuple[np.ndarray, np.ndarray]:
    """Two-part Julian dates of numpy datetime64 values (UTC), exact to the microsecond."""
    us = np.asarray(t, dtype="datetime64[us]").astype(np.int64)
    days, rem = np.divmod(us, _DAY_US)
    return JD_UNIX_EPOCH + days.astype(np.float64), rem / _DAY_US


def jd_to_datetime64(jd, fr) -> np.ndarray:
    """numpy datetime64[us] (UTC) of two-part Julian dates, rounded to the microsecond."""
    jd, fr = np.asarray(jd, dtype=np.float64), np.asarray(fr, dtype=np.float64)
    days = np.floor(jd - JD_UNIX_EPOCH)
    frac = (jd - JD_UNIX_EPOCH - days) + fr
    us = days.astype(np.int64) * _DAY_US + np.round(frac * _DAY_US).astype(np.int64)
    return us.astype("datetime64[us]")


def jd_to_datetime(jd: float, fr: float = 0.0) -> datetime:
    """Aware UTC datetime of a two-part Julian date, rounded to the microsecond."""
    return jd_to_datetime64(jd, fr).item().replace(tzinfo=UTC)


def time_grid(start: datetime, stop: datetime, step_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Two-part Julian dates from start to stop inclusive every step_s seconds (UTC)."""
    if step_s <= 0:
        raise ValueError(f"step must be positive, got {step_s} s")
    if stop < start:
        raise ValueError(f"stop {stop.isoformat()} is before start {start.isoformat()}")
    span_s = (stop - start).total_seconds()
    return Epoch.from_datetime(start).offsets(np.arange(0.0, span_s + 1e-9, step_s))


def format_utc(jd, fr, unit: TimeUnit = "ms", zone: str = "Z") -> np.ndarray:
    """ISO 8601 UTC strings of two-part Julian dates, truncated to `unit` ('s', 'ms' or 'us') and ending in `zone`
    ('2026-03-10T07:26:52.157Z'; CCSDS messages take zone '', their TIME_SYSTEM keyword saying UTC)."""
    if unit not in ("s", "ms", "us"):
        raise ValueError(f"unit must be 's', 'ms' or 'us', not {unit!r}")
    t = jd_to_datetime64(jd, fr).astype(f"datetime64[{unit}]")
    return np.char.add(np.datetime_as_string(t, unit=unit), zone)


@dataclass(frozen=True)
class Epoch:
    """A UTC instant as a two-part Julian date (whole `jd`, day fraction `fr`) from which times are offsets in s."""

    jd: float
    fr: float

    @classmethod
    def from_datetime(cls, value: datetime) -> Epoch:
        """Epoch of a datetime (naive means UTC), exact to the microsecond."""
        jd, fr = datetime_to_jd(value)
        return cls(jd, fr)

    @classmethod
    def from_iso(cls, text: str) -> Epoch:
        """Epoch of ISO 8601 UTC text (calendar or day-of-year form)."""
        return cls.from_datetime(parse_utc(text))

    @classmethod
    def from_utc(cls, value: datetime | str) -> Epoch:
        """Epoch of a datetime (naive means UTC) or ISO 8601 text; TypeError for anything else."""
        return cls.from_datetime(as_utc(value))

    @classmethod
    def now(cls) -> Epoch:
        """Epoch of the current time (system clock, UTC)."""
        return cls.from_datetime(datetime.now(UTC))

    def offsets(self, t_s) -> tuple[np.ndarray, np.ndarray]:
        """UTC two-part Julian dates (jd, fr arrays; fr may pass 1) of offsets t_s (s) from the epoch."""
        t_s = np.asarray(t_s, dtype=np.float64)
        return np.full(t_s.shape, self.jd), self.fr + t_s / DAY_S

    def offsets_normalised(self, t_s) -> tuple[np.ndarray, np.ndarray]:
        """As :meth:`offsets` with whole days carried into jd, so that 0 <= fr < 1."""
        jd, fr = self.offsets(t_s)
        whole = np.floor(fr)
        return jd + whole, fr - whole

    def iso(self, t_s: float = 0.0, unit: TimeUnit = "ms", zone: str = "Z") -> str:
        """ISO 8601 UTC text of the instant t_s (s) after the epoch, truncated to `unit` as :func:`format_utc`
        ('2026-03-10T07:26:52.157Z')."""
        return str(format_utc(self.jd, self.fr + t_s / DAY_S, unit, zone))

    def to_datetime(self) -> datetime:
        """Aware UTC datetime of the epoch, rounded to the microsecond."""
        return jd_to_datetime(self.jd, self.fr)
