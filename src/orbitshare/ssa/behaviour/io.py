"""File I/O of the behaviour analyses: element-set histories, sites (GeoJSON), overflight configurations (YAML)
and alert files (.json, .jsonl, .csv) with an append-only JSON-lines alert store."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any, TextIO

from orbitshare.astro.access import Site
from orbitshare.ssa.behaviour.alerts import Alert
from orbitshare.ssa.behaviour.manoeuvres import History, history_from_records
from orbitshare.ssa.behaviour.overflight import SENSOR_KINDS, SiteArea, WatchedSatellite

__all__ = ["AlertStore", "load_overflight_config", "read_alerts", "read_history", "read_sites_geojson",
           "write_alerts"]


def read_history(path: str | Path, norad_id: int | None = None) -> History:
    """Every element set in a TLE/OMM file (no deduplication), one object, sorted and cleaned."""
    from orbitshare.catalog.reader import open_text, parse_text_records

    with open_text(path) as fh:
        items = list(parse_text_records(fh, str(path)))
    return history_from_records(items, str(path), norad_id)


def read_sites_geojson(fh: TextIO, source: str = "GeoJSON") -> list[Site]:
    """Sites of the Point features of a GeoJSON FeatureCollection (coordinates [lon, lat, alt_m?]; name from
    properties.name); ValueError naming the file and feature on anything else."""
    try:
        doc = json.load(fh)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{source}: not JSON ({exc})") from None
    features = doc.get("features") if isinstance(doc, dict) and doc.get("type") == "FeatureCollection" else None
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        features = [doc]
    if not features:
        raise ValueError(f"{source}: expected a GeoJSON FeatureCollection with Point features")
    sites = []
    for k, f in enumerate(features):
        geom = (f or {}).get("geometry") or {}
        props = (f or {}).get("properties") or {}
        name = str(props.get("name") or f"site {k + 1}")
        coords = geom.get("coordinates")
        if geom.get("type") != "Point" or not isinstance(coords, list) or len(coords) not in (2, 3):
            raise ValueError(f"{source}: feature {k + 1} ({name}) is not a Point with [lon, lat(, alt_m)]")
        try:
            lon, lat = float(coords[0]), float(coords[1])
            alt_m = float(coords[2]) if len(coords) == 3 else 0.0
            sites.append(Site(lat, lon, alt_m / 1000.0, name))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{source}: feature {k + 1} ({name}): {exc}") from None
    return sites


def load_overflight_config(path: str | Path, catalog=None) -> tuple[list[SiteArea], list[WatchedSatellite]]:
    """Sites and watched satellites from a YAML file (see docs/sda.md); name patterns need the catalog."""
    import yaml

    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"{path}: cannot read overflight configuration ({exc})") from None
    if not isinstance(doc, dict) or "sites" not in doc or "satellites" not in doc:
        raise ValueError(f"{path}: expected a mapping with 'sites' and 'satellites' lists")
    sites = [_site_from(path, i, s) for i, s in enumerate(doc["sites"] or [])]
    watched: list[WatchedSatellite] = []
    for i, s in enumerate(doc["satellites"] or []):
        watched += _watched_from(path, i, s, catalog)
    return sites, watched


def _site_from(path: Path, i: int, s: dict) -> SiteArea:
    """One site entry of a configuration file (clear error naming the file, entry and field)."""
    if not isinstance(s, dict) or "name" not in s:
        raise ValueError(f"{path}: sites[{i}]: each site needs a 'name'")
    try:
        if "polygon" in s:
            return SiteArea.from_polygon(str(s["name"]), s["polygon"], float(s.get("h_km", 0.0)))
        return SiteArea.point(str(s["name"]), float(s["lat"]), float(s["lon"]), float(s.get("h_km", 0.0)))
    except KeyError as exc:
        raise ValueError(f"{path}: sites[{i}] ({s['name']}): missing field {exc}") from None
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{path}: sites[{i}] ({s['name']}): {exc}") from None


def _watched_from(path: Path, i: int, s: dict, catalog) -> list[WatchedSatellite]:
    """Watched satellites of one entry: a NORAD id, or every catalog object whose name contains a text."""
    if not isinstance(s, dict):
        raise ValueError(f"{path}: satellites[{i}]: expected a mapping")
    limits = {k: s.get(k) for k in ("min_elevation_deg", "max_off_nadir_deg", "min_sun_elevation_deg")}
    sensor, owner = str(s.get("sensor", "optical")), str(s.get("owner", ""))
    if sensor not in SENSOR_KINDS:
        raise ValueError(f"{path}: satellites[{i}]: sensor {sensor!r} not one of {', '.join(SENSOR_KINDS)}")
    if "norad_id" in s:
        try:
            ids = [int(s["norad_id"])]
        except (TypeError, ValueError):
            msg = f"{path}: satellites[{i}]: norad_id {s['norad_id']!r} is not an integer"
            raise ValueError(msg) from None
    elif "name_contains" in s:
        if catalog is None:
            raise ValueError(f"{path}: satellites[{i}]: name_contains needs a catalog")
        ids = catalog.select(name_contains=str(s["name_contains"])).norad_id.tolist()
    else:
        raise ValueError(f"{path}: satellites[{i}]: needs 'norad_id' or 'name_contains'")
    return [WatchedSatellite(int(n), sensor, owner=owner, **limits) for n in ids]


def write_alerts(alerts: list[Alert], path: str | Path) -> Path:
    """Write alerts to .json (list), .jsonl (one per line) or .csv (flat; evidence as JSON text)."""
    path = Path(path)
    rows = [a.as_dict() for a in alerts]
    if path.suffix == ".csv":
        cols = ["alert_id", "kind", "severity", "norad_ids", "window_start", "window_end", "summary", "created",
                "evidence", "element_sets"]
        with open(path, "w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=cols)
            w.writeheader()
            for r in rows:
                w.writerow({c: json.dumps(r[c]) if isinstance(r[c], (dict, list)) else r[c] for c in cols})
    elif path.suffix == ".jsonl":
        path.write_text("".join(json.dumps(r, default=str) + "\n" for r in rows))
    else:
        path.write_text(json.dumps(rows, indent=2, default=str))
    return path


def read_alerts(path: str | Path) -> list[Alert]:
    """Alerts from a file written by write_alerts (.json, .jsonl or .csv)."""
    path = Path(path)
    text = path.read_text()
    rows: list[dict[str, Any]]
    try:
        if path.suffix == ".csv":
            rows = list(csv.DictReader(text.splitlines()))
            for r in rows:
                for c in ("norad_ids", "evidence", "element_sets"):
                    r[c] = json.loads(r[c])
        elif path.suffix == ".jsonl":
            rows = [json.loads(ln) for ln in text.splitlines() if ln.strip()]
        else:
            rows = json.loads(text)
        if not isinstance(rows, list):
            raise TypeError("expected a list of alerts")
        return [Alert(**r) for r in rows]
    except (ValueError, TypeError, KeyError) as exc:
        raise ValueError(f"{path}: not an alert file ({exc})") from None


class AlertStore:
    """Append-only JSON-lines store of alerts (deduplicated by alert_id)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def add(self, alerts: list[Alert]) -> int:
        """Append alerts not yet stored; returns how many were new."""
        known = {a.alert_id for a in self.all()}
        new = [a for a in alerts if a.alert_id not in known]
        with open(self.path, "a") as fh:
            for a in new:
                fh.write(json.dumps(a.as_dict(), default=str) + "\n")
        return len(new)

    def all(self) -> list[Alert]:
        """Every stored alert."""
        return read_alerts(self.path) if self.path.exists() and self.path.stat().st_size else []
