"""The paper trail on a real database: what waits per department after acceptance, a courier
batch from building to the department's signed receipt, a department's pick-up, results coming
back to the window, the trace — and every wrong step refused with nothing changed."""

from __future__ import annotations

from datetime import date

import pytest

from app.bootstrap import Core
from app.errors import InvalidIdNumber, InvalidInput
from app.roles import NotAllowed
from app.transfers.reads import TransferError
from app.transfers.snapshots import Pickup
from tests.helpers.cases import CLERK, accepted
from tests.helpers.clock import MONDAY, WallClock
from tests.helpers.cores import Cores, statements
from tests.helpers.transfers import BACK, HEALTH, MARKET, MEDICAL, POLICE, ROUTES

RECEIPT = b"%PDF-1.4 signed receipt of the department"


@pytest.fixture
def clock() -> WallClock:
    return WallClock(MONDAY)


@pytest.fixture
def core(cores: Cores, clock: WallClock, database_url: str) -> Core:
    """A hall on each engine: SQLite, and PostgreSQL (which checks the columns' lengths)."""
    return cores("hall", clock=clock, database={"url": database_url}, transfers={"routes": ROUTES})


def test_accepted_papers_wait_for_their_department(core: Core) -> None:
    case = accepted(core.cases, core.catalog)
    waiting = core.transfers.waiting()
    by_department = {w.ref: w.department for w in waiting}
    assert by_department == {
        "birth_record": HEALTH,
        "parents_id": HEALTH,
        "marriage_certificate": HEALTH,
        "informed_notice": HEALTH,
        "household_register": POLICE,
        "invoices": MEDICAL,
        "expense_list": MEDICAL,
        "diagnosis": MEDICAL,
    }  # exempt materials and the platform-only department's wait for nothing
    assert all(
        (w.receipt_no, w.originals, w.copies, w.state) == (case.receipt_no, 1, 0, "waiting")
        for w in waiting
    )
    assert [w.ref for w in core.transfers.waiting(POLICE)] == ["household_register"]
    summary = {d: n for d, n, _, _ in core.transfers.waiting_by_department()}
    assert summary == {HEALTH: 4, POLICE: 1, MEDICAL: 3}
    trace = core.transfers.trace(case.receipt_no)
    assert {(e.action, e.from_party, e.to_party) for e in trace.events} == {
        ("received", "申请人", "综合窗口")
    }


def test_a_courier_batch_from_building_to_the_signed_receipt(core: Core, clock: WallClock) -> None:
    first, second = accepted(core.cases, core.catalog), accepted(core.cases, core.catalog)
    ledger = core.transfers
    with pytest.raises(NotAllowed, match="窗口人员"):
        ledger.open_batch(CLERK, MEDICAL)  # a clerk does not build batches
    batch = ledger.open_batch(BACK, MEDICAL)
    assert (batch.batch_no, batch.route, batch.state) == (
        "LZ430100001-20261123-001",
        "courier",
        "open",
    )
    batch = ledger.add_case(BACK, batch.batch_no, first.receipt_no)
    batch = ledger.add_case(BACK, batch.batch_no, f" {second.receipt_no} ")
    assert (batch.cases, len(batch.items)) == (2, 6)
    with pytest.raises(TransferError, match="已经组批或寄出，不能再放一次"):
        ledger.add_case(BACK, batch.batch_no, first.receipt_no)  # a material sent twice
    police = ledger.open_batch(BACK, POLICE)
    assert police.batch_no == "LZ430100001-20261123-002"
    market = ledger.open_batch(BACK, MARKET)
    with pytest.raises(TransferError, match=f"要送往{POLICE}、{HEALTH}，不是{MARKET}") as wrong:
        ledger.add_case(BACK, market.batch_no, second.receipt_no)  # the wrong department's batch
    assert wrong.value.hint == f"请把它放进{POLICE}、{HEALTH}的交接单。"
    assert ledger.batch(market.batch_no).items == ()

    with pytest.raises(InvalidInput, match="校验位不对"):
        ledger.send_by_courier(
            BACK, batch.batch_no, courier="中国邮政 EMS", waybill="RB123456786US"
        )
    assert ledger.batch(batch.batch_no).state == "open"  # nothing changed
    sent = ledger.send_by_courier(
        BACK, batch.batch_no, courier="中国邮政 EMS", waybill="ea 123456785 cn"
    )
    assert (sent.state, sent.waybill, sent.waybill_warning) == ("sent", "EA123456785CN", "")
    assert sent.due_date == date(2026, 11, 26)  # three working days
    with pytest.raises(TransferError, match="不能再改动"):
        ledger.add_case(BACK, batch.batch_no, second.receipt_no)

    clock.advance(days=4)  # Friday: not signed for by Thursday
    assert [b.batch_no for b in ledger.overdue()] == [batch.batch_no]
    with pytest.raises(NotAllowed, match="登记部门签收"):
        ledger.confirm(CLERK, batch.batch_no, RECEIPT)  # a clerk cannot sign a batch off
    done = ledger.confirm(BACK, batch.batch_no, RECEIPT)
    assert done.state == "confirmed" and core.files.read(done.receipt_sha or "") == RECEIPT
    assert {i.state for i in done.items} == {"received"} and ledger.overdue() == []
    with pytest.raises(TransferError, match="不能再签收一次"):
        ledger.confirm(BACK, batch.batch_no, RECEIPT)


def test_a_department_picks_the_batch_up_and_results_come_back(core: Core) -> None:
    case = accepted(core.cases, core.catalog)
    ledger = core.transfers
    batch = ledger.add_case(BACK, ledger.open_batch(BACK, POLICE).batch_no, case.receipt_no)
    person = Pickup("赵强", "430104196411152016", "138 0013 8000", b"\x89PNG signature")
    with pytest.raises(InvalidIdNumber):
        ledger.hand_over(BACK, batch.batch_no, Pickup("赵强", "430104196411152017", "13800138000"))
    with pytest.raises(InvalidInput, match="手机号"):
        ledger.hand_over(BACK, batch.batch_no, Pickup("赵强", person.id_number, "12345"))
    sent = ledger.hand_over(BACK, batch.batch_no, person)
    assert sent.pickup == {
        "name": "赵强",
        "id_number": "430104196411152016",
        "phone": "13800138000",
    }
    ledger.confirm(BACK, batch.batch_no, RECEIPT)

    with pytest.raises(NotAllowed):
        ledger.check_in(CLERK, case.receipt_no, results=[("户口簿（新生儿页）", POLICE)])
    with pytest.raises(TransferError, match="没有寄出过材料“parents_id”"):
        ledger.check_in(BACK, case.receipt_no, returned=["parents_id"])  # still waiting
    back = ledger.check_in(
        BACK,
        case.receipt_no,
        results=[("户口簿（新生儿页）", POLICE)],
        returned=["household_register"],
    )
    assert back.results_at_window == MONDAY
    assert core.cases.get(case.receipt_no).results_at_window == MONDAY

    trace = ledger.trace(case.receipt_no)
    household = [e for e in trace.events if e.item == "居民户口簿"]
    assert [(e.action, e.to_party) for e in household] == [
        ("received", "综合窗口"),
        ("batched", "综合窗口"),
        ("sent", f"{POLICE} 赵强"),
        ("received_by_department", POLICE),
        ("checked_in", "综合窗口"),
    ]
    assert {i.state for i in trace.items if i.direction == "back"} == {"at_window"}
    assert "430104196411152016" not in str(trace.to_dict())  # the trace shows no ID number


def test_a_platform_only_department_needs_no_batch(core: Core) -> None:
    with pytest.raises(TransferError, match="只经平台流转"):
        core.transfers.open_batch(BACK, "人力资源和社会保障部门")
    with pytest.raises(TransferError, match="没有编号为 LZ-NONE 的交接单"):
        core.transfers.batch("LZ-NONE")


def test_what_came_back_goes_to_the_applicant_with_the_delivery(core: Core) -> None:
    case = accepted(core.cases, core.catalog)
    ledger = core.transfers
    batch = ledger.add_case(BACK, ledger.open_batch(BACK, POLICE).batch_no, case.receipt_no)
    ledger.hand_over(
        BACK,
        batch.batch_no,
        Pickup("赵强", "430104196411152016", "13800138000", b"\x89PNG signature"),
    )
    ledger.check_in(
        BACK,
        case.receipt_no,
        results=[("户口簿（新生儿页）", POLICE)],
        returned=["household_register"],
    )
    assert [i.name for i in ledger.at_window()] == ["户口簿（新生儿页）", "居民户口簿"]
    for item in case.items:
        core.cases.record_item_decision(CLERK, case.receipt_no, item.item_id, approved=True)
    core.cases.deliver(
        CLERK,
        case.receipt_no,
        method="pickup",
        recipient="李芳",
        signature_sha256=core.files.put(b"\x89PNG applicant"),
    )
    assert ledger.at_window() == []
    trace = ledger.trace(case.receipt_no)
    back = [i for i in trace.items if i.direction == "back"]
    assert {i.state for i in back} == {"handed_over"}
    handed = [e for e in trace.events if e.action == "handed_over"]
    assert [(e.item, e.from_party, e.to_party, e.note, e.action_label) for e in handed] == [
        ("户口簿（新生儿页）", "综合窗口", "李芳", "窗口领取", "交给申请人"),
        ("居民户口簿", "综合窗口", "李芳", "窗口领取", "交给申请人"),
    ]


def test_cases_picked_together_go_in_all_or_none(core: Core) -> None:
    first, second, third = (
        accepted(core.cases, core.catalog),
        accepted(core.cases, core.catalog),
        accepted(core.cases, core.catalog),
    )
    ledger = core.transfers
    batch = ledger.open_batch(BACK, MEDICAL)
    ledger.add_case(BACK, batch.batch_no, third.receipt_no)
    with pytest.raises(TransferError, match=f"办件 {third.receipt_no} 送往{MEDICAL}的材料已经组批"):
        ledger.add_cases(BACK, batch.batch_no, [first.receipt_no, third.receipt_no])
    assert {i.receipt_no for i in ledger.batch(batch.batch_no).items} == {third.receipt_no}
    with pytest.raises(InvalidInput, match="请扫描办件凭证"):
        ledger.add_cases(BACK, batch.batch_no, [" "])
    done = ledger.add_cases(
        BACK, batch.batch_no, [first.receipt_no, second.receipt_no, first.receipt_no]
    )
    assert (done.cases, len(done.items)) == (3, 9) and ledger.waiting(MEDICAL) == []


# -- how many statements a read or a scan costs ---------------------------------------------------
def sent_batches(core: Core, count: int) -> None:
    for _ in range(count):
        batch = core.transfers.open_batch(BACK, MEDICAL)
        core.transfers.add_case(BACK, batch.batch_no, accepted(core.cases, core.catalog).receipt_no)
        core.transfers.send_by_courier(
            BACK, batch.batch_no, courier="顺丰速运", waybill="SF1234567890123"
        )


def test_batches_are_read_in_the_same_statements_however_many(core: Core) -> None:
    ledger, later = core.transfers, date(2026, 12, 31)
    reads = {
        "batches": ledger.batches,
        "sent_on": lambda: ledger.sent_on(date(2026, 11, 23)),
        "overdue": lambda: ledger.overdue(later),
    }
    counted: dict[int, dict[str, int]] = {}
    for total in (1, 20):
        sent_batches(core, total - len(ledger.batches()))
        counted[total] = {}
        for name, read in reads.items():
            with statements(core) as sent:
                found = read()
            assert len(found) == total and {len(b.items) for b in found} == {3}, name
            counted[total][name] = len(sent)
    assert counted[1] == counted[20]


def test_a_scan_reads_its_batch_once_and_returns_what_it_changed(core: Core) -> None:
    ledger = core.transfers
    batch = ledger.open_batch(BACK, MEDICAL)
    cases = [accepted(core.cases, core.catalog) for _ in range(6)]
    counted = []
    for case in cases:
        with statements(core) as sent:
            changes = ledger.put_in(BACK, batch.batch_no, [case.receipt_no])
        assert sum("FROM transfer_batches" in s for s in sent) == 1
        counted.append(len(sent))
        assert {(i.receipt_no, i.state, i.batch_no) for i in changes.added} == {
            (case.receipt_no, "batched", batch.batch_no)
        }
        batch = changes.applied(batch)
        assert batch == ledger.batch(batch.batch_no)
    assert len(set(counted)) == 1  # the same in an empty batch as in one of five cases
    assert changes.waiting is None and ledger.waiting(MEDICAL) == []

    item = batch.items[0]
    changes = ledger.take_out(BACK, batch.batch_no, item.id)
    assert [(i.id, i.state, i.batch_no) for i in changes.removed] == [(item.id, "waiting", "")]
    assert changes.waiting is not None and changes.waiting[:2] == (MEDICAL, 1)
    assert changes.applied(batch) == ledger.batch(batch.batch_no)
    assert list(changes.removed) == ledger.waiting(MEDICAL)
