"""Driving the kiosk's real window as a citizen does: touches on named buttons, waiting for the
background lanes, and the far sides of its printers."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from app.bootstrap import Core
from app.cases.audit import Actor
from app.cases.demo import NEWBORN, NEWBORN_ANSWERS
from app.cases.in_hand import CaseInHand
from app.devices.drivers import Devices
from app.guide.places import hall_window
from kiosk.idle import IdleWatch
from kiosk.journey import Journey
from kiosk.papers import KioskPapers
from kiosk.ui.window import KioskWindow
from printing import qr
from printing.thermal import PrinterUnavailable
from printing.tickets import Ticket


def journey_for(core: Core) -> Journey:
    """The kiosk's journey on ``core``, with its hall's QR key."""
    key = core.receipt_keys

    def check(text: str) -> tuple[str, str]:
        checked = qr.verify(text, key)
        return checked.receipt_no, checked.reason

    in_hand = CaseInHand(
        core.cases,
        core.catalog,
        Actor("自助终端", "kiosk-01"),
        hall_province=core.settings.hall.province,
        check_qr=check,
        channel="kiosk",
    )
    hall = core.settings.hall
    return Journey(
        in_hand,
        hall_phone="0731-88665266",
        hall_place="市民之家一楼综合窗口",
        hall=hall_window(hall.name, hall.office, hall.address, hall.phone, hall.hours),
    )


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


class Roll:
    """The thermal printer's far side (a :class:`ReceiptPrinter`): the tickets that came out;
    ``out`` of paper keeps them waiting, as the real one does."""

    def __init__(self) -> None:
        self.printed: list[Ticket] = []
        self.waiting: list[Ticket] = []
        self.out = False

    def print(self, ticket: Ticket) -> None:
        if self.out:
            self.waiting.append(ticket)
            raise PrinterUnavailable("凭条打印机缺纸。", hint="请工作人员更换纸卷。")
        self.printed.append(ticket)

    def retry(self) -> int:
        done = len(self.waiting)
        self.printed += self.waiting
        self.waiting.clear()
        return done


def press(window: KioskWindow, name: str) -> None:
    QApplication.processEvents()  # widgets added to a shown screen appear on the next turn
    push = window.findChild(QAbstractButton, name)
    assert push is not None and push.isVisible() and push.isEnabled(), name
    push.click()


def type_into(window: KioskWindow, name: str, text: str) -> None:
    """What the on-screen keyboard would have typed, and the field left (checked)."""
    QApplication.processEvents()
    edit = window.findChild(QLineEdit, name)
    assert edit is not None and edit.isVisible(), name
    edit.setText(text)
    edit.editingFinished.emit()


def idle(qtbot: QtBot, window: KioskWindow) -> None:
    qtbot.waitUntil(lambda: not window.work.busy and not window.device_lane.busy, timeout=20_000)
    QApplication.processEvents()


def shown_text(window: KioskWindow) -> str:
    QApplication.processEvents()
    return " ".join(label.text() for label in window.findChildren(QLabel) if label.isVisible())


def to_plan(window: KioskWindow) -> None:
    press(window, "tile_出生")
    assert window.current().name == "find"
    press(window, f"scenario_{NEWBORN}")
    while window.current().name == "question":
        question = window.station.journey.question()
        assert question is not None
        press(window, f"answer_{NEWBORN_ANSWERS[question.id]}")
    assert window.current().name == "plan"


def kiosk_with(qtbot: QtBot, core: Core, journey: Journey, devices: Devices) -> KioskWindow:
    """The kiosk's window, portrait and shown, with these devices, both printers' far sides and
    an idle clock nobody moves."""
    from tests.helpers.clock import Clock

    papers = KioskPapers(core)
    papers.a4, papers.tickets = Tray(), Roll()
    window = KioskWindow(
        core,
        journey,
        devices,
        papers=papers,
        idle=IdleWatch(core.settings.kiosk, Clock()),
        tick_ms=50,
    )
    qtbot.addWidget(window)
    window.resize(1080, 1920)
    window.show()
    return window
