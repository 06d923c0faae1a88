"""`orbitshare satcom ...`: SATCOM resilience over a region or sites (see docs/satcom.md)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from orbitshare.cli.support import (
    JSON_HELP,
    console,
    fail,
    input_files,
    iso_utc,
    output_dir,
    positive,
    print_rows,
    step,
    warn,
    write_rows,
    wrote,
)

__all__ = ["register", "satcom_evaluate_cmd", "satcom_models_cmd"]

BUNDLED_CATALOG = "celestrak_active_2026-03-10.csv.gz"


def _region_arg(value):
    """Callback: a bundled region name or an existing GeoJSON file."""
    from orbitshare.satcom.region import bundled_regions

    if value is None or value.lower() in bundled_regions() or Path(value).is_file():
        return value
    raise typer.BadParameter(f"{value!r} is neither a bundled region ({', '.join(bundled_regions())}) nor a file")


def _bundled_catalog() -> Path:
    """Path of the catalog shipped with orbitshare."""
    from importlib import resources

    return Path(str(resources.files("orbitshare.data").joinpath(BUNDLED_CATALOG)))


def satcom_evaluate_cmd(
    region: str = typer.Option("slovenia", "--region", callback=_region_arg, metavar="NAME|FILE",
                               help="Bundled region (slovenia, luxembourg) or a GeoJSON polygon file."),
    sites: str = typer.Option(None, "--sites", callback=input_files(), metavar="F.geojson",
                              help="Evaluate these named Point sites (e.g. deployed sites abroad) instead of a grid."),
    spacing_km: float = typer.Option(10.0, "--spacing-km", callback=positive, help="Grid spacing over the region "
                                     "(km)."),
    scenario: str = typer.Option(None, "--scenario", callback=input_files(), metavar="F.yaml",
                                 help="Scenario YAML: options, rain-fade p, jammers, lost satellites."),
    models: str = typer.Option(None, "--models", callback=input_files(), metavar="F.yaml",
                               help="Constellation/terminal YAML replacing or adding bundled models by name."),
    catalog: list[str] = typer.Option(None, "--catalog", callback=input_files(), metavar="CAT",
                                      help="Catalog(s) with the satellites' elements (default: the bundled "
                                      "CelesTrak 2026-03-10 set)."),
    start: str = typer.Option(None, "--start", callback=iso_utc, metavar="UTC", help="Start (default: scenario's)."),
    hours: float = typer.Option(None, "--hours", callback=positive, help="Span (h) (default: scenario's, 24)."),
    step_s: float = typer.Option(None, "--step-s", callback=positive, help="Time step (s) (default: 60)."),
    out: str = typer.Option(..., "--out", callback=output_dir, metavar="DIR", help="Write tables, maps, GeoJSON and "
                            "report.html here."),
    pdf: bool = typer.Option(False, "--pdf", help="Also write report.pdf (matplotlib)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Evaluate GEO/MEO SATCOM options per site: coverage, margins, throughput, availability, threats, PACE."""
    import numpy as np

    from orbitshare.cli.support import load_catalog
    from orbitshare.satcom.evaluate import evaluate
    from orbitshare.satcom.models import ModelError, load_models
    from orbitshare.satcom.outputs import grid_geojson, pace_rows, report_sections, site_rows, summary, write_maps
    from orbitshare.satcom.region import RegionError, Sites, grid_points, load_region, load_sites
    from orbitshare.satcom.report import write_html_report, write_pdf_report
    from orbitshare.satcom.scenario import Scenario, ScenarioError, load_scenario

    try:
        mdl = load_models(models)
        scen = load_scenario(scenario) if scenario else Scenario()
        reg = load_region(region)
        if sites:
            site_set = load_sites(sites)
        else:
            lat, lon = grid_points(reg.geometry, spacing_km)
            site_set = Sites([f"{reg.name}-{i + 1:04d}" for i in range(lat.size)], lat, lon, np.full(lat.size, np.nan))
    except (ModelError, ScenarioError, RegionError) as exc:
        fail(str(exc))
    updates = {k: v for k, v in (("start", start), ("hours", hours), ("step_s", step_s)) if v is not None}
    if updates:
        try:
            scen = Scenario(**{**scen.model_dump(), **updates})
        except ValueError as exc:
            fail(f"--start/--hours/--step-s: {str(exc).splitlines()[-1].strip()}")
    for opt in scen.options:
        try:
            mdl.resolve(opt.constellation, opt.band, opt.terminal)
        except ModelError as exc:
            fail(f"{scenario or 'scenario'}: options: {exc}")
    cat, _ = load_catalog(*(catalog or [_bundled_catalog()]))
    n_t = int(scen.hours * 3600.0 / scen.step_s) + 1
    if len(site_set) * n_t > 5e7:
        fail(f"{len(site_set)} sites x {n_t} times is too large; use a coarser --spacing-km or --step-s")
    err = console(stderr=True)
    ev = evaluate(site_set, scen, mdl, cat, progress=lambda m: err.print(m, highlight=False), workers=None)
    for name in scen.lost_satellites:
        if not any(scen.is_lost(n, 0) or (isinstance(name, int) and name in r.satellites)
                   for r in ev.threatened for n in r.satellites):
            warn(f"lost satellite {name!r} is not in any evaluated constellation")
    outdir = Path(out)
    outdir.mkdir(parents=True, exist_ok=True)
    with step("writing tables, maps and report"):
        rows = site_rows(ev)
        pace = pace_rows(ev)
        summ = summary(ev, None if sites else reg)
        write_rows(rows, outdir / "sites.csv")
        write_rows(pace, outdir / "pace.csv")
        (outdir / "summary.json").write_text(json.dumps(summ, indent=2) + "\n", encoding="utf-8")
        (outdir / "grid.geojson").write_text(json.dumps(grid_geojson(ev)) + "\n", encoding="utf-8")
        maps = write_maps(ev, outdir, None if sites else reg)
        sections = report_sections(ev, summ, maps, pace)
        title = f"SATCOM resilience: {scen.name} ({len(site_set)} sites)"
        report = write_html_report(outdir, title, sections)
        if pdf:
            write_pdf_report(outdir, title, sections)
    table = [{"option": o["option"], "orbit": o["orbit"],
              "baseline_median_avail_pct": o["baseline"]["median_availability_pct"],
              "scenario_median_avail_pct": o["scenario"]["median_availability_pct"],
              "sites_meeting_target_pct": o["scenario"]["sites_meeting_target_pct"],
              "baseline_fwd_mbps": o["baseline"]["mean_fwd_mbps"], "scenario_fwd_mbps": o["scenario"]["mean_fwd_mbps"],
              "scenario_rtn_mbps": o["scenario"]["mean_rtn_mbps"]} for o in summ["options"]]
    table += [{"option": k, "orbit": "mix", "baseline_median_avail_pct": v["baseline_median_availability_pct"],
               "scenario_median_avail_pct": v["scenario_median_availability_pct"]}
              for k, v in summ["orbit_mix"].items()]
    print_rows(table, title=f"SATCOM {scen.name}: {len(site_set)} sites", as_json=as_json)
    wrote(outdir / "sites.csv", f"{len(rows)} site rows")
    wrote(report, "the report")


def satcom_models_cmd(
    models: str = typer.Option(None, "--models", callback=input_files(), metavar="F.yaml",
                               help="Constellation/terminal YAML replacing or adding bundled models by name."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """List constellation payloads and terminals with every parameter's basis and source."""
    from orbitshare.satcom.models import ModelError, load_models

    try:
        mdl = load_models(models)
    except ModelError as exc:
        fail(str(exc))
    rows = []
    for c in mdl.constellations:
        rows.append({"model": c.name, "parameter": "min_elevation_deg", "value": c.min_elevation_deg.value,
                     "basis": c.min_elevation_deg.basis, "source": c.min_elevation_deg.source,
                     "date": c.min_elevation_deg.date})
        for p in c.payloads:
            for key in ("downlink_ghz", "uplink_ghz", "eirp_dbw", "g_t_dbk", "forward_bandwidth_mhz",
                        "return_bandwidth_mhz", "beam_half_power_deg"):
                prm = getattr(p, key)
                rows.append({"model": f"{c.name}/{p.band}", "parameter": key, "value": prm.value, "basis": prm.basis,
                             "source": prm.source, "date": prm.date})
    for t in mdl.terminals:
        for key in ("diameter_m", "efficiency", "system_noise_k", "tx_power_w", "implementation_margin_db"):
            prm = getattr(t, key)
            rows.append({"model": f"terminal {t.name}", "parameter": key, "value": prm.value, "basis": prm.basis,
                         "source": prm.source, "date": prm.date})
    print_rows(rows, title="SATCOM models", as_json=as_json)


def register(app: typer.Typer) -> None:
    """Add the `satcom` group to the root app."""
    group = typer.Typer(no_args_is_help=True, help="SATCOM resilience: GEO/MEO coverage, link budgets, rain, "
                        "jamming, satellite loss and PACE plans.")
    group.command("evaluate")(satcom_evaluate_cmd)
    group.command("models")(satcom_models_cmd)
    app.add_typer(group, name="satcom")
