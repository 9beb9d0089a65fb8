"""The durable outbox on SQLite and PostgreSQL: written with the change, claimed in order and once."""

from __future__ import annotations

import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Text, cast, func, select, update

from app.cases.audit_verify import verify
from app.cases.outbox import Message, Outbox, Outcome
from app.cases.service import CaseService
from app.catalog.catalog import Catalog
from app.db.engine import Database
from app.db.models import AuditEntry, OutboxMessage, OutboxPayload
from app.errors import InvalidInput, OutboxError
from app.roles import NotAllowed
from tests.helpers.cases import CLERK, MANAGER, MOTHER, open_newborn
from tests.helpers.clock import WallClock

SCANNED = "marriage_certificate"


def kiosk_case(service: CaseService, catalog: Catalog, *, scans: int = 0) -> str:
    """A pre-application: its submission, then one material message per scan."""
    receipt_no = open_newborn(service, catalog, channel="kiosk").receipt_no
    for n in range(scans):
        service.attach_scan(
            CLERK, receipt_no, SCANNED, f"%PDF {receipt_no} {n}".encode(), file_name=f"{n}.pdf"
        )
    return receipt_no


def total(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(OutboxMessage)) or 0


def audit(db: Database, receipt_no: str) -> list[AuditEntry]:
    with db.read() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.receipt_no == receipt_no).order_by(AuditEntry.id)
        ).all()
        assert verify(session).ok
        return list(entries)


def one(outbox: Outbox, message_id: int) -> Message:
    return next(m for m in outbox.messages() if m.id == message_id)


def ids(messages: list[Message]) -> list[int]:
    return [m.id for m in messages]


def due(clock: WallClock) -> datetime:
    """A second after the test clock, which the service and the outbox both read."""
    return clock.now + timedelta(seconds=1)


def test_pre_application_is_queued_with_the_change(
    service: CaseService, catalog: Catalog, db: Database, clock: WallClock
) -> None:
    outbox = Outbox(db, clock=clock)
    first = kiosk_case(service, catalog, scans=2)
    second = kiosk_case(service, catalog)
    queued = outbox.messages(receipt_no=first)
    assert [(m.seq, m.kind) for m in queued] == [
        (1, "submission"),
        (2, "material"),
        (3, "material"),
    ]
    assert [m.idempotency_key for m in queued] == [
        f"{first}/1/submission",
        f"{first}/2/material",
        f"{first}/3/material",
    ]
    assert {m.state for m in queued} == {"pending"} and {m.attempts for m in queued} == {0}
    assert queued[0].next_attempt_at == clock.now
    assert queued[0].payload["receipt_no"] == first and queued[0].payload["channel"] == "kiosk"
    assert queued[1].file_sha256 and queued[1].file_sha256 != queued[2].file_sha256
    assert [(m.seq, m.idempotency_key) for m in outbox.messages(receipt_no=second)] == [
        (1, f"{second}/1/submission")
    ]
    # A change that fails writes no message and uses up no sequence number.
    with pytest.raises(InvalidInput):
        service.attach_scan(CLERK, first, "no_such_material", b"%PDF", file_name="x.pdf")
    assert total(db) == 4
    service.attach_scan(CLERK, first, SCANNED, b"%PDF late", file_name="late.pdf")
    assert [m.seq for m in outbox.messages(receipt_no=first)] == [1, 2, 3, 4]
    assert outbox.messages(receipt_no=first)[:3] == queued  # stable: nothing rewritten
    assert outbox.counts() == {
        "pending": 5,
        "in_flight": 0,
        "retrying": 0,
        "attention": 0,
        "delivered": 0,
        "cancelled": 0,
    }


def test_submission_payload_carries_the_applicant_as_data(
    service: CaseService, catalog: Catalog, db: Database
) -> None:
    (message,) = Outbox(db).messages(receipt_no=kiosk_case(service, catalog))
    applicant = message.payload["applicant"]
    assert isinstance(applicant, dict) and applicant.get("id_number") == MOTHER.id_number
    assert "T" in message.payload["created_at"]  # ISO 8601, not str(datetime)
    with db.read() as session:
        stored = session.scalar(select(cast(OutboxPayload.payload, Text)))
    assert stored == message.payload_json and MOTHER.name in stored  # readable, not \\u escapes


def test_claim_is_oldest_first_and_one_per_case(
    service: CaseService, catalog: Catalog, db: Database, clock: WallClock
) -> None:
    a, b, c = (kiosk_case(service, catalog, scans=1) for _ in range(3))
    outbox, now = Outbox(db, clock=clock), due(clock)
    a1, a2, b1, b2, c1, c2 = (m for r in (a, b, c) for m in outbox.messages(receipt_no=r))
    assert ids(outbox.claim("s1", limit=2, now=now)) == [a1.id, b1.id]
    assert ids(outbox.claim("s2", now=now)) == [c1.id]  # a2, b2 wait behind their first
    assert outbox.claim("s3", now=now) == []
    assert one(outbox, a1.id).claimed_by == "s1" and one(outbox, c1.id).claimed_by == "s2"
    outbox.delivered(b1.id, at=now)
    assert ids(outbox.claim("s3", now=now)) == [b2.id]
    outbox.failed(a1.id, "s1", "HTTP 503", now=now)  # retrying still blocks a2
    assert outbox.claim("s3", now=now) == []
    assert outbox.messages(states=("pending",)) == [one(outbox, a2.id), one(outbox, c2.id)]
    assert outbox.counts()["in_flight"] == 2 and total(db) == 6


def test_concurrent_senders_deliver_each_message_once_in_order(
    service: CaseService, catalog: Catalog, db: Database, clock: WallClock
) -> None:
    senders = 4
    receipts = [kiosk_case(service, catalog, scans=2) for _ in range(40)]
    now = due(clock)  # fixed: the leases (120 s) never run out during the run
    expected = {m.id for m in Outbox(db, clock=clock).messages(limit=1000)}
    assert len(expected) == 120
    lock, stop = threading.Lock(), threading.Event()
    claimed: list[int] = []
    sent: dict[str, list[int]] = defaultdict(list)

    def sender(name: str) -> int:
        outbox, done = Outbox(db, clock=clock), 0
        while not stop.is_set():
            batch = outbox.claim(name, limit=3, now=now)
            if not batch:
                counts = outbox.counts()
                if counts["pending"] + counts["in_flight"] == 0:
                    return done
                continue  # another sender holds the earlier message of a case
            for message in batch:
                with lock:
                    claimed.append(message.id)
                    sent[message.receipt_no].append(message.seq)  # "sent" before reported
                outbox.delivered(message.id, at=now)
                done += 1
        return done

    with ThreadPoolExecutor(senders) as pool:
        futures = [pool.submit(sender, f"sender-{n}") for n in range(senders)]
        try:
            done = [f.result(timeout=60) for f in futures]
        finally:
            stop.set()
    assert sum(done) == len(claimed) == len(set(claimed)) == 120
    assert set(claimed) == expected
    assert {r: sent[r] for r in receipts} == {r: [1, 2, 3] for r in receipts}
    assert Outbox(db, clock=clock).counts()["delivered"] == 120 == total(db)


def test_a_dead_senders_lease_runs_out(
    service: CaseService, catalog: Catalog, db: Database, clock: WallClock
) -> None:
    receipt_no = kiosk_case(service, catalog, scans=1)
    outbox, t0 = Outbox(db, lease_s=5, clock=clock), due(clock)
    (first,) = outbox.claim("dead", now=t0)
    assert outbox.claim("live", now=t0 + timedelta(seconds=5)) == []  # the lease still holds
    (again,) = outbox.claim("live", now=t0 + timedelta(seconds=6))
    assert again.id == first.id and again.claimed_by == "live" and again.state == "in_flight"
    outbox.failed(first.id, "dead", "timeout", now=t0 + timedelta(seconds=7))  # stale: ignored
    kept = one(outbox, first.id)
    assert (kept.state, kept.attempts, kept.claimed_by, kept.last_error) == (
        "in_flight",
        0,
        "live",
        "",
    )
    outbox.delivered(first.id, at=t0 + timedelta(seconds=8))  # the dead one did get through
    outbox.failed(first.id, "live", "duplicate", now=t0 + timedelta(seconds=9))
    assert one(outbox, first.id).state == "delivered"
    assert one(outbox, first.id).delivered_at == t0 + timedelta(seconds=8)
    (second,) = outbox.claim("live", now=t0 + timedelta(seconds=9))
    assert (second.receipt_no, second.seq) == (receipt_no, 2) and total(db) == 2


def test_failed_retries_with_doubling_capped_backoff(
    service: CaseService, catalog: Catalog, db: Database, clock: WallClock
) -> None:
    receipt_no = kiosk_case(service, catalog, scans=1)
    outbox, t = Outbox(db, first_retry_s=5, max_retry_s=30, jitter=0, clock=clock), due(clock)
    for attempt, wait in enumerate([5, 10, 20, 30, 30], start=1):
        (message,) = outbox.claim("s", now=t)
        assert message.seq == 1
        outbox.failed(message.id, "s", f"HTTP 503 #{attempt}", now=t)
        failed = one(outbox, message.id)
        assert (failed.state, failed.attempts, failed.last_error) == (
            "retrying",
            attempt,
            f"HTTP 503 #{attempt}",
        )
        assert failed.next_attempt_at == t + timedelta(seconds=wait)
        assert outbox.claim("s", now=failed.next_attempt_at - timedelta(milliseconds=1)) == []
        t = failed.next_attempt_at
    assert outbox.counts()["retrying"] == 1 and outbox.counts()["pending"] == 1
    (message,) = outbox.claim("s", now=t)
    outbox.delivered(message.id, at=t)
    assert one(outbox, message.id).last_error == ""
    assert [m.seq for m in outbox.claim("s", now=t)] == [2]
    assert total(db) == 2 and outbox.messages(receipt_no=receipt_no)[0].attempts == 5
    (material,) = outbox.claim("s", now=t + timedelta(minutes=5))  # its lease ran out
    outbox.failed(material.id, "s", "HTTP 503", now=t)
    outbox.resend(material.id, CLERK)  # a person: try now, same payload, same key
    resent = one(outbox, material.id)
    assert (resent.state, resent.attempts, resent.idempotency_key) == (
        "pending",
        0,
        material.idempotency_key,
    )


def test_release_makes_what_waits_out_its_backoff_due_for_every_sender(
    service: CaseService, catalog: Catalog, db: Database, clock: WallClock
) -> None:
    """After an outage: the messages waiting longer than ``at`` are due at ``at`` (for every
    sender: it is in the database); the rest, and those due sooner, stay as they were."""
    kiosk_case(service, catalog)
    kiosk_case(service, catalog)
    kiosk_case(service, catalog)
    outbox, t = Outbox(db, first_retry_s=1800, max_retry_s=1800, jitter=0, clock=clock), due(clock)
    soon, late, sent = outbox.claim("a", now=t)
    outbox.settle(
        "a",
        [
            Outcome(soon.id, "failed", "out of order", retry_after_s=0),
            Outcome(late.id, "failed", "HTTP 503"),
            Outcome(sent.id, "delivered"),
        ],
        now=t,
    )
    with db.connect() as connection:  # this one's wait is short already
        connection.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == soon.id)
            .values(next_attempt_at=t + timedelta(seconds=2))
        )
    back = t + timedelta(seconds=10)
    assert outbox.release(back) == 1
    waiting = {m.id: m for m in outbox.waiting()}
    assert waiting[late.id].next_attempt_at == back and waiting[late.id].attempts == 1
    assert waiting[soon.id].next_attempt_at == t + timedelta(seconds=2)
    assert ids(outbox.waiting()) == [soon.id, late.id]  # soonest first
    assert one(outbox, sent.id).state == "delivered"
    assert ids(outbox.claim("b", now=back)) == [soon.id, late.id]  # another sender sees it


def test_rejected_parks_the_case_until_resent_or_cancelled(
    service: CaseService, catalog: Catalog, db: Database, clock: WallClock
) -> None:
    a = kiosk_case(service, catalog, scans=2)
    b = kiosk_case(service, catalog)
    outbox, now = Outbox(db, clock=clock), due(clock)
    a1, b1 = outbox.claim("s", now=now)
    outbox.rejected(a1.id, "s", "申请人身份证号与姓名不符")
    parked = one(outbox, a1.id)
    assert (parked.state, parked.note, parked.attempts) == (
        "attention",
        "申请人身份证号与姓名不符",
        1,
    )
    entry = audit(db, a)[-1]
    assert entry.action == "outbox_rejected" and entry.after is not None
    assert entry.after["reason"] == "申请人身份证号与姓名不符" and entry.after["message"] == a1.id
    with pytest.raises(OutboxError):
        outbox.cancel(b1.id, MANAGER, "已在平台人工补录")  # in flight: wait for its result
    outbox.delivered(b1.id, at=now)
    assert outbox.claim("s", now=now + timedelta(days=1)) == []  # a's later ones wait
    assert outbox.messages(states=("attention",)) == [parked]
    assert ids(outbox.messages(receipt_no=b)) == [b1.id]

    fixed = {**a1.payload, "form": {**a1.payload["form"], "newborn.name": "王小明"}}
    outbox.resend(a1.id, CLERK, payload=fixed)
    resent = one(outbox, a1.id)
    assert (resent.state, resent.attempts, resent.payload) == ("pending", 0, fixed)
    assert resent.idempotency_key == f"{a}/1/submission#1"
    resend_entry = audit(db, a)[-1]
    assert resend_entry.action == "outbox_resend" and resend_entry.actor == CLERK.name
    assert resend_entry.before is not None and resend_entry.before["attempts"] == 1
    later = due(clock)
    (again,) = outbox.claim("s", now=later)
    assert again.id == a1.id and again.idempotency_key.endswith("#1")
    outbox.rejected(a1.id, "s", "仍不符")

    with pytest.raises(OutboxError):
        outbox.cancel(a1.id, MANAGER, "  ")  # a reason is required
    with pytest.raises(OutboxError):
        outbox.cancel(b1.id, MANAGER, "已在平台人工补录")  # delivered
    with pytest.raises(OutboxError):
        outbox.resend(b1.id, CLERK)
    assert one(outbox, a1.id).state == "attention"
    with pytest.raises(
        NotAllowed, match="窗口人员（clerk-zhang）没有“取消发往平台的消息”的权限"
    ) as no:
        outbox.cancel(a1.id, CLERK, "已在平台人工补录")  # only a manager: nothing changes
    assert "管理员" in no.value.hint and one(outbox, a1.id).state == "attention"
    refused = audit(db, "")[-1]
    assert (refused.action, refused.actor, refused.after) == (
        "refused",
        CLERK.name,
        {"permission": "outbox.cancel", "role": "clerk"},
    )
    outbox.cancel(a1.id, MANAGER, " 已在平台人工补录 ")
    cancelled = one(outbox, a1.id)
    assert (cancelled.state, cancelled.note) == ("cancelled", "已在平台人工补录")
    assert audit(db, a)[-1].action == "outbox_cancel"
    assert [(m.receipt_no, m.seq) for m in outbox.claim("s", now=later)] == [(a, 2)]
    with pytest.raises(OutboxError):
        outbox.delivered(10_000)
    assert outbox.counts() == {
        "pending": 1,
        "in_flight": 1,
        "retrying": 0,
        "attention": 0,
        "delivered": 1,
        "cancelled": 1,
    }
    assert total(db) == 4


def test_backoff_has_jitter_below_the_doubling(db: Database) -> None:
    outbox = Outbox(db, first_retry_s=4, max_retry_s=60, jitter=0.25)
    waits = [outbox.backoff_s(3) for _ in range(200)]
    assert all(12 <= w <= 16 for w in waits) and len({round(w, 3) for w in waits}) > 50
    assert max(outbox.backoff_s(10) for _ in range(50)) <= 60
