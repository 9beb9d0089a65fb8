"""An upgrade backs the database up first — SQLite's online backup, pg_dump for PostgreSQL — keeps
the last few, and changes nothing when no backup can be made; a SQLite backup can be put back."""

from __future__ import annotations

import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.db.backup import BeforeUpgrade, back_up, backups, restore_sqlite
from app.db.engine import make_engine
from app.db.migrate import current_revision, head_revision, upgrade
from app.errors import MigrationError
from app.settings import Settings
from tests.cli.test_cli import run
from tests.helpers.cores import Cores

OLD = "0011_audit_anchors"  # a schema of an earlier version, with data in it


def old_database(url: str) -> None:
    engine = make_engine(url)
    try:
        upgrade(engine, OLD)
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO receipt_counters (hall_code, day, last) VALUES (:h, :d, 17)"),
                {"h": "430100001", "d": "20261201"},
            )
    finally:
        engine.dispose()


def counters(path: Path) -> list[tuple[str, str, int]]:
    with sqlite3.connect(path) as raw:
        return list(raw.execute("SELECT hall_code, day, last FROM receipt_counters"))


def test_a_start_that_upgrades_backs_the_sqlite_database_up_first(cores: Cores) -> None:
    settings = Settings(data_dir=cores.root / "hall")
    old_database(settings.database_url)
    cores.of(settings)
    made = list(settings.backups_dir.iterdir())
    assert [p.name.startswith(f"onestop-{OLD}-") and p.suffix for p in made] == [".sqlite3"]
    copy = made[0]
    assert copy.stat().st_mode & 0o777 == 0o600  # it holds what the database holds
    with sqlite3.connect(copy) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert raw.execute("SELECT version_num FROM alembic_version").fetchone() == (OLD,)
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one file
    assert counters(copy) == [("430100001", "20261201", 17)]
    cores.of(settings)  # at the newest schema: nothing to back up
    assert list(settings.backups_dir.iterdir()) == made


def test_no_backup_no_upgrade(cores: Cores) -> None:
    blocked = cores.root / "not-a-folder"
    blocked.write_text("a file where the backups would go")
    settings = Settings(data_dir=cores.root / "hall", database={"backup_dir": blocked / "b"})
    old_database(settings.database_url)
    with pytest.raises(MigrationError) as refused:
        cores.of(settings)
    assert "没有升级" in refused.value.message and "backup_dir" in refused.value.hint
    engine = make_engine(settings.database_url)
    assert current_revision(engine) == OLD
    engine.dispose()
    # a hall that backs up by other means says so, and the upgrade goes on
    off = settings.database.model_copy(update={"backup_before_upgrade": False})
    cores.of(settings.model_copy(update={"database": off}))
    engine = make_engine(settings.database_url)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_the_last_few_backups_of_each_database_are_kept(tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    urls = [f"sqlite:///{tmp_path / name}" for name in ("onestop.sqlite3", "other.sqlite3")]
    engines = [make_engine(url) for url in urls]
    try:
        for engine in engines:
            upgrade(engine)
        other = back_up(engines[1], "x", folder, keep=2).path
        days = [datetime(2026, 12, day, 8, tzinfo=UTC) for day in (1, 2, 3, 4)]
        made = [back_up(engines[0], "x", folder, keep=2, now=day).path for day in days]
    finally:
        for engine in engines:
            engine.dispose()
    assert backups(folder, make_url(urls[0])) == made[-2:]
    assert other.exists()  # another database's backups are its own


def test_db_backup_then_restore_puts_the_sqlite_database_back(
    capsys: pytest.CaptureFixture[str], cores: Cores
) -> None:
    settings_file = cores.root / "settings.toml"
    settings_file.write_text(f'data_dir = "{cores.root / "hall"}"\n', encoding="utf-8")
    settings = Settings(data_dir=cores.root / "hall")
    old_database(settings.database_url)
    code, out, _ = run(capsys, "db", "upgrade", "--settings", str(settings_file))
    assert code == 0 and "升级前已备份数据库" in out
    code, out, _ = run(capsys, "db", "backup", "--settings", str(settings_file))
    assert code == 0 and "已备份数据库" in out and head_revision() in out
    now = max(settings.backups_dir.iterdir(), key=lambda p: p.stat().st_mtime)
    database = settings.data_dir / "onestop.sqlite3"
    with sqlite3.connect(database) as raw:
        raw.execute("UPDATE receipt_counters SET last = 99")

    code, out, _ = run(capsys, "db", "restore", str(now), "--settings", str(settings_file))
    assert code == 0 and "已用" in out
    assert counters(database) == [("430100001", "20261201", 17)]
    assert counters(database.with_name("onestop.sqlite3.replaced"))[0][2] == 99
    code, _, err = run(
        capsys, "db", "restore", str(now) + ".missing", "--settings", str(settings_file)
    )
    assert code != 0 and "找不到备份文件" in err
    code, _, err = run(
        capsys, "db", "restore", str(settings_file), "--settings", str(settings_file)
    )
    assert code != 0 and "不是完好的 OneStop 数据库备份" in err
    assert counters(database) == [("430100001", "20261201", 17)]  # left as it was


@pytest.mark.postgres
def test_pg_dump_backs_the_hall_database_up_before_an_upgrade(
    tmp_path: Path, hall_database_url: str, postgres_url: str
) -> None:
    old_database(hall_database_url)
    engine = make_engine(hall_database_url)
    backup = BeforeUpgrade(tmp_path / "backups", keep=3)
    try:
        assert upgrade(engine, backup=backup) == (OLD, head_revision())
    finally:
        engine.dispose()
    assert backup.made is not None and backup.made.path.suffix == ".dump"

    restored = "restored_" + make_url(hall_database_url).database  # type: ignore[operator]
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {restored}"))
    target = make_url(hall_database_url).set(drivername="postgresql", database=restored)
    try:
        subprocess.run(
            [
                "pg_restore",
                f"--dbname={target.render_as_string(hide_password=False)}",
                str(backup.made.path),
            ],
            check=True,
            capture_output=True,
        )
        check = create_engine(target.set(drivername="postgresql+psycopg"))
        with check.connect() as connection:
            assert connection.scalar(text("SELECT version_num FROM alembic_version")) == OLD
            assert connection.scalar(text("SELECT last FROM receipt_counters")) == 17
        check.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {restored} WITH (FORCE)"))
        admin.dispose()


@pytest.mark.postgres
def test_without_pg_dump_the_hall_database_is_not_upgraded(
    tmp_path: Path, hall_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    old_database(hall_database_url)
    monkeypatch.setenv("PATH", str(tmp_path))  # a machine without the PostgreSQL client
    engine = make_engine(hall_database_url)
    try:
        with pytest.raises(MigrationError) as refused:
            upgrade(engine, backup=BeforeUpgrade(tmp_path / "backups", keep=3))
        assert "没有 pg_dump" in refused.value.message
        assert (
            "pg_dump --format=custom" in refused.value.hint and "--no-backup" in refused.value.hint
        )
        assert current_revision(engine) == OLD
    finally:
        engine.dispose()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=4096))
def test_any_file_given_as_a_backup_is_refused_or_restored_never_crashes(
    tmp_path: Path, data: bytes
) -> None:
    """A file a person names as the backup is outside input: anything not a whole OneStop
    database is refused in Chinese and the database is left as it was."""
    given_file = tmp_path / "given.sqlite3"
    given_file.write_bytes(data)
    database = tmp_path / "onestop.sqlite3"
    database.write_bytes(b"the terminal's database")
    with pytest.raises(MigrationError, match="不是完好的 OneStop 数据库备份"):
        restore_sqlite(given_file, database)
    assert database.read_bytes() == b"the terminal's database"
