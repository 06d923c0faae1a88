"""Command-line interface: `orbitshare ...` (typer + rich).

Arguments are validated while the command line is parsed by the callbacks of orbitshare.cli_support (files,
output paths, times, id lists, numbers); errors are one line with exit code 2, and no traceback reaches the user
(see cli_support.GuardedGroup). Multi-value options take comma-separated values (`--ids 25544,20580`) and may be
repeated. Tables go to stdout (JSON with `--json`), messages and progress to stderr.
"""

from __future__ import annotations

from pathlib import Path

import typer

from orbitshare.cli_support import (
    GuardedGroup,
    duration_s,
    fail,
    id_list,
    input_files,
    iso_utc,
    load_catalog,
    non_negative,
    one_of,
    output_dir,
    output_file,
    positive,
    print_parse_report,
    print_rows,
    site,
    step,
    write_rows,
    wrote,
)
from orbitshare.cli_support import console as _support_console

app = typer.Typer(cls=GuardedGroup, no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help="orbitshare: allied space situational awareness.")

#: Help text of every NORAD-id list option (one form everywhere).
IDS_HELP = "NORAD ids, comma-separated (25544,20580); the option may also be repeated."
JSON_HELP = "Print JSON on stdout instead of a table."
ROWS_OUT_HELP = "Also write the rows to a .csv, .json or .jsonl file."

def _warn_stale(cat, start, stop, what: str) -> None:  # type: ignore[no-untyped-def]
    """Print on stderr the one-line warning for objects whose element sets are stale at a window end."""
    from orbitshare.ssa.conjunction.element_age import stale_in_window, stale_warning

    line = stale_warning(int(stale_in_window(cat, start, stop).sum()), len(cat), what)
    if line:
        typer.echo(line, err=True)


# --- foundation commands (catalog, propagate, demo) -------------------------------------------------------

catalog_app = typer.Typer(no_args_is_help=True, help="Read and inspect catalogs (TLE, CCSDS OMM KVN/XML/JSON/CSV).")
app.add_typer(catalog_app, name="catalog")


def _console():  # type: ignore[no-untyped-def]
    """Rich console for tables on stdout (never cuts a column when output is not a terminal)."""
    return _support_console()


def _print_report(console, report, show: int) -> None:  # type: ignore[no-untyped-def]
    """Print the rejects (first `show`) and duplicate count of a ParseReport (on stderr)."""
    print_parse_report(report, show)


def _summary_table(title: str, catalog, report):  # type: ignore[no-untyped-def]
    """Rich table of a catalog's counts by regime and type, epoch span, rejects and duplicates."""
    from rich.table import Table

    s = catalog.summary()
    table = Table(title=title, show_header=False)
    table.add_column("what", style="bold", no_wrap=True)
    table.add_column("value", no_wrap=True)
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

    console = _console()
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
        console.print(_summary_table(str(f), cat, rep))
        _print_report(console, rep, show_rejects)
    if as_json:
        typer.echo(json.dumps(out, indent=2))
    if empty:
        fail("; ".join(empty))


def _ephemeris_suffixes() -> tuple[str, ...]:
    """Output file types `propagate` writes (from orbitshare.export.ephemeris)."""
    from orbitshare.export.ephemeris import OUTPUT_SUFFIXES

    return tuple(OUTPUT_SUFFIXES)


def _frame(value: str) -> str:
    """Callback: a frame `propagate` writes (orbitshare.export.ephemeris.FRAMES), lower case."""
    from orbitshare.export.ephemeris import FRAMES

    return one_of(*FRAMES)(value)


@app.command("propagate")
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
    if ids:
        missing = sorted(set(ids) - set(cat.norad_id.tolist()))
        if missing:
            raise typer.BadParameter(f"NORAD ids not in {file}: {missing}", param_hint="'--ids'")
        cat = cat.select(ids=ids)
    _warn_stale(cat, t0, t1, "objects")
    err = _support_console(stderr=True)
    with Progress(TextColumn("propagating"), BarColumn(), TextColumn("{task.completed:,}/{task.total:,} objects"),
                  TimeRemainingColumn(), console=err, disable=len(cat) * len(jd) < 2_000_000) as bar:
        task = bar.add_task("propagate", total=len(cat))
        result = write_ephemeris(cat, jd, fr, frame, out, on_block=lambda n: bar.advance(task, n))
    wrote(out, f"{result['rows']:,} rows ({len(cat):,} objects x {len(jd):,} times, {frame})")
    if result["failed_ids"]:
        shown = ", ".join(map(str, result["failed_ids"][:20]))
        err.print(f"[yellow]{len(result['failed_ids'])} object(s) had SGP4 errors (decayed or invalid), "
                  f"{result['error_samples']:,} rows flagged in column sgp4_error: {shown}[/]")


@app.command("passes")
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
    if ids:
        missing = sorted(set(ids) - set(cat.norad_id.tolist()))
        if missing:
            raise typer.BadParameter(f"NORAD ids not in {catalog}: {missing}", param_hint="'--ids'")
        cat = cat.select(ids=ids)
    _warn_stale(cat, t0, t1, "objects")
    with step(f"passes of {len(cat):,} objects over {len(places)} site(s)"):
        rows = site_passes(cat, places, t0, t1, min_elevation)
    columns = ("site", "norad_id", "name", "rise_utc", "culmination_utc", "set_utc", "max_elevation_deg",
               "rise_az_deg", "set_az_deg")
    _sda_output(rows, out, as_json, f"{len(rows):,} passes above {min_elevation:g} deg, {start} .. {stop}",
                tuple(c for c in columns if rows and c in rows[0]) or None)
    if any(r["rise_clipped"] or r["set_clipped"] for r in rows):
        typer.echo("rise_clipped / set_clipped: up for the whole search margin around the window (GEO)", err=True)


@app.command("demo")
def demo_cmd(
    min_elevation: float = typer.Option(10.0, "--min-elevation", min=-90.0, max=90.0,
                                        help="Minimum elevation for passes (deg)."),
) -> None:
    """Batch demo on the bundled catalog: summary, then partner satellites' passes over Ljubljana."""
    from rich.table import Table

    from orbitshare.demo import LJUBLJANA, NATIONAL_ASSETS, demo_window, load_demo_catalog, national_passes

    console = _console()
    with step("reading the bundled catalog"):
        cat, rep = load_demo_catalog()
    console.print(_summary_table("bundled catalog: CelesTrak active payloads, 2026-03-10", cat, rep))
    _print_report(console, rep, 10)
    start, stop = demo_window(cat)
    _warn_stale(cat.select(ids=NATIONAL_ASSETS), start, stop, "partner satellites")
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
    console.print(table)


# --- sharing hub commands ---------------------------------------------------------------------------------
# `orbitshare serve` and `orbitshare audit verify|head` (owner: sharing hub; see docs/sharing.md).

audit_app = typer.Typer(no_args_is_help=True, help="The sharing hub's tamper-evident audit log.")
app.add_typer(audit_app, name="audit")

DB_URL_HELP = "SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db (default: SQLite in ORBITSHARE_HOME)."


def _db_url(value):  # type: ignore[no-untyped-def]
    """Callback: a SQLAlchemy database URL (checked for form, not connected to)."""
    if value is None:
        return value
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        make_url(value)
    except ArgumentError:
        raise typer.BadParameter(f"{value!r} is not a database URL such as sqlite:///hub.db or "
                                 "postgresql+psycopg://user@host/db") from None
    return value


def _hub_config(db_url: str | None):  # type: ignore[no-untyped-def]
    """Hub configuration: data directory from ORBITSHARE_HOME, database from --db-url or the embedded file."""
    from orbitshare.service import HubConfig
    from orbitshare.store.db import sqlite_url
    from orbitshare.store.keys import default_home

    home = default_home()
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"ORBITSHARE_HOME {home}: cannot create the data directory ({exc.strerror or exc})")
    return HubConfig(db_url=db_url or sqlite_url(home / "hub.db"), home=home)


def _open_hub(db_url: str | None):  # type: ignore[no-untyped-def]
    """Hub on the configured store; one line naming --db-url when the database cannot be opened."""
    from sqlalchemy import inspect
    from sqlalchemy.exc import SQLAlchemyError

    from orbitshare.service import Hub

    config = _hub_config(db_url)
    if db_url is None and not (config.home / "hub.db").exists():
        fail(f"no hub database in {config.home} (ORBITSHARE_HOME): start the hub once with 'orbitshare serve', "
             "or give --db-url")
    try:
        hub = Hub(config)
        ready = inspect(hub.engine).has_table("audit_entries")
    except SQLAlchemyError as exc:
        fail(f"--db-url: cannot open the database ({str(getattr(exc, 'orig', None) or exc).splitlines()[0]})")
    if not ready:
        hub.close()
        fail(f"{'--db-url' if db_url else config.home / 'hub.db'}: not a hub database (no audit log table); "
             "'orbitshare serve' creates it")
    return hub


def _check_listen(host: str, port: int) -> None:
    """Fail with one line naming --host or --port unless a TCP socket can listen there now."""
    import errno
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        fail(f"--host {host}: not an address of this machine ({exc})")
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            option = "--port" if exc.errno == errno.EADDRINUSE else "--host"
            fail(f"{option}: cannot listen on {host}:{port} ({exc.strerror or exc})")


@app.command("serve")
def serve_cmd(
    demo: bool = typer.Option(False, "--demo", help="Seed demo partners, users and products."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
    db_url: str = typer.Option(None, "--db-url", callback=_db_url, help=DB_URL_HELP),
) -> None:
    """Run the sharing hub (FastAPI on uvicorn); OpenAPI at /docs."""
    import uvicorn

    from orbitshare.api.app import create_app
    from orbitshare.api.auth import jwt_settings_from_env
    from orbitshare.api.demo import seed

    _check_listen(host, port)
    config = _hub_config(db_url)
    app_ = create_app(config, jwt=jwt_settings_from_env())
    url = f"http://{host}:{port}"
    typer.echo(f"orbitshare hub: {url}/  (API docs {url}/docs, data in {config.home})")
    if demo:
        for name, person in seed(app_.state.hub).items():
            typer.echo(f"  {person['partner']} {person['role']:<11} {name:<28} token: {person['token']}")
    uvicorn.run(app_, host=host, port=port, log_level="info")


@audit_app.command("verify")
def audit_verify_cmd(
    db_url: str = typer.Option(None, "--db-url", callback=_db_url, help=DB_URL_HELP),
    checkpoint: list[Path] = typer.Option([], "--checkpoint", callback=input_files(),
                                          help="JSON file of a tree head saved earlier (repeatable)."),
) -> None:
    """Recompute the Merkle tree; exit 1 on any altered, removed, inserted or reordered entry."""
    import json

    heads = []
    for c in checkpoint:
        try:
            heads.append(json.loads(Path(c).read_text()))
        except (ValueError, UnicodeError) as exc:
            fail(f"--checkpoint {c}: not a JSON tree head ({exc})")
        if not (isinstance(heads[-1], dict) and {"size", "root"} <= set(heads[-1])):
            fail(f"--checkpoint {c}: not a tree head saved by 'orbitshare audit head' (no size and root)")
    hub = _open_hub(db_url)
    try:
        report = hub.audit.verify(heads)
    except (KeyError, TypeError, ValueError) as exc:
        fail(f"--checkpoint: not a tree head saved by 'orbitshare audit head' ({type(exc).__name__}: {exc})")
    finally:
        hub.close()
    for problem in report.problems:
        typer.echo(f"TAMPERED: {problem}", err=True)
    verified = "" if report.size == report.entries else f" (the first {report.size} verified)"
    typer.echo(f"audit log: {report.entries} entries{verified}, root {report.root}: {'OK' if report.ok else 'FAILED'}")
    raise typer.Exit(0 if report.ok else 1)


@audit_app.command("head")
def audit_head_cmd(
    db_url: str = typer.Option(None, "--db-url", callback=_db_url, help=DB_URL_HELP),
) -> None:
    """Print the latest signed tree head as JSON (save it to check later with --checkpoint)."""
    import json
    from dataclasses import asdict

    hub = _open_hub(db_url)
    try:
        typer.echo(json.dumps(asdict(hub.audit.head()), indent=2))
    finally:
        hub.close()


# --- end of sharing hub commands ---------------------------------------------------------------------------


# --- cdm commands -------------------------------------------------------------------------------------------
# `orbitshare cdm pc FILE...` (owner: ssa Pc/CDM; see docs/pc.md).

cdm_app = typer.Typer(no_args_is_help=True, help="CCSDS Conjunction Data Messages.")
app.add_typer(cdm_app, name="cdm")


CDM_PC_HELP = """Per CDM: TCA, miss, relative speed, combined HBR and Pc by several methods.

Exits 2 when any file is rejected (each named with its reason; the others are still reported).

Columns (formulas and validation in docs/pc.md):

* Foster: 2D Pc, the combined position Gaussian integrated over the HBR
disc in the encounter plane (straight-line relative motion, covariance
frozen at TCA: valid for short, fast encounters only).

* Chan: Chan (1997) series, an equal-area isotropic approximation of the
same integral; wrong by 10x-1000x for elongated covariances (comparison).

* Alfano05: Alfano (2005) Simpson rule for the same integral as Foster.

* Pc max: the largest 2D Pc any isotropic covariance size could give for
this miss and HBR (objects without a trusted covariance); an upper bound.

* Pc 3D: Coppola (2012) / CARA Pc3D_Hall: rate of entry into the HBR
sphere integrated over the approach at TCA, both objects' states and
covariances propagated in two-body motion. Valid for slow, long
encounters. "(+x)": probability of further approaches before the
separation next peaks (e.g. hours later for co-located GEO objects).

* MC (with --mc N): Monte Carlo Pc, N sampled state pairs propagated in
two-body motion, fraction entering the HBR sphere, 95 % interval.

* 2D usage: "ok" or the CARA usage violations that make the 2D columns
unreliable: extended (encounter > 2 % of an orbit), offset (> 1 % of an
orbit from TCA), inaccurate (Pc 3D and Foster differ > 2 %), npd
(covariance not positive definite). If flagged, use Pc 3D or MC.

Why columns differ: Chan misrepresents elongated covariances (36x below
MC on Alfano 2009 case 2, 59x on case 5). On slow encounters the
relative motion curves while the objects stay close for hours: on case 2
Foster gives 0.0062, the 3D Pc and MC over its two approaches within 6 h
0.0156 (2.5x); on CARA's Omitron 3D case Foster is 15 orders below 3D.
"""


@cdm_app.command("pc", help=CDM_PC_HELP)
def cdm_pc_cmd(
    files: list[str] = typer.Argument(..., callback=input_files(), help="CDM files (KVN or XML)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    hbr: float = typer.Option(None, "--hbr", callback=positive, help="Combined hard-body radius (m), overrides "
                              "CDM/table."),
    no_3d: bool = typer.Option(False, "--no-3d", help="Skip the 3D Pc (faster; the usage flag then has no "
                               "'inaccurate' indicator)."),
    mc: int = typer.Option(0, "--mc", callback=non_negative, help="Also compute a Monte Carlo Pc with this many "
                           "trials (e.g. 100000; off by default)."),
    seed: int = typer.Option(None, "--seed", callback=non_negative, help="Random seed of the Monte Carlo Pc "
                             "(reproducible runs)."),
) -> None:
    import json

    from orbitshare.ccsds.cdm import CdmError, read_cdm
    from orbitshare.ssa.conjunction.pc import pc_for_cdm

    rows, errors = [], []
    with step(f"computing Pc of {len(files)} CDM(s)"):
        for name in files:
            try:
                rows.append(pc_for_cdm(read_cdm(name), hbr, with_3d=not no_3d, mc_trials=mc, mc_seed=seed))
            except (CdmError, OSError, UnicodeError) as exc:
                errors.append({"file": name, "error": str(exc)})
    if as_json:
        typer.echo(json.dumps({"results": rows, "errors": errors}, indent=2))
    else:
        _cdm_pc_table(rows)
    for e in errors:
        typer.echo(f"error: {' '.join(e['error'].split())}", err=True)
    raise typer.Exit(2 if errors else 0)


def _pc3d_cell(row: dict) -> str:
    """3D Pc of the approach at TCA, with '+x' for further approaches in the encounter segment (>= 1 %)."""
    pc3d, other = row.get("pc_3d"), row.get("nc_3d_other_approaches") or 0.0
    if pc3d is None:
        return "-"
    return f"{pc3d:.3e}" + (f" (+{other:.1e})" if other > 0.01 * pc3d else "")


def _cdm_pc_table(rows: list[dict]) -> None:
    """Print `cdm pc` results as a rich table (TCA in full, to the millisecond)."""
    from rich.table import Table

    from orbitshare.astro.time import parse_utc

    def sci(value):
        """Pc in scientific notation, '-' when not computed or undefined."""
        return "-" if value is None or value != value else f"{value:.3e}"

    with_mc = any(r.get("pc_mc") for r in rows)
    table = Table(title="Collision probability per CDM")
    columns = ["file", "TCA (UTC)", "miss m", "v_rel m/s", "HBR m", "Foster", "Chan", "Alfano05", "Pc max", "Pc 3D"]
    columns += ["MC", "MC 95% CI"] if with_mc else []
    columns += ["2D usage"]
    for column in columns:
        table.add_column(column, justify="left" if column in ("file", "TCA (UTC)", "2D usage") else "right",
                         no_wrap=True)
    for r in rows:
        pcs = [sci(r["pc"][k]) for k in ("foster", "chan", "alfano2005")]
        name, tca = r["source"].rsplit("/", 1)[-1], parse_utc(r["tca_utc"]).isoformat(timespec="milliseconds")
        cells = [name, tca.replace("+00:00", "Z"), f"{r['miss_distance_m']:.1f}", f"{r['relative_speed_mps']:.3f}",
                 f"{r['hbr_m']:.2f}", *pcs, sci(r["pc_max_isotropic"]), _pc3d_cell(r)]
        if with_mc:
            m = r.get("pc_mc")
            cells += [sci(m["pc"]), f"{m['ci95_low']:.2e}..{m['ci95_high']:.2e}"] if m else ["-", "-"]
        reasons = r["usage_violation"]["reasons"]
        cells.append("VIOLATED: " + ",".join(reasons) if reasons else "ok")
        table.add_row(*cells)
    if rows:
        _console().print(table)


# --- end of cdm commands -----------------------------------------------------------------------------------


# --- sda commands -------------------------------------------------------------------------------------------
# `orbitshare sda manoeuvres|fragmentation|overflights` (owner: SDA; see docs/sda.md).

sda_app = typer.Typer(no_args_is_help=True, help="Space domain awareness: manoeuvres, break-ups, overflights.")
app.add_typer(sda_app, name="sda")


ALERTS_SUFFIXES = (".json", ".jsonl", ".csv")


def _sda_output(rows: list[dict], out: str | None, as_json: bool, title: str,
                columns: tuple[str, ...] | None = None) -> None:
    """Print rows as a table (or JSON) and, with --out, write them and say where."""
    rows = [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows]
    print_rows(rows, title=title, as_json=as_json, columns=columns)
    if out:
        wrote(write_rows(rows, out), f"{len(rows)} rows")


@sda_app.command("manoeuvres")
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

    import numpy as np

    from orbitshare.astro.time import format_utc
    from orbitshare.ssa.behaviour.alerts import manoeuvre_alert
    from orbitshare.ssa.behaviour.evaluation import evaluate, read_truth
    from orbitshare.ssa.behaviour.io import read_history, write_alerts
    from orbitshare.ssa.behaviour.manoeuvres import detect_manoeuvres

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
        matched = dict(score["pairs"])
        for i, row in enumerate(rows):
            row["reported_time"] = str(format_utc(matched[i], 0.0)) if i in matched else ""
    _sda_output(rows, out, as_json, f"Manoeuvres in {history}")
    if alerts:
        write_alerts([manoeuvre_alert(m, history) for m in found], alerts)
        wrote(alerts, f"{len(found)} alerts")
    if plot:
        from orbitshare.ssa.behaviour.report import plot_manoeuvres

        plot_manoeuvres(hist, found, plot, truth_jd)
        wrote(plot, "the element history with its manoeuvres")
    if boxes:
        from orbitshare.ssa.behaviour.geo_boxes import history_alerts, station_boxes

        slots = [b for h in others for b in station_boxes(h)[-1:]]  # each neighbour's current slot
        own, drift = history_alerts(hist, slots)
        Path(boxes).write_text(json.dumps({"boxes": [b.as_dict() for b in own], "drift_alerts": drift}, indent=2))
        wrote(boxes, f"{len(own)} station-keeping boxes and {len(drift)} drift alerts")
    typer.echo(f"{history}: {len(hist.catalog)} element sets, {len(hist.rejects)} rejected or merged, "
               f"{len(found)} manoeuvres", err=True)
    if score is not None:
        errs = np.abs(score["errors_s"]) / 3600.0
        med = f", median |burn time - reported| {np.median(errs):.1f} h" if len(errs) else ""
        typer.echo(f"against {truth} ({score['truth']} reported in the history span; one-to-one matching by "
                   f"{match}, tolerance {tolerance_days:g} d): TP {score['tp']} FP {score['fp']} FN {score['fn']}, "
                   f"precision {score['precision']:.3f} recall {score['recall']:.3f} F1 {score['f1']:.3f}{med}",
                   err=True)


@sda_app.command("fragmentation")
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
    with Progress(console=_support_console(stderr=True), transient=True) as bar:
        task = bar.add_task("tracing fragment clouds", total=None)
        clouds = detect_fragmentations(cat_before, cat_after, search_days, estimate_time=not no_time,
                                       progress=lambda d, n: bar.update(task, completed=d, total=n),
                                       satcat=entries)
    rows = [{k: v for k, v in c.as_dict().items() if k != "members"} for c in clouds]
    _sda_output(rows, out, as_json, "Fragment clouds")
    if png and clouds:
        sel = cat_after.select(ids=clouds[0].members.tolist())
        gabbard_png(sel, png, f"Fragments {clouds[0].intl_prefix}")
        wrote(png, f"the Gabbard diagram of {clouds[0].intl_prefix}")
    typer.echo(f"{len(clouds)} fragment clouds", err=True)


@sda_app.command("overflights")
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
    _warn_stale(cat.select(ids=[w.norad_id for w in watched]), start, stop, "watched satellites")
    _sda_output(rows, out, as_json, f"Overflights {start} .. {stop}")
    for name, items in timeline.items():
        typer.echo(f"{name}: {len(items)} overflights", err=True)


@sda_app.command("proximity")
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
    _warn_stale(cat.select(ids=ids + [r["object_id"] for r in rows]), start, stop, "assets and nearby objects")
    columns = ("asset_id", "asset_name", "object_id", "object_name", "tca", "miss_km", "miss_r_km", "miss_t_km",
               "miss_n_km", "rel_speed_kms", "approaches", "trend")
    _sda_output(rows, out, as_json, f"Objects within the watch distance, {start} .. {stop}",
                tuple(c for c in columns if rows and c in rows[0]) or None)
    if belt:
        wrote(write_rows(view, belt), f"the GEO-belt view ({len(view)} rows)")
    if alerts:
        write_alerts([proximity_alert(r) for r in rows], alerts)
        wrote(alerts, f"{len(rows)} alerts")
    typer.echo(f"{len(rows)} objects within the watch distance of {len(ids)} assets", err=True)


# --- end of sda commands ------------------------------------------------------------------------------------


# --- screening commands ---------------------------------------------------------------------------------------
# `orbitshare screen` (owner: conjunction screening; see docs/screening.md).


def _scheduler(value):  # type: ignore[no-untyped-def]
    """Callback: 'local' or a Dask scheduler address (tcp://, tls://, inproc://, ucx://)."""
    if value is not None and value != "local" and not value.startswith(("tcp://", "tls://", "inproc://", "ucx://")):
        raise typer.BadParameter(f"{value!r} is not 'local' or a scheduler address like tcp://HOST:PORT")
    return value


@app.command("screen")
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

    console = _support_console(stderr=True)
    cat, report = load_catalog(*catalog)
    missing = sorted(set(primary) - set(cat.norad_id.tolist()))
    if missing:
        raise typer.BadParameter(f"NORAD ids not in the catalog: {missing}", param_hint="'--primary'")
    t0, note = (parse_utc(start), None) if start else default_start(cat)
    if note:
        console.print(note)
    with Progress(console=console, transient=True) as bar:
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
        console.print(f"[yellow]{warning}[/yellow]")
    else:  # no stale conjunction (perhaps none at all): still say when the window is beyond the element sets
        _warn_stale(cat, t0, t0 + timedelta(days=days), "objects")
    if out:
        res.write(out)
        wrote(out, f"{len(res)} events")
    model = _tle_covariance_model(catalog) if cdm_dir or len(res) else None
    if cdm_dir:
        from orbitshare.ssa.conjunction.screening_cdm import write_screening_cdms

        with step(f"writing {len(res)} CDMs"):
            paths = write_screening_cdms(res, cat, cdm_dir, cdm_format, model)
        wrote(cdm_dir, f"{len(paths):,} CDMs ({cdm_format}, TLE-based covariance and Pc)")
    _print_screening_summary(res, cat, model, len(report.rejects))


def _tle_covariance_model(files: list[str]):  # type: ignore[no-untyped-def]
    """TLE covariance model from every element set in the catalog files (own histories where there are several)."""
    from orbitshare.ssa.conjunction.tle_covariance import TleCovarianceModel, read_element_history

    return TleCovarianceModel.from_history(read_element_history(*files))


def _print_screening_summary(res, cat, model, n_rejects: int) -> None:  # type: ignore[no-untyped-def]
    """Counts by regime pair, the closest and highest-Pc encounters, and the co-located pairs apart."""
    import numpy as np
    from rich.table import Table

    console = _console()
    together = np.asarray(res["colocated"], bool)
    console.print(f"{len(res)} conjunctions <= {res.threshold_km} km among {len(cat)} objects "
                  f"({n_rejects} catalog records rejected); {int(together.sum())} of them between co-located or "
                  f"formation pairs (listed apart)")
    pairs = [" / ".join(sorted((a, b))) for a, b in zip(res["regime_1"], res["regime_2"], strict=True)]
    counts = Table(title="events by regime")
    counts.add_column("regimes")
    counts.add_column("events", justify="right")
    for name, n in zip(*np.unique(np.array(pairs, dtype=str), return_counts=True), strict=True):
        counts.add_row(str(name), str(n))
    console.print(counts)
    encounters = np.flatnonzero(~together)
    for title, key in (("closest", res["miss_km"]), ("highest Pc (max)", -res["pc_max"])):
        console.print(_events_table(title, res, cat, model, encounters[np.argsort(key[encounters])][:10]))
    if together.any():
        first = {}
        for k in np.flatnonzero(together):
            pair = (int(res["norad_id_1"][k]), int(res["norad_id_2"][k]))
            if pair not in first or res["miss_km"][k] < res["miss_km"][first[pair]]:
                first[pair] = k
        console.print(_events_table("co-located / formation pairs (closest event of each; not encounters)", res, cat,
                                    model, np.array(sorted(first.values()))))


def _events_table(title: str, res, cat, model, rows):  # type: ignore[no-untyped-def]
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


# --- end of screening commands --------------------------------------------------------------------------------

# --- Earth-orientation data commands -------------------------------------------------------------------------
# `orbitshare data status|update` (owner: astro; see docs/catalog-and-propagation.md).

data_app = typer.Typer(no_args_is_help=True, help="Earth-orientation data (UT1-UTC, leap seconds) in use.")
app.add_typer(data_app, name="data")


def _print_eop_status(status) -> None:  # type: ignore[no-untyped-def]
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
    _console().print(table)


@data_app.command("status")
def data_status_cmd() -> None:
    """Which UT1/leap-second/polar-motion data is loaded and until when its predictions hold."""
    from orbitshare.astro.eop import eop_status

    _print_eop_status(eop_status())


@data_app.command("update")
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


# --- end of Earth-orientation data commands ------------------------------------------------------------------


@app.command("warmup")
def warmup_cmd() -> None:
    """Compile every numba kernel ahead (once after an install; `make run` does it); later runs load them."""
    from orbitshare.warmup import warm_up

    typer.echo(f"kernels ready in {warm_up():.1f} s")


#: Commands that call numba kernels (the first call after an install compiles them).
KERNEL_COMMANDS = frozenset({"cdm", "demo", "passes", "propagate", "screen", "sda", "warmup"})


def _compile_notice(argv: list[str]) -> None:
    """Arrange one line on stderr if the command about to run compiles numba kernels (first use only)."""
    if not argv or argv[0] not in KERNEL_COMMANDS:
        return
    from orbitshare.warmup import announce_compilation

    announce_compilation(lambda: typer.echo(
        "compiling numba kernels on first use (once, about a minute; later runs load them) ...", err=True))


def main() -> None:
    """Entry point of the `orbitshare` console script (errors handled by cli_support.GuardedGroup)."""
    import sys

    _compile_notice(sys.argv[1:])
    app()


if __name__ == "__main__":
    main()
