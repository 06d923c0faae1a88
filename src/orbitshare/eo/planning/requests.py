"""Collection requests of the partners and the satellites that may serve them (planner inputs).

A request: id, requesting partner, area of interest (a point, or a polygon whose representative point is the
aim point), optional window (UTC), priority 1-5, coarsest acceptable GSD (m), sensor (optical, sar or any)
and scene duration (s). A planning satellite: NORAD id, owner, sensor, maximum off-nadir angle, nadir GSD,
slew rate and acceleration, settling time, images per day and minimum Sun elevation (optical).
Requests are read from YAML (`requests:` list); errors name the file, the request and the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from orbitshare.astro.time import as_utc

__all__ = ["PlanningSatellite", "Request", "RequestError", "planning_satellites_from_registry", "read_requests"]


class RequestError(ValueError):
    """A request file that cannot be used (message names file, request and field)."""


class Request(BaseModel):
    """One collection request of a partner."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=64)
    partner: str = Field(pattern=r"^[A-Z][A-Z0-9_-]{1,15}$")
    point: tuple[float, float] | None = Field(default=None, description="(lat_deg, lon_deg)")
    polygon: tuple[tuple[float, float], ...] | None = Field(default=None, description="((lat_deg, lon_deg), ...)")
    start: datetime | None = None
    end: datetime | None = None
    priority: int = Field(default=3, ge=1, le=5)
    max_gsd_m: float | None = Field(default=None, gt=0.0, le=1000.0)
    sensor: Literal["optical", "sar", "any"] = "any"
    duration_s: float = Field(default=10.0, gt=0.0, le=600.0)

    @field_validator("point")
    @classmethod
    def _point_range(cls, value: tuple[float, float] | None) -> tuple[float, float] | None:
        """Latitude in [-90, 90], longitude in [-180, 360]."""
        if value is not None and not (-90 <= value[0] <= 90 and -180 <= value[1] <= 360):
            raise ValueError("point must be (lat_deg in -90..90, lon_deg in -180..360)")
        return value

    @field_validator("start", "end")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        """Aware UTC times (naive means UTC)."""
        return as_utc(value) if value is not None else None

    @model_validator(mode="after")
    def _consistent(self) -> Request:
        """Exactly one AOI; a polygon of at least 3 valid vertices; end after start."""
        if (self.point is None) == (self.polygon is None):
            raise ValueError("aoi: give exactly one of point or polygon")
        if self.polygon is not None:
            from shapely.geometry import Polygon

            if len(self.polygon) < 3 or not Polygon([(lon, lat) for lat, lon in self.polygon]).is_valid:
                raise ValueError("polygon: needs at least 3 (lat, lon) vertices forming a valid polygon")
        if self.start and self.end and self.end <= self.start:
            raise ValueError("end: must be after start")
        return self

    @property
    def aim_deg(self) -> tuple[float, float]:
        """Aim point (lat_deg, lon_deg): the point, or a representative point inside the polygon."""
        if self.point is not None:
            return float(self.point[0]), float(self.point[1])
        from shapely.geometry import Polygon

        assert self.polygon is not None
        p = Polygon([(lon, lat) for lat, lon in self.polygon]).representative_point()
        return float(p.y), float(p.x)

    @property
    def weight(self) -> int:
        """Value of serving the request: 2 ** (priority - 1) (each priority level doubles the value)."""
        return 2 ** (self.priority - 1)

    def geometry(self) -> dict[str, Any]:
        """GeoJSON geometry (lon, lat order) of the area of interest."""
        if self.point is not None:
            return {"type": "Point", "coordinates": [self.point[1], self.point[0]]}
        assert self.polygon is not None
        ring = [[lon, lat] for lat, lon in self.polygon]
        if ring[0] != ring[-1]:
            ring.append(ring[0])
        return {"type": "Polygon", "coordinates": [ring]}


def _flatten(raw: dict[str, Any]) -> dict[str, Any]:
    """The YAML layout (aoi: {point|polygon}, window: {start, end}) as flat fields."""
    out = dict(raw)
    aoi = out.pop("aoi", None)
    if isinstance(aoi, dict):
        for key in ("point", "polygon"):
            if key in aoi:
                out[key] = aoi[key]
        extra = set(aoi) - {"point", "polygon"}
        if extra:
            out[f"aoi.{sorted(extra)[0]}"] = aoi[sorted(extra)[0]]
    elif aoi is not None:
        out["aoi"] = aoi
    window = out.pop("window", None)
    if isinstance(window, dict):
        out.update({k: window[k] for k in ("start", "end") if k in window})
    elif window is not None:
        out["window"] = window
    if "id" in out and not isinstance(out["id"], str):
        out["id"] = str(out["id"])
    return out


def read_requests(fh: IO[str], name: str = "<requests>") -> list[Request]:
    """Requests of a YAML file object (`requests:` list); RequestError naming file, request and field."""
    try:
        doc = yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise RequestError(f"{name}:{where} not valid YAML") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("requests"), list):
        raise RequestError(f"{name}: expected a mapping with a 'requests' list")
    out: list[Request] = []
    seen: set[str] = set()
    for k, raw in enumerate(doc["requests"]):
        label = f"#{k + 1}"
        if not isinstance(raw, dict):
            raise RequestError(f"{name}: request {label}: expected a mapping of fields")
        if "id" in raw:
            label = f"{raw['id']} (#{k + 1})"
        try:
            req = Request.model_validate(_flatten(raw))
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in err["loc"]) or str(err["msg"]).removeprefix("Value error, ").split(":")[0]
            msg = str(err["msg"]).removeprefix("Value error, ")
            raise RequestError(f"{name}: request {label}: field {loc}: {msg}") from None
        if req.id in seen:
            raise RequestError(f"{name}: request {label}: field id: duplicate id {req.id!r}")
        seen.add(req.id)
        out.append(req)
    if not out:
        raise RequestError(f"{name}: no requests")
    return out


@dataclass(frozen=True)
class PlanningSatellite:
    """A satellite as the planner sees it; `assumed` names the figures that are planner defaults, not sourced."""

    norad_id: int
    name: str
    owner: str
    sensor: str
    max_off_nadir_deg: float
    min_off_nadir_deg: float = 0.0
    gsd_nadir_m: float | None = None
    slew_rate_deg_s: float = 1.0
    slew_accel_deg_s2: float = 0.5
    settle_s: float = 10.0
    images_per_day: int | None = None
    min_sun_elevation_deg: float | None = 10.0
    asset_id: str | None = None
    assumed: tuple[str, ...] = field(default=())


#: Planner defaults for figures the registry leaves unknown (null); each use is reported in the plan.
DEFAULT_AGILITY = {"slew_rate_deg_s": 1.0, "slew_accel_deg_s2": 0.5, "settle_s": 10.0}
DEFAULT_MIN_SUN_ELEVATION_DEG = 10.0


def planning_satellites_from_registry(registry, altitude_km_of: dict[int, float]) -> tuple[
        list[PlanningSatellite], list[dict[str, str]]]:
    """Planning satellites of registry assets whose NORAD id is in `altitude_km_of` (mean altitude, km), and a
    list of (asset, reason) for the assets left out (no NORAD id, not in the catalog, no usable field of
    regard, not operational). Unknown agility and Sun limits take the planner defaults, named in `assumed`."""
    out: list[PlanningSatellite] = []
    skipped: list[dict[str, str]] = []
    for a in registry:
        if a.status not in ("operational", "commissioning"):
            skipped.append({"asset": a.id, "reason": f"status {a.status}"})
            continue
        if a.norad_id is None or a.norad_id not in altitude_km_of:
            skipped.append({"asset": a.id, "reason": "no NORAD id" if a.norad_id is None else "not in the catalog"})
            continue
        band = a.field_of_regard(altitude_km_of[a.norad_id])
        if band is None:
            skipped.append({"asset": a.id, "reason": "field of regard unknown (no off-nadir limit, swath or "
                                                     "incidence range in the registry)"})
            continue
        assumed = []
        rate = a.agility.slew_rate_deg_s
        if rate is None:
            rate = DEFAULT_AGILITY["slew_rate_deg_s"]
            assumed.append("slew_rate_deg_s")
        settle = a.agility.settle_s
        if settle is None:
            settle = DEFAULT_AGILITY["settle_s"]
            assumed.append("settle_s")
        assumed.append("slew_accel_deg_s2")
        sun = a.min_sun_elevation_deg
        if a.sensor == "optical" and sun is None:
            sun = DEFAULT_MIN_SUN_ELEVATION_DEG
            assumed.append("min_sun_elevation_deg")
        if band[2].startswith("nadir only"):
            assumed.append("max_off_nadir_deg (nadir only: half swath)")
        out.append(PlanningSatellite(
            a.norad_id, a.name, a.owner, a.sensor, band[1], band[0], a.gsd_nadir_m, rate,
            DEFAULT_AGILITY["slew_accel_deg_s2"], settle, a.images_per_day,
            sun if a.sensor == "optical" else None, a.id, tuple(assumed)))
    return out, skipped
