"""`orbitshare screen`: conjunction screening of a catalog, with CDMs and a summary (see docs/screening.md)."""

from __future__ import annotations

import typer

from orbitshare.cli.support import (
    IDS_HELP,
    console,
    fail,
    id_list,
    input_files,
    iso_utc,
    load_catalog,
    one_of,
    output_dir,
    output_file,
    positive,
    step,
    warn_stale,
    wrote,
)

__all__ = ["register", "screen_cmd"]


def _scheduler(value):
    """Callback: 'local' or a Dask scheduler address (tcp://, tls://, inproc://, ucx://)."""
    if value is not None and value != "local" and not value.startswith(("tcp://", "tls://", "inproc://", "ucx://")):
        raise typer.BadParameter(f"{value!r} is not 'local' or a scheduler address like tcp://HOST:PORT")
    return value


def screen_cmd(
    catalog: list[str] = typer.Argument(..., callback=input_files(), help="Catalog file(s): TLE, OMM "
                                        "(KVN/XML/JSON/CSV), .gz ok."),
    start: str = typer.Option(None, "--start", callback=iso_utc, metavar="UTC",
                              help="Window start, UTC ISO 8601 (default: now, or the catalog's median epoch when "
                              "that is more than 3 days old)."),
    days: float = typer.Option(7.0, "--days", callback=positive, help="Window length (days)."),
    threshold_km: float = typer.Option(5.0, "--threshold-km", callback=positive, help="Report minima of range below "
                                       "this (km)."),
    primary: list[str] = typer.Option([], "--primary", callback=id_list, metavar="ID[,ID...]",
                                      help=f"Primaries: {IDS_HELP} "
                                      "Default: all-vs-all."),
    out: str = typer.Option(None, "--out", callback=output_file((".csv", ".parquet")), metavar="FILE",
                            help="Write all events to F.csv or F.parquet (columns stale and colocated split them)."),
    cdm_dir: str = typer.Option(None, "--cdm-dir", callback=output_dir, metavar="DIR",
                                help="Write one CCSDS CDM per event here (TLE-based covariance and Pc)."),
    cdm_format: str = typer.Option("kvn", "--cdm-format", callback=one_of("kvn", "xml"),
                                   help="CDM form: kvn (.txt) or xml (.xml)."),
    scheduler: str = typer.Option(None, "--scheduler", callback=_scheduler, help="Dask scheduler tcp://HOST:PORT, "
                                  "or 'local'."),
) -> None:
    """Screen a catalog for conjunctions (all-vs-all, or primaries vs all); co-located pairs listed apart."""
    from datetime import timedelta

    from rich.progress import Progress

    from orbitshare.astro.time import parse_utc
    from orbitshare.ssa.conjunction.element_age import default_start, stale_warning
    from orbitshare.ssa.conjunction.screening import screen
    from orbitshare.ssa.conjunction.tle_covariance import TleCovarianceModel

    err = console(stderr=True)
    cat, report = load_catalog(*catalog)
    missing = sorted(set(primary) - set(cat.norad_id.tolist()))
    if missing:
        raise typer.BadParameter(f"NORAD ids not in the catalog: {missing}", param_hint="'--primary'")
    t0, note = (parse_utc(start), None) if start else default_start(cat)
    if note:
        err.print(note)
    with Progress(console=err, transient=True) as bar:
        task = bar.add_task("screening", total=None)
        try:
            res = screen(cat, t0, t0 + timedelta(days=days), threshold_km, primary or None,
                         scheduler=scheduler, progress=lambda d, n: bar.update(task, completed=d, total=n))
        except (ValueError, KeyError) as exc:
            fail(str(exc.args[0] if exc.args else exc))
        except OSError as exc:
            if not scheduler:
                raise
            fail(f"--scheduler {scheduler}: cannot use the Dask scheduler ({exc})")
    warning = stale_warning(int(res["stale"].sum()), len(res), "conjunctions")
    if warning:
        err.print(f"[yellow]{warning}[/yellow]")
    else:  # no stale conjunction (perhaps none at all): still say when the window is beyond the element sets
        warn_stale(cat, t0, t0 + timedelta(days=days), "objects")
    if out:
        res.write(out)
        wrote(out, f"{len(res)} events")
    model = TleCovarianceModel.from_files(*catalog) if cdm_dir or len(res) else None
    if cdm_dir:
        from orbitshare.ssa.conjunction.screening_cdm import write_screening_cdms

        with step(f"writing {len(res)} CDMs"):
            paths = write_screening_cdms(res, cat, cdm_dir, cdm_format, model)
        wrote(cdm_dir, f"{len(paths):,} CDMs ({cdm_format}, TLE-based covariance and Pc)")
    _print_screening_summary(res, cat, model, len(report.rejects))


def _print_screening_summary(res, cat, model, n_rejects: int) -> None:
    """Counts by regime pair, the closest and highest-Pc encounters, and the co-located pairs apart."""
    from rich.table import Table

    from orbitshare.ssa.conjunction.summary import screening_summary

    out = console()
    summary = screening_summary(res)
    out.print(f"{len(res)} conjunctions <= {res.threshold_km} km among {len(cat)} objects "
              f"({n_rejects} catalog records rejected); {summary.n_colocated} of them between co-located or "
              f"formation pairs (listed apart)")
    counts = Table(title="events by regime")
    counts.add_column("regimes")
    counts.add_column("events", justify="right")
    for name, n in summary.regime_pairs:
        counts.add_row(name, str(n))
    out.print(counts)
    for title, rows in (("closest", summary.closest), ("highest Pc (max)", summary.highest_pc)):
        out.print(_events_table(title, res, cat, model, rows))
    if summary.n_colocated:
        out.print(_events_table("co-located / formation pairs (closest event of each; not encounters)", res, cat,
                                model, summary.colocated))


def _events_table(title: str, res, cat, model, rows):
    """Rich table of events: TCA, objects, miss, speed, element-set ages, max Pc and TLE-based Pc."""
    from rich.table import Table

    from orbitshare.ssa.conjunction.screening_cdm import tle_pc

    table = Table(title=title, caption="Pc TLE: Foster 2D from TLE-based covariances (docs/screening.md); "
                                       "age: days from element-set epoch to TCA, * stale")
    for col in ("TCA (UTC)", "object 1", "object 2", "miss km", "speed km/s", "age 1 d", "age 2 d", "Pc max",
                "Pc TLE"):
        table.add_column(col, no_wrap=col == "TCA (UTC)", justify="left" if col.startswith(("TCA", "obj")) else
                         "right")
    for k in rows:
        mark = "*" if res["stale"][k] else ""
        table.add_row(res["tca_utc"][k], f"{res['norad_id_1'][k]} {res['name_1'][k]}",
                      f"{res['norad_id_2'][k]} {res['name_2'][k]}", f"{res['miss_km'][k]:.3f}",
                      f"{res['rel_speed_kms'][k]:.3f}", f"{res['age_1_days'][k]:.2f}{mark}",
                      f"{res['age_2_days'][k]:.2f}{mark}", f"{res['pc_max'][k]:.2e}",
                      f"{tle_pc(res, int(k), cat, model):.2e}")
    return table


def register(app: typer.Typer) -> None:
    """Add `screen` to the root app."""
    app.command("screen")(screen_cmd)
