"""What ``--screenshots`` needs in the counter and the kiosk alike: Qt offscreen when there is no
display, the folder made (or a clear message), and the application."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from app.errors import InvalidInput

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication


def prepare(folder: Path) -> QApplication:
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(f"无法创建文件夹 {folder}：{exc.strerror}。") from None
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    return app
