"""E-licences in use at the real counter (issue 25, 6): choosing the scenario for an applicant
checks every e-licence its materials may be spared by with the (real, reference) platform, off
the GUI thread; the bar says what was verified, and the materials step shows those materials
exempt with the licence's number."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.bootstrap import Core
from app.devices.drivers import Devices
from app.devices.simulated import SimulatedCapture, SimulatedIdReader
from counter.session import Session
from counter.ui.window import MainWindow
from sync.server.app import RunningPlatform
from sync.server.seed import seed
from sync.server.store import PlatformStore
from sync.worker import platform_of
from tests.counter.conftest import CLERK, activate
from tests.counter.test_window_flows import idle, to_form, with_tray
from tests.helpers.cores import Cores


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[tuple[RunningPlatform, str]]:
    store = PlatformStore(tmp_path / "platform", decide_after=timedelta(hours=1))
    seed(store)  # the test persons' shared data and e-licences
    token = store.add_terminal("counter-01", "430100001")
    with RunningPlatform(store, tick_s=0.05) as running:
        yield running, token
    store.close()


@pytest.fixture
def core(cores: Cores, platform: tuple[RunningPlatform, str]) -> Core:
    running, token = platform
    return cores("hall", platform={"url": running.url, "token": token, "timeout_s": 3})


@pytest.fixture
def window(qtbot: QtBot, core: Core) -> Iterator[MainWindow]:
    platform = platform_of(core)
    session = Session(core, CLERK, Devices(SimulatedIdReader(), SimulatedCapture()), platform)
    with_tray(session)
    window = MainWindow(session, status_every_ms=60_000)
    qtbot.addWidget(window)
    activate(qtbot, window)
    yield window
    window.close()
    platform.close()


def test_choosing_the_scenario_checks_the_applicants_licences(
    qtbot: QtBot, window: MainWindow
) -> None:
    to_form(qtbot, window)  # 李芳's card, 新生儿出生一件事, its questions, the form
    idle(qtbot, window)
    checked = window.station.session.in_hand.checked
    assert checked[("43010419920315204X", "居民户口簿")] is not None
    assert ("43010419920315204X", "出生医学证明") in checked  # asked, none in the library
    window.form.next.click()
    idle(qtbot, window)
    case = window.station.session.in_hand.case
    assert case is not None
    register = case.material("household_register")
    assert register.status == "exempt", window.bar.text()
    assert "已核验电子证照：居民户口簿（430104-2019-0031877" in register.exempt_reason
