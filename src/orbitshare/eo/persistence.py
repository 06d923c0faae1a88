"""Persistence of a virtual constellation over AOIs: revisit gaps, response time, access rate, polygon coverage,
and how each figure degrades when one asset or one partner's assets are lost.

Definitions (docs/eo.md): an access is one imaging opportunity, timed at its best (least off-nadir) instant;
for a polygon only accesses that cover part of it count. Revisit gaps are the times between consecutive accesses
in the window; `max_wait_h` also counts the wait from the window start to the first access and from the last
access to the window end. `first_access_h` is the wait from the request time to the first access at or after it.
`mean_response_h` is the mean wait to the next access for a request made at a uniformly random time between the
window start and the last access (sum of squared gaps over twice their sum). Polygon coverage uses a grid of
cells (centres inside the polygon): the fraction of cells inside at least one access's swath strip, and the
hours from the window start until 90 % and 100 % of the cells have been seen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import shapely

from orbitshare.astro.time import as_utc
from orbitshare.eo.aoi import Aoi
from orbitshare.eo.opportunities import Opportunities

__all__ = ["CoverageGrid", "Persistence", "aoi_metrics", "coverage_grid", "degradation", "persistence"]

#: Target number of grid cells over a polygon (the cell size follows from its area).
GRID_CELLS = 900


@dataclass(frozen=True)
class CoverageGrid:
    """Cell centres (km, the AOI's local plane) inside a polygon, the cell size (km) and, per cell, the hours
    from the window start to its first look (nan: never seen) and its number of looks."""

    x_km: np.ndarray
    y_km: np.ndarray
    cell_km: float
    first_seen_h: np.ndarray
    looks: np.ndarray

    def fraction_seen(self) -> float:
        """Fraction of cells seen at least once."""
        return float(np.mean(np.isfinite(self.first_seen_h))) if len(self.x_km) else float("nan")

    def hours_to_fraction(self, fraction: float) -> float | None:
        """Hours from the window start until `fraction` of the cells have been seen; None if never."""
        seen = np.sort(self.first_seen_h[np.isfinite(self.first_seen_h)])
        need = int(np.ceil(fraction * len(self.x_km) - 1e-9))
        if need == 0:
            return 0.0
        return float(seen[need - 1]) if len(seen) >= need else None


def coverage_grid(aoi: Aoi, strips: Sequence[Any], hours: Sequence[float], cells: int = GRID_CELLS) -> CoverageGrid:
    """Grid over a polygon AOI and, per cell, first-look time and look count from access strips (local km) taken
    at `hours` after the window start."""
    poly = aoi.local
    x0, y0, x1, y1 = poly.bounds
    cell = max(float(np.sqrt(poly.area / cells)), 0.05)
    xs = np.arange(x0 + cell / 2, x1, cell)
    ys = np.arange(y0 + cell / 2, y1, cell)
    gx, gy = (g.ravel() for g in np.meshgrid(xs, ys))
    inside = shapely.contains_xy(poly, gx, gy)
    gx, gy = gx[inside], gy[inside]
    first = np.full(len(gx), np.nan)
    looks = np.zeros(len(gx), dtype=int)
    for strip, h in sorted(zip(strips, hours, strict=True), key=lambda p: p[1]):
        if strip is None:
            continue
        hit = shapely.contains_xy(strip, gx, gy)
        looks += hit
        first = np.where(hit & np.isnan(first), h, first)
    return CoverageGrid(gx, gy, cell, first, looks)


def aoi_metrics(times_h: np.ndarray, span_h: float, request_h: float = 0.0) -> dict[str, float | int | None]:
    """Revisit and response figures (hours) from access times (hours after the window start) in [0, span_h]."""
    t = np.sort(np.asarray(times_h, dtype=np.float64))
    t = t[(t >= 0.0) & (t <= span_h)]
    out: dict[str, float | int | None] = {"accesses": len(t), "accesses_per_day": len(t) / (span_h / 24.0)}
    gaps = np.diff(t)
    out["mean_gap_h"] = float(np.mean(gaps)) if len(gaps) else None
    out["max_gap_h"] = float(np.max(gaps)) if len(gaps) else None
    out["max_wait_h"] = float(np.max(np.diff(np.concatenate([[0.0], t, [span_h]]))))
    after = t[t >= request_h]
    out["first_access_h"] = float(after[0] - request_h) if len(after) else None
    if len(t):
        waits = np.diff(np.concatenate([[0.0], t]))
        out["mean_response_h"] = float(np.sum(waits**2) / (2.0 * np.sum(waits))) if np.sum(waits) > 0 else 0.0
    else:
        out["mean_response_h"] = None
    return out


@dataclass
class Persistence:
    """Per-AOI figures of a constellation, its coverage grids (polygons) and the loss table."""

    constellation: list[str]
    start: datetime
    stop: datetime
    request: datetime
    table: list[dict[str, Any]]
    grids: dict[str, CoverageGrid]
    degradation: list[dict[str, Any]]
    access_hours: dict[str, list[tuple[float, str, str]]]  # AOI id -> (hours, asset id, owner)


def _counted(opp: Opportunities, keep: np.ndarray) -> np.ndarray:
    """Mask of accesses that count for persistence: selected, and covering part of a polygon AOI."""
    cov = opp.columns["coverage_fraction"]
    is_point = np.array([a.is_point for a in opp.aois])[opp.columns["aoi_index"]] if len(opp) else np.zeros(0, bool)
    return keep & (is_point | ~(cov <= 0.0))  # nan (swath unknown) counts: the centroid is in the field of regard


def _figures(opp: Opportunities, keep: np.ndarray, request_h: float, grids: bool) -> tuple[list[dict], dict]:
    """Per-AOI figures and coverage grids for the accesses selected by keep."""
    span_h = (opp.stop - opp.start).total_seconds() / 3600.0
    c = opp.columns
    mask = _counted(opp, keep)
    hours = c["best_s"] / 3600.0
    rows, out_grids = [], {}
    for k, aoi in enumerate(opp.aois):
        sel = mask & (c["aoi_index"] == k)
        row: dict[str, Any] = {"aoi": aoi.id, **aoi_metrics(hours[sel], span_h, request_h)}
        if not aoi.is_point:
            grid = coverage_grid(aoi, list(opp.strips[sel]), list(hours[sel]))
            row["coverage_fraction"] = round(grid.fraction_seen(), 4)
            row["hours_to_90pct"] = grid.hours_to_fraction(0.9)
            row["hours_to_100pct"] = grid.hours_to_fraction(1.0)
            if grids:
                out_grids[aoi.id] = grid
        rows.append(row)
    return rows, out_grids


def degradation(opp: Opportunities, request_h: float = 0.0) -> list[dict[str, Any]]:
    """Per-AOI figures with all assets, then without each single asset and without each single owner's assets."""
    c = opp.columns
    asset_ids = np.array([p.asset.id for p in opp.assets], dtype=object)
    owners = np.array([p.asset.owner for p in opp.assets], dtype=object)
    scenarios: list[tuple[str, str, np.ndarray]] = [("all", "", np.ones(len(opp), dtype=bool))]
    for a in dict.fromkeys(asset_ids):
        scenarios.append(("asset lost", str(a), asset_ids[c["asset_index"]] != a if len(opp) else np.zeros(0, bool)))
    for o in dict.fromkeys(owners):
        scenarios.append(("partner lost", str(o), owners[c["asset_index"]] != o if len(opp) else np.zeros(0, bool)))
    out = []
    for kind, lost, keep in scenarios:
        rows, _ = _figures(opp, keep, request_h, grids=False)
        for r in rows:
            out.append({"scenario": kind, "lost": lost, **r})
    return out


def persistence(opp: Opportunities, request=None) -> Persistence:
    """Persistence figures of the opportunities' constellation over their AOIs (request time: window start)."""
    request_dt = as_utc(request) if request is not None else opp.start
    request_h = (request_dt - opp.start).total_seconds() / 3600.0
    everything = np.ones(len(opp), dtype=bool)
    table, grids = _figures(opp, everything, request_h, grids=True)
    mask = _counted(opp, everything)
    c = opp.columns
    access_hours: dict[str, list[tuple[float, str, str]]] = {a.id: [] for a in opp.aois}
    for i in np.flatnonzero(mask):
        p = opp.assets[c["asset_index"][i]]
        access_hours[opp.aois[c["aoi_index"][i]].id].append((float(c["best_s"][i] / 3600.0), p.asset.id,
                                                             p.asset.owner))
    return Persistence([p.asset.id for p in opp.assets], opp.start, opp.stop, request_dt, table, grids,
                       degradation(opp, request_h), access_hours)
