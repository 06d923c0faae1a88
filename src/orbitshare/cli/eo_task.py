"""`orbitshare eo` commands for tasking across partners."""

from __future__ import annotations

import typer

__all__ = ["add_commands"]


def add_commands(group: typer.Typer) -> None:
    """Add this module's commands to the `eo` group."""
