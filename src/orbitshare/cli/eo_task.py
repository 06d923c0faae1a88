"""`orbitshare eo task request|list|inbox|decide|advance|status` and `orbitshare eo activate`: tasking across partners.

Each command acts as the hub user whose API token is given (--token or ORBITSHARE_TOKEN) on the hub's store
(--db-url, default the embedded database in ORBITSHARE_HOME). See docs/eo-tasking.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer

from orbitshare.cli.hub import DB_URL_HELP, db_url_option, open_hub
from orbitshare.cli.support import (
    JSON_HELP,
    ROWS_OUT_HELP,
    fail,
    input_files,
    iso_utc,
    load_catalog,
    one_of,
    output_file,
    output_rows,
    positive,
    print_rows,
    warn_stale,
    write_rows,
    wrote,
)

__all__ = [
    "activate_cmd",
    "add_commands",
    "task_advance_cmd",
    "task_decide_cmd",
    "task_inbox_cmd",
    "task_list_cmd",
    "task_plan_requests_cmd",
    "task_request_cmd",
    "task_status_cmd",
]

ASSETS_HELP = "YAML file adding or replacing registry assets by id (e.g. a partner's declared field of regard)."
TOKEN_HELP = "API token of the hub user you act as (default: $ORBITSHARE_TOKEN)."
URGENCY = ("emergency", "urgent", "priority", "routine")
LIST_COLUMNS = ("id", "asset_id", "owner", "requester", "status", "urgency", "event_type", "window_start",
                "window_end", "planned_time", "updated_at")
OPTIONS = {"window_start": "--start", "window_end": "--stop", "aoi": "--at/--aoi", "asset_id": "ASSET",
           "planned_time": "--planned-time", "plan_ref": "--plan-ref", "acquired_time": "--acquired-time",
           "product_ids": "--product", "release_until": "--release-until", "purpose": "--purpose",
           "urgency": "--urgency", "event_type": "--event", "start": "--start"}
PLAN_COLUMNS = ("asset_id", "owner", "norad_id", "first_access", "access_end", "time_to_first_image_s", "off_nadir_deg",
                "tasking_id")


def _optional_token(value):
    """Callback: the token given, else ORBITSHARE_TOKEN from the settings, else None."""
    if value:
        return value
    from orbitshare.settings import SettingsError, load_settings

    try:
        return load_settings().token
    except SettingsError as e:
        raise typer.BadParameter(str(e)) from None


def _token(value):
    """Callback: the token given, else ORBITSHARE_TOKEN from the settings; one is required."""
    value = _optional_token(value)
    if not value:
        raise typer.BadParameter("give --token or set ORBITSHARE_TOKEN")
    return value


def _at(value):
    """Callback: a point 'LAT,LON' (deg) as a GeoJSON Point."""
    if value is None:
        return value
    try:
        lat, lon = (float(x) for x in str(value).split(","))
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not 'LAT,LON' in degrees (e.g. 46.05,14.51)") from None
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise typer.BadParameter(f"{value!r}: latitude must lie in [-90, 90] and longitude in [-180, 180]")
    return {"type": "Point", "coordinates": [lon, lat]}


def _aoi(at: dict | None, aoi_file: str | None) -> dict[str, Any]:
    """The AOI from --at or --aoi (a GeoJSON file with one point or polygon, read by `orbitshare.eo.aoi`)."""
    if (at is None) == (aoi_file is None):
        fail("give exactly one of --at LAT,LON or --aoi FILE")
    if at is not None:
        return at
    from shapely.geometry import mapping

    from orbitshare.eo.aoi import AoiError, read_aois

    try:
        with open(str(aoi_file), encoding="utf-8") as fh:
            found = read_aois(fh, f"--aoi {aoi_file}")
    except AoiError as exc:
        fail(str(exc))
    if found.rejects or len(found) != 1:
        fail(found.rejects[0] if found.rejects else f"--aoi {aoi_file}: give one point or polygon, not {len(found)}")
    return dict(mapping(found.aois[0].geometry))


def _registry_file(path: str | None) -> str | None:
    """A registry override file, checked now (one line naming the file, asset and field when invalid)."""
    if path is None:
        return None
    from orbitshare.eo.assets import AssetError, load_registry

    try:
        load_registry(path)
    except AssetError as exc:
        fail(f"--assets {exc}")
    return path


def _utc(value: str | None) -> datetime | None:
    """Aware UTC datetime of a checked ISO option."""
    from orbitshare.astro.time import parse_utc

    return parse_utc(value) if value is not None else None


@contextmanager
def _as_user(db_url: str | None, token: str) -> Iterator[tuple[Any, Any]]:
    """The hub and the principal of `token`; refusals of the hub become one line and exit 2."""
    from sqlalchemy import inspect

    from orbitshare.service import HubError

    hub = open_hub(db_url)
    try:
        if not inspect(hub.engine).has_table("taskings"):
            fail("the hub database predates tasking; start 'orbitshare serve' once to upgrade it")
        who, reason = hub.parties.authenticate(token)
        if who is None:
            fail(f"--token: {reason}")
        try:
            yield hub, who
        except HubError as exc:
            fail(_option_message(exc.message))
    finally:
        hub.close()


def _option_message(message: str) -> str:
    """A hub message with its leading field name replaced by the command-line option that sets it."""
    field, sep, rest = message.partition(":")
    base = field.split("[")[0].split(".")[0]
    if not sep or base not in OPTIONS:
        return message
    return f"{OPTIONS[base]}:{rest}" if field == base else f"{OPTIONS[base]} ({field}):{rest}"


def _row(t: Any) -> dict[str, Any]:
    """A table row of a tasking."""
    return {c: getattr(t, c) for c in LIST_COLUMNS}


def task_request_cmd(
    asset: str = typer.Argument(..., help="Registry id of the asset (see 'orbitshare eo assets')."),
    start: str = typer.Option(..., "--start", callback=iso_utc, help="Start of the acquisition window (UTC)."),
    stop: str = typer.Option(..., "--stop", callback=iso_utc, help="End of the acquisition window (UTC)."),
    at: str = typer.Option(None, "--at", callback=_at, metavar="LAT,LON", help="Target point (deg)."),
    aoi: str = typer.Option(None, "--aoi", callback=input_files(), help="Target area: GeoJSON Point or Polygon."),
    purpose: str = typer.Option(None, "--purpose", help="Purpose of the release (default: your user's)."),
    urgency: str = typer.Option("routine", "--urgency", callback=one_of(*URGENCY), help="/".join(URGENCY)),
    justification: str = typer.Option("", "--justification", help="Why the acquisition is needed."),
    assets_file: str = typer.Option(None, "--assets", callback=input_files(), help=ASSETS_HELP),
    token: str = typer.Option(None, "--token", callback=_token, help=TOKEN_HELP),
    db_url: str = typer.Option(None, "--db-url", callback=db_url_option, help=DB_URL_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Ask another partner's asset for an acquisition; its owner's focal point accepts or declines."""
    from orbitshare.api.activation import asset_owner

    area = _aoi(at, aoi)
    with _as_user(db_url, token) as (hub, who):
        owner = asset_owner(asset, _registry_file(assets_file))
        t = hub.tasking.request(who, asset, owner, area, _utc(start), _utc(stop), purpose, urgency, justification)
    print_rows([_row(t)], title="tasking requested", as_json=as_json)


def task_list_cmd(
    box: str = typer.Option("all", "--box", callback=one_of("inbox", "owned", "outbox", "all"),
                            help="inbox (awaiting your decision), owned (on your assets), outbox (yours) or all."),
    status: str = typer.Option(None, "--status", help="Only taskings in this state."),
    token: str = typer.Option(None, "--token", callback=_token, help=TOKEN_HELP),
    db_url: str = typer.Option(None, "--db-url", callback=db_url_option, help=DB_URL_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
    out: str = typer.Option(None, "--out", callback=output_file(), metavar="FILE", help=ROWS_OUT_HELP),
) -> None:
    """Your partner's taskings."""
    with _as_user(db_url, token) as (hub, who):
        rows = [_row(t) for t in hub.tasking.taskings(who, box, status)]
    output_rows(rows, out, as_json, f"taskings ({box})")


def task_inbox_cmd(
    token: str = typer.Option(None, "--token", callback=_token, help=TOKEN_HELP),
    db_url: str = typer.Option(None, "--db-url", callback=db_url_option, help=DB_URL_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Requests awaiting your decision (focal points), most urgent first."""
    with _as_user(db_url, token) as (hub, who):
        rows = [_row(t) | {"justification": t.justification} for t in hub.tasking.taskings(who, "inbox")]
    print_rows(rows, title="tasking inbox", as_json=as_json, empty="nothing to decide")


def task_decide_cmd(
    tasking_id: str = typer.Argument(..., help="Tasking id."),
    accept: bool = typer.Option(..., "--accept/--decline", help="Accept (signing the release) or decline."),
    note: str = typer.Option(None, "--note", help="Note recorded with the decision."),
    release_until: str = typer.Option(None, "--release-until", callback=iso_utc,
                                      help="End of the release of the products to the requester (default 90 days)."),
    token: str = typer.Option(None, "--token", callback=_token, help=TOKEN_HELP),
    db_url: str = typer.Option(None, "--db-url", callback=db_url_option, help=DB_URL_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """The owner's focal point accepts (a signed statement that also releases the products) or declines."""
    with _as_user(db_url, token) as (hub, who):
        t = hub.tasking.decide(who, tasking_id, accept, note, _utc(release_until))
    print_rows([_row(t) | {"release_until": t.release_until}], title=f"tasking {t.status}", as_json=as_json)


def task_advance_cmd(
    tasking_id: str = typer.Argument(..., help="Tasking id."),
    status: str = typer.Argument(..., callback=one_of("planned", "acquired", "delivered", "cancelled"),
                                 help="planned, acquired, delivered or cancelled."),
    planned_time: str = typer.Option(None, "--planned-time", callback=iso_utc, help="planned: acquisition time."),
    plan_ref: str = typer.Option(None, "--plan-ref", help="planned: reference in the owner's plan."),
    acquired_time: str = typer.Option(None, "--acquired-time", callback=iso_utc, help="acquired: image time."),
    products: list[str] = typer.Option([], "--product", help="delivered: product id (repeatable)."),
    reason: str = typer.Option(None, "--reason", help="cancelled: why."),
    token: str = typer.Option(None, "--token", callback=_token, help=TOKEN_HELP),
    db_url: str = typer.Option(None, "--db-url", callback=db_url_option, help=DB_URL_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Move a tasking one step; delivering releases its products to the requester under the acceptance."""
    with _as_user(db_url, token) as (hub, who):
        t = hub.tasking.advance(who, tasking_id, status, planned_time=_utc(planned_time), plan_ref=plan_ref,
                                acquired_time=_utc(acquired_time), product_ids=products, reason=reason)
    print_rows([_row(t)], title=f"tasking {t.status}", as_json=as_json)


def task_status_cmd(
    tasking_id: str = typer.Argument(..., help="Tasking id."),
    token: str = typer.Option(None, "--token", callback=_token, help=TOKEN_HELP),
    db_url: str = typer.Option(None, "--db-url", callback=db_url_option, help=DB_URL_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """One tasking: its state, signed acceptance, delivered products and history from the audit log."""
    from dataclasses import asdict

    with _as_user(db_url, token) as (hub, who):
        t = hub.tasking.get(who, tasking_id)
    if as_json:
        typer.echo(json.dumps(asdict(t), indent=2))
        return
    print_rows([_row(t) | {"acceptance_valid": t.acceptance_valid}], title=f"tasking {t.id}")
    print_rows([asdict(h) for h in t.history or []], title="history (audit log)")
    if t.products:
        print_rows(t.products, title="delivered products")


URGENCY_PRIORITY = {"emergency": 5, "urgent": 4, "priority": 3, "routine": 2}


def _plan_request(t: Any) -> dict[str, Any]:
    """A tasking as a request of `orbitshare eo plan` (docs/eo-planning.md: aoi in (lat, lon), priority 1-5)."""
    kind, coords = t.aoi["type"], t.aoi["coordinates"]
    aoi = ({"point": [coords[1], coords[0]]} if kind == "Point"
           else {"polygon": [[lat, lon] for lon, lat in coords[0][:-1]]})
    return {"id": t.id, "partner": t.requester, "aoi": aoi, "window": {"start": t.window_start, "end": t.window_end},
            "priority": URGENCY_PRIORITY.get(t.urgency, 3)}


def task_plan_requests_cmd(
    out: str = typer.Option(..., "--out", callback=output_file((".yaml", ".yml")), metavar="FILE",
                            help="Requests file for 'orbitshare eo plan --requests'."),
    token: str = typer.Option(None, "--token", callback=_token, help=TOKEN_HELP),
    db_url: str = typer.Option(None, "--db-url", callback=db_url_option, help=DB_URL_HELP),
) -> None:
    """The accepted taskings on your partner's assets, as collection-plan requests (urgency sets the priority)."""
    import yaml

    with _as_user(db_url, token) as (hub, who):
        accepted = hub.tasking.taskings(who, "owned", "accepted")
    doc = {"requests": [_plan_request(t) for t in accepted]}
    Path(out).write_text("# Accepted taskings exported by 'orbitshare eo task plan-requests'.\n"
                         + yaml.safe_dump(doc, sort_keys=False))
    wrote(out, f"{len(accepted)} accepted tasking{'' if len(accepted) == 1 else 's'} as plan requests")


def activate_cmd(
    event: str = typer.Option(..., "--event", help="Event type, e.g. flood, earthquake, wildfire."),
    at: str = typer.Option(None, "--at", callback=_at, metavar="LAT,LON", help="Target point (deg)."),
    aoi: str = typer.Option(None, "--aoi", callback=input_files(), help="Target area: GeoJSON Point or Polygon."),
    catalog: str = typer.Option(None, "--catalog", callback=input_files(),
                                help="TLE/OMM file with the assets' elements (default: the bundled active "
                                "catalog of 2026-03-10)."),
    start: str = typer.Option(None, "--start", callback=iso_utc, help="Activation time (UTC, default now)."),
    horizon_h: float = typer.Option(72.0, "--horizon-h", callback=positive, help="Planning horizon (hours)."),
    urgency: str = typer.Option("emergency", "--urgency", callback=one_of(*URGENCY), help="/".join(URGENCY)),
    purpose: str = typer.Option(None, "--purpose", help="Purpose of the release (default: your user's)."),
    assets_file: str = typer.Option(None, "--assets", callback=input_files(), help=ASSETS_HELP),
    request: bool = typer.Option(True, "--request/--plan-only",
                                 help="Also request each planned asset of another partner (needs --token)."),
    token: str = typer.Option(None, "--token", callback=_optional_token, help=TOKEN_HELP),
    db_url: str = typer.Option(None, "--db-url", callback=db_url_option, help=DB_URL_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
    out: str = typer.Option(None, "--out", callback=output_file(), metavar="FILE", help=ROWS_OUT_HELP),
) -> None:
    """Emergency activation: the fastest plan over the emergency-use assets and the expected time to first image."""
    from datetime import timedelta

    from orbitshare.api.activation import activate, registry
    from orbitshare.demo import load_demo_catalog
    from orbitshare.eo.activation import fastest_plan

    area = _aoi(at, aoi)
    fleet = registry(_registry_file(assets_file))
    cat = load_catalog(catalog)[0] if catalog else load_demo_catalog()[0]
    t0 = _utc(start) or datetime.now(UTC)
    ids = [a.norad_id for a in fleet if a.emergency_use and a.norad_id is not None]
    warn_stale(cat.select(ids=ids), t0, t0 + timedelta(hours=horizon_h), "emergency assets")
    if horizon_h > 240:
        fail("--horizon-h: at most 240 hours")
    if not request:  # a plan needs no hub
        from orbitshare.service import Invalid
        from orbitshare.service.tasking import check_aoi

        try:
            check_aoi(area)
        except Invalid as exc:
            fail(_option_message(exc.message))
        plan = fastest_plan(fleet, cat, area, t0, horizon_h)
        rows = [e.as_dict() | {"tasking_id": None} for e in plan.entries]
        ttfi = plan.time_to_first_image_s
        summary = {"activation_id": None, "time_to_first_image_s": None if ttfi is None else round(ttfi, 1),
                   "unavailable": [{"asset_id": a, "reason": r} for a, r in plan.unavailable]}
    else:
        if not token:
            fail("--token: give a token (or ORBITSHARE_TOKEN) to request the assets, or use --plan-only")
        with _as_user(db_url, token) as (hub, who):
            result = activate(hub, who, area, event, urgency, start=t0, horizon_h=horizon_h,
                              purpose=purpose, catalog=cat, assets=fleet)
        rows = result["plan"]
        summary = {k: result[k] for k in ("activation_id", "time_to_first_image_s", "unavailable")}
    if as_json:
        typer.echo(json.dumps(summary | {"plan": rows}, indent=2, default=str))
    else:
        print_rows(rows, title=f"emergency plan ({event})", columns=PLAN_COLUMNS,
                   empty="no emergency asset reaches the area")
        ttfi = summary["time_to_first_image_s"]
        if ttfi is not None:
            typer.echo(f"expected time to first image: {ttfi / 3600.0:.2f} h ({ttfi:.0f} s)", err=True)
        for u in summary["unavailable"]:
            typer.echo(f"  {u['asset_id']}: {u['reason']}", err=True)
        if summary["activation_id"]:
            n = sum(r["tasking_id"] is not None for r in rows)
            typer.echo(f"activation {summary['activation_id']}: {n} request{'' if n == 1 else 's'} sent to the "
                       "owners' focal points", err=True)
    if out:
        wrote(write_rows(rows, out), f"{len(rows)} rows")

def add_commands(group: typer.Typer) -> None:
    """Add `task ...` and `activate` to the `eo` group."""
    task = typer.Typer(no_args_is_help=True, help="Tasking across partners: request another partner's asset, "
                       "decide (owner's focal point), follow the lifecycle.")
    task.command("request")(task_request_cmd)
    task.command("list")(task_list_cmd)
    task.command("inbox")(task_inbox_cmd)
    task.command("decide")(task_decide_cmd)
    task.command("advance")(task_advance_cmd)
    task.command("status")(task_status_cmd)
    task.command("plan-requests")(task_plan_requests_cmd)
    group.add_typer(task, name="task")
    group.command("activate")(activate_cmd)
