"""A terminal killed at any moment leaves every case whole (SQLite, WAL, synchronous=FULL).

Workers (``crash_worker.py``) accept cases in a loop on one database file and are SIGKILLed at
random moments; afterwards every case is either a consistent draft or a fully accepted case with its
audit entries and outbox messages, and every receipt a worker reported as committed is accepted.
"""

from __future__ import annotations

import queue
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import IO

import pytest
from sqlalchemy import select, text

from app.cases.audit_verify import verify
from app.cases.states import RECEIVED
from app.db.engine import Database, make_engine
from app.db.migrate import upgrade
from app.db.models import AuditEntry, CaseRow, OutboxMessage, ReceiptCounter

WORKER = Path(__file__).with_name("crash_worker.py")
ROOT = Path(__file__).resolve().parents[3]
KILLS = 3
BUDGET_S = 50.0  # the whole test; each worker also stops by itself after WORKER_S
WORKER_S = 55.0
SEED = 20261123


class Worker:
    """One crash_worker process; its stdout lines are read by a thread into a queue."""

    def __init__(self, database: Path, files: Path, stderr: IO[bytes]) -> None:
        self.stderr = stderr
        self.process = subprocess.Popen(
            [sys.executable, str(WORKER), str(database), str(files), str(WORKER_S)],
            stdout=subprocess.PIPE,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            text=True,
            cwd=ROOT,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.receipts: list[str] = []
        self.ended = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def collect(self, until: float, *, want: int | None = None) -> None:
        """Take printed receipts until ``want`` are in (if given) or the monotonic time ``until``."""
        while not self.ended and (want is None or len(self.receipts) < want):
            remaining = until - time.monotonic()
            try:  # past ``until``, only what is already in the queue
                line = (
                    self.lines.get(timeout=remaining) if remaining > 0 else self.lines.get_nowait()
                )
            except queue.Empty:
                return
            if line is None:
                self.ended = True
            elif line.endswith("\n"):  # a line cut short by the kill was not fully printed
                self.receipts.append(line.strip())

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self._reader.join(timeout=10)
        self.collect(time.monotonic())  # what was printed before the kill
        assert self.process.stdout is not None
        self.process.stdout.close()

    def failure(self, what: str) -> str:
        self.stderr.flush()
        self.stderr.seek(0)
        log = self.stderr.read().decode("utf-8", "replace")[-3000:]
        return f"{what} (exit code {self.process.poll()}):\n{log}"


def run_and_kill(database: Path, files: Path, logs: Path, rng: random.Random) -> list[str]:
    """KILLS workers one after another, each SIGKILLed at a random moment after a few cases."""
    deadline = time.monotonic() + BUDGET_S
    committed: list[str] = []
    for round_ in range(KILLS):
        with (logs / f"worker-{round_}.log").open("w+b") as stderr:
            worker = Worker(database, files, stderr)
            try:
                want = rng.randint(2, 5)
                worker.collect(deadline, want=want)
                if len(worker.receipts) < want:
                    pytest.fail(
                        worker.failure(
                            f"worker {round_} accepted only "
                            f"{len(worker.receipts)} of {want} cases in time"
                        )
                    )
                # Keep reading until a random moment, so the kill lands anywhere in the loop.
                worker.collect(min(deadline, time.monotonic() + rng.uniform(0.0, 0.25)))
                if worker.ended:
                    pytest.fail(worker.failure(f"worker {round_} stopped before it was killed"))
            finally:
                worker.kill()
            committed += worker.receipts
    return committed


def check_case(case: CaseRow, actions: list[str], kinds: list[str]) -> None:
    received = [m for m in case.materials if m.status in RECEIVED]
    where = f"{case.receipt_no} ({case.state}): audit {actions}, outbox {kinds}"
    assert case.items and case.materials, where
    if case.state == "draft":
        assert actions == ["open"] + ["material"] * len(received), where
        assert kinds == [] and case.outbox_seq == 0 and case.accepted_at is None, where
        assert {i.state for i in case.items} == {"waiting"}, where
    elif case.state == "accepted":
        assert received and actions == ["open"] + ["material"] * len(received) + ["accept"], where
        assert kinds == ["submission", "acceptance"] and case.outbox_seq == 2, where
        assert case.accepted_at is not None and case.promised_date is not None, where
        assert all(m.status in RECEIVED | {"exempt"} for m in case.materials), where
        assert any(i.state == "dispatched" for i in case.items), where
    else:
        pytest.fail(f"unexpected state: {where}")


def test_killed_workers_leave_every_case_whole(tmp_path: Path) -> None:
    database = tmp_path / "onestop.sqlite3"
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    engine.dispose()

    committed = run_and_kill(database, tmp_path / "files", tmp_path, random.Random(SEED))
    assert len(committed) == len(set(committed)) >= KILLS * 2

    engine = make_engine(f"sqlite:///{database}")
    db = Database(engine)
    try:
        with db.read() as session:
            assert session.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
            assert session.execute(text("PRAGMA foreign_key_check")).all() == []
            report = verify(session)
            assert report.ok, report.problems
        with db.read() as session:
            cases = {c.id: c for c in session.scalars(select(CaseRow).order_by(CaseRow.id))}
            actions: dict[int | None, list[str]] = defaultdict(list)
            for case_id, action in session.execute(
                select(AuditEntry.case_id, AuditEntry.action).order_by(AuditEntry.id)
            ):
                actions[case_id].append(action)
            kinds: dict[int, list[str]] = defaultdict(list)
            for message in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)):
                case = cases.get(message.case_id)
                assert case is not None, f"message {message.id} without its case"
                assert (
                    message.receipt_no == case.receipt_no and message.seq == len(kinds[case.id]) + 1
                ), message.idempotency_key
                kinds[case.id].append(message.kind)
            assert set(actions) <= set(cases), "audit entries of a case that does not exist"
            for case in cases.values():
                check_case(case, actions[case.id], kinds[case.id])
            counters = {
                (c.hall_code, c.day): c.last for c in session.scalars(select(ReceiptCounter))
            }
    finally:
        engine.dispose()

    by_receipt = {c.receipt_no: c for c in cases.values()}
    for receipt in committed:
        assert receipt in by_receipt, f"{receipt} was reported committed but is gone"
        assert by_receipt[receipt].state == "accepted", receipt
    # A killed transaction takes its receipt number with it: each day's numbers have no gaps.
    days = Counter((r.split("-")[0], r.split("-")[1]) for r in by_receipt)
    assert counters == dict(days)
    for (hall, day), count in days.items():
        numbers = sorted(int(r.split("-")[2]) for r in by_receipt if r.startswith(f"{hall}-{day}-"))
        assert numbers == list(range(1, count + 1)), (hall, day)
