"""Each way of tampering with the audit trail, done with plain SQL as someone who can write the
database would, and each reported by ``verify`` — on SQLite and on PostgreSQL. The chain is an
older database's (SHA-256 entries) keyed at a switch point, worked on, anchored, worked on again:
what a hall's database looks like after this version's first start."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from app.cases.anchors import AuditAnchors
from app.cases.audit import KEYED
from app.cases.audit_verify import AuditReport, verify
from app.catalog.catalog import Catalog
from app.db.engine import Database, make_engine
from app.db.migrate import upgrade
from app.security.keys import KeyRing
from tests.helpers import audit as attack
from tests.helpers.cases import CLERK, make_service, open_newborn, receive_all
from tests.helpers.clock import MONDAY, WallClock


@dataclass
class Trail:
    engine: Engine
    db: Database
    ring: KeyRing
    switch: int  # the switch point's entry
    anchored: int  # the entry of the last anchor recorded here
    last: int  # the last entry

    def report(self, ring: KeyRing | None = None) -> AuditReport:
        with self.db.read() as session:
            return verify(session, ring or self.ring)


@pytest.fixture
def trail(database_url: str, catalog: Catalog, tmp_path: Path) -> Iterator[Trail]:
    engine = make_engine(database_url)
    upgrade(engine)
    clock = WallClock(MONDAY)
    older = make_service(Database(engine), catalog, tmp_path / "old", clock)
    receive_all(older, open_newborn(older, catalog))  # before keyed chains: SHA-256 entries
    ring = attack.audit_ring()
    db = attack.keyed(engine, ring)
    service = make_service(db, catalog, tmp_path / "new", clock)
    service.accept(CLERK, receive_all(service, open_newborn(service, catalog)).receipt_no)
    (anchor,) = AuditAnchors(db).make("counter-01", reason="shutdown")
    open_newborn(service, catalog)  # after the anchor
    with db.read() as session:
        first_keyed = select(attack.AUDIT.c.id).where(attack.AUDIT.c.action == KEYED)
        switch = session.execute(first_keyed).scalar_one()
    ids = attack.ids(engine)
    yield Trail(engine, db, ring, switch, anchor.entry_id, ids[-1])
    engine.dispose()


def says(report: AuditReport, *words: str) -> bool:
    return not report.ok and any(all(w in p for w in words) for p in report.problems)


def names(report: AuditReport, entry_id: int, *words: str) -> bool:
    """A problem about ``entry_id`` alone ("第 N 条记录") or in a run ("第 A 至 B 条记录")."""
    for problem in report.problems:
        alone = f"第 {entry_id} 条记录" in problem
        run = re.match(r"第 (\d+) 至 (\d+) 条记录", problem)
        within = run is not None and int(run[1]) <= entry_id <= int(run[2])
        if (alone or within) and all(w in problem for w in words):
            return True
    return False


def test_the_untouched_trail_verifies_with_its_older_sha256_part(trail: Trail) -> None:
    report = trail.report()
    assert report.ok, report.problems
    assert report.keyed_from == trail.switch > 1  # entries before it kept their SHA-256
    assert report.key_id == trail.ring.current and report.entries == trail.last
    assert [a.entry_id for a in report.anchors] == [trail.anchored]


def test_an_edited_entry(trail: Trail) -> None:
    attack.edit(trail.engine, trail.switch + 2)
    assert says(trail.report(), f"第 {trail.switch + 2} 条记录", "内容被改动过")


def test_an_edited_entry_before_the_switch_point(trail: Trail) -> None:
    """SHA-256 entries can be recomputed by anyone, but the switch entry's keyed hash covers
    the link to them: rewriting the old part breaks it."""
    attack.rechain_from(trail.engine, 2, key=None)
    report = trail.report()
    assert names(report, trail.switch, "不用密钥算出的")
    assert not any(names(report, n) for n in range(2, trail.switch))


def test_an_inserted_entry(trail: Trail) -> None:
    forged = attack.insert_after(trail.engine, trail.switch + 3)
    report = trail.report()
    assert says(report, f"第 {forged} 条记录", "不用密钥算出的")
    assert says(report, f"第 {forged + 1} 条记录的前一条哈希对不上")


def test_an_entry_deleted_inside(trail: Trail) -> None:
    attack.delete_entry(trail.engine, trail.switch + 3)
    assert says(trail.report(), f"第 {trail.switch + 4} 条记录的前一条哈希对不上")


def test_the_last_entry_deleted(trail: Trail) -> None:
    attack.delete_tail(trail.engine, 1, move_head=False)
    assert says(trail.report(), "末尾的记录被删除了")


def test_the_tail_deleted_and_the_head_moved_back_past_an_anchor(trail: Trail) -> None:
    """The two statements that passed before: only the anchor can tell."""
    attack.delete_tail(trail.engine, trail.last - trail.anchored + 1)
    report = trail.report()
    assert says(report, "本机记录的锚点", f"已到第 {trail.anchored} 条", "链头被移回")
    assert not any("链头停在" in p or "末尾的记录被删除了" in p for p in report.problems)


def test_the_trail_truncated(trail: Trail) -> None:
    attack.truncate(trail.engine)
    report = trail.report()
    assert report.entries == 0
    assert says(report, "本机记录的锚点", "整条链被清空过")


def test_the_head_moved_back(trail: Trail) -> None:
    attack.move_head(trail.engine, trail.anchored - 2)
    assert says(trail.report(), f"链头停在第 {trail.anchored - 2} 条", "链头被移回过")


def test_rechained_without_the_key_as_sha256(trail: Trail) -> None:
    attack.rechain_from(trail.engine, trail.switch + 2, key=None)
    report = trail.report()
    assert names(report, trail.switch + 2, "不用密钥算出的")
    assert names(report, trail.last, "不用密钥算出的")
    assert len(report.problems) == 2  # the run of entries as one, and the anchor
    assert says(report, "本机记录的锚点", f"第 {trail.anchored} 条", "被改写过")


def test_rechained_with_a_wrong_key(trail: Trail) -> None:
    attack.rechain_from(trail.engine, trail.switch + 2, key=secrets.token_bytes(32))
    report = trail.report()
    assert names(report, trail.switch + 2, "内容被改动过")
    assert names(report, trail.last, "内容被改动过")


def test_rechained_with_the_hall_key_is_caught_by_the_anchor(trail: Trail) -> None:
    """An insider with the key file recomputes every hash: the chain is whole again, but the
    anchor recorded before holds the old hash."""
    attack.rechain_from(trail.engine, trail.switch + 2, key=trail.ring.keys[trail.ring.current])
    report = trail.report()
    assert says(report, "本机记录的锚点", f"第 {trail.anchored} 条", "重新计算过哈希")
    assert not any("内容被改动过" in p for p in report.problems)


def test_the_whole_trail_rewritten_unkeyed(trail: Trail) -> None:
    """Without the switch point the chain claims never to have been keyed."""
    attack.delete_entry(trail.engine, trail.switch)
    attack.rechain_from(trail.engine, 1, key=None)
    attack.forget_anchors(trail.engine)
    with trail.engine.begin() as connection:
        connection.execute(attack.HEAD.update().values(key_id="", chain_id=""))
    assert says(trail.report(), "都没有用大厅审计密钥保护")


def test_verify_without_the_key_says_it_cannot_check(trail: Trail) -> None:
    report = trail.report(attack.audit_ring("AOTHER001"))
    assert says(report, f"第 {trail.switch} 条起", trail.ring.current, "没有这把密钥")
