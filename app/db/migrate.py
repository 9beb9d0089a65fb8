"""Bring a database to the newest schema with Alembic (``onestop db upgrade``, and at start-up)."""

from __future__ import annotations

import logging
from importlib.resources import files
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from app.db.engine import storage_error
from app.errors import MigrationError

log = logging.getLogger(__name__)


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(str(files("app.db") / "migrations"))))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _known(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except CommandError:
        return False


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str]:
    """Upgrade to ``revision``; returns (before, after). A newer unknown schema is refused."""
    config = alembic_config()
    script = ScriptDirectory.from_config(config)
    try:
        before = current_revision(engine)
        if before is not None and not _known(script, before):
            raise MigrationError(
                f"数据库的结构版本 {before} 比本程序新。",
                hint="请把本终端的 OneStop 升级到与大厅其他终端相同的版本。",
            )
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
        after = current_revision(engine)
    except SQLAlchemyError as exc:
        raise storage_error(exc) from exc
    if before != after:
        log.info("database upgraded from %s to %s", before, after)
    return before, after or ""
