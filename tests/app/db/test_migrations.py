"""Migrations: one linear chain whose result is exactly the models' schema, on both databases."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from app.db.base import Base
from app.db.engine import make_engine
from app.db.migrate import alembic_config, current_revision, head_revision, upgrade
from app.errors import MigrationError


def test_revision_chain_is_linear() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1, "迁移链有分叉：请合并为一条"
    revisions = list(script.walk_revisions())
    assert revisions[-1].down_revision is None
    for newer, older in zip(revisions, revisions[1:], strict=False):
        assert newer.down_revision == older.revision


def test_migrations_yield_the_models_schema(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        assert upgrade(engine) == (None, head_revision())
        assert upgrade(engine) == (head_revision(), head_revision())  # idempotent
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert diff == [], f"模型与迁移不一致：{diff}"
    finally:
        engine.dispose()


def test_a_newer_schema_is_refused(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
        with pytest.raises(MigrationError, match="比本程序新"):
            upgrade(engine)
        assert current_revision(engine) == "9999"
    finally:
        engine.dispose()
