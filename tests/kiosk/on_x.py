"""Run by tests/kiosk/test_on_screen.py in a child process on a real X server (Xvfb, no window
manager): the kiosk started as ``onestop kiosk`` starts it, and a report of where its window
ended up, as JSON on stdout.

    python -m tests.kiosk.on_x DATA_DIR [--windowed] [--focus-field]
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from kiosk.keyboard import configure_environment


def main(argv: list[str]) -> int:
    configure_environment()
    from PySide6.QtCore import QRect, QTimer
    from PySide6.QtWidgets import QAbstractButton, QApplication

    from app.settings import Settings
    from kiosk.main import KioskApp, show
    from kiosk.ui.theme import CALM
    from tests.helpers.keys import set_up

    windowed = "--windowed" in argv
    app = QApplication(sys.argv[:1])
    settings = Settings(data_dir=Path(argv[1]), terminal={"name": "kiosk-01", "channel": "kiosk"})
    set_up(settings.key_file)  # a fresh HOME: set up as a hall's kiosk is
    kiosk = KioskApp(settings)
    window = kiosk.start(windowed=windowed)
    show(window, windowed=windowed)
    screen = window.screen()
    started = time.monotonic()
    report: dict[str, object] = {}

    def rect(r: QRect) -> list[int]:
        return [r.x(), r.y(), r.width(), r.height()]

    def settled() -> bool:
        if not window.isVisible() or window.windowHandle() is None:
            return False
        if windowed:
            return screen.availableGeometry().contains(window.frameGeometry())
        return window.geometry() == screen.geometry()

    def look() -> None:
        if not settled() and time.monotonic() - started < 10:
            QTimer.singleShot(50, look)
            return
        for _ in range(3):
            app.processEvents()
        whole = screen.grabWindow(0).toImage()  # the X server's own picture of the screen
        corners = [
            whole.pixelColor(x, y).name()
            for x, y in (
                (2, 2),
                (whole.width() - 3, 2),
                (2, whole.height() - 3),
                (whole.width() - 3, whole.height() - 3),
            )
        ]
        buttons = {}
        for push in window.findChildren(QAbstractButton):
            if push.isVisible():
                top_left = push.mapToGlobal(push.rect().topLeft())
                buttons[push.objectName()] = [
                    top_left.x(),
                    top_left.y(),
                    push.width(),
                    push.height(),
                ]
        report.update(
            platform=app.platformName(),
            screen=rect(screen.geometry()),
            available=rect(screen.availableGeometry()),
            window=rect(window.geometry()),
            frame=rect(window.frameGeometry()),
            corners=corners,
            background=CALM,
            buttons=buttons,
        )
        app.exit(0)  # quit() would ask the locked-down window to close, and it says no

    QTimer.singleShot(0, look)
    app.exec()
    window.shutdown()
    kiosk.close()
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
