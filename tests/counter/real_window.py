"""The counter in a real X window with no window manager (as a locked-down counter PC runs it),
driven by real key presses from xdotool; run by tests/counter/test_real_window.py inside Xvfb.

Offscreen Qt activates any window that asks and has no screen size worth the name: what a clerk
meets on day one — a window in a corner, keys that do nothing until a click — shows only here.
Prints one JSON object of what was seen; every check is made by the test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop
from PySide6.QtWidgets import QApplication, QLineEdit

from counter.ui.display import use_screen_font
from counter.ui.sign_in import SignInDialog
from tests.counter.apps import CLERK, PASSWORD, counter_with_a_clerk
from tests.helpers.waiting import waited


def pump(until: Callable[[], bool], timeout_s: float = 10.0) -> bool:
    def pumped() -> bool:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        return until()

    return waited(pumped, timeout_s, every_s=0.02)


def keys(*words: str) -> None:
    subprocess.run(["xdotool", "key", "--delay", "30", *words], check=True, timeout=20)


def typed(text: str) -> None:
    """At a person's pace (a scanner's keys come a few milliseconds apart)."""
    subprocess.run(["xdotool", "type", "--delay", "90", text], check=True, timeout=20)


def main(folder: Path) -> dict[str, object]:
    app = QApplication(sys.argv[:1])
    seen: dict[str, object] = {"font_px": use_screen_font(app)}
    counter = counter_with_a_clerk(folder)
    try:
        dialog = SignInDialog(counter.sign_in)
        dialog.open()
        seen["sign_in_active"] = pump(dialog.isActiveWindow)
        typed(CLERK)
        keys("Tab")
        typed(PASSWORD)
        keys("Return")
        seen["signed_in"] = pump(lambda: dialog.operator is not None)
        assert dialog.operator is not None, seen
        window = counter.start(dialog.operator)
        window.present()
        screen = window.screen()
        pump(lambda: window.geometry() == screen.availableGeometry(), 5)
        shown, free = window.geometry(), screen.availableGeometry()
        seen["window"] = [shown.x(), shown.y(), shown.width(), shown.height()]
        seen["screen"] = [free.x(), free.y(), free.width(), free.height()]
        seen["active_after_sign_in"] = pump(window.isActiveWindow)
        focus = QApplication.focusWidget()
        seen["focus_after_sign_in"] = focus.objectName() if focus else ""

        keys("F2")  # the simulated reader has a card: 李芳's
        in_hand = window.station.session.in_hand
        seen["f2_read_card"] = pump(lambda: in_hand.applicant is not None)
        pump(lambda: "李芳" in window.who.text(), 5)
        seen["panel_after_f2"] = window.who.text()

        keys("ctrl+l")
        seen["ctrl_l_locked"] = pump(window.content.isHidden)
        lock = getattr(counter, "lock_dialog", None)
        if lock is not None:
            seen["lock_screen_active"] = pump(lock.isActiveWindow, 5)
            typed(PASSWORD)
            keys("Return")
            seen["unlocked"] = pump(lambda: not window.content.isHidden(), 5)
        seen["active_after_lock"] = pump(window.isActiveWindow)

        window.status.open_outbox()  # any dialog: closed by a key, the window takes it back
        outbox = window.status.dialog
        seen["dialog_active"] = outbox is not None and pump(outbox.isActiveWindow, 5)
        keys("Escape")
        seen["dialog_closed"] = outbox is not None and pump(lambda: not outbox.isVisible(), 5)
        seen["active_after_dialog"] = pump(window.isActiveWindow)

        keys("ctrl+n")
        seen["ctrl_n_next"] = pump(lambda: in_hand.applicant is None)
        pump(lambda: isinstance(QApplication.focusWidget(), QLineEdit), 5)
        typed("430104")
        number = window.identify.number
        seen["digits_in_number_field"] = pump(lambda: number.text() == "430104", 5)
        seen["scanner_complaint"] = window.bar.text() if window.bar.kind == "error" else ""
        window.grab().save(str(folder / "counter-xcb.png"))
        window.close()
    finally:
        counter.close()
    return seen


if __name__ == "__main__":
    assert os.environ.get("QT_QPA_PLATFORM") == "xcb", "run under Xvfb with QT_QPA_PLATFORM=xcb"
    print(json.dumps(main(Path(sys.argv[1])), ensure_ascii=False))
