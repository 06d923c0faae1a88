"""PNT evaluation of a region grid or a list of sites: DOP and visibility over time, nominal and degraded.

Cases: the combined GPS + Galileo solution and each system alone; under a jamming scenario, the solution with
the systems whose receivers keep lock at each point; and satellite outages (a whole orbital plane, or the N
satellites in view most often over the area, which are the ones whose loss hurts most often). Each case gives
DOP over points x times; statistics use the PDOP limit (no fix counts as unavailable). Element sets far from
the evaluation time are reported as a warning with their age.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from orbitshare.astro.time import datetime_to_jd, format_utc, time_grid
from orbitshare.catalog import Catalog
from orbitshare.pnt.constellations import SYSTEMS, Constellation, element_age_days
from orbitshare.pnt.geometry import DopGrid, dop, site_geometry
from orbitshare.pnt.jamming import JammingResult, jamming
from orbitshare.pnt.orbits import GnssOrbits, gnss_orbits
from orbitshare.pnt.scenario import JammingScenario

__all__ = ["Case", "EvaluationConfig", "PntEvaluation", "Points", "default_start", "evaluate", "grid_stats"]

SYSTEM_LABEL = {"GPS": "GPS", "GAL": "Galileo"}


@dataclass(frozen=True)
class EvaluationConfig:
    """Time span (UTC start, hours, step in minutes), elevation mask (deg), PDOP limit and outage cases.

    lose_planes: (system, plane number from 1) pairs, each one case; lose_count: one case without the N
    satellites most often in view. max_element_age_days: warn beyond this element-set age.
    """

    start: datetime
    hours: float = 24.0
    step_min: float = 10.0
    mask_deg: float = 10.0
    pdop_limit: float = 6.0
    lose_planes: tuple[tuple[str, int], ...] = ()
    lose_count: int = 0
    max_element_age_days: float = 7.0


@dataclass
class Points:
    """Evaluation points: names, WGS-84 latitude/longitude (deg), ground height (km); kind 'grid' or 'sites'."""

    names: list[str]
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    h_km: np.ndarray
    kind: str = "grid"
    spacing_km: float | None = None

    def __len__(self) -> int:
        return len(self.names)

    @classmethod
    def grid(cls, lat_deg: np.ndarray, lon_deg: np.ndarray, spacing_km: float, prefix: str = "p") -> Points:
        """Grid points on the ellipsoid, named prefix-0001, prefix-0002, ..."""
        n = len(lat_deg)
        return cls([f"{prefix}-{i + 1:04d}" for i in range(n)], np.asarray(lat_deg, float), np.asarray(lon_deg, float),
                   np.zeros(n), "grid", spacing_km)


@dataclass
class Case:
    """One evaluated case: label, what it means, and its DOP grid."""

    label: str
    description: str
    dop: DopGrid


@dataclass
class PntEvaluation:
    """Everything an evaluation produced: inputs, satellites, cases, jamming and warnings."""

    config: EvaluationConfig
    points: Points
    constellation: Constellation
    orbits: GnssOrbits
    cases: list[Case]
    jamming: JammingResult | None = None
    scenario: JammingScenario | None = None
    warnings: list[str] = field(default_factory=list)
    element_age_days: np.ndarray | None = None
    in_view_share: np.ndarray | None = None

    def case(self, label: str) -> Case:
        """The case with this label."""
        for c in self.cases:
            if c.label == label:
                return c
        raise KeyError(label)

    @property
    def times_utc(self) -> list[str]:
        """ISO UTC strings of the evaluation times."""
        return [str(t) for t in format_utc(self.orbits.jd, self.orbits.fr)]

    def case_rows(self) -> list[dict[str, Any]]:
        """Statistics of every case over all points and times."""
        return [{"case": c.label, "description": c.description, **grid_stats(c.dop, self.config.pdop_limit)}
                for c in self.cases]

    def point_rows(self) -> list[dict[str, Any]]:
        """Per point: nominal visibility and DOP, and with jamming the J/S, lock and degraded DOP."""
        nom = self.cases[0].dop
        lim = self.config.pdop_limit
        rows = []
        pd = np.where(np.isfinite(nom.pdop), nom.pdop, np.inf)
        for i, name in enumerate(self.points.names):
            row: dict[str, Any] = {
                "name": name, "lat_deg": round(float(self.points.lat_deg[i]), 5),
                "lon_deg": round(float(self.points.lon_deg[i]), 5),
                "visible_min": int(nom.visible[i].min()), "visible_mean": round(float(nom.visible[i].mean()), 2),
                "pdop_mean": _finite(np.nanmean(nom.pdop[i]) if np.any(np.isfinite(nom.pdop[i])) else math.nan),
                "pdop_max": _finite(float(pd[i].max())),
                "hdop_mean": _finite(_nanmean(nom.hdop[i])), "vdop_mean": _finite(_nanmean(nom.vdop[i])),
                "availability_pct": round(100.0 * float(np.mean(pd[i] <= lim)), 2)}
            if self.jamming is not None:
                for band, js in self.jamming.js_by_band().items():
                    row[f"js_{band.lower()}_db"] = _finite(float(js[i]), 2)
                for k, s in enumerate(self.jamming.systems):
                    row[f"lock_{s.lower()}"] = bool(self.jamming.system_ok[i, k])
                jam = self.case("jammed").dop
                jp = np.where(np.isfinite(jam.pdop), jam.pdop, np.inf)
                row["lock"] = bool(np.any(self.jamming.system_ok[i]))
                row["pdop_jammed_mean"] = _finite(_nanmean(jam.pdop[i]))
                row["availability_jammed_pct"] = round(100.0 * float(np.mean(jp[i] <= lim)), 2)
            rows.append(row)
        return rows

    def time_rows(self) -> list[dict[str, Any]]:
        """Per time: for each case, the worst PDOP over the points, fewest satellites and availability."""
        rows = []
        lim = self.config.pdop_limit
        for t, utc in enumerate(self.times_utc):
            row: dict[str, Any] = {"utc": utc}
            for c in self.cases:
                p = np.where(np.isfinite(c.dop.pdop[:, t]), c.dop.pdop[:, t], np.inf)
                key = c.label.lower().replace("+", "_").replace(" ", "_").replace(":", "")
                row[f"{key}_pdop_worst"] = _finite(float(p.max()))
                row[f"{key}_visible_min"] = int(c.dop.visible[:, t].min())
                row[f"{key}_availability_pct"] = round(100.0 * float(np.mean(p <= lim)), 2)
            rows.append(row)
        return rows

    def satellite_rows(self) -> list[dict[str, Any]]:
        """Selected satellites (system, plane, node, epoch, age, share of point-times in view) and exclusions."""
        cat = self.constellation.catalog
        share = self.in_view_share if self.in_view_share is not None else np.zeros(len(cat))
        epochs = cat.epoch_iso()
        rows: list[dict[str, Any]] = []
        for i in range(len(cat)):
            rows.append({"norad_id": int(cat.norad_id[i]), "name": str(cat.name[i]),
                         "system": str(self.constellation.system[i]), "plane": int(self.orbits.plane[i]) + 1,
                         "raan_deg": round(float(self.orbits.raan_deg[i]), 2), "epoch_utc": str(epochs[i]),
                         "element_age_days": round(float(self.element_age_days[i]), 2)
                         if self.element_age_days is not None else None,
                         "in_view_pct": round(100.0 * float(share[i]), 2), "used": True, "reason": ""})
        for e in self.constellation.excluded:
            rows.append({"norad_id": e.norad_id, "name": e.name, "system": "", "plane": None, "raan_deg": None,
                         "epoch_utc": None, "element_age_days": None, "in_view_pct": None, "used": False,
                         "reason": f"{e.reason}{' — ' + e.source if e.source else ''}"})
        return rows

    def summary(self) -> dict[str, Any]:
        """JSON summary: inputs, satellites per system, case statistics, jammers and warnings."""
        cfg = self.config
        out: dict[str, Any] = {
            "start_utc": self.times_utc[0], "stop_utc": self.times_utc[-1], "step_min": cfg.step_min,
            "times": len(self.orbits.jd), "mask_deg": cfg.mask_deg, "pdop_limit": cfg.pdop_limit,
            "points": len(self.points), "point_kind": self.points.kind, "grid_spacing_km": self.points.spacing_km,
            "satellites": self.constellation.counts(),
            "excluded": [e.as_dict() for e in self.constellation.excluded],
            "element_age_days_max": _finite(float(np.max(np.abs(self.element_age_days))), 2)
            if self.element_age_days is not None and len(self.element_age_days) else None,
            "cases": self.case_rows(), "warnings": list(self.warnings),
            "model": {"dop": "least-squares geometry in local ENU; one receiver clock per system (GPS+Galileo: "
                             "clock and inter-system bias, 5 unknowns); TDOP of the first system in view",
                      "orbits": "SGP4 from the catalog element sets, TEME to ITRS"},
        }
        if self.jamming is not None and self.scenario is not None:
            lock = np.any(self.jamming.system_ok, axis=1)
            out["jamming"] = {
                "jammers": [j.as_dict() for j in self.scenario.jammers],
                "receiver": {k: v for k, v in self.scenario.receiver.__dict__.items()},
                "propagation": dict(self.scenario.propagation.__dict__),
                "js_tolerance_db": {s: round(float(t), 2) for s, t in zip(self.jamming.signals,
                                                                         self.jamming.tolerance_db, strict=True)},
                "points_lock_lost_pct": round(100.0 * float(np.mean(~lock)), 2),
                "points_system_lost_pct": {s: round(100.0 * float(np.mean(~self.jamming.system_ok[:, k])), 2)
                                           for k, s in enumerate(self.jamming.systems)},
            }
        return out

    def geojson(self) -> dict[str, Any]:
        """GeoJSON FeatureCollection of the points with their per-point results as properties."""
        feats = []
        for row in self.point_rows():
            props = {k: v for k, v in row.items() if k not in ("lat_deg", "lon_deg")}
            props["pdop"] = row["pdop_mean"]
            props["visible"] = row["visible_min"]
            props.setdefault("lock", True)
            feats.append({"type": "Feature", "properties": props,
                          "geometry": {"type": "Point", "coordinates": [row["lon_deg"], row["lat_deg"]]}})
        return {"type": "FeatureCollection", "features": feats}


def _nanmean(a: np.ndarray) -> float:
    """Mean of the finite values, NaN when there are none."""
    f = a[np.isfinite(a)]
    return float(f.mean()) if f.size else math.nan


def _finite(x: float, digits: int = 3) -> float | None:
    """Rounded float, or None for NaN/inf (JSON has no such numbers)."""
    return round(float(x), digits) if math.isfinite(x) else None


def grid_stats(d: DopGrid, pdop_limit: float) -> dict[str, Any]:
    """Availability (PDOP <= limit, %), no-fix share, PDOP mean/median/95th percentile/max and satellites in view.

    No fix counts as an infinite PDOP in the availability and the 95th percentile (None when it falls on one);
    the mean, median and maximum are over the point-times with a fix (near-degenerate geometry with few satellites
    gives very large PDOP values that dominate the mean: read it with the median).
    """
    p = np.where(np.isfinite(d.pdop), d.pdop, np.inf)
    fix = np.isfinite(p)
    per_point = np.mean(p <= pdop_limit, axis=1)
    return {"availability_pct": round(100.0 * float(np.mean(p <= pdop_limit)), 3),
            "no_fix_pct": round(100.0 * float(np.mean(~fix)), 3),
            "pdop_mean": _finite(float(p[fix].mean()) if fix.any() else math.nan),
            "pdop_median": _finite(float(np.median(p[fix])) if fix.any() else math.nan),
            "pdop_p95": _finite(float(np.quantile(p, 0.95, method="higher"))),
            "pdop_max": _finite(float(p[fix].max()) if fix.any() else math.nan),
            "hdop_mean": _finite(_nanmean(d.hdop)), "vdop_mean": _finite(_nanmean(d.vdop)),
            "visible_min": int(d.visible.min()), "visible_mean": round(float(d.visible.mean()), 2),
            "points_fully_available": int(np.sum(per_point >= 1.0)), "points": int(p.shape[0])}


def default_start(catalog: Catalog) -> datetime:
    """The newest element-set epoch, rounded up to the minute (UTC)."""
    newest = catalog.epoch.max().astype("datetime64[m]").astype(datetime) + timedelta(minutes=1)
    return newest.replace(tzinfo=UTC)


def evaluate(constellation: Constellation, points: Points, config: EvaluationConfig,
             scenario: JammingScenario | None = None) -> PntEvaluation:
    """Run every case of the evaluation over points x times (see module docstring)."""
    if len(constellation) == 0:
        raise ValueError("no GNSS satellite selected from the catalog")
    start = config.start
    steps = max(round(config.hours * 60.0 / config.step_min), 0)
    jd, fr = time_grid(start, start + timedelta(minutes=steps * config.step_min), config.step_min * 60.0)
    orbits = gnss_orbits(constellation, jd, fr)
    warnings = list(constellation.warnings)
    j0, f0 = datetime_to_jd(start)
    age0 = element_age_days(constellation.catalog, j0, f0)
    age1 = age0 + (float(jd[-1] - jd[0]) + float(fr[-1] - fr[0]))
    age = np.where(np.abs(age1) > np.abs(age0), age1, age0)
    worst = float(np.max(np.abs(age)))
    if worst > config.max_element_age_days:
        n_old = int(np.sum(np.abs(age) > config.max_element_age_days))
        warnings.append(f"element sets of {n_old} of {len(age)} satellites are up to {worst:.0f} days from the "
                        f"evaluation time (limit {config.max_element_age_days:g} days): SGP4 positions degrade "
                        "and satellites may have been manoeuvred, repositioned or retired since; use a catalog "
                        "from the evaluation date")
    failed = np.flatnonzero(~orbits.ok.all(axis=1))
    if len(failed):
        warnings.append(f"SGP4 failed for {len(failed)} satellites at some times; those samples are left out")
    geom = site_geometry(orbits.r_itrs_km, points.lat_deg, points.lon_deg, points.h_km)
    sys_idx = np.array([SYSTEMS.index(s) for s in constellation.system], dtype=np.int64)
    n_sys = len(SYSTEMS)

    def run(sat_ok: np.ndarray | None = None, system_ok: np.ndarray | None = None) -> DopGrid:
        ok = orbits.ok if sat_ok is None else orbits.ok & (sat_ok[:, None] if sat_ok.ndim == 1 else sat_ok)
        return dop(geom, sys_idx, n_sys, config.mask_deg, sat_ok=ok, system_ok=system_ok)

    present = constellation.systems_present()
    cases = [Case("+".join(present), "all selected satellites of "
                  + " and ".join(SYSTEM_LABEL[s] for s in present), run())]
    if len(present) > 1:
        for s in present:
            only = np.zeros((len(points), n_sys), dtype=bool)
            only[:, SYSTEMS.index(s)] = True
            cases.append(Case(s, f"{SYSTEM_LABEL[s]} alone", run(system_ok=only)))
    in_view = (geom.el_deg >= config.mask_deg) & orbits.ok[None, :, :]
    share = in_view.mean(axis=(0, 2))
    for system, plane in config.lose_planes:
        sel = (constellation.system == system) & (orbits.plane == plane - 1)
        spec = next((s for s in constellation.spec.systems if s.system == system), None) if constellation.spec else None
        if spec is None or not 1 <= plane <= spec.planes:
            raise ValueError(f"--lose-plane {system}:{plane}: no such plane (systems: "
                             f"{', '.join(s.system + ':1-' + str(s.planes) for s in constellation.spec.systems)})"
                             if constellation.spec else f"--lose-plane {system}:{plane}: no plane data")
        node = float(np.degrees(np.angle(np.mean(np.exp(1j * np.radians(orbits.raan_deg[sel])))))) % 360.0 \
            if sel.any() else math.nan
        cases.append(Case(f"{system} plane {plane} lost",
                          f"{SYSTEM_LABEL[system]} plane {plane} (node {node:.0f} deg, {int(sel.sum())} satellites) "
                          "out of service", run(sat_ok=~sel)))
    if config.lose_count > 0:
        n = min(config.lose_count, len(constellation))
        worst_idx = np.argsort(-share, kind="stable")[:n]
        keep = np.ones(len(constellation), dtype=bool)
        keep[worst_idx] = False
        names = ", ".join(str(constellation.catalog.name[i]).split(" (")[0] for i in worst_idx)
        cases.append(Case(f"{n} satellites lost", f"the {n} satellites most often in view over the area out of "
                          f"service ({names})", run(sat_ok=keep)))
    jam = None
    if scenario is not None:
        jam = jamming(scenario.jammers, points.lat_deg, points.lon_deg, points.h_km, scenario.receiver,
                      scenario.propagation)
        system_ok = np.zeros((len(points), n_sys), dtype=bool)
        for k, s in enumerate(jam.systems):
            system_ok[:, SYSTEMS.index(s)] = jam.system_ok[:, k]
        used = " + ".join(scenario.receiver.signals)
        cases.append(Case("jammed", f"receiver using {used}, only systems that keep lock under the "
                          f"{len(scenario.jammers)} jammers", run(system_ok=system_ok)))
    return PntEvaluation(config, points, constellation, orbits, cases, jam, scenario, warnings, age, share)
