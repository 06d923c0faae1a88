"""Routes of products: share (JSON, file), search, metadata, download and bulk export (release decision applies)."""

from __future__ import annotations

import base64
import json
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import Response, StreamingResponse

from orbitshare.api import schemas as S
from orbitshare.api.deps import HubDep, PurposeHeader, Who, purpose_of
from orbitshare.api.routes.common import ERRORS, json_or_none, label_form, label_of
from orbitshare.service import Invalid
from orbitshare.service.products import ProductInfo, ProductPage

__all__ = ["router"]

router = APIRouter(tags=["products"], responses=ERRORS)


@router.get("/products", response_model=S.ProductPage)
def list_products(
    who: Who,
    hub: HubDep,
    purpose: PurposeHeader = None,
    kind: S.Kind | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    originator: Annotated[str | None, Query(max_length=16)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> ProductPage:
    """Products you may receive (search with `q`), newest first."""
    return hub.products.search(who, purpose_of(who, purpose), kind, q, originator, limit, offset)


@router.post("/products", response_model=S.ProductOut, status_code=201)
def create_product(body: S.ProductIn, who: Who, hub: HubDep) -> ProductInfo:
    """Share a product given as JSON (`content`) or text (`text`) under a security label."""
    if (body.content is None) == (body.text is None):
        raise Invalid("give exactly one of `content` (JSON) or `text`")
    if body.text is not None:
        data, media = body.text.encode(), "text/plain; charset=utf-8"
    else:
        data, media = json.dumps(body.content).encode(), "application/json"
    meta = _kind_meta(body.kind, body.content, body.meta)
    return hub.products.add(who, body.kind, body.title, label_of(body.label), data, media, None, meta)


@router.post("/products/upload", response_model=S.ProductOut, status_code=201)
def upload_product(
    who: Who,
    hub: HubDep,
    file: Annotated[UploadFile, File(description="The product file")],
    kind: Annotated[S.Kind, Form()],
    label: Annotated[str, Form(description="Security label as JSON")],
    title: Annotated[str | None, Form(max_length=300)] = None,
) -> ProductInfo:
    """Share a file under a security label (multipart form)."""
    data = file.file.read()
    lab = label_form(label)
    content = json_or_none(data) if kind == "stac_item" else None
    meta = _kind_meta(kind, content, {})
    filename, media = S.upload_fields(file.filename, file.content_type, title)
    return hub.products.add(who, kind, title or filename or kind, lab, data, media, filename, meta)


@router.get("/products/{product_id}", response_model=S.ProductOut)
def get_product(product_id: S.Id, who: Who, hub: HubDep, purpose: PurposeHeader = None) -> ProductInfo:
    """Metadata and label of one product (release decision applies)."""
    info, _ = hub.products.get(who, purpose_of(who, purpose), product_id)
    return info


@router.get(
    "/products/{product_id}/content",
    responses={
        200: {
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            "description": "The product, in the media type it was shared with (`media_type` of its metadata)",
        }
    },
)
def download(product_id: S.Id, who: Who, hub: HubDep, purpose: PurposeHeader = None) -> Response:
    """Download a product's content, with its label in the X-Security-Label header."""
    info, data = hub.products.get(who, purpose_of(who, purpose), product_id, event="access.download")
    headers = {
        "X-Security-Label": json.dumps(info.label, sort_keys=True),
        "X-Released-By": info.released_by or "",
    }
    headers["Content-Disposition"] = S.attachment(info.filename or info.id)
    return Response(data, media_type=info.media_type, headers=headers)


@router.get(
    "/export",
    responses={200: {"content": {"application/x-ndjson": {}}, "description": "One product per line"}},
)
def export(
    who: Who,
    hub: HubDep,
    purpose: PurposeHeader = None,
    kind: S.Kind | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=10000)] = 1000,
) -> Response:
    """Bulk export as NDJSON: metadata, label and content (base64) of every product you may receive."""
    rows = hub.products.export(who, purpose_of(who, purpose), kind, q, limit)
    lines = (
        json.dumps({**_export_view(info), "content_b64": base64.b64encode(data).decode()}) + "\n" for info, data in rows
    )
    return StreamingResponse(lines, media_type="application/x-ndjson")


def _export_view(info: ProductInfo) -> dict[str, Any]:
    """An exported product's metadata as one NDJSON object."""
    out = asdict(info)
    del out["released_by"]
    return out


def _kind_meta(kind: str, content: Any, meta: dict[str, Any]) -> dict[str, Any]:
    """Kind-specific checks and search metadata (STAC items must be GeoJSON Features)."""
    if kind != "stac_item":
        return meta
    if not isinstance(content, dict) or content.get("type") != "Feature" or not isinstance(content.get("id"), str):
        raise Invalid("a stac_item must be a GeoJSON Feature with a string id")
    if not isinstance(content.get("properties"), dict):
        raise Invalid("a stac_item needs a properties object")
    bbox = content.get("bbox")
    if bbox is not None and (
        not isinstance(bbox, list) or len(bbox) not in (4, 6) or not all(isinstance(v, int | float) for v in bbox)
    ):
        raise Invalid("stac_item bbox must be 4 or 6 numbers")
    return {**meta, "stac_id": content["id"], "bbox": bbox, "datetime": content["properties"].get("datetime")}
