"""SPOT5 (Bensana et al. 1999): the parser reads the published instances and CP-SAT reaches the proven optima."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from tests.conftest import DATA, shared_path

from orbitshare.eo.planning.spot5 import check_solution, parse_spot5, read_spot5, solve_spot5

SPOT5 = DATA / "planning" / "spot5"
REFERENCE = {r["instance"]: r for r in csv.DictReader((SPOT5 / "reference_values.csv").open())}

#: Single-orbit instances whose proven optimum CP-SAT reaches in a few seconds (the rest run in bench/eo_plan.py).
FAST = ["8", "29", "404", "503", "408", "505"]


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_parser_counts_match_the_published_table(name):
    """Variables, binary/ternary lines and declared constraints equal the counts of Bensana 1999 Table 1."""
    ref = REFERENCE[name]
    inst = read_spot5(str(SPOT5 / f"{name}.spot"))
    assert len(inst.photos) == int(ref["bensana1999_n"])
    assert inst.declared_constraints == int(ref["bensana1999_e"])
    assert inst.n_binary == int(ref["n_binary_lines"])
    assert inst.n_ternary == int(ref["n_ternary_lines"])
    assert (inst.capacity is None) == (ref["orbit"] == "single")


def test_crlf_file_parses_like_lf():
    """CRLF line endings (as in instance 1021) read the same as LF."""
    text = (SPOT5 / "29.spot").read_text()
    a = parse_spot5(io.StringIO(text), "29.spot")
    b = parse_spot5(io.StringIO(text.replace("\n", "\r\n"), newline=None), "29.spot")
    assert a.photos == b.photos and a.constraints == b.constraints


def test_extra_trailing_fields_are_ignored():
    """Multi-orbit variable lines carry two undocumented integers after the value pairs; they are skipped."""
    inst = read_spot5(str(SPOT5 / "1502.spot"))
    assert inst.photos[0].values == (2,) and inst.photos[0].consumption == pytest.approx((451.15,))
    assert inst.capacity == 90000


@pytest.mark.parametrize("text,where", [
    ("2\n0 1 1 2 0\n1 x 1 2 0\n0\n", "line 3: weight 'x'"),
    ("2\n0 1 1 2 0\n1 1 3 2 0\n0\n", "line 3: domain size 3"),
    ("1\n0 1 1 2 0\n1\n2 0 5 2 2\n", "line 4: variable 5"),
    ("1\n0 1 1 2 0\n2\n2 0 0 2 2\n", "end of file after 1 of 2"),
    ("1\n0 1 1 2 0\n1\n4 0 0 0 0\n", "line 4: arity 4"),
    ("1\n0 1 1 2 0\n0\n7 7\n", "line 4: unexpected content"),
])
def test_bad_input_names_file_and_line(text, where):
    """A malformed file raises one ValueError naming the file and the line."""
    with pytest.raises(ValueError, match=r"bad\.spot") as err:
        parse_spot5(io.StringIO(text), "bad.spot")
    assert where in str(err.value)


@pytest.mark.parametrize("name", FAST)
def test_cp_sat_reaches_the_proven_optimum(name):
    """The CP-SAT model proves the optimum of Bensana 1999 Table 1 (marked *) and its assignment is valid."""
    ref = REFERENCE[name]
    assert ref["bensana1999_proven_optimal"] == "yes"
    inst = read_spot5(str(SPOT5 / f"{name}.spot"))
    result = solve_spot5(inst, time_limit_s=60)
    assert result.optimal
    assert result.objective == int(ref["bensana1999_best_w"])
    profit, problems = check_solution(inst, result.assignment)
    assert problems == [] and profit == result.objective


def test_multi_orbit_capacity_instance_1502_optimum():
    """1502 (capacity 90000, raw consumption) reaches its proven optimum 61158 within the capacity."""
    inst = read_spot5(str(SPOT5 / "1502.spot"))
    result = solve_spot5(inst, time_limit_s=60)
    assert result.optimal and result.objective == int(REFERENCE["1502"]["bensana1999_best_w"])
    used = sum(p.consumption[p.values.index(v)] for p, v in zip(inst.photos, result.assignment, strict=True) if v)
    assert used <= 90000
    assert check_solution(inst, result.assignment)[1] == []


def test_rsoa_certificates_check_against_both_capacity_rules():
    """The RSOA certificate of 1021 uses 200 rounded units (valid under dckp451) but exceeds 90000 raw units."""
    path = shared_path("planning", "spot5", "1021.spot")
    inst = read_spot5(str(path))
    sol = Path(path.parent / "reference_solutions_rsoa" / "1021.spot_sol.txt").read_text().split("\n")
    values = [int(v) for v in sol[3:] if v.strip()]
    profit, problems = check_solution(inst, values, capacity_rule="dckp451")
    assert problems == [] and profit == 169243
    _, problems_raw = check_solution(inst, values, capacity_rule="raw")
    assert len(problems_raw) == 1 and "capacity" in problems_raw[0]
