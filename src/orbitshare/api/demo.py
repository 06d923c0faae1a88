"""Demo data: two partners with focal points and analysts, products computed from the bundled data, grants.

`seed` makes what the sharing demo needs in a second or two: the bundled CelesTrak catalog (Slovenia's,
released to Luxembourg), an overflight alert over Ljubljana (Slovenia's, restricted, a Luxembourg request
pending) and a STAC Item of an imaging opportunity over Luxembourg (Luxembourg's, released to Slovenia).
`result_jobs` adds the hub jobs that `serve --demo` runs once so that the picture shows real results:
a screening of the partners' satellites, imaging opportunities over both countries, SATCOM and PNT.
"""

from __future__ import annotations

import functools
import gzip
import importlib.resources
import io
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from orbitshare.api.jobs import Job, JobRegistry, catalog_summary, run_and_store
from orbitshare.catalog import Catalog
from orbitshare.demo import DEMO_CATALOG, LJUBLJANA, NATIONAL_ASSETS, demo_window, load_demo_catalog
from orbitshare.satcom.region import bundled_region_geojson
from orbitshare.service import Hub, Principal
from orbitshare.service.products import ProductInfo
from orbitshare.store.keys import write_private

__all__ = ["ALERT_TITLE", "CATALOG_TITLE", "PEOPLE", "PURPOSE", "STAC_TITLE", "WATCHED", "label", "result_jobs",
           "seed"]

PURPOSE = "space-domain-awareness"
PEOPLE = [
    ("SVN", "Slovenia MoD focal point", "focal_point"),
    ("SVN", "Slovenia MoD analyst", "analyst"),
    ("LUX", "Luxembourg DoD focal point", "focal_point"),
    ("LUX", "Luxembourg DoD analyst", "analyst"),
]
CATALOG_TITLE = "Active satellites (CelesTrak GP, 2026-03-10)"
ALERT_TITLE = "Foreign imaging satellites over Ljubljana"
STAC_TITLE = "Imaging opportunity over Luxembourg"
#: Foreign imaging satellites of the bundled catalog watched over Ljubljana: NORAD id, sensor, owner.
WATCHED = ((43585, "optical", "PRC"), (56756, "sar", "CIS"), (62138, "sar", "CIS"), (40115, "optical", "US"))


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
    """Create the demo partners, people and products once; returns {person: {token, user_id, partner, role}}."""
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
    _products(hub, _principals(hub, people))
    write_private(path, json.dumps(people, indent=2).encode("utf-8"), replace=True)
    return people


def _principals(hub: Hub, people: dict[str, dict[str, str]]) -> dict[str, Principal]:
    """The demo people as principals, by name."""
    who = {n: hub.parties.authenticate(p["token"])[0] for n, p in people.items()}
    return {n: p for n, p in who.items() if p is not None}


@functools.lru_cache(maxsize=1)
def _bundled_catalog() -> tuple[bytes, dict[str, Any], Catalog]:
    """The bundled catalog's text (UTF-8), its product metadata and the parsed catalog (read once a process)."""
    from orbitshare.catalog import detect_format

    ref = importlib.resources.files("orbitshare") / "data" / DEMO_CATALOG
    data = gzip.decompress(ref.read_bytes())
    catalog, report = load_demo_catalog()
    return data, catalog_summary(detect_format(data[:4096].decode("utf-8", "replace")), catalog, report), catalog


def _products(hub: Hub, who: dict[str, Principal]) -> None:
    """The catalog, an overflight alert and a STAC Item, two released by grants, one request pending."""
    svn_fp, svn_an = who["Slovenia MoD focal point"], who["Slovenia MoD analyst"]
    lux_fp, lux_an = who["Luxembourg DoD focal point"], who["Luxembourg DoD analyst"]
    data, meta, catalog = _bundled_catalog()
    start, stop = demo_window(catalog)
    cat = hub.products.add(svn_an, "catalog", CATALOG_TITLE, label("SVN", "LUX"), data,
                           "text/plain; charset=utf-8", DEMO_CATALOG.removesuffix(".gz"), meta)
    alerts = _overflight_alerts(catalog, start, stop)
    alert = hub.products.add(svn_an, "alert", ALERT_TITLE, label("SVN", "LUX", classification="NATO RESTRICTED"),
                             json.dumps(alerts).encode(), "application/json", None, {"alerts": len(alerts)})
    item = _stac_item(catalog, start, label("LUX", "SVN"))
    stac = hub.products.add(lux_an, "stac_item", STAC_TITLE, label("LUX", "SVN"), json.dumps(item).encode(),
                            "application/geo+json", None,
                            {"stac_id": item["id"], "bbox": item["bbox"], "datetime": item["properties"]["datetime"]})
    hub.consent.grant_directly(svn_fp, cat.id, "LUX", PURPOSE)
    hub.consent.grant_directly(lux_fp, stac.id, "SVN", PURPOSE)
    hub.consent.request(lux_an, alert.id, "LUX", PURPOSE, "Needed to plan our own activity over Slovenia.")


def _overflight_alerts(catalog: Catalog, start: datetime, stop: datetime) -> list[dict[str, Any]]:
    """Overflight alerts (dicts) of the WATCHED satellites able to observe Ljubljana between start and stop."""
    from orbitshare.ssa.behaviour.alerts import overflight_alert
    from orbitshare.ssa.behaviour.overflight import SiteArea, WatchedSatellite, overflights

    site = SiteArea.point("Ljubljana", *LJUBLJANA)
    watched = [WatchedSatellite(n, sensor, owner=owner) for n, sensor, owner in WATCHED]
    found = overflights(catalog, [site], watched, start, stop)
    return [overflight_alert(o).as_dict() for o in found[site.name]]


def _stac_item(catalog: Catalog, start: datetime, lab: dict[str, Any]) -> dict[str, Any]:
    """STAC Item of the first imaging opportunity of the bundled EO assets over Luxembourg within a day of `start`."""
    from orbitshare.eo.aoi import read_aois
    from orbitshare.eo.assets import load_registry
    from orbitshare.eo.opportunities import find_opportunities
    from orbitshare.eo.stac import items_from_opportunities

    aois = read_aois(io.StringIO(json.dumps(bundled_region_geojson("luxembourg"))), "luxembourg").aois
    opp = find_opportunities(catalog, load_registry(), aois, start, start + timedelta(days=1))
    items = items_from_opportunities(opp, lab)
    if not items:
        raise RuntimeError("the bundled catalog gives no EO asset an opportunity over Luxembourg in a day")
    return items[0]


def result_jobs(hub: Hub, people: dict[str, dict[str, str]],
                registry: JobRegistry) -> list[tuple[str, Callable[[], ProductInfo]]]:
    """The demo's hub jobs not yet stored, as (title, run) pairs; each run stores one product and releases it."""
    who = _principals(hub, people)
    svn_fp, svn_an = who["Slovenia MoD focal point"], who["Slovenia MoD analyst"]
    lux_fp, lux_an = who["Luxembourg DoD focal point"], who["Luxembourg DoD analyst"]
    stored = {p.title: p.id for an in (svn_an, lux_an)
              for p in hub.products.search(an, PURPOSE, originator=an.partner).items}
    catalog = _bundled_catalog()[2]
    start = demo_window(catalog)[0].isoformat()
    names = " and ".join(catalog.select(ids=list(NATIONAL_ASSETS)).name.tolist())
    aois = {"type": "FeatureCollection", "features": [
        f for name in ("slovenia", "luxembourg") for f in bundled_region_geojson(name)["features"]]}
    plan: list[tuple[str, Principal, Principal, str, str, dict[str, Any]]] = [
        (f"Conjunctions of {names} with the active satellites", svn_an, svn_fp, "LUX", "screening",
         {"catalog_product": stored[CATALOG_TITLE], "primaries": list(NATIONAL_ASSETS), "start": start,
          "days": 1.0}),
        ("Imaging opportunities over Slovenia and Luxembourg", svn_an, svn_fp, "LUX", "imaging-opportunities",
         {"catalog_product": stored[CATALOG_TITLE], "aois": aois, "start": start, "hours": 24.0}),
        ("PNT over Slovenia (GPS and Galileo)", svn_an, svn_fp, "LUX", "pnt-evaluation", {"region": "slovenia"}),
        ("SATCOM resilience over Luxembourg", lux_an, lux_fp, "SVN", "satcom-evaluation", {"region": "luxembourg"}),
    ]
    return [(title, functools.partial(_run_and_grant, hub, job, analyst, focal_point, partner, title, params))
            for title, analyst, focal_point, partner, name, params in plan
            if title not in stored and (job := registry.get(name)) is not None]


def _run_and_grant(hub: Hub, job: Job, analyst: Principal, focal_point: Principal, partner: str, title: str,
                   params: dict[str, Any]) -> ProductInfo:
    """Run one demo job as the analyst, release its product to `partner` by the focal point's grant."""
    info = run_and_store(hub, analyst, job, params, title, label(analyst.partner, partner), PURPOSE)
    hub.consent.grant_directly(focal_point, info.id, partner, PURPOSE)
    return info
