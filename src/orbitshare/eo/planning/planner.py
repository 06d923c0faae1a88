"""Collection planning across partners: requests + satellites -> a conflict-free, fair acquisition plan.

Pipeline: candidate acquisitions (`candidates.request_candidates`), slew/settle conflicts between them
(`engine.conflict_pairs`), images-per-day limits per satellite and UTC day, then CP-SAT (`engine.select`)
maximising the priority-weighted value under the fairness rule: lexicographic max-min of each partner's
served share of its attainable value, then the total value. The plan lists the acquisitions (satellite,
request, start, end, off-nadir, GSD), the unserved requests with reasons, a per-partner summary and the
optimality gap (objective against CP-SAT's best bound).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from orbitshare.astro.propagation import Sgp4Records, propagate_pairs
from orbitshare.astro.time import Epoch, as_utc
from orbitshare.eo.planning.candidates import REASONS, request_candidates
from orbitshare.eo.planning.engine import Agility, conflict_pairs, select
from orbitshare.eo.planning.requests import PlanningSatellite, Request

__all__ = ["CollectionPlan", "plan_collection", "plan_geojson", "plan_rows", "plan_stac_items",
           "satellites_from_catalog"]


@dataclass
class CollectionPlan:
    """A plan: acquisitions, unserved requests with reasons, per-partner summary, solver figures."""

    start: datetime
    days: float
    acquisitions: list[dict[str, Any]]
    unserved: list[dict[str, Any]]
    partners: list[dict[str, Any]]
    solver: dict[str, Any]
    satellites: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready content."""
        return {"start_utc": _z(self.start), "days": self.days,
                "fairness_rule": "lexicographic: max-min partner share of attainable value, then total value",
                "acquisitions": self.acquisitions, "unserved": self.unserved, "partners": self.partners,
                "solver": self.solver, "satellites": self.satellites}


def _z(value: datetime) -> str:
    """ISO 8601 UTC text with milliseconds and Z."""
    return as_utc(value).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def plan_collection(requests: list[Request], sats: list[PlanningSatellite], recs: Sgp4Records, start: datetime,
                    days: float, time_limit_s: float = 30.0, fairness: float = 1.0, step_s: float = 30.0,
                    workers: int = 2, seed: int = 0, max_candidates: int = 12000) -> CollectionPlan:
    """Plan acquisitions of `requests` by `sats` (SGP4 records `recs`, same order) over [start, start + days].

    The candidate budget `max_candidates` sets how many passes per request (2..12, best off-nadir first) and
    acquisition times per pass (3, or 1 on large problems) enter the CP-SAT model."""
    if not requests:
        raise ValueError("no requests to plan")
    if not sats:
        raise ValueError("no satellite can be planned (see the registry's unknown figures)")
    if not 0.0 <= fairness <= 1.0:
        raise ValueError("fairness must be within 0..1")
    start = as_utc(start)
    t0 = time.perf_counter()
    times_per_pass = 3 if 3 * 12 * len(requests) <= max_candidates else 1
    max_passes = int(max(2, min(12, max_candidates // (times_per_pass * len(requests)))))
    cands, info = request_candidates(requests, sats, recs, start, days, step_s, max_passes, times_per_pass)
    t_cands = time.perf_counter() - t0
    agility = Agility(np.array([p.slew_rate_deg_s for p in sats]), np.array([p.slew_accel_deg_s2 for p in sats]),
                      np.array([p.settle_s for p in sats]))
    max_angle = 2.0 * max(p.max_off_nadir_deg for p in sats) + 5.0
    pairs = conflict_pairs(cands, agility, max_angle)
    capacity = []
    day = np.floor(cands.start_s / 86400.0).astype(int)
    for i, p in enumerate(sats):
        if p.images_per_day is None:
            continue
        for d in np.unique(day[cands.sat == i]):
            capacity.append((np.flatnonzero((cands.sat == i) & (day == d)), int(p.images_per_day)))
    partners = sorted({r.partner for r in requests})
    group = np.array([partners.index(r.partner) for r in requests])
    t_build = time.perf_counter() - t0
    sel = select(cands, pairs, max(1.0, time_limit_s - t_build), workers, capacity,
                 group_of_job=group if len(partners) > 1 else None, fairness=fairness, seed=seed)
    acquisitions = []
    served: dict[int, int] = {}
    chosen = np.flatnonzero(sel.chosen)
    jd, fr = Epoch.from_datetime(start).offsets(0.5 * (cands.start_s[chosen] + cands.end_s[chosen]))
    _, v_teme, _ = propagate_pairs(recs, cands.sat[chosen], jd, fr)
    for k, vz in zip(chosen, v_teme[:, 2], strict=True):
        p, r = sats[int(cands.sat[k])], requests[int(cands.job[k])]
        served[int(cands.job[k])] = int(k)
        gsd = float(info.gsd_m[k])
        acquisitions.append({
            "request": r.id, "partner": r.partner, "priority": r.priority, "norad_id": p.norad_id,
            "satellite": p.name, "asset": p.asset_id, "owner": p.owner, "sensor": p.sensor,
            "start": _z(start + timedelta(seconds=float(cands.start_s[k]))),
            "end": _z(start + timedelta(seconds=float(cands.end_s[k]))),
            "off_nadir_deg": round(float(info.off_nadir_deg[k]), 3),
            "gsd_m": round(gsd, 3) if np.isfinite(gsd) else None,
            "orbit_state": "ascending" if vz >= 0 else "descending",
            "lat_deg": r.aim_deg[0], "lon_deg": r.aim_deg[1]})
    acquisitions.sort(key=lambda a: (a["start"], a["norad_id"]))
    has_candidate = set(cands.job.tolist())
    unserved = []
    for j, r in enumerate(requests):
        if j in served:
            continue
        key = info.reason[j] if j not in has_candidate else "conflict"
        text = REASONS.get(key or "", "every opportunity is taken by acquisitions of higher total value, "
                           "a slew/settle conflict or an images-per-day limit")
        unserved.append({"request": r.id, "partner": r.partner, "priority": r.priority, "reason": key,
                         "detail": text})
    summary = []
    attain = sel.details.get("attainable_by_group", {})
    for g, name in enumerate(partners):
        jobs = [j for j, r in enumerate(requests) if r.partner == name]
        demand = sum(requests[j].weight for j in jobs)
        value = sum(requests[j].weight for j in jobs if j in served)
        if not attain:
            reach = {int(cands.job[k]) for k in range(len(cands))}
            att = sum(requests[j].weight for j in jobs if j in reach)
        else:
            att = int(attain.get(g, 0))
        summary.append({"partner": name, "requests": len(jobs), "served": sum(1 for j in jobs if j in served),
                        "weighted_demand": demand, "attainable_value": att, "served_value": value,
                        "share_of_attainable": round(value / att, 4) if att else None})
    solver = {"status": sel.status, "objective": sel.objective, "best_bound": sel.best_bound,
              "gap": round(sel.gap, 6), "candidates": len(cands), "conflicts": len(pairs),
              "capacity_limits": len(capacity), "candidates_s": round(t_cands, 3),
              "build_s": round(t_build, 3), "solve_s": round(sel.wall_s, 3),
              "time_limit_s": time_limit_s, "fairness": fairness, "passes_per_request": max_passes,
              "times_per_pass": times_per_pass,
              **{k: v for k, v in sel.details.items() if k not in ("attainable_by_group", "candidates", "conflicts")}}
    satellites = [{"norad_id": p.norad_id, "name": p.name, "owner": p.owner, "asset": p.asset_id,
                   "sensor": p.sensor, "max_off_nadir_deg": p.max_off_nadir_deg, "assumed": list(p.assumed)}
                  for p in sats]
    return CollectionPlan(start, days, acquisitions, unserved, summary, solver, satellites)


def plan_rows(plan: CollectionPlan) -> list[dict[str, Any]]:
    """One row per acquisition (CSV/table form)."""
    keys = ("start", "end", "satellite", "norad_id", "owner", "request", "partner", "priority", "off_nadir_deg",
            "gsd_m")
    return [{k: a[k] for k in keys} for a in plan.acquisitions]


def plan_geojson(plan: CollectionPlan, requests: list[Request]) -> dict[str, Any]:
    """GeoJSON FeatureCollection of the planned acquisitions (geometry: the request's AOI)."""
    by_id = {r.id: r for r in requests}
    features = [{"type": "Feature", "geometry": by_id[a["request"]].geometry(),
                 "properties": {k: a[k] for k in ("request", "partner", "satellite", "norad_id", "owner", "start",
                                                   "end", "off_nadir_deg", "gsd_m", "priority")}}
                for a in plan.acquisitions]
    return {"type": "FeatureCollection", "features": features}


def satellites_from_catalog(registry, catalog) -> tuple[list[PlanningSatellite], Sgp4Records, list[dict[str, str]]]:
    """Planning satellites of the registry's assets found (by NORAD id) in a catalog, their SGP4 records in the
    same order, and the assets left out with the reason."""
    from orbitshare.eo.planning.requests import planning_satellites_from_registry

    ids = catalog.norad_id.tolist()
    alt = {int(n): float(a) for n, a in zip(ids, 0.5 * (catalog.perigee_km + catalog.apogee_km), strict=True)}
    sats, skipped = planning_satellites_from_registry(registry, alt)
    recs = Sgp4Records.from_catalog(catalog.take(catalog.index_of([p.norad_id for p in sats])))
    return sats, recs, skipped


def _scene(lat_deg: float, lon_deg: float, side_km: float) -> dict[str, Any]:
    """GeoJSON polygon (lon, lat) of a square scene of side_km centred on a point (local flat-Earth degrees)."""
    dlat = 0.5 * side_km / 111.32
    dlon = dlat / max(np.cos(np.radians(lat_deg)), 0.01)
    ring = [[lon_deg - dlon, lat_deg - dlat], [lon_deg + dlon, lat_deg - dlat], [lon_deg + dlon, lat_deg + dlat],
            [lon_deg - dlon, lat_deg + dlat], [lon_deg - dlon, lat_deg - dlat]]
    return {"type": "Polygon", "coordinates": [ring]}


def plan_stac_items(plan: CollectionPlan, requests: list[Request], registry, label: dict[str, Any]
                    ) -> tuple[list[dict[str, Any]], list[str]]:
    """STAC Items (status "planned") of the acquisitions made by registry assets, and a note per acquisition
    left out. Footprint: the request's polygon, or for a point the asset's square scene (its swath, else 10 km)."""
    from orbitshare.eo.stac import acquisition_item

    by_id = {r.id: r for r in requests}
    items, notes = [], []
    for a in plan.acquisitions:
        if a["asset"] is None or a["asset"] not in registry:
            notes.append(f"{a['request']}: satellite {a['norad_id']} is not a registry asset")
            continue
        asset = registry.get(a["asset"])
        r = by_id[a["request"]]
        footprint = r.geometry() if r.polygon is not None else _scene(a["lat_deg"], a["lon_deg"],
                                                                        asset.swath_km or 10.0)
        try:
            items.append(acquisition_item(
                asset, a["start"], a["end"], footprint, a["off_nadir_deg"], label=label, status="planned",
                gsd_m=a["gsd_m"], orbit_state=a["orbit_state"],
                item_id=f"{asset.id}-{r.id}-{a['start'][:19].replace(':', '').replace('-', '')}-planned"))
        except ValueError as exc:
            notes.append(f"{a['request']}: {exc}")
    return items, notes
