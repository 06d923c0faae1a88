"""`orbitshare eo ...`: the Earth-observation virtual constellation (see docs/eo.md)."""

from __future__ import annotations

import typer

from orbitshare.cli import eo_plan, eo_task

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the `eo` group to the root app."""
    group = typer.Typer(no_args_is_help=True, help="Earth observation: assets, opportunities, persistence, "
                        "collection planning and tasking across partners.")
    eo_plan.add_commands(group)
    eo_task.add_commands(group)
    app.add_typer(group, name="eo")
