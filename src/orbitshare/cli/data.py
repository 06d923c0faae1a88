"""`orbitshare data status|update` (Earth-orientation data) and `orbitshare warmup` (numba kernels compiled ahead).

See docs/catalog-and-propagation.md.
"""

from __future__ import annotations

from pathlib import Path

import typer

from orbitshare.cli.support import console, fail, input_files, wrote

__all__ = ["data_status_cmd", "data_update_cmd", "register", "warmup_cmd"]

def _print_eop_status(status) -> None:
    """Print an EopStatus as a two-column table, with whether it covers today."""
    from datetime import UTC, datetime

    from rich.table import Table

    today = datetime.now(UTC).date()
    table = Table(title="Earth-orientation data", show_header=False)
    table.add_column("item", no_wrap=True)
    table.add_column("value", overflow="fold")
    table.add_row("source", status.source)
    table.add_row("UT1-UTC from", status.first_day.isoformat())
    if status.last_observed_day is not None:
        table.add_row("last observed (IERS flag I)", status.last_observed_day.isoformat())
    table.add_row("predictions valid until", status.last_day.isoformat())
    table.add_row("leap seconds", f"{status.leap_seconds}, last {status.last_leap_second.isoformat()}")
    table.add_row("polar motion", status.polar_motion)
    days_left = (status.last_day - today).days
    state = f"[green]covers today ({days_left} days left)[/]" if days_left >= 0 else (
        f"[bold red]expired {-days_left} days ago[/]: run `orbitshare data update finals2000A.all`")
    table.add_row("state", state)
    console().print(table)


def data_status_cmd() -> None:
    """Which UT1/leap-second/polar-motion data is loaded and until when its predictions hold."""
    from orbitshare.astro.eop import eop_status

    _print_eop_status(eop_status())


def data_update_cmd(
    finals: str = typer.Argument(..., callback=input_files(), help="An IERS finals2000A.all or finals2000A.daily "
                                 "file you downloaded."),
    force: bool = typer.Option(False, "--force", help="Import even if it ends before the table in use."),
) -> None:
    """Import an IERS finals file (offline); it replaces skyfield's bundled UT1 table in every command."""
    from orbitshare.astro.eop import FinalsError, finals_path, import_finals

    try:
        status = import_finals(Path(finals), force=force)
    except FinalsError as exc:
        fail(str(exc))
    wrote(finals_path(), f"the Earth-orientation table of {finals}")
    _print_eop_status(status)


def warmup_cmd() -> None:
    """Compile every numba kernel ahead (once after an install; `make run` does it); later runs load them."""
    from orbitshare.warmup import warm_up

    typer.echo(f"kernels ready in {warm_up():.1f} s")


def register(app: typer.Typer) -> None:
    """Add the `data` group and `warmup` to the root app."""
    group = typer.Typer(no_args_is_help=True, help="Earth-orientation data (UT1-UTC, leap seconds) in use.")
    group.command("status")(data_status_cmd)
    group.command("update")(data_update_cmd)
    app.add_typer(group, name="data")
    app.command("warmup")(warmup_cmd)
