"""Started as a fresh process by the kiosk benchmark: build the kiosk — its core, the window with
every screen and the on-screen keyboard — up to the quiet start screen on show, and print how
long that took from the interpreter's start."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main() -> None:
    started = float(sys.argv[2])
    from kiosk.keyboard import configure_environment

    configure_environment()  # as `onestop kiosk` does: the keyboard is an input method
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.settings import Settings
    from kiosk.main import KioskApp

    app = QApplication(sys.argv[:1])
    kiosk = KioskApp(
        Settings(data_dir=Path(sys.argv[1]), terminal={"name": "kiosk-01", "channel": "kiosk"})
    )
    window = kiosk.start(windowed=True)
    window.resize(1080, 1920)
    window.show()

    def shown() -> None:
        window.repaint()
        assert window.current().name == "start"
        print(f"{(time.time() - started) * 1000:.1f}", flush=True)
        app.quit()

    QTimer.singleShot(0, shown)
    app.exec()
    window.shutdown()
    kiosk.close()


if __name__ == "__main__":
    main()
