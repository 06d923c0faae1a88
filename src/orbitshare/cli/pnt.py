"""`orbitshare pnt evaluate`: GNSS (GPS, Galileo) visibility, DOP, jamming and outages over a region (docs/pnt.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

import typer

from orbitshare.cli.support import (
    IDS_HELP,
    JSON_HELP,
    fail,
    id_list,
    input_files,
    iso_utc,
    load_catalog,
    output_dir,
    positive,
    print_rows,
    step,
    warn,
    wrote,
)

__all__ = ["MAX_POINT_TIMES", "parse_lose_plane", "pnt_evaluate_cmd", "register"]

#: Largest points x times product one evaluation takes (memory: about 2 kB per point-time with 60 satellites).
MAX_POINT_TIMES = 150_000
BUNDLED_CATALOG = "celestrak_active_2026-03-10.csv.gz"


def parse_lose_plane(values: list[str] | None) -> list[tuple[str, int]]:
    """Callback: SYSTEM:PLANE pairs (GAL:1, GPS:3), comma-separated or repeated."""
    out: list[tuple[str, int]] = []
    for item in values or []:
        for token in str(item).split(","):
            token = token.strip()
            if not token:
                continue
            system, _, plane = token.partition(":")
            if system.upper() not in ("GPS", "GAL") or not plane.isdigit() or int(plane) < 1:
                raise typer.BadParameter(f"{token!r} is not SYSTEM:PLANE such as GAL:1 or GPS:3")
            out.append((system.upper(), int(plane)))
    return out


def _systems(value: str | None) -> list[str]:
    """Callback: GPS, GAL or both, comma-separated."""
    if value is None:
        return ["GPS", "GAL"]
    items = [v.strip().upper() for v in value.split(",") if v.strip()]
    bad = [v for v in items if v not in ("GPS", "GAL")]
    if bad or not items:
        raise typer.BadParameter(f"{value!r}: give GPS, GAL or GPS,GAL")
    return items


def _jammers(value: str | None) -> str | None:
    """Callback: a jammer scenario YAML file, or 'sample' for the bundled one."""
    if value is None or value == "sample":
        return value
    return input_files()(value)


def pnt_evaluate_cmd(
    out: str = typer.Option(..., "--out", callback=output_dir, metavar="DIR",
                            help="Folder for summary.json, CSV tables, points.geojson, PNG maps and report.html."),
    region: str = typer.Option("slovenia", "--region", metavar="NAME|FILE", help="Bundled region (slovenia, "
                               "luxembourg) or a GeoJSON polygon file: evaluated on a grid."),
    sites: str = typer.Option(None, "--sites", callback=input_files(), help="GeoJSON Point features (name "
                              "property; [lon, lat] or [lon, lat, height_m]): evaluated at these sites instead."),
    catalog: list[str] = typer.Option(None, "--catalog", callback=input_files(), metavar="CAT", help="TLE/OMM "
                                      "catalog(s) (default: the bundled CelesTrak active catalog of 2026-03-10)."),
    constellations: str = typer.Option(None, "--constellations", callback=input_files(), help="YAML selection of "
                                       "the systems and excluded satellites (default: the bundled one)."),
    systems: str = typer.Option(None, "--systems", callback=_systems, help="GPS, GAL or GPS,GAL (default)."),
    exclude: list[str] = typer.Option(None, "--exclude", callback=id_list, help="Satellites to leave out "
                                      "(unhealthy per the day's NANU/NAGU). " + IDS_HELP),
    start: str = typer.Option(None, "--start", callback=iso_utc, help="UTC start (default: the newest epoch of the "
                              "selected element sets)."),
    hours: float = typer.Option(24.0, "--hours", callback=positive, help="Span (h)."),
    step_min: float = typer.Option(10.0, "--step-min", callback=positive, help="Time step (min)."),
    mask_deg: float = typer.Option(10.0, "--mask-deg", min=0.0, max=89.0, help="Elevation mask (deg)."),
    spacing_km: float = typer.Option(10.0, "--spacing-km", callback=positive, help="Grid spacing (km)."),
    pdop_limit: float = typer.Option(6.0, "--pdop-limit", callback=positive, help="PDOP at or below which the "
                                     "service counts as available."),
    jammers: str = typer.Option(None, "--jammers", callback=_jammers, help="Jammer scenario YAML (docs/pnt.md), or "
                                "'sample' for the bundled hypothetical scenario over Slovenia."),
    lose_plane: list[str] = typer.Option(None, "--lose-plane", callback=parse_lose_plane, help="Outage case: a whole "
                                         "orbital plane out of service, SYSTEM:PLANE (GAL:1-3, GPS:1-6); repeatable."),
    lose: int = typer.Option(0, "--lose", min=0, help="Outage case: the N satellites most often in view over the "
                             "area out of service."),
    max_age_days: float = typer.Option(7.0, "--max-age-days", callback=positive, help="Warn when element sets are "
                                       "further than this from the evaluation time (days)."),
    pdf: bool = typer.Option(False, "--pdf", help="Also write report.pdf (matplotlib)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP + " (the summary)"),
) -> None:
    """Evaluate GNSS visibility and DOP over a region or sites, under jammers and satellite outages."""
    from importlib import resources

    from orbitshare.astro.time import parse_utc
    from orbitshare.pnt.constellations import ConstellationError, load_spec, select_constellation
    from orbitshare.pnt.evaluate import EvaluationConfig, Points, default_start, evaluate
    from orbitshare.pnt.outputs import write_evaluation
    from orbitshare.pnt.scenario import ScenarioError, bundled_scenario_path, load_scenario
    from orbitshare.satcom.region import RegionError, grid_points, load_region, load_sites

    try:
        reg = load_region(region)
        if sites is not None:
            s = load_sites(sites)
            points = Points(list(s.names), s.lat_deg, s.lon_deg, s.h_km, "sites")
        else:
            lat, lon = grid_points(reg, spacing_km)
            points = Points.grid(lat, lon, spacing_km, reg.name)
        spec = load_spec(constellations)
        scenario = None
        if jammers is not None:
            scenario = load_scenario(bundled_scenario_path() if jammers == "sample" else jammers)
    except (RegionError, ConstellationError, ScenarioError) as exc:
        fail(str(exc))
    planes = {sp.system: sp.planes for sp in spec.systems}
    for system, plane in cast(list[tuple[str, int]], lose_plane or []):
        if not 1 <= plane <= planes.get(system, 0):
            raise typer.BadParameter(f"{system}:{plane}: {system} has planes 1-{planes.get(system, 0)}",
                                     param_hint="'--lose-plane'")
    cat, _ = load_catalog(*(catalog or [str(resources.files("orbitshare.data").joinpath(BUNDLED_CATALOG))]))
    try:
        con = select_constellation(cat, spec, tuple(systems), tuple(cast(list[int], exclude or [])))
    except ConstellationError as exc:
        fail(str(exc))
    if len(con) == 0:
        fail(f"{', '.join(catalog or [BUNDLED_CATALOG])}: no GPS or Galileo satellite selected (names matching "
             "the selection's patterns, in the nominal shell)")
    t0 = parse_utc(start) if start else default_start(con.catalog)
    n_times = round(hours * 60.0 / step_min) + 1
    if len(points) * n_times > MAX_POINT_TIMES:
        fail(f"--spacing-km/--hours/--step-min: {len(points)} points x {n_times} times exceeds "
             f"{MAX_POINT_TIMES} point-times; use a coarser grid, a shorter span or a longer step")
    cfg = EvaluationConfig(start=t0, hours=hours, step_min=step_min, mask_deg=mask_deg, pdop_limit=pdop_limit,
                           lose_planes=tuple(cast(list[tuple[str, int]], lose_plane or [])), lose_count=lose,
                           max_element_age_days=max_age_days)
    try:
        with step(f"evaluating {len(con)} satellites over {len(points)} points x {n_times} times"):
            ev = evaluate(con, points, cfg, scenario)
    except ValueError as exc:
        fail(str(exc))
    for w in ev.warnings:
        warn(w)
    with step("writing tables, maps and report"):
        area = f"{len(points)} sites" if sites is not None else reg.name.title()
        files = write_evaluation(ev, Path(out), None if sites is not None else reg,
                                 title=f"PNT resilience: {area}", pdf=pdf)
    if as_json:
        typer.echo(json.dumps(ev.summary(), indent=2, default=str))
    else:
        print_rows(ev.case_rows(), title=f"PNT cases (PDOP limit {pdop_limit:g}, mask {mask_deg:g} deg)",
                   columns=("case", "availability_pct", "no_fix_pct", "pdop_median", "pdop_mean", "pdop_p95",
                            "pdop_max", "visible_min", "visible_mean"))
    wrote(Path(out) / "sites.csv", f"{len(points)} site rows")
    wrote(files[-1], "the report")


def register(app: typer.Typer) -> None:
    """Add the `pnt` group to the root app."""
    group = typer.Typer(no_args_is_help=True, help="PNT resilience: GNSS visibility, DOP, jamming and outages.")
    group.command("evaluate")(pnt_evaluate_cmd)
    app.add_typer(group, name="pnt")
