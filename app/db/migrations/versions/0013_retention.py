"""Retention: a case records when its personal data and scans were cleared after the hall's
retention period, and the audit head records the chain's format (2: entries hash keyed digests of
their before and after, so a purged case's entries can drop them without breaking the chain).

Revision ID: 0013_retention
Revises: 0012_sealed_personal_data
Create Date: 2026-12-14 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.db.base

revision = "0013_retention"
down_revision = "0012_sealed_personal_data"
branch_labels = None
depends_on = None

UTC_TIME = app.db.base.UtcDateTime(timezone=True)


def upgrade() -> None:
    # No batch mode: on SQLite it would rebuild ``cases``, and dropping the old table would
    # cascade to every row that refers to it. SQLite adds a column and an index in place.
    op.add_column("cases", sa.Column("purged_at", UTC_TIME, nullable=True))
    op.create_index(op.f("ix_cases_purged_at"), "cases", ["purged_at"], unique=False)
    op.add_column(
        "audit_head", sa.Column("format", sa.Integer(), nullable=False, server_default="1")
    )


def downgrade() -> None:
    op.drop_column("audit_head", "format")
    op.drop_index(op.f("ix_cases_purged_at"), table_name="cases")
    op.drop_column("cases", "purged_at")
