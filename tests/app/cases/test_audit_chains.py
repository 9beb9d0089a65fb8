"""An audit chain per terminal: two terminals' entries interleaved in one database, each in its own
chain, and each tampering with one chain reported (and only there); a database with the single
chain of before migrated, its old entries still verified; terminals writing at once on
PostgreSQL, each in its chain, and the whole verifying afterwards."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, delete, select, text, update

from app.bootstrap import start_keyed_chain
from app.cases.anchors import AuditAnchors
from app.cases.audit import GENESIS, OLD_CHAIN, Actor, append, entry_hash
from app.cases.audit_verify import AuditReport, verify
from app.db.base import utcnow
from app.db.engine import Database, make_engine
from app.db.migrate import upgrade
from app.security.keys import KeyRing
from tests.helpers import audit as attack

ROOT = Path(__file__).resolve().parents[3]
A = Actor("clerk-a", "counter-01", "clerk")
B = Actor("clerk-b", "counter-02", "clerk")


@dataclass
class Hall:
    engine: Engine
    db: Database
    ring: KeyRing
    written: dict[str, list[int]]  # each terminal's entries (its switch point first)
    anchored: dict[str, int]  # each chain's anchored entry

    def report(self) -> AuditReport:
        with self.db.read() as session:
            return verify(session, self.ring)


def work(db: Database, rounds: int, written: dict[str, list[int]]) -> None:
    """A and B write in turn, one entry each per transaction."""
    for n in range(rounds):
        for actor in (A, B):
            with db.connect() as connection:
                entry = append(connection, actor, "note", after={"n": n})
            written.setdefault(actor.terminal, []).append(entry)


@pytest.fixture
def hall(database_url: str) -> Iterator[Hall]:
    engine = make_engine(database_url)
    upgrade(engine)
    ring = attack.audit_ring()
    db = attack.keyed(engine, ring)
    written: dict[str, list[int]] = {}
    work(db, 4, written)
    made = AuditAnchors(db).make("counter-01", reason="shutdown")
    assert len(made) == 2  # one per chain
    with engine.connect() as connection:
        anchored = {attack.chain_of(connection, a.entry_id): a.entry_id for a in made}
    work(db, 3, written)
    with engine.connect() as connection:  # the switch points belong to the chains too
        for terminal, entries in written.items():
            switch = connection.scalar(
                select(attack.AUDIT.c.id).where(
                    attack.AUDIT.c.chain == terminal, attack.AUDIT.c.action == "chain_keyed"
                )
            )
            entries.insert(0, int(switch or 0))
    yield Hall(engine, db, ring, written, anchored)
    engine.dispose()


def says(report: AuditReport, *words: str) -> bool:
    return any(all(w in p for w in words) for p in report.problems)


def test_interleaved_chains_verify_each_on_its_own(hall: Hall) -> None:
    report = hall.report()
    assert report.ok, report.problems
    chains = {c.terminal: c for c in report.chains}
    assert set(chains) == {"counter-01", "counter-02"}
    for terminal, entries in hall.written.items():
        assert chains[terminal].entries == len(entries) == 8  # the switch point and 7 notes
        assert chains[terminal].head_id == entries[-1]
        assert chains[terminal].key_id == hall.ring.current
    assert chains["counter-01"].chain_id != chains["counter-02"].chain_id
    with hall.engine.connect() as connection:
        rows = connection.execute(select(attack.AUDIT).order_by(attack.AUDIT.c.id)).all()
    assert [r.chain for r in rows[3:7]] == ["counter-02", "counter-01"] * 2  # interleaved
    assert all(r.chain == r.terminal for r in rows)


def test_an_edit_in_one_chain_is_reported_there_alone(hall: Hall) -> None:
    target = hall.written["counter-02"][3]
    attack.edit(hall.engine, target)
    report = hall.report()
    assert says(report, f"第 {target} 条记录", "内容被改动过")
    assert len(report.problems) == 1


def test_the_end_of_one_chain_deleted(hall: Hall) -> None:
    last = hall.written["counter-01"][-1]
    attack.delete_tail(hall.engine, 1, move_head=False, chain="counter-01")
    report = hall.report()
    assert says(report, "终端 counter-01 的审计链", f"最后一条是第 {last} 条", "末尾的记录被删除了")
    assert not any("counter-02" in p for p in report.problems)


def test_the_end_of_one_chain_deleted_and_its_head_moved_past_its_anchor(hall: Hall) -> None:
    entries = hall.written["counter-02"]
    anchored = hall.anchored["counter-02"]
    attack.delete_tail(
        hall.engine,
        len([e for e in entries if e >= anchored]),
        chain="counter-02",
    )
    report = hall.report()
    assert says(report, "本机记录的锚点", f"已到第 {anchored} 条", "链头被移回")
    assert len(report.problems) == 1


def test_one_chains_head_moved_back(hall: Hall) -> None:
    to = hall.written["counter-01"][2]
    attack.move_head(hall.engine, to)
    report = hall.report()
    assert says(report, "终端 counter-01 的审计链", f"链头停在第 {to} 条", "链头被移回过")
    assert not any("counter-02" in p for p in report.problems)


def test_an_entry_moved_to_the_other_chain(hall: Hall) -> None:
    moved = hall.written["counter-01"][3]
    with hall.engine.begin() as connection:
        connection.execute(
            update(attack.AUDIT).where(attack.AUDIT.c.id == moved).values(chain="counter-02")
        )
    report = hall.report()
    assert says(report, f"第 {moved} 条记录", "记着终端 counter-01", "挪过来")
    following = hall.written["counter-01"][4]
    assert says(report, f"第 {following} 条记录的前一条哈希对不上")


def test_a_whole_chain_removed_is_caught_by_its_anchor(hall: Hall) -> None:
    with hall.engine.begin() as connection:
        connection.execute(delete(attack.AUDIT).where(attack.AUDIT.c.chain == "counter-02"))
        connection.execute(delete(attack.HEAD).where(attack.HEAD.c.terminal == "counter-02"))
    report = hall.report()
    assert says(report, "本机记录的锚点", f"已到第 {hall.anchored['counter-02']} 条", "没有这条链")


def test_a_chain_copied_under_another_terminal_is_reported(hall: Hall) -> None:
    """A rewritten chain of another terminal with the hall key reuses the chain's id."""
    with hall.engine.begin() as connection:
        heads = {h.terminal: h for h in connection.execute(select(attack.HEAD)).all()}
        connection.execute(
            update(attack.HEAD)
            .where(attack.HEAD.c.terminal == "counter-02")
            .values(chain_id=heads["counter-01"].chain_id)
        )
    assert says(hall.report(), "终端 counter-02 的审计链的链头记下的编号")


# -- a database from before chains per terminal ----------------------------------------------------
def test_the_chain_of_before_is_kept_keyed_and_verified(database_url: str) -> None:
    """A database at schema 0013 with its single chain (SHA-256 entries of several terminals);
    after the upgrade it is the chain "", keyed at the next start, and its entries are verified
    as before — an edit among them is reported."""
    engine = make_engine(database_url)
    upgrade(engine, "0013_retention")
    at = utcnow() - timedelta(days=1)
    prev = GENESIS
    with engine.begin() as connection:
        for n in range(1, 7):
            terminal = ("counter-01", "counter-02", "kiosk-01")[n % 3]
            digest = entry_hash(
                prev, at=at, actor="老系统", terminal=terminal, case_id=None, receipt_no="",
                action="note", before=None, after=None,
            )  # fmt: skip
            connection.execute(
                text(
                    "INSERT INTO audit_log (at, actor, terminal, case_id, receipt_no, action,"
                    " before, after, prev_hash, hash) VALUES (:at, '老系统', :terminal, NULL,"
                    " '', 'note', NULL, NULL, :prev, :hash)"
                ),
                {"at": at, "terminal": terminal, "prev": prev, "hash": digest},
            )
            prev = digest
        connection.execute(
            text("UPDATE audit_head SET last_id = 6, last_hash = :h WHERE id = 1"), {"h": prev}
        )
    upgrade(engine)
    ring = attack.audit_ring()
    db = attack.keyed(engine, ring)
    start_keyed_chain(db, "counter-01")
    with db.connect() as connection:
        append(connection, A, "note")
    with db.read() as session:
        report = verify(session, ring)
    assert report.ok, report.problems
    chains = {c.terminal: c for c in report.chains}
    assert chains[OLD_CHAIN].entries == 7 and chains[OLD_CHAIN].keyed_from == 7  # closed, keyed
    assert chains["counter-01"].entries == 2
    attack.rechain_from(engine, 3, key=None)  # rewritten by someone without the key
    with db.read() as session:
        report = verify(session, ring)
    assert says(report, "第 7 条记录", "不用密钥算出的")
    engine.dispose()


# -- terminals writing at once ----------------------------------------------------------------------
WRITER = """
import sys
from app.cases.audit import Actor, append
from app.db.engine import Database, make_engine
from app.security.keys import AuditKeys, KeyRing
url, terminal, key_id, secret, count = sys.argv[1:]
ring = KeyRing(key_id, {key_id: bytes.fromhex(secret)})
engine = make_engine(url)
db = Database(engine, audit_keys=AuditKeys.of(ring))
for n in range(int(count)):
    with db.connect() as connection:
        append(connection, Actor("clerk", terminal, "clerk"), "note", after={"n": n})
engine.dispose()
print("done")
"""


@pytest.mark.postgres
def test_terminals_writing_at_once_each_keep_a_whole_chain(postgres_url: str) -> None:
    name = f"chains{os.getpid()}_{time.monotonic_ns() % 10**9}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    url = postgres_url.rsplit("/", 1)[0] + f"/{name}"
    engine = make_engine(url)
    upgrade(engine)
    ring = attack.audit_ring()
    secret = ring.keys[ring.current].hex()
    terminals = [f"counter-0{n}" for n in range(1, 5)]
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, url, terminal, ring.current, secret, "40"],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for terminal in terminals
    ]
    outputs = [w.communicate(timeout=120) for w in writers]
    assert [w.returncode for w in writers] == [0] * 4, [err[-600:] for _, err in outputs]
    db = attack.keyed(engine, ring)
    with db.read() as session:
        report = verify(session, ring)
    assert report.ok, report.problems
    assert {c.terminal: c.entries for c in report.chains} == {t: 41 for t in terminals}
    with engine.connect() as connection:
        chains = list(connection.scalars(select(attack.AUDIT.c.chain).order_by(attack.AUDIT.c.id)))
    assert len({tuple(chains[i : i + 4]) for i in range(0, 160, 4)}) > 1  # really interleaved
    engine.dispose()
