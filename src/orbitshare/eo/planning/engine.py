"""CP-SAT selection of candidate acquisitions: one target at a time per satellite with slew and settling.

A candidate is one acquisition a satellite could make: a job (task or request) it serves, a fixed start and
end (s from an epoch), its value, and the line of sight (TEME, km) at its start and end. Two candidates of one
satellite conflict when the later one starts before the earlier one ends plus the bang-coast-bang slew time
between the two lines of sight plus the settling time. The model is then a weighted independent set on that
conflict graph, with at most one candidate per job, optional capacity limits (images per day) and an
optional fairness rule between groups (partners), solved with OR-Tools CP-SAT.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from orbitshare.eo.planning.geometry import angle_between_deg, slew_time_s

__all__ = ["Agility", "Candidates", "Selection", "conflict_pairs", "greedy", "select"]


@dataclass(frozen=True)
class Agility:
    """Attitude limits per satellite: slew rate (deg/s), acceleration (deg/s^2), settling time (s)."""

    rate_deg_s: np.ndarray
    accel_deg_s2: np.ndarray
    settle_s: np.ndarray

    def max_gap_s(self, sat: int, max_angle_deg: float = 120.0) -> float:
        """Slew plus settle time (s) of satellite `sat` through max_angle_deg (an upper bound of any gap)."""
        return float(slew_time_s(max_angle_deg, self.rate_deg_s[sat], self.accel_deg_s2[sat])) + float(
            self.settle_s[sat])


@dataclass
class Candidates:
    """Candidate acquisitions as parallel arrays (n,): satellite, job, start/end (s), value, lines of sight."""

    sat: np.ndarray
    job: np.ndarray
    start_s: np.ndarray
    end_s: np.ndarray
    value: np.ndarray
    los_start: np.ndarray
    los_end: np.ndarray

    def __len__(self) -> int:
        return int(self.sat.shape[0])

    def take(self, index) -> Candidates:
        """The candidates at `index` (mask or indices)."""
        return Candidates(self.sat[index], self.job[index], self.start_s[index], self.end_s[index],
                          self.value[index], self.los_start[index], self.los_end[index])

    @classmethod
    def concat(cls, parts: Sequence[Candidates]) -> Candidates:
        """One candidate set of several."""
        if not parts:
            z = np.zeros(0)
            return cls(z.astype(int), z.astype(int), z, z, z.astype(np.int64), np.zeros((0, 3)), np.zeros((0, 3)))
        return cls(*(np.concatenate([getattr(p, f) for p in parts]) for f in
                     ("sat", "job", "start_s", "end_s", "value", "los_start", "los_end")))


def conflict_pairs(c: Candidates, agility: Agility, max_angle_deg: float = 120.0) -> np.ndarray:
    """Pairs (k, 2) of candidate indices of one satellite that cannot both be made (overlap or slew gap)."""
    out = []
    for sat in np.unique(c.sat):
        idx = np.flatnonzero(c.sat == sat)
        idx = idx[np.argsort(c.start_s[idx], kind="stable")]
        starts, ends = c.start_s[idx], c.end_s[idx]
        horizon = agility.max_gap_s(int(sat), max_angle_deg)
        # every later-starting candidate b with start_b < end_a + horizon may conflict with a
        hi = np.searchsorted(starts, ends + horizon, side="left")
        lo = np.arange(len(idx)) + 1
        counts = np.maximum(hi - lo, 0)
        if counts.sum() == 0:
            continue
        a = np.repeat(np.arange(len(idx)), counts)
        offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        b = lo[a] + offsets
        ia, ib = idx[a], idx[b]
        angle = angle_between_deg(c.los_end[ia], c.los_start[ib])
        need = slew_time_s(angle, agility.rate_deg_s[sat], agility.accel_deg_s2[sat]) + agility.settle_s[sat]
        bad = (c.start_s[ib] - c.end_s[ia]) < need + 1e-6
        bad &= c.job[ia] != c.job[ib]  # same job: already at most one
        out.append(np.stack([ia[bad], ib[bad]], axis=1))
    return np.concatenate(out) if out else np.zeros((0, 2), dtype=int)


def greedy(c: Candidates, pairs: np.ndarray, capacity: Sequence[tuple[np.ndarray, int]] = ()) -> np.ndarray:
    """A feasible selection (bool mask): highest value first, earliest start on ties."""
    n = len(c)
    neighbours: list[list[int]] = [[] for _ in range(n)]
    for a, b in pairs:
        neighbours[a].append(b)
        neighbours[b].append(a)
    blocked = np.zeros(n, dtype=bool)
    chosen = np.zeros(n, dtype=bool)
    job_done: set[int] = set()
    cap_of: list[list[int]] = [[] for _ in range(n)]
    left = [limit for _, limit in capacity]
    for g, (members, _) in enumerate(capacity):
        for k in members:
            cap_of[k].append(g)
    for k in np.lexsort((c.start_s, -c.value)):
        if blocked[k] or int(c.job[k]) in job_done or any(left[g] <= 0 for g in cap_of[k]):
            continue
        chosen[k] = True
        job_done.add(int(c.job[k]))
        for g in cap_of[k]:
            left[g] -= 1
        blocked[neighbours[k]] = True
    return chosen


@dataclass
class Selection:
    """Chosen candidates (bool mask), objective, CP-SAT best bound, status, wall time (s) and details."""

    chosen: np.ndarray
    objective: float
    best_bound: float
    status: str
    wall_s: float
    details: dict = field(default_factory=dict)

    @property
    def gap(self) -> float:
        """Relative optimality gap (bound - objective) / bound; 0 when proven optimal."""
        return max(0.0, (self.best_bound - self.objective) / self.best_bound) if self.best_bound > 0 else 0.0


def _solve(model, time_limit_s: float, workers: int, seed: int):
    """Solver and status after a time-limited solve."""
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, float(time_limit_s))
    solver.parameters.num_search_workers = int(workers)
    solver.parameters.random_seed = int(seed)
    return solver, solver.solve(model)


def select(c: Candidates, pairs: np.ndarray, time_limit_s: float = 30.0, workers: int = 2,
           capacity: Sequence[tuple[np.ndarray, int]] = (), group_of_job: np.ndarray | None = None,
           fairness: float = 1.0, seed: int = 0) -> Selection:
    """Maximise the total value of a conflict-free selection with CP-SAT (warm-started from `greedy`).

    With `group_of_job` (a group index per job, e.g. the requesting partner) the fairness rule is
    lexicographic: first maximise the smallest served fraction z of any group's attainable value (the value
    of its jobs that have a candidate at all), then maximise the total value subject to every group
    receiving at least `fairness` * z of its attainable value. Half the time limit goes to each stage.
    """
    from ortools.sat.python import cp_model

    t0 = time.perf_counter()
    n = len(c)
    hint = greedy(c, pairs, capacity)
    if n == 0:
        return Selection(np.zeros(0, dtype=bool), 0.0, 0.0, "OPTIMAL", 0.0)
    per_job = np.zeros(int(c.job.max()) + 1)
    np.maximum.at(per_job, c.job, c.value)
    details: dict = {"candidates": n, "conflicts": len(pairs), "greedy_objective": float(np.sum(c.value[hint]))}
    if details["greedy_objective"] >= per_job.sum():
        # every job with a candidate is served at its best value: optimal, and every group's share is 1
        details["proof"] = "greedy plan reaches the bound (best value of every job)"
        if group_of_job is not None:
            details["fair_floor"] = 1.0
        return Selection(hint, float(per_job.sum()), float(per_job.sum()), "OPTIMAL", time.perf_counter() - t0,
                         details)
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"c{k}") for k in range(n)]
    order = np.argsort(c.job, kind="stable")
    _, starts = np.unique(c.job[order], return_index=True)
    for members in np.split(order, starts[1:]):
        if len(members) > 1:
            model.add_at_most_one([x[k] for k in members])
    for a, b in pairs:
        model.add_bool_or([x[a].negated(), x[b].negated()])
    for members, limit in capacity:
        if len(members) > limit:
            model.add(sum(x[k] for k in members) <= int(limit))
    for k in range(n):
        model.add_hint(x[k], bool(hint[k]))
    value = [int(v) for v in c.value]
    total = sum(v * x[k] for k, v in enumerate(value))
    budget = float(time_limit_s)
    fair_chosen: np.ndarray | None = None
    if group_of_job is not None:
        groups = np.asarray(group_of_job)[c.job]
        scale = 1000
        z = model.new_int_var(0, scale, "z")
        attain: dict[int, int] = {}
        for g in np.unique(groups):
            members = np.flatnonzero(groups == g)
            best: dict[int, int] = {}
            for k in members.tolist():
                best[int(c.job[k])] = max(best.get(int(c.job[k]), 0), value[k])
            attain[int(g)] = int(sum(best.values()))
            if attain[int(g)] > 0:
                model.add(scale * sum(value[k] * x[k] for k in members) >= attain[int(g)] * z)
        model.maximize(z)
        solver, status = _solve(model, budget / 2, workers, seed)
        z_star = int(solver.value(z)) if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else 0
        details.update({"fair_floor": z_star / scale, "fair_floor_bound": solver.best_objective_bound / scale,
                        "fair_stage_status": solver.status_name(status), "attainable_by_group": attain})
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            fair_chosen = np.array([solver.boolean_value(v) for v in x], dtype=bool)
            model.clear_hints()
            for k in range(n):
                model.add_hint(x[k], bool(fair_chosen[k]))
        model.add(z >= int(np.floor(fairness * z_star)))
        budget = max(0.5, budget - (time.perf_counter() - t0))
    model.maximize(total)
    solver, status = _solve(model, budget, workers, seed)
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # no CP-SAT solution in time: the fairness stage's plan if it has one, else the greedy plan
        fallback = fair_chosen if fair_chosen is not None else hint
        details["fallback"] = "fairness stage plan" if fair_chosen is not None else "greedy plan (no fairness)"
        return Selection(fallback, float(np.sum(c.value[fallback])), float(per_job.sum()), name,
                         time.perf_counter() - t0, details)
    chosen = np.array([solver.boolean_value(v) for v in x], dtype=bool)
    # two valid upper bounds: CP-SAT's, and every job served at its best value; the smaller is reported
    details.update({"cp_sat_bound": float(solver.best_objective_bound), "job_bound": float(per_job.sum())})
    bound = min(float(solver.best_objective_bound), float(per_job.sum()))
    return Selection(chosen, float(solver.objective_value), bound, name, time.perf_counter() - t0, details)
