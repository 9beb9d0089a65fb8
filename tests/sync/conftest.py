"""A reference platform on a free loopback port, with a terminal and an admin credential."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.cases.files import FileStore
from app.cases.outbox import Outbox
from app.cases.service import CaseService
from app.catalog.catalog import Catalog
from app.db.engine import Database, make_engine
from app.db.migrate import upgrade
from sync.client import HttpPlatform, Platform
from sync.receiver import Receiver
from sync.sender import Sender
from sync.server.app import RunningPlatform
from sync.server.store import PlatformStore
from sync.state import SyncState

HALL = "430100001"


@dataclass
class Served:
    platform: RunningPlatform
    store: PlatformStore
    token: str
    admin_token: str
    clients: list[httpx.Client] = field(default_factory=list)

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token or self.token}"}
        client = httpx.Client(base_url=self.platform.url, headers=headers, timeout=10)
        self.clients.append(client)
        return client


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    store = PlatformStore(tmp_path / "platform", decide_after=timedelta(0))
    token = store.add_terminal("counter-01", HALL)
    admin = store.add_terminal("admin", HALL, role="admin")
    with RunningPlatform(store, tick_s=0.05) as platform:
        served = Served(platform, store, token, admin)
        yield served
        for client in served.clients:
            client.close()
    store.close()


def submission(receipt_no: str, **changes: Any) -> dict[str, Any]:
    body = {
        "receipt_no": receipt_no,
        "hall_code": HALL,
        "channel": "counter",
        "service_form": "1",
        "scenario": "43PCN0009",
        "catalog_version": "2026.11.1",
        "applicant": {"name": "李芳", "id_number": "43010419920315204X"},
        "items": [
            {"item": "a", "code": "X1", "result": "出生医学证明"},
            {"item": "b", "code": "X2", "needs": ["a"], "result": "居民户口簿"},
        ],
        "created_at": "2026-11-23T02:00:00Z",
    }
    body.update(changes)
    return body


def acceptance(receipt_no: str) -> dict[str, Any]:
    return {
        "receipt_no": receipt_no,
        "state": "accepted",
        "case_type": "2",
        "accepted_at": "2026-11-23T02:05:00Z",
        "promised_days": 5,
        "promised_date": "2026-11-30",
        "items": [
            {"item": "a", "code": "X1", "state": "dispatched"},
            {"item": "b", "code": "X2", "state": "waiting"},
        ],
        "materials": [],
    }


def envelope(
    receipt_no: str, seq: int, kind: str, body: dict[str, Any], key: str = ""
) -> dict[str, Any]:
    return {
        "idempotency_key": key or f"{receipt_no}/{seq}/{kind}",
        "receipt_no": receipt_no,
        "seq": seq,
        "kind": kind,
        "body": body,
    }


@dataclass
class Hall:
    """One terminal's side: its database, case service, outbox, files and sync notes."""

    db: Database
    service: CaseService
    outbox: Outbox
    files: FileStore
    notes: SyncState

    def sender(self, platform: Platform, name: str = "sender-1", batch: int = 100) -> Sender:
        return Sender(self.outbox, platform, self.files, self.notes, name=name, batch=batch)

    def receiver(self, platform: Platform) -> Receiver:
        return Receiver(self.service, platform, self.notes)


@contextmanager
def hall_at(folder: Path, catalog: Catalog, hall_code: str = HALL) -> Iterator[Hall]:
    """A terminal of the hall ``hall_code`` with its database and files in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    engine = make_engine(f"sqlite:///{folder / 'hall.sqlite3'}")
    upgrade(engine)
    db = Database(engine)
    files = FileStore(folder / "files")
    service = CaseService(db, catalog, files, hall_code=hall_code)
    try:
        yield Hall(db, service, Outbox(db, first_retry_s=1, max_retry_s=2), files, SyncState(db))
    finally:
        engine.dispose()


@pytest.fixture
def hall(tmp_path: Path, catalog: Catalog) -> Iterator[Hall]:
    with hall_at(tmp_path, catalog) as made:
        yield made


@pytest.fixture
def http(served: Served) -> Iterator[HttpPlatform]:
    platform = HttpPlatform(served.platform.url, served.token, timeout_s=5, deadline_s=10)
    yield platform
    platform.close()
