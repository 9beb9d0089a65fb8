"""培训模式 at the kiosk: every screen says so in its top band, and what it takes is numbered
apart (PX…) in the terminal's practice database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.bootstrap import Core
from app.cases.audit import Actor
from app.cases.demo import NEWBORN, NEWBORN_ANSWERS
from app.devices.drivers import Devices
from app.devices.simulated import SimulatedCapture, SimulatedIdReader
from kiosk.ui.window import KioskWindow
from tests.helpers.cases import MOTHER
from tests.helpers.cores import Cores
from tests.kiosk.screens import journey_for, kiosk_with


@pytest.fixture
def core(cores: Cores) -> Core:
    return cores(
        "kiosk-training", terminal={"name": "kiosk-01", "channel": "kiosk", "training": True}
    )


@pytest.fixture
def window(qtbot: QtBot, core: Core) -> Iterator[KioskWindow]:
    window = kiosk_with(
        qtbot, core, journey_for(core), Devices(SimulatedIdReader(), SimulatedCapture())
    )
    yield window
    window.close()


def test_every_screen_says_training_and_numbers_are_apart(window: KioskWindow, core: Core) -> None:
    mark = window.findChild(QLabel, "training_mark")
    assert mark is not None and mark.isVisible() and "培训" in mark.text()
    case = core.cases.open_case(
        Actor("一楼自助机", "kiosk-01"),
        channel="kiosk",
        scenario=NEWBORN,
        applicant=MOTHER,
        answers=NEWBORN_ANSWERS,
    )
    assert case.receipt_no.startswith("PX430100001-")
    assert core.settings.database_url.endswith("/training/onestop.sqlite3")
