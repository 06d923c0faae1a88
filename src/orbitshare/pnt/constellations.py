"""GNSS constellations (GPS, Galileo) selected from an element-set catalog by name, shell and exclusion list.

The selection is a small YAML document (the bundled `orbitshare/data/pnt/constellations.yaml` or a user's):
per system a name pattern (regular expression on the catalog name), the nominal semi-major axis and number of
orbital planes; a shell tolerance; and a list of excluded satellites, each with reason and public source. A
satellite whose SGP4 mean semi-major axis is more than the tolerance off its system's shell is left out with
the offset as reason (disposal, reserve or transfer orbits). Every satellite left out is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import IO, Any

import numpy as np

from orbitshare.catalog import Catalog
from orbitshare.satcom.docio import read_file

__all__ = [
    "SYSTEMS", "Constellation", "ConstellationError", "ConstellationSpec", "Excluded", "SystemSpec",
    "bundled_spec", "element_age_days", "load_spec", "parse_spec", "plane_labels", "select_constellation",
]

#: Systems this package knows, in the order of the clock columns of the combined solution.
SYSTEMS = ("GPS", "GAL")


class ConstellationError(ValueError):
    """A constellation file or selection that cannot be used; the message names the file and field."""


@dataclass(frozen=True)
class SystemSpec:
    """One GNSS: catalog-name pattern, nominal semi-major axis (km), planes and usual operational count."""

    system: str
    name_pattern: str
    nominal_sma_km: float
    planes: int
    operational_typical: int | None = None


@dataclass(frozen=True)
class Excluded:
    """A satellite left out of the evaluation: catalog name (or NORAD id), reason and source."""

    name: str
    reason: str
    source: str = ""
    norad_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """Row for tables and JSON."""
        return {"norad_id": self.norad_id, "name": self.name, "reason": self.reason, "source": self.source}


@dataclass(frozen=True)
class ConstellationSpec:
    """The systems to select, the shell tolerance (km) and the listed exclusions."""

    systems: tuple[SystemSpec, ...]
    shell_tolerance_km: float
    exclude: tuple[Excluded, ...]
    source: str


@dataclass
class Constellation:
    """Selected satellites: catalog (one row each), system of each row, exclusions and warnings."""

    catalog: Catalog
    system: np.ndarray
    excluded: list[Excluded] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    spec: ConstellationSpec | None = None

    def __len__(self) -> int:
        return len(self.catalog)

    def systems_present(self) -> list[str]:
        """Systems with at least one satellite, in SYSTEMS order."""
        return [s for s in SYSTEMS if np.any(self.system == s)]

    def counts(self) -> dict[str, int]:
        """Number of satellites per system."""
        return {s: int(np.sum(self.system == s)) for s in SYSTEMS}

    def take(self, mask: np.ndarray) -> Constellation:
        """The satellites selected by a boolean mask or index (exclusions and warnings kept)."""
        return Constellation(self.catalog.take(mask), self.system[mask], list(self.excluded), list(self.warnings),
                             self.spec)


def _field(obj: dict, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    """obj[key] checked for type, or ConstellationError naming the field."""
    if key not in obj:
        raise ConstellationError(f"{where}: missing field '{key}'")
    value = obj[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ConstellationError(f"{where}: field '{key}' has the wrong type ({type(value).__name__})")
    return value


def parse_spec(fileobj: IO[str], source: str = "<stream>") -> ConstellationSpec:
    """Constellation selection from a YAML text stream (see the bundled constellations.yaml)."""
    import yaml

    try:
        doc = yaml.safe_load(fileobj)
    except yaml.YAMLError as exc:
        raise ConstellationError(f"{source}: not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(doc, dict):
        raise ConstellationError(f"{source}: expected a mapping with 'systems'")
    systems_doc = _field(doc, "systems", dict, source)
    systems = []
    for key, body in systems_doc.items():
        where = f"{source}: systems.{key}"
        if key not in SYSTEMS:
            raise ConstellationError(f"{where}: unknown system (known: {', '.join(SYSTEMS)})")
        if not isinstance(body, dict):
            raise ConstellationError(f"{where}: expected a mapping")
        pattern = _field(body, "name_pattern", str, where)
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ConstellationError(f"{where}.name_pattern: bad regular expression ({exc})") from None
        sma = float(_field(body, "nominal_sma_km", (int, float), where))
        planes = int(_field(body, "planes", int, where))
        if not (6378.0 < sma < 100000.0) or planes < 1:
            raise ConstellationError(f"{where}: nominal_sma_km or planes out of range")
        typical = body.get("operational_typical")
        if typical is not None and (not isinstance(typical, int) or typical < 1):
            raise ConstellationError(f"{where}.operational_typical: must be a positive integer")
        systems.append(SystemSpec(str(key), pattern, sma, planes, typical))
    if not systems:
        raise ConstellationError(f"{source}: 'systems' is empty")
    tol = float(doc.get("shell_tolerance_km", 100.0)) if isinstance(doc.get("shell_tolerance_km", 100.0),
                                                                     int | float) else -1.0
    if not tol > 0.0:
        raise ConstellationError(f"{source}: shell_tolerance_km must be a positive number")
    excluded = []
    for i, item in enumerate(doc.get("exclude") or []):
        where = f"{source}: exclude[{i}]"
        if not isinstance(item, dict):
            raise ConstellationError(f"{where}: expected a mapping with name or norad_id, reason, source")
        name, norad = item.get("name"), item.get("norad_id")
        if name is None and norad is None:
            raise ConstellationError(f"{where}: give 'name' or 'norad_id'")
        if norad is not None and (not isinstance(norad, int) or norad < 1):
            raise ConstellationError(f"{where}.norad_id: must be a positive integer")
        reason = _field(item, "reason", str, where)
        excluded.append(Excluded(str(name or ""), reason, str(item.get("source", "")), norad))
    order = {s: i for i, s in enumerate(SYSTEMS)}
    return ConstellationSpec(tuple(sorted(systems, key=lambda s: order[s.system])), tol, tuple(excluded), source)


def bundled_spec() -> ConstellationSpec:
    """The bundled GPS + Galileo selection (orbitshare/data/pnt/constellations.yaml)."""
    ref = resources.files("orbitshare.data").joinpath("pnt").joinpath("constellations.yaml")
    with ref.open("r", encoding="utf-8") as fh:
        return parse_spec(fh, "constellations.yaml")


def load_spec(path: str | Path | None) -> ConstellationSpec:
    """The selection in a YAML file, or the bundled one when path is None."""
    if path is None:
        return bundled_spec()
    return read_file(path, parse_spec, ConstellationError)


def _base_name(name: str) -> str:
    """Catalog name without the parenthesised alias: 'GSAT0201 (GALILEO 5)' -> 'GSAT0201'."""
    return name.split("(")[0].strip().upper()


def select_constellation(catalog: Catalog, spec: ConstellationSpec | None = None, systems: tuple[str, ...] = SYSTEMS,
                         exclude_ids: tuple[int, ...] = (), exclude_reason: str = "excluded by the user"
                         ) -> Constellation:
    """The GNSS satellites of a catalog per the selection, leaving out listed, off-shell and user-excluded ones."""
    spec = spec or bundled_spec()
    names = np.array([str(n) for n in catalog.name], dtype=object)
    norad = catalog.norad_id
    keep = np.zeros(len(catalog), dtype=bool)
    system = np.full(len(catalog), "", dtype=object)
    out: list[Excluded] = []
    warnings: list[str] = []
    by_name = {e.name.upper(): e for e in spec.exclude if e.name}
    by_id = {e.norad_id: e for e in spec.exclude if e.norad_id is not None}
    user = set(int(i) for i in exclude_ids)
    unknown = sorted(user - set(norad.tolist()))
    if unknown:
        raise ConstellationError(f"--exclude: NORAD ids not in the catalog: {unknown[:10]}")
    for s in spec.systems:
        if s.system not in systems:
            continue
        rx = re.compile(s.name_pattern)
        match = np.array([bool(rx.search(n)) for n in names], dtype=bool)
        for i in np.flatnonzero(match):
            nid, nm = int(norad[i]), str(names[i])
            listed = by_id.get(nid) or by_name.get(_base_name(nm))
            off_km = float(catalog.sma_km[i] - s.nominal_sma_km)
            if listed is not None:
                out.append(Excluded(nm, listed.reason, listed.source, nid))
            elif nid in user:
                out.append(Excluded(nm, exclude_reason, "", nid))
            elif not abs(off_km) <= spec.shell_tolerance_km:
                out.append(Excluded(nm, f"semi-major axis {off_km:+.0f} km off the nominal {s.system} shell "
                                        "(disposal, reserve or transfer orbit)", "element set", nid))
            else:
                keep[i] = True
                system[i] = s.system
        n_sel = int(np.sum(keep & (system == s.system)))
        if n_sel == 0:
            warnings.append(f"{s.system}: no satellite in the catalog matches '{s.name_pattern}' in the shell")
        elif s.operational_typical is not None and n_sel > s.operational_typical:
            warnings.append(f"{s.system}: {n_sel} satellites selected, the operational constellation usually has "
                            f"{s.operational_typical}; spares set unhealthy are not visible in element sets, "
                            "list them with --exclude from the day's notices (NANU/NAGU)")
    return Constellation(catalog.take(keep), system[keep].astype(str), out, warnings, spec)


def element_age_days(catalog: Catalog, jd: float, fr: float) -> np.ndarray:
    """Age (days) of each element set at a UTC time (two-part JD): evaluation time minus epoch."""
    return (jd - catalog.columns["epoch_jd"]) + (fr - catalog.columns["epoch_fr"])


def plane_labels(raan_deg: np.ndarray, planes: int) -> np.ndarray:
    """Orbital-plane index 0..planes-1 of satellites from their right ascension of the node (deg).

    The planes are equally spaced (360/planes deg); the grid offset is the one that puts the nodes closest to
    plane centres (circular mean of the nodes folded by the spacing), and planes are numbered from the lowest
    centre node in [0, 360).
    """
    raan = np.asarray(raan_deg, dtype=np.float64) % 360.0
    spacing = 360.0 / planes
    folded = np.radians(raan * planes)
    offset = (np.degrees(np.arctan2(np.sin(folded).mean(), np.cos(folded).mean())) / planes) % spacing
    return (np.round((raan - offset) / spacing).astype(int)) % planes
