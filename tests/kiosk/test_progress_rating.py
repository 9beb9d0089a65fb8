"""After the window: a citizen scans her receipt at the kiosk — the case's progress, masked; then
she rates the service (a 差评 needs her words), follows up once, and a third time is refused.
Forged and foreign codes are refused, scanner garbage is ignored with a message, and a scan in
the middle of a pre-application does not throw her form away."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.bootstrap import Core
from kiosk.ui.window import KioskWindow
from printing import qr
from tests.helpers.cases import MOTHER, accepted
from tests.helpers.keys import ring
from tests.kiosk.screens import idle, press, shown_text, to_plan, type_into
from tests.kiosk.test_progress_and_evaluation import completed, qr_of


def scan(qtbot: QtBot, window: KioskWindow, text: str) -> None:
    """The wedge scanner: the whole code within milliseconds, then Enter."""
    QTest.keyClicks(window, text)
    QTest.keyClick(window, Qt.Key.Key_Return)
    idle(qtbot, window)


def test_progress_then_a_bad_rating_then_its_follow_up(
    qtbot: QtBot, window: KioskWindow, core: Core
) -> None:
    case = completed(core)
    scan(qtbot, window, qr_of(core, case))
    assert window.current().name == "progress"
    shown = shown_text(window)
    assert case.receipt_no in shown and "已办结" in shown and "结果可以领取" in shown
    assert MOTHER.name not in shown and MOTHER.id_number not in shown
    assert "4301**********204X" in shown
    press(window, "progress_rate")
    idle(qtbot, window)
    assert window.current().name == "rate" and "办结环节评价" in shown_text(window)
    press(window, "level_2")
    press(window, "reason_1")
    press(window, "rate_submit")  # no words yet
    assert "原因" in window.message.text() and window.message.property("kind") == "warn"
    type_into(window, "rate_text", "等了两个小时")
    press(window, "rate_submit")
    idle(qtbot, window)
    assert "感谢您的评价" in shown_text(window)
    saved = core.cases.get(case.receipt_no).evaluations
    assert [(e.stage, e.round, e.level, e.channel) for e in saved] == [
        ("complete", "first", 2, "kiosk")
    ]
    assert saved[0].text == "等了两个小时" and len(saved[0].reasons) == 1
    assert core.outbox.counts()["pending"] >= 1  # queued for the platform
    press(window, "rate_done")
    assert window.current().name == "start"

    scan(qtbot, window, qr_of(core, case))  # a week later: the one follow-up
    press(window, "progress_rate")
    idle(qtbot, window)
    assert "办结环节追评" in shown_text(window)
    press(window, "level_4")
    press(window, "rate_submit")
    idle(qtbot, window)
    assert len(core.cases.get(case.receipt_no).evaluations) == 2
    window.finish()
    scan(qtbot, window, qr_of(core, case))
    press(window, "progress_rate")
    idle(qtbot, window)
    assert "已经评价并追评过了" in window.message.text()


def test_typed_receipt_number_and_the_id_card(
    qtbot: QtBot, window: KioskWindow, core: Core
) -> None:
    case = accepted(core.cases, core.catalog)
    press(window, "scan_hint")  # 扫二维码查进度 on the start screen
    assert window.current().name == "progress"
    type_into(window, "receipt_number", case.receipt_no.replace("-", ""))
    press(window, "progress_find")
    idle(qtbot, window)
    assert "部门审批中" in shown_text(window)
    QApplication.processEvents()
    assert window.findChild(type(window.home), "progress_rate") is None  # typed: no rating
    press(window, "progress_card")  # the simulated reader's first person is the mother
    idle(qtbot, window)
    assert case.receipt_no in shown_text(window)


def test_forged_foreign_and_garbage_codes(qtbot: QtBot, window: KioskWindow, core: Core) -> None:
    case = accepted(core.cases, core.catalog)
    forged = qr_of(core, case)[:-3] + "AAA"
    scan(qtbot, window, forged)
    assert window.message.property("kind") == "warn" and case.receipt_no not in shown_text(window)
    foreign = qr.sign(case.receipt_no, ring(b"another hall's key", core.receipt_keys.current))
    scan(qtbot, window, foreign)
    assert window.message.property("kind") == "warn" and case.receipt_no not in shown_text(window)
    scan(qtbot, window, "%%%garbage!!")
    assert window.message.text() and window.message.property("kind") == "warn"


def test_a_scan_while_filling_the_form_keeps_the_form(
    qtbot: QtBot, window: KioskWindow, core: Core
) -> None:
    case = accepted(core.cases, core.catalog)
    press(window, "read_card")
    idle(qtbot, window)
    to_plan(window)
    press(window, "pre_apply")
    assert window.current().name == "form"
    started = time.monotonic()
    scan(qtbot, window, qr_of(core, case))
    assert time.monotonic() - started < 10
    assert window.current().name == "form" and "预申请" in window.message.text()
    assert window.station.journey.in_hand.applicant is not None
