"""SDA alerts: every finding (manoeuvre, proximity, fragmentation, overflight) as a shareable record with
severity, evidence and the element sets it came from; stored as JSON lines, exported as JSON or CSV."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

from orbitshare.astro.time import Epoch

__all__ = ["KINDS", "SEVERITIES", "Alert", "fragmentation_alert", "manoeuvre_alert", "overflight_alert",
           "proximity_alert"]

SEVERITIES = ("info", "low", "medium", "high", "critical")
KINDS = ("manoeuvre", "proximity", "fragmentation", "overflight")


@dataclass
class Alert:
    """One finding ready to share: kind, severity, subject object(s), time window, summary and evidence."""

    kind: str
    severity: str
    norad_ids: list[int]
    window_start: str  # ISO 8601 UTC
    window_end: str
    summary: str
    evidence: dict = field(default_factory=dict)
    element_sets: list[dict] = field(default_factory=list)  # {norad_id, epoch, element_set_no, source}
    created: str = field(default_factory=lambda: Epoch.now().iso(unit="s"))
    alert_id: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"alert kind {self.kind!r} not one of {', '.join(KINDS)}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"alert severity {self.severity!r} not one of {', '.join(SEVERITIES)}")
        if not self.alert_id:
            key = json.dumps([self.kind, self.norad_ids, self.window_start, self.window_end], sort_keys=True)
            self.alert_id = hashlib.sha256(key.encode()).hexdigest()[:16]

    def as_dict(self) -> dict:
        """Plain dict (JSON-serialisable)."""
        return asdict(self)


def manoeuvre_alert(m, source: str = "", own_assets: set[int] | None = None) -> Alert:
    """Alert of a detected manoeuvre: severity from delta-v and confidence (foreign objects rank higher)."""
    dv = m.dv_mps
    sev = "high" if dv > 1.0 else "medium" if dv > 0.1 else "low"
    if m.confidence < 0.6:
        sev = "low" if sev != "high" else "medium"
    if own_assets and m.norad_id in own_assets:
        sev = "info"
    d = m.as_dict()
    ev = m.evidence
    nos = ev.get("element_set_no", (0, 0))
    sets = [{"norad_id": m.norad_id, "epoch": ev.get("epoch_before"), "element_set_no": nos[0], "source": source},
            {"norad_id": m.norad_id, "epoch": ev.get("epoch_after"), "element_set_no": nos[1], "source": source}]
    return Alert("manoeuvre", sev, [m.norad_id], d["window_start"], d["window_end"],
                 f"{m.kind} manoeuvre ({m.direction}), about {dv * 1000:.1f} mm/s, confidence {m.confidence:.2f}",
                 d, sets)


def fragmentation_alert(c, source: str = "") -> Alert:
    """Alert of a fragment cloud: critical above 100 fragments, high above 10."""
    n = len(c.members)
    sev = "critical" if n > 100 else "high" if n > 10 else "medium"
    d = c.as_dict()
    when = c.event_utc or c.evidence.get("epoch_first", "")
    return Alert("fragmentation", sev, [c.parent_id] if c.parent_id is not None else [], when,
                 c.evidence.get("epoch_last", when),
                 f"{n} new objects in one orbit plane ({c.intl_prefix}), parent {c.parent_name or 'unknown'}"
                 + (f", event about {c.event_utc}" if c.event_utc else ""),
                 {k: v for k, v in d.items() if k != "members"} | {"evidence": c.evidence},
                 [{"norad_id": int(x), "source": source} for x in c.members[:2000]])


def overflight_alert(o) -> Alert:
    """Alert of a watched satellite able to observe a site: high for optical/SAR, medium for signals."""
    d = o.as_dict()
    sev = "high" if o.sensor in ("optical", "sar") else "medium"
    return Alert("overflight", sev, [o.norad_id], d["start"], d["stop"],
                 f"{o.name or o.norad_id} ({o.sensor}) can observe {o.site}, "
                 f"max elevation {o.max_elevation_deg:.1f} deg",
                 d)


def proximity_alert(row: dict) -> Alert:
    """Alert of an object within the watch distance of a protected asset (row of a proximity result)."""
    miss = float(row["miss_km"])
    sev = "critical" if miss < 1.0 else "high" if miss < 5.0 else "medium"
    if row.get("trend") == "departing":
        sev = "low" if sev == "medium" else "medium"
    return Alert("proximity", sev, [int(row["asset_id"]), int(row["object_id"])], row["tca"], row["tca"],
                 f"{row['object_id']} within {miss:.2f} km of asset {row['asset_id']} ({row.get('trend', '?')})",
                 row)
