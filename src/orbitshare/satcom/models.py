"""Constellation, payload and terminal models: pydantic schemas, the bundled YAML and user overrides.

Every number is a `Param`: a value with its basis (`published`, `derived` from published figures, or `unknown`:
not public, the value is a stated planning assumption), its source and the date the source was read. The bundled
file `data/satcom/constellations.yaml` describes GovSat-1 (GEO 21.5 E), O3b mPOWER (MEO), a notional LEO
broadband shell and example terminals; a user YAML of the same form replaces or adds constellations and
terminals by name. Satellites are catalog objects (NORAD id, elements read from a catalog), or notional orbits
(GEO longitude, circular MEO/LEO Walker pattern) propagated with the same SGP4 machinery.
"""

from __future__ import annotations

import math
from importlib import resources
from pathlib import Path
from typing import IO, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from orbitshare.constants import BOLTZMANN_DBW_PER_K_HZ, DAY_S, WGS72_MU_KM3S2, WGS84_A_KM
from orbitshare.satcom.docio import read_file, read_yaml_model
from orbitshare.satcom.rf import linear_to_db, wavelength_m

__all__ = [
    "Constellation", "ModelError", "Models", "Param", "Payload", "SatelliteSpec", "Terminal", "WalkerShell",
    "antenna_gain_dbi", "circular_mean_motion_revday", "load_models", "noise_density_dbw_hz", "read_models",
]

Basis = Literal["published", "derived", "unknown"]


class ModelError(ValueError):
    """A model file that cannot be used; the message is one line naming the file and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Param(_Strict):
    """A number with its basis, source and the date the source was read (YYYY-MM-DD)."""

    value: float
    basis: Basis = "unknown"
    source: str = "planning assumption"
    date: str = ""

    @field_validator("value")
    @classmethod
    def _finite(cls, v: float) -> float:
        if not math.isfinite(v):
            raise ValueError("must be a finite number")
        return v


def _p(x: float | Param | dict) -> Param:
    """A Param from a bare number (basis unknown: a user assumption) or a mapping."""
    if isinstance(x, Param):
        return x
    if isinstance(x, dict):
        return Param(**x)
    return Param(value=float(x), basis="unknown", source="user value")


class Payload(_Strict):
    """One band of a satellite payload as a user terminal sees it (per carrier, at beam centre)."""

    band: str
    downlink_ghz: Param
    uplink_ghz: Param
    eirp_dbw: Param                      # satellite EIRP per forward carrier towards the terminal
    g_t_dbk: Param                       # satellite receive G/T towards the terminal
    forward_bandwidth_mhz: Param         # forward carrier occupied bandwidth
    return_bandwidth_mhz: Param          # return carrier occupied bandwidth
    rolloff: Param = Param(value=0.05, basis="published", source="ETSI EN 302 307-2 (DVB-S2X roll-off 0.05)",
                           date="2015-02-01")
    beam_half_power_deg: Param           # half of the 3 dB beamwidth of the beam serving the terminal (sat. view)
    sidelobe_db: Param = Param(value=-25.0, basis="unknown", source="ITU-R S.672-4 Ls = -25 dB assumption")
    coverage_lon_deg: tuple[float, float] = (-180.0, 180.0)
    coverage_lat_deg: tuple[float, float] = (-90.0, 90.0)
    polarisation_tilt_deg: float = 45.0  # 45 = circular (ITU-R P.618 tau)

    @model_validator(mode="before")
    @classmethod
    def _params(cls, data: dict) -> dict:
        if isinstance(data, dict):
            keys = ("downlink_ghz", "uplink_ghz", "eirp_dbw", "g_t_dbk", "forward_bandwidth_mhz",
                    "return_bandwidth_mhz", "rolloff", "beam_half_power_deg", "sidelobe_db")
            data = {k: (_p(v) if k in keys else v) for k, v in data.items()}
        return data


class SatelliteSpec(_Strict):
    """A satellite: a catalog object (norad_id) or a notional GEO slot; catalog elements win when present."""

    name: str
    norad_id: int | None = None
    geo_longitude_deg: float | None = None


class WalkerShell(_Strict):
    """A notional circular Walker delta shell i:t/p/f (planes x per_plane satellites)."""

    altitude_km: float = Field(gt=150.0, lt=40000.0)
    inclination_deg: float = Field(ge=0.0, le=180.0)
    planes: int = Field(ge=1, le=100)
    per_plane: int = Field(ge=1, le=100)
    phasing: int = Field(default=0, ge=0)


class Constellation(_Strict):
    """A SATCOM constellation: orbit class, satellites, payloads by band and the minimum elevation used."""

    name: str
    orbit: Literal["geo", "meo", "leo"]
    operator: str = ""
    status: str = ""
    min_elevation_deg: Param
    satellites: list[SatelliteSpec] = Field(default_factory=list)
    shell: WalkerShell | None = None
    payloads: list[Payload]
    default_terminal: str = ""
    notes: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _params(cls, data: dict) -> dict:
        if isinstance(data, dict) and "min_elevation_deg" in data:
            data = {**data, "min_elevation_deg": _p(data["min_elevation_deg"])}
        return data

    @model_validator(mode="after")
    def _has_sats(self) -> Constellation:
        if not self.satellites and self.shell is None:
            raise ValueError("needs satellites or a shell")
        if not self.payloads:
            raise ValueError("needs at least one payload")
        return self

    def payload(self, band: str | None = None) -> Payload:
        """The payload of a band (case-insensitive), or the first one."""
        if band is None:
            return self.payloads[0]
        for p in self.payloads:
            if p.band.lower() == band.lower():
                return p
        raise ModelError(f"constellation {self.name}: no payload in band {band!r} "
                         f"(has {', '.join(p.band for p in self.payloads)})")


class Terminal(_Strict):
    """A user terminal: parabolic antenna diameter and efficiency, system noise temperature and transmit power."""

    name: str
    band: str
    diameter_m: Param
    efficiency: Param
    system_noise_k: Param
    tx_power_w: Param
    tracking: bool = True               # can follow a moving (MEO/LEO) satellite
    implementation_margin_db: Param = Param(value=1.0, basis="unknown", source="planning assumption")

    @model_validator(mode="before")
    @classmethod
    def _params(cls, data: dict) -> dict:
        if isinstance(data, dict):
            keys = ("diameter_m", "efficiency", "system_noise_k", "tx_power_w", "implementation_margin_db")
            data = {k: (_p(v) if k in keys else v) for k, v in data.items()}
        return data

    def gain_dbi(self, f_ghz: float) -> float:
        """Boresight gain (dBi) at a frequency (GHz): eta (pi D / lambda)^2."""
        return float(antenna_gain_dbi(self.diameter_m.value, self.efficiency.value, f_ghz))

    def g_t_dbk(self, f_ghz: float) -> float:
        """Receive figure of merit G/T (dB/K) at a frequency (GHz)."""
        return self.gain_dbi(f_ghz) - float(linear_to_db(self.system_noise_k.value))

    def eirp_dbw(self, f_ghz: float) -> float:
        """Transmit EIRP (dBW) at a frequency (GHz)."""
        return float(linear_to_db(self.tx_power_w.value)) + self.gain_dbi(f_ghz)


class Models(_Strict):
    """All constellations and terminals, by name, with the citation list."""

    sources: dict[str, str] = Field(default_factory=dict)
    constellations: list[Constellation] = Field(default_factory=list)
    terminals: list[Terminal] = Field(default_factory=list)

    def constellation(self, name: str) -> Constellation:
        """A constellation by name (case-insensitive)."""
        for c in self.constellations:
            if c.name.lower() == name.lower():
                return c
        raise ModelError(f"no constellation {name!r} (have {', '.join(c.name for c in self.constellations)})")

    def terminal(self, name: str) -> Terminal:
        """A terminal by name (case-insensitive)."""
        for t in self.terminals:
            if t.name.lower() == name.lower():
                return t
        raise ModelError(f"no terminal {name!r} (have {', '.join(t.name for t in self.terminals)})")

    def resolve(self, constellation: str, band: str | None = None,
                terminal: str | None = None) -> tuple[Constellation, Payload, Terminal]:
        """Constellation, payload and terminal of a link option: the named terminal, else the constellation's
        default terminal when it serves the payload's band, else the first terminal of that band."""
        con = self.constellation(constellation)
        pay = con.payload(band)
        if terminal:
            return con, pay, self.terminal(terminal)
        candidates = [t for t in self.terminals if t.band.lower() == pay.band.lower()]
        for t in candidates:
            if t.name.lower() == con.default_terminal.lower():
                return con, pay, t
        if candidates:
            return con, pay, candidates[0]
        raise ModelError(f"constellation {con.name}: no terminal for band {pay.band!r}; name one")

    def merged(self, other: Models) -> Models:
        """These models with other's constellations and terminals replacing or adding by name."""
        cons = {c.name.lower(): c for c in self.constellations}
        cons.update({c.name.lower(): c for c in other.constellations})
        terms = {t.name.lower(): t for t in self.terminals}
        terms.update({t.name.lower(): t for t in other.terminals})
        return Models(sources={**self.sources, **other.sources}, constellations=list(cons.values()),
                      terminals=list(terms.values()))


def antenna_gain_dbi(diameter_m: float, efficiency: float, f_ghz: float) -> float:
    """Boresight gain (dBi) of a circular aperture of diameter_m (m) and efficiency at f_ghz (GHz)."""
    lam = float(wavelength_m(f_ghz))
    return float(linear_to_db(efficiency * (math.pi * diameter_m / lam) ** 2))


def read_models(fileobj: IO[str], source: str = "<stream>") -> Models:
    """Models from a YAML stream (keys sources, constellations, terminals)."""
    return read_yaml_model(fileobj, source, Models, ModelError, "sources, constellations and terminals")


def load_models(user_file: str | Path | None = None) -> Models:
    """The bundled models, with a user YAML file's constellations and terminals replacing or adding by name."""
    ref = resources.files("orbitshare.data").joinpath("satcom").joinpath("constellations.yaml")
    with ref.open("r", encoding="utf-8") as fh:
        models = read_models(fh, source="constellations.yaml")
    if user_file is not None:
        models = models.merged(read_file(user_file, read_models, ModelError))
    return models


def circular_mean_motion_revday(altitude_km: float) -> float:
    """SGP4 (WGS-72) mean motion (rev/day) of a circular orbit at altitude_km above the WGS-84 equator."""
    a = WGS84_A_KM + altitude_km
    return DAY_S / (2.0 * math.pi * math.sqrt(a ** 3 / WGS72_MU_KM3S2))


def noise_density_dbw_hz(t_k: float) -> float:
    """Thermal noise density k T (dBW/Hz) of a temperature (K)."""
    return BOLTZMANN_DBW_PER_K_HZ + float(linear_to_db(t_k))

