"""Command-line interface: `orbitshare ...` (typer + rich)."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False, help="orbitshare: allied space situational awareness.")

# --- foundation commands (catalog, propagate, demo) -------------------------------------------------------

catalog_app = typer.Typer(no_args_is_help=True, help="Read and inspect catalogs (TLE, CCSDS OMM KVN/XML/JSON/CSV).")
app.add_typer(catalog_app, name="catalog")


def _console():  # type: ignore[no-untyped-def]
    """Rich console for tables (130 columns wide when output is not a terminal)."""
    import sys

    from rich.console import Console

    return Console() if sys.stdout.isatty() else Console(width=130)


def _print_report(console, report, show: int) -> None:  # type: ignore[no-untyped-def]
    """Print the rejects (first `show`) and duplicate count of a ParseReport."""
    if report.rejects:
        console.print(f"[bold red]{len(report.rejects)} rejected record(s)[/]")
        for r in report.rejects[:show]:
            console.print(f"  [red]x[/] {r}")
        if len(report.rejects) > show:
            console.print(f"  ... and {len(report.rejects) - show} more (use --show-rejects N)")
    if report.duplicates:
        console.print(f"[yellow]{len(report.duplicates)} duplicate element set(s) replaced by newer epochs[/]")


def _summary_table(title: str, catalog, report):  # type: ignore[no-untyped-def]
    """Rich table of a catalog's counts by regime and type, epoch span, rejects and duplicates."""
    from rich.table import Table

    s = catalog.summary()
    table = Table(title=title, show_header=False)
    table.add_column("what", style="bold")
    table.add_column("value")
    table.add_row("objects", f"{s['objects']:,} (of {report.records_read:,} records read)")
    table.add_row("by regime", "  ".join(f"{k} {v:,}" for k, v in s["by_regime"].items()))
    table.add_row("by type", "  ".join(f"{k.lower()} {v:,}" for k, v in s["by_type"].items()))
    if s["objects"]:
        table.add_row("epochs", f"{s['epoch_min']} .. {s['epoch_max']} (median {s['epoch_median']})")
    table.add_row("rejected", f"{len(report.rejects):,}")
    table.add_row("duplicates replaced", f"{len(report.duplicates):,}")
    return table


@catalog_app.command("info")
def catalog_info_cmd(
    files: list[Path] = typer.Argument(..., help="Catalog files (.gz allowed); formats are detected."),
    strict: bool = typer.Option(False, "--strict", help="Stop at the first bad record."),
    show_rejects: int = typer.Option(20, "--show-rejects", help="How many rejects to list."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
) -> None:
    """Counts by regime and type, epoch span, and every rejected record with its reason."""
    import json

    from orbitshare.catalog import CatalogError, read_catalog

    console = _console()
    out = []
    for f in files:
        try:
            cat, rep = read_catalog(f, strict=strict)
        except (FileNotFoundError, CatalogError) as exc:
            console.print(f"[bold red]error:[/] {exc}")
            raise typer.Exit(2) from None
        if as_json:
            out.append({"file": str(f), **cat.summary(), "records_read": rep.records_read,
                        "rejects": [str(r) for r in rep.rejects], "duplicates": len(rep.duplicates)})
            continue
        console.print(_summary_table(str(f), cat, rep))
        _print_report(console, rep, show_rejects)
    if as_json:
        typer.echo(json.dumps(out, indent=2))


def _parse_step_s(text: str) -> float:
    """Seconds from '60', '30s', '5m', '1h' or '1d'."""
    units = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
    t = text.strip().lower()
    scale = units.get(t[-1:], None)
    value = t[:-1] if scale else t
    try:
        step = float(value) * (scale or 1.0)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a duration such as 60, 30s, 5m, 1h") from None
    if not step > 0:
        raise typer.BadParameter(f"step must be positive, got {text!r}")
    return step


@app.command("propagate")
def propagate_cmd(
    file: Path = typer.Argument(..., help="Catalog file (TLE or OMM, any supported form)."),
    start: str = typer.Option(..., "--start", help="UTC start, ISO 8601 (e.g. 2026-03-10T00:00:00Z)."),
    stop: str = typer.Option(..., "--stop", help="UTC stop, ISO 8601."),
    step: str = typer.Option("60s", "--step", help="Time step: 60, 30s, 5m, 1h."),
    ids: list[int] = typer.Option(None, "--ids", help="NORAD ids to propagate (default: all)."),
    frame: str = typer.Option("teme", "--frame", help="teme | itrs | geodetic"),
    out: Path = typer.Option(..., "--out", help="Output file: .csv or .parquet"),
) -> None:
    """Propagate a catalog with SGP4 and write one row per object and time (SGP4 errors kept per row)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from orbitshare.astro.time import parse_utc, time_grid
    from orbitshare.catalog import read_catalog
    from orbitshare.ephemeris_io import FRAMES, OUTPUT_SUFFIXES, write_ephemeris

    if frame not in FRAMES:
        raise typer.BadParameter(f"--frame must be one of {', '.join(FRAMES)}, got {frame!r}")
    if out.suffix not in OUTPUT_SUFFIXES:
        raise typer.BadParameter(f"--out must end in .csv or .parquet, got {out.name!r}")
    try:
        t0, t1 = parse_utc(start), parse_utc(stop)
    except ValueError as exc:
        raise typer.BadParameter(f"bad time: {exc}") from None
    if t1 <= t0:
        raise typer.BadParameter(f"--stop {stop} must be after --start {start}")
    jd, fr = time_grid(t0, t1, _parse_step_s(step))
    console = _console()
    try:
        cat, rep = read_catalog(file)
    except FileNotFoundError as exc:
        raise typer.BadParameter(str(exc)) from None
    _print_report(console, rep, 10)
    if ids:
        missing = sorted(set(ids) - set(cat.norad_id.tolist()))
        if missing:
            raise typer.BadParameter(f"NORAD ids not in {file}: {missing}")
        cat = cat.select(ids=ids)
    if len(cat) == 0:
        console.print("[bold red]error:[/] no objects to propagate")
        raise typer.Exit(2)
    with Progress(TextColumn("propagating"), BarColumn(), TextColumn("{task.completed:,}/{task.total:,} objects"),
                  TimeRemainingColumn(), console=console, disable=len(cat) * len(jd) < 2_000_000) as bar:
        task = bar.add_task("propagate", total=len(cat))
        result = write_ephemeris(cat, jd, fr, frame, out, on_block=lambda n: bar.advance(task, n))
    console.print(f"wrote {result['rows']:,} rows ({len(cat):,} objects x {len(jd):,} times, {frame}) to {out}")
    if result["failed_ids"]:
        shown = ", ".join(map(str, result["failed_ids"][:20]))
        console.print(f"[yellow]{len(result['failed_ids'])} object(s) had SGP4 errors (decayed or invalid), "
                      f"{result['error_samples']:,} rows flagged in column sgp4_error: {shown}[/]")


@app.command("demo")
def demo_cmd(
    min_elevation: float = typer.Option(10.0, "--min-elevation", help="Minimum elevation for passes (deg)."),
) -> None:
    """Batch demo on the bundled catalog: summary, then partner satellites' passes over Ljubljana."""
    from rich.table import Table

    from orbitshare.demo import LJUBLJANA, NATIONAL_ASSETS, demo_window, load_demo_catalog, national_passes

    console = _console()
    cat, rep = load_demo_catalog()
    console.print(_summary_table("bundled catalog: CelesTrak active payloads, 2026-03-10", cat, rep))
    _print_report(console, rep, 10)
    start, stop = demo_window(cat)
    table = Table(title=f"Passes over Ljubljana ({LJUBLJANA[0]} N, {LJUBLJANA[1]} E) above {min_elevation:g} deg, "
                        f"{start:%Y-%m-%d %H:%M} .. {stop:%Y-%m-%d %H:%M} UTC")
    for col in ("satellite", "partner", "rise (UTC)", "culmination", "set", "max el (deg)", "duration (s)"):
        table.add_column(col)
    for p in national_passes(cat, start, stop, min_elevation):
        table.add_row(f"{p.name} ({p.norad_id})", NATIONAL_ASSETS[p.norad_id], f"{p.rise:%H:%M:%S}",
                      f"{p.culmination:%H:%M:%S}", f"{p.set:%H:%M:%S}", f"{p.max_elevation_deg:.1f}",
                      f"{p.duration_s:.0f}")
    console.print(table)


# --- sharing hub commands ---------------------------------------------------------------------------------
# `orbitshare serve` and `orbitshare audit verify|head|partner-key` (owner: sharing hub; see docs/sharing.md).

audit_app = typer.Typer(no_args_is_help=True, help="The sharing hub's tamper-evident audit log.")
app.add_typer(audit_app, name="audit")


def _hub_config(db_url: str | None):  # type: ignore[no-untyped-def]
    """Hub configuration: data directory from ORBITSHARE_HOME, database from --db-url or the embedded file."""
    from orbitshare.store.db import sqlite_url
    from orbitshare.store.hub import HubConfig
    from orbitshare.store.keys import default_home

    home = default_home()
    home.mkdir(parents=True, exist_ok=True)
    return HubConfig(db_url=db_url or sqlite_url(home / "hub.db"), home=home)


@app.command("serve")
def serve_cmd(
    demo: bool = typer.Option(False, "--demo", help="Seed demo partners, users and products."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", help="TCP port."),
    db_url: str = typer.Option(None, "--db-url", help="SQLAlchemy URL (default: SQLite in ORBITSHARE_HOME)."),
) -> None:
    """Run the sharing hub (FastAPI on uvicorn); OpenAPI at /docs."""
    import uvicorn

    from orbitshare.api.app import create_app
    from orbitshare.api.auth import jwt_settings_from_env
    from orbitshare.api.demo import seed

    config = _hub_config(db_url)
    app_ = create_app(config, jwt=jwt_settings_from_env())
    url = f"http://{host}:{port}"
    typer.echo(f"orbitshare hub: {url}/  (API docs {url}/docs, data in {config.home})")
    if demo:
        for name, person in seed(app_.state.hub).items():
            typer.echo(f"  {person['partner']} {person['role']:<11} {name:<28} token: {person['token']}")
    uvicorn.run(app_, host=host, port=port, log_level="info")


def _audit_settings():  # type: ignore[no-untyped-def]
    """Where witnessed heads and partner hub keys are kept (ORBITSHARE_WITNESS_FILE, _WITNESS_PARTNERS)."""
    from orbitshare.api.witnessing import audit_settings_from_env
    from orbitshare.store.keys import default_home

    try:
        return audit_settings_from_env(default_home())
    except ValueError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from None


def _load_checkpoint(path: str) -> dict:
    """A tree head saved earlier (JSON with size and root); exit 2 naming the file when it is not one."""
    import json
    from pathlib import Path

    try:
        head = json.loads(Path(path).read_text())
        int(head["size"]), str(head["root"])
    except (OSError, ValueError, KeyError, TypeError) as e:
        typer.echo(f"error: --checkpoint {path}: not a saved tree head ({e})", err=True)
        raise typer.Exit(2) from None
    return head


@audit_app.command("verify")
def audit_verify_cmd(
    db_url: str = typer.Option(None, "--db-url", help="SQLAlchemy URL (default: SQLite in ORBITSHARE_HOME)."),
    checkpoint: list[str] = typer.Option([], "--checkpoint", help="JSON file of a tree head saved earlier."),
    witness: bool = typer.Option(
        True, "--witness/--no-witness", help="Also check against the newest head in the witness file."
    ),
) -> None:
    """Recompute the Merkle tree; exit 1 on any altered, removed, inserted or reordered entry or a cut tail."""
    from orbitshare.store.hub import Hub
    from orbitshare.store.witness import WitnessFile

    heads = [_load_checkpoint(c) for c in checkpoint]
    settings = _audit_settings()
    newest = WitnessFile(settings.witness_file).newest("head") if witness else None
    if newest is not None:
        heads.append(newest)
        typer.echo(f"witnessed head: size {newest['size']} ({settings.witness_file})")
    elif witness:
        typer.echo(f"no witnessed head in {settings.witness_file}: a cut tail cannot be detected", err=True)
    hub = Hub(_hub_config(db_url))
    try:
        report = hub.verify_audit(heads)
    finally:
        hub.close()
    for problem in report.problems:
        typer.echo(f"TAMPERED: {problem}", err=True)
    typer.echo(f"audit log: {report.size} entries, root {report.root}: {'OK' if report.ok else 'FAILED'}")
    raise typer.Exit(0 if report.ok else 1)


@audit_app.command("head")
def audit_head_cmd(
    db_url: str = typer.Option(None, "--db-url", help="SQLAlchemy URL (default: SQLite in ORBITSHARE_HOME)."),
    witness: bool = typer.Option(False, "--witness", help="Also append it to the witness file (e.g. from cron)."),
) -> None:
    """Print the latest signed tree head as JSON (save it to check later with --checkpoint)."""
    import json
    from datetime import UTC, datetime

    from orbitshare.sharing.consent import iso
    from orbitshare.store.hub import Hub
    from orbitshare.store.witness import WitnessFile, own_head

    hub = Hub(_hub_config(db_url))
    try:
        head = hub.audit_head()
    finally:
        hub.close()
    if witness and head["size"]:
        WitnessFile(_audit_settings().witness_file).append(own_head(head, iso(datetime.now(UTC))))
    typer.echo(json.dumps(head, indent=2))


@audit_app.command("partner-key")
def audit_partner_key_cmd(
    partner: str = typer.Argument(..., help="Partner code, e.g. LUX."),
    public_key: str = typer.Argument(..., help="The partner hub's audit key (`public_key` of its GET /audit/head)."),
) -> None:
    """Register a partner hub's audit key, so that POST /audit/witness co-signs its tree heads."""
    from orbitshare.store.witness import PartnerKeys

    settings = _audit_settings()
    try:
        PartnerKeys(settings.partner_keys_file).register(partner.upper(), public_key)
    except ValueError as e:
        typer.echo(f"error: public_key: {e}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"registered the audit key of {partner.upper()} in {settings.partner_keys_file}")


# --- end of sharing hub commands ---------------------------------------------------------------------------


# --- cdm commands -------------------------------------------------------------------------------------------
# `orbitshare cdm pc FILE...` (owner: ssa Pc/CDM; see docs/pc.md).

cdm_app = typer.Typer(no_args_is_help=True, help="CCSDS Conjunction Data Messages.")
app.add_typer(cdm_app, name="cdm")


@cdm_app.command("pc")
def cdm_pc_cmd(
    files: list[str] = typer.Argument(..., help="CDM files (KVN or XML)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    hbr: float = typer.Option(None, "--hbr", help="Combined hard-body radius (m), overrides CDM/table."),
) -> None:
    """Per CDM: TCA, miss distance, relative speed, combined HBR and Pc by every implemented method."""
    import json

    from orbitshare.ssa.cdm import CdmError, read_cdm
    from orbitshare.ssa.pc import pc_for_cdm

    rows, errors = [], []
    for name in files:
        try:
            rows.append(pc_for_cdm(read_cdm(name), hbr))
        except (CdmError, OSError) as exc:
            errors.append({"file": name, "error": str(exc)})
    if as_json:
        typer.echo(json.dumps({"results": rows, "errors": errors}, indent=2))
    else:
        _cdm_pc_table(rows, errors)
    raise typer.Exit(1 if errors else 0)


def _cdm_pc_table(rows: list[dict], errors: list[dict]) -> None:
    """Print `cdm pc` results as a rich table and rejected files on stderr."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Collision probability per CDM")
    columns = ("file", "TCA (UTC)", "miss m", "v_rel m/s", "HBR m", "Foster", "Chan", "Alfano05", "Pc max")
    for column in columns:
        table.add_column(column, justify="left" if column in columns[:2] else "right", no_wrap=True)
    for r in rows:
        pcs = [f"{r['pc'][k]:.3e}" for k in ("foster", "chan", "alfano2005")]
        name, tca = r["source"].rsplit("/", 1)[-1], r["tca_utc"][:23]
        table.add_row(name, tca, f"{r['miss_distance_m']:.1f}", f"{r['relative_speed_mps']:.3f}",
                      f"{r['hbr_m']:.2f}", *pcs, f"{r['pc_max_isotropic']:.3e}")
    console = Console()
    if not console.is_terminal:
        console = Console(width=200)
    console.print(table)
    for e in errors:
        Console(stderr=True).print(f"[red]rejected[/red] {e['error']}")


# --- end of cdm commands -----------------------------------------------------------------------------------


# --- sda commands -------------------------------------------------------------------------------------------
# `orbitshare sda manoeuvres|fragmentation|overflights` (owner: SDA; see docs/sda.md).

sda_app = typer.Typer(no_args_is_help=True, help="Space domain awareness: manoeuvres, break-ups, overflights.")
app.add_typer(sda_app, name="sda")


def _sda_write_rows(rows: list[dict], out: str | None) -> None:
    """Write dict rows as CSV (.csv) or JSON (otherwise) to out, or print JSON to stdout."""
    import csv
    import json

    if not out:
        typer.echo(json.dumps(rows, indent=2, default=str))
    elif out.endswith(".csv"):
        with open(out, "w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]) if rows else ["empty"])
            writer.writeheader()
            writer.writerows(rows)
    else:
        with open(out, "w") as fh:
            json.dump(rows, fh, indent=2, default=str)


@sda_app.command("manoeuvres")
def sda_manoeuvres_cmd(
    history: str = typer.Argument(..., help="TLE/OMM file with the element-set history of one object."),
    out: str = typer.Option(None, "--out", help="Output .csv or .json (one row per manoeuvre)."),
    norad_id: int = typer.Option(None, "--norad-id", help="Object to analyse when the file holds several."),
    regime: str = typer.Option(None, "--regime", help="LEO or GEO configuration (default: from the orbit)."),
    alerts: str = typer.Option(None, "--alerts", help="Also write alert records (.json, .jsonl or .csv)."),
    truth: str = typer.Option(None, "--truth", help="Operator-reported manoeuvre times (YAML, "
                              "manoeuvre_timestamps list): score the detections against them."),
    tolerance_days: float = typer.Option(1.0, "--tolerance-days", help="Matching tolerance with --truth (days)."),
    match: str = typer.Option("window", "--match", help="With --truth: 'window' (reported time in the window "
                              "widened by the tolerance) or 'time' (within the tolerance of the burn time)."),
) -> None:
    """Detect manoeuvres: window, delta-v (RTN), direction, kind and confidence per manoeuvre."""
    from orbitshare.astro.time import format_utc
    from orbitshare.ssa.alerts import manoeuvre_alert, write_alerts
    from orbitshare.ssa.manoeuvres import detect_manoeuvres, evaluate, read_history, read_truth

    if match not in ("window", "time"):
        typer.echo(f"error: --match must be 'window' or 'time', not {match!r}", err=True)
        raise typer.Exit(2)
    try:
        hist = read_history(history, norad_id)
        truth_jd = read_truth(truth)[1] if truth else None
    except (ValueError, FileNotFoundError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    found = detect_manoeuvres(hist, regime.upper() if regime else None)
    rows = [m.as_dict() for m in found]
    score = None
    if truth_jd is not None:
        score = evaluate(hist, truth_jd, tolerance_days, regime.upper() if regime else None, match, found)
        matched = dict(score["pairs"])
        for i, row in enumerate(rows):
            row["reported_time"] = str(format_utc(matched[i], 0.0)) if i in matched else ""
    _sda_write_rows(rows, out)
    if alerts:
        write_alerts([manoeuvre_alert(m, history) for m in found], alerts)
    typer.echo(f"{history}: {len(hist.catalog)} element sets, {len(hist.rejects)} rejected or merged, "
               f"{len(found)} manoeuvres", err=True)
    if score is not None:
        typer.echo(f"against {truth} ({score['truth']} reported in the history span; one-to-one matching by "
                   f"{match}, tolerance {tolerance_days:g} d): TP {score['tp']} FP {score['fp']} FN {score['fn']}, "
                   f"precision {score['precision']:.3f} recall {score['recall']:.3f} F1 {score['f1']:.3f}", err=True)


@sda_app.command("fragmentation")
def sda_fragmentation_cmd(
    after: str = typer.Argument(..., help="Latest catalog (any supported format)."),
    before: str = typer.Option(None, "--before", help="Earlier catalog; new objects are the candidates."),
    out: str = typer.Option(None, "--out", help="Output .csv or .json (one row per fragment cloud)."),
    png: str = typer.Option(None, "--gabbard", help="Gabbard diagram PNG of the largest cloud."),
    search_days: float = typer.Option(120.0, "--search-days", help="Days before the first fragment epoch to search."),
    no_time: bool = typer.Option(False, "--no-event-time", help="Skip the event-time estimate."),
) -> None:
    """Find new-object clouds, cluster by orbit plane, trace parent and event time; Gabbard diagram."""
    from orbitshare.catalog import read_catalog
    from orbitshare.ssa.fragmentation import detect_fragmentations, gabbard_png

    try:
        cat_after, _ = read_catalog(after)
        cat_before = read_catalog(before)[0] if before else None
    except (ValueError, FileNotFoundError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    clouds = detect_fragmentations(cat_before, cat_after, search_days, estimate_time=not no_time)
    rows = [{k: v for k, v in c.as_dict().items() if k != "members"} for c in clouds]
    _sda_write_rows(rows, out)
    if png and clouds:
        sel = cat_after.select(ids=clouds[0].members.tolist())
        gabbard_png(sel, png, f"Fragments {clouds[0].intl_prefix}")
    typer.echo(f"{len(clouds)} fragment clouds", err=True)


@sda_app.command("overflights")
def sda_overflights_cmd(
    catalog: str = typer.Argument(..., help="Catalog with the watched satellites."),
    config: str = typer.Option(..., "--config", help="YAML with sites and watched satellites (docs/sda.md)."),
    start: str = typer.Option(..., "--start", help="Window start, ISO 8601 UTC."),
    stop: str = typer.Option(..., "--stop", help="Window end, ISO 8601 UTC."),
    out: str = typer.Option(None, "--out", help="Output .csv or .json (one row per overflight)."),
) -> None:
    """Timeline per site of watched imaging/radar/signals satellites able to observe it."""
    from orbitshare.catalog import read_catalog
    from orbitshare.ssa.overflight import load_overflight_config, overflights

    try:
        cat, _ = read_catalog(catalog)
        sites, watched = load_overflight_config(config, cat)
        timeline = overflights(cat, sites, watched, start, stop)
    except (ValueError, KeyError, FileNotFoundError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    rows = [o.as_dict() for site in timeline.values() for o in site]
    _sda_write_rows(rows, out)
    for name, items in timeline.items():
        typer.echo(f"{name}: {len(items)} overflights", err=True)


@sda_app.command("proximity")
def sda_proximity_cmd(
    catalog: str = typer.Argument(..., help="Catalog (TLE/OMM) holding the assets and the objects to watch."),
    assets: str = typer.Option(..., "--assets", help="Comma-separated NORAD ids of the protected assets."),
    start: str = typer.Option(..., "--start", help="Window start, ISO 8601 UTC."),
    stop: str = typer.Option(..., "--stop", help="Window end, ISO 8601 UTC."),
    distance: float = typer.Option(None, "--distance-km", help="Watch distance (default 50 km GEO, 10 km other)."),
    out: str = typer.Option(None, "--out", help="Output .csv or .json (one row per asset/object pair)."),
    belt: str = typer.Option(None, "--belt", help="Also write the GEO-belt view (.csv or .json)."),
    alerts: str = typer.Option(None, "--alerts", help="Also write proximity alerts (.json/.jsonl/.csv)."),
) -> None:
    """Objects within the watch distance of protected assets: closest approach, RTN geometry, trend."""
    from orbitshare.catalog import read_catalog
    from orbitshare.ssa.alerts import proximity_alert, write_alerts
    from orbitshare.ssa.proximity import geo_belt_view, proximity_watch

    try:
        ids = [int(x) for x in assets.split(",") if x.strip()]
        cat, _ = read_catalog(catalog)
        rows = proximity_watch(cat, ids, start, stop, distance)
        view = geo_belt_view(cat, ids, start) if belt else []
    except (ValueError, KeyError, FileNotFoundError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    _sda_write_rows(rows, out)
    if belt:
        _sda_write_rows(view, belt)
    if alerts:
        write_alerts([proximity_alert(r) for r in rows], alerts)
    typer.echo(f"{len(rows)} objects within the watch distance of {len(ids)} assets", err=True)


# --- end of sda commands ------------------------------------------------------------------------------------


# --- screening commands ---------------------------------------------------------------------------------------
# `orbitshare screen` (owner: conjunction screening; see docs/screening.md).


@app.command("screen")
def screen_cmd(
    catalog: list[str] = typer.Argument(..., help="Catalog file(s): TLE, OMM (KVN/XML/JSON/CSV), .gz ok."),
    start: str = typer.Option(None, "--start", help="Window start, UTC ISO 8601 (default: now)."),
    days: float = typer.Option(7.0, "--days", help="Window length (days)."),
    threshold_km: float = typer.Option(5.0, "--threshold-km", help="Report minima of range below this (km)."),
    primary: list[int] = typer.Option([], "--primary", help="NORAD id of a primary (repeatable)."),
    out: str = typer.Option(None, "--out", help="Write all events to F.csv or F.parquet."),
    cdm_dir: str = typer.Option(None, "--cdm-dir", help="Write one CCSDS CDM (KVN) per event here."),
    scheduler: str = typer.Option(None, "--scheduler", help="Dask scheduler tcp://HOST:PORT, or 'local'."),
) -> None:
    """Screen a catalog for conjunctions (all-vs-all, or primaries vs all)."""
    from datetime import UTC, datetime, timedelta

    from rich.console import Console
    from rich.progress import Progress

    from orbitshare.astro.time import parse_utc
    from orbitshare.catalog import read_catalog
    from orbitshare.ssa.screening import screen

    console = Console(stderr=True)
    cat, report = read_catalog(*catalog)
    t0 = parse_utc(start) if start else datetime.now(UTC).replace(microsecond=0)
    if days <= 0:
        raise typer.BadParameter(f"--days must be positive, got {days}")
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("screening", total=None)
        try:
            res = screen(cat, t0, t0 + timedelta(days=days), threshold_km, primary or None,
                         scheduler=scheduler, progress=lambda d, n: bar.update(task, completed=d, total=n))
        except (ValueError, KeyError) as exc:
            console.print(f"[red]error:[/red] {exc.args[0] if exc.args else exc}")
            raise typer.Exit(2) from None
    if out:
        res.write(out)
    if cdm_dir:
        _write_screening_cdms(res, cat, cdm_dir)
    _print_screening_summary(res, len(cat), len(report.rejects))


def _write_screening_cdms(res, cat, cdm_dir: str) -> None:  # type: ignore[no-untyped-def]
    """One CDM (KVN) per event, built with orbitshare.ssa.cdm from the TEME states at TCA."""
    from pathlib import Path

    from orbitshare.ssa.cdm import ConjunctionObject, cdm_from_conjunction, write_cdm_kvn

    folder = Path(cdm_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(len(res)):
        r1, v1, r2, v2 = res.state(k)
        objs = []
        for tag, r, v in (("1", r1, v1), ("2", r2, v2)):
            row = cat.index_of([res[f"norad_id_{tag}"][k]])[0]
            objs.append(ConjunctionObject(int(cat.norad_id[row]), str(cat.name[row]), tuple(r), tuple(v),
                                          international_designator=str(cat["intl_des"][row] or "UNKNOWN"),
                                          object_type=cat["object_type"][row]))
        cdm = cdm_from_conjunction(objs[0], objs[1], tca_utc=res.tca_datetime(k), originator="ORBITSHARE",
                                   message_id=f"OS-{res['norad_id_1'][k]}-{res['norad_id_2'][k]}-{k}",
                                   miss_distance_m=float(res["miss_km"][k] * 1e3),
                                   relative_speed_mps=float(res["rel_speed_kms"][k] * 1e3),
                                   collision_probability=float(res["pc_max"][k]), pc_method="MAX_PC_ISOTROPIC")
        write_cdm_kvn(cdm, folder / f"cdm_{k:06d}_{res['norad_id_1'][k]}_{res['norad_id_2'][k]}.txt")


def _print_screening_summary(res, n_objects: int, n_rejects: int) -> None:  # type: ignore[no-untyped-def]
    """Counts by regime pair, the closest events and the highest max-Pc events."""
    import numpy as np
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"{len(res)} conjunctions <= {res.threshold_km} km among {n_objects} objects "
                  f"({n_rejects} catalog records rejected)")
    pairs = [" / ".join(sorted((a, b))) for a, b in zip(res["regime_1"], res["regime_2"], strict=True)]
    counts = Table(title="events by regime")
    counts.add_column("regimes")
    counts.add_column("events", justify="right")
    for name, n in zip(*np.unique(np.array(pairs, dtype=str), return_counts=True), strict=True):
        counts.add_row(str(name), str(n))
    console.print(counts)
    for title, order in (("closest", np.argsort(res["miss_km"])), ("highest Pc (max)", np.argsort(-res["pc_max"]))):
        table = Table(title=title)
        for col in ("TCA (UTC)", "object 1", "object 2", "miss km", "speed km/s", "Pc max"):
            table.add_column(col)
        for k in order[:10]:
            table.add_row(res["tca_utc"][k], f"{res['norad_id_1'][k]} {res['name_1'][k]}",
                          f"{res['norad_id_2'][k]} {res['name_2'][k]}", f"{res['miss_km'][k]:.3f}",
                          f"{res['rel_speed_kms'][k]:.3f}", f"{res['pc_max'][k]:.2e}")
        console.print(table)


# --- end of screening commands --------------------------------------------------------------------------------


def main() -> None:
    """Entry point of the `orbitshare` console script."""
    app()


if __name__ == "__main__":
    main()
