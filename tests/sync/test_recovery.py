"""Recovery after an outage: the hall's messages reach the platform within seconds of its return,
however long their backoff had grown, also when the terminal's sender was restarted meanwhile —
and a platform in maintenance is not called before the time it asked for.

The outbox here waits half an hour after any failure (what its cap gives after a long outage), so
a message delivered within seconds of the return can only have been released by the sender's
probe. Two outages: the platform in maintenance (the reference platform's fault switch: 503 with
Retry-After, ``/health`` still answering) and the platform gone (its server stopped: the port
refuses connections, ``/health`` too), then started again on the same port."""

from __future__ import annotations

import time
from collections import defaultdict
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cases.outbox import Outbox
from app.catalog.catalog import Catalog
from app.db.base import utcnow
from sync import contract, state
from sync.client import HttpPlatform
from sync.sender import Asked, Sender
from sync.server.app import RunningPlatform
from sync.server.faults import Faults, FaultState
from sync.server.store import PlatformStore
from sync.server.store import schema as tables
from sync.worker import SyncWorker, status
from tests.helpers.cases import CLERK, open_newborn
from tests.helpers.cores import Cores
from tests.helpers.waiting import eventually, waited
from tests.sync.conftest import HALL, Hall

SCANNED = "marriage_certificate"
LONG_WAIT = {"first_retry_s": 1800, "max_retry_s": 1800}  # as after a long outage
WITHIN_S = 5.0  # from the platform's return to the last message delivered


class Counted(HttpPlatform):
    """The real client, counting the probes and uploads it makes."""

    probes = 0
    uploads = 0

    def health(self) -> contract.Health:
        self.probes += 1
        return super().health()

    def upload(self, sha256: str, data: bytes, mime: str) -> contract.FileStatus:
        self.uploads += 1
        return super().upload(sha256, data, mime)


def _applied_once_in_order(store: PlatformStore, local_keys: list[str]) -> None:
    with store.engine.connect() as connection:
        applied = connection.execute(
            select(
                tables.messages.c.receipt_no,
                tables.messages.c.seq,
                tables.messages.c.idempotency_key,
            )
            .where(tables.messages.c.outcome == "applied")
            .order_by(tables.messages.c.received_at, tables.messages.c.seq)
        ).all()
    assert sorted(k for *_, k in applied) == sorted(local_keys)  # none lost, none applied twice
    by_case: dict[str, list[int]] = defaultdict(list)
    for receipt_no, seq, _ in applied:
        by_case[receipt_no].append(seq)
    assert all(seqs == sorted(seqs) for seqs in by_case.values())


@pytest.mark.parametrize("outage", ["maintenance", "gone"])
def test_after_an_outage_and_a_restart_everything_goes_within_seconds(
    cores: Cores, catalog: Catalog, tmp_path: Path, outage: str
) -> None:
    store = PlatformStore(tmp_path / "platform", decide_after=timedelta(hours=1))
    token = store.add_terminal("counter-01", HALL)
    faults = FaultState()
    server = RunningPlatform(store, faults=faults).start()
    url, port = server.url, server.port
    # The production settings but the outbox's backoff: the sender probes at its own pace.
    core = cores(outbox=LONG_WAIT, platform={"url": url, "token": token})
    for _ in range(12):
        open_newborn(core.cases, catalog, channel="kiosk")
    total = sum(core.outbox.counts().values())
    try:
        if outage == "maintenance":
            faults.set(Faults(outage_s=4))
        else:
            server.stop()
        with closing(HttpPlatform(url, token, timeout_s=1.0)) as before:
            worker = SyncWorker(core, before)
            tried = worker.sender.send_once()  # the round that met the outage
            assert tried.error and tried.retrying == total
            assert all(
                m.next_attempt_at > utcnow() + timedelta(minutes=20)
                for m in core.outbox.messages(states=("retrying",))
            )  # their own backoff: about half an hour
            worker.start()
            waited(lambda: False, 1.0)
            worker.stop()  # the terminal's sender is restarted during the outage
        shown = status(core)
        assert not shown["online"] and shown["last_error"]
        tries = [
            m["next_attempt_at"] for m in shown["waiting"]
        ]  # each one's next try, soonest first
        assert len(tries) == total and tries == sorted(tries)
        assert all(m["next_attempt_in_s"] > 600 and m["attempts"] == 1 for m in shown["waiting"])

        with closing(HttpPlatform(url, token, timeout_s=1.0)) as after:
            worker = SyncWorker(core, after)
            worker.start()
            try:
                if outage == "maintenance":
                    until = faults.outage_until
                    assert until is not None
                    waited(lambda: utcnow() >= until, 10.0, every_s=0.01)
                else:
                    waited(lambda: False, 1.0)  # it probes a dead platform
                    server = RunningPlatform(store, faults=faults, port=port).start()
                back = time.monotonic()
                eventually(
                    lambda: core.outbox.counts()["delivered"] == total,
                    WITHIN_S - (time.monotonic() - back),
                    f"not all {total} messages delivered within {WITHIN_S:g} s of the return",
                )
            finally:
                worker.stop()
        shown = status(core)
        assert shown["online"] and shown["last_error"] is None and shown["waiting"] == []
    finally:
        server.stop()
    _applied_once_in_order(store, [m.idempotency_key for m in core.outbox.messages()])
    store.close()


def test_the_waiting_messages_are_due_once_a_gone_platform_answers(
    hall: Hall, catalog: Catalog, tmp_path: Path
) -> None:
    outbox = Outbox(hall.db, first_retry_s=1800, max_retry_s=1800)
    for _ in range(3):
        open_newborn(hall.service, catalog, channel="kiosk")
    store = PlatformStore(tmp_path / "platform")
    token = store.add_terminal("counter-01", HALL)
    server = RunningPlatform(store).start()
    url, port = server.url, server.port
    server.stop()
    with closing(Counted(url, token, timeout_s=1.0)) as platform:
        sender = Sender(outbox, platform, hall.files, hall.notes, name="s")
        assert sender.send_once().retrying == 3
        away = sender.recover()
        assert away is not None and "连接" in str(away) and platform.probes == 1
        assert all(m.next_attempt_at > utcnow() + timedelta(minutes=20) for m in outbox.waiting())
        with RunningPlatform(store, port=port):
            assert sender.recover() is None
            now = utcnow()
            assert all(m.next_attempt_at <= now for m in outbox.waiting())  # due, in the database
            assert Sender(outbox, platform, hall.files, hall.notes, name="t").send_once().delivered
    store.close()


def test_a_platform_in_maintenance_is_not_called_before_the_time_it_gave(
    hall: Hall, catalog: Catalog, tmp_path: Path
) -> None:
    outbox = Outbox(hall.db, first_retry_s=1800, max_retry_s=1800)
    open_newborn(hall.service, catalog, channel="kiosk")
    store = PlatformStore(tmp_path / "platform")
    token = store.add_terminal("counter-01", HALL)
    faults = FaultState(Faults(outage_s=60))
    now = utcnow()

    def clock() -> datetime:
        return now

    with (
        RunningPlatform(store, faults=faults) as server,
        closing(Counted(server.url, token)) as http,
    ):
        sender = Sender(outbox, http, hall.files, hall.notes, name="s", clock=clock)
        assert sender.send_once().retrying == 1
        (kept,) = outbox.waiting()
        asked = sender.recover()
        assert isinstance(asked, Asked) and http.probes == 0  # not even /health
        assert now + timedelta(seconds=59) <= asked.until <= now + timedelta(seconds=62)
        assert "维护" in str(asked) and outbox.waiting() == [kept]  # still its own backoff
        assert state.retry_at(hall.notes.read()) == asked.until
        now = asked.until + timedelta(seconds=1)  # the time asked for has come
        assert sender.recover() is None and http.probes == 1
        (due,) = outbox.waiting()
        assert due.next_attempt_at == now


def test_a_platform_that_answers_but_fails_the_batch_keeps_its_backoff(
    hall: Hall, catalog: Catalog, tmp_path: Path
) -> None:
    """/health answers, the messages' request fails (a bug on the platform): releasing them at
    every probe would hammer it, so they keep their backoff."""
    outbox = Outbox(hall.db, first_retry_s=1800, max_retry_s=1800)
    open_newborn(hall.service, catalog, channel="kiosk")
    store = PlatformStore(tmp_path / "platform")
    token = store.add_terminal("counter-01", HALL)
    faults = FaultState(Faults(error_rate=1.0))
    with (
        RunningPlatform(store, faults=faults) as server,
        closing(Counted(server.url, token)) as http,
    ):
        sender = Sender(outbox, http, hall.files, hall.notes, name="s")
        assert sender.recover() is None  # started: nothing waits yet
        assert sender.send_once().retrying == 1
        (failed,) = outbox.waiting()
        assert sender.recover() is None and http.probes == 2
        assert outbox.waiting() == [failed]


def test_an_upload_that_finds_the_platform_gone_fails_the_whole_round(
    hall: Hall, catalog: Catalog, tmp_path: Path
) -> None:
    """Not one timeout per scan: the round ends as a failed request does, and the sender probes."""
    for _ in range(2):
        case = open_newborn(hall.service, catalog, channel="kiosk")
        scan = b"%PDF-1.7 " + case.receipt_no.encode()
        hall.service.attach_scan(CLERK, case.receipt_no, SCANNED, scan, file_name="m.pdf")
    store = PlatformStore(tmp_path / "platform")
    token = store.add_terminal("counter-01", HALL)
    server = RunningPlatform(store).start()
    with closing(Counted(server.url, token, timeout_s=1.0)) as platform:
        sender = Sender(hall.outbox, platform, hall.files, hall.notes, name="s")
        assert sender.send_once().delivered == 2  # the submissions
        server.stop()
        done = sender.send_once()  # the scans
    assert done.claimed == done.retrying == 2 and "连接" in done.error
    assert platform.uploads == 1  # the second was not tried
    assert state.offline(hall.notes.read())
    store.close()
