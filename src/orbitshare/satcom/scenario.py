"""Resilience scenarios (YAML): time span, rain-fade exceedance, jammers, lost satellites, options and PACE target.

A scenario names what is evaluated (options: constellation, band and terminal) and what goes wrong (jammers on
the uplink or downlink, satellites lost by name or NORAD id). Everything has a default, so an empty scenario is
the baseline: the bundled GEO and MEO options over 24 h at 1-minute steps, margins at p = 0.1 % of the year.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import IO, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from orbitshare.astro.time import as_utc
from orbitshare.satcom.docio import read_file, read_yaml_model

__all__ = ["Jammer", "LinkOption", "Scenario", "ScenarioError", "load_scenario", "read_scenario"]


class ScenarioError(ValueError):
    """A scenario file that cannot be used; the message is one line naming the file and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Jammer(_Strict):
    """A ground (or airborne) jammer: where, how strong, which band, and which link it attacks."""

    name: str
    target: Literal["uplink", "downlink"]
    lat_deg: float = Field(ge=-90.0, le=90.0)
    lon_deg: float = Field(ge=-180.0, le=180.0)
    height_m: float = Field(default=10.0, ge=0.0, le=20000.0)
    eirp_dbw: float = Field(ge=-50.0, le=120.0)
    f_ghz: float = Field(gt=0.1, lt=100.0)
    bandwidth_mhz: float = Field(gt=0.0, le=5000.0)


class LinkOption(_Strict):
    """One way to connect: a constellation, its payload band and a terminal (defaults from the models)."""

    constellation: str
    band: str | None = None
    terminal: str | None = None


DEFAULT_OPTIONS = (LinkOption(constellation="govsat-1", band="ka-mil", terminal="ka-mil-1.0m"),
                   LinkOption(constellation="govsat-1", band="x", terminal="x-manpack-0.6m"),
                   LinkOption(constellation="o3b-mpower", band="ka", terminal="ka-1.0m"))


class Scenario(_Strict):
    """What to evaluate and which threats apply."""

    name: str = "baseline"
    description: str = ""
    start: datetime = datetime(2026, 3, 10)
    hours: float = Field(default=24.0, gt=0.0, le=24.0 * 31)
    step_s: float = Field(default=60.0, ge=1.0, le=3600.0)
    exceedance_pct: float = Field(default=0.1, ge=0.001, le=5.0)
    availability_target_pct: float = Field(default=99.5, ge=50.0, le=100.0)
    hysteresis_deg: float = Field(default=2.0, ge=0.0, le=30.0)
    options: list[LinkOption] = Field(default_factory=lambda: list(DEFAULT_OPTIONS))
    lost_satellites: list[str | int] = Field(default_factory=list)
    jammers: list[Jammer] = Field(default_factory=list)

    @field_validator("start", mode="before")
    @classmethod
    def _utc(cls, v: object) -> datetime:
        try:
            return as_utc(v)  # type: ignore[arg-type]
        except (TypeError, ValueError) as exc:
            raise ValueError(f"not an ISO 8601 UTC time ({exc})") from None

    def is_lost(self, name: str, norad_id: int) -> bool:
        """Whether a satellite (by name, case-insensitive, or NORAD id) is lost in this scenario."""
        for x in self.lost_satellites:
            if isinstance(x, int) and norad_id and x == norad_id:
                return True
            if isinstance(x, str) and x.strip().lower() == name.strip().lower():
                return True
        return False


def read_scenario(fileobj: IO[str], source: str = "<stream>") -> Scenario:
    """Scenario from a YAML stream (an empty document is the baseline)."""
    return read_yaml_model(fileobj, source, Scenario, ScenarioError, "scenario fields", empty_ok=True)


def load_scenario(path: str | Path) -> Scenario:
    """Scenario from a YAML file."""
    return read_file(path, read_scenario, ScenarioError)
