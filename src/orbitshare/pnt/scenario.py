"""Jamming scenarios from YAML (or parsed dicts): jammers, the receiver model and the propagation model.

    receiver: {height_m: 2, gain_toward_jammer_dbi: -5, signals: [GPS-L1CA, GAL-E1],
               tracking_threshold_dbhz: 28, implementation_loss_db: 2, js_tolerance_db: null}
    propagation: {horizon: true, k_factor: 1.3333}
    jammers:
      - {name: J1, lat_deg: 46.05, lon_deg: 14.5, height_m: 10, eirp_dbw: 10, band: L1, bandwidth_mhz: 20,
         waveform: noise}

Every field except the jammers' position, EIRP and band/frequency has a default (ReceiverModel,
PropagationModel); an unknown field is refused so that a misspelt parameter never silently keeps its default.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import IO, Any

from orbitshare.pnt.jamming import BANDS, JAMMER_Q, SIGNALS, Jammer, PropagationModel, ReceiverModel
from orbitshare.satcom.docio import read_file

__all__ = ["JammingScenario", "ScenarioError", "bundled_scenario_path", "load_scenario", "parse_scenario",
           "scenario_from_dict"]


class ScenarioError(ValueError):
    """A scenario that cannot be used; the message is one line naming the file and field."""


@dataclass
class JammingScenario:
    """Jammers with the receiver and propagation models they are evaluated with."""

    jammers: list[Jammer] = field(default_factory=list)
    receiver: ReceiverModel = field(default_factory=ReceiverModel)
    propagation: PropagationModel = field(default_factory=PropagationModel)
    source: str = ""


def _number(obj: dict, key: str, where: str, lo: float = -math.inf, hi: float = math.inf,
            default: float | None = None) -> float:
    """A finite number in [lo, hi] from obj[key] (or the default), else ScenarioError naming the field."""
    if key not in obj or obj[key] is None:
        if default is None:
            raise ScenarioError(f"{where}: missing field '{key}'")
        return default
    v = obj[key]
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or not lo <= v <= hi:
        raise ScenarioError(f"{where}.{key}: must be a number in [{lo:g}, {hi:g}], got {v!r}")
    return float(v)


def _check_keys(obj: dict, allowed: set[str], where: str) -> None:
    """Refuse unknown fields."""
    extra = sorted(set(obj) - allowed)
    if extra:
        raise ScenarioError(f"{where}: unknown field '{extra[0]}' (known: {', '.join(sorted(allowed))})")


def _jammer(obj: Any, where: str) -> Jammer:
    """One jammer from a mapping."""
    if not isinstance(obj, dict):
        raise ScenarioError(f"{where}: expected a mapping")
    _check_keys(obj, {"name", "lat_deg", "lon_deg", "height_m", "eirp_dbw", "band", "f_mhz", "bandwidth_mhz",
                      "waveform"}, where)
    if ("band" in obj) == ("f_mhz" in obj):
        raise ScenarioError(f"{where}: give exactly one of 'band' ({', '.join(BANDS)}) or 'f_mhz'")
    if "band" in obj:
        band = str(obj["band"]).upper()
        if band not in BANDS:
            raise ScenarioError(f"{where}.band: unknown band {obj['band']!r} (known: {', '.join(BANDS)})")
        f_mhz = BANDS[band]
    else:
        f_mhz = _number(obj, "f_mhz", where, 1.0, 1e5)
    waveform = str(obj.get("waveform", "noise")).lower()
    if waveform not in JAMMER_Q:
        raise ScenarioError(f"{where}.waveform: must be one of {', '.join(JAMMER_Q)}, got {obj['waveform']!r}")
    return Jammer(name=str(obj.get("name") or where.rsplit(" ", 1)[-1]),
                  lat_deg=_number(obj, "lat_deg", where, -90.0, 90.0),
                  lon_deg=_number(obj, "lon_deg", where, -180.0, 180.0),
                  height_m=_number(obj, "height_m", where, 0.0, 30000.0, 2.0),
                  eirp_dbw=_number(obj, "eirp_dbw", where, -100.0, 100.0),
                  f_mhz=f_mhz,
                  bandwidth_mhz=_number(obj, "bandwidth_mhz", where, 0.0, 1000.0, 0.0 if waveform == "cw" else 2.0),
                  waveform=waveform)


def _receiver(obj: Any, where: str) -> ReceiverModel:
    """Receiver model from a mapping (defaults for absent fields)."""
    if obj is None:
        return ReceiverModel()
    if not isinstance(obj, dict):
        raise ScenarioError(f"{where}: expected a mapping")
    names = {f.name for f in fields(ReceiverModel)}
    _check_keys(obj, names, where)
    d = ReceiverModel()
    signals = obj.get("signals", list(d.signals))
    if not isinstance(signals, list) or not signals or not all(isinstance(s, str) for s in signals):
        raise ScenarioError(f"{where}.signals: must be a non-empty list of {', '.join(SIGNALS)}")
    bad = [s for s in signals if s not in SIGNALS]
    if bad:
        raise ScenarioError(f"{where}.signals: unknown signal {bad[0]!r} (known: {', '.join(SIGNALS)})")
    tol = obj.get("js_tolerance_db")
    return ReceiverModel(
        height_m=_number(obj, "height_m", where, 0.0, 30000.0, d.height_m),
        gain_toward_jammer_dbi=_number(obj, "gain_toward_jammer_dbi", where, -60.0, 20.0, d.gain_toward_jammer_dbi),
        polarisation_loss_db=_number(obj, "polarisation_loss_db", where, 0.0, 60.0, d.polarisation_loss_db),
        signals=tuple(signals),
        tracking_threshold_dbhz=_number(obj, "tracking_threshold_dbhz", where, 0.0, 60.0,
                                        d.tracking_threshold_dbhz),
        noise_temperature_k=_number(obj, "noise_temperature_k", where, 1.0, 1e5, d.noise_temperature_k),
        satellite_gain_dbi=_number(obj, "satellite_gain_dbi", where, -30.0, 20.0, d.satellite_gain_dbi),
        implementation_loss_db=_number(obj, "implementation_loss_db", where, 0.0, 30.0, d.implementation_loss_db),
        js_tolerance_db=None if tol is None else _number(obj, "js_tolerance_db", where, -50.0, 120.0))


def _propagation(obj: Any, where: str) -> PropagationModel:
    """Propagation model from a mapping."""
    if obj is None:
        return PropagationModel()
    if not isinstance(obj, dict):
        raise ScenarioError(f"{where}: expected a mapping")
    _check_keys(obj, {"horizon", "k_factor"}, where)
    horizon = obj.get("horizon", True)
    if not isinstance(horizon, bool):
        raise ScenarioError(f"{where}.horizon: must be true or false")
    return PropagationModel(horizon, _number(obj, "k_factor", where, 0.5, 10.0, 4.0 / 3.0))


def scenario_from_dict(doc: Any, source: str = "<scenario>") -> JammingScenario:
    """A scenario from a parsed mapping (YAML document or JSON request body)."""
    if not isinstance(doc, dict):
        raise ScenarioError(f"{source}: expected a mapping with 'jammers'")
    _check_keys(doc, {"jammers", "receiver", "propagation", "description"}, source)
    items = doc.get("jammers") or []
    if not isinstance(items, list):
        raise ScenarioError(f"{source}: 'jammers' must be a list")
    jammers = [_jammer(item, f"{source}: jammers[{i}]") for i, item in enumerate(items)]
    names = [j.name for j in jammers]
    if len(set(names)) != len(names):
        raise ScenarioError(f"{source}: jammer names must be unique")
    return JammingScenario(jammers, _receiver(doc.get("receiver"), f"{source}: receiver"),
                           _propagation(doc.get("propagation"), f"{source}: propagation"), source)


def parse_scenario(fileobj: IO[str], source: str = "<stream>") -> JammingScenario:
    """A scenario from a YAML text stream."""
    import yaml

    try:
        doc = yaml.safe_load(fileobj)
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{source}: not valid YAML ({str(exc).splitlines()[0]})") from None
    return scenario_from_dict(doc, source)


def bundled_scenario_path() -> Path:
    """Path of the bundled sample scenario (hypothetical jammers over Slovenia)."""
    return Path(str(resources.files("orbitshare.data").joinpath("pnt").joinpath("jammers_slovenia.yaml")))


def load_scenario(path: str | Path) -> JammingScenario:
    """A scenario from a YAML file."""
    return read_file(path, parse_scenario, ScenarioError)
