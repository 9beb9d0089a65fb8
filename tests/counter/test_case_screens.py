"""The first steps of the counter's case desk, through the real widgets: the applicant, the
scenario, the questionnaire and items, the merged form, the decision with preview."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from app.cases.demo import NEWBORN, NEWBORN_ANSWERS
from app.cases.snapshots import CaseView
from app.devices.simulated import SimulatedIdReader
from counter.session import Session
from counter.ui.form import FormScreen
from counter.ui.identify import IdentifyScreen
from counter.ui.questions import QuestionsScreen
from counter.ui.scenario import ScenarioScreen
from counter.ui.station import Station
from tests.counter.conftest import activate, make_draft

if TYPE_CHECKING:
    from pytestqt.modeltest import ModelTester

Settle = Callable[[], None]


def identify(qtbot: QtBot, station: Station) -> IdentifyScreen:
    screen = IdentifyScreen(station)
    qtbot.addWidget(screen)
    activate(qtbot, screen)
    screen.enter()
    return screen


def test_card_read_fills_the_applicant(qtbot: QtBot, station: Station, settle: Settle) -> None:
    screen = identify(qtbot, station)
    qtbot.keyClick(screen.number, Qt.Key.Key_F2)
    settle()
    assert screen.name.text() == "李芳"
    assert screen.number.text() == "43010419920315204X"
    assert "湖南省长沙市" in screen.number_hint.text()
    assert "身份证读卡" in screen.sources.text()
    qtbot.keyClicks(screen.phone, "13800138000")
    with qtbot.waitSignal(screen.identified, timeout=5000):
        screen.next.click()
    applicant = station.session.in_hand.applicant
    assert applicant is not None and applicant.card is not None
    assert applicant.party.phone == "13800138000"


def test_typed_id_is_checked_as_typed(qtbot: QtBot, station: Station, settle: Settle) -> None:
    screen = identify(qtbot, station)
    qtbot.keyClicks(screen.number, "4301041992031520")
    assert screen.number_hint.text() == "已输入 16 位，共 18 位。"
    qtbot.keyClicks(screen.number, "41")
    assert "校验码" in screen.number_hint.text()
    screen.name.setText("李芳")
    screen.next.click()
    settle()
    assert "校验码" in station.bar.text() and station.bar.kind == "error"
    assert station.session.in_hand.applicant is None
    screen.number.setText("43010419920315204x")
    assert "1992-03-15 出生，女" in screen.number_hint.text()
    with qtbot.waitSignal(screen.identified, timeout=5000):
        screen.next.click()
    assert station.session.in_hand.applicant is not None
    assert station.session.in_hand.applicant.party.id_number == "43010419920315204X"


def test_failing_reader_offers_typing(
    qtbot: QtBot, station: Station, session: Session, settle: Settle
) -> None:
    reader = session.devices.id_reader
    assert isinstance(reader, SimulatedIdReader)
    reader.fail = True
    screen = identify(qtbot, station)
    screen.read.click()
    settle()
    assert "没有响应" in station.bar.text() and "手工输入" in station.bar.text()
    assert screen.read.isEnabled()
    session.devices.id_reader = None
    screen.read.click()
    assert "没有连接身份证阅读器" in station.bar.text()


def test_enterprise_with_its_agent(qtbot: QtBot, station: Station, settle: Settle) -> None:
    screen = identify(qtbot, station)
    screen.enterprise.setChecked(True)
    assert screen.agent_box.isChecked() and screen.code.isVisible() is screen.isVisible()
    screen.company.setText("长沙市示例科技有限公司")
    screen.code.setText("91350100M000100Y43")
    assert screen.code_hint.text() == "代码有效"
    screen.agent_name.setText("王建国")
    screen.agent_number.setText("430104196411152016")
    with qtbot.waitSignal(screen.identified, timeout=5000):
        screen.next.click()
    in_hand = station.session.in_hand
    assert in_hand.applicant is not None and in_hand.applicant.party.kind == "enterprise"
    assert in_hand.agent is not None and in_hand.agent.name == "王建国"


def test_scenario_by_initials_and_stage(qtbot: QtBot, station: Station) -> None:
    screen = ScenarioScreen(station)
    qtbot.addWidget(screen)
    screen.enter()
    assert screen.model.rowCount() == len(station.session.in_hand.catalog.scenarios)
    qtbot.keyClicks(screen.search, "xse")
    assert screen.model.choices[0].code == NEWBORN
    with qtbot.waitSignal(screen.chosen, timeout=1000):
        qtbot.keyClick(screen.search, Qt.Key.Key_Return)
    assert station.session.in_hand.scenario is not None
    screen.search.clear()
    screen.stage.setCurrentText("企业·准入准营")
    assert all(c.detail.startswith("准入准营") for c in screen.model.choices)
    screen.search.setText("没有这种事")
    assert screen.model.rowCount() == 0 and "没有找到" in screen.count.text()


def test_recent_scenarios_come_first(
    qtbot: QtBot, station: Station, session: Session, settle: Settle
) -> None:
    """Before anything is typed the list starts with what this window handled lately (newest
    first), then every scenario by audience and life stage."""
    make_draft(session, card=True)  # this terminal's newest case: 新生儿出生
    terminal = session.core.settings.terminal.name
    assert session.core.queries.recent_scenarios(terminal) == [NEWBORN]
    assert session.core.queries.recent_scenarios("another-terminal") == []
    screen = ScenarioScreen(station)
    qtbot.addWidget(screen)
    screen.enter()
    settle()
    first = screen.model.choices[0]
    assert (first.code, first.detail) == (NEWBORN, "最近办理·出生")
    screen._recent(["43TCN0003", "99GONE0001", NEWBORN])  # a code the catalog lost is skipped
    codes = [c.code for c in screen.model.choices]
    assert codes[:2] == ["43TCN0003", NEWBORN]
    assert screen.model.choices[1].detail == "最近办理·出生"
    assert len(codes) == len(set(codes)) == len(session.in_hand.catalog.scenarios)
    rest = [session.in_hand.catalog.scenarios[c] for c in codes[2:]]
    assert [s.audience for s in rest] == sorted(
        (s.audience for s in rest), key=lambda a: a != "personal"
    )


def test_scenario_model(qtmodeltester: ModelTester, station: Station) -> None:
    screen = ScenarioScreen(station)
    screen.enter()
    qtmodeltester.check(screen.model)


def questions_for(qtbot: QtBot, station: Station, session: Session) -> QuestionsScreen:
    reader = session.devices.id_reader
    assert reader is not None
    card = reader.read()
    assert card is not None
    session.in_hand.read_card(card)
    session.in_hand.choose(NEWBORN)
    screen = QuestionsScreen(station)
    qtbot.addWidget(screen)
    screen.enter()
    return screen


def test_questions_by_digit_keys_then_items(
    qtbot: QtBot, station: Station, session: Session, settle: Settle
) -> None:
    screen = questions_for(qtbot, station, session)
    assert not screen.next.isEnabled()
    for _ in range(30):
        pending = [q for q in screen.order if screen.rows[q].source.text() == "待回答"]
        if not pending:
            break
        row = screen.rows[pending[0]]
        combo = row.combo
        assert isinstance(combo, QComboBox)
        wanted = NEWBORN_ANSWERS.get(row.id)
        index = row.values.index(wanted) + 1 if wanted in row.values else 1
        qtbot.keyClicks(combo, str(index))  # the options are numbered: a digit answers
    assert screen.next.isEnabled(), screen.summary.text()
    promise = station.session.in_hand.plan().promise  # the clerk reads the days and why
    assert f"{promise.words}（{promise.basis_words.removeprefix('依据：').rstrip('。')}）" in (
        screen.summary.text()
    )
    boxes = screen.item_boxes
    assert boxes and all(box.isChecked() for box in boxes.values())
    optional = [item for item, box in boxes.items() if box.isEnabled()]
    assert optional
    boxes[optional[-1]].setChecked(False)
    plan = session.in_hand.plan()
    assert optional[-1] not in {i.id for i in plan.items} or screen.notices.text()
    with qtbot.waitSignal(screen.done, timeout=5000):
        screen.next.click()
    assert session.in_hand.case is not None and session.in_hand.case.state == "draft"


def test_auto_answers_show_their_source(qtbot: QtBot, station: Station, session: Session) -> None:
    shared = {
        "parents.married": True,
        "parents.same_ethnicity": True,
        "newborn.within_six_months": True,
    }
    session.in_hand.shared = lambda _number: (shared, "省人口信息共享数据")
    screen = questions_for(qtbot, station, session)
    auto = [q for q in session.in_hand.questions().questions if q.status == "auto"]
    assert auto, "shared data answers questions of 新生儿出生一件事"
    row = screen.rows[auto[0].id]
    assert "自动选择" in row.source.text()
    combo = row.combo
    assert combo is not None
    other = next(i for i in range(1, combo.count()) if combo.itemData(i) != auto[0].answer)
    combo.setCurrentIndex(other)
    combo.activated.emit(other)
    assert "已改" in row.source.text()
    assert session.in_hand.answers[auto[0].id] == combo.itemData(other)


def test_form_checks_as_typed_and_saves(
    qtbot: QtBot, station: Station, session: Session, draft: CaseView, settle: Settle
) -> None:
    screen = FormScreen(station)
    qtbot.addWidget(screen)
    screen.enter()
    assert screen.editors
    phone = next(
        e
        for e in screen.editors.values()
        if e.key in {f.key for f in session.in_hand.plan().fields if f.type == "phone"}
    )
    phone.editor.setFocus()
    line = phone.editor
    line.clear()
    qtbot.keyClicks(line, "12345")
    assert "电话号码" in phone.message.text()
    screen.next.click()
    assert station.bar.kind == "error" and "需要修改" in station.bar.text()
    line.clear()
    qtbot.keyClicks(line, "13900001111")
    assert phone.message.text() == ""
    with qtbot.waitSignal(screen.done, timeout=5000):
        screen.next.click()
    saved = session.core.cases.get(draft.receipt_no)
    assert saved.form_data[phone.key] == "13900001111"


def test_form_tab_order_follows_the_paper_form(
    qtbot: QtBot, station: Station, draft: CaseView
) -> None:
    screen = FormScreen(station)
    qtbot.addWidget(screen)
    activate(qtbot, screen)
    screen.enter()
    editors = [e.editor for e in screen.editors.values()]
    qtbot.waitUntil(lambda: screen.focusWidget() is screen.next)  # every field prefilled
    editors[0].setFocus()
    for expected in editors[1:4]:
        assert editors[0].nextInFocusChain() is not None
        qtbot.keyClick(screen.focusWidget(), Qt.Key.Key_Tab)
        assert screen.focusWidget() is expected or expected.isAncestorOf(screen.focusWidget())
