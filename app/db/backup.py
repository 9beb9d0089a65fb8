"""A copy of the hall's database before its schema changes, so an upgrade can be undone.

``onestop db upgrade`` and the automatic upgrade at start-up take one before the first migration
step (only the terminal that migrates: the others wait for it under the migration lock):

* SQLite: SQLite's online backup (``sqlite3.Connection.backup``) into
  ``data_dir/backups/onestop-<schema>-<time>.sqlite3`` — a consistent copy while other programs of
  the terminal read and write;
* PostgreSQL: ``pg_dump --format=custom`` into the same folder, the password passed in the
  environment (never on the command line). Without a working ``pg_dump`` the upgrade is refused
  with the command to run by hand, unless the hall backs up by other means (``[database]
  backup_before_upgrade = false``, or ``onestop db upgrade --no-backup`` once it has).

The last ``keep_backups`` copies of each database are kept; older ones are deleted. Copies hold
what the database holds — personal data sealed as it is there — and are owner-only like it.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import URL

from app.db.base import utcnow
from app.errors import MigrationError
from app.security.private import private_file, private_folder

log = logging.getLogger(__name__)
PG_DUMP_TIMEOUT_S = 3600


@dataclass(frozen=True)
class Backup:
    path: Path
    schema: str
    bytes: int


def _stamp(now: datetime) -> str:
    return now.strftime("%Y%m%d-%H%M%S")


def _name(url: URL) -> str:
    """The database's name in a backup's file name (letters, digits, - and _ only)."""
    if url.get_backend_name() == "sqlite":
        stem = Path(url.database or "memory").stem
    else:
        stem = f"{url.host or 'local'}-{url.database or 'postgres'}"
    return re.sub(r"[^\w-]+", "_", stem, flags=re.ASCII)


def backups(folder: Path, url: URL) -> list[Path]:
    """The backups of this database in ``folder``, oldest first."""
    if not folder.is_dir():
        return []
    prefix = _name(url) + "-"
    return sorted(
        (
            p
            for p in folder.iterdir()
            if p.name.startswith(prefix) and p.suffix in (".sqlite3", ".dump")
        ),
        key=lambda p: (p.stat().st_mtime, p.name),
    )


def back_up(
    engine: Engine, schema: str, folder: Path, *, keep: int, now: datetime | None = None
) -> Backup:
    """A backup of ``engine``'s database (at ``schema``) in ``folder``; the oldest beyond ``keep``
    are deleted. Refused with what to do when it cannot be made."""
    url = engine.url
    stem = f"{_name(url)}-{schema}-{_stamp(now or utcnow())}"
    try:
        private_folder(folder)
        if url.get_backend_name() == "sqlite":
            path = _sqlite(url, folder / f"{stem}.sqlite3")
        else:
            path = _pg_dump(url, folder / f"{stem}.dump")
    except OSError as exc:
        raise MigrationError(
            f"升级数据库前无法在 {folder} 备份（{exc.strerror or exc}），数据库没有升级。",
            hint="请检查备份文件夹（设置文件 [database] backup_dir，默认数据目录下的 backups）"
            "是否可写、磁盘是否已满，再重新启动。",
        ) from exc
    log.info("database backed up before upgrading from %s: %s", schema, path)
    for old in backups(folder, url)[:-keep] if keep > 0 else []:
        old.unlink(missing_ok=True)
        log.info("older database backup removed: %s", old)
    return Backup(path, schema, path.stat().st_size)


def _sqlite(url: URL, target: Path) -> Path:
    source = url.database or ""
    partial = target.with_suffix(".partial")
    private_file(partial)
    try:
        with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(partial)) as copy:
            live.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one file, nothing beside it
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise MigrationError(
            f"升级数据库前无法备份（{exc}），数据库没有升级。",
            hint=f"请检查备份文件夹 {target.parent} 是否可写、磁盘是否已满，再重新启动。",
        ) from exc
    partial.replace(target)
    return target


def _pg_dump(url: URL, target: Path) -> Path:
    """``pg_dump`` of the hall's database; the password goes in PGPASSWORD."""
    plain = url.set(drivername="postgresql", password=None)
    by_hand = (
        f'pg_dump --format=custom --file="{target}" "{plain.render_as_string(hide_password=False)}"'
    )
    program = shutil.which("pg_dump")
    if program is None:
        raise MigrationError(
            "数据库需要升级，升级前要先备份，但本机没有 pg_dump，数据库没有升级。",
            hint="请安装与数据库服务器同一版本的 PostgreSQL 客户端（postgresql-client）后重新启动；"
            f"或由信息管理员在任一台机器上备份：{by_hand}，"
            "再运行 onestop db upgrade --no-backup 完成升级。",
        )
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    partial = target.with_suffix(".partial")
    private_file(partial)
    try:
        done = subprocess.run(  # noqa: S603 - a fixed program and arguments, no shell
            [
                program,
                "--format=custom",
                f"--file={partial}",
                plain.render_as_string(hide_password=False),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=PG_DUMP_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        partial.unlink(missing_ok=True)
        raise _dump_failed(str(exc), by_hand) from exc
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        raise _dump_failed(done.stderr.strip().splitlines()[-1:] or ["pg_dump 失败"], by_hand)
    partial.replace(target)
    return target


def _dump_failed(reason: object, by_hand: str) -> MigrationError:
    said = reason[0] if isinstance(reason, list) else reason
    log.error("pg_dump before upgrading failed: %s", said)
    return MigrationError(
        f"升级数据库前用 pg_dump 备份失败（{said}），数据库没有升级。",
        hint="常见原因：pg_dump 的版本比数据库服务器旧、磁盘已满。"
        f"请信息管理员处理后重新启动，或在任一台机器上备份：{by_hand}，"
        "再运行 onestop db upgrade --no-backup 完成升级。",
    )


def restore_sqlite(backup: Path, database: Path) -> None:
    """Put a SQLite backup back in place of ``database`` (the terminal's programs stopped). Both
    copies go through SQLite's backup, so what the database's write-ahead log holds is neither
    lost nor left to mix with the restored pages; the replaced database is kept beside it as
    ``<name>.replaced``."""
    try:
        with sqlite3.connect(f"file:{backup}?mode=ro", uri=True) as check:
            good = check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            schema = check.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        good, schema = False, None
    if not good or schema is None:
        raise MigrationError(
            f"{backup} 不是完好的 OneStop 数据库备份，没有恢复。",
            hint="请换一份备份（onestop db backup 或升级前生成的 .sqlite3 文件）再试。",
        )
    if database.exists():
        kept = database.with_name(database.name + ".replaced")
        kept.unlink(missing_ok=True)
        private_file(kept)
        with closing(sqlite3.connect(database)) as live, closing(sqlite3.connect(kept)) as copy:
            live.backup(copy)
    private_file(database)
    with closing(sqlite3.connect(backup)) as source, closing(sqlite3.connect(database)) as live:
        source.backup(live)


class BeforeUpgrade:
    """What :func:`app.db.migrate.upgrade` calls to back up a database it is about to change;
    ``made`` is the backup taken, if one was."""

    def __init__(self, folder: Path, keep: int) -> None:
        self.folder, self.keep = folder, keep
        self.made: Backup | None = None

    def __call__(self, engine: Engine, schema: str) -> None:
        self.made = back_up(engine, schema, self.folder, keep=self.keep)
