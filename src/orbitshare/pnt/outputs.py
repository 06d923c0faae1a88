"""Files of a PNT evaluation: CSV/JSON tables, GeoJSON points, PNG maps (matplotlib Agg) and the HTML report.

An output folder holds (the layout of the SATCOM evaluation): summary.json, sites.csv (one row per grid point or
site), cases.csv, times.csv, satellites.csv, grid.geojson, maps (pdop_mean.png, visible_min.png, pdop_time.png
and, with jammers, js_l1.png / js_l5.png, lock.png, pdop_jammed.png) and report.html (orbitshare.satcom.report,
the form shared with the SATCOM evaluation).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np

from orbitshare.pnt.evaluate import PntEvaluation
from orbitshare.satcom.report import Section, Table, write_html_report, write_pdf_report

__all__ = ["write_evaluation", "write_maps", "write_tables"]


def _write_csv(rows: list[dict[str, Any]], path: Path) -> Path:
    """Rows to CSV (columns: union of keys in first-seen order)."""
    cols: dict[str, None] = {}
    for r in rows:
        for k in r:
            cols.setdefault(k, None)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(cols))
        w.writeheader()
        for r in rows:
            w.writerow({k: ("" if v is None else v) for k, v in r.items()})
    return path


def write_tables(ev: PntEvaluation, out_dir: Path) -> list[Path]:
    """summary.json, sites/cases/times/satellites CSV and grid.geojson in out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = out_dir / "summary.json"
    summary.write_text(json.dumps(ev.summary(), indent=2, default=str), encoding="utf-8")
    geo = out_dir / "grid.geojson"
    geo.write_text(json.dumps(ev.geojson()), encoding="utf-8")
    return [summary, _write_csv(ev.case_rows(), out_dir / "cases.csv"),
            _write_csv(ev.point_rows(), out_dir / "sites.csv"), _write_csv(ev.time_rows(), out_dir / "times.csv"),
            _write_csv(ev.satellite_rows(), out_dir / "satellites.csv"), geo]


def _map(ev: PntEvaluation, values: np.ndarray, title: str, label: str, path: Path, region: Any = None,
         cmap: str = "viridis", vmin: float | None = None, vmax: float | None = None,
         contour_at: float | None = None, missing: str = "no fix") -> Path:
    """One PNG map: the points coloured by value (NaN drawn as x labelled `missing`), region outline, jammers."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    lat, lon = ev.points.lat_deg, ev.points.lon_deg
    fig, ax = plt.subplots(figsize=(8.0, 5.6), dpi=110)
    size = 30 if ev.points.kind == "grid" else 60
    finite = np.isfinite(values)
    sc = ax.scatter(lon[finite], lat[finite], c=values[finite], s=size, marker="s" if ev.points.kind == "grid"
                    else "o", cmap=cmap, vmin=vmin, vmax=vmax, edgecolors="none")
    if np.any(~finite):
        colour = "#b00020" if missing == "no fix" else "#9a9a9a"
        ax.scatter(lon[~finite], lat[~finite], s=size, marker="x", c=colour, label=missing)
    fig.colorbar(sc, ax=ax, label=label, shrink=0.85)
    if region is not None:
        geoms = getattr(region.geometry, "geoms", [region.geometry])
        for g in geoms:
            x, y = g.exterior.xy
            ax.plot(x, y, color="#333333", linewidth=0.8)
    if ev.scenario is not None and ev.scenario.jammers:
        for j in ev.scenario.jammers:
            ax.plot(j.lon_deg, j.lat_deg, marker="*", markersize=12, color="#d62728", markeredgecolor="black")
            ax.annotate(j.name, (j.lon_deg, j.lat_deg), fontsize=7, xytext=(4, 4), textcoords="offset points")
    if contour_at is not None and ev.points.kind == "grid" and np.sum(finite) > 3:
        try:
            ax.tricontour(lon, lat, np.where(finite, values, np.nanmin(values[finite]) - 100.0), levels=[contour_at],
                          colors="#d62728", linewidths=1.2)
        except (ValueError, RuntimeError):  # degenerate triangulations (collinear points)
            pass
    ax.set_xlabel("longitude (deg)")
    ax.set_ylabel("latitude (deg)")
    ax.set_title(title, fontsize=10)
    ax.set_aspect(1.0 / max(np.cos(np.radians(float(np.mean(lat)))), 0.1))
    if np.any(~finite):
        ax.legend(loc="lower right", fontsize=7)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def write_maps(ev: PntEvaluation, out_dir: Path, region: Any = None) -> list[tuple[Path, str]]:
    """PNG maps (path, caption) of mean PDOP, fewest satellites in view and, with jammers, J/S and lock."""
    rows = ev.point_rows()
    nominal = ev.cases[0]
    pdop = np.array([r["pdop_mean"] if r["pdop_mean"] is not None else np.nan for r in rows], dtype=float)
    vis = np.array([r["visible_min"] for r in rows], dtype=float)
    span = f"{ev.times_utc[0]} to {ev.times_utc[-1]}, mask {ev.config.mask_deg:g} deg"
    maps = [(_map(ev, pdop, f"Mean PDOP, {nominal.label} ({span})", "PDOP", out_dir / "pdop_mean.png", region,
                  "viridis_r"), f"Mean PDOP over the period, {nominal.description}"),
            (_map(ev, vis, f"Fewest satellites in view, {nominal.label}", "satellites", out_dir / "visible_min.png",
                  region, "viridis"), "Fewest satellites above the mask at any time"),
            (_time_plot(ev, out_dir / "pdop_time.png"), "Worst PDOP over the points against time, every case")]
    if ev.jamming is not None:
        for band, js in ev.jamming.js_by_band().items():
            tol = float(min(t for s, t in zip(ev.jamming.signals, ev.jamming.tolerance_db, strict=True)
                            if s.startswith(("GPS", "GAL")) and _band(s) == band))
            vals = np.where(np.isfinite(js), js, np.nan)
            maps.append((_map(ev, vals, f"J/S {band} (dB) vs minimum signal power; red line: tolerance {tol:.1f} dB",
                              "J/S (dB)", out_dir / f"js_{band.lower()}.png", region, "magma",
                              contour_at=tol, missing="no jamming power (beyond the radio horizon)"),
                         f"Jammer-to-signal ratio in band {band}; beyond the red line receivers lose lock"))
        lock = np.array([sum(ev.jamming.system_ok[i]) for i in range(len(ev.points))], dtype=float)
        maps.append((_map(ev, lock, "Systems still tracked under jamming (0 = no GNSS)", "systems locked",
                          out_dir / "lock.png", region, "RdYlGn", 0, len(ev.jamming.systems)),
                     "Number of GNSS systems whose signals the receiver still tracks"))
        jp = np.array([r["pdop_jammed_mean"] if r["pdop_jammed_mean"] is not None else np.nan for r in rows])
        maps.append((_map(ev, jp, "Mean PDOP under jamming (x: no fix)", "PDOP", out_dir / "pdop_jammed.png",
                          region, "viridis_r"), "Mean PDOP with the systems that keep lock"))
    return maps


def _time_plot(ev: PntEvaluation, path: Path) -> Path:
    """PNG of the worst PDOP over the points with a fix against time, one line per case; x at the top where
    some point has no fix."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    hours = ((ev.orbits.jd - ev.orbits.jd[0]) + (ev.orbits.fr - ev.orbits.fr[0])) * 24.0
    fig, ax = plt.subplots(figsize=(8.0, 4.0), dpi=110)
    curves = []
    for c in ev.cases:
        fix = np.isfinite(c.dop.pdop)
        worst = np.where(fix.any(axis=0), np.where(fix, c.dop.pdop, -np.inf).max(axis=0), np.nan)
        curves.append((c.label, worst, ~fix.all(axis=0)))
    finite = np.concatenate([w[np.isfinite(w)] for _, w, _ in curves] + [np.zeros(1)])
    top = min(max(float(finite.max()) * 1.15, ev.config.pdop_limit * 1.25), 4.0 * ev.config.pdop_limit)
    for label, worst, nofix in curves:
        line, = ax.plot(hours, np.minimum(worst, top), label=label, linewidth=1.2)
        if nofix.any():
            ax.plot(hours[nofix], np.full(int(nofix.sum()), top * 0.97), "x", color=line.get_color(), markersize=5)
    ax.axhline(ev.config.pdop_limit, color="#b00020", linestyle="--", linewidth=0.8, label="PDOP limit")
    ax.set_ylim(0.0, top)
    ax.set_xlabel(f"hours from {ev.times_utc[0]}")
    ax.set_ylabel("worst PDOP over the points with a fix")
    ax.set_title("Worst PDOP over the area (x at the top: some point has no fix; clipped at the top)", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=3, loc="upper left")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def _band(signal_key: str) -> str:
    """Band of a signal key."""
    from orbitshare.pnt.jamming import SIGNALS

    return SIGNALS[signal_key].band


def write_evaluation(ev: PntEvaluation, out_dir: str | Path, region: Any = None,
                     title: str = "PNT resilience evaluation", pdf: bool = False) -> list[Path]:
    """Every output file of an evaluation in out_dir; returns their paths (report.html last; report.pdf too)."""
    out = Path(out_dir)
    files = write_tables(ev, out)
    maps = write_maps(ev, out, region)
    files += [p for p, _ in maps]
    summary = ev.summary()
    where = (f"{len(ev.points)} grid points at {ev.points.spacing_km:g} km" if ev.points.kind == "grid"
             else f"{len(ev.points)} sites")
    counts = ", ".join(f"{k}: {v}" for k, v in summary["satellites"].items())
    intro = [f"{where}{' over ' + region.name if region is not None else ''}; {summary['times']} times from "
             f"{summary['start_utc']} to {summary['stop_utc']} every {ev.config.step_min:g} min; elevation mask "
             f"{ev.config.mask_deg:g} deg; availability means PDOP <= {ev.config.pdop_limit:g}.",
             f"Satellites used ({counts}) from the catalog's element sets, propagated with SGP4 and rotated to ITRS. "
             "DOP is the least-squares geometry in the local east-north-up frame with one receiver clock per "
             "system (for GPS + Galileo: the receiver clock and the inter-system bias, five unknowns)."]
    sections = [Section("Summary", intro + [f"Warning: {w}" for w in ev.warnings],
                        [Table("Cases over all points and times", ev.case_rows())],
                        [(p, c) for p, c in maps[:3]])]
    if ev.jamming is not None and ev.scenario is not None:
        jam = summary["jamming"]
        rx = ev.scenario.receiver
        text = [f"Receiver antenna {rx.height_m:g} m above ground, gain toward jammers {rx.gain_toward_jammer_dbi:g} "
                f"dBi, signals {', '.join(rx.signals)}; tracking threshold {rx.tracking_threshold_dbhz:g} dB-Hz; "
                "J/S tolerance " + ", ".join(f"{k} {v:.1f} dB" for k, v in jam["js_tolerance_db"].items()) + ".",
                "Propagation: free space" + (f" within the radio horizon (k = {ev.scenario.propagation.k_factor:.3f})"
                                             if ev.scenario.propagation.horizon else " (no horizon limit)")
                + "; terrain and clutter are not modelled, so the affected area is an upper bound within line "
                  "of sight.",
                f"Lock lost on every system at {jam['points_lock_lost_pct']:.1f} % of the points; per system: "
                + ", ".join(f"{k} {v:.1f} %" for k, v in jam["points_system_lost_pct"].items()) + "."]
        sections.append(Section("Jamming", text, [Table("Jammers", [j.as_dict() for j in ev.scenario.jammers])],
                                [(p, c) for p, c in maps[3:]]))
    sections.append(Section("Satellites", ["Selected satellites and those left out, with reason and source."],
                            [Table("Satellites", ev.satellite_rows())]))
    if pdf:
        files.append(write_pdf_report(out, title, sections))
    files.append(write_html_report(out, title, sections))
    return files
