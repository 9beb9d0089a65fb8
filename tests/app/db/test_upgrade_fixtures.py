"""Databases made by earlier versions of OneStop, with their data (tests/fixtures/schemas, made by
each version's own code: see the README there), started by today's: the old rows keep their
meaning, personal data reads back through today's services once sealed, the audit chain
verifies, and every migration's decision for the cases already there holds."""

from __future__ import annotations

import gzip
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from app.backfills import REGISTERED
from app.cases.audit_verify import verify
from app.cases.evaluation import POOR_LEVELS
from app.cases.queries import CaseQuery
from app.cases.states import IN_DEPARTMENTS, RECEIVED
from app.db.migrate import head_revision
from app.db.models import BackfillRow, ComplaintRow, TransferItemRow
from app.security.keys import init_keys, load_keys, rotate
from app.settings import Settings
from app.transfers.snapshots import UNTRACED
from tests.helpers.cores import Cores

FIXTURES = Path(__file__).parents[2] / "fixtures" / "schemas"
SCHEMAS = sorted(p.name.removesuffix(".sql.gz") for p in FIXTURES.glob("*.sql.gz"))


def test_a_fixture_for_every_earlier_schema() -> None:
    """One for each schema before today's head, each made by its own version's code (README):
    a hall may be on any of them when it upgrades."""
    assert SCHEMAS == [
        "0001", "0002", "0003", "0004", "0005", "0006", "0007",
        "0008", "0009", "0010", "0011", "0012", "0013",
    ]  # fmt: skip


def _load(schema: str, folder: Path) -> sqlite3.Connection:
    folder.mkdir(parents=True, exist_ok=True)
    database = sqlite3.connect(folder / "onestop.sqlite3")
    database.executescript(gzip.decompress((FIXTURES / f"{schema}.sql.gz").read_bytes()).decode())
    files = FIXTURES / f"{schema}.files"
    if files.is_dir():
        shutil.copytree(files, folder / "files")
    return database


def _key_file(schema: str, folder: Path) -> Path:
    """The hall's key file of that time (from 0011 on), with a data key added as ``onestop keys
    rotate data`` adds it to a file from before sealing; a new one before keyed chains."""
    path = folder / "hall-keys.toml"
    kept = FIXTURES / f"{schema}.hall-keys.toml"
    if kept.exists():
        shutil.copy(kept, path)
        path.chmod(0o600)
        if "[data]" not in kept.read_text(encoding="utf-8"):
            rotate(path, "data")
    else:
        init_keys(path)
    return path


def _rows(database: sqlite3.Connection, sql: str) -> list[tuple[Any, ...]]:
    return sorted(database.execute(sql).fetchall())


CASES = "SELECT id, receipt_no, state, scenario_code, accepted_at IS NOT NULL FROM cases"
ITEMS = "SELECT case_id, item_id, state, department FROM case_items"
MATERIALS = "SELECT case_id, material_id, status, copies FROM case_materials"


@pytest.fixture(params=SCHEMAS)
def upgraded(request: pytest.FixtureRequest, tmp_path: Path, cores: Cores) -> Any:
    schema = request.param
    folder = tmp_path / schema
    old = _load(schema, folder)
    before = {sql: _rows(old, sql) for sql in (CASES, ITEMS, MATERIALS)}
    people = {} if schema >= "0012" else dict(_rows(old, "SELECT id, applicant_name FROM cases"))
    numbers = _rows(old, "SELECT id, applicant_id_number FROM cases") if schema < "0012" else []
    ledger_before = (
        {r[0] for r in _rows(old, "SELECT DISTINCT case_id FROM transfer_items")}
        if schema >= "0006"
        else set()
    )
    old.close()
    key_file = _key_file(schema, folder)
    settings = Settings(data_dir=folder, security={"key_file": key_file})
    core = cores.of(settings)
    return schema, core, before, people, numbers, ledger_before


def test_old_rows_keep_their_meaning(upgraded: Any) -> None:
    schema, core, before, people, numbers, _ = upgraded
    with core.db.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == (
            head_revision()
        )
        raw = connection.connection.dbapi_connection
        assert raw is not None
        for sql, rows in before.items():
            assert sorted(raw.execute(sql).fetchall()) == rows, sql
        sealed = raw.execute("SELECT applicant_name FROM cases").fetchall()
    assert all(name.startswith(("SM4", "s1:", "$")) or len(name) > 40 for (name,) in sealed), (
        "个人信息没有加密"
    )
    for case_id, name in people.items():
        receipt = next(r[1] for r in before[CASES] if r[0] == case_id)
        assert core.cases.get(receipt).applicant.name == name
    for case_id, number in numbers:
        receipt = next(r[1] for r in before[CASES] if r[0] == case_id)
        found = core.queries.find(CaseQuery(id_number=number))
        assert receipt in {c.receipt_no for c in found}


def test_the_audit_chain_verifies(upgraded: Any) -> None:
    _, core, *_ = upgraded
    with core.db.read() as session:
        report = verify(session, load_keys(core.settings.key_file).audit)
    assert report.ok, report.problems


def test_every_migrations_decision_for_earlier_cases_holds(upgraded: Any) -> None:
    schema, core, before, _, _, ledger_before = upgraded
    with core.db.read() as session:
        assert session.scalars(select(BackfillRow).where(BackfillRow.done_at.is_(None))).all() == []
        poor = session.execute(text("SELECT id FROM evaluations WHERE level IN (1, 2)")).scalars()
        opened = set(session.scalars(select(ComplaintRow.evaluation_id)))
        assert set(poor) <= opened  # 0007: every 差评 has its work item
        assert {1, 2} == POOR_LEVELS
        unchecked = session.execute(
            text("SELECT count(*) FROM case_materials WHERE checked_at IS NOT NULL")
        ).scalar_one()
        if schema < "0008":
            assert unchecked == 0  # 0008: not looked at, is all that is known
        with_papers = set(session.scalars(select(TransferItemRow.case_id)))
    waiting = {i.receipt_no for i in core.transfers.waiting()}
    states = {r[0]: (r[1], r[2], r[4]) for r in before[CASES]}
    received = {(r[0]) for r in before[MATERIALS] if r[2] in RECEIVED}
    for case_id, (receipt, state, accepted) in states.items():
        if not accepted or case_id in ledger_before:
            continue
        trace = core.transfers.trace(receipt)
        if state in IN_DEPARTMENTS and case_id in received and case_id in with_papers:
            assert receipt in waiting  # 0006, caught up by 0015: its papers can be batched
            assert all(e.note == REGISTERED for e in trace.events)
        elif state not in IN_DEPARTMENTS:
            assert trace.note == UNTRACED and not trace.items
    if schema < "0006":
        open_with_papers = [
            c for c, (_, s, a) in states.items() if a and s in IN_DEPARTMENTS and c in received
        ]
        assert open_with_papers and set(open_with_papers) <= with_papers
