"""帮办代办 and special groups at the real counter window: an older applicant's card puts the
offer on the applicant panel; the clerk records 陪同办 with who and how long in the dialog, the
card's group fixed; the decision screen says what was recorded; a refusal keeps the dialog open
with the reason."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from app.accounts import Operator
from app.bootstrap import Core
from app.cases.demo import NEWBORN, NEWBORN_ANSWERS
from app.devices.drivers import Devices
from app.devices.simulated import TEST_PERSONS, SimulatedCapture, SimulatedIdReader
from counter.session import Session
from counter.ui.assist import AssistDialog
from counter.ui.window import DECISION, MainWindow

CLERK = Operator("zhangmin", "张敏", "clerk")
ELDER = next(p for p in TEST_PERSONS if p.birth_date.year < 1960)


@pytest.fixture
def window(qtbot: QtBot, core: Core) -> Iterator[MainWindow]:
    session = Session(core, CLERK, Devices(SimulatedIdReader([ELDER]), SimulatedCapture()), None)
    window = MainWindow(session, status_every_ms=60_000)
    qtbot.addWidget(window)
    yield window
    window.close()


def idle(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(
        lambda: not window.station.work.busy and not window.station.devices.busy, timeout=20_000
    )


def test_an_older_applicant_is_offered_help_and_the_clerk_records_it(
    qtbot: QtBot, window: MainWindow, core: Core
) -> None:
    window.identify.read.click()
    idle(qtbot, window)
    window.identify.phone.setText("13800138000")
    window.identify.next.click()
    idle(qtbot, window)
    assert "★ 老年人（" in window.who.text() and "可优先办、陪同办、代理办" in window.who.text()

    in_hand = window.station.session.in_hand
    in_hand.choose(NEWBORN)
    for question, value in NEWBORN_ANSWERS.items():
        if any(q.id == question for q in in_hand.questions().questions):
            in_hand.answer(question, value)
    case = in_hand.open()
    window.go(DECISION)
    decision = window.decision
    by_card = core.cases.get(case.receipt_no).assistance  # the card alone: counted already
    assert by_card is not None and by_card["groups"] == ["elderly"] and by_card["mode"] is None
    assert "特殊群体：老年人" in decision.summary.text()
    assert decision.assist_button.isEnabled()

    decision.assist_button.click()
    dialog = decision.dialog
    assert isinstance(dialog, AssistDialog)
    elderly = dialog.groups["elderly"]
    assert elderly.isChecked() and not elderly.isEnabled()  # the card says so
    assert not dialog.modes["daiban"].isEnabled()  # no agent on this case
    dialog.modes["peitong"].setChecked(True)
    assert dialog.helper.text() == "张敏" and dialog.helper.isEnabled()
    dialog.helper.clear()
    dialog.ok.click()  # 陪同办 without the staff member: refused, nothing stored
    idle(qtbot, window)
    assert dialog.isVisible() and "须写明提供帮助的工作人员" in dialog.problem.text()
    assert core.cases.get(case.receipt_no).assistance == by_card

    dialog.helper.setText("刘洋")
    dialog.minutes.setValue(20)
    dialog.offers["accompany"].setChecked(True)
    dialog.ok.click()
    idle(qtbot, window)
    assert not dialog.isVisible()
    saved = core.cases.get(case.receipt_no).assistance
    assert saved is not None
    assert (saved["mode"], saved["helper"], saved["minutes"]) == ("peitong", "刘洋", 20)
    assert saved["groups"] == ["elderly"] and saved["offered"] == ["accompany"]
    assert "帮办代办：陪同办（刘洋，20 分钟）" in decision.summary.text()
    assert "已登记" in window.bar.text()
