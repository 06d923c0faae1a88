"""`orbitshare eo plan`: collection planning across partners with CP-SAT (see docs/eo-planning.md)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import typer

from orbitshare.cli.support import (
    JSON_HELP,
    console,
    fail,
    input_files,
    iso_utc,
    load_catalog,
    output_file,
    positive,
    print_rows,
    step,
    warn,
    warn_stale,
    wrote,
)

__all__ = ["add_commands", "plan_cmd"]


def _fraction(value):
    """Callback: a number within 0..1."""
    if value is not None and not 0.0 <= value <= 1.0:
        raise typer.BadParameter(f"{value} is not within 0..1")
    return value


def _label(value):
    """Callback: a security label as JSON text (policy_id, classification, originator, ...); value unchanged."""
    if value is None:
        return None
    from orbitshare.sharing.labels import SecurityLabel

    try:
        SecurityLabel.from_dict(json.loads(value))
        return value
    except (ValueError, TypeError) as exc:
        raise typer.BadParameter(f"not a security label: {exc}") from None


def plan_cmd(
    requests: str = typer.Option(..., "--requests", callback=input_files(), metavar="REQ.yaml",
                                 help="Collection requests (YAML `requests:` list; see docs/eo-planning.md)."),
    catalog: list[str] = typer.Option(..., "--catalog", callback=input_files(), metavar="CAT",
                                      help="Catalog file(s) holding the assets' element sets (TLE or OMM, .gz ok)."),
    start: str = typer.Option(..., "--start", callback=iso_utc, metavar="UTC", help="Plan start, UTC ISO 8601."),
    days: float = typer.Option(1.0, "--days", callback=positive, help="Plan length (days, at most 7)."),
    assets: str = typer.Option(None, "--assets", callback=input_files(), metavar="FILE",
                               help="Asset registry YAML adding to or replacing the packaged assets by id."),
    use: str = typer.Option(None, "--use", metavar="OWNERS/IDS",
                            help="Only these owners or asset ids (LUX,SVN,ICEYE,sentinel-2a); default all."),
    time_limit: float = typer.Option(30.0, "--time-limit", callback=positive, metavar="S",
                                     help="CP-SAT time limit (s) for the whole plan."),
    fairness: float = typer.Option(1.0, "--fairness", callback=_fraction,
                                   help="Each partner keeps at least this fraction of the best common share of its "
                                   "attainable value (1: lexicographic max-min, 0: value only)."),
    out: str = typer.Option(None, "--out", callback=output_file((".json", ".csv")), metavar="PLAN.json|.csv",
                            help="Write the plan: .json (everything, with GeoJSON) or .csv (acquisitions)."),
    geojson: str = typer.Option(None, "--geojson", callback=output_file((".geojson", ".json")), metavar="FILE",
                                help="Also write the planned acquisitions as a GeoJSON FeatureCollection."),
    stac: str = typer.Option(None, "--stac", callback=output_file((".json",)), metavar="ITEMS.json",
                             help="Also write STAC Items (status planned) of the registry assets' acquisitions."),
    label: str = typer.Option(None, "--label", callback=_label, metavar="JSON",
                              help='Security label of the STAC Items, e.g. \'{"policy_id": "NATO", '
                              '"classification": "UNCLASSIFIED", "originator": "SVN"}\' (needed with --stac).'),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Plan acquisitions of partners' requests by the virtual constellation: fair, slew-feasible, gap reported."""
    from orbitshare.astro.time import parse_utc
    from orbitshare.cli.support import write_rows
    from orbitshare.eo.assets import AssetError, load_registry
    from orbitshare.eo.planning.planner import plan_collection, plan_geojson, plan_rows, satellites_from_catalog
    from orbitshare.eo.planning.requests import RequestError, read_requests

    if days > 7:
        raise typer.BadParameter(f"{days} days is more than 7", param_hint="'--days'")
    if stac and label is None:
        raise typer.BadParameter("--stac needs --label (the Items carry the security label)", param_hint="'--label'")
    try:
        with open(requests, encoding="utf-8") as fh:
            reqs = read_requests(fh, requests)
        registry = load_registry(assets).select(use)
    except (RequestError, AssetError, UnicodeDecodeError) as exc:
        fail(str(exc))
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="'--use'") from None
    cat, _ = load_catalog(*catalog)
    t0 = parse_utc(start)
    sats, recs, skipped = satellites_from_catalog(registry, cat)
    for s in skipped:
        warn(f"asset {s['asset']} not planned: {s['reason']}")
    if not sats:
        fail(f"none of the {len(registry)} assets can be planned with {', '.join(catalog)} (see the warnings)")
    warn_stale(cat.select(ids=[p.norad_id for p in sats]), t0, t0 + timedelta(days=days), "planned satellites")
    try:
        with step(f"planning {len(reqs)} requests with {len(sats)} satellites over {days:g} day(s)"):
            plan = plan_collection(reqs, sats, recs, t0, days, time_limit, fairness)
    except (ValueError, RuntimeError) as exc:
        fail(str(exc))
    content = plan.as_dict()
    content["geojson"] = plan_geojson(plan, reqs)
    if as_json:
        typer.echo(json.dumps(content, indent=2))
    else:
        print_rows(plan_rows(plan), title=f"{len(plan.acquisitions)} planned acquisitions")
        print_rows(plan.unserved, title=f"{len(plan.unserved)} unserved requests",
                   columns=("request", "partner", "priority", "reason", "detail"))
        print_rows(plan.partners, title="partners")
        s = plan.solver
        console().print(f"CP-SAT {s['status']}: value {s['objective']:g}, bound {s['best_bound']:g}, gap "
                        f"{100 * s['gap']:.2f} %; {s['candidates']} candidates, {s['conflicts']} conflicts; "
                        f"fair floor {s.get('fair_floor', 1.0):.3f}", highlight=False)
    if out:
        if Path(out).suffix.lower() == ".csv":
            write_rows(plan_rows(plan), out)
        else:
            Path(out).write_text(json.dumps(content, indent=2), encoding="utf-8")
        wrote(out, f"plan of {len(plan.acquisitions)} acquisitions")
    if geojson:
        Path(geojson).write_text(json.dumps(content["geojson"], indent=2), encoding="utf-8")
        wrote(geojson, f"{len(plan.acquisitions)} planned acquisitions (GeoJSON)")
    if stac:
        from orbitshare.eo.planning.planner import plan_stac_items
        from orbitshare.sharing.labels import SecurityLabel

        items, notes = plan_stac_items(plan, reqs, registry, SecurityLabel.from_dict(json.loads(label)).to_dict())
        for note in notes:
            warn(f"no STAC Item: {note}")
        Path(stac).write_text(json.dumps({"type": "FeatureCollection", "features": items}, indent=2),
                              encoding="utf-8")
        wrote(stac, f"{len(items)} STAC Items (planned)")
    assumed = sorted({a for sat in plan.satellites for a in sat["assumed"]})
    if assumed:
        console(stderr=True).print(f"planner defaults used where the registry has no figure: {', '.join(assumed)}",
                                   highlight=False)


def add_commands(group: typer.Typer) -> None:
    """Add this module's commands to the `eo` group."""
    group.command("plan")(plan_cmd)
