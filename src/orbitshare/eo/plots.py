"""PNG plots of persistence (matplotlib, Agg backend): revisit timeline per AOI and polygon coverage maps."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from orbitshare.eo.persistence import CoverageGrid, Persistence

__all__ = ["coverage_map_png", "revisit_timeline_png"]


def _pyplot():
    """matplotlib.pyplot on the non-interactive Agg backend."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def revisit_timeline_png(p: Persistence, path: str | Path) -> Path:
    """One row per AOI, a tick per access at its time (hours after the window start), coloured by owner."""
    plt = _pyplot()
    aois = list(p.access_hours)
    owners = sorted({o for acc in p.access_hours.values() for _, _, o in acc})
    colours = {o: plt.get_cmap("tab10")(k % 10) for k, o in enumerate(owners)}
    span_h = (p.stop - p.start).total_seconds() / 3600.0
    fig, ax = plt.subplots(figsize=(10, 1.0 + 0.45 * len(aois)))
    for row, aoi in enumerate(aois):
        for owner in owners:
            hours = [h for h, _, o in p.access_hours[aoi] if o == owner]
            ax.vlines(hours, row - 0.35, row + 0.35, colors=[colours[owner]], linewidth=1.5,
                      label=owner if row == 0 or not any(o == owner for r in aois[:row]
                                                         for _, _, o in p.access_hours[r]) else None)
    ax.set_yticks(range(len(aois)), aois)
    ax.set_xlim(0.0, span_h)
    ax.set_ylim(-0.6, len(aois) - 0.4)
    ax.set_xlabel(f"hours after {p.start.strftime('%Y-%m-%d %H:%M')} UTC")
    ax.set_title("Imaging accesses per AOI (" + ", ".join(p.constellation[:6])
                 + (" ..." if len(p.constellation) > 6 else "") + ")")
    if owners:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", title="owner")
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def coverage_map_png(aoi_id: str, grid: CoverageGrid, path: str | Path) -> Path:
    """Map of a polygon's grid cells (km east/north of its centre) coloured by hours to the first look."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 5.5))
    seen = np.isfinite(grid.first_seen_h)
    size = max(4.0, 2.0e4 / max(len(grid.x_km), 1))
    if (~seen).any():
        ax.scatter(grid.x_km[~seen], grid.y_km[~seen], s=size, marker="s", c="lightgrey", label="never seen")
    if seen.any():
        sc = ax.scatter(grid.x_km[seen], grid.y_km[seen], s=size, marker="s", c=grid.first_seen_h[seen],
                        cmap="viridis")
        fig.colorbar(sc, ax=ax, label="hours to first look")
    ax.set_aspect("equal")
    ax.set_xlabel("km east")
    ax.set_ylabel("km north")
    ax.set_title(f"{aoi_id}: {100 * grid.fraction_seen():.0f} % of {len(grid.x_km)} cells of "
                 f"{grid.cell_km:.1f} km seen")
    if (~seen).any():
        ax.legend(loc="lower right", fontsize="small")
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out
