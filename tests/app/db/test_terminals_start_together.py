"""A hall's terminals start together on one PostgreSQL database — the morning after an update,
forty of them within a minute: one migrates, the others wait for it (saying so) and all start, on
an empty database and on one of an older schema; the hall ends with one set of data keys and one
keyed audit chain."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from app.db.engine import make_engine
from app.db.migrate import MIGRATION_LOCK, current_revision, head_revision, upgrade
from tests.helpers.keys import set_up

ROOT = Path(__file__).resolve().parents[3]
TERMINALS = 8
START = """
import sys
from pathlib import Path
from app.bootstrap import build_core, open_database
from app.settings import Settings
n, url, folder, key_file, what = sys.argv[1:]
settings = Settings(
    data_dir=Path(folder) / f"t{n}",
    database={"url": url},
    terminal={"name": f"counter-{n}"},
    security={"key_file": key_file},
)
if what == "core":  # the whole start, catch-up after an upgrade included
    build_core(settings).close()
else:
    db = open_database(settings)
    assert db.sealer is not None, "started without the hall's data keys"
    db.dispose()
print("started")
"""


@pytest.fixture
def hall_url(postgres_url: str) -> str:
    name = f"hall{os.getpid()}_{time.monotonic_ns() % 10**9}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return postgres_url.rsplit("/", 1)[0] + f"/{name}"


def start_together(url: str, tmp_path: Path) -> list[subprocess.CompletedProcess[str]]:
    key_file = set_up(tmp_path / "keys" / "hall-keys.toml")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = [
        subprocess.Popen(
            [sys.executable, "-c", START, str(n), url, str(tmp_path), str(key_file), "db"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(TERMINALS)
    ]
    done = []
    for process in started:
        out, err = process.communicate(timeout=120)
        done.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return done


def the_hall_is_whole(url: str) -> None:
    engine = make_engine(url)
    try:
        assert current_revision(engine) == head_revision()
        with engine.connect() as connection:
            keys = connection.execute(text("SELECT purpose FROM data_keys ORDER BY 1")).all()
            switches: dict[str, int] = dict(
                connection.execute(
                    text(
                        "SELECT chain, count(*) FROM audit_log WHERE action = 'chain_keyed' "
                        "GROUP BY chain"
                    )
                ).all()
            )
    finally:
        engine.dispose()
    assert [k.purpose for k in keys] == ["data", "index"]  # one set for the hall, not one each
    # one keyed chain per terminal, keyed once
    assert switches == {f"counter-{n}": 1 for n in range(TERMINALS)}


@pytest.mark.postgres
def test_eight_terminals_start_together_on_an_empty_database(hall_url: str, tmp_path: Path) -> None:
    done = start_together(hall_url, tmp_path)
    failed = [(d.returncode, d.stderr[-600:]) for d in done if d.returncode != 0]
    assert not failed, failed
    assert all(d.stdout.strip() == "started" for d in done)
    the_hall_is_whole(hall_url)


@pytest.mark.postgres
def test_eight_terminals_start_together_on_an_older_database(hall_url: str, tmp_path: Path) -> None:
    engine = make_engine(hall_url)
    upgrade(engine, "0005_help_requests")  # a hall database of an earlier version
    engine.dispose()
    done = start_together(hall_url, tmp_path)
    failed = [(d.returncode, d.stderr[-600:]) for d in done if d.returncode != 0]
    assert not failed, failed
    the_hall_is_whole(hall_url)


@pytest.mark.postgres
def test_an_upgrade_waits_for_the_one_under_way_and_says_so(hall_url: str) -> None:
    holder = create_engine(hall_url.replace("postgresql+psycopg", "postgresql+psycopg"))
    with holder.connect() as connection:  # another terminal migrating
        connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK})
        connection.commit()
        upgrading = subprocess.Popen(
            [sys.executable, "-m", "app.cli.main", "db", "upgrade", "--url", hall_url],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert upgrading.stdout is not None
        first = upgrading.stdout.readline()
        assert "另一台终端正在升级数据库，请稍候" in first, first
        assert upgrading.poll() is None  # still waiting
        connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK})
        connection.commit()
        rest = upgrading.communicate(timeout=60)[0]
    holder.dispose()
    assert upgrading.returncode == 0 and "升级到" in rest, rest


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_a_terminal_older_than_the_schema_stops_writing(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """A terminal still running the previous version after another upgraded the hall's
    database: its next write is refused with what to do, and nothing of it is kept."""
    from app.bootstrap import build_core
    from app.errors import SchemaMoved
    from app.settings import Settings
    from tests.helpers.cases import open_newborn

    url = request.getfixturevalue("hall_url") if backend == "postgresql" else ""
    settings = Settings(
        data_dir=tmp_path / "old", database={"url": url}, terminal={"name": "counter-old"}
    )
    core = build_core(settings)
    try:
        open_newborn(core.cases, core.catalog)  # writes while the schema is its own
        with core.db.engine.begin() as connection:  # a newer terminal upgrades the hall
            connection.execute(text("UPDATE alembic_version SET version_num = '0099_newer'"))
        with pytest.raises(SchemaMoved, match="大厅数据库已升级到新版本（0099_newer）") as moved:
            open_newborn(core.cases, core.catalog)
        assert "重新启动本终端" in moved.value.hint
        with core.db.read() as session:  # reads still answer; nothing of the refused write
            assert session.execute(text("SELECT count(*) FROM cases")).scalar_one() == 1
    finally:
        core.close()


@pytest.mark.postgres
def test_terminals_starting_together_catch_earlier_cases_up_once(
    hall_url: str, tmp_path: Path
) -> None:
    """The cases an upgrade left without paper-trail entries are caught up at the next start;
    with the hall's terminals starting together, each case's papers are registered once."""
    from app.bootstrap import build_core
    from app.settings import Settings
    from tests.helpers.cases import accepted

    key_file = set_up(tmp_path / "keys" / "hall-keys.toml")
    settings = Settings(
        data_dir=tmp_path / "first",
        database={"url": hall_url},
        security={"key_file": key_file},
    )
    core = build_core(settings)
    ids = [accepted(core.cases, core.catalog).id for _ in range(30)]
    core.close()
    engine = make_engine(hall_url)
    with engine.begin() as connection:
        papers = connection.execute(text("SELECT count(*) FROM transfer_items")).scalar_one()
        # as a case accepted before the paper trail existed, listed by migration 0015
        connection.execute(text("DELETE FROM transfer_items"))
        connection.execute(
            text("INSERT INTO backfills (name, pending, recorded_at) VALUES (:n, :p, now())"),
            {"n": "transfer_ledger", "p": json.dumps(ids)},
        )
    assert papers >= len(ids)

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = [
        subprocess.Popen(
            [sys.executable, "-c", START, str(n), hall_url, str(tmp_path), str(key_file), "core"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    for process in started:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0 and "started" in out, err
    with engine.connect() as connection:
        again = connection.execute(text("SELECT count(*) FROM transfer_items")).scalar_one()
        twice = connection.execute(
            text(
                "SELECT count(*) FROM (SELECT case_id, ref FROM transfer_items "
                "GROUP BY case_id, ref HAVING count(*) > 1) AS d"
            )
        ).scalar_one()
        done = connection.execute(
            text("SELECT count(*) FROM audit_log WHERE action = 'backfilled'")
        ).scalar_one()
    engine.dispose()
    assert (again, twice, done) == (papers, 0, 1)
