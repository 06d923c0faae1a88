"""Emergency activation: the fastest acquisition plan over the assets whose owners pre-agreed emergency use.

For each emergency-use asset of the registry (`orbitshare.eo.assets`), the earliest time after the activation
at which it can image the area of interest, from the imaging opportunities of `orbitshare.eo.opportunities`:
the AOI's target point (`orbitshare.eo.aoi`), each asset's field of regard as the off-nadir ceiling (the off-nadir
limit, a SAR's incidence range on its look side, or nadir only when agility is unknown), a Sun floor for optical
sensors, and element sets from a catalog or the asset's notional orbit. An access already under way at the
activation counts from the activation. Assets are ranked by that time; the first gives the expected time to
first image. Tasking, uplink and downlink latencies are not modelled: the time is the earliest geometric and
illumination opportunity.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from orbitshare.astro.access import Site
from orbitshare.astro.time import Epoch, as_utc
from orbitshare.eo.aoi import AoiError, read_aois
from orbitshare.eo.assets import Asset, Registry
from orbitshare.eo.opportunities import find_opportunities

__all__ = ["DEFAULT_HORIZON_H", "ActivationPlan", "PlanEntry", "aoi_of", "fastest_plan"]

DEFAULT_HORIZON_H = 72.0


@dataclass(frozen=True)
class PlanEntry:
    """One emergency asset's earliest access to the AOI after the activation (UTC; seconds from activation)."""

    asset_id: str
    owner: str
    norad_id: int | None
    first_access: datetime
    access_end: datetime
    time_to_first_image_s: float
    in_progress: bool  # the asset could already image the AOI at the activation time
    off_nadir_deg: float  # at the access's best time (least off-nadir)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dict with ISO 8601 UTC times."""
        return {
            "asset_id": self.asset_id,
            "owner": self.owner,
            "norad_id": self.norad_id,
            "first_access": Epoch.from_datetime(self.first_access).iso(),
            "access_end": Epoch.from_datetime(self.access_end).iso(),
            "time_to_first_image_s": round(self.time_to_first_image_s, 1),
            "in_progress": self.in_progress,
            "off_nadir_deg": round(self.off_nadir_deg, 2),
        }


@dataclass(frozen=True)
class ActivationPlan:
    """Ranked earliest accesses of the emergency assets, and why any emergency asset has none."""

    start: datetime
    horizon_end: datetime
    site: Site
    entries: list[PlanEntry]
    unavailable: list[tuple[str, str]]  # (asset id, reason)

    @property
    def time_to_first_image_s(self) -> float | None:
        """Seconds from activation to the first feasible image, None when no asset reaches the AOI."""
        return self.entries[0].time_to_first_image_s if self.entries else None

    @property
    def first_image(self) -> datetime | None:
        """UTC time of the first feasible image."""
        return self.entries[0].first_access if self.entries else None


def aoi_of(aoi: dict[str, Any]) -> Any:
    """The `orbitshare.eo.aoi.Aoi` of a GeoJSON geometry or Feature; ValueError saying what is wrong."""
    try:
        found = read_aois(io.StringIO(json.dumps(aoi)), "aoi")
    except AoiError as exc:
        raise ValueError(str(exc)) from None
    if found.rejects or len(found) != 1:
        raise ValueError(found.rejects[0] if found.rejects else "aoi: one point or polygon is required")
    return found.aois[0]


def fastest_plan(
    assets: Iterable[Asset],
    catalog: Any,
    aoi: dict[str, Any],
    start: datetime | str,
    horizon_h: float = DEFAULT_HORIZON_H,
) -> ActivationPlan:
    """Earliest feasible access of every emergency-use asset to `aoi` (GeoJSON) after `start`, ranked (UTC).

    `catalog` (an `orbitshare.catalog.Catalog`) holds the assets' element sets by NORAD id; assets that cannot
    be computed, or have no access before `start + horizon_h`, are listed as unavailable with the reason.
    """
    if not horizon_h > 0:
        raise ValueError("horizon_h must be positive")
    t0 = as_utc(start)
    t1 = t0 + timedelta(hours=horizon_h)
    target = aoi_of(aoi)
    emergency = Registry(tuple(a for a in assets if a.emergency_use))
    opp = find_opportunities(catalog, emergency, [target], t0, t1, footprints=False)
    c = opp.columns
    best: dict[int, int] = {}
    for i in range(len(opp)):
        if c["stop_s"][i] <= 0.0:
            continue
        k = int(c["asset_index"][i])
        if k not in best or c["start_s"][i] < c["start_s"][best[k]]:
            best[k] = i
    entries = []
    for k, i in best.items():
        a = opp.assets[k].asset
        first_s = max(float(c["start_s"][i]), 0.0)
        entries.append(PlanEntry(a.id, a.owner, a.norad_id, t0 + timedelta(seconds=first_s),
                                 t0 + timedelta(seconds=float(c["stop_s"][i])), first_s, float(c["start_s"][i]) <= 0.0,
                                 float(c["off_nadir_deg"][i])))
    entries.sort(key=lambda e: (e.first_access, e.asset_id))
    planned = {e.asset_id for e in entries}
    unavailable = [(line.split(": ", 1)[0], line.split(": ", 1)[-1]) for line in opp.skipped]
    skipped = {a for a, _ in unavailable}
    for pa in opp.assets:
        if pa.asset.id not in planned and pa.asset.id not in skipped:
            unavailable.append((pa.asset.id, f"no access within {horizon_h:g} h ({pa.basis}, off-nadir <= "
                                              f"{pa.off_nadir_max_deg:.1f} deg)"))
    return ActivationPlan(t0, t1, target.site, entries, unavailable)
