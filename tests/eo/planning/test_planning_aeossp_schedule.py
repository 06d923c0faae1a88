"""A CP-SAT schedule of an aeossp_standard case passes the benchmark verifier."""

from __future__ import annotations

from tests.conftest import shared_path

from orbitshare.eo.planning.aeossp import build_case, load_case, schedule, verify


def test_schedule_of_a_reduced_test_case_is_valid():
    """Four satellites and 200 tasks of test/case_0001: the schedule is valid and completes tasks."""
    full = load_case(shared_path("planning", "aeossp_standard", "dataset", "cases", "test", "case_0001"))
    sats = list(full.satellites.values())[:4]
    tasks = list(full.tasks.values())[:200]
    case = build_case(full.mission, sats, tasks, "reduced case_0001")
    actions, info = schedule(case, time_limit_s=8)
    result = verify(case, actions)
    assert result.valid, result.violations[:3]
    assert info["valid"] and len(actions) > 0
    assert result.metrics["CR"] == len({a.task_id for a in actions}) / len(tasks)
    assert info["objective"] <= info["best_bound"] + 1e-6
