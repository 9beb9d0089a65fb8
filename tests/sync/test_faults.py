"""The hall keeps working while the platform fails: cases through errors, hangs, dropped
connections and an outage (2,000 cases and a minute in the slow run), and afterwards every message is on the platform exactly once,
in order per case, and every decision is back in the local cases. Bounded: it stops by itself."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cases.demo import seed_cases
from app.catalog.catalog import Catalog
from app.db.models import CaseRow
from sync.client import HttpPlatform
from sync.receiver import Receiver
from sync.sender import Sender
from sync.server.app import RunningPlatform
from sync.server.faults import Faults, FaultState
from sync.server.store import PlatformStore
from sync.server.store import schema as platform_tables
from tests.sync.conftest import HALL, Hall

# cases, the outage, and the limit the whole run (outage included) must finish within: the default
# run takes seconds; the slow run (``-m slow``, ``make test-slow``) is the minute-long outage.
SIZES = [
    pytest.param(300, 4, 120, id="4s-outage"),
    pytest.param(2_000, 60, 420, id="60s-outage", marks=pytest.mark.slow),
]


@pytest.mark.parametrize(("cases", "outage_s", "limit_s"), SIZES)
def test_cases_through_a_failing_platform(
    hall: Hall, tmp_path: Path, catalog: Catalog, cases: int, outage_s: int, limit_s: int
) -> None:
    made = seed_cases(hall.service, catalog, cases)
    assert sum(made.values()) == cases
    store = PlatformStore(tmp_path / "platform", decide_after=timedelta(seconds=0.05))
    token = store.add_terminal("counter-01", HALL)
    faults = FaultState(
        Faults(error_rate=0.3, hang_rate=0.03, hang_s=1.5, drop_rate=0.1, seed=45836)
    )
    stop = threading.Event()
    with RunningPlatform(store, faults=faults, tick_s=0.05) as server:
        platform = HttpPlatform(server.url, token, timeout_s=1.0, deadline_s=5.0)
        sender = Sender(hall.outbox, platform, hall.files, hall.notes, name="sender", batch=50)
        receiver = Receiver(hall.service, platform, hall.notes, page=200)
        threads = [
            threading.Thread(
                target=sender.run, args=(stop,), kwargs={"idle_s": 0.05, "probe_s": 1.0}
            ),
            threading.Thread(
                target=receiver.run, args=(stop,), kwargs={"idle_s": 0.1, "max_pause_s": 1.0}
            ),
        ]
        for thread in threads:
            thread.start()
        started = time.monotonic()
        try:
            time.sleep(3)  # some got through; now the platform goes away
            faults.set(faults.faults.model_copy(update={"outage_s": outage_s}))
            time.sleep(outage_s / 2)
            assert hall.notes.read()["last_error"]["message"]  # the hall noticed, kept working
            while not _settled(hall, store):
                assert time.monotonic() - started < limit_s - 30, (
                    f"not settled: {hall.outbox.counts()} {store.stats()}"
                )
                time.sleep(0.5)
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=30)
            platform.close()
    stats = store.stats()
    local = hall.outbox.messages(limit=100_000)
    assert {m.state for m in local} == {"delivered"}
    with store.engine.connect() as connection:
        applied = connection.execute(
            select(
                platform_tables.messages.c.receipt_no,
                platform_tables.messages.c.seq,
                platform_tables.messages.c.idempotency_key,
            )
            .where(platform_tables.messages.c.outcome == "applied")
            .order_by(platform_tables.messages.c.received_at, platform_tables.messages.c.seq)
        ).all()
    # Exactly once: every local message applied once, nothing else applied.
    assert sorted(k for _, _, k in applied) == sorted(m.idempotency_key for m in local)
    assert stats["messages_applied"] == len(local) and stats["duplicates_refused"] > 0
    # In order per case: the platform applied each case's messages in seq order.
    by_case: dict[str, list[int]] = defaultdict(list)
    for receipt_no, seq, _ in applied:
        by_case[receipt_no].append(seq)
    assert all(seqs == sorted(seqs) for seqs in by_case.values())
    # Every decision came back: no local case still waits for a department.
    with hall.db.read() as session:
        states = session.scalars(select(CaseRow.state)).all()
    assert "accepted" not in states and states.count("completed") > cases // 2


def _settled(hall: Hall, store: PlatformStore) -> bool:
    counts = hall.outbox.counts()
    if counts["pending"] or counts["in_flight"] or counts["retrying"] or counts["attention"]:
        return False
    with hall.db.read() as session:
        waiting = session.scalar(
            select(CaseRow.id).where(CaseRow.state.in_(("accepted", "accepted_on_commitment")))
        )
    return waiting is None
