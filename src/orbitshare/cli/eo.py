"""`orbitshare eo ...`: the Earth-observation virtual constellation (see docs/eo.md)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import typer

from orbitshare.cli import eo_plan, eo_task
from orbitshare.cli.support import (
    JSON_HELP,
    console,
    fail,
    input_files,
    iso_utc,
    load_catalog,
    output_dir,
    output_file,
    output_rows,
    positive,
    print_rows,
    step,
    warn,
    warn_stale,
    write_rows,
    wrote,
)

__all__ = ["assets_cmd", "opportunities_cmd", "persistence_cmd", "register"]

ASSETS_HELP = "Your asset registry YAML: adds assets to the packaged one or replaces them by id."
CATALOG_HELP = "Catalog file (TLE, OMM KVN/XML/JSON/CSV, .gz ok); default: the bundled CelesTrak active catalog."
AOI_HELP = "GeoJSON file of AOIs: points and polygons (FeatureCollection, Feature or geometry)."
AOI_OPTION = typer.Option(..., "--aoi", callback=input_files(), metavar="FILE", help=AOI_HELP)
CATALOG_OPTION = typer.Option(None, "--catalog", callback=input_files(), metavar="FILE", help=CATALOG_HELP)
START_OPTION = typer.Option(None, "--start", callback=iso_utc, metavar="UTC", help="Window start, UTC ISO 8601 "
                            "(default: now, or the catalog's median epoch when that is more than 3 days old).")
TABLE_COLUMNS = ("aoi", "asset", "best", "duration_s", "off_nadir_deg", "incidence_deg", "sun_elevation_deg",
                 "look_side", "gsd_m", "coverage_fraction")


def _registry(assets_file: str | None):
    """The asset registry (packaged, extended by a user's file); one error line on bad input."""
    from orbitshare.eo.assets import AssetError, load_registry

    try:
        return load_registry(assets_file)
    except AssetError as exc:
        fail(str(exc))


def _select(registry, spec: str | None, option: str):
    """Registry subset from owners/ids ("LUX,SVN", "all"); one error line naming the option."""
    try:
        return registry.select(spec)
    except ValueError as exc:
        fail(f"{option}: {exc}")


def _aois(path: str):
    """AOIs of a GeoJSON file, rejected features reported on stderr; one error line when none is usable."""
    from orbitshare.eo.aoi import AoiError, read_aois

    try:
        with open(path, encoding="utf-8") as fh:
            aois = read_aois(fh, path)
    except AoiError as exc:
        fail(str(exc))
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{path}: cannot read ({exc})")
    if aois.rejects:
        for line in aois.rejects[:10]:
            warn(line)
        warn(f"{path}: {len(aois.rejects)} feature(s) rejected, {len(aois)} used")
    return aois


def _catalog(path: str | None):
    """Catalog from a file, or the bundled CelesTrak active catalog."""
    if path is None:
        from importlib import resources

        path = str(resources.files("orbitshare.data").joinpath("celestrak_active_2026-03-10.csv.gz"))
    cat, _ = load_catalog(path)
    return cat


def _window(cat, start: str | None, hours: float):
    """Window start and stop (UTC) from --start (default: now, or the catalog's median epoch when it is old)."""
    from orbitshare.astro.time import parse_utc
    from orbitshare.ssa.conjunction.element_age import default_start

    if start:
        t0 = parse_utc(start)
    else:
        t0, note = default_start(cat)
        if note:
            typer.echo(note, err=True)
    return t0, t0 + timedelta(hours=hours)


def _opportunities(catalog_file, aoi_file, assets_file, only, start, hours):
    """Opportunities of the selected assets over the AOIs, with skipped assets reported."""
    from orbitshare.eo.opportunities import find_opportunities

    registry = _select(_registry(assets_file), only, "--only")
    aois = _aois(aoi_file)
    cat = _catalog(catalog_file)
    t0, t1 = _window(cat, start, hours)
    ids = [a.norad_id for a in registry if a.norad_id is not None]
    warn_stale(cat.select(ids=ids), t0, t1, "assets")
    with step(f"imaging opportunities of {len(registry)} assets over {len(aois)} AOIs"):
        opp = find_opportunities(cat, registry, aois.aois, t0, t1)
    for line in opp.skipped:
        warn(f"left out {line}")
    return opp


def _label(path: str) -> dict:
    """A security label (JSON file) checked by the sharing rules' parser, as a plain dict."""
    from orbitshare.sharing.labels import SecurityLabel

    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        return SecurityLabel.from_dict(data).to_dict()
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, ValueError) as exc:
        fail(f"{path}: not a usable security label ({exc})")
        raise  # unreachable: fail() raises


def _write_stac(opp, label: dict, folder: Path) -> None:
    """STAC items of the accesses under folder/items and their collection as folder/collection.json."""
    from orbitshare.eo.stac import acquisition_collection, items_from_opportunities

    cid = f"opportunities-{opp.start:%Y%m%dT%H%M}"
    items = items_from_opportunities(opp, label, collection_id=cid)
    if not items:
        warn("no access has a footprint: no STAC item written")
        return
    (folder / "items").mkdir(parents=True, exist_ok=True)
    for it in items:
        (folder / "items" / f"{it['id']}.json").write_text(json.dumps(it, indent=1))
    col = acquisition_collection(cid, items, f"Planned acquisitions from {opp.start:%Y-%m-%d %H:%M} UTC")
    (folder / "collection.json").write_text(json.dumps(col, indent=1))
    wrote(folder, f"{len(items)} STAC items and their collection")


def assets_cmd(
    assets: str = typer.Option(None, "--assets", callback=input_files(), metavar="FILE", help=ASSETS_HELP),
    owner: str = typer.Option(None, "--owner", metavar="CODE[,CODE]", help="Only these owners (LUX,SVN)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP + " (full records with sources)"),
) -> None:
    """List the EO assets partners bring: owner, sensor, figures, and which figures are unknown."""
    from orbitshare.eo.assets import as_row

    registry = _registry(assets)
    chosen = list(registry)
    if owner:
        codes = [o.strip().upper() for o in owner.split(",") if o.strip()]
        unknown = [c for c in codes if c not in registry.owners]
        if unknown or not codes:
            fail(f"--owner: {', '.join(unknown) or repr(owner)} is not an owner code ({', '.join(registry.owners)})")
        chosen = registry.by_owner(*codes)
    if as_json:
        typer.echo(json.dumps([a.model_dump(mode="json") for a in chosen], indent=2))
        return
    print_rows([as_row(a) for a in chosen], title=f"EO assets ({len(chosen)} of {len(registry)})")


def opportunities_cmd(
    aoi: str = AOI_OPTION,
    catalog: str = CATALOG_OPTION,
    start: str = START_OPTION,
    hours: float = typer.Option(24.0, "--hours", callback=positive, help="Window length (hours)."),
    assets: str = typer.Option(None, "--assets", callback=input_files(), metavar="FILE", help=ASSETS_HELP),
    only: str = typer.Option(None, "--only", metavar="IDS|OWNERS", help="Asset ids and/or owner codes "
                             "(sentinel-2a,LUX); default: all."),
    out: str = typer.Option(None, "--out", callback=output_file((".csv", ".json", ".jsonl", ".geojson")),
                            metavar="FILE", help="Write every access to .csv/.json/.jsonl, or footprints with "
                            "their access properties to .geojson."),
    stac: str = typer.Option(None, "--stac", callback=output_dir, metavar="DIR",
                             help="Also write the accesses as STAC items (planned acquisitions) and a collection "
                             "here (needs --label)."),
    label: str = typer.Option(None, "--label", callback=input_files(), metavar="FILE",
                              help="Security label of the STAC items, JSON (policy_id, classification, originator, "
                              "categories, purposes)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Imaging opportunities: every access of every asset to every AOI, with geometry, GSD and coverage."""
    if stac and not label:
        raise typer.BadParameter("--stac needs --label FILE (the items' security label)", param_hint="'--stac'")
    lab = _label(label) if label else None
    opp = _opportunities(catalog, aoi, assets, only, start, hours)
    if stac and lab is not None:
        _write_stac(opp, lab, Path(stac))
    rows = opp.rows()
    title = (f"imaging opportunities {opp.start:%Y-%m-%d %H:%M} + {hours:g} h: {len(rows)} accesses of "
             f"{len(opp.assets)} assets to {len(opp.aois)} AOIs")
    if out and Path(out).suffix.lower() == ".geojson":
        print_rows(rows, title=title, as_json=as_json, columns=None if as_json else TABLE_COLUMNS)
        Path(out).write_text(json.dumps(opp.to_geojson(), indent=1))
        wrote(out, f"{len(rows)} footprints")
        return
    if as_json:
        output_rows(rows, out, True, title)
    else:
        print_rows(rows, title=title, columns=TABLE_COLUMNS)
        if out:
            wrote(write_rows(rows, out), f"{len(rows)} rows")


def persistence_cmd(
    aoi: str = AOI_OPTION,
    catalog: str = CATALOG_OPTION,
    start: str = START_OPTION,
    days: float = typer.Option(7.0, "--days", callback=positive, help="Window length (days)."),
    constellation: str = typer.Option("all", "--constellation", metavar="OWNERS|IDS",
                                      help="The virtual constellation: owner codes and/or asset ids (LUX,SVN), "
                                      "or all."),
    request: str = typer.Option(None, "--request", callback=iso_utc, metavar="UTC",
                                help="Request time for time-to-first-access (default: the window start)."),
    assets: str = typer.Option(None, "--assets", callback=input_files(), metavar="FILE", help=ASSETS_HELP),
    out: str = typer.Option(None, "--out", callback=output_dir, metavar="DIR",
                            help="Write persistence.csv/.json, degradation.csv/.json and PNG plots here."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Persistence of a virtual constellation over AOIs: revisit, response, coverage, and loss of each member."""
    from orbitshare.astro.time import parse_utc
    from orbitshare.eo.persistence import persistence
    from orbitshare.eo.plots import coverage_map_png, revisit_timeline_png

    opp = _opportunities(catalog, aoi, assets, constellation, start, days * 24.0)
    req = parse_utc(request) if request else None
    if req is not None and not (opp.start <= req <= opp.stop):
        fail(f"--request {request} is outside the window {opp.start:%Y-%m-%dT%H:%M}Z + {days:g} days")
    with step("persistence figures and loss table"):
        p = persistence(opp, req)
    title = (f"persistence of {', '.join(p.constellation) or 'no asset'} over {days:g} days from "
             f"{p.start:%Y-%m-%d %H:%M} UTC (hours)")
    print_rows(p.table, title=title, as_json=as_json)
    if not as_json:
        loss = [r for r in p.degradation if r["scenario"] == "partner lost"]
        print_rows(loss, title="when one partner's assets are lost", columns=(
            "lost", "aoi", "accesses_per_day", "mean_gap_h", "max_gap_h", "first_access_h"))
    if out:
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        for name, rows in (("persistence", p.table), ("degradation", p.degradation)):
            write_rows(rows, folder / f"{name}.csv")
            write_rows(rows, folder / f"{name}.json")
        revisit_timeline_png(p, folder / "revisit_timeline.png")
        for aoi_id, grid in p.grids.items():
            coverage_map_png(aoi_id, grid, folder / f"coverage_{aoi_id}.png")
        wrote(folder, f"tables and {1 + len(p.grids)} plots")
    console(stderr=True).print(f"{len(opp)} accesses of {len(opp.assets)} assets", highlight=False)


def register(app: typer.Typer) -> None:
    """Add the `eo` group to the root app."""
    group = typer.Typer(no_args_is_help=True, help="Earth observation: assets, opportunities, persistence, "
                        "collection planning and tasking across partners.")
    group.command("assets")(assets_cmd)
    group.command("opportunities")(opportunities_cmd)
    group.command("persistence")(persistence_cmd)
    eo_plan.add_commands(group)
    eo_task.add_commands(group)
    app.add_typer(group, name="eo")
