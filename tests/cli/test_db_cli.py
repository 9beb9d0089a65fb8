"""``onestop db upgrade`` and ``onestop audit verify`` as a hall's IT staff run them."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from app.catalog.catalog import Catalog
from app.db.migrate import head_revision
from app.errors import KeysError
from app.security.keys import AuditKeys, default_key_file, load_keys
from tests.cli.test_cli import run
from tests.helpers.cases import ANSWERS, CLERK, MOTHER, NEWBORN, filled_form


def test_upgrade_then_verify_then_detect_an_edit(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, catalog: object
) -> None:
    url = f"sqlite:///{tmp_path / 'hall.sqlite3'}"
    code, out, _ = run(capsys, "db", "upgrade", "--url", url, "--json")
    audit_key = load_keys(default_key_file()).audit.current
    shown = json.loads(out)
    assert code == 0 and shown == {
        "before": None,
        "after": head_revision(),
        "head": head_revision(),
        "audit_key": audit_key,  # the chain is keyed with the hall's audit key at once
        "data_key": shown["data_key"],  # the hall's first data key, made now
        "sealed_rows": {},  # a new database: nothing was stored in clear
        "sealed_files": 0,
        "backup": None,  # nothing to back up before creating a database
        "caught_up": {},  # nor cases from before an upgrade
    }
    assert shown["data_key"].startswith("D")
    code, out, _ = run(capsys, "db", "upgrade", "--url", url)
    assert code == 0 and "已是最新" in out and audit_key in out

    from app.cases.files import FileStore
    from app.cases.service import CaseService
    from app.catalog.catalog import load_catalog
    from app.db.engine import Database, make_engine

    engine = make_engine(url)
    service = CaseService(
        Database(engine, audit_keys=AuditKeys(default_key_file())),
        load_catalog(),
        FileStore(tmp_path / "files"),
        hall_code="430100001",
    )
    service.open_case(
        CLERK,
        channel="counter",
        scenario=NEWBORN,
        applicant=MOTHER,
        answers=ANSWERS,
        form=filled_form(load_catalog(), NEWBORN, ANSWERS),
    )
    engine.dispose()

    code, out, _ = run(capsys, "audit", "verify", "--url", url)
    assert code == 0 and "校验通过" in out and "未与平台核对" in out
    with sqlite3.connect(tmp_path / "hall.sqlite3") as raw:
        raw.execute("UPDATE audit_log SET actor = 'intruder' WHERE id = 2")
    code, out, _ = run(capsys, "audit", "verify", "--url", url, "--json")
    report = json.loads(out)
    assert code == 1 and not report["ok"] and "改动" in report["problems"][0]


def test_an_older_database_is_keyed_by_upgrade_and_not_before(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, catalog: Catalog
) -> None:
    """A database of the version before keyed chains: its SHA-256 entries verify, but a chain
    never keyed is reported until ``db upgrade`` (or a start) keys it; an unkeyed write after
    that is refused."""
    from app.cases.files import FileStore
    from app.cases.service import CaseService
    from app.db.engine import Database, make_engine
    from app.db.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    older = CaseService(
        Database(engine), catalog, FileStore(tmp_path / "files"), hall_code="430100001"
    )
    older.open_case(
        CLERK,
        channel="counter",
        scenario=NEWBORN,
        applicant=MOTHER,
        answers=ANSWERS,
        form=filled_form(catalog, NEWBORN, ANSWERS),
    )
    code, out, _ = run(capsys, "audit", "verify", "--url", url)
    assert code == 1 and "都没有用大厅审计密钥保护" in out and "onestop db upgrade" in out
    code, out, _ = run(capsys, "db", "upgrade", "--url", url)
    assert code == 0 and "审计记录由大厅审计密钥" in out
    code, out, _ = run(capsys, "audit", "verify", "--url", url, "--json")
    assert code == 0 and json.loads(out)["keyed_from"] == 2
    with pytest.raises(KeysError, match="没有拿到审计密钥"):
        older.open_case(
            CLERK,
            channel="counter",
            scenario=NEWBORN,
            applicant=MOTHER,
            answers=ANSWERS,
            form=filled_form(catalog, NEWBORN, ANSWERS),
        )
    engine.dispose()


def test_bad_settings_file_is_a_message_not_a_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "s.toml"
    path.write_text("[database\n", encoding="utf-8")
    code, _, err = run(capsys, "db", "upgrade", "--settings", str(path))
    assert code == 1 and "设置文件" in err and "Traceback" not in err
