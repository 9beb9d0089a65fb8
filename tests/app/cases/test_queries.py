"""The searches the counter needs, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

from app.cases.audit import Actor
from app.cases.queries import CaseQueries, CaseQuery
from app.cases.service import CaseService
from app.cases.snapshots import CaseSummary, Party
from app.catalog.catalog import Catalog
from app.db.engine import Database
from tests.helpers.cases import (
    ANSWERS,
    CLERK,
    MOTHER,
    NEWBORN,
    filled_form,
    open_newborn,
    receive_all,
)
from tests.helpers.clock import WallClock

OTHER = Party("王建国", "430104196411152016", phone="13900139000")
AGENT = Party("赵秀英", "430102195508080015", phone="13700137000")
SECOND = Actor("clerk-li", "counter-02")


FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def receipts(found: list[CaseSummary]) -> list[str]:
    return [c.receipt_no for c in found]


def test_find_by_every_key(
    service: CaseService, catalog: Catalog, db: Database, clock: WallClock
) -> None:
    first = service.accept(CLERK, receive_all(service, open_newborn(service, catalog)).receipt_no)
    clock.advance(days=1)  # Tuesday
    second = service.open_case(
        SECOND,
        channel="counter",
        scenario=NEWBORN,
        applicant=OTHER,
        agent=AGENT,
        answers=ANSWERS,
        form=filled_form(catalog, NEWBORN, ANSWERS),
    )
    queries = CaseQueries(db)
    assert receipts(queries.find(CaseQuery(receipt_no=f" {first.receipt_no.lower()} "))) == [
        first.receipt_no
    ]
    assert receipts(queries.find(CaseQuery(id_number=MOTHER.id_number.lower()))) == [
        first.receipt_no
    ]
    assert receipts(queries.find(CaseQuery(id_number=AGENT.id_number))) == [second.receipt_no]
    typed = MOTHER.id_number.translate(FULL_WIDTH)  # as typed on a Chinese input method
    assert receipts(queries.find(CaseQuery(id_number=f"{typed[:6]} {typed[6:]}"))) == [
        first.receipt_no
    ]
    assert receipts(queries.find(CaseQuery(name="建国"))) == [second.receipt_no]
    assert receipts(queries.find(CaseQuery(phone=MOTHER.phone))) == [first.receipt_no]
    assert receipts(queries.find(CaseQuery(states=("draft",)))) == [second.receipt_no]
    tuesday = date(2026, 11, 24)
    assert receipts(queries.find(CaseQuery(date_from=tuesday))) == [second.receipt_no]
    assert receipts(queries.find(CaseQuery(date_to=date(2026, 11, 23)))) == [first.receipt_no]
    assert receipts(queries.find(CaseQuery())) == [
        second.receipt_no,
        first.receipt_no,
    ]  # newest first
    assert receipts(queries.today("counter-02", tuesday)) == [second.receipt_no]
    assert queries.today("counter-01", tuesday) == []
    assert receipts(queries.waiting_for_result()) == [first.receipt_no]
    assert receipts(queries.unfinished("counter-02")) == [second.receipt_no]
    assert queries.unfinished("counter-01") == []
    found = queries.find(CaseQuery(receipt_no=second.receipt_no))[0]
    assert (found.state_label, found.applicant_name, found.terminal) == (
        "收件中",
        "王建国",
        "counter-02",
    )


def test_waiting_for_delivery(service: CaseService, catalog: Catalog, db: Database) -> None:
    case = service.accept(CLERK, receive_all(service, open_newborn(service, catalog)).receipt_no)
    while pending := [i for i in case.items if i.state == "dispatched"]:
        for item in pending:
            case = service.record_item_decision(CLERK, case.receipt_no, item.item_id, approved=True)
    queries = CaseQueries(db)
    assert receipts(queries.waiting_for_delivery()) == [case.receipt_no]
    assert queries.waiting_for_result() == []
