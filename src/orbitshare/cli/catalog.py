"""`orbitshare catalog info`: read and inspect catalogs (TLE, CCSDS OMM KVN/XML/JSON/CSV)."""

from __future__ import annotations

from pathlib import Path

import typer

from orbitshare.cli.support import catalog_summary_table, console, fail, input_files, print_parse_report, step

__all__ = ["catalog_info_cmd", "register"]


def catalog_info_cmd(
    files: list[Path] = typer.Argument(..., callback=input_files(), help="Catalog files (.gz allowed); formats "
                                       "are detected."),
    strict: bool = typer.Option(False, "--strict", help="Stop at the first bad record."),
    show_rejects: int = typer.Option(20, "--show-rejects", min=0, help="How many rejects to list."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
) -> None:
    """Counts by regime and type, epoch span, and every rejected record with its reason.

    Exits 2 when a file cannot be read or holds no valid object (the others are still reported)."""
    import json

    from orbitshare.catalog import CatalogError, read_catalog

    out, empty = [], []
    for f in files:
        try:
            with step(f"reading {f}"):
                cat, rep = read_catalog(f, strict=strict)
        except (FileNotFoundError, CatalogError) as exc:
            fail(str(exc))
        except (OSError, EOFError, UnicodeError, ValueError) as exc:
            fail(f"{f}: cannot read ({type(exc).__name__}: {exc}); is the file truncated or damaged?")
        if len(cat) == 0:
            empty.append(f"{f}: no valid object read ({rep.records_read} records, {len(rep.rejects)} rejected)")
        if as_json:
            out.append({"file": str(f), **cat.summary(), "records_read": rep.records_read,
                        "rejects": [str(r) for r in rep.rejects], "duplicates": len(rep.duplicates)})
            continue
        console().print(catalog_summary_table(str(f), cat, rep))
        print_parse_report(rep, show_rejects)
    if as_json:
        typer.echo(json.dumps(out, indent=2))
    if empty:
        fail("; ".join(empty))


def register(app: typer.Typer) -> None:
    """Add the `catalog` group to the root app."""
    group = typer.Typer(no_args_is_help=True, help="Read and inspect catalogs (TLE, CCSDS OMM KVN/XML/JSON/CSV).")
    group.command("info")(catalog_info_cmd)
    app.add_typer(group, name="catalog")
