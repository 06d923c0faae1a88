"""HTTP routes of the sharing hub. Every route that hands a product out goes through the release decision."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Header, Query, Request, UploadFile
from fastapi.responses import Response, StreamingResponse
from pydantic import ValidationError

from orbitshare.api import schemas as S
from orbitshare.api.auth import authenticate, bearer
from orbitshare.api.jobs import JOBS, JobContext, catalog_meta, encode_result
from orbitshare.service import Forbidden, Hub, Invalid, NotFound, Principal
from orbitshare.service.audit import AuditEntryInfo, ConsistencyProof, InclusionProof, TreeHead
from orbitshare.service.consent import ConsentRequestInfo, DecisionResult, GrantInfo
from orbitshare.service.parties import IssuedToken, TokenInfo, UserInfo
from orbitshare.service.products import ProductInfo, ProductPage

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": S.Error, "description": text}
    for code, text in [
        (400, "Bad request"),
        (401, "Not authenticated"),
        (403, "Refused"),
        (404, "Unknown id"),
        (409, "Conflict"),
        (413, "Payload too large"),
        (422, "Invalid input: a field out of its schema, or a rule the schema cannot express (an expiry in the past, "
         "a label refusing its own originator, a control character, an unknown query parameter)"),
    ]
}

router = APIRouter(responses=ERRORS)
PurposeHeader = Annotated[
    str | None,
    Header(alias="X-Purpose", max_length=100, description="Purpose of this access (default: the user's)"),
]


def hub_of(request: Request) -> Hub:
    """The app's hub."""
    return request.app.state.hub


def principal(request: Request, _cred: Any = Depends(bearer)) -> Principal:
    """Dependency: the authenticated principal (refusals audited)."""
    who = authenticate(request, hub_of(request), request.app.state.jwt)
    request.state.principal = who
    return who


Who = Annotated[Principal, Depends(principal)]
HubDep = Annotated[Hub, Depends(hub_of)]


def _purpose(who: Principal, purpose: str | None) -> str:
    """The declared purpose or the user's default."""
    return purpose.strip() if purpose and purpose.strip() else who.purpose


# --- identity and parties -------------------------------------------------------------------------------


@router.get("/me", response_model=S.Me, tags=["parties"])
def me(who: Who) -> dict[str, Any]:
    """The authenticated user, its partner, clearance and attributes."""
    c = who.clearance
    return {
        "user_id": who.user_id,
        "name": who.name,
        "partner": who.partner,
        "role": who.role,
        "clearance": c.classification.name.replace("_", " "),
        "purpose": who.purpose,
        "attributes": sorted(c.attributes),
        "policies": sorted(c.policies),
    }


@router.get("/partners", response_model=list[S.PartnerOut], tags=["parties"])
def partners(who: Who, hub: HubDep) -> list[dict[str, Any]]:
    """Partners of the hub and their focal points."""
    return [asdict(p) for p in hub.parties.partners()]


@router.get("/users", response_model=list[S.UserOut], tags=["parties"])
def users(who: Who, hub: HubDep) -> list[UserInfo]:
    """Users of the caller's partner (focal points)."""
    return hub.parties.users(who)


@router.post("/users", response_model=S.UserOut, status_code=201, tags=["parties"])
def create_user(body: S.UserIn, who: Who, hub: HubDep) -> UserInfo:
    """A focal point adds a user to its partner."""
    return hub.parties.create_user(
        who.partner, body.name, body.role, body.clearance, body.purpose, by=who, oidc_subject=body.oidc_subject
    )


@router.post("/users/{user_id}/tokens", response_model=S.TokenOut, status_code=201, tags=["parties"])
def issue_token(user_id: S.Id, body: S.TokenIn, who: Who, hub: HubDep) -> IssuedToken:
    """Issue an API token for yourself, or (focal points) for a user of your partner.

    It expires no later than the token used to mint it, at most after the hub's maximum lifetime
    (default 90 days), and is revoked with it.
    """
    ttl = timedelta(days=body.ttl_days) if body.ttl_days is not None else None
    return hub.parties.issue_token(user_id, body.label, ttl, by=who)


@router.get("/users/{user_id}/tokens", response_model=list[TokenInfo], tags=["parties"])
def list_tokens(user_id: S.Id, who: Who, hub: HubDep) -> list[TokenInfo]:
    """A user's tokens, metadata only (the user itself, or its partner's focal point)."""
    return hub.parties.tokens(user_id, who)


@router.delete("/tokens/{token_id}", status_code=204, tags=["parties"])
def revoke_token(token_id: S.Id, who: Who, hub: HubDep) -> Response:
    """Revoke a token at once."""
    hub.parties.revoke_token(token_id, who)
    return Response(status_code=204)


# --- products -------------------------------------------------------------------------------------------


@router.get("/products", response_model=S.ProductPage, tags=["products"])
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
    return hub.products.search(who, _purpose(who, purpose), kind, q, originator, limit, offset)


@router.post("/products", response_model=S.ProductOut, status_code=201, tags=["products"])
def create_product(body: S.ProductIn, who: Who, hub: HubDep) -> ProductInfo:
    """Share a product given as JSON (`content`) or text (`text`) under a security label."""
    if (body.content is None) == (body.text is None):
        raise Invalid("give exactly one of `content` (JSON) or `text`")
    if body.text is not None:
        data, media = body.text.encode(), "text/plain; charset=utf-8"
    else:
        data, media = json.dumps(body.content).encode(), "application/json"
    meta = _kind_meta(body.kind, body.content, body.meta)
    return hub.products.add(who, body.kind, body.title, _label(body.label), data, media, None, meta)


@router.post("/products/upload", response_model=S.ProductOut, status_code=201, tags=["products"])
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
    lab = _label_form(label)
    content = _json_or_none(data) if kind == "stac_item" else None
    meta = _kind_meta(kind, content, {})
    filename, media = S.upload_fields(file.filename, file.content_type, title)
    return hub.products.add(who, kind, title or filename or kind, lab, data, media, filename, meta)


@router.get("/products/{product_id}", response_model=S.ProductOut, tags=["products"])
def get_product(product_id: S.Id, who: Who, hub: HubDep, purpose: PurposeHeader = None) -> ProductInfo:
    """Metadata and label of one product (release decision applies)."""
    info, _ = hub.products.get(who, _purpose(who, purpose), product_id)
    return info


@router.get(
    "/products/{product_id}/content",
    tags=["products"],
    responses={
        200: {
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            "description": "The product, in the media type it was shared with (`media_type` of its metadata)",
        }
    },
)
def download(product_id: S.Id, who: Who, hub: HubDep, purpose: PurposeHeader = None) -> Response:
    """Download a product's content, with its label in the X-Security-Label header."""
    info, data = hub.products.get(who, _purpose(who, purpose), product_id, event="access.download")
    headers = {
        "X-Security-Label": json.dumps(info.label, sort_keys=True),
        "X-Released-By": info.released_by or "",
    }
    headers["Content-Disposition"] = S.attachment(info.filename or info.id)
    return Response(data, media_type=info.media_type, headers=headers)


@router.get(
    "/export",
    tags=["products"],
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
    import base64

    rows = hub.products.export(who, _purpose(who, purpose), kind, q, limit)
    lines = (
        json.dumps({**_export_view(info), "content_b64": base64.b64encode(data).decode()}) + "\n" for info, data in rows
    )
    return StreamingResponse(lines, media_type="application/x-ndjson")


# --- STAC -------------------------------------------------------------------------------------------------


@router.get("/stac/search", response_model=S.ItemCollection, tags=["stac"])
def stac_search(
    who: Who,
    hub: HubDep,
    purpose: PurposeHeader = None,
    bbox: Annotated[str | None, Query(description="minx,miny,maxx,maxy", max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """STAC ItemCollection of the stac_item products you may receive, each with its label."""
    box = _parse_bbox(bbox)
    page = hub.products.search(who, _purpose(who, purpose), "stac_item", None, None, 10**6, 0, event="access.stac")
    contents = hub.products.contents([p.id for p in page.items])
    feats = []
    for p in page.items:
        item = _json_or_none(contents[p.id])
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


# --- consent --------------------------------------------------------------------------------------------


@router.post(
    "/products/{product_id}/consent-requests",
    response_model=S.ConsentRequestOut,
    status_code=201,
    tags=["consent"],
)
def request_consent(product_id: S.Id, body: S.ConsentRequestIn, who: Who, hub: HubDep) -> ConsentRequestInfo:
    """Ask the originator's focal point to release this product to a partner for a purpose."""
    return hub.consent.request(
        who, product_id, body.recipient.upper(), body.purpose, body.justification, body.expires_at
    )


@router.get("/consent-requests", response_model=list[S.ConsentRequestOut], tags=["consent"])
def consent_requests(
    who: Who,
    hub: HubDep,
    box: Annotated[str, Query(pattern="^(inbox|outbox)$")] = "inbox",
    status: Annotated[str | None, Query(pattern="^(pending|granted|refused)$")] = None,
) -> list[ConsentRequestInfo]:
    """A focal point's inbox (box=inbox) or your own requests (box=outbox)."""
    return hub.consent.requests(who, box, status)


@router.post("/consent-requests/{request_id}/grant", response_model=S.DecisionOut, tags=["consent"])
def grant_request(request_id: S.Id, body: S.DecisionIn, who: Who, hub: HubDep) -> DecisionResult:
    """The originator's focal point grants: a signed statement is issued."""
    return hub.consent.decide(who, request_id, True, body.note, body.expires_at)


@router.post("/consent-requests/{request_id}/refuse", response_model=S.DecisionOut, tags=["consent"])
def refuse_request(request_id: S.Id, body: S.DecisionIn, who: Who, hub: HubDep) -> DecisionResult:
    """The originator's focal point refuses."""
    return hub.consent.decide(who, request_id, False, body.note)


@router.post("/products/{product_id}/grants", response_model=S.GrantOut, status_code=201, tags=["consent"])
def grant_directly(product_id: S.Id, body: S.GrantIn, who: Who, hub: HubDep) -> GrantInfo:
    """The originator's focal point grants a release without a prior request."""
    return hub.consent.grant_directly(who, product_id, body.recipient.upper(), body.purpose, body.expires_at)


@router.get("/grants", response_model=list[S.GrantOut], tags=["consent"])
def grants(who: Who, hub: HubDep) -> list[GrantInfo]:
    """Grants given by or to your partner."""
    return hub.consent.grants(who)


@router.get("/grants/{grant_id}", response_model=S.GrantOut, tags=["consent"])
def grant(grant_id: S.Id, who: Who, hub: HubDep) -> GrantInfo:
    """One grant with its signed statement and the signer's public key."""
    return hub.consent.grant(who, grant_id)


@router.post("/grants/{grant_id}/revoke", response_model=S.GrantOut, tags=["consent"])
def revoke(grant_id: S.Id, body: S.RevokeIn, who: Who, hub: HubDep) -> GrantInfo:
    """Revoke a grant; it takes effect at once."""
    return hub.consent.revoke(who, grant_id, body.reason)


# --- audit ----------------------------------------------------------------------------------------------


@router.get("/audit/head", response_model=S.TreeHead, tags=["audit"])
def audit_head(who: Who, hub: HubDep) -> TreeHead:
    """The latest signed tree head of the audit log."""
    return hub.audit.head()


@router.get("/audit/entries", response_model=list[S.AuditEntryOut], tags=["audit"])
def audit_entries(
    who: Who,
    hub: HubDep,
    start: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditEntryInfo]:
    """Entries concerning your partner (focal points)."""
    return hub.audit.entries(who, start, limit)


@router.get("/audit/proofs/inclusion", response_model=S.InclusionOut, tags=["audit"])
def inclusion(
    who: Who,
    hub: HubDep,
    index: Annotated[int, Query(ge=0, le=2**62)],
    size: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> InclusionProof:
    """RFC 6962 inclusion proof of one entry."""
    return hub.audit.inclusion(index, size)


@router.get("/audit/proofs/consistency", response_model=S.ConsistencyOut, tags=["audit"])
def consistency(
    who: Who,
    hub: HubDep,
    first: Annotated[int, Query(ge=0, le=2**62)],
    second: Annotated[int | None, Query(ge=0, le=2**62)] = None,
) -> ConsistencyProof:
    """RFC 6962 consistency proof between two tree sizes."""
    return hub.audit.consistency(first, second)


# --- jobs -----------------------------------------------------------------------------------------------


@router.get("/jobs", response_model=list[S.JobInfo], tags=["jobs"])
def jobs(who: Who) -> list[dict[str, str]]:
    """Registered jobs (capabilities that store their result as a labelled product)."""
    return [{"name": j.name, "result_kind": j.result_kind, "summary": j.summary} for j in JOBS.values()]


@router.post("/jobs/{name}", response_model=S.ProductOut, status_code=201, tags=["jobs"])
def run_job(name: S.JobName, body: S.JobIn, who: Who, hub: HubDep) -> ProductInfo:
    """Run a registered job and store its result, labelled at least as restrictively as its inputs."""
    job = JOBS.get(name)
    if job is None:
        raise NotFound(f"no job {name!r}; see GET /jobs")
    if not who.can_write():
        raise Forbidden("viewers may not run jobs")
    lab = _label(body.label)
    purpose = _purpose(who, None)
    inputs: list[dict[str, Any]] = []

    def read_input(pid: str) -> tuple[ProductInfo, bytes]:
        """Read an input product as the caller, remembering its label for the result's."""
        info, data = hub.products.get(who, purpose, pid, event="access.job-input")
        inputs.append(info.label)
        return info, data

    ctx = JobContext(read_input, who.partner)
    try:
        content, media, meta = job.run(body.params, ctx)
    except PermissionError as e:
        raise Forbidden(f"job {name}: {e}") from None
    except (ValueError, TypeError, KeyError) as e:
        raise Invalid(f"job {name} rejected its parameters: {e}") from None
    meta = {**meta, "job": name, "params": body.params}
    data = encode_result(content)
    return hub.products.add(who, job.result_kind, body.title or name, lab, data, media, None, meta, derived_from=inputs)


@router.post("/catalogs", response_model=S.ProductOut, status_code=201, tags=["jobs"])
def upload_catalog(
    who: Who,
    hub: HubDep,
    file: Annotated[UploadFile, File(description="TLE or OMM (XML, KVN, JSON, CSV)")],
    label: Annotated[str, Form(description="Security label as JSON")],
    title: Annotated[str | None, Form(max_length=300)] = None,
) -> ProductInfo:
    """Upload a TLE or OMM catalog; the raw text is stored as a labelled `catalog` product."""
    data = file.file.read()
    S.upload_fields(file.filename, None, title)
    try:
        text = data.decode("utf-8")
        meta = catalog_meta(text, file.filename or "upload")
    except UnicodeDecodeError:
        raise Invalid("catalog must be UTF-8 text") from None
    except ValueError as e:
        raise Invalid(str(e)) from None
    media = "application/xml" if meta["format"] == "omm-xml" else "text/plain; charset=utf-8"
    if meta["format"] == "omm-json":
        media = "application/json"
    return hub.products.add(
        who,
        "catalog",
        title or file.filename or "catalog",
        _label_form(label),
        data,
        media,
        file.filename,
        meta,
    )


# --- helpers --------------------------------------------------------------------------------------------


def _label(label: S.LabelIn) -> dict[str, Any]:
    """A label model as the dict the hub parses."""
    return label.model_dump(exclude_none=True)


def _label_form(text: str) -> dict[str, Any]:
    """Parse and validate a label given as a JSON form field."""
    try:
        return _label(S.LabelIn.model_validate_json(text))
    except ValidationError as e:
        msgs = "; ".join(f"{'.'.join(map(str, err['loc'])) or 'label'}: {err['msg']}" for err in e.errors())
        raise Invalid(f"label: {msgs}") from None


def _export_view(info: ProductInfo) -> dict[str, Any]:
    """An exported product's metadata as one NDJSON object."""
    out = asdict(info)
    del out["released_by"]
    return out


def _json_or_none(data: bytes) -> Any:
    """Parse JSON bytes, or None."""
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None


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

