"""Demo data: two partners with focal points, an analyst each, a few labelled products and grants."""

from __future__ import annotations

import json
from typing import Any

from orbitshare.service import Hub, Principal
from orbitshare.store.keys import write_private

__all__ = ["ISS_TLE", "PEOPLE", "PURPOSE", "label", "seed"]

PURPOSE = "space-domain-awareness"
ISS_TLE = (
    "ISS (ZARYA)\n"
    "1 25544U 98067A   08264.51782528 -.00002182  00000-0 -11606-4 0  2927\n"
    "2 25544  51.6416 247.4627 0006703 130.5360 325.0288 15.72125391563537\n"
)
PEOPLE = [
    ("SVN", "Slovenia MoD focal point", "focal_point"),
    ("SVN", "Slovenia MoD analyst", "analyst"),
    ("LUX", "Luxembourg DoD focal point", "focal_point"),
    ("LUX", "Luxembourg DoD analyst", "analyst"),
]


def label(*rel_to: str, classification: str = "NATO UNCLASSIFIED", **extra: Any) -> dict[str, Any]:
    """A NATO label releasable to `rel_to`, limited to space-domain awareness."""
    return {
        "policy_id": "NATO",
        "classification": classification,
        "purposes": [PURPOSE],
        "categories": [{"tag_name": "Releasable To", "type": "PERMISSIVE", "values": list(rel_to)}],
        **extra,
    }


def seed(hub: Hub) -> dict[str, dict[str, str]]:
    """Create the demo data once; returns {person: {token, user_id, partner, role}}."""
    path = hub.config.home / "demo-tokens.json"
    if path.exists():
        return json.loads(path.read_text())
    hub.parties.create_partner("SVN", "Republic of Slovenia, Ministry of Defence", "nation", ["NATO", "EU"])
    hub.parties.create_partner("LUX", "Luxembourg Directorate of Defence", "nation", ["NATO", "EU"])
    people: dict[str, dict[str, str]] = {}
    for partner, name, role in PEOPLE:
        user = hub.parties.create_user(partner, name, role, "NATO SECRET", PURPOSE)
        tok = hub.parties.issue_token(user.id, "demo")
        people[name] = {"token": tok.token, "user_id": user.id, "partner": partner, "role": role}
    who = {n: hub.parties.authenticate(p["token"])[0] for n, p in people.items()}
    _products(hub, who)
    write_private(path, json.dumps(people, indent=2).encode("utf-8"), replace=True)
    return people


def _products(hub: Hub, who: dict[str, Principal | None]) -> None:
    """A few products of each partner, some released by grants, one request pending."""
    svn_fp, svn_an = who["Slovenia MoD focal point"], who["Slovenia MoD analyst"]
    lux_fp, lux_an = who["Luxembourg DoD focal point"], who["Luxembourg DoD analyst"]
    cat = hub.products.add(
        svn_an,
        "catalog",
        "SVN tracked objects (TLE)",
        label("SVN", "LUX"),
        ISS_TLE.encode(),
        "text/plain; charset=utf-8",
        "svn.tle",
        {"format": "tle", "objects": 1},
    )
    report = {
        "tca": "2026-11-23T04:12:09Z",
        "objects": [25544, 48274],
        "miss_distance_m": 812.0,
        "pc": 2.1e-5,
    }
    conj = hub.products.add(
        svn_an,
        "conjunction_report",
        "ISS conjunction report",
        label("SVN", "LUX"),
        json.dumps(report).encode(),
        "application/json",
    )
    alert = hub.products.add(
        svn_an,
        "alert",
        "Manoeuvre detected on tracked object",
        label("SVN", "LUX", classification="NATO RESTRICTED"),
        json.dumps({"object": 48274, "delta_v_mps": 0.4}).encode(),
        "application/json",
    )
    item = {
        "type": "Feature",
        "stac_version": "1.0.0",
        "id": "lux-opp-001",
        "bbox": [5.7, 49.4, 6.6, 50.2],
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[5.7, 49.4], [6.6, 49.4], [6.6, 50.2], [5.7, 50.2], [5.7, 49.4]]],
        },
        "properties": {"datetime": "2026-11-24T10:30:00Z", "platform": "demo-sat", "gsd": 0.5},
        "links": [],
        "assets": {},
    }
    stac = hub.products.add(
        lux_an,
        "stac_item",
        "Imaging opportunity over Luxembourg",
        label("LUX", "SVN"),
        json.dumps(item).encode(),
        "application/geo+json",
        None,
        {"stac_id": "lux-opp-001", "bbox": item["bbox"], "datetime": "2026-11-24T10:30:00Z"},
    )
    hub.products.add(
        lux_an,
        "satcom_evaluation",
        "SATCOM link resilience, LUX terminals",
        label("LUX", "SVN"),
        json.dumps({"terminals": 4, "availability": 0.997}).encode(),
        "application/json",
    )
    hub.consent.grant_directly(svn_fp, cat.id, "LUX", PURPOSE)
    hub.consent.grant_directly(svn_fp, conj.id, "LUX", PURPOSE)
    hub.consent.grant_directly(lux_fp, stac.id, "SVN", PURPOSE)
    hub.consent.request(lux_an, alert.id, "LUX", PURPOSE, "Needed for our own conjunction screening.")

