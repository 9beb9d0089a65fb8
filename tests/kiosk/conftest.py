"""A kiosk's core on a fresh SQLite database with the built-in catalog, and its journey."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from app.bootstrap import Core
from app.devices.drivers import Devices
from app.devices.simulated import SimulatedCapture, SimulatedIdReader
from kiosk.idle import IdleWatch
from kiosk.journey import Journey
from kiosk.papers import KioskPapers
from kiosk.ui.window import KioskWindow
from tests.helpers.clock import Clock
from tests.helpers.cores import Cores
from tests.kiosk.screens import Roll, Tray, journey_for


@pytest.fixture
def core(cores: Cores) -> Core:
    return cores("kiosk", terminal={"name": "kiosk-01", "channel": "kiosk"})


@pytest.fixture
def journey(core: Core) -> Journey:
    return journey_for(core)


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
def window(
    qtbot: QtBot, core: Core, journey: Journey, tray: Tray, roll: Roll, clock: Clock
) -> Iterator[KioskWindow]:
    """The kiosk's window, portrait, with simulated devices, both printers' far sides and an
    idle clock the test moves on."""
    papers = KioskPapers(core)
    papers.a4, papers.tickets = tray, roll
    window = KioskWindow(
        core,
        journey,
        Devices(SimulatedIdReader(), SimulatedCapture()),
        papers=papers,
        idle=IdleWatch(core.settings.kiosk, clock),
        tick_ms=50,
    )
    qtbot.addWidget(window)
    window.resize(1080, 1920)
    window.show()
    yield window
    window.close()
