"""STAC Items and Collections of planned and delivered acquisitions (pystac), validated offline.

Items carry the `sat`, `view` and `eo` (optical) or `sar` extension fields, and the product's security label in
our own small extension (`orbitshare:label`, schema `orbitshare/data/eo/stac-label-extension.json`). Validation
runs stac-validator with every schema read from local files: the STAC 1.1.0 core and GeoJSON schemas shipped
with pystac, the JSON Schema draft-07 meta-schema shipped with jsonschema-specifications, and the extension
schemas vendored under `orbitshare/data/eo/stac-schemas/` (stac-extensions repositories at their release tags,
Apache-2.0), so nothing is fetched from the network.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import mapping, shape

from orbitshare.astro.time import as_utc
from orbitshare.eo.assets import Asset

__all__ = ["EXTENSION_URI", "EXTENSION_URIS", "acquisition_collection", "acquisition_item", "items_from_opportunities",
           "schema_map", "validate"]

#: $id of the orbitshare STAC extension (security label and acquisition status).
EXTENSION_URI = "https://orbitshare.github.io/stac-extensions/orbitshare/v1.0.0/schema.json"
#: Extension schema URLs used by the items, with their vendored file names.
EXTENSION_URIS = {
    "sat": "https://stac-extensions.github.io/sat/v1.0.0/schema.json",
    "view": "https://stac-extensions.github.io/view/v1.0.0/schema.json",
    "eo": "https://stac-extensions.github.io/eo/v1.1.0/schema.json",
    "sar": "https://stac-extensions.github.io/sar/v1.0.0/schema.json",
}
_VENDORED = {"sat": "sat-v1.0.0.json", "view": "view-v1.0.0.json", "eo": "eo-v1.1.0.json", "sar": "sar-v1.0.0.json"}
_CORE = "https://schemas.stacspec.org/v1.1.0/"


def _data_path(*parts: str) -> str:
    """Filesystem path of a file in orbitshare/data/eo."""
    return str(resources.files("orbitshare.data").joinpath("/".join(("eo", *parts))))


def schema_map() -> dict[str, str]:
    """Schema URL -> local file for every schema an item or collection of ours refers to (offline validation)."""
    pystac_dir = Path(str(resources.files("pystac.validation").joinpath("jsonschemas")))
    core = pystac_dir / "stac-spec" / "v1.1.0"
    out = {}
    for name in ("item", "basics", "datetime", "instrument", "licensing", "provider", "common", "bands",
                 "data-values"):
        out[f"{_CORE}item-spec/json-schema/{name}.json"] = str(core / f"{name}.json")
    out[f"{_CORE}collection-spec/json-schema/collection.json"] = str(core / "collection.json")
    out[f"{_CORE}catalog-spec/json-schema/catalog.json"] = str(core / "catalog.json")
    out["https://geojson.org/schema/Feature.json"] = str(pystac_dir / "geojson" / "Feature.json")
    out["https://geojson.org/schema/Geometry.json"] = str(pystac_dir / "geojson" / "Geometry.json")
    meta = resources.files("jsonschema_specifications").joinpath("schemas/draft7/metaschema.json")
    out["http://json-schema.org/draft-07/schema"] = str(meta)
    out["http://json-schema.org/draft-07/schema#"] = str(meta)
    for key, url in EXTENSION_URIS.items():
        out[url] = _data_path("stac-schemas", _VENDORED[key])
    out[EXTENSION_URI] = _data_path("stac-label-extension.json")
    return out


def validate(obj: Mapping[str, Any]) -> list[str]:
    """Error messages (empty when valid) of a STAC Item or Collection dict against the core and every extension
    schema it declares, all read from local files."""
    import warnings

    with warnings.catch_warnings():  # the module warns that its distribution was renamed (stac_valid)
        warnings.simplefilter("ignore", DeprecationWarning)
        from stac_validator.validate import StacValidate

    declared = list(obj.get("stac_extensions") or [])
    known = schema_map()
    missing = [u for u in declared if u not in known]
    if missing:
        return [f"extension schema not available offline: {u}" for u in missing]
    v = StacValidate(schema_map=known)
    ok = v.validate_dict(copy.deepcopy(dict(obj)))
    if ok:
        return []
    msgs = []
    for m in v.message:
        if not m.get("valid_stac", True):
            msgs.append(f"{m.get('error_type', 'error')}: {m.get('error_message', m)}")
    return msgs or ["invalid (no message from stac-validator)"]


def _geometry(footprint: Any) -> Any:
    """A shapely geometry from a shapely object or a GeoJSON geometry mapping."""
    if isinstance(footprint, Mapping):
        return shape(footprint)
    if isinstance(footprint, shapely.Geometry):
        return footprint
    raise TypeError(f"footprint must be a shapely geometry or a GeoJSON mapping, not {type(footprint).__name__}")


def _round(value: float | None, digits: int = 3) -> float | None:
    """Rounded float, or None."""
    return None if value is None else round(float(value), digits)


def acquisition_item(
    asset: Asset,
    start: datetime | str,
    end: datetime | str,
    footprint: Any,
    off_nadir_deg: float,
    *,
    label: Mapping[str, Any],
    status: str = "planned",
    incidence_deg: float | None = None,
    azimuth_deg: float | None = None,
    sun_elevation_deg: float | None = None,
    sun_azimuth_deg: float | None = None,
    gsd_m: float | None = None,
    orbit_state: str | None = None,
    look_side: str | None = None,
    cloud_cover_pct: float | None = None,
    sar_product_type: str = "GRD",
    coverage_fraction: float | None = None,
    item_id: str | None = None,
    collection_id: str | None = None,
    asset_href: str | None = None,
) -> dict[str, Any]:
    """STAC Item (dict) of one acquisition of `asset` between start and end (UTC) over a footprint (lon/lat
    polygon), with view geometry (deg), `sat`, `eo` or `sar` fields, status "planned" or "delivered" and the
    security label (a SecurityLabel.to_dict() mapping)."""
    import pystac
    from pystac.extensions.eo import EOExtension
    from pystac.extensions.sar import FrequencyBand, ObservationDirection, Polarization, SarExtension
    from pystac.extensions.sat import OrbitState, SatExtension
    from pystac.extensions.view import ViewExtension

    if status not in ("planned", "delivered"):
        raise ValueError(f"status {status!r} is not 'planned' or 'delivered'")
    t0, t1 = as_utc(start), as_utc(end)
    if t1 < t0:
        raise ValueError(f"end {t1.isoformat()} is before start {t0.isoformat()}")
    geom = _geometry(footprint)
    if geom.is_empty:
        raise ValueError("footprint is empty")
    ident = item_id or f"{asset.id}-{t0.strftime('%Y%m%dT%H%M%S')}-{status}"
    props: dict[str, Any] = {
        "platform": asset.id,
        "instruments": [asset.sensor],
        "orbitshare:label": dict(label),
        "orbitshare:status": status,
        "orbitshare:asset_id": asset.id,
        "orbitshare:owner": asset.owner,
    }
    if gsd_m is not None:
        props["gsd"] = _round(gsd_m)
    if coverage_fraction is not None:
        props["orbitshare:coverage_fraction"] = _round(coverage_fraction, 4)
    item = pystac.Item(ident, mapping(geom), list(geom.bounds), None, props, start_datetime=t0, end_datetime=t1,
                       collection=collection_id)
    if asset_href:
        item.add_asset("data", pystac.Asset(asset_href, roles=["data"]))
    if orbit_state not in ("ascending", "descending"):
        raise ValueError(f"orbit_state {orbit_state!r} is not 'ascending' or 'descending'")
    SatExtension.ext(item, add_if_missing=True).orbit_state = OrbitState(orbit_state)
    view = ViewExtension.ext(item, add_if_missing=True)
    view.off_nadir = _round(off_nadir_deg)
    view.incidence_angle = _round(incidence_deg)
    view.azimuth = _round(azimuth_deg)
    view.sun_elevation = _round(sun_elevation_deg)
    view.sun_azimuth = _round(sun_azimuth_deg)
    if asset.sensor == "sar":
        if asset.sar_frequency_band is None or asset.sar_instrument_mode is None or not asset.sar_polarizations:
            raise ValueError(f"asset {asset.id}: sar_frequency_band, sar_instrument_mode and sar_polarizations "
                             "are needed for a STAC SAR item")
        sar = SarExtension.ext(item, add_if_missing=True)
        sar.apply(asset.sar_instrument_mode, FrequencyBand(asset.sar_frequency_band),
                  [Polarization(p) for p in asset.sar_polarizations], sar_product_type)
        if look_side is not None:
            sar.observation_direction = ObservationDirection(look_side)
    else:
        eo = EOExtension.ext(item, add_if_missing=True)
        if cloud_cover_pct is not None:
            eo.cloud_cover = _round(cloud_cover_pct, 1)
    item.stac_extensions.append(EXTENSION_URI)
    out = item.to_dict(include_self_link=False, transform_hrefs=False)
    out["links"] = [link for link in out.get("links", []) if link.get("rel") not in ("root", "collection")]
    if collection_id:  # static layout: <dir>/collection.json and <dir>/items/<id>.json
        out["links"].append({"rel": "collection", "href": "../collection.json", "type": "application/json"})
    return json.loads(json.dumps(out))  # plain JSON types (shapely gives tuples)


def items_from_opportunities(opp, label: Mapping[str, Any], status: str = "planned",
                             collection_id: str | None = None) -> list[dict[str, Any]]:
    """STAC Items of every opportunity that has a footprint (the scene over its AOI)."""
    out = []
    for i, row in enumerate(opp.rows()):
        fp = opp.footprint(i)
        if fp is None:
            continue
        pa = opp.assets[opp.columns["asset_index"][i]]
        out.append(acquisition_item(
            pa.asset, row["start"], row["stop"], fp, row["off_nadir_deg"], label=label, status=status,
            incidence_deg=row["incidence_deg"], azimuth_deg=row["azimuth_deg"],
            sun_elevation_deg=row["sun_elevation_deg"], gsd_m=row["gsd_m"], orbit_state=row["orbit_state"],
            look_side=row["look_side"] if pa.asset.sensor == "sar" else None,
            coverage_fraction=row["coverage_fraction"], collection_id=collection_id,
            item_id=f"{pa.asset.id}-{row['aoi']}-{row['best'].replace(':', '').replace('-', '')[:15]}-{status}"))
    return out


def acquisition_collection(collection_id: str, items: Sequence[Mapping[str, Any]], description: str,
                           license: str = "other") -> dict[str, Any]:
    """STAC Collection (dict) holding planned/delivered acquisition items: extent from the items, summaries of
    platforms, instruments, owners and statuses, and the extensions the items use."""
    import pystac

    if not items:
        raise ValueError("a collection needs at least one item")
    geoms = [shape(it["geometry"]) for it in items]
    bounds = shapely.union_all(geoms).bounds
    starts = [as_utc(it["properties"]["start_datetime"]) for it in items]
    ends = [as_utc(it["properties"]["end_datetime"]) for it in items]
    extent = pystac.Extent(pystac.SpatialExtent([list(bounds)]), pystac.TemporalExtent([[min(starts), max(ends)]]))
    summaries = pystac.Summaries({
        "platform": sorted({it["properties"]["platform"] for it in items}),
        "instruments": sorted({i for it in items for i in it["properties"]["instruments"]}),
        "orbitshare:owner": sorted({it["properties"]["orbitshare:owner"] for it in items}),
        "orbitshare:status": sorted({it["properties"]["orbitshare:status"] for it in items}),
    })
    exts = sorted({e for it in items for e in it.get("stac_extensions", [])})
    col = pystac.Collection(collection_id, description, extent, license=license, stac_extensions=exts,
                            summaries=summaries)
    out = col.to_dict(include_self_link=False, transform_hrefs=False)
    out["links"] = [link for link in out.get("links", []) if link.get("rel") != "root"]
    out["links"] += [{"rel": "item", "href": f"./items/{it['id']}.json", "type": "application/geo+json"}
                     for it in items]
    return json.loads(json.dumps(out))
