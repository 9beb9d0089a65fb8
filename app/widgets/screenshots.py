"""What ``--screenshots`` needs in the counter and the kiosk alike: Qt offscreen when there is no
display, the folder made (or a clear message), and the application."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TYPE_CHECKING

from app.errors import InvalidInput

if TYPE_CHECKING:
    from PySide6.QtGui import QImage
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


def save_picture(image: QImage, path: Path) -> None:
    """A screenshot as a 256-colour PNG: a screen of flat colours and text looks the same, and
    the README's pictures stay small in the repository."""
    from PIL import Image
    from PySide6.QtCore import QBuffer, QIODevice

    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # QIODevice overload (stubs lack it)
    with Image.open(io.BytesIO(bytes(buffer.data().data()))) as picture:
        flat = picture.convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE)
        flat.save(path, optimize=True)
