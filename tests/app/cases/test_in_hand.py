"""The case in hand without a screen: card, scenario, questions, form, materials, decision;
a kiosk pre-application picked up by its QR; a forged QR refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.cases.audit import Actor
from app.cases.demo import value_for
from app.cases.files import FileStore
from app.cases.in_hand import CaseInHand
from app.cases.service import CaseService
from app.catalog.catalog import Catalog
from app.db.engine import Database, make_engine
from app.db.migrate import upgrade
from app.devices.simulated import SimulatedIdReader
from app.errors import InvalidIdNumber, InvalidInput
from app.identity.card import IdCardData
from printing import qr
from tests.helpers.keys import ring
from tests.id_cards import FOREIGN_I, FOREIGN_Y, PERMIT_J

KEY = ring(b"counter-test")
CLERK = Actor("张敏", "counter-03")
NEWBORN = "43PCN0009"
SHARED = {
    "parents.married": True,
    "parents.same_ethnicity": True,
    "newborn.within_six_months": True,
}


@pytest.fixture
def service(tmp_path: Path, catalog: Catalog) -> Iterator[CaseService]:
    engine = make_engine(f"sqlite:///{tmp_path / 'hall.sqlite3'}")
    upgrade(engine)
    yield CaseService(
        Database(engine), catalog, FileStore(tmp_path / "files"), hall_code="430100001"
    )
    engine.dispose()


def check(text: str) -> tuple[str, str]:
    checked = qr.verify(text, KEY)
    return checked.receipt_no, checked.reason


def flow_for(service: CaseService, catalog: Catalog, shared: Any = None) -> CaseInHand:
    return CaseInHand(
        service,
        catalog,
        CLERK,
        hall_province="430000",
        check_qr=check,
        shared=shared,
        today=lambda: date(2026, 11, 23),
    )


def answer_everything(in_hand: CaseInHand) -> None:
    while (question := in_hand.questions().next) is not None:
        option = next(o for o in question.options if not o.stops)
        in_hand.answer(question.id, [option.value] if question.kind == "multi" else option.value)


def fill_form(in_hand: CaseInHand) -> None:
    assert in_hand.applicant is not None
    for spec in in_hand.plan().fields:
        if not spec.value:
            assert in_hand.set_field(spec.key, value_for(spec, in_hand.applicant.party)) == ""


def test_a_whole_case_from_the_card_to_acceptance(service: CaseService, catalog: Catalog) -> None:
    in_hand = flow_for(service, catalog, shared=lambda number: (SHARED, "湖南省共享数据"))
    applicant = in_hand.read_card(SimulatedIdReader().read() or pytest.fail("no card"))
    assert applicant.party.name == "李芳" and applicant.sources == ["身份证读卡", "湖南省共享数据"]
    assert in_hand.find("xse")[0].scenario.code == NEWBORN
    in_hand.choose(NEWBORN)
    auto = [q for q in in_hand.questions().questions if q.status == "auto"]
    assert auto and all(q.source for q in auto)  # answered from the card and shared data
    answer_everything(in_hand)
    plan = in_hand.plan()
    assert plan.complete and plan.items
    phone = next(f for f in plan.fields if f.type == "phone")
    assert "不是有效的电话号码" in in_hand.set_field(phone.key, "12345")  # said as typed
    fill_form(in_hand)
    in_hand.set_contact(phone="13800138000")
    case = in_hand.open()
    assert case.state == "draft" and case.applicant.phone == "13800138000"
    case = in_hand.receive_all()
    accepted = in_hand.accept()
    assert accepted.state == "accepted" and accepted.promised_date is not None
    in_hand.reset()
    assert in_hand.applicant is None and in_hand.case is None and in_hand.answers == {}


def test_a_typed_id_is_checked_digit_by_digit(service: CaseService, catalog: Catalog) -> None:
    in_hand = flow_for(service, catalog)
    with pytest.raises(InvalidIdNumber, match="校验码"):
        in_hand.type_id("李芳", "430104199203152041")
    with pytest.raises(InvalidInput, match="姓名"):
        in_hand.type_id(" ", "43010419920315204X")
    assert in_hand.type_id("李芳", "43010419920315204x").party.id_number == "43010419920315204X"
    assert in_hand.notes == []  # no shared data configured: nothing to say


def test_shared_data_down_is_a_note_not_a_failure(service: CaseService, catalog: Catalog) -> None:
    def down(number: str) -> tuple[dict[str, Any], str]:
        raise ConnectionError("platform down")

    in_hand = flow_for(service, catalog, shared=down)
    in_hand.read_card(SimulatedIdReader().read() or pytest.fail("no card"))
    assert any("共享数据" in n for n in in_hand.notes)


def test_a_kiosk_pre_application_is_picked_up_by_its_qr(
    service: CaseService, catalog: Catalog
) -> None:
    kiosk = flow_for(service, catalog)
    kiosk.read_card(SimulatedIdReader().read() or pytest.fail("no card"))
    kiosk.choose(NEWBORN)
    answer_everything(kiosk)
    fill_form(kiosk)
    pre = service.open_case(
        Actor("自助终端", "kiosk-01"),
        channel="kiosk",
        scenario=NEWBORN,
        applicant=kiosk.applicant.party,  # type: ignore[union-attr]
        answers=kiosk.answers,
        facts=kiosk.facts,
        form=kiosk.form_values(),
    )
    counter = flow_for(service, catalog)
    with pytest.raises(InvalidInput, match="伪造"):
        counter.scan(qr.sign(pre.receipt_no, ring(b"another hall")))
    with pytest.raises(InvalidInput, match="不是本系统"):
        counter.scan("http://example.com/x")
    with pytest.raises(InvalidInput, match="不是本系统"):  # raised TypeError: non-ASCII
        counter.scan(f"OS1:{pre.receipt_no}:签名")
    case = counter.scan(qr.sign(pre.receipt_no, KEY))
    assert case.state == "pre_application" and counter.answers == kiosk.answers
    assert counter.plan().complete  # everything the citizen answered is there
    counter.open()
    counter.receive_all()
    assert counter.accept().state == "accepted"


@pytest.mark.parametrize("card", [FOREIGN_I, FOREIGN_Y, PERMIT_J], ids=lambda c: c.kind)
def test_a_whole_case_for_a_foreigner_or_a_permit_holder(
    service: CaseService, catalog: Catalog, card: IdCardData
) -> None:
    in_hand = flow_for(service, catalog)
    in_hand.read_card(card)
    in_hand.choose(NEWBORN)
    answer_everything(in_hand)
    fill_form(in_hand)
    in_hand.set_contact(phone="13800138000")
    case = in_hand.open()
    assert case.applicant.id_number == card.id_number and case.applicant.name == card.name
    in_hand.receive_all()
    assert in_hand.accept().state == "accepted"


def test_a_2017_foreigners_number_is_typed_and_checked_for_its_form(
    service: CaseService, catalog: Catalog
) -> None:
    in_hand = flow_for(service, catalog)
    assert in_hand.id_hint("can110080020301") == (
        "外国人永久居留身份证（2017 年版）号码，国籍 CAN",
        True,
    )
    assert in_hand.type_id("John SMITH", "can110080020301").party.id_number == "CAN110080020301"
    with pytest.raises(InvalidIdNumber):
        in_hand.type_id("John SMITH", "XXX110080020301")  # no such nationality
