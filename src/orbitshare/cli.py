"""Command-line interface: `orbitshare ...` (typer + rich)."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False, help="orbitshare: allied space situational awareness.")

# --- foundation commands (catalog, propagate, demo) -------------------------------------------------------


# --- sharing hub commands ---------------------------------------------------------------------------------
# `orbitshare serve` and `orbitshare audit verify|head` (owner: sharing hub; see docs/sharing.md).

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
    from orbitshare.api.demo import seed

    config = _hub_config(db_url)
    app_ = create_app(config)
    url = f"http://{host}:{port}"
    typer.echo(f"orbitshare hub: {url}/  (API docs {url}/docs, data in {config.home})")
    if demo:
        for name, person in seed(app_.state.hub).items():
            typer.echo(f"  {person['partner']} {person['role']:<11} {name:<28} token: {person['token']}")
    uvicorn.run(app_, host=host, port=port, log_level="info")


@audit_app.command("verify")
def audit_verify_cmd(
    db_url: str = typer.Option(None, "--db-url", help="SQLAlchemy URL (default: SQLite in ORBITSHARE_HOME)."),
    checkpoint: list[str] = typer.Option([], "--checkpoint", help="JSON file of a tree head saved earlier."),
) -> None:
    """Recompute the Merkle tree; exit 1 on any altered, removed, inserted or reordered entry."""
    import json
    from pathlib import Path

    from orbitshare.store.hub import Hub

    hub = Hub(_hub_config(db_url))
    try:
        report = hub.verify_audit([json.loads(Path(c).read_text()) for c in checkpoint])
    finally:
        hub.close()
    for problem in report.problems:
        typer.echo(f"TAMPERED: {problem}", err=True)
    typer.echo(f"audit log: {report.size} entries, root {report.root}: {'OK' if report.ok else 'FAILED'}")
    raise typer.Exit(0 if report.ok else 1)


@audit_app.command("head")
def audit_head_cmd(
    db_url: str = typer.Option(None, "--db-url", help="SQLAlchemy URL (default: SQLite in ORBITSHARE_HOME)."),
) -> None:
    """Print the latest signed tree head as JSON (save it to check later with --checkpoint)."""
    import json

    from orbitshare.store.hub import Hub

    hub = Hub(_hub_config(db_url))
    try:
        typer.echo(json.dumps(hub.audit_head(), indent=2))
    finally:
        hub.close()


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


def main() -> None:
    """Entry point of the `orbitshare` console script."""
    app()


if __name__ == "__main__":
    main()
