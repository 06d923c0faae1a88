"""The columnar Catalog: one numpy array per element-set field plus derived orbit metadata."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from orbitshare.astro.time import format_utc, jd_to_datetime64
from orbitshare.catalog.records import COLUMNS, Reject
from orbitshare.constants import MIN_PER_DAY, WGS72_J2, WGS72_RE_KM, WGS72_XKE

__all__ = ["REGIMES", "Catalog", "classify_regime", "sgp4_semi_major_axis_km"]

RE_WGS72_KM = WGS72_RE_KM
_XKE = WGS72_XKE
_J2 = WGS72_J2
REGIMES = ("LEO", "MEO", "GEO", "HEO")


def sgp4_semi_major_axis_km(n_revday, ecc, incl_deg):
    """SGP4 (un-Kozai'd, Brouwer) mean semi-major axis in km from TLE mean motion, as SGP4's initl does."""
    no = np.asarray(n_revday, dtype=np.float64) * (2.0 * np.pi / MIN_PER_DAY)
    with np.errstate(divide="ignore", invalid="ignore"):
        cosio = np.cos(np.radians(incl_deg))
        betao = np.sqrt(1.0 - np.asarray(ecc) ** 2)
        ak = (_XKE / no) ** (2.0 / 3.0)
        d1 = 0.75 * _J2 * (3.0 * cosio * cosio - 1.0) / (betao * betao * betao)
        delta = d1 / (ak * ak)
        adel = ak * (1.0 - delta * delta - delta * (1.0 / 3.0 + 134.0 * delta * delta / 81.0))
        delta = d1 / (adel * adel)
        no_unkozai = no / (1.0 + delta)
        return (no_unkozai / _XKE) ** (-2.0 / 3.0) * RE_WGS72_KM


def classify_regime(n_revday, ecc) -> np.ndarray:
    """Orbit regime per object, after Space-Track's definitions.

    HEO: e >= 0.25; LEO: period < 128 min (n > 11.25 rev/day); GEO: geosynchronous band 0.9-1.1 rev/day
    (drifting and inclined objects included); MEO: everything else.
    """
    n, e = np.asarray(n_revday), np.asarray(ecc)
    regime = np.full(n.shape, "MEO", dtype=object)
    regime[(n >= 0.9) & (n <= 1.1)] = "GEO"
    regime[n > 11.25] = "LEO"
    regime[e >= 0.25] = "HEO"
    return regime


class Catalog:
    """Element sets of many objects as numpy columns (see records.COLUMNS), one row per object."""

    def __init__(self, columns: dict[str, np.ndarray]):
        missing = [c for c in COLUMNS if c not in columns]
        if missing:
            raise ValueError(f"catalog columns missing: {', '.join(missing)}")
        n = {len(columns[c]) for c in COLUMNS}
        if len(n) > 1:
            raise ValueError(f"catalog columns differ in length: {sorted(n)}")
        self.columns = {c: np.asarray(columns[c], dtype=COLUMNS[c]) for c in COLUMNS}
        self._derive()

    def _derive(self) -> None:
        """Compute semi-major axis, perigee/apogee altitude (km), period (min) and regime."""
        c = self.columns
        sma = sgp4_semi_major_axis_km(c["mean_motion_revday"], c["ecc"], c["incl_deg"])
        self.sma_km = sma
        self.perigee_km = sma * (1.0 - c["ecc"]) - RE_WGS72_KM
        self.apogee_km = sma * (1.0 + c["ecc"]) - RE_WGS72_KM
        with np.errstate(divide="ignore"):
            self.period_min = MIN_PER_DAY / c["mean_motion_revday"]
        self.regime = classify_regime(c["mean_motion_revday"], c["ecc"])

    @classmethod
    def empty(cls) -> Catalog:
        """A catalog with no objects."""
        return cls({c: np.empty(0, dtype=t) for c, t in COLUMNS.items()})

    @classmethod
    def from_records(cls, records: Sequence[dict]) -> Catalog:
        """Catalog from element-set dicts (as the parsers yield them)."""
        if not records:
            return cls.empty()
        return cls({c: np.array([r[c] for r in records], dtype=t) for c, t in COLUMNS.items()})

    def __len__(self) -> int:
        return len(self.columns["norad_id"])

    def __getitem__(self, column: str) -> np.ndarray:
        return self.columns[column]

    def __repr__(self) -> str:
        return f"Catalog({len(self)} objects)"

    @property
    def norad_id(self) -> np.ndarray:
        """NORAD catalog numbers (int64)."""
        return self.columns["norad_id"]

    @property
    def name(self) -> np.ndarray:
        """Object names."""
        return self.columns["name"]

    @property
    def epoch(self) -> np.ndarray:
        """Element-set epochs as numpy datetime64[us] (UTC)."""
        return jd_to_datetime64(self.columns["epoch_jd"], self.columns["epoch_fr"])

    def epoch_iso(self) -> np.ndarray:
        """Element-set epochs as ISO 8601 UTC strings."""
        return format_utc(self.columns["epoch_jd"], self.columns["epoch_fr"])

    def take(self, index) -> Catalog:
        """Catalog of the rows selected by an integer index or boolean mask."""
        return Catalog({c: v[index] for c, v in self.columns.items()})

    def select(self, ids: Iterable[int] | None = None, regime: str | Iterable[str] | None = None,
               object_type: str | Iterable[str] | None = None, name_contains: str | None = None) -> Catalog:
        """Objects matching every given criterion (NORAD ids, regimes, object types, name substring)."""
        mask = np.ones(len(self), dtype=bool)
        if ids is not None:
            mask &= np.isin(self.norad_id, np.fromiter(ids, dtype=np.int64))
        if regime is not None:
            mask &= np.isin(self.regime, [regime] if isinstance(regime, str) else list(regime))
        if object_type is not None:
            types = [object_type] if isinstance(object_type, str) else list(object_type)
            mask &= np.isin(self.columns["object_type"], [t.upper() for t in types])
        if name_contains:
            needle = name_contains.upper()
            mask &= np.array([needle in str(n).upper() for n in self.name], dtype=bool)
        return self.take(mask)

    def index_of(self, ids: Iterable[int]) -> np.ndarray:
        """Row index of each NORAD id (KeyError naming the ids that are not in the catalog)."""
        ids = np.fromiter(ids, dtype=np.int64)
        order = np.argsort(self.norad_id, kind="stable")
        sorted_ids = self.norad_id[order]
        pos = np.clip(np.searchsorted(sorted_ids, ids), 0, max(len(self) - 1, 0))
        found = sorted_ids[pos] == ids if len(self) else np.zeros(len(ids), dtype=bool)
        if not np.all(found):
            raise KeyError(f"NORAD ids not in catalog: {ids[~found].tolist()}")
        return order[pos]

    def deduplicate(self, source: str = "catalog") -> tuple[Catalog, list[Reject]]:
        """One row per NORAD id, the newest epoch winning; the replaced rows are reported."""
        if len(self) == 0:
            return self, []
        t = self.columns["epoch_jd"] + self.columns["epoch_fr"]
        # newest first within each id, stable so that the later-read row wins ties
        order = np.lexsort((-np.arange(len(self)), -t, self.norad_id))
        ids = self.norad_id[order]
        first = np.ones(len(ids), dtype=bool)
        first[1:] = ids[1:] != ids[:-1]
        keep, dropped = order[first], order[~first]
        iso = self.epoch_iso()
        reports = []
        for i in dropped:
            winner = keep[np.searchsorted(self.norad_id[keep], self.norad_id[i])]
            reports.append(Reject(source, f"row {i}", "NORAD_CAT_ID",
                                  f"duplicate; epoch {iso[i]} replaced by newer epoch {iso[winner]}",
                                  int(self.norad_id[i])))
        return self.take(np.sort(keep)), reports

    def merge(self, *others: Catalog) -> tuple[Catalog, list[Reject]]:
        """Union of catalogs, one row per NORAD id with the newest epoch; replaced rows are reported."""
        allcats = (self, *others)
        merged = Catalog({c: np.concatenate([k.columns[c] for k in allcats]) for c in COLUMNS})
        return merged.deduplicate("merge")

    def to_parquet(self, path: str | Path) -> None:
        """Write the catalog columns to a Parquet file."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.table({c: (v.astype(str) if COLUMNS[c] == "object" else v) for c, v in self.columns.items()})
        pq.write_table(table, str(path), compression="zstd")

    @classmethod
    def from_parquet(cls, path: str | Path) -> Catalog:
        """Read a catalog written by to_parquet."""
        import pyarrow.parquet as pq

        table = pq.read_table(str(path))
        return cls({c: table.column(c).to_numpy(zero_copy_only=False) for c in COLUMNS})

    def summary(self) -> dict:
        """Counts by regime and object type, and the epoch span (ISO UTC)."""
        out = {
            "objects": len(self),
            "by_regime": {r: int(np.sum(self.regime == r)) for r in REGIMES},
            "by_type": {t: int(np.sum(self.columns["object_type"] == t))
                        for t in ("PAYLOAD", "ROCKET BODY", "DEBRIS", "UNKNOWN")},
        }
        if len(self):
            t = self.columns["epoch_jd"] + self.columns["epoch_fr"]
            iso = self.epoch_iso()
            out["epoch_min"] = str(iso[np.argmin(t)])
            out["epoch_max"] = str(iso[np.argmax(t)])
            out["epoch_median"] = str(format_utc(np.median(t), 0.0))
        return out
