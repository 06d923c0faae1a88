"""The agile EO scheduling benchmark `aeossp_standard` (AstroReason-Bench): case loader and verifier.

A case is a 12 h horizon, satellites given by TLE with an attitude model (slew rate, acceleration, settling,
maximum off-nadir) and a battery model, and point tasks with a window, a required duration, a sensor type and
a weight. A solution is a list of observation actions. The verifier follows the benchmark's specification:
structure checks (grid, horizon, window, duration, sensor), continuous visibility within the maximum
off-nadir angle on the geometry grid plus the action ends, no overlap and a bang-coast-bang slew plus settling
before each observation (from nadir before the first), and a battery simulated on the resource grid with
idle, imaging and slew loads and charging in sunlight. Metrics: CR, WCR, TAT (mean completion - release, s)
and PC (gross Wh). Propagation follows the benchmark: SGP4 with WGS-84 constants, UT1 = UTC, WGS-84 targets.
"""

from __future__ import annotations

import io
import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

import numpy as np
import yaml
from sgp4.api import WGS84, Satrec
from skyfield.sgp4lib import theta_GMST1982

from orbitshare.astro.access import off_nadir_deg
from orbitshare.astro.frames import geodetic_to_itrs
from orbitshare.astro.propagation import Sgp4Records
from orbitshare.astro.time import Epoch, as_utc, parse_utc
from orbitshare.catalog import Catalog
from orbitshare.catalog.reader import parse_text_records
from orbitshare.catalog.records import Reject, check_elements
from orbitshare.eo.planning.geometry import angle_between_deg, slew_time_s, sunlit

__all__ = ["Action", "AeosspCase", "AeosspSatellite", "AeosspTask", "Failure", "Mission", "Verification",
           "format_z", "load_case", "parse_solution", "states", "target_teme", "verify"]

EPS = 1e-9


def format_z(value: datetime) -> str:
    """ISO 8601 UTC text ending in Z, whole seconds when exact ('2026-04-14T04:00:00Z')."""
    return as_utc(value).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Mission:
    """Horizon (aware UTC) and the action, geometry and resource grid steps (s)."""

    case_id: str
    start: datetime
    end: datetime
    action_step_s: int
    geometry_step_s: int
    resource_step_s: int

    @property
    def horizon_s(self) -> float:
        """Horizon length (s)."""
        return (self.end - self.start).total_seconds()


@dataclass(frozen=True)
class AeosspSatellite:
    """A satellite: TLE, sensor type, attitude limits (deg, deg/s, deg/s^2, s) and power model (Wh, W)."""

    satellite_id: str
    norad_id: int
    tle_line1: str
    tle_line2: str
    sensor_type: str
    max_rate_deg_s: float
    max_accel_deg_s2: float
    settle_s: float
    max_off_nadir_deg: float
    battery_capacity_wh: float
    initial_battery_wh: float
    idle_w: float
    imaging_w: float
    slew_w: float
    charge_w: float


@dataclass(frozen=True)
class AeosspTask:
    """A point task: WGS-84 position, window (aware UTC), duration (s), sensor type and weight."""

    task_id: str
    name: str
    lat_deg: float
    lon_deg: float
    alt_m: float
    release: datetime
    due: datetime
    duration_s: int
    sensor_type: str
    weight: float

    @property
    def r_itrs_km(self) -> np.ndarray:
        """ITRS position (km) of the target."""
        return geodetic_to_itrs(self.lat_deg, self.lon_deg, self.alt_m / 1000.0)


@dataclass
class AeosspCase:
    """A benchmark case: mission, satellites and tasks by id, and the satellites' SGP4 records (in that order)."""

    mission: Mission
    satellites: dict[str, AeosspSatellite]
    tasks: dict[str, AeosspTask]
    records: Sgp4Records
    satrecs: list[Any]
    sat_index: dict[str, int] = field(default_factory=dict)

    @property
    def epoch(self) -> Epoch:
        """Epoch of the horizon start (time offsets are seconds from it)."""
        return Epoch.from_datetime(self.mission.start)


@dataclass(frozen=True)
class Action:
    """An observation action of a solution."""

    satellite_id: str
    task_id: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Failure:
    """Why an action (index, -1 for none) was rejected, at which stage and time."""

    action_index: int
    satellite_id: str
    task_id: str
    reason: str
    stage: str
    time: datetime | None


@dataclass
class Verification:
    """Verifier outcome: validity, metrics (zeroed when invalid), failures, per-task and per-satellite detail."""

    valid: bool
    metrics: dict[str, Any]
    failures: list[Failure]
    per_task: dict[str, dict[str, Any]]
    per_satellite: dict[str, dict[str, Any]]

    @property
    def violations(self) -> list[str]:
        """One line per failure."""
        return [f"{f.satellite_id} {f.task_id or '-'} ({f.stage}): {f.reason}" for f in self.failures]


def _need(mapping: Any, key: str, where: str) -> Any:
    """mapping[key], or ValueError naming the file/record and the field."""
    if not isinstance(mapping, dict) or key not in mapping:
        raise ValueError(f"{where}: missing field {key!r}")
    return mapping[key]


def _time(mapping: Any, key: str, where: str) -> datetime:
    """An aware UTC time field, or ValueError naming it."""
    value = _need(mapping, key, where)
    try:
        return as_utc(value) if isinstance(value, datetime) else parse_utc(str(value))
    except (TypeError, ValueError):
        raise ValueError(f"{where}: field {key!r} is not an ISO 8601 UTC time: {value!r}") from None


def _num(mapping: Any, key: str, where: str) -> float:
    """A finite number field, or ValueError naming it."""
    value = _need(mapping, key, where)
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: field {key!r} is not a number: {value!r}") from None
    if not math.isfinite(out):
        raise ValueError(f"{where}: field {key!r} is not finite")
    return out


def _yaml(fileobj: IO[str], source: str, top: str) -> Any:
    """The `top` entry of a YAML document, or ValueError naming the file."""
    try:
        doc = yaml.safe_load(fileobj)
    except yaml.YAMLError as e:
        raise ValueError(f"{source}: not valid YAML ({str(e).splitlines()[0]})") from None
    return _need(doc, top, source)


def parse_mission(fileobj: IO[str], source: str = "mission.yaml") -> Mission:
    """Mission of a `mission.yaml` file object."""
    m = _yaml(fileobj, source, "mission")
    mission = Mission(str(_need(m, "case_id", source)), _time(m, "horizon_start", source),
                      _time(m, "horizon_end", source), int(_num(m, "action_time_step_s", source)),
                      int(_num(m, "geometry_sample_step_s", source)), int(_num(m, "resource_sample_step_s", source)))
    if mission.end <= mission.start or min(mission.action_step_s, mission.geometry_step_s,
                                           mission.resource_step_s) <= 0:
        raise ValueError(f"{source}: horizon must be positive and steps positive")
    return mission


def parse_satellites(fileobj: IO[str], source: str = "satellites.yaml") -> list[AeosspSatellite]:
    """Satellites of a `satellites.yaml` file object."""
    out = []
    for k, s in enumerate(_yaml(fileobj, source, "satellites")):
        where = f"{source} satellite {k + 1}"
        att, res = _need(s, "attitude_model", where), _need(s, "resource_model", where)
        out.append(AeosspSatellite(
            str(_need(s, "satellite_id", where)), int(_num(s, "norad_catalog_id", where)),
            str(_need(s, "tle_line1", where)), str(_need(s, "tle_line2", where)),
            str(_need(_need(s, "sensor", where), "sensor_type", where)),
            _num(att, "max_slew_velocity_deg_per_s", where), _num(att, "max_slew_acceleration_deg_per_s2", where),
            _num(att, "settling_time_s", where), _num(att, "max_off_nadir_deg", where),
            _num(res, "battery_capacity_wh", where), _num(res, "initial_battery_wh", where),
            _num(res, "idle_power_w", where), _num(res, "imaging_power_w", where), _num(res, "slew_power_w", where),
            _num(res, "sunlit_charge_power_w", where)))
    return out


def parse_tasks(fileobj: IO[str], source: str = "tasks.yaml") -> list[AeosspTask]:
    """Tasks of a `tasks.yaml` file object."""
    out = []
    for k, t in enumerate(_yaml(fileobj, source, "tasks")):
        where = f"{source} task {k + 1}"
        out.append(AeosspTask(
            str(_need(t, "task_id", where)), str(t.get("name", "")), _num(t, "latitude_deg", where),
            _num(t, "longitude_deg", where), _num(t, "altitude_m", where), _time(t, "release_time", where),
            _time(t, "due_time", where), int(_num(t, "required_duration_s", where)),
            str(_need(t, "required_sensor_type", where)), _num(t, "weight", where)))
    return out


def build_case(mission: Mission, satellites: list[AeosspSatellite], tasks: list[AeosspTask],
               source: str = "case") -> AeosspCase:
    """A case from its parts; ValueError for duplicate ids or unusable TLEs."""
    sats = {s.satellite_id: s for s in satellites}
    if len(sats) != len(satellites):
        raise ValueError(f"{source}: duplicate satellite_id")
    task_map = {t.task_id: t for t in tasks}
    if len(task_map) != len(tasks):
        raise ValueError(f"{source}: duplicate task_id")
    records = []
    satrecs = []
    for s in satellites:
        text = f"{s.satellite_id}\n{s.tle_line1}\n{s.tle_line2}\n"
        items = list(parse_text_records(io.StringIO(text), f"{source} satellite {s.satellite_id}", "tle"))
        problem = str(items[0]) if items and isinstance(items[0], Reject) else None
        if not problem and items:
            bad = check_elements(items[0])
            problem = f"{bad[0]}: {bad[1]}" if bad else None
        if problem or len(items) != 1:
            raise ValueError(f"{source}: satellite {s.satellite_id}: unusable TLE ({problem or 'no element set'})")
        records.append(items[0])
        satrecs.append(Satrec.twoline2rv(s.tle_line1, s.tle_line2, WGS84))
    recs = Sgp4Records.from_catalog(Catalog.from_records(records))
    if np.any(recs.init_error != 0):
        raise ValueError(f"{source}: SGP4 cannot initialise a satellite's elements")
    return AeosspCase(mission, sats, task_map, recs, satrecs, {s.satellite_id: i for i, s in enumerate(satellites)})


def load_case(case_dir: str | Path) -> AeosspCase:
    """Read `mission.yaml`, `satellites.yaml` and `tasks.yaml` of a case directory."""
    d = Path(case_dir)
    with open(d / "mission.yaml", encoding="utf-8") as fh:
        mission = parse_mission(fh, str(d / "mission.yaml"))
    with open(d / "satellites.yaml", encoding="utf-8") as fh:
        satellites = parse_satellites(fh, str(d / "satellites.yaml"))
    with open(d / "tasks.yaml", encoding="utf-8") as fh:
        tasks = parse_tasks(fh, str(d / "tasks.yaml"))
    return build_case(mission, satellites, tasks, str(d))


def parse_solution(fileobj: IO[str], source: str = "solution.json") -> list[Action]:
    """Observation actions of a solution JSON file object; ValueError naming the action and field."""
    try:
        doc = json.load(fileobj)
    except json.JSONDecodeError as e:
        raise ValueError(f"{source}: not valid JSON ({e.msg} at line {e.lineno})") from None
    out = []
    for k, a in enumerate(_need(doc, "actions", source)):
        where = f"{source} actions[{k}]"
        if _need(a, "type", where) != "observation":
            raise ValueError(f"{where}: unsupported action type {a.get('type')!r}")
        out.append(Action(str(_need(a, "satellite_id", where)), str(_need(a, "task_id", where)),
                          _time(a, "start_time", where), _time(a, "end_time", where)))
    return out


def states(case: AeosspCase, sat_id: str, t_s) -> tuple[np.ndarray, np.ndarray]:
    """TEME and ITRS positions (m, 3) in km of one satellite at t_s (s after the horizon start), benchmark rules.

    The benchmark's verifier propagates SGP4 with WGS-84 constants and a static zero EOP (UT1 = UTC, no polar
    motion); the same conventions are used here so that slew angles and visibility edges match it.
    """
    t_s = np.atleast_1d(np.asarray(t_s, dtype=np.float64))
    jd, fr = case.epoch.offsets_normalised(t_s)
    err, r, _ = case.satrecs[case.sat_index[sat_id]].sgp4_array(jd, fr)
    if np.any(err != 0):
        raise ValueError(f"SGP4 fails for {sat_id} in the horizon (error {int(err[err != 0][0])})")
    theta = theta_GMST1982(jd, fr)[0]
    c, s = np.cos(theta), np.sin(theta)
    r_itrs = np.stack([c * r[:, 0] + s * r[:, 1], -s * r[:, 0] + c * r[:, 1], r[:, 2]], axis=-1)
    return r, r_itrs


def target_teme(case: AeosspCase, task_id: str, t_s) -> np.ndarray:
    """TEME position (m, 3) in km of a task's target at t_s (s after the horizon start), UT1 = UTC."""
    t_s = np.atleast_1d(np.asarray(t_s, dtype=np.float64))
    jd, fr = case.epoch.offsets_normalised(t_s)
    theta = theta_GMST1982(jd, fr)[0]
    c, s = np.cos(theta), np.sin(theta)
    x, y, z = case.tasks[task_id].r_itrs_km
    return np.stack([c * x - s * y, s * x + c * y, np.full_like(c, z)], axis=-1)


def _aligned(seconds: float, step: int) -> bool:
    """Whether seconds lie on a grid of `step` s."""
    return abs(seconds / step - round(seconds / step)) <= 1e-9


def _structure(case: AeosspCase, actions: list[Action], failures: list[Failure]) -> list[int]:
    """Indices of actions passing the structure checks (failures appended for the others)."""
    m = case.mission
    ok = []
    for i, a in enumerate(actions):
        def fail(reason: str, when: datetime | None = a.start, a: Action = a, i: int = i) -> None:
            failures.append(Failure(i, a.satellite_id, a.task_id, reason, "structure", when))
        if a.satellite_id not in case.satellites:
            fail("unknown satellite_id")
            continue
        if a.task_id not in case.tasks:
            fail("unknown task_id")
            continue
        task = case.tasks[a.task_id]
        if a.end <= a.start:
            fail("end_time must be after start_time")
            continue
        if a.start < m.start or a.end > m.end:
            fail("action lies outside the mission horizon")
            continue
        bad = [(name, t) for name, t in (("start_time", a.start), ("end_time", a.end))
               if not _aligned((t - m.start).total_seconds(), m.action_step_s)]
        if bad:
            fail(f"{bad[0][0]} must align to the {m.action_step_s}s action grid", bad[0][1])
            continue
        if a.start < task.release or a.end > task.due:
            fail("action lies outside the task window")
            continue
        if (a.end - a.start).total_seconds() != task.duration_s:
            fail(f"action duration must equal required_duration_s ({task.duration_s}s)")
            continue
        if case.satellites[a.satellite_id].sensor_type != task.sensor_type:
            fail("satellite sensor_type does not match task required_sensor_type")
            continue
        ok.append(i)
    return ok


def _sample_offsets(m: Mission, start_s: float, end_s: float) -> np.ndarray:
    """Offsets (s from horizon start): action start, geometry grid points strictly inside, action end."""
    step = m.geometry_step_s
    inner = np.arange((round(start_s) // step + 1) * step, round(end_s), step, dtype=np.float64)
    return np.concatenate([[start_s], inner[inner < end_s], [end_s]])


def _geometry(case: AeosspCase, actions: list[Action], idx: list[int], failures: list[Failure]) -> list[int]:
    """Actions (indices) continuously visible within the satellite's maximum off-nadir angle."""
    m = case.mission
    ok = []
    for i in idx:
        a = actions[i]
        sat, task = case.satellites[a.satellite_id], case.tasks[a.task_id]
        t = _sample_offsets(m, (a.start - m.start).total_seconds(), (a.end - m.start).total_seconds())
        _, r_sat = states(case, a.satellite_id, t)
        target = task.r_itrs_km
        normal = target / np.linalg.norm(target)
        visible = (r_sat - target) @ normal > 0.0
        off = off_nadir_deg(r_sat, target)
        bad = np.flatnonzero(~visible | (off > sat.max_off_nadir_deg + 1e-6))
        if len(bad):
            k = int(bad[0])
            reason = ("target is not continuously visible" if not visible[k]
                      else "required pointing exceeds max_off_nadir_deg")
            when = m.start + timedelta(seconds=float(t[k]))
            failures.append(Failure(i, a.satellite_id, a.task_id, f"{reason} at {format_z(when)}", "geometry", when))
            continue
        ok.append(i)
    return ok


def _los_teme(case: AeosspCase, sat_id: str, task_id: str | None, t_s: float) -> np.ndarray:
    """Line of sight (km, TEME) from the satellite to the task's target at t_s, or nadir when task_id is None."""
    r_teme, _ = states(case, sat_id, [t_s])
    if task_id is None:
        return -r_teme[0]
    return target_teme(case, task_id, [t_s])[0] - r_teme[0]


def _slew(case: AeosspCase, actions: list[Action], idx: list[int], failures: list[Failure]
          ) -> tuple[dict[str, list[int]], dict[str, list[tuple[float, float]]]]:
    """Accepted actions per satellite (sorted) and the slew windows (start_s, end_s) before each observation."""
    m = case.mission
    by_sat: dict[str, list[int]] = defaultdict(list)
    for i in idx:
        by_sat[actions[i].satellite_id].append(i)
    accepted: dict[str, list[int]] = defaultdict(list)
    windows: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for sat_id, items in by_sat.items():
        sat = case.satellites[sat_id]
        items.sort(key=lambda i: (actions[i].start, actions[i].end, i))
        prev: int | None = None
        for i in items:
            a = actions[i]
            if prev is not None and actions[prev].end > a.start:
                failures.append(Failure(i, sat_id, a.task_id, "observation actions overlap on the same satellite",
                                        "slew", a.start))
                continue
            t0 = (a.start - m.start).total_seconds()
            to_vec = _los_teme(case, sat_id, a.task_id, t0)
            if prev is None:
                from_vec, gap = _los_teme(case, sat_id, None, t0), t0
            else:
                p = actions[prev]
                t_prev = (p.end - m.start).total_seconds()
                from_vec, gap = _los_teme(case, sat_id, p.task_id, t_prev), t0 - t_prev
            angle = float(angle_between_deg(from_vec, to_vec))
            need = float(slew_time_s(angle, sat.max_rate_deg_s, sat.max_accel_deg_s2)) + sat.settle_s
            if gap + EPS < need:
                failures.append(Failure(i, sat_id, a.task_id, f"insufficient slew/settle time before observation "
                                        f"(need {need:.3f}s, have {gap:.3f}s)", "slew", a.start))
                continue
            if need > EPS:
                windows[sat_id].append((t0 - need, t0))
            accepted[sat_id].append(i)
            prev = i
    return accepted, windows


def _active(mid: np.ndarray, intervals: list[tuple[float, float]]) -> np.ndarray:
    """Whether each time lies in one of the half-open intervals [start, end)."""
    out = np.zeros(mid.shape, dtype=bool)
    for lo, hi in intervals:
        out |= (mid >= lo) & (mid < hi)
    return out


def _battery(case: AeosspCase, actions: list[Action], accepted: dict[str, list[int]],
             windows: dict[str, list[tuple[float, float]]], failures: list[Failure]) -> tuple[float, dict[str, Any]]:
    """Gross consumption (Wh) of the satellites that keep a non-negative battery, and a summary per satellite."""
    m = case.mission
    total = 0.0
    summary: dict[str, Any] = {}
    grid = np.arange(0.0, m.horizon_s, m.resource_step_s)
    for sat_id, sat in case.satellites.items():
        obs = [((actions[i].start - m.start).total_seconds(), (actions[i].end - m.start).total_seconds())
               for i in accepted.get(sat_id, [])]
        wins = windows.get(sat_id, [])
        points = np.unique(np.concatenate([grid, [m.horizon_s], np.ravel(obs), np.ravel(wins)]))
        dt = np.diff(points)
        keep = dt > 0
        lo, dt = points[:-1][keep], dt[keep]
        mid = lo + dt / 2
        obs_on, slew_on = _active(mid, obs), _active(mid, wins)
        load = sat.idle_w + sat.imaging_w * obs_on + sat.slew_w * slew_on
        r_teme, _ = states(case, sat_id, mid)
        jd, fr = case.epoch.offsets(mid)
        charge = np.where(sunlit(r_teme, jd, fr), sat.charge_w, 0.0)
        battery = sat.initial_battery_wh
        gross = 0.0
        failed = False
        for j in range(len(dt)):
            gross += load[j] * dt[j] / 3600.0
            battery += (charge[j] - load[j]) * dt[j] / 3600.0
            if battery < -EPS:
                when = m.start + timedelta(seconds=float(mid[j]))
                active = [i for i in accepted.get(sat_id, []) if actions[i].start <= when < actions[i].end]
                failures.append(Failure(active[0] if active else -1, sat_id,
                                        actions[active[0]].task_id if active else "",
                                        f"battery depletes below zero around {format_z(when)}", "battery", when))
                failed = True
                break
            battery = min(sat.battery_capacity_wh, battery)
        summary[sat_id] = {"failed": failed, "gross_consumption_wh": gross, "final_battery_wh": battery,
                           "total_imaging_time_s": float(np.sum(dt * obs_on)),
                           "total_slew_time_s": float(np.sum(dt * slew_on))}
        if not failed:
            total += gross
    return total, summary


def verify(case: AeosspCase, actions: list[Action]) -> Verification:
    """Check a solution against every hard rule and compute CR, WCR, TAT (s) and PC (Wh) when it is valid."""
    failures: list[Failure] = []
    idx = _structure(case, actions, failures)
    idx = _geometry(case, actions, idx, failures)
    accepted, windows = _slew(case, actions, idx, failures)
    pc_wh, per_sat = _battery(case, actions, accepted, windows, failures)
    done: dict[str, int] = {}
    for i in sorted((i for items in accepted.values() for i in items),
                    key=lambda i: (actions[i].end, actions[i].start, i)):
        done.setdefault(actions[i].task_id, i)
    per_task = {t: {"completed": t in done, "completed_by_action_index": done.get(t),
                    "completion_time": format_z(actions[done[t]].end) if t in done else None}
                for t in case.tasks}
    if failures:
        metrics: dict[str, Any] = {"CR": 0.0, "WCR": 0.0, "TAT": None, "PC": 0.0}
    else:
        total_w = sum(t.weight for t in case.tasks.values())
        tat = [(actions[i].end - case.tasks[t].release).total_seconds() for t, i in done.items()]
        metrics = {"CR": len(done) / len(case.tasks) if case.tasks else 0.0,
                   "WCR": sum(case.tasks[t].weight for t in done) / total_w if total_w > 0 else 0.0,
                   "TAT": sum(tat) / len(tat) if tat else None, "PC": float(pc_wh)}
    return Verification(not failures, metrics, failures, per_task, per_sat)


def _sat_grid(case: AeosspCase) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Offsets (s) of the action grid and every satellite's TEME and ITRS positions (n, m, 3) in km on it."""
    t = np.arange(0.0, case.mission.horizon_s + 0.5, case.mission.action_step_s)
    teme, itrs = zip(*(states(case, s, t) for s in case.satellites), strict=True)
    return t, np.stack(teme), np.stack(itrs)


def candidate_observations(case: AeosspCase, starts_per_window: int = 4, margin_deg: float = 0.01):
    """Candidate observations (engine.Candidates, job = task index) and the task ids in job order.

    For each task and each satellite with the required sensor, every start on the action grid in the task
    window such that the target stays visible within max off-nadir - margin_deg at every grid sample of the
    observation; up to `starts_per_window` starts are kept per contiguous run (earliest first, evenly spaced).
    """
    from orbitshare.eo.planning.engine import Candidates

    m = case.mission
    step = m.action_step_s
    t, teme, itrs = _sat_grid(case)
    sat_ids = list(case.satellites)
    task_ids = list(case.tasks)
    jd, fr = case.epoch.offsets_normalised(t)
    theta = theta_GMST1982(jd, fr)[0]
    cos_t, sin_t = np.cos(theta), np.sin(theta)
    parts: list[dict[str, Any]] = []
    for j, task_id in enumerate(task_ids):
        task = case.tasks[task_id]
        lo = int(np.ceil((task.release - m.start).total_seconds() / step))
        hi = int(np.floor((task.due - m.start).total_seconds() / step))
        n_steps = task.duration_s // step
        if hi - lo < n_steps:
            continue
        target = task.r_itrs_km
        normal = target / np.linalg.norm(target)
        sats = [k for k, s in enumerate(sat_ids) if case.satellites[s].sensor_type == task.sensor_type]
        if not sats:
            continue
        r = itrs[sats, lo:hi + 1]
        visible = (r - target) @ normal > 0.0
        off = off_nadir_deg(r, target)
        limit = np.array([case.satellites[sat_ids[k]].max_off_nadir_deg for k in sats])[:, None] - margin_deg
        ok = visible & (off <= limit)
        # a start is feasible when all n_steps + 1 samples from it are feasible
        run = np.cumsum(np.pad(~ok, ((0, 0), (1, 0))), axis=1)
        feasible = (run[:, n_steps + 1:] - run[:, :-n_steps - 1]) == 0
        for row, k in enumerate(sats):
            f = feasible[row]
            if not f.any():
                continue
            edges = np.flatnonzero(np.diff(np.concatenate([[0], f.astype(np.int8), [0]])))
            for a, b in zip(edges[::2], edges[1::2], strict=True):
                picks = np.unique(np.linspace(a, b - 1, min(starts_per_window, b - a)).round().astype(int))
                for p in picks:
                    g0, g1 = lo + p, lo + p + n_steps
                    parts.append({"sat": k, "job": j, "g0": g0, "g1": g1, "w": task.weight})
    if not parts:
        return Candidates.concat([]), task_ids
    sat = np.array([p["sat"] for p in parts])
    g0, g1 = np.array([p["g0"] for p in parts]), np.array([p["g1"] for p in parts])
    targets = np.stack([case.tasks[task_ids[p["job"]]].r_itrs_km for p in parts])

    def los(g: np.ndarray) -> np.ndarray:
        tx = cos_t[g] * targets[:, 0] - sin_t[g] * targets[:, 1]
        ty = sin_t[g] * targets[:, 0] + cos_t[g] * targets[:, 1]
        return np.stack([tx, ty, targets[:, 2]], axis=1) - teme[sat, g]

    value = np.array([round(p["w"] * 10000) + 1 for p in parts], dtype=np.int64)
    cands = Candidates(sat, np.array([p["job"] for p in parts]), t[g0], t[g1], value, los(g0), los(g1))
    return cands, task_ids


def nadir_start_ok(case: AeosspCase, cands) -> np.ndarray:
    """Mask of candidates that can be reached from nadir at the horizon start (slew plus settle)."""
    sat_ids = list(case.satellites)
    ok = np.ones(len(cands), dtype=bool)
    for k, sat_id in enumerate(sat_ids):
        idx = np.flatnonzero(cands.sat == k)
        if len(idx) == 0:
            continue
        s = case.satellites[sat_id]
        r_teme, _ = states(case, sat_id, cands.start_s[idx])
        need = slew_time_s(angle_between_deg(-r_teme, cands.los_start[idx]), s.max_rate_deg_s,
                           s.max_accel_deg_s2) + s.settle_s
        ok[idx] = cands.start_s[idx] >= need + 1e-6
    return ok


def schedule(case: AeosspCase, time_limit_s: float = 60.0, workers: int = 2, starts_per_window: int = 4,
             seed: int = 0) -> tuple[list[Action], dict[str, Any]]:
    """Observation actions maximising WCR (then CR) by CP-SAT over candidate starts; the battery is checked
    with the verifier and, where it would deplete, the lowest-weight observation before the depletion is
    dropped until it holds. Returns the actions and solve details (objective, bound, gap, times)."""
    import time as _time

    from orbitshare.eo.planning.engine import Agility, conflict_pairs, select

    t0 = _time.perf_counter()
    cands, task_ids = candidate_observations(case, starts_per_window)
    cands = cands.take(nadir_start_ok(case, cands))
    sats = list(case.satellites.values())
    agility = Agility(np.array([s.max_rate_deg_s for s in sats]), np.array([s.max_accel_deg_s2 for s in sats]),
                      np.array([s.settle_s for s in sats]))
    max_angle = 2.0 * max(s.max_off_nadir_deg for s in sats) + 5.0
    pairs = conflict_pairs(cands, agility, max_angle)
    t_build = _time.perf_counter() - t0
    sel = select(cands, pairs, max(1.0, time_limit_s - t_build), workers, seed=seed)
    sat_ids = list(case.satellites)
    actions = [Action(sat_ids[int(cands.sat[k])], task_ids[int(cands.job[k])],
                      case.mission.start + timedelta(seconds=float(cands.start_s[k])),
                      case.mission.start + timedelta(seconds=float(cands.end_s[k])))
               for k in np.flatnonzero(sel.chosen)]
    dropped = 0
    while True:
        result = verify(case, actions)
        battery = [f for f in result.failures if f.stage == "battery"]
        if result.valid or not battery:
            break
        f = battery[0]
        before = [a for a in actions if a.satellite_id == f.satellite_id and f.time is not None and a.start <= f.time]
        if not before:
            break
        worst = min(before, key=lambda a: (case.tasks[a.task_id].weight, -a.start.timestamp()))
        actions.remove(worst)
        dropped += 1
    info = {"candidates": len(cands), "conflicts": len(pairs), "build_s": t_build, "solve_s": sel.wall_s,
            "status": sel.status, "objective": sel.objective, "best_bound": sel.best_bound, "gap": sel.gap,
            "greedy_objective": sel.details.get("greedy_objective"), "battery_drops": dropped,
            "valid": result.valid, "metrics": result.metrics, "wall_s": _time.perf_counter() - t0}
    return actions, info
