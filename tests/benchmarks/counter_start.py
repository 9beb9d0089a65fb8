"""Started as a fresh process by the counter benchmark: build the counter up to its sign-in
window and print how long that took, from the interpreter's start to the window on screen."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main() -> None:
    started = float(sys.argv[2])
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.settings import Settings
    from counter.main import CounterApp
    from counter.ui.sign_in import SignInDialog

    app = QApplication(sys.argv[:1])
    counter = CounterApp(Settings(data_dir=Path(sys.argv[1])))
    dialog = SignInDialog(counter.sign_in)
    dialog.show()

    def shown() -> None:
        print(f"{(time.time() - started) * 1000:.1f}", flush=True)
        app.quit()

    QTimer.singleShot(0, shown)
    app.exec()
    counter.close()


if __name__ == "__main__":
    main()
