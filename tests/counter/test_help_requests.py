"""A kiosk's call for help reaches the counter's status bar through the shared database, and a
click says this clerk goes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.bootstrap import Core
from app.cases.audit import Actor
from app.help import HelpRequest
from app.settings import KioskSettings, TerminalSettings
from counter.ui.station import Station
from counter.ui.status import StatusPanel, help_text
from tests.helpers.cores import Cores


@pytest.fixture
def core(cores: Cores, hall_database_url: str) -> Core:
    """Hall mode: the counter and the kiosk share the hall's PostgreSQL database."""
    return cores(database={"url": hall_database_url})


@pytest.fixture
def kiosk(core: Core, cores: Cores) -> Core:
    """A kiosk in hall mode: the counter's settings and database, its own terminal and name."""
    settings = core.settings.model_copy(
        update={
            "terminal": TerminalSettings(name="kiosk-01"),
            "kiosk": KioskSettings(name="一楼自助机"),
        }
    )
    return cores.of(settings, core.catalog)


def ask(kiosk: Core, step: str) -> HelpRequest:
    settings = kiosk.settings
    return kiosk.help.ask(settings.kiosk.name, settings.terminal.name, step)


@pytest.fixture
def panel(qtbot: QtBot, station: Station) -> Iterator[StatusPanel]:
    panel = StatusPanel(station, every_ms=100)
    qtbot.addWidget(panel)
    panel.show()
    yield panel
    panel.timer.stop()
    panel.lane.wait()


def test_a_kiosks_call_shows_and_a_click_answers_it(
    qtbot: QtBot, station: Station, kiosk: Core, panel: StatusPanel
) -> None:
    qtbot.waitUntil(lambda: panel.last is not None, timeout=5000)
    assert panel.help.isHidden()

    asked = ask(kiosk, "填写申请表")
    qtbot.waitUntil(panel.help.isVisible, timeout=5000)
    assert panel.help.text() == "🙋 自助终端求助：一楼自助机（填写申请表），刚刚求助 — 前往协助"

    qtbot.mouseClick(panel.help, Qt.MouseButton.LeftButton)
    assert panel.help.isHidden()  # at once, not at the next poll
    qtbot.waitUntil(lambda: "前往一楼自助机（填写申请表）协助" in station.bar.text(), timeout=5000)
    assert kiosk.help.waiting() == []
    answered = kiosk.help.answer(asked.id, Actor("张敏", "counter-01"))  # the same clerk
    assert answered.answered_by == "张敏"
    qtbot.waitUntil(lambda: panel.last is not None and panel.last.help == (), timeout=5000)
    assert panel.help.isHidden()


def test_several_calls_and_one_already_taken(
    qtbot: QtBot, station: Station, core: Core, kiosk: Core, panel: StatusPanel
) -> None:
    first = ask(kiosk, "拍摄材料")
    core.help.ask("二楼自助机", "kiosk-02", "选择事项")
    qtbot.waitUntil(lambda: "2 处" in panel.help.text(), timeout=5000)
    assert panel.help.text().startswith("🙋 自助终端求助 2 处：最早 一楼自助机（拍摄材料）")
    assert "二楼自助机（选择事项）" in panel.help.toolTip()

    panel.timer.stop()  # the bar still shows 一楼 when the clerk clicks
    qtbot.waitUntil(lambda: not panel.lane.busy, timeout=5000)
    core.help.answer(first.id, Actor("李强", "counter-02"))  # another counter was quicker
    qtbot.mouseClick(panel.help, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "已由 李强" in station.bar.text(), timeout=5000)
    qtbot.waitUntil(lambda: "2 处" not in panel.help.text(), timeout=5000)
    assert panel.help.text().startswith("🙋 自助终端求助：二楼自助机（选择事项）")


def test_help_text_counts_minutes() -> None:
    asked = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    request = HelpRequest(1, "一楼自助机", "kiosk-01", "填写申请表", asked, None, None)
    assert help_text([request], asked + timedelta(minutes=2, seconds=30)) == (
        "🙋 自助终端求助：一楼自助机（填写申请表），已等 2 分钟 — 前往协助"
    )
