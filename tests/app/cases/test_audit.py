"""The audit chain: every change recorded once, any edit, removal or insertion detected; keyed
with the hall's audit key from a switch point on, the key never in the database. (Every kind of
tampering: test_audit_tampering.py; against the platform's anchor: tests/sync.)"""

from __future__ import annotations

import base64
import hashlib
import secrets
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from sqlalchemy import delete, select, update

from app.cases.anchors import AuditAnchors
from app.cases.audit import KEYED, entry_hash
from app.cases.audit_verify import verify
from app.cases.service import CaseService
from app.catalog.catalog import Catalog
from app.db.base import Base, json_dumps
from app.db.engine import Database
from app.db.models import AuditEntry
from app.errors import KeysError
from app.security.keys import KeyRing
from tests.helpers import audit as attack
from tests.helpers.cases import CLERK, make_service, open_newborn, receive_all
from tests.helpers.clock import MONDAY, WallClock


@pytest.fixture
def history(service: CaseService, catalog: Catalog) -> str:
    case = service.accept(CLERK, receive_all(service, open_newborn(service, catalog)).receipt_no)
    open_newborn(service, catalog)
    return case.receipt_no


def test_untouched_chain_verifies(db: Database, history: str) -> None:
    with db.read() as session:
        report = verify(session)
    assert report.ok and report.entries > 5


def test_entries_carry_who_where_and_before_after(service: CaseService, history: str) -> None:
    accept = service.timeline(history)[-1]
    assert (accept.actor, accept.terminal, accept.action) == ("clerk-zhang", "counter-01", "accept")
    assert accept.before == {"state": "draft", "promised_date": None}
    assert accept.after is not None and accept.after["state"] == "accepted"


@pytest.mark.parametrize("tamper", ["edit", "delete_middle", "delete_last"])
def test_tampering_is_detected(db: Database, history: str, tamper: str) -> None:
    with db.transaction() as session:
        ids = list(session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)))
        if tamper == "edit":
            session.execute(
                update(AuditEntry).where(AuditEntry.id == ids[2]).values(actor="someone-else")
            )
        elif tamper == "delete_middle":
            session.execute(delete(AuditEntry).where(AuditEntry.id == ids[2]))
        else:
            session.execute(delete(AuditEntry).where(AuditEntry.id == ids[-1]))
    with db.read() as session:
        report = verify(session)
    assert not report.ok
    assert any(("改动" in p) or ("删除" in p) for p in report.problems)


# -- the keyed chain -------------------------------------------------------------------------------
def keyed_service(db: Database, ring: KeyRing, catalog: Catalog, tmp_path: Path) -> CaseService:
    return make_service(attack.keyed(db.engine, ring), catalog, tmp_path, WallClock(MONDAY))


def entries(db: Database) -> list[AuditEntry]:
    with db.read() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_a_keyed_chain_hashes_with_hmac_sm3_from_its_switch_point(
    db: Database, catalog: Catalog, tmp_path: Path
) -> None:
    ring = attack.audit_ring()
    open_newborn(make_service(db, catalog, tmp_path, WallClock(MONDAY)), catalog)  # unkeyed
    keyed = keyed_service(db, ring, catalog, tmp_path)
    open_newborn(keyed, catalog)
    old, switch, new = entries(db)
    assert switch.action == KEYED and switch.after is not None
    assert switch.after["key_id"] == ring.current and len(switch.after["chain"]) == 16
    body = json_dumps(
        [new.prev_hash, new.at.isoformat(timespec="microseconds"), new.actor, new.terminal,
         new.case_id, new.receipt_no, new.action, new.before, new.after],
        sort_keys=True, separators=(",", ":"),
    ).encode()  # fmt: skip
    mac = crypto_hmac.HMAC(ring.keys[ring.current], hashes.SM3())
    mac.update(body)
    assert new.hash == mac.finalize().hex() != hashlib.sha256(body).hexdigest()
    assert old.hash == entry_hash(
        old.prev_hash, at=old.at, actor=old.actor, terminal=old.terminal, case_id=old.case_id,
        receipt_no=old.receipt_no, action=old.action, before=old.before, after=old.after,
    )  # fmt: skip
    with db.read() as session:
        report = verify(session, ring)
        assert report.ok and report.keyed_from == switch.id and report.chain_id
        assert not verify(session, attack.audit_ring(ring.current)).ok  # same id, other secret


def test_an_unkeyed_write_after_the_switch_is_refused_and_writes_nothing(
    db: Database, catalog: Catalog, tmp_path: Path
) -> None:
    open_newborn(keyed_service(db, attack.audit_ring(), catalog, tmp_path), catalog)
    before = entries(db)
    with pytest.raises(KeysError, match="没有拿到审计密钥") as refused:
        open_newborn(make_service(db, catalog, tmp_path, WallClock(MONDAY)), catalog)
    assert refused.value.hint and [e.id for e in entries(db)] == [e.id for e in before]


def test_a_rotated_key_starts_at_a_new_switch_point_and_old_entries_still_verify(
    db: Database, catalog: Catalog, tmp_path: Path
) -> None:
    first = attack.audit_ring("A1")
    open_newborn(keyed_service(db, first, catalog, tmp_path), catalog)
    second = KeyRing("A2", {**first.keys, "A2": secrets.token_bytes(32)})
    open_newborn(keyed_service(db, second, catalog, tmp_path), catalog)
    switches = [e for e in entries(db) if e.action == KEYED]
    assert [s.after["key_id"] for s in switches if s.after] == ["A1", "A2"]
    assert len({s.after["chain"] for s in switches if s.after}) == 1  # one trail
    with db.read() as session:
        assert verify(session, second).ok
        report = verify(session, first)  # a terminal whose key file was not copied again
    assert any("A2" in p and "没有这把密钥" in p for p in report.problems)


def test_the_key_never_reaches_the_database(db: Database, catalog: Catalog, tmp_path: Path) -> None:
    ring = attack.audit_ring()
    service = keyed_service(db, ring, catalog, tmp_path)
    service.accept(CLERK, receive_all(service, open_newborn(service, catalog)).receipt_no)
    AuditAnchors(attack.keyed(db.engine, ring)).make("counter-01")
    secret = ring.keys[ring.current]
    forms = (secret.hex(), base64.b64encode(secret).decode(), secret.decode("latin-1"))
    with db.engine.connect() as connection:
        for name, table in Base.metadata.tables.items():
            for row in connection.execute(select(table)):
                text = repr(tuple(row))
                assert not any(form in text for form in forms), name
