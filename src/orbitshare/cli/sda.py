"""`orbitshare sda manoeuvres|fragmentation|overflights|proximity`: space domain awareness (see docs/sda.md)."""

from __future__ import annotations

from pathlib import Path

import typer

from orbitshare.cli.support import (
    IDS_HELP,
    JSON_HELP,
    ROWS_OUT_HELP,
    console,
    fail,
    id_list,
    input_files,
    iso_utc,
    load_catalog,
    non_negative,
    one_of,
    output_file,
    output_rows,
    positive,
    step,
    warn_stale,
    write_rows,
    wrote,
)

__all__ = ["register", "sda_fragmentation_cmd", "sda_manoeuvres_cmd", "sda_overflights_cmd", "sda_proximity_cmd"]

ALERTS_SUFFIXES = (".json", ".jsonl", ".csv")


def sda_manoeuvres_cmd(
    history: str = typer.Argument(..., callback=input_files(), help="TLE/OMM file with the element-set history of "
                                  "one object."),
    out: str = typer.Option(None, "--out", callback=output_file(), metavar="FILE",
                            help=ROWS_OUT_HELP + " One row per manoeuvre."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
    norad_id: int = typer.Option(None, "--norad-id", min=1, help="Object to analyse when the file holds several."),
    regime: str = typer.Option(None, "--regime", callback=one_of("LEO", "GEO"),
                               help="LEO or GEO configuration (default: from the orbit)."),
    alerts: str = typer.Option(None, "--alerts", callback=output_file(ALERTS_SUFFIXES), metavar="FILE",
                               help="Also write alert records (.json, .jsonl or .csv)."),
    truth: str = typer.Option(None, "--truth", callback=input_files(), help="Operator-reported manoeuvre times "
                              "(YAML, manoeuvre_timestamps list): score the detections against them."),
    tolerance_days: float = typer.Option(1.0, "--tolerance-days", callback=non_negative,
                                         help="Matching tolerance with --truth (days)."),
    match: str = typer.Option("time", "--match", callback=one_of("time", "window"), help="With --truth: 'time' "
                              "(burn time within the tolerance of the reported time) or 'window' (reported time in "
                              "the window widened by the tolerance)."),
    plot: str = typer.Option(None, "--plot", callback=output_file((".png",)), metavar="FILE",
                             help="PNG of the element history with detections (and --truth)."),
    boxes: str = typer.Option(None, "--boxes", callback=output_file((".json",)), metavar="FILE",
                              help="GEO: write the station-keeping boxes and drift alerts (.json)."),
    neighbours: list[str] = typer.Option(None, "--neighbour", callback=input_files(), help="With --boxes: another "
                                         "GEO object's history (TLE/OMM); alert when this object drifts toward its "
                                         "slot. Repeatable."),
) -> None:
    """Detect manoeuvres: burn time with sigma, window, delta-v (RTN) with sigma, kind and confidence."""
    import json

    from orbitshare.ssa.behaviour.alerts import manoeuvre_alert
    from orbitshare.ssa.behaviour.evaluation import evaluate, read_truth
    from orbitshare.ssa.behaviour.io import read_history, write_alerts
    from orbitshare.ssa.behaviour.manoeuvres import detect_manoeuvres
    from orbitshare.ssa.behaviour.scoring import median_abs_error_h, reported_times

    if neighbours and not boxes:
        fail("--neighbour needs --boxes")
    try:
        with step(f"reading {history}"):
            hist = read_history(history, norad_id)
        truth_jd = read_truth(truth)[1] if truth else None
        others = [read_history(path) for path in neighbours or []]
    except (ValueError, FileNotFoundError) as exc:
        fail(str(exc))
    with step(f"detecting manoeuvres in {len(hist.catalog)} element sets"):
        found = detect_manoeuvres(hist, regime)
    rows = [m.as_dict() for m in found]
    score = None
    if truth_jd is not None:
        score = evaluate(hist, truth_jd, tolerance_days, regime, match, found)
        for row, reported in zip(rows, reported_times(score, len(rows)), strict=True):
            row["reported_time"] = reported
    output_rows(rows, out, as_json, f"Manoeuvres in {history}")
    if alerts:
        write_alerts([manoeuvre_alert(m, history) for m in found], alerts)
        wrote(alerts, f"{len(found)} alerts")
    if plot:
        from orbitshare.ssa.behaviour.report import plot_manoeuvres

        plot_manoeuvres(hist, found, plot, truth_jd)
        wrote(plot, "the element history with its manoeuvres")
    if boxes:
        from orbitshare.ssa.behaviour.geo_watch import geo_watch

        report = geo_watch(hist, others)
        Path(boxes).write_text(json.dumps(report, indent=2))
        wrote(boxes, f"{len(report['boxes'])} station-keeping boxes and {len(report['drift_alerts'])} drift alerts")
    typer.echo(f"{history}: {len(hist.catalog)} element sets, {len(hist.rejects)} rejected or merged, "
               f"{len(found)} manoeuvres", err=True)
    if score is not None:
        median_h = median_abs_error_h(score)
        med = f", median |burn time - reported| {median_h:.1f} h" if median_h is not None else ""
        typer.echo(f"against {truth} ({score['truth']} reported in the history span; one-to-one matching by "
                   f"{match}, tolerance {tolerance_days:g} d): TP {score['tp']} FP {score['fp']} FN {score['fn']}, "
                   f"precision {score['precision']:.3f} recall {score['recall']:.3f} F1 {score['f1']:.3f}{med}",
                   err=True)


def sda_fragmentation_cmd(
    after: str = typer.Argument(..., callback=input_files(), help="Latest catalog (any supported format)."),
    before: str = typer.Option(None, "--before", callback=input_files(), help="Earlier catalog; new objects are the "
                               "candidates."),
    out: str = typer.Option(None, "--out", callback=output_file(), metavar="FILE",
                            help=ROWS_OUT_HELP + " One row per cloud."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
    png: str = typer.Option(None, "--gabbard", callback=output_file((".png",)), metavar="FILE",
                            help="Gabbard diagram PNG of the largest cloud."),
    search_days: float = typer.Option(120.0, "--search-days", callback=positive, help="With --before: days before "
                                      "the first fragment epoch to search (without: from the launch year on)."),
    no_time: bool = typer.Option(False, "--no-event-time", help="Skip the event-time estimate."),
    satcat: str = typer.Option(None, "--satcat", help="SATCAT CSV (.gz ok) naming parents that have no element "
                               "set in the catalogs (decayed)."),
) -> None:
    """Find fragment clouds, date them from their orbit planes, trace the parent; Gabbard diagram."""
    from rich.progress import Progress

    from orbitshare.catalog.reader import open_text
    from orbitshare.catalog.satcat import read_satcat
    from orbitshare.ssa.behaviour.fragmentation import detect_fragmentations
    from orbitshare.ssa.behaviour.report import gabbard_png

    cat_after, _ = load_catalog(after)
    cat_before = load_catalog(before)[0] if before else None
    entries = None
    if satcat:
        try:
            with open_text(satcat) as fh:
                entries = read_satcat(fh, satcat)[0]
        except ValueError as exc:
            fail(str(exc))
    with Progress(console=console(stderr=True), transient=True) as bar:
        task = bar.add_task("tracing fragment clouds", total=None)
        clouds = detect_fragmentations(cat_before, cat_after, search_days, estimate_time=not no_time,
                                       progress=lambda d, n: bar.update(task, completed=d, total=n),
                                       satcat=entries)
    rows = [{k: v for k, v in c.as_dict().items() if k != "members"} for c in clouds]
    output_rows(rows, out, as_json, "Fragment clouds")
    if png and clouds:
        sel = cat_after.select(ids=clouds[0].members.tolist())
        gabbard_png(sel, png, f"Fragments {clouds[0].intl_prefix}")
        wrote(png, f"the Gabbard diagram of {clouds[0].intl_prefix}")
    typer.echo(f"{len(clouds)} fragment clouds", err=True)


def sda_overflights_cmd(
    catalog: str = typer.Argument(..., callback=input_files(), help="Catalog with the watched satellites."),
    config: str = typer.Option(..., "--config", callback=input_files(), help="YAML with sites and watched "
                               "satellites (docs/sda.md)."),
    start: str = typer.Option(..., "--start", callback=iso_utc, metavar="UTC", help="Window start, ISO 8601 UTC."),
    stop: str = typer.Option(..., "--stop", callback=iso_utc, metavar="UTC", help="Window end, ISO 8601 UTC."),
    out: str = typer.Option(None, "--out", callback=output_file(), metavar="FILE",
                            help=ROWS_OUT_HELP + " One row per overflight."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Timeline per site of watched imaging/radar/signals satellites able to observe it."""
    from orbitshare.ssa.behaviour.io import load_overflight_config
    from orbitshare.ssa.behaviour.overflight import overflights

    cat, _ = load_catalog(catalog)
    try:
        sites, watched = load_overflight_config(config, cat)
        with step(f"computing overflights of {len(watched)} satellites over {len(sites)} sites"):
            timeline = overflights(cat, sites, watched, start, stop)
    except (ValueError, KeyError) as exc:
        fail(str(exc.args[0] if exc.args else exc))
    rows = [o.as_dict() for site in timeline.values() for o in site]
    warn_stale(cat.select(ids=[w.norad_id for w in watched]), start, stop, "watched satellites")
    output_rows(rows, out, as_json, f"Overflights {start} .. {stop}")
    for name, items in timeline.items():
        typer.echo(f"{name}: {len(items)} overflights", err=True)


def sda_proximity_cmd(
    catalog: str = typer.Argument(..., callback=input_files(), help="Catalog (TLE/OMM) holding the assets and the "
                                  "objects to watch."),
    assets: list[str] = typer.Option(..., "--assets", callback=id_list, metavar="ID[,ID...]",
                                     help=f"Protected assets: {IDS_HELP}"),
    start: str = typer.Option(..., "--start", callback=iso_utc, metavar="UTC", help="Window start, ISO 8601 UTC."),
    stop: str = typer.Option(..., "--stop", callback=iso_utc, metavar="UTC", help="Window end, ISO 8601 UTC."),
    distance: float = typer.Option(None, "--distance-km", callback=positive, help="Watch distance (default 50 km "
                                   "GEO, 10 km other)."),
    out: str = typer.Option(None, "--out", callback=output_file(), metavar="FILE",
                            help=ROWS_OUT_HELP + " One row per asset/object pair."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
    belt: str = typer.Option(None, "--belt", callback=output_file(), metavar="FILE",
                             help="Also write the GEO-belt view (.csv, .json or .jsonl)."),
    alerts: str = typer.Option(None, "--alerts", callback=output_file(ALERTS_SUFFIXES), metavar="FILE",
                               help="Also write proximity alerts (.json/.jsonl/.csv)."),
) -> None:
    """Objects within the watch distance of protected assets: closest approach, RTN geometry, trend."""
    from orbitshare.ssa.behaviour.alerts import proximity_alert
    from orbitshare.ssa.behaviour.io import write_alerts
    from orbitshare.ssa.behaviour.proximity import geo_belt_view, proximity_watch

    ids = assets
    cat, _ = load_catalog(catalog)
    try:
        with step(f"watching {len(ids)} assets among {len(cat):,} objects"):
            rows = proximity_watch(cat, ids, start, stop, distance)
        view = geo_belt_view(cat, ids, start) if belt else []
    except (ValueError, KeyError) as exc:
        fail(str(exc.args[0] if exc.args else exc))
    warn_stale(cat.select(ids=ids + [r["object_id"] for r in rows]), start, stop, "assets and nearby objects")
    columns = ("asset_id", "asset_name", "object_id", "object_name", "tca", "miss_km", "miss_r_km", "miss_t_km",
               "miss_n_km", "rel_speed_kms", "approaches", "trend")
    output_rows(rows, out, as_json, f"Objects within the watch distance, {start} .. {stop}",
                tuple(c for c in columns if rows and c in rows[0]) or None)
    if belt:
        wrote(write_rows(view, belt), f"the GEO-belt view ({len(view)} rows)")
    if alerts:
        write_alerts([proximity_alert(r) for r in rows], alerts)
        wrote(alerts, f"{len(rows)} alerts")
    typer.echo(f"{len(rows)} objects within the watch distance of {len(ids)} assets", err=True)


def register(app: typer.Typer) -> None:
    """Add the `sda` group to the root app."""
    group = typer.Typer(no_args_is_help=True, help="Space domain awareness: manoeuvres, break-ups, overflights.")
    group.command("manoeuvres")(sda_manoeuvres_cmd)
    group.command("fragmentation")(sda_fragmentation_cmd)
    group.command("overflights")(sda_overflights_cmd)
    group.command("proximity")(sda_proximity_cmd)
    app.add_typer(group, name="sda")
