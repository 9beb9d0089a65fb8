"""An audit chain per terminal: ``audit_head`` holds one row per chain, keyed by the terminal
whose chain it is, and each entry names its chain — so the terminals of a hall no longer wait for
one another's entries on a single head row. The chain written before stays whole as the chain
"" (its head row and entries keep everything they had; the programs key it at their next start
when it never was); entries from now on go to their terminal's chain.

Downgrading keeps only the chain "" (the entries of the terminals' chains stay, but the single
chain no longer verifies over them).

Revision ID: 0016_audit_chain_per_terminal
Revises: 0015_earlier_cases
Create Date: 2026-12-20 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_audit_chain_per_terminal"
down_revision = "0015_earlier_cases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # audit_log in place (a batch rebuild of the largest table would copy every entry).
    op.add_column(
        "audit_log",
        sa.Column("chain", sa.String(length=60), nullable=False, server_default=""),
    )
    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("terminal", sa.String(length=60), nullable=False, server_default="")
        )
        batch_op.drop_constraint("pk_audit_head", type_="primary")
        batch_op.drop_column("id")
        batch_op.create_primary_key("pk_audit_head", ["terminal"])


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM audit_head WHERE terminal <> ''"))
    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.add_column(sa.Column("id", sa.Integer(), nullable=False, server_default="1"))
        batch_op.drop_constraint("pk_audit_head", type_="primary")
        batch_op.drop_column("terminal")
        batch_op.create_primary_key("pk_audit_head", ["id"])
    op.drop_column("audit_log", "chain")
