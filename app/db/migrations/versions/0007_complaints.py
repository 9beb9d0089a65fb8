"""差评 work items: the complaint every rating of level 1 or 2 opens, and its steps (call back,
verify, rectify, re-rating, appeal, close); indexes the reports read by (cases by state and
closing time, items by decision time, ratings by time); custody events' actions widened to 40.

Revision ID: 0007_complaints
Revises: 0006_transfers
Create Date: 2026-11-26 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.db.base

revision = "0007_complaints"
down_revision = "0006_transfers"
branch_labels = None
depends_on = None

UTC = app.db.base.UtcDateTime(timezone=True)


def upgrade() -> None:
    # 0006 made custody_events.action 20 characters: "received_by_department" is 22, and
    # PostgreSQL refused it (SQLite does not check lengths).
    with op.batch_alter_table("custody_events", schema=None) as batch_op:
        batch_op.alter_column(
            "action",
            existing_type=sa.String(length=20),
            type_=sa.String(length=40),
            existing_nullable=False,
        )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_state_closed", ["state", "closed_at"], unique=False)
    with op.batch_alter_table("case_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_items_decided_at"), ["decided_at"], unique=False)
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evaluations_created_at"), ["created_at"], unique=False)

    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("receipt_no", sa.String(length=40), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("opened_at", UTC, nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("closed_at", UTC, nullable=True),
        sa.Column("closed_by", sa.String(length=60), nullable=False),
        sa.CheckConstraint("state IN ('open', 'closed')", name=op.f("ck_complaints_state")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_complaints_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["evaluations.id"],
            name=op.f("fk_complaints_evaluation_id_evaluations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
        sa.UniqueConstraint("evaluation_id", name=op.f("uq_complaints_evaluation_id")),
    )
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_complaints_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_complaints_state_due", ["state", "due_date"], unique=False)

    op.create_table(
        "complaint_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=60), nullable=False),
        sa.Column("terminal", sa.String(length=60), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_complaint_steps_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_steps")),
    )
    with op.batch_alter_table("complaint_steps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_complaint_steps_complaint_id"), ["complaint_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("custody_events", schema=None) as batch_op:
        batch_op.alter_column(
            "action",
            existing_type=sa.String(length=40),
            type_=sa.String(length=20),
            existing_nullable=False,
        )
    with op.batch_alter_table("complaint_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaint_steps_complaint_id"))
    op.drop_table("complaint_steps")
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_index("ix_complaints_state_due")
        batch_op.drop_index(batch_op.f("ix_complaints_case_id"))
    op.drop_table("complaints")
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evaluations_created_at"))
    with op.batch_alter_table("case_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_items_decided_at"))
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_state_closed")
