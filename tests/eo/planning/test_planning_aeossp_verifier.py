"""The aeossp_standard verifier reproduces the benchmark's own fixture outputs (expected.json)."""

from __future__ import annotations

import io
import json

import pytest
from tests.conftest import DATA

from orbitshare.eo.planning.aeossp import load_case, parse_solution, verify

FIXTURES = DATA / "planning" / "aeossp" / "verifier_fixtures"
NAMES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


@pytest.mark.parametrize("name", NAMES)
def test_verifier_matches_expected(name):
    """Validity, metrics (PC to 1e-8 relative), first failure and per-task outcomes equal expected.json."""
    folder = FIXTURES / name
    expected = json.loads((folder / "expected.json").read_text())
    case = load_case(folder)
    with open(folder / "solution.json") as fh:
        result = verify(case, parse_solution(fh, str(folder / "solution.json")))
    assert result.valid == expected["valid"]
    assert len(result.failures) == expected["action_failures_len"]
    for key in ("CR", "WCR", "TAT"):
        assert result.metrics[key] == expected["metrics"][key]
    assert result.metrics["PC"] == pytest.approx(expected["metrics"]["PC"], rel=1e-8, abs=1e-12)
    if "first_action_failure" in expected:
        first, want = result.failures[0], expected["first_action_failure"]
        assert (first.action_index, first.satellite_id, first.task_id, first.stage) == (
            want["action_index"], want["satellite_id"], want["task_id"], want["stage"])
        assert want["reason_substring"] in first.reason
        assert first.time is not None and first.time.isoformat().replace("+00:00", "Z") == want["time"]
        assert any(want["reason_substring"] in v for v in result.violations)
    for task_id, outcome in expected["diagnostics"]["per_task"].items():
        for key, value in outcome.items():
            assert result.per_task[task_id][key] == value, (task_id, key)
    for sat_id, summary in expected["diagnostics"].get("per_satellite_resource_summary", {}).items():
        for key, value in summary.items():
            assert result.per_satellite[sat_id][key] == pytest.approx(value, rel=1e-8), (sat_id, key)


def test_bad_solution_names_the_action_and_field():
    """A solution action without start_time is refused naming it."""
    text = '{"actions": [{"type": "observation", "satellite_id": "s", "task_id": "t", "end_time": "x"}]}'
    with pytest.raises(ValueError, match=r"sol.json actions\[0\]: missing field 'start_time'"):
        parse_solution(io.StringIO(text), "sol.json")
