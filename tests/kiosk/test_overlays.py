"""What the kiosk asks over the screen: 首页 with a pre-application half filled asks before it
throws the work away (退出 and the idle wipe do not ask); the idle countdown's words are whole,
in either orientation and in 长辈模式."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from kiosk.screenshots import LANDSCAPE, PORTRAIT
from kiosk.ui.window import KioskWindow
from tests.helpers.clock import Clock
from tests.kiosk.screens import press, to_plan, type_into


def fill_some(window: KioskWindow) -> None:
    to_plan(window)
    window.go("identify")
    type_into(window, "typed_name", "王小明")
    window.go("form")
    type_into(window, "field_applicant.phone", "13800138000")
    assert window.station.journey.unsent()


def test_home_asks_before_a_half_filled_pre_application_is_thrown_away(window: KioskWindow) -> None:
    fill_some(window)
    press(window, "home")
    assert window.leave_check.isVisible() and window.current().name == "form"
    assert window.station.journey.in_hand.form  # nothing thrown away yet
    press(window, "leave_check_keep")
    assert not window.leave_check.isVisible() and window.current().name == "form"
    assert window.station.journey.in_hand.form.get("applicant.phone") == "13800138000"
    press(window, "home")
    press(window, "leave_check_leave")
    assert window.current().name == "start" and not window.leave_check.isVisible()
    assert (
        window.station.journey.in_hand.form == {}
        and window.station.journey.in_hand.scenario is None
    )


def test_home_with_nothing_typed_and_exit_end_at_once(window: KioskWindow) -> None:
    to_plan(window)
    press(window, "home")
    assert window.current().name == "start" and not window.leave_check.isVisible()
    fill_some(window)
    press(window, "exit")  # 退出 says what it does: the session ends at once
    assert window.current().name == "start" and not window.leave_check.isVisible()


def test_the_idle_wipe_asks_nothing(qtbot: QtBot, window: KioskWindow, clock: Clock) -> None:
    fill_some(window)
    clock.advance(window.idle.limit_s + window.idle.countdown_s + 1)
    qtbot.waitUntil(lambda: window.current().name == "start", timeout=5_000)
    assert not window.leave_check.isVisible() and not window.station.journey.unsent()


def whole(widget: QWidget) -> list[str]:
    """The texts of ``widget`` cut off: a label or button narrower or lower than its words, or
    reaching out of the window."""
    cut = []
    window = widget.window()
    children: list[QLabel | QPushButton] = [
        *widget.findChildren(QLabel),
        *widget.findChildren(QPushButton),
    ]
    for child in children:
        if not child.isVisible() or not child.text():
            continue
        needed = (
            child.heightForWidth(child.width())
            if child.hasHeightForWidth()
            else (child.sizeHint().height())
        )
        inside = window.rect().contains(child.mapTo(window, child.rect().bottomRight()))
        if needed > child.height() or child.minimumSizeHint().width() > child.width() or not inside:
            cut.append(child.text())
    return cut


@pytest.mark.parametrize("size", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
@pytest.mark.parametrize("elderly", [False, True], ids=["normal", "elderly"])
def test_the_countdown_is_whole(
    qtbot: QtBot, window: KioskWindow, clock: Clock, size: tuple[int, int], elderly: bool
) -> None:
    window.resize(*size)
    if elderly:
        window.toggle_elderly()
    to_plan(window)
    clock.advance(window.idle.limit_s + 1)
    qtbot.waitUntil(window.countdown.isVisible, timeout=5_000)
    QApplication.processEvents()
    assert window.countdown.geometry() == window.rect()
    assert whole(window.countdown) == []
    assert "秒" in window.countdown.seconds.text()
