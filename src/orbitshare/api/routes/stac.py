"""Route of the STAC search over the stac_item products the caller may receive."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from orbitshare.api import schemas as S
from orbitshare.api.deps import HubDep, PurposeHeader, Who, purpose_of
from orbitshare.api.routes.common import ERRORS, json_or_none
from orbitshare.service import Invalid

__all__ = ["router"]

router = APIRouter(tags=["stac"], responses=ERRORS)


@router.get("/stac/search", response_model=S.ItemCollection)
def stac_search(
    who: Who,
    hub: HubDep,
    purpose: PurposeHeader = None,
    bbox: Annotated[str | None, Query(description="minx,miny,maxx,maxy", max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """STAC ItemCollection of the stac_item products you may receive, each with its label."""
    box = _parse_bbox(bbox)
    page = hub.products.search(who, purpose_of(who, purpose), "stac_item", None, None, 10**6, 0, event="access.stac")
    contents = hub.products.contents([p.id for p in page.items])
    feats = []
    for p in page.items:
        item = json_or_none(contents[p.id])
        if isinstance(item, dict) and (box is None or _intersects(item.get("bbox"), box)):
            props = dict(item.get("properties") or {})
            props["orbitshare:label"], props["orbitshare:product_id"] = p.label, p.id
            feats.append({**item, "properties": props})
    return {
        "type": "FeatureCollection",
        "features": feats[:limit],
        "numberMatched": len(feats),
        "numberReturned": min(len(feats), limit),
    }


def _parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    """Parse 'minx,miny,maxx,maxy'."""
    if text is None:
        return None
    try:
        vals = [float(v) for v in text.split(",")]
    except ValueError:
        raise Invalid("bbox must be four comma-separated numbers") from None
    if len(vals) != 4 or vals[0] > vals[2] or vals[1] > vals[3]:
        raise Invalid("bbox must be minx,miny,maxx,maxy with min <= max")
    return vals[0], vals[1], vals[2], vals[3]


def _intersects(item_bbox: Any, box: tuple[float, float, float, float]) -> bool:
    """True when an item's bbox overlaps the query box (2-D)."""
    if not isinstance(item_bbox, list) or len(item_bbox) not in (4, 6):
        return False
    half = len(item_bbox) // 2
    minx, miny, maxx, maxy = item_bbox[0], item_bbox[1], item_bbox[half], item_bbox[half + 1]
    return not (maxx < box[0] or minx > box[2] or maxy < box[1] or miny > box[3])
