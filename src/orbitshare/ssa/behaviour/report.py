"""Plot of one object's element-set history with its detected manoeuvres and reported burns (PNG, Agg)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from orbitshare.astro.time import jd_to_datetime64
from orbitshare.catalog import Catalog
from orbitshare.ssa.behaviour.manoeuvres import History, Manoeuvre

__all__ = ["gabbard_png", "plot_manoeuvres"]


def plot_manoeuvres(history: History, detections: list[Manoeuvre], path: str | Path,
                    truth_jd: np.ndarray | None = None, title: str = "") -> Path:
    """Write a PNG of semi-major axis (km), inclination (deg) and eccentricity against UTC, with each detection's
    burn time (line) and window (shaded) and the reported burn times (dashed) if given. Returns the path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cat = history.catalog
    t = history.t_jd

    def dates(jd):
        jd = np.atleast_1d(np.asarray(jd, dtype=np.float64))
        return jd_to_datetime64(np.floor(jd), jd - np.floor(jd))

    x = dates(t)
    series = [(cat.sma_km, "semi-major axis (km)"), (cat["incl_deg"], "inclination (deg)"),
              (cat["ecc"], "eccentricity")]
    fig, axes = plt.subplots(len(series), 1, sharex=True, figsize=(12, 8), constrained_layout=True)
    for ax, (y, label) in zip(axes, series, strict=True):
        ax.plot(x, y, ".", ms=2, color="0.3")
        ax.set_ylabel(label)
        for m in detections:
            w0, w1 = dates([m.window_start_jd, m.window_end_jd])
            ax.axvspan(w0, w1, color="tab:orange", alpha=0.12, lw=0)
            if np.isfinite(m.time_jd):
                ax.axvline(dates(m.time_jd)[0], color="tab:red", lw=0.8)
        if truth_jd is not None and len(truth_jd):
            for tt in dates(truth_jd):
                ax.axvline(tt, color="tab:blue", lw=0.8, ls="--")
    axes[0].set_title(title or f"NORAD {int(cat.norad_id[0])}: {len(detections)} detections (red: burn time, "
                      "shaded: window)" + ("; blue dashed: reported burns" if truth_jd is not None else ""))
    axes[-1].set_xlabel("UTC")
    path = Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def gabbard_png(cat: Catalog, path: str | Path, title: str = "Gabbard diagram",
                highlight: np.ndarray | None = None) -> Path:
    """Write a Gabbard diagram (apogee and perigee altitude vs period) of a catalog to a PNG file."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    fig, ax = plt.subplots(figsize=(8, 5), dpi=110)
    ax.scatter(cat.period_min, cat.apogee_km, s=4, c="tab:red", label="apogee")
    ax.scatter(cat.period_min, cat.perigee_km, s=4, c="tab:blue", label="perigee")
    if highlight is not None and len(highlight):
        sel = cat.take(np.isin(cat.norad_id, highlight))
        ax.scatter(sel.period_min, sel.apogee_km, s=40, marker="x", c="k", label="parent")
        ax.scatter(sel.period_min, sel.perigee_km, s=40, marker="x", c="k")
    ax.set_xlabel("period (min)")
    ax.set_ylabel("altitude (km)")
    ax.set_title(f"{title} ({len(cat)} objects)")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
