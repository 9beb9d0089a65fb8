"""Audit anchors over real HTTP: the head of a hall's audit trail sent to the reference platform
at intervals and when sync stops, acknowledged, retried through an outage, refused when the
platform holds another hash for the entry; kept per hall and per trail. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cases.anchors import AuditAnchors
from app.cases.audit_verify import verify
from app.cases.service import CaseService
from app.catalog.catalog import Catalog
from app.db.engine import Database, make_engine
from app.db.migrate import upgrade
from app.db.models import AuditEntry
from app.security.keys import KeyRing
from sync import contract
from sync.anchors import AnchorSender, wire
from sync.client import HttpPlatform, Refused
from sync.server.faults import Faults
from sync.state import SyncState
from tests.helpers import audit as attack
from tests.helpers.cases import CLERK, make_service, open_newborn, receive_all
from tests.helpers.clock import MONDAY, WallClock
from tests.sync.conftest import HALL, Served


@dataclass
class Terminal:
    """A terminal of the hall with its own (keyed) database, anchoring through the platform."""

    db: Database
    ring: KeyRing
    service: CaseService
    anchors: AuditAnchors
    sender: AnchorSender
    clock: WallClock

    def head(self) -> tuple[int, str]:
        with self.db.read() as session:
            row = session.execute(
                select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
            ).one()
        return row.id, row.hash

    def work(self, catalog: Catalog) -> None:
        self.service.accept(
            CLERK, receive_all(self.service, open_newborn(self.service, catalog)).receipt_no
        )


@pytest.fixture
def terminal(
    database_url: str, catalog: Catalog, tmp_path: Path, http: HttpPlatform
) -> Iterator[Terminal]:
    engine = make_engine(database_url)
    upgrade(engine)
    ring = attack.audit_ring()
    db = attack.keyed(engine, ring)
    clock = WallClock(MONDAY)
    anchors = AuditAnchors(db, every_entries=5, every_s=600, first_retry_s=30, clock=clock)
    sender = AnchorSender(anchors, http, SyncState(db), terminal="counter-01", clock=clock)
    yield Terminal(db, ring, make_service(db, catalog, tmp_path, clock), anchors, sender, clock)
    engine.dispose()


def held(served: Served, hall: str = HALL) -> list[contract.AnchorRecord]:
    return served.store.latest_anchors(hall)


def test_anchors_go_when_due_and_are_acknowledged(
    terminal: Terminal, served: Served, catalog: Catalog
) -> None:
    assert terminal.sender.send_once().made == []  # an empty trail has no head to anchor
    terminal.work(catalog)
    first = terminal.sender.send_once()
    assert [a.reason for a in first.made] == ["first"] and first.acknowledged == 1
    ((record,),) = [held(served)]
    assert (record.entry_id, record.entry_hash) == terminal.head()
    assert record.terminal == "counter-01" and record.key_id == terminal.ring.current
    assert terminal.sender.send_once().made == []  # the head has not moved

    open_newborn(terminal.service, catalog)  # one entry: not yet due
    assert terminal.sender.send_once().made == []
    terminal.clock.advance(minutes=10)
    late = terminal.sender.send_once()
    assert [a.reason for a in late.made] == ["interval"] and late.acknowledged == 1
    terminal.work(catalog)  # more than five entries
    many = terminal.sender.send_once()
    assert [a.reason for a in many.made] == ["entries"]
    ((latest,),) = [held(served)]
    assert (latest.entry_id, latest.entry_hash) == terminal.head()
    last = terminal.anchors.last_acknowledged()
    assert last is not None and last.entry_id == latest.entry_id
    assert terminal.anchors.summary()["acknowledged"] == 3


def test_an_anchor_waits_out_an_outage(
    terminal: Terminal, served: Served, catalog: Catalog
) -> None:
    terminal.work(catalog)
    served.platform.faults.set(Faults(outage_s=20))
    down = terminal.sender.send_once()
    assert down.made and down.retrying == 1 and down.acknowledged == 0
    (waiting,) = terminal.anchors.anchors()
    assert waiting.state == "pending" and waiting.attempts == 1 and "503" in waiting.last_error
    assert terminal.sender.send_once().acknowledged == 0  # not due again yet: nothing sent
    served.platform.faults.set(Faults())
    terminal.clock.advance(seconds=31)
    assert terminal.sender.send_once().acknowledged == 1
    assert [r.entry_id for r in held(served)] == [waiting.entry_id]


def test_resending_an_anchor_is_harmless_and_another_hash_is_refused(
    terminal: Terminal, http: HttpPlatform, catalog: Catalog
) -> None:
    terminal.work(catalog)
    (made,) = terminal.sender.send_once().made
    assert http.anchor(wire(made)).outcome == "duplicate"
    forged = wire(made).model_copy(update={"entry_hash": "f" * 64})
    with pytest.raises(Refused, match="409") as refused:
        http.anchor(forged)
    assert "onestop audit verify" in refused.value.message


def test_a_rewritten_trail_gets_its_anchor_refused_and_audited(
    terminal: Terminal, served: Served, catalog: Catalog
) -> None:
    """An insider with the key file rewrites the trail and clears the anchors recorded here: the
    next anchor of the same entry carries another hash, which the platform refuses."""
    terminal.work(catalog)
    assert terminal.sender.send_once().acknowledged == 1
    engine = terminal.db.engine
    attack.rechain_from(engine, 3, key=terminal.ring.keys[terminal.ring.current])
    attack.forget_anchors(engine)
    done = terminal.sender.send_once()
    assert done.refused == 1 and done.acknowledged == 0
    (refused,) = terminal.anchors.anchors()
    assert refused.state == "refused" and "被改写过" in refused.note
    with terminal.db.read() as session:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert last is not None and last.action == "audit_anchor_refused"


def test_the_platform_keeps_halls_and_trails_apart(
    terminal: Terminal, served: Served, catalog: Catalog, tmp_path: Path
) -> None:
    terminal.work(catalog)
    terminal.sender.send_once()
    other_hall = served.store.add_terminal("counter-b", "430100002")
    stranger = HttpPlatform(served.platform.url, other_hall)
    try:
        assert stranger.audit_chains() == []  # another hall's trail is not there for it
        (mine,) = held(served)
        same_entry = contract.AuditAnchor(
            chain=mine.chain, entry_id=mine.entry_id, entry_hash="e" * 64, at=mine.at
        )
        assert stranger.anchor(same_entry).outcome == "recorded"  # its own, no conflict
    finally:
        stranger.close()
    # a second terminal of the hall with a database of its own: a second trail, no conflict
    engine = make_engine(f"sqlite:///{tmp_path / 'kiosk.sqlite3'}")
    upgrade(engine)
    try:
        kiosk_db = attack.keyed(engine, terminal.ring)
        kiosk = make_service(kiosk_db, catalog, tmp_path / "kiosk", terminal.clock)
        open_newborn(kiosk, catalog)
        token = served.store.add_terminal("kiosk-01", HALL)
        platform = HttpPlatform(served.platform.url, token)
        try:
            sender = AnchorSender(
                AuditAnchors(kiosk_db), platform, SyncState(kiosk_db), terminal="kiosk-01"
            )
            assert sender.send_once().acknowledged == 1
            chains = {r.chain: r.terminal for r in platform.audit_chains()}
        finally:
            platform.close()
    finally:
        engine.dispose()
    assert sorted(chains.values()) == ["counter-01", "kiosk-01"]
    with terminal.db.read() as session:
        assert verify(session, terminal.ring).ok
