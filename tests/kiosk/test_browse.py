"""A citizen browses without a card: a tile, a scenario, one question per screen, the list —
printed on A4, or, with the printer off, taken away by its QR code. 退出 wipes at once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication, QLabel, QPushButton
from pytestqt.qtbot import QtBot

from app.bootstrap import Core
from app.cases.demo import NEWBORN, NEWBORN_ANSWERS
from app.devices.drivers import Devices
from app.devices.simulated import SimulatedCapture, SimulatedIdReader
from kiosk.journey import Journey
from kiosk.papers import KioskPapers
from kiosk.ui.window import KioskWindow


class Tray:
    """The A4 printer's far side: the PDFs that reached it."""

    name = "tray"

    def __init__(self) -> None:
        self.printed: list[tuple[str, bytes]] = []
        self.off = False

    def send(self, pdf: bytes, *, title: str) -> str:
        if self.off:
            raise OSError("打印机没有响应")
        self.printed.append((title, pdf))
        return f"tray-{len(self.printed)}"


@pytest.fixture
def tray() -> Tray:
    return Tray()


@pytest.fixture
def window(qtbot: QtBot, core: Core, journey: Journey, tray: Tray) -> Iterator[KioskWindow]:
    papers = KioskPapers(core)
    papers.a4 = tray
    window = KioskWindow(core, journey, Devices(SimulatedIdReader(), SimulatedCapture()),
                         papers=papers)  # fmt: skip
    qtbot.addWidget(window)
    window.resize(1080, 1920)
    window.show()
    yield window
    window.close()


def press(window: KioskWindow, name: str) -> None:
    QApplication.processEvents()  # widgets added to a shown screen appear on the next turn
    push = window.findChild(QPushButton, name)
    assert push is not None and push.isVisible() and push.isEnabled(), name
    push.click()


def idle(qtbot: QtBot, window: KioskWindow) -> None:
    qtbot.waitUntil(lambda: not window.work.busy and not window.device_lane.busy, timeout=20_000)


def to_plan(window: KioskWindow) -> None:
    press(window, "tile_出生")
    assert window.current().name == "find"
    press(window, f"scenario_{NEWBORN}")
    while window.current().name == "question":
        question = window.host.journey.question()
        assert question is not None
        press(window, f"answer_{NEWBORN_ANSWERS[question.id]}")
    assert window.current().name == "plan"


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


def test_printer_off_gives_the_qr_code(qtbot: QtBot, window: KioskWindow, tray: Tray) -> None:
    tray.off = True
    to_plan(window)
    press(window, "print_a4")
    idle(qtbot, window)
    qr = window.findChild(QLabel, "plan_qr")
    assert qr is not None and qr.isVisible() and not qr.pixmap().isNull()
    assert "二维码" in window.message.text() and window.message.property("kind") == "warn"
    press(window, "print_ticket")  # no thermal printer at this kiosk either
    idle(qtbot, window)
    assert "凭条打印机" in window.message.text()


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
