"""Waiting periods in calendar days: a case's promise and each item's time may include a public
notice or objection period counted in calendar days (自然日) besides the working days. Existing
cases and items have none.

Revision ID: 0018_waiting_periods
Revises: 0017_outbox_payloads
Create Date: 2026-12-21 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_waiting_periods"
down_revision = "0017_outbox_payloads"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "cases",
        sa.Column("promised_calendar_days", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column(
        "case_items",
        sa.Column("calendar_days", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_column("case_items", "calendar_days")
    op.drop_column("cases", "promised_calendar_days")
