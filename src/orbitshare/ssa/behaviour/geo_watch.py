"""GEO watch of one object: its station-keeping boxes over its history and its drift alerts, checked against the
current slots of neighbouring GEO objects (ssa.behaviour.geo_boxes), as one JSON-ready report."""

from __future__ import annotations

from orbitshare.ssa.behaviour.geo_boxes import BoxConfig, StationBox, history_alerts, station_boxes
from orbitshare.ssa.behaviour.manoeuvres import History

__all__ = ["current_slots", "geo_watch"]


def current_slots(neighbours: list[History], config: BoxConfig | None = None) -> list[StationBox]:
    """The current (latest) station-keeping box of each neighbour history; none for one that never keeps station."""
    return [box for history in neighbours for box in station_boxes(history, config)[-1:]]


def geo_watch(history: History, neighbours: list[History] | None = None, config: BoxConfig | None = None) -> dict:
    """{"boxes": the object's boxes (dicts, ISO UTC start and end), "drift_alerts": its drift alerts against its own
    boxes and the neighbours' current slots}."""
    boxes, alerts = history_alerts(history, current_slots(neighbours or [], config), config)
    return {"boxes": [box.as_dict() for box in boxes], "drift_alerts": alerts}
