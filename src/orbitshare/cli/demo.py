"""`orbitshare demo`: the batch demo on the bundled catalog (summary, partner satellites' passes over Ljubljana)."""

from __future__ import annotations

import typer

from orbitshare.cli.support import catalog_summary_table, console, print_parse_report, step, warn_stale

__all__ = ["demo_cmd", "register"]


def demo_cmd(
    min_elevation: float = typer.Option(10.0, "--min-elevation", min=-90.0, max=90.0,
                                        help="Minimum elevation for passes (deg)."),
) -> None:
    """Batch demo on the bundled catalog: summary, then partner satellites' passes over Ljubljana."""
    from rich.table import Table

    from orbitshare.demo import LJUBLJANA, NATIONAL_ASSETS, demo_window, load_demo_catalog, national_passes

    out = console()
    with step("reading the bundled catalog"):
        cat, rep = load_demo_catalog()
    out.print(catalog_summary_table("bundled catalog: CelesTrak active payloads, 2026-03-10", cat, rep))
    print_parse_report(rep, 10)
    start, stop = demo_window(cat)
    warn_stale(cat.select(ids=NATIONAL_ASSETS), start, stop, "partner satellites")
    table = Table(title=f"Passes over Ljubljana ({LJUBLJANA[0]} N, {LJUBLJANA[1]} E) above {min_elevation:g} deg, "
                        f"{start:%Y-%m-%d %H:%M} .. {stop:%Y-%m-%d %H:%M} UTC")
    for col in ("satellite", "partner", "rise (UTC)", "culmination", "set", "max el (deg)", "duration (s)"):
        table.add_column(col, no_wrap=True)
    with step("computing passes"):
        found = national_passes(cat, start, stop, min_elevation)
    for p in found:
        table.add_row(f"{p.name} ({p.norad_id})", NATIONAL_ASSETS[p.norad_id], f"{p.rise:%H:%M:%S}",
                      f"{p.culmination:%H:%M:%S}", f"{p.set:%H:%M:%S}", f"{p.max_elevation_deg:.1f}",
                      f"{p.duration_s:.0f}")
    out.print(table)


def register(app: typer.Typer) -> None:
    """Add `demo` to the root app."""
    app.command("demo")(demo_cmd)
