"""An older platform folder, whose receipt numbers, keys, files and event ids were platform-wide,
opens with every row in its hall: the hall goes on where it was (its cases, its scans, its keys,
its cursor, its count of platform numbers), and another hall finds none of it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from app.db.engine import make_engine
from sync.contract import API
from sync.server.app import RunningPlatform
from sync.server.store import PlatformStore
from sync.server.store.schema import counters, terminals
from sync.server.store.terminals import token_digest
from tests.sync.conftest import HALL, envelope, submission

OTHER = "430100099"
MINE = f"{HALL}-20261120-00001"
THEIRS = f"{OTHER}-20261120-00001"
SCAN = b"%PDF-1.7 old scan " + bytes(range(256)) * 10
SHA = hashlib.sha256(SCAN).hexdigest()
HALF = hashlib.sha256(b"a file never finished").hexdigest()
AT = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)

# The tables as they were before halls were kept apart (only those that changed).
OLD_TABLES = (
    "CREATE TABLE cases (receipt_no VARCHAR(40) NOT NULL, hall_code VARCHAR(20) NOT NULL,"
    " platform_no VARCHAR(60) NOT NULL, last_seq INTEGER NOT NULL, state VARCHAR(32) NOT NULL,"
    " scenario VARCHAR(20) NOT NULL, submission JSON NOT NULL, created_at DATETIME NOT NULL,"
    " updated_at DATETIME NOT NULL, PRIMARY KEY (receipt_no), UNIQUE (platform_no))",
    "CREATE TABLE items (receipt_no VARCHAR(40) NOT NULL, item VARCHAR(60) NOT NULL,"
    " code VARCHAR(40) NOT NULL, name VARCHAR(200) NOT NULL, result_name VARCHAR(200) NOT NULL,"
    " needs JSON NOT NULL, state VARCHAR(16) NOT NULL, due_at DATETIME, decided_at DATETIME,"
    " result_no VARCHAR(60) NOT NULL, PRIMARY KEY (receipt_no, item))",
    "CREATE TABLE messages (idempotency_key VARCHAR(120) NOT NULL,"
    " receipt_no VARCHAR(40) NOT NULL, seq INTEGER NOT NULL, kind VARCHAR(30) NOT NULL,"
    " body JSON NOT NULL, terminal VARCHAR(60) NOT NULL, outcome VARCHAR(16) NOT NULL,"
    " reason TEXT NOT NULL, received_at DATETIME NOT NULL, PRIMARY KEY (idempotency_key))",
    "CREATE INDEX ix_messages_receipt_no ON messages (receipt_no)",
    "CREATE TABLE files (sha256 VARCHAR(64) NOT NULL, size INTEGER NOT NULL,"
    " mime VARCHAR(100) NOT NULL, received INTEGER NOT NULL, complete BOOLEAN NOT NULL,"
    " created_at DATETIME NOT NULL, PRIMARY KEY (sha256))",
    "CREATE TABLE case_files (receipt_no VARCHAR(40) NOT NULL, seq INTEGER NOT NULL,"
    " sha256 VARCHAR(64) NOT NULL, material VARCHAR(200) NOT NULL, name VARCHAR(200) NOT NULL,"
    " file_name VARCHAR(200) NOT NULL, mime VARCHAR(200) NOT NULL, size INTEGER NOT NULL,"
    " PRIMARY KEY (receipt_no, seq))",
    "CREATE INDEX ix_case_files_sha256 ON case_files (sha256)",
    "CREATE TABLE events (id INTEGER NOT NULL, hall_code VARCHAR(20) NOT NULL,"
    " receipt_no VARCHAR(40) NOT NULL, kind VARCHAR(20) NOT NULL, at DATETIME NOT NULL,"
    " data JSON NOT NULL, PRIMARY KEY (id))",
    "CREATE INDEX ix_events_hall_code ON events (hall_code)",
    "CREATE TABLE evaluations (id INTEGER NOT NULL, receipt_no VARCHAR(40) NOT NULL,"
    " stage VARCHAR(16) NOT NULL, round VARCHAR(16) NOT NULL, satisfaction VARCHAR(1) NOT NULL,"
    " channel VARCHAR(2) NOT NULL, text TEXT NOT NULL, reasons JSON NOT NULL,"
    " at DATETIME NOT NULL, PRIMARY KEY (id), UNIQUE (receipt_no, stage, round))",
)


def attachment() -> dict[str, object]:
    return {
        "material": "marriage_certificate",
        "name": "结婚证",
        "sha256": SHA,
        "file_name": "scan.pdf",
        "mime": "application/pdf",
        "size": len(SCAN),
    }


def old_folder(folder: Path) -> None:
    """Hall A's kiosk case with its scan, hall B's case, a half-sent file, events of both."""
    engine = make_engine(f"sqlite:///{folder / 'platform.sqlite3'}")
    mine = submission(MINE, channel="kiosk", attachments=[{**attachment(), "seq": 2}])
    theirs = submission(THEIRS, hall_code=OTHER)
    rows: list[tuple[str, dict[str, object]]] = [
        (
            "INSERT INTO cases VALUES (:receipt, :hall, :number, :last, 'submitted',"
            " '43PCN0009', :submission, :at, :at)",
            {
                "receipt": MINE,
                "hall": HALL,
                "number": f"{HALL}2026112000000004",
                "last": 2,
                "submission": json.dumps(mine),
            },
        ),
        (
            "INSERT INTO cases VALUES (:receipt, :hall, :number, :last, 'submitted',"
            " '43PCN0009', :submission, :at, :at)",
            {
                "receipt": THEIRS,
                "hall": OTHER,
                "number": f"{OTHER}2026112000000005",
                "last": 1,
                "submission": json.dumps(theirs),
            },
        ),
        (
            "INSERT INTO items VALUES (:receipt, 'a', 'X1', '', '出生医学证明', '[]', 'waiting',"
            " NULL, NULL, '')",
            {"receipt": MINE},
        ),
        (
            "INSERT INTO messages VALUES (:key, :receipt, 1, 'submission', '{}', 'counter-01',"
            " 'applied', '', :at)",
            {"key": f"{MINE}/1/submission", "receipt": MINE},
        ),
        (
            "INSERT INTO messages VALUES (:key, :receipt, 1, 'submission', '{}', 'kiosk-99',"
            " 'applied', '', :at)",
            {"key": f"{THEIRS}/1/submission", "receipt": THEIRS},
        ),
        (
            "INSERT INTO files VALUES (:sha, :size, 'application/pdf', :size, 1, :at)",
            {"sha": SHA, "size": len(SCAN)},
        ),
        ("INSERT INTO files VALUES (:sha, 100, 'application/pdf', 10, 0, :at)", {"sha": HALF}),
        (
            "INSERT INTO case_files VALUES (:receipt, 2, :sha, 'marriage_certificate', '结婚证',"
            " 'scan.pdf', 'application/pdf', :size)",
            {"receipt": MINE, "sha": SHA, "size": len(SCAN)},
        ),
        (
            "INSERT INTO events VALUES (7, :hall, :receipt, 'registered', :at, '{}')",
            {"hall": HALL, "receipt": MINE},
        ),
        (
            "INSERT INTO events VALUES (8, :hall, :receipt, 'registered', :at, '{}')",
            {"hall": OTHER, "receipt": THEIRS},
        ),
        (
            "INSERT INTO evaluations VALUES (1, :receipt, 'accept', 'first', '1', '4', '', '[]',"
            " :at)",
            {"receipt": MINE},
        ),
    ]
    with engine.begin() as connection:
        for statement in OLD_TABLES:
            connection.execute(text(statement))
        terminals.create(connection)
        counters.create(connection)
        for name, hall in (("counter-01", HALL), ("kiosk-99", OTHER)):
            connection.execute(
                terminals.insert(),
                {
                    "id": name,
                    "hall_code": hall,
                    "token_sha256": token_digest(f"{name}.old"),
                    "role": "terminal",
                    "enabled": True,
                    "created_at": AT,
                },
            )
        connection.execute(counters.insert(), {"name": "registered", "value": 5})
        for statement, values in rows:
            connection.execute(text(statement), {"at": AT, **values})
    engine.dispose()
    stored = folder / "files" / SHA[:2] / SHA
    stored.parent.mkdir(parents=True)
    stored.write_bytes(SCAN)


@pytest.fixture
def upgraded(tmp_path: Path) -> Iterator[tuple[PlatformStore, httpx.Client, httpx.Client]]:
    folder = tmp_path / "platform"
    folder.mkdir()
    old_folder(folder)
    PlatformStore(folder).close()
    store = PlatformStore(folder)  # a second opening finds nothing left to do
    with RunningPlatform(store, tick_s=60) as platform:
        clients = [
            httpx.Client(
                base_url=platform.url,
                headers={"Authorization": f"Bearer {name}.old"},
                timeout=10,
            )
            for name in ("counter-01", "kiosk-99")
        ]
        yield store, clients[0], clients[1]
        for client in clients:
            client.close()
    store.close()


def test_each_hall_goes_on_with_its_own(
    upgraded: tuple[PlatformStore, httpx.Client, httpx.Client],
) -> None:
    store, a, b = upgraded
    with store.engine.connect() as connection:
        for table in ("items", "case_files", "evaluations"):
            halls = connection.execute(text(f"SELECT DISTINCT hall_code FROM {table}")).all()
            assert halls == [(HALL,)], table
        messages = connection.execute(
            text("SELECT hall_code, receipt_no FROM messages ORDER BY hall_code")
        ).all()
        assert messages == [(HALL, MINE), (OTHER, THEIRS)]
    found = a.get(f"{API}/cases/{MINE}/pre-application").json()
    assert found["complete"] and [f["sha256"] for f in found["files"]] == [SHA]
    assert a.get(f"{API}/files/{SHA}/content").content == SCAN
    again = envelope(MINE, 1, "submission", submission(MINE))
    (result,) = a.post(f"{API}/messages", json={"messages": [again]}).json()["results"]
    assert (result["outcome"], result["platform_no"]) == ("duplicate", f"{HALL}2026112000000004")
    assert [e["id"] for e in a.get(f"{API}/events").json()["events"]] == [7]
    fresh = f"{HALL}-20261124-00001"
    sent = a.post(
        f"{API}/messages", json={"messages": [envelope(fresh, 1, "submission", submission(fresh))]}
    ).json()["results"][0]
    assert sent["outcome"] == "applied" and sent["platform_no"].endswith("00000006")
    assert [e["id"] for e in a.get(f"{API}/events").json()["events"]] == [7, 8]
    # The half-sent file no case held is gone: its hall sends it again from the start.
    assert a.get(f"{API}/files/{HALF}").status_code == 404
    assert a.post(f"{API}/files/{HALF}", json={"size": 100}).json()["received"] == 0

    assert [e["id"] for e in b.get(f"{API}/events").json()["events"]] == [8]
    assert b.get(f"{API}/cases/{MINE}/pre-application").status_code == 404
    for path in (f"/files/{SHA}", f"/files/{SHA}/content"):
        assert b.get(f"{API}{path}").status_code == 404
    theirs = envelope(THEIRS, 1, "submission", submission(THEIRS, hall_code=OTHER))
    (result,) = b.post(f"{API}/messages", json={"messages": [theirs]}).json()["results"]
    assert (result["outcome"], result["platform_no"]) == ("duplicate", f"{OTHER}2026112000000005")
    new = f"{OTHER}-20261124-00001"  # B's numbers, too, go on after the old count
    body = submission(new, hall_code=OTHER)
    (result,) = b.post(
        f"{API}/messages", json={"messages": [envelope(new, 1, "submission", body)]}
    ).json()["results"]
    assert result["platform_no"].endswith("00000006")


def test_an_index_added_since_is_made_on_opening(tmp_path: Path) -> None:
    """A folder made before the departments' index on items gets it when the platform opens."""
    PlatformStore(tmp_path).close()
    engine = make_engine(f"sqlite:///{tmp_path / 'platform.sqlite3'}")
    with engine.begin() as connection:
        connection.execute(text("DROP INDEX ix_items_state_due"))
    engine.dispose()
    PlatformStore(tmp_path).close()
    engine = make_engine(f"sqlite:///{tmp_path / 'platform.sqlite3'}")
    with engine.connect() as connection:
        plan = connection.execute(
            text(
                "EXPLAIN QUERY PLAN SELECT item FROM items WHERE state = 'dispatched' AND due_at <= 1"
            )
        ).all()
    engine.dispose()
    assert "ix_items_state_due" in " ".join(str(row) for row in plan)
