"""SPOT5 daily photograph selection (Bensana, Lemaître, Verfaillie 1999): instance parser and CP-SAT model.

An instance is a set of candidate photographs (variables), each with a weight and a domain of camera values
(1 front, 2 middle, 3 rear, 13 stereo front+rear) with a recorder consumption per value; binary and ternary
constraints list forbidden value tuples; multi-orbit instances end with a recording capacity.

Capacity rule implemented (literal reading of the paper's BNF): the sum of the *raw* recorder consumptions of
the selected values is at most the capacity written in the file (90000). The consumptions are decimal numbers
(451.15, 902.3, 1804.6); they are scaled to exact integers (hundredths) for CP-SAT. The DCKP reformulation of
Wei & Hao (consumption rounded to units of 451, capacity 200 units) is offered as ``capacity_rule="dckp451"``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO

__all__ = ["CAPACITY_RULES", "Spot5Constraint", "Spot5Instance", "Spot5Photo", "Spot5Result", "check_solution",
           "parse_spot5", "read_spot5", "solve_spot5"]

CAPACITY_RULES = ("raw", "dckp451")

#: Decimal places the raw consumptions are scaled by (451.15 -> 45115 hundredths).
_SCALE_DIGITS = 2


@dataclass(frozen=True)
class Spot5Photo:
    """One candidate photograph: weight (profit), allowed camera values and recorder consumption per value."""

    ident: int
    weight: int
    values: tuple[int, ...]
    consumption: tuple[float, ...]


@dataclass(frozen=True)
class Spot5Constraint:
    """Forbidden value tuples over 2 or 3 photographs (violated only when all are selected with such a tuple)."""

    photos: tuple[int, ...]
    forbidden: tuple[tuple[int, ...], ...]


@dataclass
class Spot5Instance:
    """A parsed SPOT5 instance; `capacity` is None for single-orbit instances."""

    name: str
    photos: list[Spot5Photo]
    constraints: list[Spot5Constraint]
    capacity: float | None = None
    declared_constraints: int = 0

    @property
    def n_binary(self) -> int:
        """Number of binary constraint lines."""
        return sum(1 for c in self.constraints if len(c.photos) == 2)

    @property
    def n_ternary(self) -> int:
        """Number of ternary constraint lines."""
        return sum(1 for c in self.constraints if len(c.photos) == 3)


class _Lines:
    """Non-empty lines of a file with their 1-based numbers, for messages naming file and line."""

    def __init__(self, fileobj: IO[str], source: str):
        self.source = source
        self.items = [(i + 1, line.split()) for i, line in enumerate(fileobj) if line.strip()]
        self.pos = 0

    def next(self, what: str) -> tuple[int, list[str]]:
        """The next non-empty line (number, fields); ValueError at end of file."""
        if self.pos >= len(self.items):
            raise ValueError(f"{self.source}: unexpected end of file, expected {what}")
        item = self.items[self.pos]
        self.pos += 1
        return item

    def error(self, lineno: int, message: str) -> ValueError:
        """A ValueError naming file and line."""
        return ValueError(f"{self.source} line {lineno}: {message}")


def _int(lines: _Lines, lineno: int, token: str, what: str) -> int:
    """An integer field, or ValueError naming file, line and field."""
    try:
        return int(token)
    except ValueError:
        raise lines.error(lineno, f"{what} {token!r} is not an integer") from None


def _float(lines: _Lines, lineno: int, token: str, what: str) -> float:
    """A finite number field, or ValueError naming file, line and field."""
    try:
        value = float(token)
    except ValueError:
        raise lines.error(lineno, f"{what} {token!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise lines.error(lineno, f"{what} {token!r} must be a finite non-negative number")
    return value


def _photo(lines: _Lines, lineno: int, fields: list[str], expected_ident: int) -> Spot5Photo:
    """One variable line `ident weight domain-size (value consumption)*` (extra trailing fields ignored)."""
    if len(fields) < 3:
        raise lines.error(lineno, "variable line needs ident, weight and domain size")
    ident = _int(lines, lineno, fields[0], "variable ident")
    if ident != expected_ident:
        raise lines.error(lineno, f"variable ident {ident} out of order, expected {expected_ident}")
    weight = _int(lines, lineno, fields[1], "weight")
    if weight <= 0:
        raise lines.error(lineno, f"weight {weight} must be positive")
    size = _int(lines, lineno, fields[2], "domain size")
    if size < 1 or len(fields) < 3 + 2 * size:
        raise lines.error(lineno, f"domain size {size} needs {size} (value consumption) pairs")
    values = tuple(_int(lines, lineno, fields[3 + 2 * k], "value") for k in range(size))
    if len(set(values)) != size:
        raise lines.error(lineno, f"repeated value in domain {values}")
    cons = tuple(_float(lines, lineno, fields[4 + 2 * k], "recorder consumption") for k in range(size))
    return Spot5Photo(ident, weight, values, cons)


def _constraint(lines: _Lines, lineno: int, fields: list[str], n: int) -> Spot5Constraint:
    """One constraint line `arity v_1..v_arity` followed by forbidden tuples of `arity` values."""
    arity = _int(lines, lineno, fields[0], "arity")
    if arity not in (2, 3):
        raise lines.error(lineno, f"arity {arity} is not 2 or 3")
    if len(fields) < 1 + arity or (len(fields) - 1 - arity) % arity:
        raise lines.error(lineno, f"constraint of arity {arity} has {len(fields) - 1 - arity} tuple values, "
                                  f"not a multiple of {arity}")
    photos = tuple(_int(lines, lineno, f, "variable") for f in fields[1:1 + arity])
    for p in photos:
        if not 0 <= p < n:
            raise lines.error(lineno, f"variable {p} is not in 0..{n - 1}")
    vals = [_int(lines, lineno, f, "tuple value") for f in fields[1 + arity:]]
    tuples = tuple(tuple(vals[k:k + arity]) for k in range(0, len(vals), arity))
    return Spot5Constraint(photos, tuples)


def parse_spot5(fileobj: IO[str], source: str = "<stream>") -> Spot5Instance:
    """Parse a SPOT5 `.spot` file (BNF of Bensana et al. 1999, section 2.2); ValueError naming file and line.

    Multi-orbit files declare N constraints and hold N-1 constraint lines followed by the capacity line (a
    single number); single-orbit files hold exactly N constraint lines.
    """
    lines = _Lines(fileobj, source)
    lineno, fields = lines.next("the number of variables")
    if len(fields) != 1:
        raise lines.error(lineno, "first line must hold only the number of variables")
    n = _int(lines, lineno, fields[0], "number of variables")
    if n < 1:
        raise lines.error(lineno, f"number of variables {n} must be positive")
    photos = [_photo(lines, *lines.next(f"variable {i}"), expected_ident=i) for i in range(n)]
    lineno, fields = lines.next("the number of constraints")
    if len(fields) != 1:
        raise lines.error(lineno, "the number of constraints must stand alone on its line")
    declared = _int(lines, lineno, fields[0], "number of constraints")
    if declared < 0:
        raise lines.error(lineno, f"number of constraints {declared} is negative")
    constraints: list[Spot5Constraint] = []
    capacity = None
    for k in range(declared):
        if lines.pos >= len(lines.items):
            raise ValueError(f"{source}: end of file after {k} of {declared} constraints")
        lineno, fields = lines.next("a constraint")
        if len(fields) == 1:
            if k != declared - 1:
                raise lines.error(lineno, f"capacity line after {k} of {declared} constraints "
                                          "(it must be the last declared constraint)")
            capacity = _float(lines, lineno, fields[0], "recording capacity")
        else:
            constraints.append(_constraint(lines, lineno, fields, n))
    if lines.pos < len(lines.items):
        lineno, fields = lines.next("end of file")
        if len(fields) == 1 and capacity is None:
            raise lines.error(lineno, f"capacity line beyond the {declared} declared constraints")
        raise lines.error(lineno, f"unexpected content after the {declared} declared constraints")
    name = source.rsplit("/", 1)[-1].removesuffix(".spot")
    return Spot5Instance(name, photos, constraints, capacity, declared)


def read_spot5(path: str) -> Spot5Instance:
    """Parse the `.spot` file at `path` (CRLF or LF line endings)."""
    with open(path, encoding="ascii", newline=None) as fh:
        return parse_spot5(fh, str(path))


def _scaled(values: Iterable[float], rule: str) -> list[int]:
    """Integer consumptions for the capacity rule: hundredths of raw units, or round(c/451) units."""
    if rule == "dckp451":
        return [round(v / 451.0) for v in values]
    return [round(v * 10 ** _SCALE_DIGITS) for v in values]


def _capacity(instance: Spot5Instance, rule: str) -> int:
    """Integer capacity for the rule (file value in hundredths, or 200 units of 451)."""
    assert instance.capacity is not None
    if rule == "dckp451":
        return 200
    return math.floor(instance.capacity * 10 ** _SCALE_DIGITS + 1e-9)


@dataclass
class Spot5Result:
    """Outcome of a solve: value per photo (0 = not selected), objective, best bound, status, wall time."""

    instance: str
    assignment: list[int]
    objective: int
    best_bound: float
    optimal: bool
    status: str
    wall_s: float
    stats: dict = field(default_factory=dict)

    @property
    def gap(self) -> float:
        """Relative optimality gap (bound - objective) / bound."""
        return (self.best_bound - self.objective) / self.best_bound if self.best_bound > 0 else 0.0


def solve_spot5(instance: Spot5Instance, time_limit_s: float = 60.0, workers: int = 2,
                capacity_rule: str = "raw", seed: int = 0) -> Spot5Result:
    """Maximise the selected weight with CP-SAT: one boolean per (photo, value), at most one value per photo."""
    from ortools.sat.python import cp_model

    if capacity_rule not in CAPACITY_RULES:
        raise ValueError(f"capacity_rule must be one of {CAPACITY_RULES}")
    model = cp_model.CpModel()
    x: list[dict[int, cp_model.IntVar]] = []
    for p in instance.photos:
        lits = {v: model.new_bool_var(f"x{p.ident}_{v}") for v in p.values}
        model.add_at_most_one(lits.values())
        x.append(lits)
    for con in instance.constraints:
        for tup in con.forbidden:
            found = [x[p].get(v) for p, v in zip(con.photos, tup, strict=True)]
            chosen = [lit for lit in found if lit is not None]
            if len(chosen) == len(found):
                model.add_bool_or([lit.negated() for lit in chosen])
    if instance.capacity is not None:
        terms = []
        for p in instance.photos:
            for v, use in zip(p.values, _scaled(p.consumption, capacity_rule), strict=True):
                if use:
                    terms.append(use * x[p.ident][v])
        if terms:
            model.add(sum(terms) <= _capacity(instance, capacity_rule))
    model.maximize(sum(p.weight * lit for p in instance.photos for lit in x[p.ident].values()))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit_s)
    solver.parameters.num_search_workers = int(workers)
    solver.parameters.random_seed = int(seed)
    t0 = time.perf_counter()
    status = solver.solve(model)
    wall = time.perf_counter() - t0
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Spot5Result(instance.name, [0] * len(instance.photos), 0, float("inf"), False, name, wall)
    assignment: list[int] = []
    for p in instance.photos:
        picked = [int(v) for v, lit in x[p.ident].items() if solver.boolean_value(lit)]
        assignment.append(picked[0] if picked else 0)
    objective = round(solver.objective_value)
    return Spot5Result(instance.name, assignment, objective, solver.best_objective_bound,
                       status == cp_model.OPTIMAL, name, wall,
                       {"booleans": sum(len(d) for d in x), "conflicts": solver.num_conflicts})


def check_solution(instance: Spot5Instance, assignment: list[int], capacity_rule: str = "raw") -> tuple[int, list[str]]:
    """Profit of an assignment (0 = not selected) and the list of violated constraints (empty when valid)."""
    problems: list[str] = []
    if len(assignment) != len(instance.photos):
        return 0, [f"assignment has {len(assignment)} values for {len(instance.photos)} photos"]
    profit = 0
    used = 0
    for p, v in zip(instance.photos, assignment, strict=True):
        if v == 0:
            continue
        if v not in p.values:
            problems.append(f"photo {p.ident}: value {v} not in domain {p.values}")
            continue
        profit += p.weight
        if instance.capacity is not None:
            used += _scaled([p.consumption[p.values.index(v)]], capacity_rule)[0]
    for c in instance.constraints:
        vals = tuple(assignment[p] for p in c.photos)
        if 0 not in vals and vals in c.forbidden:
            problems.append(f"constraint on photos {c.photos}: forbidden tuple {vals}")
    if instance.capacity is not None and used > _capacity(instance, capacity_rule):
        problems.append(f"recorder consumption {used} > capacity {_capacity(instance, capacity_rule)} "
                        f"({capacity_rule} units)")
    return profit, problems
