"""Request and response models of the hub's HTTP API."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, field_validator

from orbitshare.service.common import KINDS, ROLES, Invalid

__all__ = ["ID_PATTERN", "MAX_FILENAME", "MEDIA_TYPE", "OPAQUE_FIELDS", "AuditEntryOut", "CategoryIn",
           "ConsentRequestIn", "ConsentRequestOut", "ConsistencyOut", "DecisionIn", "DecisionOut", "Error", "GrantIn",
           "GrantOut", "Health", "Id", "InclusionOut", "ItemCollection", "JobIn", "JobInfo", "JobName", "Kind", "Label",
           "LabelIn", "Me", "PartnerOut", "ProductIn", "ProductOut", "ProductPage", "RevokeIn", "Role", "Short",
           "Strict", "TokenIn", "TokenOut", "TreeHead", "UserIn", "UserOut", "WitnessIn", "WitnessedHead", "attachment",
           "no_control_characters", "no_control_characters_or_invalid", "upload_fields"]

Kind = Literal[KINDS]  # the hub's product kinds, one list (service.common.KINDS)
Role = Literal[ROLES]
Short = Field(min_length=1, max_length=200)
ID_PATTERN = r"^[A-Za-z0-9_.-]{1,36}$"
MEDIA_TYPE = r"^[\x21-\x7e][\x20-\x7e]{0,99}$"  # printable ASCII, at most 100 characters (the column's width)
MAX_FILENAME = 255
OPAQUE_FIELDS = frozenset({"content", "text", "params", "meta"})  # stored as bytes or escaped JSON


def no_control_characters(value: Any, where: str = "value") -> Any:
    """Raise ValueError when a string in `value` (recursively) holds NUL or another C0 control but tab/newline."""
    if isinstance(value, str):
        bad = next((c for c in value if c < " " and c not in "\t\n\r"), None)
        if bad is not None:
            raise ValueError(f"{where} contains the control character U+{ord(bad):04X}")
    elif isinstance(value, dict):
        for k, v in value.items():
            no_control_characters(k, where)
            no_control_characters(v, where)
    elif isinstance(value, list):
        for v in value:
            no_control_characters(v, where)
    return value


Id = Annotated[str, Path(min_length=1, max_length=36, pattern=ID_PATTERN, description="An id (at most 36 characters)")]
JobName = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]{1,64}$")]


def upload_fields(filename: str | None, content_type: str | None, title: str | None) -> tuple[str | None, str]:
    """The file name and media type of an upload (title checked too); raises Invalid naming the field."""
    if title is not None:
        no_control_characters_or_invalid(title, "title")
    if filename is not None:
        if len(filename) > MAX_FILENAME:
            raise Invalid(f"file name longer than {MAX_FILENAME} characters")
        no_control_characters_or_invalid(filename, "file name")
    media = content_type or "application/octet-stream"
    if not re.fullmatch(MEDIA_TYPE, media):
        raise Invalid("media type must be printable ASCII of at most 100 characters")
    return filename, media


def attachment(name: str) -> str:
    """A Content-Disposition that makes browsers download, never render: ASCII fallback and RFC 8187 name."""
    ascii_name = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in name)[:200] or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name[:200], safe='')}"


def no_control_characters_or_invalid(value: Any, where: str) -> None:
    """`no_control_characters`, raising Invalid (422) instead of ValueError."""
    try:
        no_control_characters(value, where)
    except ValueError as e:
        raise Invalid(str(e)) from None


class Strict(BaseModel):
    """Reject unknown fields and control characters (NUL included) in every text field but opaque content."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _printable(cls, value: Any, info: Any) -> Any:
        """Text fields hold no control characters (databases refuse NUL; logs and headers mislead on others)."""
        if info.field_name in OPAQUE_FIELDS:
            return value
        return no_control_characters(value, "text")


class CategoryIn(Strict):
    """A STANAG 4774 category."""

    tag_name: str = Field(min_length=1, max_length=200, examples=["Releasable To"])
    type: Literal["PERMISSIVE", "RESTRICTIVE", "INFORMATIVE"]
    values: list[str] = Field(default_factory=list, max_length=64, examples=[["SVN", "LUX"]])


class LabelIn(Strict):
    """A security label; the originator defaults to (and must be) the uploader's partner."""

    policy_id: str = Field(min_length=1, max_length=200, examples=["NATO"])
    classification: StrictStr = Field(min_length=1, max_length=100, examples=["NATO UNCLASSIFIED"])
    categories: list[CategoryIn] = Field(default_factory=list, max_length=64)
    purposes: list[str] = Field(default_factory=list, max_length=64, examples=[["space-domain-awareness"]])
    export_control: str | None = Field(default=None, max_length=200)
    privacy_mark: str | None = Field(default=None, max_length=200)
    originator: str | None = Field(default=None, max_length=16)
    created_at: str | None = Field(default=None, max_length=40)
    review_at: str | None = Field(default=None, max_length=40)


class Label(BaseModel):
    """A security label as stored."""

    policy_id: str
    classification: str
    originator: str
    categories: list[dict[str, Any]]
    purposes: list[str]
    export_control: str | None = None
    privacy_mark: str | None = None
    created_at: str | None = None
    review_at: str | None = None


class ProductIn(Strict):
    """A product given as JSON: `content` (any JSON value) or `text`."""

    kind: Kind
    title: str = Field(min_length=1, max_length=300)
    label: LabelIn
    content: Any = None
    text: str | None = None
    meta: dict[str, Any] = Field(default_factory=dict)


class ProductOut(BaseModel):
    """Metadata of a labelled product."""

    id: str
    kind: str
    title: str
    originator: str
    created_at: str
    media_type: str
    filename: str | None = None
    size: int
    sha256: str
    label: Label
    meta: dict[str, Any] | None = None
    released_by: str | None = None


class ProductPage(BaseModel):
    """A page of products the caller may receive."""

    total: int
    offset: int
    limit: int
    items: list[ProductOut]


class ConsentRequestIn(Strict):
    """Ask the originator's focal point to release a product."""

    recipient: str = Field(min_length=2, max_length=16, examples=["LUX"])
    purpose: str = Field(min_length=1, max_length=100, examples=["space-domain-awareness"])
    justification: str = Field(default="", max_length=4000)
    expires_at: datetime | None = None


class DecisionIn(Strict):
    """A focal point's answer to a request."""

    note: str | None = Field(default=None, max_length=4000)
    expires_at: datetime | None = None


class GrantIn(Strict):
    """A grant given without a prior request."""

    recipient: str = Field(min_length=2, max_length=16)
    purpose: str = Field(min_length=1, max_length=100)
    expires_at: datetime | None = None


class RevokeIn(Strict):
    """Why a grant is revoked."""

    reason: str | None = Field(default=None, max_length=4000)


class ConsentRequestOut(BaseModel):
    """A consent request and its state."""

    id: str
    product_id: str
    product_title: str | None = None
    recipient: str
    originator: str
    purpose: str
    justification: str
    expires_at: str
    status: str
    requested_by: str
    created_at: str
    decided_by: str | None = None
    decided_at: str | None = None
    note: str | None = None
    grant_id: str | None = None


class GrantOut(BaseModel):
    """A signed consent grant."""

    id: str
    product_id: str
    originator: str
    recipient: str
    purpose: str
    issued_at: str
    expires_at: str
    signer: str
    key_id: str
    signature: str
    statement: dict[str, Any]
    revoked: bool
    revoked_at: str | None = None
    public_key: str | None = None
    statement_b64: str | None = None


class DecisionOut(BaseModel):
    """The outcome of deciding a request."""

    request: ConsentRequestOut
    grant: GrantOut | None = None


class UserIn(Strict):
    """A new user of the focal point's partner."""

    name: str = Short
    role: Role
    clearance: StrictStr | StrictInt = Field(default="UNCLASSIFIED", description="Name or level (0-5)")
    purpose: str = Field(default="space-domain-awareness", min_length=1, max_length=100)
    oidc_subject: str | None = Field(
        default=None, min_length=1, max_length=200, description="Bind the user to this OIDC `sub` claim"
    )


class UserOut(BaseModel):
    """A user."""

    id: str
    partner: str
    name: str
    role: str
    clearance: str
    purpose: str
    disabled: bool = False


class TokenIn(Strict):
    """A new API token."""

    label: str = Field(default="api", min_length=1, max_length=100)
    ttl_days: float | None = Field(default=None, gt=0, le=3650)


class TokenOut(BaseModel):
    """A new API token; the secret is shown once."""

    id: str
    token: str
    user_id: str
    expires_at: str | None = None


class Me(BaseModel):
    """The authenticated principal."""

    user_id: str
    name: str
    partner: str
    role: str
    clearance: str
    purpose: str
    attributes: list[str]
    policies: list[str]


class PartnerOut(BaseModel):
    """A partner and its focal points."""

    code: str
    name: str
    kind: str
    policies: list[str]
    attributes: list[str]
    focal_points: list[dict[str, str]]


class WitnessIn(Strict):
    """A partner hub's signed tree head, presented for co-signing by the partner's focal point."""

    size: int = Field(ge=1, le=2**62)
    root: str = Field(pattern=r"^[0-9a-f]{64}$", description="Merkle root, lower-case hex")
    signature: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_-]+$", description="Ed25519, base64url")
    time: str | None = Field(default=None, max_length=40)


class WitnessedHead(BaseModel):
    """A witnessed tree head: this hub's own (`type` head) or a partner's, co-signed (`type` cosigned)."""

    type: Literal["head", "cosigned"]
    size: int
    root: str
    signature: str | None = None
    time: str | None = None
    witnessed_at: str | None = None
    public_key: str | None = None
    partner: str | None = None
    cosignature: str | None = None
    cosigner_key: str | None = None


class TreeHead(BaseModel):
    """A signed tree head of the audit log."""

    size: int
    root: str
    signature: str | None = None
    time: str | None = None
    public_key: str | None = None


class AuditEntryOut(BaseModel):
    """One audit entry with the signed tree head after it."""

    index: int
    entry: dict[str, Any]
    leaf_hash: str
    tree_head: dict[str, Any]


class InclusionOut(BaseModel):
    """An RFC 6962 inclusion proof."""

    index: int
    size: int
    leaf_hash: str
    root: str
    proof: list[str]


class ConsistencyOut(BaseModel):
    """An RFC 6962 consistency proof."""

    first: int
    second: int
    first_root: str
    second_root: str
    proof: list[str]


class JobIn(Strict):
    """Parameters of a job and the label of its result."""

    title: str | None = Field(default=None, max_length=300)
    label: LabelIn
    params: dict[str, Any] = Field(default_factory=dict)


class JobInfo(BaseModel):
    """A registered job."""

    name: str
    result_kind: str
    summary: str


class ItemCollection(BaseModel):
    """A STAC ItemCollection (GeoJSON FeatureCollection)."""

    type: Literal["FeatureCollection"]
    features: list[dict[str, Any]]
    numberMatched: int
    numberReturned: int


class Health(BaseModel):
    """Liveness."""

    status: str
    version: str


class Error(BaseModel):
    """An error: a clear message, and field errors for validation failures."""

    detail: str
    errors: list[dict[str, Any]] | None = None


Urgency = Literal["emergency", "urgent", "priority", "routine"]  # service.tasking.URGENCIES


class AoiIn(Strict):
    """An area of interest: a GeoJSON Point or Polygon, [longitude, latitude] in degrees (WGS-84)."""

    type: Literal["Point", "Polygon"]
    coordinates: list[Any] = Field(min_length=1, max_length=1000,
                                   examples=[[[[14.4, 46.0], [14.6, 46.0], [14.6, 46.1], [14.4, 46.1], [14.4, 46.0]]]])


class AssetOut(BaseModel):
    """An imaging satellite of the EO registry that tasking requests may name (null: figure not public)."""

    id: str
    name: str
    owner: str
    operator: str
    status: str
    sensor: str
    norad_id: int | None = None
    gsd_nadir_m: float | None = None
    swath_km: float | None = None


class TaskingIn(Strict):
    """Ask another partner's asset (by its registry id) for an acquisition of an area in a time window."""

    asset_id: str = Field(min_length=1, max_length=64, examples=["luxeosys"])
    aoi: AoiIn
    window_start: datetime
    window_end: datetime
    purpose: str | None = Field(default=None, min_length=1, max_length=100, examples=["earth-observation"])
    urgency: Urgency = "routine"
    justification: str = Field(default="", max_length=4000)


class TaskingDecisionIn(Strict):
    """The owner's focal point's answer; accepting also consents to release the products until release_until."""

    note: str | None = Field(default=None, max_length=4000)
    release_until: datetime | None = Field(default=None, description="End of the release (default 90 days)")


class TaskingAdvanceIn(Strict):
    """One lifecycle step: planned (planned_time), acquired (acquired_time), delivered (product_ids), cancelled."""

    status: Literal["planned", "acquired", "delivered", "cancelled"]
    planned_time: datetime | None = None
    plan_ref: str | None = Field(default=None, max_length=200)
    acquired_time: datetime | None = None
    product_ids: list[Annotated[str, Field(min_length=1, max_length=36, pattern=ID_PATTERN)]] = Field(
        default_factory=list, max_length=100)
    reason: str | None = Field(default=None, max_length=4000)


class TaskingHistoryOut(BaseModel):
    """One lifecycle step as the audit log records it (`index`: the entry, for inclusion proofs)."""

    index: int
    time: str
    event: str
    status: str
    actor: str | None = None
    partner: str | None = None
    note: str | None = None


class TaskingOut(BaseModel):
    """A tasking: request, state, signed acceptance (with what an offline verifier needs), products, history."""

    id: str
    asset_id: str
    owner: str
    requester: str
    requested_by: str
    purpose: str
    aoi: dict[str, Any]
    window_start: str
    window_end: str
    urgency: str
    event_type: str | None = None
    justification: str
    status: str
    created_at: str
    updated_at: str
    decided_by: str | None = None
    decided_at: str | None = None
    decision_note: str | None = None
    release_until: str | None = None
    planned_time: str | None = None
    plan_ref: str | None = None
    acquired_time: str | None = None
    delivered_at: str | None = None
    cancelled_at: str | None = None
    cancel_reason: str | None = None
    products: list[dict[str, str]] = Field(default_factory=list)
    acceptance: dict[str, Any] | None = None
    acceptance_b64: str | None = None
    acceptance_signature: str | None = None
    acceptance_public_key: str | None = None
    acceptance_valid: bool | None = None
    history: list[TaskingHistoryOut] | None = None


class ActivationIn(Strict):
    """An emergency activation: the fastest plan over the emergency-use assets, and requests to their owners."""

    aoi: AoiIn
    event_type: str = Field(min_length=1, max_length=40, examples=["flood"])
    urgency: Urgency = "emergency"
    catalog_product: str | None = Field(default=None, min_length=1, max_length=36, pattern=ID_PATTERN,
                                        description="A catalog product with the assets' elements "
                                        "(default: the bundled CelesTrak active catalog of 2026-03-10)")
    start: datetime | None = Field(default=None, description="Activation time (default now)")
    horizon_h: float = Field(default=72.0, gt=0, le=240)
    purpose: str | None = Field(default=None, min_length=1, max_length=100)
    justification: str = Field(default="", max_length=4000)
    request_taskings: bool = Field(default=True, description="Also request each planned asset of another partner")


class ActivationEntryOut(BaseModel):
    """One emergency asset's earliest access, and the tasking requested of its owner (none for own assets)."""

    asset_id: str
    owner: str
    norad_id: int | None = None
    first_access: str
    access_end: str
    time_to_first_image_s: float
    in_progress: bool
    off_nadir_deg: float
    tasking_id: str | None = None


class ActivationOut(BaseModel):
    """The plan of an emergency activation, fastest first, and the expected time to first image."""

    activation_id: str | None = None
    start: str
    horizon_end: str
    target: dict[str, float]
    time_to_first_image_s: float | None = None
    first_image: str | None = None
    plan: list[ActivationEntryOut]
    unavailable: list[dict[str, str]]
    taskings: list[TaskingOut]


class PictureObjects(BaseModel):
    """The objects of a catalog product as columns, in the order of its positions."""

    product_id: str
    originator: str
    count: int
    default_start_utc: str
    norad_id: list[int]
    owner: list[str] = Field(description="SATCAT owner code per object ('' where unknown)")
    owner_names: dict[str, str] = Field(description="Name of each owner code present (CelesTrak's list)")
    owner_source: str | None = Field(description="SATCAT the owners come from; null when the hub has none "
                                                 "(ORBITSHARE_SATCAT unset)")
    name: list[str]
    intl_des: list[str]
    object_type: list[str]
    regime: list[str]
    epoch_utc: list[str]
    perigee_km: list[float]
    apogee_km: list[float]
    period_min: list[float]
    incl_deg: list[float]
    usable: list[bool]


class Track(BaseModel):
    """One object's ground track: WGS-84 longitude and latitude (deg) and height (km), null where SGP4 failed."""

    norad_id: int
    name: str
    epoch_utc: str
    element_age_days: float
    start_utc: str
    step_s: float
    lon_deg: list[float | None]
    lat_deg: list[float | None]
    height_km: list[float | None]
