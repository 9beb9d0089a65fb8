"""A citizen browses without a card: a tile, a scenario, one question per screen, the list —
printed on A4, or, with the printer off, taken away by its QR code. 退出 wipes at once."""

from __future__ import annotations

import numpy as np
import zxingcpp
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QLabel, QPushButton
from pytestqt.qtbot import QtBot

from app.cases.demo import NEWBORN, NEWBORN_ANSWERS
from kiosk.journey import QR_BYTES
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
    assert window.current().name == "start" and window.station.journey.in_hand.scenario is None


def test_printer_off_gives_the_qr_code(
    qtbot: QtBot, window: KioskWindow, tray: Tray, roll: Roll
) -> None:
    """The citizen reads what to do, in one sentence; the printer's own words (an unexpected
    driver error, the staff's hint to change the roll) stay in the log and the staff screen."""
    tray.off = True
    roll.out = True
    to_plan(window)
    press(window, "print_a4")
    idle(qtbot, window)
    qr = window.findChild(QLabel, "plan_qr")
    assert qr is not None and qr.isVisible() and not qr.pixmap().isNull()
    said = window.message.text()
    assert window.message.property("kind") == "warn"
    assert said == (
        "清单没有打印出来（打印机暂时不能用）。"
        "请用手机扫描屏幕上的二维码带走清单，或请工作人员帮忙。"
    )
    press(window, "print_ticket")  # the ticket printer is out of paper too
    idle(qtbot, window)
    said = window.message.text()
    assert "二维码" in said and "工作人员" in said
    assert not any(w in said for w in ("缺纸", "更换纸卷", "意外错误", "日志", "技术人员"))
    shown = decode(qr.pixmap().toImage())
    journey = window.station.journey
    assert shown == journey.phone_text() and len(shown.encode()) <= QR_BYTES
    assert "新生儿出生一件事" in shown and journey.where().places[0].name in shown


def decode(image: QImage) -> str:
    """The QR code on the screen as a phone's reader sees it (zxing-cpp, honouring ECI)."""
    grey = image.convertToFormat(QImage.Format.Format_Grayscale8)
    rows = np.frombuffer(grey.constBits(), np.uint8).reshape(grey.height(), grey.bytesPerLine())
    found = zxingcpp.read_barcodes(rows[:, : grey.width()])
    assert len(found) == 1
    return found[0].text


def test_back_and_restart_on_the_questions(window: KioskWindow) -> None:
    press(window, "tile_出生")
    press(window, f"scenario_{NEWBORN}")
    first = window.station.journey.question()
    assert first is not None
    back = window.findChild(QPushButton, "back")
    assert back is not None and not back.isEnabled()  # nothing before the first question
    press(window, f"answer_{NEWBORN_ANSWERS[first.id]}")
    press(window, "back")
    again = window.station.journey.question()
    assert again is not None and again.id == first.id
    chosen = window.findChild(QPushButton, f"answer_{NEWBORN_ANSWERS[first.id]}")
    assert chosen is not None and chosen.text().startswith("✔")  # the answer given is marked
    press(window, "restart")
    assert window.station.journey.in_hand.answers == {}
