"""Codes from a serial QR scanner (or a camera's frame decoder), whose callbacks run on their own
threads, brought to the GUI thread as signals: the counter's and the kiosk's window connect them to
the same handler as a keyboard-wedge scan. Stop it before the window goes, so no thread emits into
a deleted object."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.devices.codes import Code
from app.devices.serial_scanner import SerialCodeScanner


class CodeRelay(QObject):
    code = Signal(str)  # the text of a scanned code
    state = Signal(bool, str)  # the scanner connected (True) or lost, with what to do

    def __init__(self, scanner: SerialCodeScanner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.scanner = scanner
        self.running = False
        scanner.listen(self._code, self._state)

    def _code(self, code: Code) -> None:  # the scanner's thread
        if self.running:
            self.code.emit(code.text)

    def _state(self, ok: bool, message: str) -> None:  # the scanner's thread
        if self.running:
            self.state.emit(ok, message)

    def start(self) -> None:
        self.running = True
        self.scanner.start()

    def stop(self) -> None:
        self.running = False
        self.scanner.stop()
