"""告知承诺制 verified afterwards (事后核查): a case accepted with proofs replaced by the
applicant's written commitment records what was committed, which items rest on it, by when the
department checks, and the outcome — true, or false with its consequences (results revoked,
items ended, a credit record). No case before this had a material replaced by a commitment.

Revision ID: 0020_verification
Revises: 0019_assistance
Create Date: 2026-12-08 01:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_verification"
down_revision = "0019_assistance"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("verification", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("cases", "verification")
