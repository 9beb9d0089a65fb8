"""A kiosk's core on a fresh SQLite database with the built-in catalog, and its journey."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.bootstrap import Core, build_core
from app.cases.audit import Actor
from app.cases.flow import CaseFlow
from app.devices.drivers import Devices
from app.devices.simulated import SimulatedCapture, SimulatedIdReader
from app.settings import Settings
from kiosk.idle import IdleWatch
from kiosk.journey import Journey
from kiosk.papers import KioskPapers
from kiosk.ui.window import KioskWindow
from printing import qr
from tests.kiosk.screens import Clock, Roll, Tray


@pytest.fixture
def core(tmp_path: Path) -> Iterator[Core]:
    settings = Settings(data_dir=tmp_path / "kiosk", terminal={"name": "kiosk-01",
                                                                "channel": "kiosk"})  # fmt: skip
    core = build_core(settings)
    yield core
    core.close()


@pytest.fixture
def journey(core: Core) -> Journey:
    key = core.settings.printing.key

    def check(text: str) -> tuple[str, str]:
        checked = qr.verify(text, key)
        return checked.receipt_no, checked.reason

    flow = CaseFlow(core.cases, core.catalog, Actor("自助终端", "kiosk-01"),
                    hall_province=core.settings.hall.province, check_qr=check,
                    channel="kiosk")  # fmt: skip
    return Journey(flow, hall_phone="0731-88665266", hall_place="市民之家一楼综合窗口")


@pytest.fixture
def tray() -> Tray:
    return Tray()


@pytest.fixture
def roll() -> Roll:
    return Roll()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def window(qtbot: QtBot, core: Core, journey: Journey, tray: Tray, roll: Roll,
           clock: Clock) -> Iterator[KioskWindow]:  # fmt: skip
    """The kiosk's window, portrait, with simulated devices, both printers' far sides and an
    idle clock the test moves on."""
    papers = KioskPapers(core)
    papers.a4, papers.tickets = tray, roll
    window = KioskWindow(core, journey, Devices(SimulatedIdReader(), SimulatedCapture()),
                         papers=papers, idle=IdleWatch(core.settings.kiosk, clock),
                         tick_ms=50)  # fmt: skip
    qtbot.addWidget(window)
    window.resize(1080, 1920)
    window.show()
    yield window
    window.close()
