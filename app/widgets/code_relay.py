"""Codes from a serial QR scanner or a camera's picture, whose callbacks run on their own threads,
brought to the GUI thread as signals: the counter's and the kiosk's window connect them to the same
handler as a keyboard-wedge scan. Stop them before the window goes, so no thread emits into a
deleted object."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from app.devices.codes import QR, Code, FrameDecoder
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


class CameraCodes(QObject):
    """QR codes in a camera's live picture: each frame goes to a decoder on its own thread (the
    newest frame wins, a code held under the camera counts once). ``paused`` while the camera
    takes pages, so a code printed on a material is not taken for a scan."""

    code = Signal(str)

    def __init__(
        self,
        on_frame: Callable[[Callable[..., None]], Callable[[], None]],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.paused = False
        self.running = True
        self.decoder = FrameDecoder(self._code, formats=QR)
        self._stop_listening = on_frame(self._frame)

    def _frame(self, gray: object) -> None:  # the GUI thread: a copy handed over, never waits
        if not self.paused:
            self.decoder.submit(gray)  # type: ignore[arg-type]

    def _code(self, code: Code) -> None:  # the decoder's thread
        if self.running and not self.paused:
            self.code.emit(code.text)

    def stop(self) -> None:
        self.running = False
        self._stop_listening()
        self.decoder.close()
