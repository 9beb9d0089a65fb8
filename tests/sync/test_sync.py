"""A hall and the reference platform over real HTTP: cases go up once and in order, files resume,
decisions come back to the window."""

from __future__ import annotations

import time
from typing import Any

from app.cases.audit_verify import verify
from app.catalog.catalog import Catalog
from sync import state
from sync.client import HttpPlatform
from sync.receiver import Receiver
from tests.helpers.cases import CLERK, MANAGER, open_newborn, receive_all
from tests.helpers.waiting import eventually
from tests.sync.conftest import Hall, Served

SCANNED = "marriage_certificate"


def drain(hall: Hall, platform: HttpPlatform, *, rounds: int = 50) -> None:
    sender = hall.sender(platform)
    for _ in range(rounds):
        if sender.send_once().claimed == 0 and hall.outbox.counts()["retrying"] == 0:
            return
    raise AssertionError(f"outbox not drained: {hall.outbox.counts()}")


def receive_until(hall: Hall, platform: HttpPlatform, done: object, timeout_s: float = 15) -> None:
    receiver = hall.receiver(platform)

    def received() -> bool:
        if done():  # type: ignore[operator]
            return True
        receiver.receive_once()
        drain(hall, platform)  # the dispatch messages the decisions cause
        return False

    eventually(received, timeout_s, "the decisions did not come back")


def test_cases_go_up_and_decisions_come_back(
    hall: Hall, served: Served, http: HttpPlatform, catalog: Catalog
) -> None:
    kiosk = open_newborn(hall.service, catalog, channel="kiosk")
    scan = b"%PDF-1.7 " + bytes(range(256)) * 5000  # 1.28 MB: two upload chunks
    hall.service.attach_scan(CLERK, kiosk.receipt_no, SCANNED, scan, file_name="marriage.pdf")
    counter = receive_all(hall.service, open_newborn(hall.service, catalog))
    accepted = hall.service.accept(CLERK, counter.receipt_no)

    drain(hall, http)
    assert hall.outbox.counts()["delivered"] == 4 and hall.outbox.counts()["pending"] == 0
    stats = served.store.stats()
    assert (stats["cases"], stats["messages_applied"], stats["files"]) == (2, 4, 1)
    sha = hall.outbox.messages(receipt_no=kiosk.receipt_no)[1].file_sha256
    assert sha and served.store.file_path(sha).read_bytes() == scan
    assert hall.service.get(kiosk.receipt_no).platform_no  # from the answer to the submission

    def completed() -> bool:
        return hall.service.get(counter.receipt_no).state == "completed"

    receive_until(hall, http, completed)
    done = hall.service.get(counter.receipt_no)
    assert {i.state for i in done.items} == {"approved"} and len(done.items) == len(accepted.items)
    assert all(i.decision and i.decision["result_no"] for i in done.items)
    birth = done.item("birth_certificate")
    assert birth.decision and birth.decision["result_name"] == "出生医学证明"
    assert done.platform_no.startswith("430100001")

    # The same page again changes nothing; the chain of the audit trail still holds.
    with hall.db.read() as session:
        before = len(hall.service.timeline(counter.receipt_no))
        assert verify(session).ok
    receiver = hall.receiver(http)
    assert receiver.cursor() > 0
    with hall.db.transaction() as session:
        state.put(session.connection(), state.CURSOR, {"after": 0}, at=done.created_at)
    receiver.receive_once()
    assert len(hall.service.timeline(counter.receipt_no)) == before


def test_an_unsendable_or_refused_message_waits_for_a_person(
    hall: Hall, served: Served, http: HttpPlatform, catalog: Catalog
) -> None:
    case = open_newborn(hall.service, catalog, channel="kiosk")
    served.store.reject_receipts = {case.receipt_no}
    done = hall.sender(http).send_once()
    assert (done.claimed, done.rejected) == (1, 1)
    (parked,) = hall.outbox.messages(states=("attention",))
    assert "未通过平台核验" in parked.note
    served.store.reject_receipts = set()
    hall.outbox.resend(parked.id, CLERK)
    drain(hall, http)
    assert hall.outbox.counts()["delivered"] == 1  # the platform took the corrected one


def test_a_cancelled_message_does_not_block_the_case(
    hall: Hall, served: Served, http: HttpPlatform, catalog: Catalog
) -> None:
    case = open_newborn(hall.service, catalog, channel="kiosk")
    hall.service.attach_scan(CLERK, case.receipt_no, SCANNED, b"%PDF gone", file_name="x.pdf")
    drain_first = hall.sender(http, batch=1)
    drain_first.send_once()  # the submission
    (material,) = hall.outbox.messages(states=("pending",))
    hall.files.path(material.file_sha256 or "").unlink()  # the scan is lost on this PC
    assert drain_first.send_once().rejected == 1
    hall.outbox.cancel(material.id, MANAGER, "扫描件损坏，已让申请人重新提交纸质材料")
    hall.service.update(CLERK, case.receipt_no, form={"newborn.name": "王小明"})
    drain(hall, http)
    assert hall.outbox.counts()["delivered"] == 2 and hall.outbox.counts()["cancelled"] == 1
    assert served.store.stats()["out_of_order_refused"] == 0


def test_a_page_of_events_is_applied_a_few_at_a_time_each_with_its_cursor(
    hall: Hall, http: HttpPlatform, catalog: Catalog
) -> None:
    """Short transactions: a counter working on a case never waits for a whole page of the
    platform's events, and a crash mid-page loses only the batch under way."""
    for _ in range(2):  # accepted: the departments decide each item, one event each
        case = receive_all(hall.service, open_newborn(hall.service, catalog))
        hall.service.accept(CLERK, case.receipt_no)
    drain(hall, http)
    receiver = Receiver(hall.service, http, hall.notes, batch=2)
    eventually(lambda: len(http.events(0, 500).events) >= 5, 15, "no decisions from departments")
    seen = [-1]

    def settled() -> bool:
        """The departments decide on their own tick: the page is read once they stopped (a
        page read mid-tick is shorter than what the receiver then finds)."""
        count = len(http.events(0, 500).events)
        done, seen[0] = count == seen[0], count
        time.sleep(0.3)  # six of the platform's ticks between two looks
        return done

    eventually(settled, 15, "the departments kept deciding")
    page = http.events(receiver.cursor(), 500)
    applied: list[tuple[int, int]] = []  # (events in the transaction, cursor after it)
    apply = hall.service.apply_platform_events

    def counted(actor: Any, events: Any, *, after: Any) -> int:
        changed = apply(actor, events, after=after)
        applied.append((len(events), receiver.cursor()))
        return changed

    hall.service.apply_platform_events = counted
    assert receiver.receive_once() == len(page.events)
    sizes = [size for size, _ in applied]
    assert sizes == [2] * (len(page.events) // 2) + [1] * (len(page.events) % 2)
    assert [cursor for _, cursor in applied] == [
        *(page.events[i + 1].id for i in range(0, len(page.events) - 2, 2)),
        page.last_id,
    ]
