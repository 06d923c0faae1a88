"""Command-line interface: `orbitshare ...` (typer + rich)."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False, help="orbitshare: allied space situational awareness.")

# --- foundation commands (catalog, propagate, demo) -------------------------------------------------------


def main() -> None:
    """Entry point of the `orbitshare` console script."""
    app()


if __name__ == "__main__":
    main()
