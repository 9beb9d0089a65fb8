"""告知承诺制 verified afterwards (issue 25, 4): a proof replaced by the applicant's commitment at
the window, the department's check by its date, and a false commitment's consequences — on a
real database, with the platform's message in the outbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from app.cases.audit import Actor
from app.cases.files import FileStore
from app.cases.outbox import Outbox
from app.cases.service import CaseService
from app.catalog.catalog import load_catalog
from app.db.engine import Database
from app.errors import InvalidInput, InvalidTransition
from app.roles import NotAllowed
from tests.helpers.cases import CLERK, MANAGER, MOTHER
from tests.helpers.catalogs import MINIMAL, replaced
from tests.helpers.clock import WallClock

BACKOFFICE = Actor("后台刘洋", "backoffice-01", "backoffice")
# 材料二, 第一项's proof, may be replaced by the applicant's commitment, checked in 5 working days.
COMMITTED = replaced(
    MINIMAL,
    (
        "  - {id: m1, name: 材料一, items: [first, second]}",
        "  - {id: m1, name: 材料一, items: [first, second]}\n"
        "  - {id: m2, name: 婚姻状况证明, items: [first],"
        " exemption: {commitment: true, verify_days: 5}}",
    ),
)


@pytest.fixture
def service(
    db: Database, tmp_path: Path, make_catalog: Callable[..., Path], clock: WallClock
) -> CaseService:
    catalog = load_catalog(make_catalog(COMMITTED))
    return CaseService(db, catalog, FileStore(tmp_path / "f"), hall_code="430100001", clock=clock)


def _accepted(service: CaseService) -> str:
    case = service.open_case(
        CLERK,
        channel="counter",
        scenario="99TEST0001",
        applicant=MOTHER,
        answers={"q1": "yes", "q2": "a"},
        form={"applicant.name": MOTHER.name},
    )
    service.record_material(CLERK, case.receipt_no, "m1", "received_original")
    service.record_material(CLERK, case.receipt_no, "m2", "committed")
    return service.accept(CLERK, case.receipt_no).receipt_no


def _kinds(db: Database, receipt_no: str) -> list[str]:
    return [m.kind for m in Outbox(db).messages(receipt_no=receipt_no)]


def test_a_proof_replaced_by_a_commitment_is_accepted_and_waits_for_its_check(
    db: Database, service: CaseService, clock: WallClock
) -> None:
    receipt_no = _accepted(service)
    case = service.get(receipt_no)
    assert case.state == "accepted"  # nothing to bring later: not 容缺
    assert case.material("m2").status_label == "告知承诺代替"
    record = case.verification
    assert record is not None
    assert (record["materials"], record["items"], record["status"]) == (
        ["m2"],
        ["first"],
        "pending",
    )
    assert record["due_date"] == "2026-11-30"  # Mon 23 Nov + 5 working days
    acceptance = Outbox(db).messages(receipt_no=receipt_no)[-1]
    assert acceptance.kind == "acceptance"
    assert acceptance.payload["verification"]["due_date"] == "2026-11-30"

    (due,) = service.verifications.due(today=date(2026, 11, 27))
    assert (due.materials, due.items, due.departments) == (
        ("婚姻状况证明",),
        ("第一项",),
        ("甲局",),
    )
    assert (due.standing, due.when_words) == ("due_soon", "还有 3 天")
    (late,) = service.verifications.due(today=date(2026, 12, 2))
    assert (late.standing, late.when_words) == ("overdue", "超过核查期限 2 天")


def test_only_a_proof_the_catalog_allows_can_be_replaced(service: CaseService) -> None:
    case = service.open_case(
        CLERK, channel="counter", scenario="99TEST0001", applicant=MOTHER, answers={"q1": "no"}
    )
    with pytest.raises(InvalidInput, match="不在告知承诺制的证明材料范围内"):
        service.record_material(CLERK, case.receipt_no, "m1", "committed")
    assert service.get(case.receipt_no).material("m1").status == "missing"


def test_a_true_commitment_is_recorded_once_by_the_back_office(
    db: Database, service: CaseService, clock: WallClock
) -> None:
    receipt_no = _accepted(service)
    clock.advance(days=3)
    with pytest.raises(NotAllowed, match="登记告知承诺核查结果"):
        service.verify(
            CLERK, receipt_no, outcome="true", checked_on=date(2026, 11, 25), department="甲局"
        )
    checked = service.verify(
        BACKOFFICE, receipt_no, outcome="true", checked_on=date(2026, 11, 25), department="甲局"
    )
    assert checked.verification and checked.verification["status"] == "true"
    assert checked.verification["outcome"] == "承诺属实"
    assert [i.state for i in checked.items] == ["dispatched", "waiting"]  # nothing changes
    assert _kinds(db, receipt_no)[-1] == "verification"
    assert service.verifications.due() == []
    with pytest.raises(InvalidTransition, match="已登记核查结果"):
        service.verify(
            MANAGER, receipt_no, outcome="false", checked_on=date(2026, 11, 25), department="甲局",
            note="重复登记",
        )  # fmt: skip
    assert [e.action for e in service.timeline(receipt_no)][-1] == "verify"


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ({"outcome": "maybe"}, "核查结果“maybe”不对"),
        ({"checked_on": date(2026, 12, 31)}, "晚于今天"),
        ({"department": " "}, "请写明作出核查的部门"),
        ({"outcome": "false"}, "承诺不实须写明核查发现的情况"),
        ({"note": "长" * 201}, "说明最多 200 字"),
    ],
)
def test_refusals_say_what_to_change_and_store_nothing(
    service: CaseService, given: dict[str, object], words: str
) -> None:
    receipt_no = _accepted(service)
    asked: dict[str, object] = {
        "outcome": "true",
        "checked_on": date(2026, 11, 23),
        "department": "甲局",
        **given,
    }
    with pytest.raises(InvalidInput, match=words):
        service.verify(MANAGER, receipt_no, **asked)  # type: ignore[arg-type]
    assert (service.get(receipt_no).verification or {})["status"] == "pending"


def test_a_false_commitment_revokes_the_result_it_rested_on(
    db: Database, service: CaseService, clock: WallClock
) -> None:
    """第一项 was approved on the commitment; the check finds it false: its result is revoked,
    第二项 (dispatched with that result) goes on for its department to decide, a credit record
    is made, and the platform is told."""
    receipt_no = _accepted(service)
    clock.advance(days=1)
    service.record_item_decision(
        Actor("部门", "platform"), receipt_no, "first", approved=True, result_no="R-1"
    )
    clock.advance(days=2)
    found = service.verify(
        BACKOFFICE,
        receipt_no,
        outcome="false",
        checked_on=date(2026, 11, 26),
        department="甲局",
        note="经婚姻登记系统核查，申请人婚姻状况与承诺不符",
        credit_no="XY-2026-0001",
    )
    first = found.item("first")
    assert first.state == "approved" and first.decision
    assert "告知承诺不实" in first.decision["revoked"]["reason"]
    record = found.verification
    assert record is not None
    assert (record["status"], record["revoked"], record["terminated"]) == ("false", ["first"], [])
    assert record["credit_recorded"] is True and record["credit_no"] == "XY-2026-0001"
    payload = Outbox(db).messages(receipt_no=receipt_no)[-1].payload
    assert (payload["outcome"], payload["revoked"], payload["credit_no"]) == (
        "false",
        ["first"],
        "XY-2026-0001",
    )


def test_a_false_commitment_ends_the_items_still_open(
    db: Database, service: CaseService, clock: WallClock
) -> None:
    receipt_no = _accepted(service)
    clock.advance(days=2)
    found = service.verify(
        MANAGER,
        receipt_no,
        outcome="false",
        checked_on=date(2026, 11, 24),
        department="甲局",
        note="承诺内容与登记信息不符",
    )
    assert [(i.item_id, i.state) for i in found.items] == [
        ("first", "terminated"),
        ("second", "terminated"),  # waited for 第一项's result, which will not come
    ]
    assert found.state == "completed"
    assert found.verification and found.verification["terminated"] == ["first", "second"]
    assert found.verification["credit_no"] == ""  # recorded, its number not given
