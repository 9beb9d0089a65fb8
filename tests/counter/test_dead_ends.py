"""No dead ends at the counter: a printer that fails after the decision leaves 重新打印 and
下一位; 容缺 is not offered when it can only fail; a message belongs to the step it was said on;
a material recorded as 缺 looks recorded; review points can be required before 收到原件."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from app.bootstrap import Core
from app.cases.snapshots import CaseView
from counter.session import Session
from counter.ui.decision import CommitmentDialog
from counter.ui.window import DECISION, FORM, IDENTIFY, MATERIALS, MainWindow
from printing.a4_printer import A4PrinterUnavailable
from tests.counter.conftest import activate

Settle = Callable[[], None]


class Tray:
    """The far side of the A4 printer (an :class:`A4Printer`); ``off`` refuses as CUPS does."""

    name = "tray"

    def __init__(self) -> None:
        self.titles: list[str] = []
        self.off = False

    def send(self, pdf: bytes, *, title: str) -> str:
        if self.off:
            raise A4PrinterUnavailable(
                "打印机“tray”暂停接收打印任务。", hint="文书没有打印，可以稍后重新打印。"
            )
        self.titles.append(title)
        return f"tray-{len(self.titles)}"


@pytest.fixture
def tray(session: Session) -> Tray:
    tray = Tray()
    session.papers.a4 = tray
    return tray


@pytest.fixture
def window(qtbot: QtBot, session: Session, tray: Tray) -> Iterator[MainWindow]:
    window = MainWindow(session, status_every_ms=60_000)
    window.decision.printouts.preview = False
    qtbot.addWidget(window)
    activate(qtbot, window)
    yield window
    window.station.work.wait()
    window.station.devices.wait()


def wait_idle(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window.station.work.busy, timeout=15_000)


def accept_with_the_printer_off(qtbot: QtBot, window: MainWindow, tray: Tray) -> None:
    window.station.session.in_hand.receive_all()
    window.go(DECISION)
    tray.off = True
    window.decision.accept_button.click()
    qtbot.waitUntil(window.decision.reprint_button.isVisible, timeout=15_000)
    wait_idle(qtbot, window)


def test_a_printer_that_fails_after_the_decision_leaves_a_way_on(
    qtbot: QtBot, window: MainWindow, tray: Tray, draft: CaseView, core: Core
) -> None:
    in_hand = window.station.session.in_hand
    accept_with_the_printer_off(qtbot, window, tray)
    assert window.decision.next_button.isVisible()
    assert not window.decision.accept_button.isVisible()
    assert "打印机" in window.bar.text() and window.bar.kind == "error"
    assert "已受理" in window.who.text() and "收件中" not in window.who.text()
    tray.off = False
    QTest.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: in_hand.case is None, timeout=15_000)  # printed, then the next person
    assert [t.split(" ", 1)[1] for t in tray.titles] == ["受理通知书"]
    assert window.pages.currentIndex() == IDENTIFY
    actions = [e.action for e in core.cases.timeline(draft.receipt_no)]
    assert actions[-2:] == ["print_failed", "print"]


def test_next_applicant_after_a_failed_print(
    qtbot: QtBot, window: MainWindow, tray: Tray, draft: CaseView
) -> None:
    in_hand = window.station.session.in_hand
    accept_with_the_printer_off(qtbot, window, tray)
    window.decision.next_button.click()
    assert in_hand.case is None and window.pages.currentIndex() == IDENTIFY
    assert "可以稍后重新打印" in window.bar.text() or "补打" in window.bar.text()
    assert draft.receipt_no in window.bar.text()


def test_commitment_is_offered_only_when_it_can_be_done(
    qtbot: QtBot, window: MainWindow, draft: CaseView
) -> None:
    in_hand = window.station.session.in_hand
    window.go(DECISION)  # every material missing, some of them not tolerable
    decision = window.decision
    assert not decision.commit_button.isEnabled()
    assert "不能容缺" in decision.commit_button.toolTip()
    dialog = CommitmentDialog(draft, date(2026, 12, 21))
    qtbot.addWidget(dialog)
    assert not dialog.ok.isEnabled() and "不能容缺" in dialog.refusal.text()
    case = in_hand.receive_all()
    window.go(DECISION)
    assert not decision.commit_button.isEnabled()
    dialog = CommitmentDialog(case, date(2026, 12, 21))
    qtbot.addWidget(dialog)
    assert not dialog.ok.isEnabled() and "材料已齐全" in dialog.refusal.text()


def test_a_message_belongs_to_its_step(qtbot: QtBot, window: MainWindow, draft: CaseView) -> None:
    window.go(FORM)
    window.bar.error("申请表还有 1 项需要修改")
    window.go(MATERIALS)
    assert window.bar.isHidden()
    window.bar.error("没有读到身份证")
    window.find_cases()
    assert window.bar.isHidden()


def test_missing_recorded_looks_recorded(
    qtbot: QtBot, window: MainWindow, draft: CaseView, settle: Settle
) -> None:
    window.go(MATERIALS)
    screen = window.materials
    material = screen.selected()
    assert material is not None
    row = [m.material_id for m in screen.model.rows].index(material.material_id)
    assert screen.model.index(row, 2).data() == "● 未收取"
    QTest.keyClick(window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, window)
    assert screen.model.index(row, 2).data() == "● 缺（已核对，申请人未带）"
