"""A keyboard-wedge barcode scanner in a Qt application: its bursts become ``scanned`` signals and
never land in whatever field has the focus; a person's keys are passed on, a moment late.

Installed on the application, it looks at every key press (:class:`app.devices.wedge.WedgeDetector`
decides by timing), holds the keys of a possible scan, and replays them into the focused widget
when they turn out to be typing.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit

from app.devices.wedge import WedgeDetector

ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
PLAIN = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier


class ScannerFilter(QObject):
    scanned = Signal(str)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        quiet_ms: int = 60,
        detector: WedgeDetector | None = None,
    ) -> None:
        super().__init__(parent)
        self.detector = detector or WedgeDetector()
        self._quiet = QTimer(self)
        self._quiet.setSingleShot(True)
        self._quiet.setInterval(quiet_ms)
        self._quiet.timeout.connect(lambda: self._replay(self.detector.flush()))
        self._replaying = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if self._replaying or event.type() != QEvent.Type.KeyPress or _secret_in_focus():
            return False
        key = event if isinstance(event, QKeyEvent) else None
        if key is None or key.modifiers() & ~PLAIN:
            return False  # shortcuts (Ctrl+…) are never a scan
        # Taken at its first stop (the window, or the widget itself): it goes no further.
        text = "\n" if key.key() in ENTER else key.text()
        if not text or (text != "\n" and not text.isprintable()):
            return False
        fed = self.detector.feed(text, time.monotonic())
        self._quiet.start()
        if fed.scan is not None:
            self.scanned.emit(fed.scan)
        elif fed.typed:
            self._replay(fed.typed)
        return True

    def _replay(self, text: str) -> None:
        target = QApplication.focusWidget()
        if not text or target is None:
            return
        self._replaying = True
        try:
            for char in text:
                code = Qt.Key.Key_Return if char == "\n" else Qt.Key.Key_unknown
                for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                    QApplication.sendEvent(
                        target, QKeyEvent(kind, code, Qt.KeyboardModifier.NoModifier, char)
                    )
        finally:
            self._replaying = False


def _secret_in_focus() -> bool:
    """A password is typed, never scanned: its keys go straight to the field (and no scan is
    taken while the lock screen asks for one)."""
    focused = QApplication.focusWidget()
    return isinstance(focused, QLineEdit) and focused.echoMode() != QLineEdit.EchoMode.Normal
