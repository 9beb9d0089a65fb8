"""Engines and transactions for SQLite (one terminal) and PostgreSQL (hall mode).

SQLite runs in WAL mode with ``synchronous=FULL`` so a committed case survives a power cut, and
every writing transaction starts with ``BEGIN IMMEDIATE`` so two terminals never deadlock trying to
upgrade a read lock; a reader uses a deferred ``BEGIN`` and never waits for writers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app.db.base import json_dumps
from app.db.one_terminal import refuse_network_share
from app.db.sealed import SEALER, seal_with
from app.errors import (
    DatabaseBusy,
    DiskFull,
    KeysError,
    OneStopError,
    SchemaMoved,
    StorageError,
)
from app.security.keys import AuditKeys
from app.security.private import private_file
from app.security.sealing import Sealer

log = logging.getLogger(__name__)
_SCHEMA = text("SELECT version_num FROM alembic_version")
AUDIT_KEYS = "onestop_audit_keys"
"""The execution option under which a :class:`Database`'s connections carry the hall's audit keys
(:func:`app.cases.audit.append` and ``verify`` read it), so no caller passes a key along."""


def make_engine(url: str, *, busy_timeout_s: float = 10.0, echo: bool = False) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, busy_timeout_s, echo)
    return create_engine(
        url,
        echo=echo,
        hide_parameters=True,  # errors and echo would otherwise quote names and ID numbers
        json_serializer=json_dumps,
        pool_pre_ping=True,
        connect_args={"connect_timeout": max(1, int(busy_timeout_s))},
    )


def _sqlite_engine(url: str, busy_timeout_s: float, echo: bool) -> Engine:
    database = make_url(url).database or ""
    in_memory = database in ("", ":memory:")
    if not in_memory:
        refuse_network_share(Path(database))  # SQLite's locks do not hold on a network share
        private_file(Path(database))  # owner-only before SQLite opens it (and its WAL) at all
    engine = create_engine(
        url,
        echo=echo,
        hide_parameters=True,
        json_serializer=json_dumps,
        connect_args={"timeout": busy_timeout_s},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN, not the sqlite3 module.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # What is deleted or replaced (a value before sealing, a purged case) is overwritten.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def storage_error(exc: SQLAlchemyError) -> OneStopError:
    """The error to show a person for a database failure; the original goes to the log."""
    text = str(getattr(exc, "orig", exc)).lower()
    code = getattr(getattr(exc, "orig", None), "sqlstate", None) or ""
    if "database is locked" in text or "database is busy" in text or code in ("55P03", "40P01"):
        return DatabaseBusy(
            "数据库正被其他终端占用，这次操作没有保存。",
            hint="请稍等几秒再试一次；若一直如此，请联系大厅信息管理员。",
        )
    if "disk is full" in text or "no space left" in text or code.startswith("53"):
        return DiskFull(
            "磁盘空间已满，这次操作没有保存，已有数据不受影响。",
            hint="请联系大厅信息管理员清理磁盘空间后再试。",
        )
    if isinstance(exc, DBAPIError) and exc.connection_invalidated or "connection" in text:
        return StorageError(
            "无法连接数据库，这次操作没有保存。",
            hint="请检查网络和数据库服务器；若在大厅模式，请联系信息管理员。",
        )
    log.error("database error: %s", exc)
    return StorageError(
        "数据库出错，这次操作没有保存。",
        hint="请重试；若再次出现，请联系大厅信息管理员并提供日志文件。",
    )


class Database:
    """The unit of work: one transaction per ``with db.transaction() as session``.

    Repositories and services never commit; leaving the block commits, an exception rolls back and
    a database failure becomes a :class:`StorageError` with a message a person can act on.

    ``audit_keys`` gives the hall's audit keys to every session and connection it opens (an
    execution option): the audit trail is then chained with HMAC-SM3. The composition root gives
    them; a database without (a test's, a throw-away sample's) chains with plain SHA-256 only
    while its chain has never been keyed.
    """

    def __init__(
        self, engine: Engine, *, audit_keys: AuditKeys | None = None, schema: str | None = None
    ) -> None:
        self.engine = engine
        self.audit_keys = audit_keys
        self.schema = schema
        self._checks: list[Callable[[Connection], None]] = [self._same_schema] if schema else []
        self._writer = (
            engine.execution_options(**{AUDIT_KEYS: audit_keys}) if audit_keys else engine
        )
        self._sessions = sessionmaker(self._writer, expire_on_commit=False)
        reader = self._writer.execution_options(sqlite_begin="DEFERRED")
        self._readers = sessionmaker(reader, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def seal_with(self, sealer: Sealer | None, refusal: KeysError | None = None) -> None:
        """Seal personal data written from now on with ``sealer`` (the hall's data keys), or
        refuse to write it, saying ``refusal`` (:mod:`app.db.sealed`)."""
        seal_with(self.engine.dialect, sealer, refusal)

    @property
    def sealer(self) -> Sealer | None:
        sealer: Sealer | None = getattr(self.engine.dialect, SEALER, None)
        return sealer

    def check_writes(self, check: Callable[[Connection], None]) -> None:
        """Run ``check`` at the start of every writing transaction from now on, inside it (it
        raises to refuse the write): the schema check, and on SQLite the terminal's claim."""
        self._checks.append(check)

    def _check_write(self, connection: Connection) -> None:
        for check in self._checks:
            check(connection)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        yield from self._run(self._sessions, self._check_write if self._checks else None)

    @contextmanager
    def read(self) -> Iterator[Session]:
        yield from self._run(self._readers)

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A writing transaction for plain SQL, without the ORM session's bookkeeping."""
        try:
            with self._writer.begin() as connection:
                self._check_write(connection)
                yield connection
        except SQLAlchemyError as exc:
            raise storage_error(exc) from exc

    def _same_schema(self, connection: Connection) -> None:
        """Refuse to write when the hall's database is no longer at the schema this program
        opened it at — another terminal, running a newer version, upgraded it: what this one
        wrote could miss what the newer schema expects. One primary-key read a transaction,
        in the transaction (so an upgrade cannot slip in between)."""
        found = connection.execute(_SCHEMA).scalar()
        if found != self.schema:
            raise SchemaMoved(
                f"大厅数据库已升级到新版本（{found}），本终端的程序仍是旧版本（{self.schema}），"
                "为免数据不完整，这次操作没有保存。",
                hint="请关闭并重新启动本终端（先把 OneStop 升级到大厅的新版本）后再办理；"
                "手头的纸质材料请先留存。",
            )

    @staticmethod
    def _run(
        factory: sessionmaker[Session], check: Callable[[Connection], None] | None = None
    ) -> Iterator[Session]:
        try:
            with factory() as session, session.begin():
                if check is not None:
                    check(session.connection())
                yield session
        except SQLAlchemyError as exc:
            raise storage_error(exc) from exc

    def dispose(self) -> None:
        self.engine.dispose()
