"""A locked database and a full disk end in a typed error and leave everything as it was."""

from __future__ import annotations

import errno
import os
import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from app.cases.files import FileStore
from app.cases.service import CaseService
from app.catalog.catalog import Catalog
from app.db.engine import Database, make_engine
from app.db.migrate import upgrade
from app.db.models import AuditEntry, CaseRow
from app.errors import DatabaseBusy, DiskFull
from tests.helpers.cases import open_newborn
from tests.helpers.clock import WallClock


def counts(db: Database) -> tuple[int, int]:
    with db.read() as session:
        return (
            session.scalar(select(func.count()).select_from(CaseRow)) or 0,
            session.scalar(select(func.count()).select_from(AuditEntry)) or 0,
        )


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Database:
    engine = make_engine(f"sqlite:///{tmp_path / 'hall.sqlite3'}", busy_timeout_s=0.2)
    upgrade(engine)
    return Database(engine)


def test_locked_database_is_busy_not_a_crash(
    sqlite_db: Database, catalog: Catalog, tmp_path: Path, clock: WallClock
) -> None:
    service = CaseService(
        sqlite_db, catalog, FileStore(tmp_path / "f"), hall_code="430100001", clock=clock
    )
    open_newborn(service, catalog)
    other = sqlite3.connect(tmp_path / "hall.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another terminal holds the write lock
    try:
        with pytest.raises(DatabaseBusy) as caught:
            open_newborn(service, catalog)
        assert "稍等" in caught.value.hint
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert counts(sqlite_db) == (1, 1)
    open_newborn(service, catalog)  # and it works again once the lock is gone
    assert counts(sqlite_db) == (2, 2)


def test_full_database_is_disk_full(
    sqlite_db: Database, catalog: Catalog, tmp_path: Path, clock: WallClock
) -> None:
    service = CaseService(
        sqlite_db, catalog, FileStore(tmp_path / "f"), hall_code="430100001", clock=clock
    )
    open_newborn(service, catalog)
    with sqlite_db.read() as session:
        pages = session.connection().exec_driver_sql("PRAGMA page_count").scalar_one()

    @event.listens_for(sqlite_db.engine, "connect")
    def _cap(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

    sqlite_db.engine.dispose()  # new connections get the cap: the "disk" is now full
    with pytest.raises(DiskFull, match="磁盘空间已满"):
        for _ in range(50):
            open_newborn(service, catalog)
    event.remove(sqlite_db.engine, "connect", _cap)
    sqlite_db.engine.dispose()
    cases, audits = counts(sqlite_db)
    assert cases == audits  # every stored case has its audit entry, nothing half-written


def test_full_disk_for_scans(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = FileStore(tmp_path / "files")

    def no_space(*_args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("app.cases.files.os.fsync", no_space)
    with pytest.raises(DiskFull, match="扫描件没有保存"):
        store.put(b"page")
    assert not any(p.is_file() for p in (tmp_path / "files").rglob("*"))


def test_a_power_cut_mid_write_leaves_nothing_after_the_next_start(tmp_path: Path) -> None:
    """A half-written scan (someone's page) in the store's temporary folder goes at the next
    start; one written a moment ago may be another terminal's save under way and stays."""
    store = FileStore(tmp_path / "files")
    kept = store.put(b"%PDF- a whole scan")
    (tmp_path / "files" / "tmp").mkdir(exist_ok=True)
    stale = tmp_path / "files" / "tmp" / "tmpa1b2c3"
    stale.write_bytes(b"%PDF- half of a page")
    hour_ago = time.time() - 3700
    os.utime(stale, (hour_ago, hour_ago))
    fresh = tmp_path / "files" / "tmp" / "tmpd4e5f6"
    fresh.write_bytes(b"%PDF- being written by the next window")
    assert store.sweep() == 1
    assert not stale.exists() and fresh.exists()
    assert store.read(kept) == b"%PDF- a whole scan"
    assert FileStore(tmp_path / "nowhere").sweep() == 0  # a store not made yet
