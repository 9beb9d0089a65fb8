"""Alembic environment: runs on the connection handed in by :func:`app.db.migrate.upgrade`."""

from __future__ import annotations

from alembic import context

from app.db import models  # noqa: F401  (registers the tables)
from app.db.base import Base

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
