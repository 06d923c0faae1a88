"""`orbitshare propagate` (SGP4 ephemerides to CSV/Parquet/OEM/CZML) and `orbitshare passes` (ground-site passes)."""

from __future__ import annotations

from pathlib import Path

import typer

from orbitshare.cli.support import (
    IDS_HELP,
    JSON_HELP,
    console,
    duration_s,
    fail,
    id_list,
    input_files,
    iso_utc,
    load_catalog,
    one_of,
    output_file,
    output_rows,
    select_ids,
    site,
    step,
    warn_stale,
    wrote,
)

__all__ = ["passes_cmd", "propagate_cmd", "register"]


def _ephemeris_suffixes() -> tuple[str, ...]:
    """Output file types `propagate` writes (from orbitshare.ephemeris_io)."""
    from orbitshare.export.ephemeris import OUTPUT_SUFFIXES

    return tuple(OUTPUT_SUFFIXES)


def _frame(value: str) -> str:
    """Callback: a frame `propagate` writes (orbitshare.ephemeris_io.FRAMES), lower case."""
    from orbitshare.export.ephemeris import FRAMES

    return one_of(*FRAMES)(value)


def propagate_cmd(
    file: Path = typer.Argument(..., callback=input_files(), help="Catalog file (TLE or OMM, any supported form)."),
    start: str = typer.Option(..., "--start", callback=iso_utc, metavar="UTC",
                              help="UTC start, ISO 8601 (e.g. 2026-03-10T00:00Z)."),
    stop: str = typer.Option(..., "--stop", callback=iso_utc, metavar="UTC", help="UTC stop, ISO 8601."),
    step: str = typer.Option("60s", "--step", callback=duration_s, help="Time step: 60, 30s, 5m, 1h."),
    ids: list[str] = typer.Option(None, "--ids", callback=id_list, metavar="ID[,ID...]",
                                  help=f"{IDS_HELP} Default: all objects."),
    frame: str = typer.Option("teme", "--frame", callback=_frame, help="teme | gcrf | itrs | geodetic"),
    out: Path = typer.Option(..., "--out", callback=output_file(_ephemeris_suffixes), metavar="FILE",
                             help="Output file: .csv, .parquet, .oem (CCSDS OEM, teme/gcrf) or .czml (Cesium, "
                             "gcrf/itrs)"),
) -> None:
    """Propagate a catalog with SGP4 and write one row per object and time (SGP4 errors kept per row)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from orbitshare.astro.time import parse_utc, time_grid
    from orbitshare.export.ephemeris import check_output, write_ephemeris

    try:
        check_output(frame, out)
    except ValueError as exc:
        fail(str(exc))
    t0, t1 = parse_utc(start), parse_utc(stop)
    if t1 <= t0:
        raise typer.BadParameter(f"{stop} must be after --start {start}", param_hint="'--stop'")
    jd, fr = time_grid(t0, t1, step)
    cat, _ = load_catalog(file)
    cat = select_ids(cat, ids, file)
    warn_stale(cat, t0, t1, "objects")
    err = console(stderr=True)
    with Progress(TextColumn("propagating"), BarColumn(), TextColumn("{task.completed:,}/{task.total:,} objects"),
                  TimeRemainingColumn(), console=err, disable=len(cat) * len(jd) < 2_000_000) as bar:
        task = bar.add_task("propagate", total=len(cat))
        result = write_ephemeris(cat, jd, fr, frame, out, on_block=lambda n: bar.advance(task, n))
    wrote(out, f"{result['rows']:,} rows ({len(cat):,} objects x {len(jd):,} times, {frame})")
    if result["failed_ids"]:
        shown = ", ".join(map(str, result["failed_ids"][:20]))
        err.print(f"[yellow]{len(result['failed_ids'])} object(s) had SGP4 errors (decayed or invalid), "
                  f"{result['error_samples']:,} rows flagged in column sgp4_error: {shown}[/]")


def passes_cmd(
    catalog: str = typer.Argument(..., callback=input_files(), help="Catalog file (TLE or OMM, any supported form)."),
    where: str = typer.Option(None, "--site", callback=site, metavar="LAT,LON[,ALT_M]",
                              help="One site: WGS-84 latitude, longitude (deg) and altitude (metres)."),
    sites: str = typer.Option(None, "--sites", callback=input_files(), metavar="FILE",
                              help="GeoJSON FeatureCollection of Point sites (name property; altitude in metres)."),
    start: str = typer.Option(..., "--start", callback=iso_utc, metavar="UTC", help="UTC start, ISO 8601."),
    stop: str = typer.Option(..., "--stop", callback=iso_utc, metavar="UTC", help="UTC stop, ISO 8601."),
    min_elevation: float = typer.Option(10.0, "--min-elevation", min=-90.0, max=90.0,
                                        help="Minimum elevation (deg)."),
    ids: list[str] = typer.Option(None, "--ids", callback=id_list, metavar="ID[,ID...]",
                                  help=f"{IDS_HELP} Default: all objects."),
    out: str = typer.Option(None, "--out", callback=output_file((".csv", ".json")), metavar="FILE",
                            help="Also write all passes to .csv or .json."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Rise, culmination and set of every object over one or more ground sites."""
    from orbitshare.astro.time import parse_utc
    from orbitshare.ssa.behaviour.ground_passes import site_passes
    from orbitshare.ssa.behaviour.io import read_sites_geojson

    if (where is None) == (sites is None):
        fail("give exactly one of --site LAT,LON[,ALT_M] or --sites F.geojson")
    t0, t1 = parse_utc(start), parse_utc(stop)
    if t1 <= t0:
        raise typer.BadParameter(f"{stop} must be after --start {start}", param_hint="'--stop'")
    if sites is not None:
        try:
            with open(sites) as fh:
                places = read_sites_geojson(fh, str(sites))
        except ValueError as exc:
            fail(str(exc))
    else:
        places = [where]
    cat, _ = load_catalog(catalog)
    cat = select_ids(cat, ids, catalog)
    warn_stale(cat, t0, t1, "objects")
    with step(f"passes of {len(cat):,} objects over {len(places)} site(s)"):
        rows = site_passes(cat, places, t0, t1, min_elevation)
    columns = ("site", "norad_id", "name", "rise_utc", "culmination_utc", "set_utc", "max_elevation_deg",
               "rise_az_deg", "set_az_deg")
    output_rows(rows, out, as_json, f"{len(rows):,} passes above {min_elevation:g} deg, {start} .. {stop}",
                tuple(c for c in columns if rows and c in rows[0]) or None)
    if any(r["rise_clipped"] or r["set_clipped"] for r in rows):
        typer.echo("rise_clipped / set_clipped: up for the whole search margin around the window (GEO)", err=True)


def register(app: typer.Typer) -> None:
    """Add `propagate` and `passes` to the root app."""
    app.command("propagate")(propagate_cmd)
    app.command("passes")(passes_cmd)
