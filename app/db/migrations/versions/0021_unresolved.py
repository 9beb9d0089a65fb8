"""办不成事 反映 (国办发〔2025〕24号 (九)): the reports of matters someone could not get done, with
their grade, deadline, handling and outcome, and the 12345 work order's number. A new table;
no report was kept before.

Revision ID: 0021_unresolved
Revises: 0020_verification
Create Date: 2026-12-08 02:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.db.base

UTC_TIME = app.db.base.UtcDateTime(timezone=True)

revision = "0021_unresolved"
down_revision = "0020_verification"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unresolved_reports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ref_no", sa.String(40), nullable=False),
        sa.Column("source", sa.String(12), nullable=False),
        sa.Column("order_no", sa.String(60), nullable=False),
        sa.Column("grade", sa.String(12), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("scenario_code", sa.String(20), nullable=False),
        sa.Column("scenario_name", sa.String(200), nullable=False),
        sa.Column("department", sa.String(200), nullable=False),
        sa.Column("receipt_no", sa.String(40), nullable=False),
        sa.Column("reported_at", UTC_TIME, nullable=False),
        sa.Column("due_at", UTC_TIME, nullable=False),
        sa.Column("assigned_to", sa.String(100), nullable=False),
        sa.Column("answered_at", UTC_TIME, nullable=True),
        sa.Column("closed_at", UTC_TIME, nullable=True),
        sa.Column("outcome", sa.String(12), nullable=False),
        sa.Column("reported_by", sa.String(60), nullable=False),
        sa.Column("person", sa.JSON(), nullable=False),
        sa.Column("what", sa.JSON(), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.UniqueConstraint("ref_no", name=op.f("uq_unresolved_reports_ref_no")),
        sa.CheckConstraint(
            "grade IN ('urgent', 'ordinary')", name=op.f("ck_unresolved_reports_grade")
        ),
        sa.CheckConstraint(
            "state IN ('open', 'assigned', 'called_back', 'closed')",
            name=op.f("ck_unresolved_reports_state"),
        ),
    )
    op.create_index("ix_unresolved_reports_order_no", "unresolved_reports", ["order_no"])
    op.create_index("ix_unresolved_reports_reported_at", "unresolved_reports", ["reported_at"])
    op.create_index("ix_unresolved_state_due", "unresolved_reports", ["state", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_unresolved_state_due", "unresolved_reports")
    op.drop_index("ix_unresolved_reports_reported_at", "unresolved_reports")
    op.drop_index("ix_unresolved_reports_order_no", "unresolved_reports")
    op.drop_table("unresolved_reports")
