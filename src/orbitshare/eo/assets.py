"""Registry of Earth-observation assets: the satellites a partner can bring to the virtual constellation.

The registry is a YAML file shipped in the package (`orbitshare/data/eo/assets.yaml`) and validated with pydantic;
a user's file adds assets or replaces them by id. Every figure is either backed by a public source named in the
asset's `sources` or null (unknown): nothing is filled in by guess. Errors name the file, the asset and the field.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import IO, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from orbitshare.constants import WGS84_A_KM
from orbitshare.eo.sensor import off_nadir_from_incidence_deg

__all__ = [
    "FIGURES", "Agility", "Asset", "AssetError", "NotionalElements", "Registry", "Source", "as_row",
    "default_assets_text", "load_registry", "read_assets",
]

#: Figures of an asset that must each be backed by a source when given (not null).
FIGURES = ("norad_id", "notional_elements", "gsd_nadir_m", "swath_km", "max_off_nadir_deg", "incidence_min_deg",
           "incidence_max_deg", "look_side", "min_sun_elevation_deg", "images_per_day", "sar_frequency_band",
           "sar_instrument_mode", "sar_polarizations")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_OWNER = re.compile(r"^[A-Z][A-Z0-9_-]{1,15}$")


class AssetError(ValueError):
    """A registry file that cannot be used: the message names the file, the asset and the field."""


class Source(BaseModel):
    """A public source of one or more figures (comma-separated names) and its date (ISO 8601)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    figure: str
    source: str = Field(min_length=3)
    date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")

    def figures(self) -> tuple[str, ...]:
        """The figure names this source backs."""
        return tuple(f.strip() for f in self.figure.split(",") if f.strip())


class Agility(BaseModel):
    """Slew rate (deg/s) and settling time (s) of the platform; null where not public."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    slew_rate_deg_s: float | None = Field(default=None, gt=0.0)
    settle_s: float | None = Field(default=None, ge=0.0)


class NotionalElements(BaseModel):
    """Circular sun-synchronous or inclined orbit of a planned satellite: altitude (km), inclination (deg),
    local time of the ascending node (hours, for sun-synchronous orbits; null otherwise), eccentricity."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    altitude_km: float = Field(gt=150.0, lt=50_000.0)
    inclination_deg: float = Field(ge=0.0, le=180.0)
    ltan_h: float | None = Field(default=None, ge=0.0, lt=24.0)
    eccentricity: float = Field(default=0.0, ge=0.0, lt=0.9)


class Asset(BaseModel):
    """One imaging satellite with its sensor figures (SI-prefixed units in the names; null: unknown)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    name: str = Field(min_length=1)
    owner: str
    owner_kind: Literal["government", "institutional", "commercial"]
    operator: str = Field(min_length=1)
    status: Literal["operational", "commissioning", "planned", "decayed", "failed"]
    norad_id: int | None = Field(default=None, gt=0, lt=1_000_000)
    notional_elements: NotionalElements | None = None
    sensor: Literal["optical", "sar"]
    gsd_nadir_m: float | None = Field(default=None, gt=0.0, le=1000.0)
    swath_km: float | None = Field(default=None, gt=0.0, le=3000.0)
    max_off_nadir_deg: float | None = Field(default=None, gt=0.0, lt=90.0)
    incidence_min_deg: float | None = Field(default=None, ge=0.0, lt=90.0)
    incidence_max_deg: float | None = Field(default=None, gt=0.0, lt=90.0)
    look_side: Literal["left", "right", "both"] | None = None
    sar_frequency_band: Literal["P", "L", "S", "C", "X", "Ku", "K", "Ka"] | None = None
    sar_instrument_mode: str | None = Field(default=None, min_length=1, max_length=32)
    sar_polarizations: tuple[Literal["HH", "VV", "HV", "VH"], ...] | None = Field(default=None, min_length=1,
                                                                                   max_length=4)
    min_sun_elevation_deg: float | None = Field(default=None, ge=-18.0, le=90.0)
    images_per_day: int | None = Field(default=None, gt=0)
    agility: Agility = Agility()
    emergency_use: bool = False
    sharing: str = Field(min_length=1)
    sources: tuple[Source, ...] = ()
    notes: str | None = None

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        """Ids are lower-case slugs (letters, digits, hyphens)."""
        if not _SLUG.match(value):
            raise ValueError(f"{value!r} is not a slug (lower-case letters, digits and hyphens)")
        return value

    @field_validator("owner")
    @classmethod
    def _owner_code(cls, value: str) -> str:
        """Owner codes are upper-case partner or company codes (LUX, SVN, EU, AIRBUS)."""
        if not _OWNER.match(value):
            raise ValueError(f"{value!r} is not an owner code (upper-case, 2-16 characters, e.g. LUX)")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Asset:
        """Cross-field rules: orbit given, SAR geometry complete, every figure given has a source."""
        if self.norad_id is None and self.notional_elements is None:
            raise ValueError("norad_id: give a NORAD id or notional_elements for a planned satellite")
        if self.sensor == "sar":
            if self.incidence_min_deg is None or self.incidence_max_deg is None or self.look_side is None:
                raise ValueError("incidence_min_deg: a SAR asset needs incidence_min_deg, incidence_max_deg "
                                 "and look_side")
            if self.incidence_min_deg >= self.incidence_max_deg:
                raise ValueError(f"incidence_min_deg: {self.incidence_min_deg} is not below incidence_max_deg "
                                 f"{self.incidence_max_deg}")
        elif any(getattr(self, f) is not None for f in ("incidence_min_deg", "incidence_max_deg", "look_side",
                                                         "sar_frequency_band", "sar_instrument_mode",
                                                         "sar_polarizations")):
            raise ValueError("incidence_min_deg: incidence, look side and sar_* figures apply to SAR assets only")
        backed = {f for s in self.sources for f in s.figures()}
        for figure in FIGURES:
            if getattr(self, figure) is not None and figure not in backed:
                raise ValueError(f"{figure}: given without a source (add it to sources, or set it to null)")
        return self

    # --- derived geometry ------------------------------------------------------------------------------------

    def unknown_figures(self) -> list[str]:
        """Names of the sensor figures that no public source gives (null)."""
        names = ["gsd_nadir_m", "swath_km", "max_off_nadir_deg", "images_per_day"]
        if self.sensor == "optical":
            names.append("min_sun_elevation_deg")
        return [n for n in names if getattr(self, n) is None]

    def half_swath_off_nadir_deg(self, altitude_km: float) -> float | None:
        """Off-nadir angle (deg) of the swath edge when looking at nadir from altitude_km (spherical Earth)."""
        if self.swath_km is None:
            return None
        lam = 0.5 * self.swath_km / WGS84_A_KM  # Earth central angle of the half swath (rad)
        r = WGS84_A_KM + altitude_km
        return math.degrees(math.atan2(WGS84_A_KM * math.sin(lam), r - WGS84_A_KM * math.cos(lam)))

    def field_of_regard(self, altitude_km: float) -> tuple[float, float, str] | None:
        """Usable off-nadir band (min, max deg) and its basis at altitude_km, or None when nothing is known.

        Optical: [0, max_off_nadir_deg], or nadir-only [0, half-swath angle] when the field of regard is
        unknown; SAR: the incidence range turned into off-nadir angles (spherical Earth)."""
        if self.sensor == "sar":
            assert self.incidence_min_deg is not None and self.incidence_max_deg is not None
            return (float(off_nadir_from_incidence_deg(self.incidence_min_deg, altitude_km)),
                    float(off_nadir_from_incidence_deg(self.incidence_max_deg, altitude_km)), "incidence range")
        if self.max_off_nadir_deg is not None:
            return 0.0, self.max_off_nadir_deg, "field of regard"
        half = self.half_swath_off_nadir_deg(altitude_km)
        if half is not None:
            return 0.0, half, "nadir only (field of regard unknown)"
        return None


@dataclass(frozen=True)
class Registry:
    """Assets by id, in file order, with lookups by id, owner and sensor."""

    assets: tuple[Asset, ...]
    files: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.assets)

    def __iter__(self) -> Iterator[Asset]:
        return iter(self.assets)

    def __contains__(self, asset_id: object) -> bool:
        return any(a.id == asset_id for a in self.assets)

    @property
    def ids(self) -> list[str]:
        """Asset ids in order."""
        return [a.id for a in self.assets]

    @property
    def owners(self) -> list[str]:
        """Owner codes in order of first appearance."""
        return list(dict.fromkeys(a.owner for a in self.assets))

    def get(self, asset_id: str) -> Asset:
        """The asset with this id; KeyError naming the known ids when absent."""
        for a in self.assets:
            if a.id == asset_id:
                return a
        raise KeyError(f"no asset {asset_id!r} (known: {', '.join(self.ids)})")

    def by_owner(self, *owners: str) -> list[Asset]:
        """Assets of any of these owner codes (case-insensitive)."""
        wanted = {o.upper() for o in owners}
        return [a for a in self.assets if a.owner in wanted]

    def by_sensor(self, sensor: str) -> list[Asset]:
        """Assets with this sensor kind ("optical" or "sar")."""
        return [a for a in self.assets if a.sensor == sensor.lower()]

    def by_norad(self, norad_id: int) -> Asset | None:
        """The asset with this NORAD id, if any."""
        return next((a for a in self.assets if a.norad_id == norad_id), None)

    def select(self, spec: str | Iterable[str] | None) -> Registry:
        """Subset from "all", owner codes and/or asset ids ("LUX,SVN", "sentinel-2a,ICEYE"); ValueError naming
        each token that is neither an owner nor an id."""
        if spec is None:
            return self
        tokens = [t.strip() for t in (spec.split(",") if isinstance(spec, str) else spec) if t.strip()]
        if not tokens or any(t.lower() == "all" for t in tokens):
            return self
        owners = set(self.owners)
        chosen: dict[str, Asset] = {}
        bad = []
        for t in tokens:
            if t.upper() in owners:
                chosen.update({a.id: a for a in self.by_owner(t)})
            elif t.lower() in self:
                chosen[t.lower()] = self.get(t.lower())
            else:
                bad.append(t)
        if bad:
            raise ValueError(f"{', '.join(repr(b) for b in bad)}: neither an owner ({', '.join(sorted(owners))}) "
                             "nor an asset id")
        return Registry(tuple(a for a in self.assets if a.id in chosen), self.files)

    def merged(self, other: Registry) -> Registry:
        """This registry with other's assets added, replacing assets of the same id."""
        theirs = {a.id: a for a in other.assets}
        out = [theirs.pop(a.id, a) for a in self.assets]
        return Registry(tuple(out) + tuple(a for a in other.assets if a.id in theirs), self.files + other.files)


def _error_line(name: str, asset_id: str, exc: ValidationError) -> str:
    """One line naming the file, the asset and the first failing field."""
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"])
    msg = str(err["msg"]).removeprefix("Value error, ")
    if not loc and ":" in msg.split(" ")[0]:  # model-level rule: its message starts with the field name
        loc, msg = msg.split(":", 1)[0], msg.split(":", 1)[1].strip()
    return f"{name}: asset {asset_id}: field {loc or '?'}: {msg}"


def read_assets(fh: IO[str], name: str = "<assets>") -> Registry:
    """Parse and validate a registry YAML from a text file object; AssetError naming file, asset and field."""
    try:
        doc = yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise AssetError(f"{name}:{where} not valid YAML ({getattr(exc, 'problem', None) or exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("assets"), list):
        raise AssetError(f"{name}: expected a mapping with an 'assets' list")
    if doc.get("schema_version", 1) != 1:
        raise AssetError(f"{name}: schema_version {doc.get('schema_version')!r} is not supported (use 1)")
    assets: list[Asset] = []
    seen: set[str] = set()
    for k, raw in enumerate(doc["assets"]):
        label = f"#{k + 1}"
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            label = f"{raw['id']} (#{k + 1})"
        if not isinstance(raw, dict):
            raise AssetError(f"{name}: asset {label}: expected a mapping of fields")
        try:
            asset = Asset.model_validate(raw)
        except ValidationError as exc:
            raise AssetError(_error_line(name, label, exc)) from None
        if asset.id in seen:
            raise AssetError(f"{name}: asset {label}: field id: duplicate id {asset.id!r}")
        seen.add(asset.id)
        assets.append(asset)
    return Registry(tuple(assets), (name,))


def default_assets_text() -> str:
    """Text of the packaged registry YAML."""
    return resources.files("orbitshare.data").joinpath("eo/assets.yaml").read_text(encoding="utf-8")


def load_registry(file: str | Path | None = None, replace: bool = False) -> Registry:
    """The packaged registry, extended (or, with replace, replaced) by a user's YAML file; AssetError on bad input."""
    import io

    base = read_assets(io.StringIO(default_assets_text()), "orbitshare/data/eo/assets.yaml")
    if file is None:
        return base
    path = Path(file)
    try:
        with open(path, encoding="utf-8") as fh:
            user = read_assets(fh, str(path))
    except OSError as exc:
        raise AssetError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise AssetError(f"{path}: not UTF-8 text") from None
    return user if replace else base.merged(user)


def as_row(asset: Asset) -> dict[str, Any]:
    """Flat dict of an asset for tables and CSV (unknown figures stay None)."""
    return {
        "id": asset.id, "name": asset.name, "owner": asset.owner, "status": asset.status,
        "norad_id": asset.norad_id, "sensor": asset.sensor, "gsd_nadir_m": asset.gsd_nadir_m,
        "swath_km": asset.swath_km, "max_off_nadir_deg": asset.max_off_nadir_deg,
        "incidence_deg": (f"{asset.incidence_min_deg:g}-{asset.incidence_max_deg:g}"
                          if asset.incidence_min_deg is not None and asset.incidence_max_deg is not None else None),
        "look_side": asset.look_side, "images_per_day": asset.images_per_day,
        "emergency_use": asset.emergency_use, "unknown": ", ".join(asset.unknown_figures()) or None,
    }

