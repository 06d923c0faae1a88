"""taskings: acquisition requests across partners, their lifecycle and delivered products

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from orbitshare.store.models import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "taskings",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("asset_id", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=16), nullable=False),
        sa.Column("requester", sa.String(length=16), nullable=False),
        sa.Column("requested_by", sa.String(length=36), nullable=False),
        sa.Column("purpose", sa.String(length=100), nullable=False),
        sa.Column("aoi", sa.Text(), nullable=False),
        sa.Column("window_start", UTCDateTime(), nullable=False),
        sa.Column("window_end", UTCDateTime(), nullable=False),
        sa.Column("urgency", sa.String(length=12), nullable=False),
        sa.Column("event_type", sa.String(length=40), nullable=True),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.String(length=36), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("release_until", UTCDateTime(), nullable=True),
        sa.Column("key_id", sa.String(length=16), nullable=True),
        sa.Column("acceptance", sa.LargeBinary(), nullable=True),
        sa.Column("acceptance_signature", sa.String(length=100), nullable=True),
        sa.Column("planned_at", UTCDateTime(), nullable=True),
        sa.Column("planned_time", UTCDateTime(), nullable=True),
        sa.Column("plan_ref", sa.String(length=200), nullable=True),
        sa.Column("acquired_at", UTCDateTime(), nullable=True),
        sa.Column("acquired_time", UTCDateTime(), nullable=True),
        sa.Column("delivered_at", UTCDateTime(), nullable=True),
        sa.Column("cancelled_at", UTCDateTime(), nullable=True),
        sa.Column("cancelled_by", sa.String(length=36), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["owner"], ["partners.code"]),
        sa.ForeignKeyConstraint(["requester"], ["partners.code"]),
        sa.ForeignKeyConstraint(["requested_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["decided_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["cancelled_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["key_id"], ["signing_keys.key_id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("taskings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_taskings_asset_id"), ["asset_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_taskings_owner"), ["owner"], unique=False)
        batch_op.create_index(batch_op.f("ix_taskings_requester"), ["requester"], unique=False)
        batch_op.create_index(batch_op.f("ix_taskings_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_taskings_created_at"), ["created_at"], unique=False)
    op.create_table(
        "tasking_products",
        sa.Column("tasking_id", sa.String(length=36), nullable=False),
        sa.Column("product_id", sa.String(length=36), nullable=False),
        sa.Column("grant_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["tasking_id"], ["taskings.id"]),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"]),
        sa.ForeignKeyConstraint(["grant_id"], ["grants.id"]),
        sa.PrimaryKeyConstraint("tasking_id", "product_id"),
    )
    with op.batch_alter_table("tasking_products", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tasking_products_product_id"), ["product_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("tasking_products", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tasking_products_product_id"))
    op.drop_table("tasking_products")
    with op.batch_alter_table("taskings", schema=None) as batch_op:
        for col in ("created_at", "status", "requester", "owner", "asset_id"):
            batch_op.drop_index(batch_op.f(f"ix_taskings_{col}"))
    op.drop_table("taskings")
