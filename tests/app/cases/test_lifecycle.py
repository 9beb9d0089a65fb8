"""The case lifecycle through the one service, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.cases.audit import Actor
from app.cases.audit_verify import verify
from app.cases.files import FileStore
from app.cases.intake import NewScan
from app.cases.service import CaseService
from app.cases.states import ACTIONS
from app.catalog.catalog import Catalog, load_catalog
from app.db.engine import Database
from app.db.models import AuditEntry, CaseRow, OutboxMessage
from app.errors import (
    AnswerError,
    CaseNotFound,
    DuplicateReceipt,
    InvalidIdNumber,
    InvalidInput,
    InvalidTransition,
    MissingMaterials,
)
from tests.helpers.cases import (
    ANSWERS,
    CLERK,
    MOTHER,
    NEWBORN,
    filled_form,
    open_newborn,
    receive_all,
)
from tests.helpers.catalogs import MINIMAL
from tests.helpers.clock import WallClock


def kinds(db: Database, receipt_no: str) -> list[str]:
    with db.read() as session:
        return list(
            session.scalars(
                select(OutboxMessage.kind)
                .where(OutboxMessage.receipt_no == receipt_no)
                .order_by(OutboxMessage.seq)
            )
        )


def test_open_records_plan_and_numbers_the_case(service: CaseService, catalog: Catalog) -> None:
    case = open_newborn(service, catalog)
    assert case.receipt_no == "430100001-20261123-00001"
    assert case.state == "draft" and case.catalog_version == catalog.meta.version
    assert case.applicant.id_number == MOTHER.id_number
    assert {i.state for i in case.items} == {"waiting"}
    exempt = {m.material_id for m in case.materials if m.status == "exempt"}
    assert "birth_medical_certificate" in exempt  # produced by an item of the scenario
    assert all(m.exempt_reason for m in case.materials if m.status == "exempt")
    second = open_newborn(service, catalog)
    assert second.receipt_no.endswith("-00002")
    assert kinds(service.db, case.receipt_no) == []  # a counter draft is not news yet


def test_accept_dispatches_first_stage_and_queues_in_order(
    service: CaseService, catalog: Catalog, db: Database
) -> None:
    case = receive_all(service, open_newborn(service, catalog))
    accepted = service.accept(CLERK, case.receipt_no)
    assert accepted.state == "accepted"
    assert accepted == service.get(case.receipt_no)  # what it returns is what it stored
    # 2026-11-23 (Mon) + the plan's promised days in working days.
    assert accepted.promised_date is not None and accepted.promised_date > date(2026, 11, 23)
    first = [i for i in accepted.items if not i.needs]
    assert first and all(i.state == "dispatched" for i in first)
    assert all(i.state == "waiting" for i in accepted.items if i.needs)
    assert kinds(db, case.receipt_no) == ["submission", "acceptance"]
    actions = [e.action for e in service.timeline(case.receipt_no)]
    assert actions[0] == "open" and actions[-1] == "accept" and "material" in actions


def test_accept_refuses_missing_material_and_changes_nothing(
    service: CaseService, catalog: Catalog, db: Database
) -> None:
    case = open_newborn(service, catalog)
    case = receive_all(service, case, skip=("marriage_certificate",))
    with pytest.raises(MissingMaterials) as caught:
        service.accept(CLERK, case.receipt_no)
    assert "结婚证" in caught.value.message and caught.value.materials
    assert service.get(case.receipt_no).state == "draft"
    assert kinds(db, case.receipt_no) == []


def test_accept_checks_the_form(service: CaseService, catalog: Catalog) -> None:
    case = receive_all(service, open_newborn(service, catalog))
    key = next(k for k, v in case.form_data.items() if v == "13800138000")
    service.update(CLERK, case.receipt_no, form={key: "12345"})
    with pytest.raises(InvalidInput, match="电话号码"):
        service.accept(CLERK, case.receipt_no)
    assert service.get(case.receipt_no).state == "draft"


def test_serial_items_wait_for_results_and_case_completes(
    service: CaseService, catalog: Catalog, clock: WallClock
) -> None:
    case = service.accept(CLERK, receive_all(service, open_newborn(service, catalog)).receipt_no)
    dept = CLERK
    waiting = {i.item_id for i in case.items if i.state == "waiting"}
    with pytest.raises(InvalidTransition, match="等待前置事项"):
        service.record_item_decision(dept, case.receipt_no, next(iter(waiting)), approved=True)
    for _ in range(len(case.items)):
        open_items = [i for i in case.items if i.state == "dispatched"]
        if not open_items:
            break
        clock.advance(days=1)
        for item in open_items:
            case = service.record_item_decision(
                dept, case.receipt_no, item.item_id, approved=True, result_no=f"R-{item.item_id}"
            )
    assert case.state == "completed" and all(i.state == "approved" for i in case.items)
    again = service.record_item_decision(
        dept, case.receipt_no, case.items[0].item_id, approved=True
    )
    assert again.state == "completed"  # a repeated decision is harmless
    with pytest.raises(InvalidTransition):
        service.record_item_decision(dept, case.receipt_no, case.items[0].item_id, approved=False)
    delivered = service.deliver(
        CLERK,
        case.receipt_no,
        method="mail",
        recipient="李芳",
        phone="13800138000",
        address="长沙市岳麓区金星中路一段20号",
        tracking_no="EA123456785CN",
    )
    assert delivered.state == "delivered" and delivered.delivery
    assert delivered.delivery["tracking_no"] == "EA123456785CN"
    assert kinds(service.db, case.receipt_no)[-1] == "delivery"


def test_a_refused_item_ends_the_items_that_need_it(service: CaseService, catalog: Catalog) -> None:
    case = service.accept(CLERK, receive_all(service, open_newborn(service, catalog)).receipt_no)
    needed = {n for i in case.items for n in i.needs}
    first = next(i for i in case.items if i.item_id in needed and i.state == "dispatched")
    case = service.record_item_decision(
        CLERK, case.receipt_no, first.item_id, approved=False, opinion="材料不实"
    )
    ended = [i for i in case.items if first.item_id in i.needs]
    assert ended and all(i.state == "terminated" for i in ended)
    assert ended[0].decision and "未获批准" in ended[0].decision["opinion"]


SMALL = MINIMAL.replace(
    "  - {id: m1, name: 材料一, items: [first, second]}",
    "  - {id: m1, name: 材料一, items: [first, second]}\n"
    "  - {id: m2, name: 材料二, items: [first], exemption: {tolerable_missing: true}}",
)


def test_accept_on_commitment_and_supplement(
    db: Database, tmp_path: Path, clock: WallClock, make_catalog: Callable[..., Path]
) -> None:
    small = load_catalog(make_catalog(SMALL))
    service = CaseService(db, small, FileStore(tmp_path / "f"), hall_code="430100001", clock=clock)
    case = service.open_case(
        CLERK,
        channel="counter",
        scenario="99TEST0001",
        applicant=MOTHER,
        answers={"q1": "yes", "q2": "a"},
        form={"applicant.name": "李芳"},
    )
    with pytest.raises(InvalidTransition, match="不是可以容缺"):
        service.accept_on_commitment(
            CLERK, case.receipt_no, materials=["m1"], due_date=date(2026, 12, 7), signed_by="李芳"
        )
    with pytest.raises(MissingMaterials, match="材料一"):
        service.accept_on_commitment(
            CLERK, case.receipt_no, materials=["m2"], due_date=date(2026, 12, 7), signed_by="李芳"
        )
    with pytest.raises(InvalidInput, match="承诺书"):
        service.accept_on_commitment(
            CLERK, case.receipt_no, materials=["m2"], due_date=date(2026, 12, 7), signed_by=" "
        )
    service.record_material(CLERK, case.receipt_no, "m1", "received_copy")
    case = service.accept_on_commitment(
        CLERK, case.receipt_no, materials=["m2"], due_date=date(2026, 12, 7), signed_by="李芳"
    )
    assert case.state == "accepted_on_commitment" and case == service.get(case.receipt_no)
    assert case.material("m2").status == "on_commitment"
    assert case.commitment and case.commitment["due_date"] == "2026-12-07"
    # 3 + 4 working days from Monday 2026-11-23: Wednesday 2026-12-02.
    assert case.promised_date == date(2026, 12, 2)
    with pytest.raises(InvalidTransition, match="无需补交"):
        service.supplement(CLERK, case.receipt_no, ["m1"])
    case = service.supplement(CLERK, case.receipt_no, ["m2"])
    assert case.state == "accepted" and case.material("m2").status == "received_original"
    assert case.commitment and "fulfilled_at" in case.commitment
    assert kinds(db, case.receipt_no) == ["submission", "acceptance", "supplement"]


def test_not_accept_needs_ground_reasons_and_office(service: CaseService, catalog: Catalog) -> None:
    case = open_newborn(service, catalog)
    with pytest.raises(InvalidInput, match="哪个机关"):
        service.not_accept(CLERK, case.receipt_no, ground="2", reasons=["不属于本机关"])
    with pytest.raises(InvalidInput, match="补正"):
        service.not_accept(CLERK, case.receipt_no, ground="4", reasons=["材料不齐"])
    done = service.not_accept(
        CLERK,
        case.receipt_no,
        ground="4",
        reasons=["缺结婚证"],
        supplement=["marriage_certificate"],
    )
    assert done.state == "not_accepted"
    assert "结婚证" in done.not_accepted["supplement"][0]["name"]  # type: ignore[index]
    assert kinds(service.db, case.receipt_no) == ["submission", "not_accepted"]
    with pytest.raises(InvalidTransition, match="不予受理"):
        service.accept(CLERK, case.receipt_no)


def test_withdrawal_returns_every_received_material(service: CaseService, catalog: Catalog) -> None:
    case = service.accept(CLERK, receive_all(service, open_newborn(service, catalog)).receipt_no)
    received = [m.material_id for m in case.materials if m.status.startswith("received")]
    done = service.withdraw(CLERK, case.receipt_no, reason="申请人主动撤回", returned_to="李芳")
    assert done.state == "withdrawn"
    assert [r["material"] for r in done.withdrawal["returned"]] == received  # type: ignore[index]
    assert all(m.returned_at for m in done.materials if m.material_id in received)
    assert all(i.state == "terminated" for i in done.items)
    assert kinds(service.db, case.receipt_no)[-1] == "withdrawal"


def test_evaluation_once_per_stage_with_one_follow_up(
    service: CaseService, catalog: Catalog
) -> None:
    case = open_newborn(service, catalog)
    with pytest.raises(InvalidTransition):
        service.evaluate(CLERK, case.receipt_no, stage="accept", level=5, channel="hall_pad")
    case = service.accept(CLERK, receive_all(service, case).receipt_no)
    with pytest.raises(InvalidTransition, match="还没有首次评价"):
        service.evaluate(
            CLERK, case.receipt_no, stage="accept", level=3, channel="hall_pad", follow_up=True
        )
    service.evaluate(CLERK, case.receipt_no, stage="accept", level=5, channel="hall_pad")
    with pytest.raises(InvalidTransition, match="已经评价过"):
        service.evaluate(CLERK, case.receipt_no, stage="accept", level=4, channel="hall_pad")
    with pytest.raises(InvalidInput):
        service.evaluate(
            CLERK, case.receipt_no, stage="accept", level=6, channel="hall_pad", follow_up=True
        )
    done = service.evaluate(
        CLERK,
        case.receipt_no,
        stage="accept",
        level=2,
        channel="sms",
        text="等了很久",
        follow_up=True,
    )
    assert [(e.round, e.level_label) for e in done.evaluations] == [
        ("first", "非常满意"),
        ("follow_up", "不满意"),
    ]
    with pytest.raises(InvalidTransition, match="办件"):
        service.evaluate(CLERK, case.receipt_no, stage="complete", level=5, channel="hall_pad")


def test_pre_application_is_queued_at_once(service: CaseService, catalog: Catalog) -> None:
    case = open_newborn(service, catalog, channel="kiosk")
    assert case.state == "pre_application"
    assert kinds(service.db, case.receipt_no) == ["submission"]
    service.attach_scan(
        CLERK, case.receipt_no, "marriage_certificate", b"%PDF-1.7 scan", file_name="结婚证.pdf"
    )
    assert kinds(service.db, case.receipt_no) == ["submission", "material"]


def test_a_pre_application_is_saved_whole_with_its_pages(
    service: CaseService, catalog: Catalog
) -> None:
    pages = [
        NewScan("marriage_certificate", b"%PDF-1.7 marriage", "结婚证.pdf", pages=2),
        NewScan("marriage_certificate", b"%PDF-1.7 back", "结婚证背面.pdf"),
    ]
    with pytest.raises(InvalidInput):  # one bad page: nothing of the pre-application is saved
        service.open_case(
            CLERK,
            channel="kiosk",
            scenario=NEWBORN,
            applicant=MOTHER,
            answers=ANSWERS,
            form=filled_form(catalog, NEWBORN, ANSWERS),
            scans=[*pages, NewScan("no_such_material", b"%PDF x", "x.pdf")],
        )
    with service.db.read() as session:
        assert session.scalar(select(func.count()).select_from(CaseRow)) == 0
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    case = service.open_case(
        CLERK,
        channel="kiosk",
        scenario=NEWBORN,
        applicant=MOTHER,
        answers=ANSWERS,
        form=filled_form(catalog, NEWBORN, ANSWERS),
        scans=pages,
    )
    scans = case.material("marriage_certificate").scans
    assert [(s.file_name, s.pages) for s in scans] == [("结婚证.pdf", 2), ("结婚证背面.pdf", 1)]
    assert kinds(service.db, case.receipt_no) == ["submission", "material", "material"]


def test_a_pre_application_fetched_from_the_platform_is_not_sent_back(
    service: CaseService, catalog: Catalog
) -> None:
    case = service.open_case(
        CLERK,
        channel="kiosk",
        scenario=NEWBORN,
        applicant=MOTHER,
        answers=ANSWERS,
        form=filled_form(catalog, NEWBORN, ANSWERS),
        receipt_no="430100001-20261120-00007",
        scans=[NewScan("marriage_certificate", b"%PDF-1.7 m", "结婚证.pdf")],
        from_platform=True,
        platform_seq=2,
    )
    assert case.state == "pre_application" and case.receipt_no == "430100001-20261120-00007"
    assert len(case.material("marriage_certificate").scans) == 1
    assert kinds(service.db, case.receipt_no) == []
    service.accept(CLERK, receive_all(service, case).receipt_no)
    with service.db.read() as session:  # this terminal's messages follow the kiosk's two
        assert list(
            session.execute(
                select(OutboxMessage.seq, OutboxMessage.kind).where(
                    OutboxMessage.receipt_no == case.receipt_no
                )
            )
        ) == [(3, "acceptance")]


def test_scans_are_stored_once_by_content(
    service: CaseService, catalog: Catalog, clock: WallClock
) -> None:
    case = open_newborn(service, catalog)
    data = b"%PDF-1.7 the same page"
    service.attach_scan(CLERK, case.receipt_no, "marriage_certificate", data, file_name="a.pdf")
    case = service.attach_scan(
        CLERK, case.receipt_no, "marriage_certificate", data, file_name="b.pdf"
    )
    scans = case.material("marriage_certificate").scans
    assert len(scans) == 2 and scans[0].sha256 == scans[1].sha256
    assert scans[1].added_at == clock()  # the service's time, there in the answer already
    assert service.files.read(scans[0].sha256) == data
    case = receive_all(service, case)
    service.accept(CLERK, case.receipt_no)
    # the draft's scans travel with its submission, each as its own message
    assert kinds(service.db, case.receipt_no) == [
        "submission",
        "material",
        "material",
        "acceptance",
    ]


def test_bad_input_is_refused_and_leaves_nothing(
    service: CaseService, catalog: Catalog, db: Database
) -> None:
    from app.cases.snapshots import Party

    with pytest.raises(InvalidIdNumber):
        service.open_case(
            CLERK,
            channel="counter",
            scenario=NEWBORN,
            applicant=Party("李芳", "430104199203152041"),
            answers=ANSWERS,
        )
    with pytest.raises(AnswerError, match="没有回答"):
        service.open_case(
            CLERK,
            channel="counter",
            scenario=NEWBORN,
            applicant=MOTHER,
            answers={"within_six_months": "yes"},
        )
    with pytest.raises(CaseNotFound):
        service.get("430100001-20261123-99999")
    case = open_newborn(service, catalog)
    with pytest.raises(DuplicateReceipt):
        service.open_case(
            CLERK,
            channel="kiosk",
            scenario=NEWBORN,
            applicant=MOTHER,
            answers=ANSWERS,
            receipt_no=case.receipt_no,
        )
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(CaseRow)) == 1
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 1
        assert verify(session).ok


def test_every_action_is_refused_from_a_wrong_state(service: CaseService, catalog: Catalog) -> None:
    case = service.accept(CLERK, receive_all(service, open_newborn(service, catalog)).receipt_no)
    for action in ("update", "accept", "not_accept", "deliver"):
        assert case.state not in ACTIONS[action][0]
    with pytest.raises(InvalidTransition, match="已受理"):
        service.update(CLERK, case.receipt_no, form={})
    with pytest.raises(InvalidTransition):
        service.deliver(CLERK, case.receipt_no, method="electronic", note="湘易办")


def test_two_terminals_accepting_one_case_at_once(
    service: CaseService, catalog: Catalog, db: Database
) -> None:
    """Each takes the case's lock (SQLite's writer, PostgreSQL's row lock): one accepts, the other
    is told the case is no longer a draft, and the case is queued for the platform once."""
    receipt_no = receive_all(service, open_newborn(service, catalog)).receipt_no
    start = threading.Barrier(2)

    def accept(terminal: str) -> str:
        start.wait(timeout=10)
        try:
            service.accept(Actor("clerk", terminal), receipt_no)
        except InvalidTransition as exc:
            return str(exc)
        return "accepted"

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(accept, ["counter-01", "counter-02"]))
    assert outcomes[0] == "accepted"
    assert "当前状态为“已受理”，不能受理" in outcomes[1]
    with db.read() as session:
        kinds = session.scalars(
            select(OutboxMessage.kind)
            .where(OutboxMessage.receipt_no == receipt_no)
            .order_by(OutboxMessage.seq)
        ).all()
        accepts = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.receipt_no == receipt_no, AuditEntry.action == "accept")
        )
    assert kinds == ["submission", "acceptance"] and accepts == 1
