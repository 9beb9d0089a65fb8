"""The audit chain keyed with the hall's audit key and anchored at the platform: the head records
which key chains the entries from its switch point on and the chain's own id ("" for a chain
written before, whose entries keep their SHA-256 hashes; the program keys it at its next start),
and the anchors sent to the platform are kept with what became of them.

Revision ID: 0011_audit_anchors
Revises: 0010_access_log
Create Date: 2026-12-09 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.db.base

revision = "0011_audit_anchors"
down_revision = "0010_access_log"
branch_labels = None
depends_on = None

UTC_TIME = app.db.base.UtcDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("key_id", sa.String(length=40), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("chain_id", sa.String(length=32), nullable=False, server_default="")
        )
    op.create_table(
        "audit_anchors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=40), nullable=False),
        sa.Column("chain_id", sa.String(length=32), nullable=False),
        sa.Column("entry_at", UTC_TIME, nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("terminal", sa.String(length=60), nullable=False),
        sa.Column("made_at", UTC_TIME, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTC_TIME, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("acknowledged_at", UTC_TIME, nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_anchors")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_audit_anchors_entry_id")),
    )
    with op.batch_alter_table("audit_anchors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_anchors_state"), ["state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_anchors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_anchors_state"))
    op.drop_table("audit_anchors")
    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.drop_column("chain_id")
        batch_op.drop_column("key_id")
