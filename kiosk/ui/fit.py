"""The kiosk's window on its screen. A kiosk usually runs on a bare X server, without a window
manager, where Qt's ``showFullScreen()`` changes nothing: the window keeps its own size in a
corner. So the kiosk sizes itself — to its screen's whole geometry, and again whenever that
screen changes size or turns (portrait ↔ landscape) or the window moves to another screen.
``--windowed`` (trying it out on a desk) keeps a portrait kiosk's shape, scaled to fit inside the
desktop's available area (its panels and the window's frame left out)."""

from __future__ import annotations

from PySide6.QtCore import QMargins, QObject, QRect, QSize, QTimer
from PySide6.QtGui import QScreen
from PySide6.QtWidgets import QWidget

KIOSK_SHAPE = QSize(1080, 1920)  # the portrait panel halls buy most


def windowed_rect(available: QRect, frame: QMargins, shape: QSize = KIOSK_SHAPE) -> QRect:
    """The window's inner rectangle: ``shape`` scaled down (never up) to fit ``available`` with
    its ``frame`` around it, centred."""
    room = available.marginsRemoved(frame)
    scale = min(1.0, room.width() / shape.width(), room.height() / shape.height())
    size = QSize(max(1, int(shape.width() * scale)), max(1, int(shape.height() * scale)))
    left = room.left() + (room.width() - size.width()) // 2
    top = room.top() + (room.height() - size.height()) // 2
    return QRect(left, top, size.width(), size.height())


class ScreenFit(QObject):
    """Keeps ``window`` covering its screen (or, ``windowed``, inside the available desktop) as
    the screen changes. Call :meth:`start` once the window exists on screen."""

    def __init__(self, window: QWidget, *, windowed: bool) -> None:
        super().__init__(window)
        self.window = window
        self.windowed = windowed
        self.screen: QScreen | None = None

    def start(self) -> None:
        self.window.winId()  # the native window, and with it the screen it is on
        handle = self.window.windowHandle()
        if handle is not None:
            handle.screenChanged.connect(self._moved)
        self._moved(self.window.screen())
        if self.windowed:  # a window manager tells the frame's size a moment after showing
            QTimer.singleShot(300, self, self.fit)

    def _moved(self, screen: QScreen | None) -> None:
        if self.screen is not None:
            self.screen.geometryChanged.disconnect(self.fit)
            self.screen.availableGeometryChanged.disconnect(self.fit)
        self.screen = screen
        if screen is not None:
            screen.geometryChanged.connect(self.fit)
            screen.availableGeometryChanged.connect(self.fit)
        self.fit()

    def fit(self) -> None:
        screen = self.screen
        if screen is None:
            return
        if not self.windowed:
            self.window.setGeometry(screen.geometry())
            return
        outer, inner = self.window.frameGeometry(), self.window.geometry()
        frame = QMargins(
            inner.left() - outer.left(),
            inner.top() - outer.top(),
            outer.right() - inner.right(),
            outer.bottom() - inner.bottom(),
        )
        self.window.setGeometry(windowed_rect(screen.availableGeometry(), frame))
