"""The paper trail (GB/T 45836 §7.7): transfer items, batches and their custody events; the time
results reached the window; indexes for the reports' periods (accepted_at, completed_at).

Revision ID: 0006_transfers
Revises: 0005_help_requests
Create Date: 2026-11-23 20:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.db.base

revision = "0006_transfers"
down_revision = "0005_help_requests"
branch_labels = None
depends_on = None

UTC = app.db.base.UtcDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("results_at_window", UTC, nullable=True))
        batch_op.create_index(batch_op.f("ix_cases_accepted_at"), ["accepted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_completed_at"), ["completed_at"], unique=False)

    op.create_table(
        "transfer_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_no", sa.String(length=40), nullable=False),
        sa.Column("department", sa.String(length=100), nullable=False),
        sa.Column("route", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("created_by", sa.String(length=60), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("sent_by", sa.String(length=60), nullable=False),
        sa.Column("sent_at", UTC, nullable=True),
        sa.Column("courier", sa.String(length=40), nullable=False),
        sa.Column("waybill", sa.String(length=40), nullable=False),
        sa.Column("waybill_warning", sa.String(length=200), nullable=False),
        sa.Column("pickup", sa.JSON(), nullable=True),
        sa.Column("signature_sha", sa.String(length=64), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("receipt_sha", sa.String(length=64), nullable=True),
        sa.Column("confirmed_by", sa.String(length=60), nullable=False),
        sa.Column("confirmed_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["receipt_sha"],
            ["stored_files.sha256"],
            name=op.f("fk_transfer_batches_receipt_sha_stored_files"),
        ),
        sa.ForeignKeyConstraint(
            ["signature_sha"],
            ["stored_files.sha256"],
            name=op.f("fk_transfer_batches_signature_sha_stored_files"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_batches")),
        sa.UniqueConstraint("batch_no", name=op.f("uq_transfer_batches_batch_no")),
    )
    with op.batch_alter_table("transfer_batches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_transfer_batches_department"), ["department"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_transfer_batches_state"), ["state"], unique=False)

    op.create_table(
        "transfer_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("receipt_no", sa.String(length=40), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ref", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("department", sa.String(length=100), nullable=False),
        sa.Column("originals", sa.Integer(), nullable=False),
        sa.Column("copies", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("promised_date", sa.Date(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.CheckConstraint(
            "direction IN ('out', 'back')", name=op.f("ck_transfer_items_direction")
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["transfer_batches.id"],
            name=op.f("fk_transfer_items_batch_id_transfer_batches"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_transfer_items_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_items")),
    )
    with op.batch_alter_table("transfer_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_transfer_items_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_transfer_items_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            "ix_transfer_items_waiting", ["state", "department", "created_at"], unique=False
        )

    op.create_table(
        "custody_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("from_party", sa.String(length=100), nullable=False),
        sa.Column("to_party", sa.String(length=100), nullable=False),
        sa.Column("batch_no", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=60), nullable=False),
        sa.Column("terminal", sa.String(length=60), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["transfer_items.id"],
            name=op.f("fk_custody_events_item_id_transfer_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custody_events")),
    )
    with op.batch_alter_table("custody_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_custody_events_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("custody_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_custody_events_case_id"))
    op.drop_table("custody_events")
    with op.batch_alter_table("transfer_items", schema=None) as batch_op:
        batch_op.drop_index("ix_transfer_items_waiting")
        batch_op.drop_index(batch_op.f("ix_transfer_items_case_id"))
        batch_op.drop_index(batch_op.f("ix_transfer_items_batch_id"))
    op.drop_table("transfer_items")
    with op.batch_alter_table("transfer_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transfer_batches_state"))
        batch_op.drop_index(batch_op.f("ix_transfer_batches_department"))
    op.drop_table("transfer_batches")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_completed_at"))
        batch_op.drop_index(batch_op.f("ix_cases_accepted_at"))
        batch_op.drop_column("results_at_window")
