"""`orbitshare cdm pc`: collision probability of CCSDS Conjunction Data Messages (see docs/pc.md)."""

from __future__ import annotations

import typer

from orbitshare.cli.support import console, input_files, non_negative, positive, step

__all__ = ["cdm_pc_cmd", "register"]

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
    """Pc of each CDM by every method (the help text, CDM_PC_HELP, explains the columns)."""
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
        console().print(table)


def register(app: typer.Typer) -> None:
    """Add the `cdm` group to the root app."""
    group = typer.Typer(no_args_is_help=True, help="CCSDS Conjunction Data Messages.")
    group.command("pc", help=CDM_PC_HELP)(cdm_pc_cmd)
    app.add_typer(group, name="cdm")
