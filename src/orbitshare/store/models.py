"""SQLAlchemy models of the sharing hub (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = ["ApiToken", "AuditEntry", "AuditHead", "Base", "ConsentRequest", "Grant", "Partner", "Product", "Revocation",
           "SigningKey", "UTCDateTime", "User"]


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        """Store as UTC; naive on SQLite."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        """Return aware UTC datetimes."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of the hub's tables."""


class Partner(Base):
    """A nation or organisation sharing through the hub."""

    __tablename__ = "partners"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    policies: Mapped[str] = mapped_column(Text)  # JSON list
    attributes: Mapped[str] = mapped_column(Text)  # JSON list
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class User(Base):
    """A person acting for a partner, with a role and a clearance."""

    __tablename__ = "users"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    partner_code: Mapped[str] = mapped_column(ForeignKey("partners.code"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    clearance: Mapped[int] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(String(100))
    oidc_subject: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ApiToken(Base):
    """An API token, stored as the SHA-256 of its secret; a token minted with another names it as parent."""

    __tablename__ = "api_tokens"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    parent_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)  # the minting token


class SigningKey(Base):
    """A focal point's Ed25519 key (private part encrypted with the hub secret)."""

    __tablename__ = "signing_keys"
    key_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    private_pem: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Product(Base):
    """A labelled product (catalog, CDM, alert, STAC item, file, ...)."""

    __tablename__ = "products"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(300))
    originator: Mapped[str] = mapped_column(ForeignKey("partners.code"), index=True)
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    media_type: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str | None] = mapped_column(String(255), nullable=True)
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(Text)  # canonical JSON of the SecurityLabel
    meta: Mapped[str] = mapped_column(Text)  # JSON object (search metadata, STAC geometry, ...)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class ConsentRequest(Base):
    """A request to release a product to a third party, answered by the originator's focal point."""

    __tablename__ = "consent_requests"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"), index=True)
    requested_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    recipient: Mapped[str] = mapped_column(ForeignKey("partners.code"))
    originator: Mapped[str] = mapped_column(ForeignKey("partners.code"), index=True)
    purpose: Mapped[str] = mapped_column(String(100))
    justification: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(12), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decision_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    grant_id: Mapped[str | None] = mapped_column(String(36), nullable=True)


class Grant(Base):
    """A signed consent grant; revocation takes effect at once."""

    __tablename__ = "grants"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"))
    recipient: Mapped[str] = mapped_column(ForeignKey("partners.code"))
    originator: Mapped[str] = mapped_column(ForeignKey("partners.code"))
    purpose: Mapped[str] = mapped_column(String(100))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    signer: Mapped[str] = mapped_column(ForeignKey("users.id"))
    key_id: Mapped[str] = mapped_column(ForeignKey("signing_keys.key_id"))
    statement: Mapped[bytes] = mapped_column(LargeBinary)
    signature: Mapped[str] = mapped_column(String(100))
    request_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    revocation_reason: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (
        Index("ix_grants_recipient_product", "recipient", "product_id"),
        Index("ix_grants_product", "product_id"),
    )


class Revocation(Base):
    """The signed statement withdrawing a grant; its presence revokes the grant whatever the grant row says."""

    __tablename__ = "revocations"
    grant_id: Mapped[str] = mapped_column(ForeignKey("grants.id"), primary_key=True)
    key_id: Mapped[str] = mapped_column(ForeignKey("signing_keys.key_id"))
    statement: Mapped[bytes] = mapped_column(LargeBinary)
    signature: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AuditEntry(Base):
    """One entry of the tamper-evident audit log with the signed tree head after it."""

    __tablename__ = "audit_entries"
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    event: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str | None] = mapped_column(String(36), nullable=True)
    partner: Mapped[str | None] = mapped_column(String(16), nullable=True, index=True)
    product_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    payload: Mapped[str] = mapped_column(Text)
    leaf_hash: Mapped[str] = mapped_column(String(64))
    root_hash: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(100))


class AuditHead(Base):
    """The current head of the audit log: size, root and compact range (one row, id 1)."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(BigInteger)
    root_hash: Mapped[str] = mapped_column(String(64))
    frontier: Mapped[str] = mapped_column(Text)  # JSON list of [height, hex]


class Tasking(Base):
    """A request by one partner for an acquisition by another partner's asset, and its lifecycle.

    The owner's focal point accepts with a signed statement (`acceptance`) that also consents to release
    the tasking's products to the requester for `purpose` until `release_until`.
    """

    __tablename__ = "taskings"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    asset_id: Mapped[str] = mapped_column(String(64), index=True)
    owner: Mapped[str] = mapped_column(ForeignKey("partners.code"), index=True)
    requester: Mapped[str] = mapped_column(ForeignKey("partners.code"), index=True)
    requested_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    purpose: Mapped[str] = mapped_column(String(100))
    aoi: Mapped[str] = mapped_column(Text)  # canonical JSON of a GeoJSON Point or Polygon (lon, lat deg)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime())
    window_end: Mapped[datetime] = mapped_column(UTCDateTime())
    urgency: Mapped[str] = mapped_column(String(12))
    event_type: Mapped[str | None] = mapped_column(String(40), nullable=True)  # emergency activations only
    justification: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decision_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    release_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    key_id: Mapped[str | None] = mapped_column(ForeignKey("signing_keys.key_id"), nullable=True)
    acceptance: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # signed statement bytes
    acceptance_signature: Mapped[str | None] = mapped_column(String(100), nullable=True)
    planned_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    planned_time: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)  # planned acquisition
    plan_ref: Mapped[str | None] = mapped_column(String(200), nullable=True)
    acquired_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    acquired_time: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)  # image time
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    cancelled_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    cancel_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class TaskingProduct(Base):
    """A product delivered for a tasking, with the consent grant that releases it to the requester."""

    __tablename__ = "tasking_products"
    tasking_id: Mapped[str] = mapped_column(ForeignKey("taskings.id"), primary_key=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"), primary_key=True, index=True)
    grant_id: Mapped[str] = mapped_column(ForeignKey("grants.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
