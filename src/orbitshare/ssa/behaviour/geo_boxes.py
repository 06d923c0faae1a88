"""GEO station-keeping boxes inferred from an element-set history, and drift alerts.

The mean longitude of each set is Omega + omega + M - GMST (deg east, near-circular near-equatorial orbits; the
mean-to-osculating difference is below 0.01 deg at GEO) and its drift rate (n - Earth rotation) x 360 deg/day.
A satellite's history is split into tenancies: runs of sets drifting slower than `max_drift_deg_per_day` whose
longitudes stay within `slot_merge_deg` of the run's median, lasting at least `min_days`. Each tenancy's box
spans the 0.5-99.5 percentiles of its longitudes and inclinations plus a margin; its inclination is controlled
(north-south station-keeping) when that span is at most `controlled_incl_span_deg`.
A drift alert is raised when a set lies beyond its box by more than `leave_tolerance_deg` for at least
`min_outside_sets` sets in a row ("left box"),
when a controlled inclination rises above its box ("inclination above box"), and when an object drifting faster
than `min_drift_deg_per_day` would reach another object's box within `horizon_days` ("drifting toward slot").
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from orbitshare.astro.frames import gmst82_rad
from orbitshare.astro.time import format_utc
from orbitshare.ssa.behaviour.manoeuvres import History
from orbitshare.ssa.behaviour.proximity import SIDEREAL_REV_PER_DAY

__all__ = ["BoxConfig", "StationBox", "drift_alerts", "history_alerts", "longitude_history", "station_boxes"]


@dataclass(frozen=True)
class BoxConfig:
    """Box inference and drift-alert parameters (deg, days)."""

    max_drift_deg_per_day: float = 0.1  # sets drifting faster are relocating, not station-keeping
    slot_merge_deg: float = 1.5  # sets this close to a tenancy's median longitude belong to it
    min_days: float = 30.0  # shortest tenancy that defines a box
    margin_deg: float = 0.05  # added to each side of the percentile span
    controlled_incl_span_deg: float = 0.5  # inclination span of a controlled (north-south kept) box
    min_outside_sets: int = 2  # consecutive sets outside the box before "left box"
    leave_tolerance_deg: float = 0.1  # "outside" means beyond the box by more than this
    min_drift_deg_per_day: float = 0.05  # slower objects are not "drifting toward" anything
    horizon_days: float = 60.0  # arrival within this many days raises "drifting toward slot"


@dataclass(frozen=True)
class StationBox:
    """One tenancy of a GEO slot: longitude box (deg east), inclination box (deg) and its time span (UTC JD)."""

    norad_id: int
    lon_centre_deg: float
    lon_half_width_deg: float
    incl_min_deg: float
    incl_max_deg: float
    incl_controlled: bool
    start_jd: float
    end_jd: float
    sets: int

    def contains_lon(self, lon_deg: np.ndarray, tolerance_deg: float = 0.0) -> np.ndarray:
        """True where the longitude (deg) lies inside the box widened by tolerance_deg."""
        return np.abs(_wrap(np.asarray(lon_deg) - self.lon_centre_deg)) <= self.lon_half_width_deg + tolerance_deg

    def as_dict(self) -> dict:
        """Plain dict with ISO UTC start and end."""
        return asdict(self) | {"start": str(format_utc(self.start_jd, 0.0)), "end": str(format_utc(self.end_jd, 0.0))}


def _wrap(x_deg: np.ndarray) -> np.ndarray:
    """Angle difference wrapped to -180..180 deg."""
    return (x_deg + 180.0) % 360.0 - 180.0


def longitude_history(history: History) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Epochs (UTC JD), mean longitude (deg east, -180..180) and drift rate (deg/day, + eastward) of each set."""
    cat = history.catalog
    gmst, _ = gmst82_rad(cat["epoch_jd"], cat["epoch_fr"])
    lon = _wrap(cat["raan_deg"] + cat["argp_deg"] + cat["mean_anomaly_deg"] - np.degrees(gmst))
    drift = (cat["mean_motion_revday"] - SIDEREAL_REV_PER_DAY) * 360.0
    return history.t_jd, lon, drift


def station_boxes(history: History, config: BoxConfig | None = None) -> list[StationBox]:
    """The station-keeping boxes of the history's tenancies, oldest first (empty when it never keeps station)."""
    cfg = config or BoxConfig()
    t, lon, drift = longitude_history(history)
    incl = history.catalog["incl_deg"]
    slow = np.abs(drift) <= cfg.max_drift_deg_per_day
    boxes: list[StationBox | None] = []
    run: list[int] = []
    for j in range(len(t)):
        if not slow[j]:
            continue
        if run and abs(_wrap(lon[j] - np.median(lon[run[-50:]]))) > cfg.slot_merge_deg:
            boxes.append(_box(history, run, t, lon, incl, cfg))
            run = []
        run.append(j)
    if run:
        boxes.append(_box(history, run, t, lon, incl, cfg))
    return [b for b in boxes if b is not None]


def _box(history: History, run: list[int], t, lon, incl, cfg: BoxConfig) -> StationBox | None:
    """Box of one tenancy (set indices run), None when shorter than min_days."""
    idx = np.array(run)
    if t[idx[-1]] - t[idx[0]] < cfg.min_days:
        return None
    ref = np.median(lon[idx])
    rel = _wrap(lon[idx] - ref)
    lo, hi = np.percentile(rel, [0.5, 99.5])
    ilo, ihi = np.percentile(incl[idx], [0.5, 99.5])
    return StationBox(int(history.catalog.norad_id[idx[0]]), float(_wrap(ref + (lo + hi) / 2.0)),
                      float((hi - lo) / 2.0 + cfg.margin_deg), float(max(ilo - cfg.margin_deg, 0.0)),
                      float(ihi + cfg.margin_deg), bool(ihi - ilo <= cfg.controlled_incl_span_deg),
                      float(t[idx[0]]), float(t[idx[-1]]), len(idx))


def drift_alerts(history: History, box: StationBox, others: list[StationBox] | None = None,
                 start_jd: float | None = None, config: BoxConfig | None = None,
                 stop_jd: float | None = None) -> list[dict]:
    """Alerts for the sets after start_jd (default: the end of `box`) and before stop_jd (default: all) of an
    object whose slot is `box`: it left
    the box, its controlled inclination rose above the box, or it drifts toward one of the `others` boxes
    (reaching it within horizon_days). One alert per excursion and reason; dicts with time (ISO UTC), reason,
    longitude and drift, and for "drifting toward slot" the target's NORAD id, box centre and days to reach it."""
    cfg = config or BoxConfig()
    t, lon, drift = longitude_history(history)
    incl = history.catalog["incl_deg"]
    after = (t > (box.end_jd if start_jd is None else start_jd)) & (t < (np.inf if stop_jd is None else stop_jd))
    outside = after & ~box.contains_lon(lon, cfg.leave_tolerance_deg)
    fast = np.abs(drift) >= cfg.min_drift_deg_per_day
    steady = fast & np.concatenate([[False], fast[:-1] & (np.sign(drift[1:]) == np.sign(drift[:-1]))])  # 2 in a row
    out: list[dict] = []
    seen: set[tuple] = set()
    run = 0
    for j in (int(x) for x in np.flatnonzero(after)):
        run = run + 1 if outside[j] else 0
        if not outside[j]:
            seen = {k for k in seen if k[0] == "inclination above box"}  # back in the box: a new excursion
        if run == cfg.min_outside_sets and ("left box",) not in seen:
            seen.add(("left box",))
            out.append(_alert(t, lon, drift, j - run + 1, box, "left box"))
        if box.incl_controlled and incl[j] > box.incl_max_deg and ("inclination above box",) not in seen:
            seen.add(("inclination above box",))
            out.append(_alert(t, lon, drift, j, box, "inclination above box") | {"incl_deg": float(incl[j])})
        if not steady[j]:
            continue
        for other in others or []:
            sep = float(_wrap(other.lon_centre_deg - lon[j]))
            dist = abs(sep) - other.lon_half_width_deg
            if other.norad_id == box.norad_id or np.sign(sep) != np.sign(drift[j]) or dist <= 0.0:
                continue
            days = dist / abs(drift[j])
            key = ("drifting toward slot", other.norad_id)
            if days <= cfg.horizon_days and key not in seen:
                seen.add(key)
                out.append(_alert(t, lon, drift, j, box, "drifting toward slot")
                           | {"target_norad_id": other.norad_id, "target_lon_deg": other.lon_centre_deg,
                              "days_to_target_box": float(days)})
    return out


def history_alerts(history: History, others: list[StationBox] | None = None,
                   config: BoxConfig | None = None) -> tuple[list[StationBox], list[dict]]:
    """The history's boxes and the drift alerts of each tenancy: the sets after one box up to the start of the
    next (after the last box: to the end) checked against that box and the `others` boxes."""
    boxes = station_boxes(history, config)
    alerts = []
    for i, box in enumerate(boxes):
        stop = boxes[i + 1].start_jd if i + 1 < len(boxes) else None
        alerts += drift_alerts(history, box, others, config=config, stop_jd=stop)
    return boxes, alerts


def _alert(t, lon, drift, j: int, box: StationBox, reason: str) -> dict:
    """One alert record at set j."""
    return {"norad_id": box.norad_id, "time": str(format_utc(t[j], 0.0)), "reason": reason,
            "lon_deg": float(lon[j]), "drift_deg_per_day": float(drift[j]), "box_lon_deg": box.lon_centre_deg,
            "box_half_width_deg": box.lon_half_width_deg}
