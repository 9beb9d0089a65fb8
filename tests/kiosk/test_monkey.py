"""A monkey at the kiosk: thousands of random touches on whatever is visible and enabled —
buttons, check boxes, fields (with random text) — seeded, and bounded in touches and in time.
The kiosk never crashes (an exception in any slot fails the test), every screen keeps a way
home, and 首页 always brings the quiet start screen back (after its question when a
pre-application is under way)."""

from __future__ import annotations

import random
import time

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from kiosk.ui.window import KioskWindow
from tests.kiosk.screens import Roll, idle

# The default run touches a thousand times (half a minute at most); the slow run (``-m slow``,
# ``make test-slow``) three thousand, for a minute and a half at most.
SIZES = [
    pytest.param(1000, 30.0, id="1000-touches"),
    pytest.param(3000, 90.0, id="3000-touches", marks=pytest.mark.slow),
]
LEAVING = {
    "home",
    "exit",
    "restart",
    "countdown_leave",
    "leave_check_leave",
    "ticket_done",
    "help",
}  # rarely touched
TEXTS = (
    "",
    "李芳",
    "43010419920315204X",
    "123",
    "13800138000",
    "2026-01-31",
    "xse",
    "X" * 60,
    "<b>粗</b>",
    "'; drop table cases;--",
    "\u202e反转",
    "20261301",
)


def touchable(window: KioskWindow) -> list[QWidget]:
    found: list[QWidget] = []
    for widget in window.findChildren(QWidget):
        if not (widget.isVisible() and widget.isEnabled()):
            continue
        if isinstance(widget, QAbstractButton | QLineEdit):
            found.append(widget)
    return found


def touch(widget: QWidget, rng: random.Random) -> None:
    if isinstance(widget, QLineEdit):
        widget.setFocus()
        widget.setText(rng.choice(TEXTS))
        widget.editingFinished.emit()
        return
    QTest.mouseClick(
        widget,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        QPoint(widget.width() // 2, widget.height() // 2),
    )


@pytest.mark.parametrize(("touches", "time_limit_s"), SIZES)
def test_random_touches_never_crash_and_home_always_works(
    qtbot: QtBot, window: KioskWindow, roll: Roll, touches: int, time_limit_s: float
) -> None:
    rng = random.Random(20261123)
    started = time.monotonic()
    screens: set[str] = set()
    for count in range(touches):
        if time.monotonic() - started > time_limit_s:
            break
        QApplication.processEvents()
        screens.add(window.current().name)
        if count % 97 == 0:
            roll.out = not roll.out  # the printer runs out of paper and is refilled
        home = window.home
        assert home.isVisible() and home.isEnabled(), window.current().name  # a way back
        widgets = touchable(window)
        if not widgets:
            continue
        # Mostly forward, as people do; sometimes home, back or 退出 (each ends a session).
        weights = [
            1 if w.objectName() in LEAVING else 10 if w.property("kind") == "primary" else 4
            for w in widgets
        ]
        touch(rng.choices(widgets, weights)[0], rng)
        if count % 25 == 0:
            idle(qtbot, window)
    idle(qtbot, window)
    window.home.click()
    QApplication.processEvents()
    if window.leave_check.isVisible():  # a pre-application under way: 首页 asks first
        window.leave_check.leave_button.click()
    assert window.current().name == "start"
    assert window.station.journey.in_hand.applicant is None
    assert len(screens) >= 6, screens  # it went deep, not only round the start screen
