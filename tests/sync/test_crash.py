"""The sender killed with SIGKILL at 30 random moments while it drains a backlog: after restarts,
every message is on the platform exactly once and in order per case (the platform's idempotency
keys make the resends of the killed rounds harmless). Bounded: it stops by itself."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.bootstrap import Core, build_core
from app.cases.demo import seed_cases
from app.settings import load_settings
from sync.server.app import RunningPlatform
from sync.server.faults import Faults, FaultState
from sync.server.store import PlatformStore
from sync.server.store import schema as tables
from tests.helpers.waiting import waited
from tests.sync.conftest import HALL

ROOT = Path(__file__).resolve().parents[2]
# The default run kills the sender a few times over a small backlog (seconds); the slow run (``-m
# slow``, ``make test-slow``) thirty times over a larger one.
SIZES = [
    pytest.param(120, 8, 120.0, id="8-kills"),
    pytest.param(400, 30, 240.0, id="30-kills", marks=pytest.mark.slow),
]


def _until_in_flight(core: Core, most_s: float) -> None:
    """Wait (``most_s`` at most) until the sender has a batch out, so the kill lands mid-round."""
    waited(lambda: core.outbox.counts()["in_flight"], most_s, every_s=0.02)


@pytest.mark.parametrize(("cases", "kills", "budget_s"), SIZES)
def test_a_sender_killed_again_and_again_loses_and_repeats_nothing(
    tmp_path: Path, cases: int, kills: int, budget_s: float
) -> None:
    started = time.monotonic()
    store = PlatformStore(tmp_path / "platform", decide_after=timedelta(hours=1))
    token = store.add_terminal("sender-1", HALL)
    # Slow answers keep a batch in flight long enough for many kills to land mid-round.
    faults = FaultState(Faults(latency_ms=300))
    rng = random.Random(45836)
    with RunningPlatform(store, faults=faults) as server:
        settings_path = tmp_path / "settings.toml"
        settings_path.write_text(
            f'data_dir = "{tmp_path / "hall"}"\n[hall]\ncode = "{HALL}"\n'
            f'[terminal]\nname = "sender-1"\n[outbox]\nlease_s = 5\nfirst_retry_s = 1\n'
            f'max_retry_s = 2\n[platform]\nurl = "{server.url}"\ntoken = "{token}"\n'
            f"batch = 10\npoll_s = 0.2\n",
            encoding="utf-8",
        )
        core = build_core(load_settings(settings_path))
        try:
            seed_cases(core.cases, core.catalog, cases)
            total = sum(core.outbox.counts().values())
            env = {**os.environ, "ONESTOP_SETTINGS": str(settings_path)}
            for _ in range(kills):
                process = subprocess.Popen(
                    [sys.executable, "-m", "app.cli.main", "sync", "run"],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                time.sleep(rng.uniform(0.9, 1.8))  # ~0.7 s of start-up, then sending
                _until_in_flight(core, 2.0)  # a busy machine starts slower: kill mid-round
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=10)
                assert time.monotonic() - started < budget_s / 2, "kills took too long"
            killed_with = core.outbox.counts()
            assert killed_with["delivered"] < total, "the backlog was gone before the kills"
            while True:  # restart for good: wait out the dead senders' leases, then drain
                done = subprocess.run(
                    [sys.executable, "-m", "app.cli.main", "sync", "run", "--once"],
                    cwd=ROOT,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=60,
                    check=False,
                )
                assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
                if core.outbox.counts()["delivered"] == total:
                    break
                assert time.monotonic() - started < budget_s, core.outbox.counts()
                time.sleep(1)
            local = core.outbox.messages(limit=100_000)
        finally:
            core.close()
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(
                tables.messages.c.receipt_no,
                tables.messages.c.seq,
                tables.messages.c.idempotency_key,
            )
            .where(tables.messages.c.outcome == "applied")
            .order_by(tables.messages.c.received_at)
        ).all()
    stats = store.stats()
    store.close()
    assert sorted(k for *_, k in rows) == sorted(m.idempotency_key for m in local)
    assert stats["messages_applied"] == total and stats["messages_rejected"] == 0
    by_case: dict[str, list[int]] = defaultdict(list)
    for receipt_no, seq, _ in rows:
        by_case[receipt_no].append(seq)
    assert all(seqs == sorted(seqs) for seqs in by_case.values())
    # Killed rounds were resent: the platform answered some as duplicates, and applied none twice.
    assert killed_with["in_flight"] > 0 or stats["duplicates_refused"] > 0
