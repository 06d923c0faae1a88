"""Registry of screening runners that compute a job's raw events elsewhere (e.g. on a Dask cluster).

A runner is ``runner(job, scheduler, progress) -> raw events`` (as :func:`screening.screen_blocks` returns).
Built-in runners are named here by import path and loaded on first use, so screening and the runners that
depend on it never import each other.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

__all__ = ["Runner", "get_runner", "register_runner"]

Runner = Callable[..., dict]

_BUILTIN = {"dask": "orbitshare.ssa.conjunction.distributed:screen_on_dask"}
_REGISTERED: dict[str, Runner] = {}


def register_runner(name: str, runner: Runner) -> None:
    """Make `runner` available under `name` (replaces an earlier one of that name)."""
    _REGISTERED[name] = runner


def get_runner(name: str) -> Runner:
    """The runner registered as `name`, loading a built-in one on first use; KeyError for an unknown name."""
    if name not in _REGISTERED:
        if name not in _BUILTIN:
            raise KeyError(f"no screening runner named {name!r}")
        module, attr = _BUILTIN[name].split(":")
        runner: Any = getattr(importlib.import_module(module), attr)
        _REGISTERED[name] = runner
    return _REGISTERED[name]
