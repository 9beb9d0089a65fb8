"""A citizen browses without a card: a tile, a scenario, one question per screen, the list —
printed on A4, or, with the printer off, taken away by its QR code. 退出 wipes at once."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QLabel, QPushButton
from pytestqt.qtbot import QtBot

from app.cases.demo import NEWBORN, NEWBORN_ANSWERS
from kiosk.ui.window import KioskWindow
from tests.kiosk.screens import Roll, Tray, idle, press, to_plan


def test_browse_to_the_list_printed(qtbot: QtBot, window: KioskWindow, tray: Tray) -> None:
    assert window.current().name == "start"
    to_plan(window)
    QApplication.processEvents()
    texts = " ".join(label.text() for label in window.findChildren(QLabel) if label.isVisible())
    assert "新生儿出生一件事" in texts and "需提交原件" in texts and "承诺" in texts
    press(window, "print_a4")
    idle(qtbot, window)
    assert [title for title, _ in tray.printed] == ["新生儿出生一件事 一次告知单"]
    assert tray.printed[0][1].startswith(b"%PDF")
    assert "已打印" in window.message.text()
    press(window, "exit")
    assert window.current().name == "start" and window.host.journey.flow.scenario is None


def test_printer_off_gives_the_qr_code(
    qtbot: QtBot, window: KioskWindow, tray: Tray, roll: Roll
) -> None:
    tray.off = True
    roll.out = True
    to_plan(window)
    press(window, "print_a4")
    idle(qtbot, window)
    qr = window.findChild(QLabel, "plan_qr")
    assert qr is not None and qr.isVisible() and not qr.pixmap().isNull()
    assert "二维码" in window.message.text() and window.message.property("kind") == "warn"
    press(window, "print_ticket")  # the ticket printer is out of paper too
    idle(qtbot, window)
    assert "缺纸" in window.message.text() and "二维码" in window.message.text()


def test_back_and_restart_on_the_questions(window: KioskWindow) -> None:
    press(window, "tile_出生")
    press(window, f"scenario_{NEWBORN}")
    first = window.host.journey.question()
    assert first is not None
    back = window.findChild(QPushButton, "back")
    assert back is not None and not back.isEnabled()  # nothing before the first question
    press(window, f"answer_{NEWBORN_ANSWERS[first.id]}")
    press(window, "back")
    again = window.host.journey.question()
    assert again is not None and again.id == first.id
    chosen = window.findChild(QPushButton, f"answer_{NEWBORN_ANSWERS[first.id]}")
    assert chosen is not None and chosen.text().startswith("✔")  # the answer given is marked
    press(window, "restart")
    assert window.host.journey.flow.answers == {}
