"""Element-set age: when a TLE/OMM is too old for the time it is propagated to, and which window a catalog suits.

An element set's position error grows with the time from its epoch (its age; propagating backwards counts too).
STALE_AFTER_DAYS is the age beyond which results from a set are flagged. The limits are the age at which the
expected position error reaches the distance the commands screen at (5 km default screening threshold; 50 km
GEO watch distance of `sda proximity`):
* LEO and HEO (drag at perigee): 3 days. SGP4 element sets of LEO objects are good to about 1 km within a few
  days of epoch (Kelso, "Validation of SGP4 and IS-GPS-200D against GPS precision ephemerides", AAS 07-127,
  2007) and depart from the true orbit by 1-3 km per day (python-sgp4 documentation): 3-9 km after 3 days.
* MEO and GEO (no drag): 7 days. The along-track 1-sigma error of GEO element sets measured from the Fengyun
  histories (orbitshare.ssa.conjunction.tle_covariance.REGIME_ERROR_GROWTH, bench/tle_error_growth.py) is 5 km at 3 days
  and 16 km at 7 days, a third of the 50 km GEO watch distance.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt

from orbitshare.astro.time import Epoch, jd_to_datetime

__all__ = ["OLD_CATALOG_DAYS", "STALE_AFTER_DAYS", "default_start", "element_ages_days", "median_epoch",
           "stale", "stale_in_window", "stale_warning"]

STALE_AFTER_DAYS = {"LEO": 3.0, "HEO": 3.0, "MEO": 7.0, "GEO": 7.0}
#: A catalog whose median epoch is more than this many days before now is "old": a window starting now would
#: propagate most of it far beyond STALE_AFTER_DAYS.
OLD_CATALOG_DAYS = 3.0


def element_ages_days(catalog, rows: npt.ArrayLike, jd: npt.ArrayLike, fr: npt.ArrayLike) -> np.ndarray:
    """Age (days) of the element sets of catalog rows at two-part UTC Julian dates: time minus epoch."""
    return (np.asarray(jd) - catalog["epoch_jd"][rows]) + (np.asarray(fr) - catalog["epoch_fr"][rows])


def stale(age_days: np.ndarray, regime: np.ndarray) -> np.ndarray:
    """True where |age| exceeds the regime's limit (STALE_AFTER_DAYS; 3 days for an unknown regime)."""
    regime = np.asarray(regime).astype(str)
    limit = np.array([STALE_AFTER_DAYS.get(g, 3.0) for g in regime.ravel()]).reshape(regime.shape)
    return np.abs(np.asarray(age_days, float)) > limit


def stale_in_window(catalog, start, stop) -> np.ndarray:
    """Mask of catalog rows whose element set is stale at the window's start or stop (UTC datetimes or ISO)."""
    rows = np.arange(len(catalog))
    out = np.zeros(len(catalog), dtype=bool)
    for when in (start, stop):
        epoch = Epoch.from_utc(when)
        out |= stale(element_ages_days(catalog, rows, epoch.jd, epoch.fr), catalog.regime)
    return out


def stale_warning(n_stale: int, n_total: int, what: str) -> str | None:
    """The one-line warning for n_stale of n_total results (`what`, e.g. "conjunctions") computed from stale
    element sets, or None when there are none."""
    if not n_stale:
        return None
    limits = ", ".join(f"{k} {v:g} d" for k, v in STALE_AFTER_DAYS.items())
    return (f"warning: {n_stale:,} of {n_total:,} {what} use element sets older than their regime's limit "
            f"({limits}; docs/screening.md): positions may be off by many km")


def median_epoch(catalog) -> datetime:
    """Median element-set epoch of a non-empty catalog (aware UTC datetime, whole seconds)."""
    t = np.median(catalog["epoch_jd"] + catalog["epoch_fr"])
    return jd_to_datetime(float(t)).replace(microsecond=0)


def default_start(catalog, now: datetime | None = None) -> tuple[datetime, str | None]:
    """Window start for a command given no --start: now, or the catalog's median epoch (whole hour) when that is
    more than OLD_CATALOG_DAYS in the past, with the one line saying so (None when now is used)."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    if not len(catalog):
        return now, None
    median = median_epoch(catalog)
    if now - median <= timedelta(days=OLD_CATALOG_DAYS):
        return now, None
    start = median.replace(minute=0, second=0)
    return start, (f"the catalog's median epoch {median:%Y-%m-%d %H:%M} UTC is {(now - median).days} days old: "
                   f"the window starts there ({start:%Y-%m-%dT%H:%M}Z); give --start to choose another")
