"""DVB-S2/S2X MODCOD thresholds and adaptive coding and modulation (ACM) selection.

The bundled table `data/satcom/dvbs2x_modcods.csv` holds, per MODCOD, the ideal Es/N0 (dB) at PER 1e-5 on an
AWGN channel with normal frames and the spectral efficiency (information bits per symbol) from ETSI EN 302 307-1
Table 13 (DVB-S2) and EN 302 307-2 Table 20a (DVB-S2X). ACM picks, for each Es/N0, the most efficient MODCOD
whose threshold plus an implementation margin is met; below the most robust threshold the link is out.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources
from typing import IO

import numpy as np
import numpy.typing as npt

__all__ = ["ModcodTable", "load_modcods", "read_modcods"]


@dataclass(frozen=True)
class ModcodTable:
    """MODCODs sorted by threshold, keeping only those that raise efficiency (the ACM ladder)."""

    names: np.ndarray
    esn0_db: np.ndarray
    efficiency_bps_hz: np.ndarray
    source: str

    def __len__(self) -> int:
        return int(self.names.size)

    @property
    def min_esn0_db(self) -> float:
        """Es/N0 (dB) of the most robust MODCOD: below it (plus margin) the link is out."""
        return float(self.esn0_db[0])

    def select(self, esn0_db: npt.ArrayLike, margin_db: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
        """Index of the best usable MODCOD (-1 when none) and its efficiency (bit/symbol, 0 when none)."""
        x = np.asarray(esn0_db, dtype=np.float64) - margin_db
        idx = np.searchsorted(self.esn0_db, x, side="right") - 1
        idx = np.where(np.isnan(x), -1, idx)
        eff = np.where(idx >= 0, self.efficiency_bps_hz[np.clip(idx, 0, None)], 0.0)
        return idx, eff

    def margin_db(self, esn0_db: npt.ArrayLike, margin_db: float = 0.0) -> np.ndarray:
        """Margin (dB) of Es/N0 over the most robust MODCOD threshold plus the implementation margin."""
        return np.asarray(esn0_db, dtype=np.float64) - margin_db - self.esn0_db[0]


def read_modcods(fileobj: IO[str], source: str = "<stream>",
                 standards: tuple[str, ...] = ("S2", "S2X")) -> ModcodTable:
    """MODCOD ladder from a CSV stream (name, standard, spectral_efficiency_bps_hz, esn0_ideal_db; '#' comments)."""
    lines = [ln for ln in fileobj if not ln.lstrip().startswith("#") and ln.strip()]
    rows = list(csv.DictReader(lines))
    sel = [r for r in rows if r.get("standard", "S2") in standards]
    if not sel:
        raise ValueError(f"{source}: no MODCOD rows for standards {', '.join(standards)}")
    try:
        esn0 = np.array([float(r["esn0_ideal_db"]) for r in sel])
        eff = np.array([float(r["spectral_efficiency_bps_hz"]) for r in sel])
    except (KeyError, ValueError) as exc:
        raise ValueError(f"{source}: bad MODCOD row ({exc})") from None
    names = np.array([r["name"] for r in sel])
    order = np.lexsort((-eff, esn0))
    esn0, eff, names = esn0[order], eff[order], names[order]
    keep = np.zeros(esn0.size, dtype=bool)
    best = -np.inf
    for i in range(esn0.size):  # Pareto ladder: a MODCOD that needs more Es/N0 must give more bits
        if eff[i] > best:
            keep[i] = True
            best = eff[i]
    return ModcodTable(names[keep], esn0[keep], eff[keep], source)


def load_modcods(standards: tuple[str, ...] = ("S2", "S2X")) -> ModcodTable:
    """The bundled DVB-S2/S2X ladder (ETSI EN 302 307-1 Table 13, EN 302 307-2 Table 20a)."""
    ref = resources.files("orbitshare.data").joinpath("satcom").joinpath("dvbs2x_modcods.csv")
    with ref.open("r", encoding="utf-8") as fh:
        return read_modcods(fh, source="dvbs2x_modcods.csv (ETSI EN 302 307-1/-2)", standards=standards)
