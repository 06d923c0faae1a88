"""Products of a SATCOM evaluation: site tables, a JSON summary, a GeoJSON grid, PNG maps and the HTML report.

Tables are lists of dicts (one row per site and option, and one PACE row per site); the summary gives each
option's regional figures before and after the scenario's threats and the GEO-only / MEO-only / multi-orbit
availability; the GeoJSON FeatureCollection carries, per site, the multi-orbit availability and the best margin
for a web map. Maps are drawn with matplotlib (Agg) and embedded in the report of `orbitshare.satcom.report`.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from orbitshare.satcom.evaluate import Evaluation, OptionResult, orbit_mix, pace_table
from orbitshare.satcom.region import Region
from orbitshare.satcom.report import Section, Table

__all__ = ["grid_geojson", "pace_rows", "report_sections", "site_rows", "summary", "write_maps"]


def _f(x: Any, nd: int = 3) -> float | None:
    """Rounded JSON-safe float (None for NaN/inf)."""
    v = float(x)
    return round(v, nd) if math.isfinite(v) else None


def site_rows(ev: Evaluation) -> list[dict]:
    """One row per site and option: geometry, Es/(N0+I0) and margins at p, throughput, availability, baseline too."""
    rows = []
    for b, r in zip(ev.baseline, ev.threatened, strict=True):
        for i, name in enumerate(ev.sites.names):
            rows.append({
                "site": name, "lat_deg": _f(ev.sites.lat_deg[i], 5), "lon_deg": _f(ev.sites.lon_deg[i], 5),
                "option": r.label, "orbit": r.orbit, "coverage_pct": _f(r.coverage_pct[i], 2),
                "handovers": int(r.handovers[i]), "gaps": int(r.gaps[i]),
                "longest_gap_min": _f(r.longest_gap_min[i], 1), "mean_elevation_deg": _f(r.mean_elevation_deg[i], 2),
                "latency_ms": _f(r.mean_latency_ms[i], 1), "fwd_esn0_clear_db": _f(r.fwd_esn0_clear_db[i], 2),
                "fwd_esn0_db": _f(r.fwd_esn0_db[i], 2), "rtn_esn0_db": _f(r.rtn_esn0_db[i], 2),
                "fwd_margin_db": _f(r.fwd_margin_db[i], 2), "rtn_margin_db": _f(r.rtn_margin_db[i], 2),
                "fwd_mbps": _f(r.fwd_mbps[i], 2), "rtn_mbps": _f(r.rtn_mbps[i], 2),
                "availability_pct": _f(r.availability_pct[i], 4),
                "baseline_fwd_mbps": _f(b.fwd_mbps[i], 2), "baseline_availability_pct": _f(b.availability_pct[i], 4),
            })
    return rows


def pace_rows(ev: Evaluation) -> list[dict]:
    """PACE plan per site under the scenario's threats."""
    return pace_table(ev.sites, ev.threatened, ev.scenario.availability_target_pct)


def _option_summary(b: OptionResult, r: OptionResult, target: float) -> dict:
    """Regional figures of one option, baseline and threatened."""
    def agg(x: OptionResult) -> dict:
        return {"median_availability_pct": _f(np.nanmedian(x.availability_pct), 4),
                "min_availability_pct": _f(np.nanmin(x.availability_pct), 4),
                "sites_meeting_target_pct": _f(100.0 * np.mean(x.availability_pct >= target), 1),
                "mean_fwd_mbps": _f(np.mean(x.fwd_mbps), 2), "mean_rtn_mbps": _f(np.mean(x.rtn_mbps), 2),
                "mean_coverage_pct": _f(np.mean(x.coverage_pct), 2)}
    return {"option": r.label, "orbit": r.orbit, "terminal": r.terminal, "satellites": r.satellites,
            "provenance": r.provenance, "baseline": agg(b), "scenario": agg(r)}


def summary(ev: Evaluation, region: Region | None = None) -> dict:
    """JSON summary: scenario, options before/after, orbit mix and the sources of the models."""
    sc = ev.scenario
    mix_b, mix_t = orbit_mix(ev.baseline), orbit_mix(ev.threatened)
    return {
        "kind": "satcom_evaluation",
        "scenario": sc.model_dump(mode="json"),
        "region": region.name if region is not None else None,
        "sites": len(ev.sites), "times": len(ev.times_iso),
        "start": ev.times_iso[0] if ev.times_iso else None, "stop": ev.times_iso[-1] if ev.times_iso else None,
        "options": [_option_summary(b, r, sc.availability_target_pct)
                    for b, r in zip(ev.baseline, ev.threatened, strict=True)],
        "orbit_mix": {k: {"baseline_median_availability_pct": _f(np.nanmedian(mix_b[k]), 4),
                          "scenario_median_availability_pct": _f(np.nanmedian(mix_t[k]), 4),
                          "scenario_min_availability_pct": _f(np.nanmin(mix_t[k]), 4)} for k in mix_t},
        "notes": ev.notes,
    }


def grid_geojson(ev: Evaluation) -> dict:
    """FeatureCollection of the sites with multi-orbit availability, best option and its margin (threatened)."""
    mix = orbit_mix(ev.threatened)
    feats = []
    for i, name in enumerate(ev.sites.names):
        best = max(ev.threatened, key=lambda r: (float(r.availability_pct[i]), float(r.fwd_mbps[i])))
        props: dict[str, Any] = {"site": name, "multi_orbit_availability_pct": _f(mix["multi-orbit"][i], 4),
                                 "best_option": best.label, "best_availability_pct": _f(best.availability_pct[i], 4),
                                 "best_fwd_margin_db": _f(best.fwd_margin_db[i], 2),
                                 "best_fwd_mbps": _f(best.fwd_mbps[i], 2)}
        for r in ev.threatened:
            props[f"{r.label}:availability_pct"] = _f(r.availability_pct[i], 4)
        feats.append({"type": "Feature", "properties": props, "geometry": {
            "type": "Point", "coordinates": [_f(ev.sites.lon_deg[i], 5), _f(ev.sites.lat_deg[i], 5)]}})
    return {"type": "FeatureCollection", "features": feats}


def _outline(ax: Any, region: Region | None) -> None:
    """Draw a region's boundary on an axis."""
    if region is None:
        return
    geoms = getattr(region.geometry, "geoms", [region.geometry])
    for g in geoms:
        x, y = g.exterior.xy
        ax.plot(x, y, color="black", linewidth=0.8)


def write_maps(ev: Evaluation, out_dir: str | Path, region: Region | None = None) -> list[tuple[Path, str]]:
    """PNG maps (availability and margin per option, multi-orbit availability); returns (path, caption) pairs."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    lon, lat = ev.sites.lon_deg, ev.sites.lat_deg
    aspect = 1.0 / max(math.cos(math.radians(float(np.mean(lat)))), 0.2)
    made: list[tuple[Path, str]] = []

    def draw(values: np.ndarray, title: str, label: str, fname: str, cmap: str, vmin=None, vmax=None) -> None:
        fig, ax = plt.subplots(figsize=(7.0, 4.6))
        sc = ax.scatter(lon, lat, c=values, s=max(4.0, 4000.0 / max(len(lon), 1)), cmap=cmap, vmin=vmin, vmax=vmax,
                        marker="s")
        _outline(ax, region)
        ax.set_aspect(aspect)
        ax.set_xlabel("longitude (deg E)")
        ax.set_ylabel("latitude (deg N)")
        ax.set_title(title, fontsize=10)
        fig.colorbar(sc, ax=ax, label=label)
        fig.tight_layout()
        path = out / fname
        fig.savefig(path, dpi=110)
        plt.close(fig)
        made.append((path, title))

    mix = orbit_mix(ev.threatened)
    draw(mix["multi-orbit"], f"Multi-orbit availability, scenario '{ev.scenario.name}'", "availability (%)",
         "availability_multi_orbit.png", "viridis")
    for k, r in enumerate(ev.threatened):
        draw(r.availability_pct, f"{r.label}: availability", "availability (%)", f"availability_{k + 1}.png",
             "viridis")
        draw(r.fwd_margin_db, f"{r.label}: forward margin at p = {ev.scenario.exceedance_pct} %", "margin (dB)",
             f"margin_{k + 1}.png", "RdYlGn")
    return made


def report_sections(ev: Evaluation, summ: dict, maps: list[tuple[Path, str]], pace: list[dict],
                    max_rows: int = 40) -> list[Section]:
    """Report sections: scenario, options before/after, orbit mix, PACE, maps and model notes."""
    sc = ev.scenario
    opt_rows = [{"option": o["option"], "satellites": len(o["satellites"]), "source of orbits": o["provenance"],
                 "baseline median avail. %": o["baseline"]["median_availability_pct"],
                 "scenario median avail. %": o["scenario"]["median_availability_pct"],
                 f"sites >= {sc.availability_target_pct} %": o["scenario"]["sites_meeting_target_pct"],
                 "baseline fwd Mbit/s": o["baseline"]["mean_fwd_mbps"],
                 "scenario fwd Mbit/s": o["scenario"]["mean_fwd_mbps"],
                 "scenario rtn Mbit/s": o["scenario"]["mean_rtn_mbps"]} for o in summ["options"]]
    mix_rows = [{"mode": k, **v} for k, v in summ["orbit_mix"].items()]
    threats = [f"{j.name}: {j.target} jammer at {j.lat_deg:.3f} N {j.lon_deg:.3f} E, EIRP {j.eirp_dbw} dBW, "
               f"{j.f_ghz} GHz / {j.bandwidth_mhz} MHz" for j in sc.jammers]
    if sc.lost_satellites:
        threats.append("lost satellites: " + ", ".join(map(str, sc.lost_satellites)))
    return [
        Section("Scenario", text=[
            f"{sc.name}: {sc.description}".rstrip(": "),
            f"{len(ev.sites)} sites, {summ['start']} to {summ['stop']}, step {sc.step_s:g} s; margins and "
            f"throughput at p = {sc.exceedance_pct} % of an average year; availability target "
            f"{sc.availability_target_pct} %.",
            *(threats or ["No jamming and no satellite loss: baseline only."]),
        ]),
        Section("Options before and after the threats", tables=[Table("Regional figures per option", opt_rows)]),
        Section("Failover between orbits", text=[
            "Availability when each time step uses the best option of the group; rain at a site is one process, so "
            "a fade deeper than every option's margin is not escaped by switching orbit."],
            tables=[Table("GEO-only, MEO-only and multi-orbit availability", mix_rows)]),
        Section("PACE plan per site", tables=[Table(
            f"Primary / alternate / contingency / emergency (first {min(max_rows, len(pace))} of {len(pace)} sites)",
            pace[:max_rows])]),
        Section("Maps", images=maps),
        Section("Models and sources", text=[
            *ev.notes, "EIRP, G/T, bandwidths and beam sizes marked 'unknown' in the constellation file are planning "
            "assumptions, not published figures; replace them with --models FILE."]),
    ]
