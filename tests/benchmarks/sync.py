"""Sync benchmarks: draining a backlog to the reference platform over loopback HTTP, against the
platform storing the same messages without HTTP (measured in the same run), and the receiver
applying departments' decisions from the event feed.

The backlog is one real accepted case (opened, materials received, accepted through the case
service) copied in SQL to ``cases`` cases with their items and outbox messages, so every message is
a real payload the contract validates; each case has its submission and its acceptance queued.
"""

from __future__ import annotations

import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text, update

from app.cases.files import FileStore
from app.cases.outbox import Outbox
from app.cases.service import CaseService
from app.catalog.catalog import load_catalog
from app.db.base import utcnow
from app.db.engine import Database, make_engine
from app.db.migrate import upgrade
from sync.client import HttpPlatform
from sync.receiver import Receiver
from sync.sender import Sender
from sync.server.app import RunningPlatform
from sync.server.store import PlatformStore, Terminal
from sync.server.store import schema as tables
from sync.state import SyncState
from sync.wire import envelope
from tests.helpers.cases import ANSWERS, CLERK, MOTHER, NEWBORN, filled_form, receive_all

HALL = "430100001"
GOALS = {
    "drain_messages_per_s": (">=", 1000.0),
    "drain_to_store_ratio": (">=", 0.5),  # HTTP and the terminal's side cost at most the store's
    "receiver_events_per_s": (">=", 2000.0),
}
BATCH = 100


def _hall(folder: Path, cases: int) -> tuple[Database, CaseService]:
    engine = make_engine(f"sqlite:///{folder / 'hall.sqlite3'}")
    upgrade(engine)
    db = Database(engine)
    catalog = load_catalog()
    service = CaseService(db, catalog, FileStore(folder / "files"), hall_code=HALL)
    template = receive_all(
        service,
        service.open_case(
            CLERK,
            channel="counter",
            scenario=NEWBORN,
            applicant=MOTHER,
            answers=ANSWERS,
            form=filled_form(catalog, NEWBORN, ANSWERS),
        ),
    )
    template = service.accept(CLERK, template.receipt_no)
    _copy(db, template.id, template.receipt_no, cases - 1)
    return db, service


def _copy(db: Database, template: int, receipt_no: str, copies: int) -> None:
    """``copies`` more cases like the template, with its items and queued messages."""
    with db.engine.begin() as connection:
        columns = [c for c in _columns(connection, "cases") if c not in ("id", "receipt_no")]
        listed = ", ".join(columns)
        connection.execute(
            text(
                f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :copies) "
                f"INSERT INTO cases (receipt_no, {listed}) "
                f"SELECT printf('%s-C%06d', :receipt, i), {listed} FROM n, cases WHERE cases.id = :t"
            ),
            {"copies": copies, "receipt": receipt_no, "t": template},
        )
        cols = [c for c in _columns(connection, "case_items") if c not in ("id", "case_id")]
        listed = ", ".join(f"t.{c}" for c in cols)
        connection.execute(
            text(
                f"INSERT INTO case_items (case_id, {', '.join(cols)}) SELECT c.id, {listed} "
                f"FROM cases c JOIN case_items t ON t.case_id = :t WHERE c.id != :t"
            ),
            {"t": template},
        )
        cols = [
            c
            for c in _columns(connection, "outbox")
            if c not in ("id", "case_id", "receipt_no", "idempotency_key")
        ]
        listed = ", ".join(f"t.{c}" for c in cols)
        connection.execute(
            text(
                f"INSERT INTO outbox (case_id, receipt_no, idempotency_key, "
                f"{', '.join(cols)}) SELECT c.id, c.receipt_no, "
                f"c.receipt_no || '/' || t.seq || '/' || t.kind, {listed} "
                f"FROM cases c JOIN outbox t ON t.case_id = :t WHERE c.id != :t ORDER BY c.id, t.seq"
            ),
            {"t": template},
        )
        connection.execute(
            text(
                "INSERT INTO outbox_payloads (id, payload) "
                "SELECT m.id, replace(p.payload, :receipt, m.receipt_no) FROM outbox m "
                "JOIN outbox t ON t.case_id = :t AND t.seq = m.seq "
                "JOIN outbox_payloads p ON p.id = t.id WHERE m.case_id != :t"
            ),
            {"t": template, "receipt": receipt_no},
        )


def _columns(connection: Any, table: str) -> list[str]:
    return [row[1] for row in connection.exec_driver_sql(f"PRAGMA table_info({table})")]


def _drain(db: Database, url: str, token: str, folder: Path) -> tuple[float, float, float, int]:
    """Seconds, the sender's own CPU seconds (its thread: claim, envelopes, encoding, settle),
    the CPU seconds of the whole process (sender, server, store), and the messages delivered."""
    platform = HttpPlatform(url, token)
    sender = Sender(
        Outbox(db), platform, FileStore(folder / "files"), SyncState(db), name="bench", batch=BATCH
    )
    sent = 0
    started, cpu, all_cpu = time.perf_counter(), time.thread_time(), time.process_time()
    try:
        while done := sender.send_once():
            if done.claimed == 0:
                break
            assert not done.error and done.delivered == done.claimed, done
            sent += done.delivered
    finally:
        platform.close()
    took = time.perf_counter() - started
    return took, time.thread_time() - cpu, time.process_time() - all_cpu, sent


def _store_only(db: Database, folder: Path) -> tuple[float, float, int]:
    """The same messages applied by a fresh platform store in batches, without HTTP: seconds,
    CPU seconds of the process, messages."""
    store = PlatformStore(folder / "store-only", decide_after=timedelta(hours=1))
    terminal = Terminal("bench", HALL, "terminal")
    messages = Outbox(db).messages(limit=1_000_000)
    batches = [[envelope(m) for m in messages if m.seq == seq] for seq in (1, 2)]
    started, cpu = time.perf_counter(), time.process_time()
    for batch in batches:
        for start in range(0, len(batch), BATCH):
            results = store.apply(terminal, batch[start : start + BATCH])
            assert {r.outcome for r in results} == {"applied"}
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    store.close()
    return took, cpu, len(messages)


def _receive(
    db: Database, service: CaseService, store: PlatformStore, url: str, token: str, *, events: int
) -> tuple[float, int]:
    """Departments decide everything; the receiver applies ``events`` decisions (the feed's
    registrations, which come first, are applied before the clock starts)."""
    with store.engine.begin() as connection:  # the departments are quick today
        connection.execute(
            update(tables.items).where(tables.items.c.state == "dispatched").values(due_at=utcnow())
        )
    store.decide_after = timedelta(0)
    while store.decide_due(limit=100_000):
        pass
    platform = HttpPlatform(url, token)
    receiver = Receiver(service, platform, SyncState(db), page=500)
    try:
        while True:  # the registrations
            page = platform.events(receiver.cursor(), 500)
            if not page.events or page.events[0].kind != "registered":
                break
            receiver.receive_once()
        first = receiver.cursor()
        started = time.perf_counter()
        while receiver.cursor() - first < events:
            if not receiver.receive_once():
                break
        took = time.perf_counter() - started
        return took, receiver.cursor() - first
    finally:
        platform.close()


def run(quick: bool = False) -> dict[str, Any]:
    cases = 500 if quick else 5_000
    events = 1_000 if quick else 10_000
    with tempfile.TemporaryDirectory(prefix="onestop-bench-sync-") as tmp:
        folder = Path(tmp)
        db, service = _hall(folder, cases)
        store = PlatformStore(folder / "platform", decide_after=timedelta(hours=1))
        token = store.add_terminal("bench", HALL)
        with RunningPlatform(store) as server:
            store_s, store_cpu_s, stored = _store_only(db, folder)
            drain_s, sender_cpu_s, drain_cpu_s, sent = _drain(db, server.url, token, folder)
            receive_s, received = _receive(db, service, store, server.url, token, events=events)
            stats = store.stats()
        store.close()
        db.dispose()
    assert sent == stored == 2 * cases == stats["messages_applied"], (sent, stored, stats)
    drain_rate = sent / drain_s
    store_rate = stored / store_s
    figures = {
        "drain_messages_per_s": round(drain_rate, 1),
        "store_only_messages_per_s": round(store_rate, 1),
        "drain_to_store_ratio": round(drain_rate / store_rate, 3),
        "sender_cpu_us_per_message": round(sender_cpu_s / sent * 1e6, 1),
        "drain_cpu_us_per_message": round(drain_cpu_s / sent * 1e6, 1),
        "store_only_cpu_us_per_message": round(store_cpu_s / stored * 1e6, 1),
        "drain_to_store_cpu_ratio": round(store_cpu_s / stored / (drain_cpu_s / sent), 3),
        "receiver_events_per_s": round(received / receive_s, 1),
    }
    return {
        "benchmark": "sync",
        "quick": quick,
        "setup": {
            "messages": sent,
            "batch": BATCH,
            "events_received": received,
            "payload": "submission + acceptance of a 新生儿出生 case per case",
        },
        "figures": figures,
        "goals": {k: f"{op} {value:g}" for k, (op, value) in GOALS.items()},
        "met": {k: figures[k] >= value for k, (_, value) in GOALS.items()},
        "notes": [
            "drain: Sender.send_once in a loop (claim, envelope, POST, settle) to the reference "
            "server on loopback in this process; store_only: PlatformStore.apply of the same "
            "envelopes in batches of the same size, no HTTP. The two share one interpreter lock: "
            "drain time is the sender's CPU + the server's HTTP layer + the store's.",
            "sender_cpu_us_per_message: the sender thread's own CPU time per message delivered "
            "(less noisy than the rates on a busy machine).",
            "drain_cpu_us_per_message / store_only_cpu_us_per_message: CPU time of the whole "
            "process (every thread) per message, and drain_to_store_cpu_ratio the ratio the rates "
            "would have on an idle machine: it moves little when other work takes the cores.",
            "receiver: department decisions (item_decision events) applied to local cases, "
            "pages of 500 with their cursor in one transaction each.",
        ],
    }
