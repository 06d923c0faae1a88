"""Screening on a Dask LocalCluster gives exactly the local result."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from orbitshare.catalog import read_catalog
from orbitshare.ssa.conjunction.screening import ScreenConfig, screen

DATA = Path(__file__).parents[1] / "data" / "screening" / "celestrak_gp_2026-03-09_subset2000.json.gz"
START = datetime(2026, 3, 9, 12, tzinfo=UTC)


def test_dask_local_cluster_identical_to_local_run():
    """Same rows, same values, same order, with the window split into several Dask tasks."""
    cat, _ = read_catalog(DATA)
    config = ScreenConfig(block_steps=24)  # 2 h blocks: 6 tasks over the 12 h window
    stop = START + timedelta(hours=12)
    local = screen(cat, START, stop, 5.0, config=config)
    seen = []
    remote = screen(cat, START, stop, 5.0, config=config, scheduler="local",
                    progress=lambda done, total: seen.append((done, total)))
    assert len(local) > 50 and seen[-1][0] == seen[-1][1]
    for name in local.columns:
        np.testing.assert_array_equal(remote[name], local[name], err_msg=name)


def test_bad_scheduler_address():
    """A scheduler that is not 'local' nor an address is refused clearly."""
    cat, _ = read_catalog(DATA)
    with pytest.raises(ValueError, match="tcp://HOST:PORT"):
        screen(cat.take(np.arange(10)), START, START + timedelta(hours=1), 5.0, scheduler="nowhere")
