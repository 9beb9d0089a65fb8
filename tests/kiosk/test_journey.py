"""The citizen's way through a scenario without a screen: tiles, search, one question per
screen with back and restart, the list in plain words, and the pre-application saved whole."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.bootstrap import Core
from app.cases.demo import NEWBORN, NEWBORN_ANSWERS, value_for
from app.cases.snapshots import Party
from app.db.models import CaseRow
from app.devices.simulated import TEST_PERSONS, SimulatedCapture
from app.errors import InvalidInput
from kiosk.journey import QR_BYTES, Journey, plain_status


def answer_all(journey: Journey) -> None:
    while (question := journey.question()) is not None:
        value = NEWBORN_ANSWERS.get(question.id)
        if value is None:  # answered from the card: confirm what is selected
            assert question.answer is not None, question.id
            value = str(question.answer)
        journey.answer(value)


def test_tiles_and_search(journey: Journey) -> None:
    stages = dict(journey.tiles("personal"))
    assert "出生" in stages and NEWBORN in {s.code for s in stages["出生"]}
    assert all(scenarios for scenarios in stages.values())  # no empty tile
    assert [f.scenario.code for f in journey.find("xse")][:1] == [NEWBORN]
    assert journey.find("  ") == []


def test_one_question_per_screen_with_back_and_restart(journey: Journey) -> None:
    journey.in_hand.read_card(TEST_PERSONS[0])
    journey.choose(NEWBORN)
    first = journey.question()
    assert first is not None and journey.progress()[0] == 1
    journey.answer(NEWBORN_ANSWERS[first.id])
    second = journey.question()
    assert second is not None and second.id != first.id and journey.progress()[0] == 2
    assert journey.back() == journey.in_hand.questions().questions[0]
    assert journey.in_hand.answers[first.id] == NEWBORN_ANSWERS[first.id]  # kept when going back
    journey.restart()
    assert journey.in_hand.answers == {} and journey.progress()[0] == 1
    answer_all(journey)
    number, total = journey.progress()
    assert journey.question() is None and number == total
    assert journey.plan().complete


def test_filled_in_answers_say_where_they_came_from(journey: Journey) -> None:
    journey.in_hand.shared = lambda _: ({"parents.married": True}, "婚姻登记信息共享")
    journey.in_hand.read_card(TEST_PERSONS[0])
    journey.choose(NEWBORN)
    auto = [q for q in journey.in_hand.questions().questions if q.status == "auto"]
    assert [q.id for q in auto] == ["marriage"]
    assert journey.source_words(auto[0]) == (
        "已为您选好（来源：共享数据：父母有登记的婚姻关系）。如不对，请点选正确的答案。"
    )
    chosen = [q for q in journey.in_hand.questions().questions if q.status != "auto"]
    assert all(journey.source_words(q) == "" for q in chosen)
    while (question := journey.question()) is not None and question.id != "marriage":
        journey.answer(NEWBORN_ANSWERS[question.id])
    assert journey.question() == auto[0] and auto[0].answer == "yes"
    journey.answer("no")  # the citizen knows better
    assert journey.in_hand.answers["marriage"] == "no"


def test_the_list_in_plain_words(journey: Journey) -> None:
    journey.choose(NEWBORN)
    answer_all(journey)
    plan = journey.plan()
    words = {m.name: plain_status(m) for m in plan.materials}
    assert any(w.startswith("需提交原件") for w in words.values())
    assert all(w.startswith(("需提交", "免提交：", "可告知承诺", "容缺")) for w in words.values())
    where = journey.where()
    assert where.phone and where.places and where.promise == plan.promise
    text = journey.phone_text()
    assert plan.scenario_name in text and where.phone in text and len(text.encode()) <= QR_BYTES
    fewer = journey.leave_out("parenting_guidance", True)
    assert "parenting_guidance" not in {i.id for i in fewer.items}
    needed = journey.leave_out("birth_certificate", True)  # others need its result: it stays
    kept = next(i for i in needed.items if i.id == "birth_certificate")
    assert kept.chosen == "dependency" and "需要它的办理结果" in kept.reason
    again = journey.leave_out("parenting_guidance", False)
    assert {i.id: i.chosen for i in again.items}["birth_certificate"] == "dependency"
    assert "parenting_guidance" in {i.id for i in again.items}


def test_pre_application_saved_whole_with_pages(journey: Journey, core: Core) -> None:
    journey.in_hand.read_card(TEST_PERSONS[0])
    journey.choose(NEWBORN)
    answer_all(journey)
    person = Party(TEST_PERSONS[0].name, TEST_PERSONS[0].id_number)
    for spec in journey.fields():
        if not journey.value_of(spec):
            assert journey.set_field(spec.key, value_for(spec, person)) == ""
    camera = SimulatedCapture()
    material = journey.to_capture()[0]
    journey.add_page(material.id, camera.capture())
    assert journey.add_page(material.id, camera.capture()) == 2
    journey.retake(material.id, 1, camera.capture())
    case = journey.submit()
    assert case.state == "pre_application" and case.channel == "kiosk"
    scans = case.material(material.id).scans
    assert len(scans) == 1 and scans[0].pages == 2
    journey.wipe()
    assert (
        journey.in_hand.applicant is None and journey.pages == {} and journey.in_hand.case is None
    )


def test_nothing_saved_while_the_form_is_incomplete(journey: Journey, core: Core) -> None:
    journey.in_hand.read_card(TEST_PERSONS[0])
    journey.choose(NEWBORN)
    answer_all(journey)
    assert journey.form_problems()
    with pytest.raises(InvalidInput, match="必须填写"):
        journey.submit()
    with core.db.read() as session:
        assert session.scalar(select(func.count()).select_from(CaseRow)) == 0
