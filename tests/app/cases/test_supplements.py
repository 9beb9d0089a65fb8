"""容缺受理 followed through (issue 25, 3): the open promises, overdue and due soon, per clerk and
per department, with the phone to call — on a real database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from app.cases.audit import Actor
from app.cases.files import FileStore
from app.cases.outbox import Outbox
from app.cases.service import CaseService
from app.cases.snapshots import Party
from app.cases.supplements import Supplements, tally
from app.catalog.catalog import Catalog, load_catalog
from app.db.engine import Database
from app.errors import InvalidInput, InvalidTransition
from tests.helpers.cases import CLERK, MOTHER
from tests.helpers.catalogs import MINIMAL, replaced
from tests.helpers.clock import WallClock

MakeCatalog = Callable[..., Path]
OpenHall = Callable[..., tuple[Catalog, CaseService]]
TODAY = date(2026, 11, 30)  # the Monday after the cases were accepted
OTHER = Actor("clerk-wang", "counter-02", "clerk")
FATHER = Party("王强", "430104199001011230", phone="13900139000")

# 材料二 (for 第一项, 甲局) and 材料三 (for 第二项, 乙局) may follow after acceptance.
TOLERANT = replaced(
    MINIMAL,
    (
        "  - {id: m1, name: 材料一, items: [first, second]}",
        "  - {id: m1, name: 材料一, items: [first, second]}\n"
        "  - {id: m2, name: 材料二, items: [first], exemption: {tolerable_missing: true}}\n"
        "  - {id: m3, name: 材料三, items: [second], exemption: {tolerable_missing: true}}",
    ),
)


@pytest.fixture
def open_hall(
    db: Database, tmp_path: Path, make_catalog: MakeCatalog, clock: WallClock
) -> Callable[..., tuple[Catalog, CaseService]]:
    """A hall on the test database with the given catalog text (the tolerant one by default)."""

    def make(text: str = TOLERANT) -> tuple[Catalog, CaseService]:
        catalog = load_catalog(make_catalog(text))
        service = CaseService(
            db, catalog, FileStore(tmp_path / "f"), hall_code="430100001", clock=clock
        )
        return catalog, service

    return make


def _promise(service: CaseService, by: Actor, who: Party, missing: list[str], due: date) -> str:
    case = service.open_case(
        by,
        channel="counter",
        scenario="99TEST0001",
        applicant=who,
        answers={"q1": "yes", "q2": "a"},
        form={"applicant.name": who.name},
    )
    for material in ("m1", "m2", "m3"):
        if material not in missing:
            service.record_material(by, case.receipt_no, material, "received_original")
    service.accept_on_commitment(
        by, case.receipt_no, materials=missing, due_date=due, signed_by=who.name
    )
    return case.receipt_no


def test_open_promises_overdue_first_per_clerk_and_department(
    db: Database, open_hall: OpenHall, clock: WallClock
) -> None:
    catalog, service = open_hall()
    late = _promise(service, CLERK, MOTHER, ["m2"], date(2026, 11, 27))  # 3 days ago
    soon = _promise(service, OTHER, FATHER, ["m2", "m3"], date(2026, 12, 2))  # in 2 days
    later = _promise(service, CLERK, FATHER, ["m3"], date(2026, 12, 20))
    kept = _promise(service, CLERK, MOTHER, ["m2"], date(2026, 11, 25))
    service.supplement(CLERK, kept, ["m2"])  # handed in: no longer open

    supplements = Supplements(db, catalog, clock=clock)
    rows = supplements.open(today=TODAY)
    assert [(r.receipt_no, r.standing, r.when_words) for r in rows] == [
        (late, "overdue", "逾期 3 天"),
        (soon, "due_soon", "还有 2 天"),
        (later, "later", "还有 20 天"),
    ]
    first, second, _ = rows
    assert (first.materials, first.departments, first.clerk) == (("材料二",), ("甲局",), CLERK.name)
    assert second.materials == ("材料二", "材料三") and second.departments == ("甲局", "乙局")
    assert first.to_dict()["applicant"] == "李*" and first.to_dict()["phone"] == "138****8000"
    assert first.to_dict(phones=True)["phone"] == "13800138000"  # the call list

    by_clerk = {t.label: (t.overdue, t.due_soon, t.later) for t in tally(rows, "clerk")}
    assert by_clerk == {CLERK.name: (1, 0, 1), OTHER.name: (0, 1, 0)}
    by_department = [(t.label, t.overdue, t.due_soon, t.later) for t in tally(rows, "department")]
    assert by_department == [("甲局", 1, 1, 0), ("乙局", 0, 1, 1)]  # the most overdue first
    assert [r.receipt_no for r in supplements.open(today=TODAY, clerk=OTHER.name)] == [soon]
    assert [r.receipt_no for r in supplements.open(today=TODAY, department="乙局")] == [
        soon,
        later,
    ]
    assert supplements.open(today=date(2026, 11, 27))[0].when_words == "今天到期"


def _kinds(db: Database, receipt_no: str) -> list[str]:
    return [m.kind for m in Outbox(db).messages(receipt_no=receipt_no)]


def test_a_missed_deadline_stops_the_items_that_need_the_material(
    db: Database, open_hall: OpenHall, clock: WallClock
) -> None:
    catalog, service = open_hall()
    due = date(2026, 11, 24)  # the Tuesday after acceptance (Monday 23rd)
    first_missing = _promise(service, CLERK, MOTHER, ["m2"], due)  # 材料二 is 第一项's
    second_missing = _promise(service, CLERK, FATHER, ["m3"], due)  # 材料三 is 第二项's

    clock.advance(days=1)  # the due day itself: not yet missed
    with pytest.raises(InvalidTransition, match="还没有过"):
        service.lapse(OTHER, first_missing)

    clock.advance(days=1)
    stopped = service.lapse(OTHER, first_missing)
    # 第一项 needed 材料二; 第二项 needed 第一项's result: both end, and so does the case
    assert [(i.item_id, i.state) for i in stopped.items] == [
        ("first", "terminated"),
        ("second", "terminated"),
    ]
    first = stopped.item("first")
    assert first.decision and "材料二" in first.decision["opinion"]
    assert "2026-11-24" in first.decision["opinion"] and first.decision["by"] == OTHER.name
    assert stopped.state == "completed"
    assert stopped.commitment and stopped.commitment["lapsed_items"] == ["first", "second"]
    assert _kinds(db, first_missing)[-1] == "lapse"
    payload = Outbox(db).messages(receipt_no=first_missing)[-1].payload
    assert payload["terminated"] == ["first", "second"] and payload["state"] == "completed"
    assert [e.action for e in service.timeline(first_missing)][-1] == "lapse"

    # 材料三 only 第二项 needs: 第一项 goes on in its department
    going_on = service.lapse(OTHER, second_missing)
    assert [(i.item_id, i.state) for i in going_on.items] == [
        ("first", "dispatched"),
        ("second", "terminated"),
    ]
    assert going_on.state == "accepted"
    assert Supplements(db, catalog, clock=clock).open() == []  # nothing left to remind about
    with pytest.raises(InvalidTransition, match="不能按容缺逾期未补交处理"):
        service.lapse(OTHER, second_missing)  # once


def test_a_material_the_catalog_only_reminds_about_stops_nothing(
    db: Database, open_hall: OpenHall, clock: WallClock
) -> None:
    reminded = TOLERANT.replace(
        "exemption: {tolerable_missing: true}}\n  - {id: m3",
        "exemption: {tolerable_missing: true, missed: remind}}\n  - {id: m3",
    )
    assert reminded != TOLERANT
    catalog, service = open_hall(reminded)
    receipt_no = _promise(service, CLERK, MOTHER, ["m2"], date(2026, 11, 24))
    clock.advance(days=3)
    with pytest.raises(InvalidTransition, match="只继续催补"):
        service.lapse(OTHER, receipt_no)
    assert service.get(receipt_no).state == "accepted_on_commitment"
    (row,) = Supplements(db, catalog, clock=clock).open()
    assert row.standing == "overdue"  # still on the list to call


def test_a_supplement_handed_in_late_is_recorded_as_late(
    db: Database, open_hall: OpenHall, clock: WallClock
) -> None:
    catalog, service = open_hall()
    on_time = _promise(service, CLERK, MOTHER, ["m2"], date(2026, 11, 24))
    late = _promise(service, CLERK, FATHER, ["m2"], date(2026, 11, 24))
    clock.advance(days=1)
    kept = service.supplement(CLERK, on_time, ["m2"])
    clock.advance(days=1)
    after = service.supplement(CLERK, late, ["m2"])
    assert kept.commitment and kept.commitment["fulfilled_late"] is False
    assert after.commitment and after.commitment["fulfilled_late"] is True
    assert kept.state == after.state == "accepted"
    with pytest.raises(InvalidTransition):
        service.lapse(CLERK, late)  # handed in: no longer missed


def test_a_due_date_already_past_is_refused(
    db: Database, open_hall: OpenHall, clock: WallClock
) -> None:
    catalog, service = open_hall()
    with pytest.raises(InvalidInput, match="早于今天"):
        _promise(service, CLERK, MOTHER, ["m2"], date(2026, 11, 22))  # the day before
    _promise(service, CLERK, MOTHER, ["m2"], date(2026, 11, 23))  # today itself may be promised
