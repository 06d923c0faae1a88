"""`orbitshare serve` (the sharing hub) and `orbitshare audit verify|head|partner-key` (its tamper-evident log).

See docs/sharing.md.
"""

from __future__ import annotations

from pathlib import Path

import typer

from orbitshare.cli.support import fail, input_files

__all__ = ["audit_head_cmd", "audit_partner_key_cmd", "audit_verify_cmd", "db_url_option", "open_hub", "register",
           "serve_cmd"]

DB_URL_HELP = "SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db (default: SQLite in ORBITSHARE_HOME)."


def _db_url(value):
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


def _hub_config(db_url: str | None):
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


def _open_hub(db_url: str | None):
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


def serve_cmd(
    demo: bool = typer.Option(False, "--demo",
                              help="Seed demo partners, users and products (computed once from the bundled data)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
    db_url: str = typer.Option(None, "--db-url", callback=_db_url, help=DB_URL_HELP),
    satcat: Path = typer.Option(None, "--satcat", callback=input_files(text=False), metavar="FILE",
                                help="SATCAT CSV (.gz ok) naming object owners in the web picture "
                                     "(default: ORBITSHARE_SATCAT)."),
) -> None:
    """Run the sharing hub (FastAPI on uvicorn); OpenAPI at /docs."""
    import uvicorn

    from orbitshare.api.app import create_app
    from orbitshare.api.auth import jwt_settings
    from orbitshare.api.demo import result_jobs, seed
    from orbitshare.cli.support import step
    from orbitshare.settings import load_settings

    _check_listen(host, port)
    config = _hub_config(db_url)
    settings = load_settings()
    if satcat is not None:
        settings = settings.model_copy(update={"satcat": satcat})
    app_ = create_app(config, jwt=jwt_settings(settings), settings=settings)
    url = f"http://{host}:{port}"
    typer.echo(f"orbitshare hub: {url}/  (API docs {url}/docs, data in {config.home})")
    if demo:
        people = seed(app_.state.hub)
        for title, run in result_jobs(app_.state.hub, people, app_.state.jobs):
            with step(f"demo job (once): {title}"):
                run()
        for name, person in people.items():
            typer.echo(f"  {person['partner']} {person['role']:<11} {name:<28} token: {person['token']}")
    uvicorn.run(app_, host=host, port=port, log_level="info")


def _audit_settings():
    """Where witnessed heads and partner hub keys are kept (ORBITSHARE_WITNESS_FILE, _WITNESS_PARTNERS)."""
    from orbitshare.api.witnessing import audit_settings
    from orbitshare.settings import load_settings

    settings = load_settings()
    return audit_settings(settings, settings.home)


def _load_checkpoint(path: str) -> dict:
    """A tree head saved earlier (JSON with size and root); exit 2 naming the file when it is not one."""
    import json

    try:
        head = json.loads(Path(path).read_text())
        int(head["size"]), str(head["root"])
    except (OSError, ValueError, KeyError, TypeError) as e:
        fail(f"--checkpoint {path}: not a tree head saved by 'orbitshare audit head' ({e})")
    return head


def audit_verify_cmd(
    db_url: str = typer.Option(None, "--db-url", callback=_db_url, help=DB_URL_HELP),
    checkpoint: list[Path] = typer.Option([], "--checkpoint", callback=input_files(),
                                          help="JSON file of a tree head saved earlier (repeatable)."),
    witness: bool = typer.Option(True, "--witness/--no-witness",
                                 help="Also check against the newest head in the witness file."),
) -> None:
    """Recompute the Merkle tree; exit 1 on any altered, removed, inserted or reordered entry or a cut tail."""
    from orbitshare.store.witness import WitnessFile

    heads = [_load_checkpoint(c) for c in checkpoint]
    settings = _audit_settings()
    newest = WitnessFile(settings.witness_file).newest("head") if witness else None
    if newest is not None:
        heads.append(newest)
        typer.echo(f"witnessed head: size {newest['size']} ({settings.witness_file})")
    elif witness:
        typer.echo(f"no witnessed head in {settings.witness_file}: a cut tail cannot be detected", err=True)
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


def audit_head_cmd(
    db_url: str = typer.Option(None, "--db-url", callback=_db_url, help=DB_URL_HELP),
    witness: bool = typer.Option(False, "--witness", help="Also append it to the witness file (e.g. from cron)."),
) -> None:
    """Print the latest signed tree head as JSON (save it to check later with --checkpoint)."""
    import json
    from dataclasses import asdict
    from datetime import UTC, datetime

    from orbitshare.sharing.consent import iso
    from orbitshare.store.witness import WitnessFile, own_head

    hub = _open_hub(db_url)
    try:
        head = asdict(hub.audit.head())
    finally:
        hub.close()
    if witness and head["size"]:
        WitnessFile(_audit_settings().witness_file).append(own_head(head, iso(datetime.now(UTC))))
    typer.echo(json.dumps(head, indent=2))


def audit_partner_key_cmd(
    partner: str = typer.Argument(..., help="Partner code, e.g. LUX."),
    public_key: str = typer.Argument(..., help="The partner hub's audit key (`public_key` of its GET /audit/head); "
                                     "a key that begins with '-' goes after `--`."),
) -> None:
    """Register a partner hub's audit key, so that POST /audit/witness co-signs its tree heads."""
    from orbitshare.store.witness import PartnerKeys

    settings = _audit_settings()
    try:
        PartnerKeys(settings.partner_keys_file).register(partner.upper(), public_key)
    except ValueError as e:
        fail(f"PUBLIC_KEY: {e}")
    typer.echo(f"registered the audit key of {partner.upper()} in {settings.partner_keys_file}")


def register(app: typer.Typer) -> None:
    """Add `serve` and the `audit` group to the root app."""
    audit = typer.Typer(no_args_is_help=True, help="The sharing hub's tamper-evident audit log.")
    audit.command("verify")(audit_verify_cmd)
    audit.command("head")(audit_head_cmd)
    audit.command("partner-key")(audit_partner_key_cmd)
    app.command("serve")(serve_cmd)
    app.add_typer(audit, name="audit")


def db_url_option(value):
    """Callback of --db-url for other command groups that reach the hub (see `_db_url`)."""
    return _db_url(value)


def open_hub(db_url: str | None):
    """The hub on the configured store, for other command groups (exit 2 with one line when it cannot open)."""
    return _open_hub(db_url)
