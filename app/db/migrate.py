"""Bring a database to the newest schema with Alembic (``onestop db upgrade``, and at start-up).

A hall's forty terminals start within a minute of each other on the morning after an update, all
on one PostgreSQL database: the upgrade runs under a session-level advisory lock, so one terminal
migrates while the others wait (saying so, through ``waiting``) and then find the schema at head.
A SQLite database belongs to one terminal; its writer lock (``BEGIN IMMEDIATE``) already keeps a
second process out of a migration under way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from app.db.engine import storage_error
from app.errors import MigrationError

log = logging.getLogger(__name__)
MIGRATION_LOCK = 7_343_201_204  # pg_advisory_lock key: "onestop migrate", one per database
UPGRADING = "另一台终端正在升级数据库，请稍候…"


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


def upgrade(
    engine: Engine,
    revision: str = "head",
    *,
    waiting: Callable[[str], None] | None = None,
    backup: Callable[[Engine, str], object] | None = None,
) -> tuple[str | None, str]:
    """Upgrade to ``revision``; returns (before, after). A newer unknown schema is refused.
    On PostgreSQL another process's upgrade under way is waited for; ``waiting`` is told so.
    ``backup`` is called with the schema found before a database that has one is changed (by
    the one process that migrates, under the lock); when it raises, nothing is changed."""
    config = alembic_config()
    script = ScriptDirectory.from_config(config)
    try:
        with engine.connect() as holder, _migration_lock(holder, waiting):
            before = current_revision(engine)
            if before is not None and not _known(script, before):
                raise MigrationError(
                    f"数据库的结构版本 {before} 比本程序新。",
                    hint="请把本终端的 OneStop 升级到与大厅其他终端相同的版本。",
                )
            if before != script.get_current_head() or revision != "head":
                if backup is not None and before is not None and before != revision:
                    backup(engine, before)
                with engine.begin() as connection:
                    config.attributes["connection"] = connection
                    command.upgrade(config, revision)
            after = current_revision(engine)
    except SQLAlchemyError as exc:
        raise storage_error(exc) from exc
    if before != after:
        log.info("database upgraded from %s to %s", before, after)
    return before, after or ""


@contextmanager
def _migration_lock(
    connection: Connection, waiting: Callable[[str], None] | None
) -> Iterator[None]:
    """Hold the database's migration lock (PostgreSQL; nothing to hold on SQLite), telling
    ``waiting`` when another process has it."""
    if connection.dialect.name != "postgresql":
        yield
        return
    key = {"key": MIGRATION_LOCK}
    got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), key).scalar_one()
    connection.commit()
    if not got:
        log.info("waiting for another terminal's database upgrade")
        if waiting is not None:
            waiting(UPGRADING)
        connection.execute(text("SELECT pg_advisory_lock(:key)"), key)
        connection.commit()
    try:
        yield
    finally:
        connection.execute(text("SELECT pg_advisory_unlock(:key)"), key)
        connection.commit()
