"""A QR code or barcode scanner in serial mode (USB-CDC, or RS-232 at 9600 8N1 by default): each
code arrives as a line of bytes, ended by CR, LF or CR LF.

A reader thread (pyserial) splits the lines (:class:`LineSplitter`), reads them as UTF-8, or as
GB18030 for older Chinese payloads, and hands each code to ``on_code``. When the scanner is
unplugged the read fails: ``on_state(False, …)`` says so in Chinese and the thread tries the port
again every ``retry_s`` until the scanner is back (``on_state(True, …)``) — no restart. Give it a
stable path such as ``/dev/serial/by-id/…`` (udev's link follows the scanner to whatever ttyACM
number it gets when plugged in again).

Both callbacks run on the reader thread: a Qt caller re-emits them as signals.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from collections.abc import Callable
from typing import Any

from app.devices.codes import Code
from app.devices.protocols import DeviceError

log = logging.getLogger(__name__)

LIMIT = 4096  # a line longer than any code: noise on the line or a wrong baud rate
OpenPort = Callable[..., Any]  # serial.Serial's signature: (port, baudrate=…, timeout=…)
READ_S = 0.1  # one read waits at most this long, so a stop is seen soon


def _open_serial(port: str, **options: Any) -> Any:
    import serial  # pyserial, imported when a serial scanner is configured

    return serial.Serial(port, **options)


class LineSplitter:
    """Bytes as they come, in any pieces, to complete lines. Any byte of ``ends`` ends a line,
    so CR, LF and CR LF all work (even split between two reads) and empty lines vanish. A line
    longer than ``limit`` is dropped whole, however it arrived; a line never ended is held."""

    def __init__(self, ends: bytes = b"\r\n", limit: int = LIMIT) -> None:
        self.limit = limit
        self._split = re.compile(b"[" + re.escape(ends) + b"]")
        self._held = bytearray()
        self._overlong = False  # in a line already too long: drop up to its end
        self.dropped = 0  # overlong lines dropped

    def feed(self, chunk: bytes) -> list[bytes]:
        *ended, rest = self._split.split(chunk)
        lines = []
        for piece in ended:
            if not self._overlong:
                if len(self._held) + len(piece) > self.limit:
                    self._drop()
                elif self._held or piece:
                    lines.append(bytes(self._held + piece))
            self._held.clear()
            self._overlong = False
        if not self._overlong:
            if len(self._held) + len(rest) > self.limit:
                self._drop()
                self._overlong = True
                self._held.clear()
            else:
                self._held += rest
        return lines

    def _drop(self) -> None:
        self.dropped += 1
        log.warning(
            "a scanner line longer than %d bytes was dropped: noise on the line, or "
            "a wrong baud rate",
            self.limit,
        )


def text_of_line(line: bytes) -> str:
    """A scanned line as text: UTF-8, else GB18030 (what older Chinese systems encode)."""
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("gb18030", errors="replace")


class SerialCodeScanner:
    name = "扫码枪（串口）"

    def __init__(
        self,
        port: str,
        *,
        on_code: Callable[[Code], None],
        on_state: Callable[[bool, str], None] = lambda ok, message: None,
        baudrate: int = 9600,
        retry_s: float = 2.0,
        prefix: str = "",
        suffix: str = "",
        ends: bytes = b"\r\n",
        open_port: OpenPort = _open_serial,
    ) -> None:
        self.port = port
        self.baudrate = baudrate
        self.retry_s = retry_s
        self.prefix = prefix  # what the scanner is set to send before and after each code
        self.suffix = suffix
        self.ends = ends
        self._on_code = on_code
        self._on_state = on_state
        self._open_port = open_port
        self._stop = threading.Event()
        self._line: Any = None
        self._thread: threading.Thread | None = None
        self.ok: bool | None = None  # None until the first open is tried
        self.message = ""  # the last state's words

    def listen(
        self, on_code: Callable[[Code], None], on_state: Callable[[bool, str], None] | None = None
    ) -> None:
        """Who gets the codes and the state changes (set before :meth:`start`; the screens do
        it when they come up, the composition root only names the port)."""
        self._on_code = on_code
        if on_state is not None:
            self._on_state = on_state

    def check(self) -> str:
        """Empty when the port is open (or opens now); else what is wrong and what to do."""
        if self._thread is not None and self._thread.is_alive():
            return "" if self.ok is not False else self.message  # the reader thread knows
        try:
            self._open_port(self.port, baudrate=self.baudrate, timeout=READ_S).close()
        except (OSError, ValueError):
            self.message = (
                f"打不开扫码枪的串口 {self.port}：请检查扫码枪是否插好、设置中的"
                "端口是否正确；现在可以手工输入编号。"
            )
            return self.message
        return ""

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="serial-code-scanner", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 2.0) -> None:
        """End the reader thread and close the port; returns within ``timeout_s``."""
        self._stop.set()
        line = self._line
        if line is not None:
            with contextlib.suppress(AttributeError, OSError):
                line.cancel_read()  # wakes a read that is waiting
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout_s)

    def _run(self) -> None:
        while not self._stop.is_set():
            line = self._open()
            if line is None:
                self._stop.wait(self.retry_s)
                continue
            self._line = line
            try:
                self._read(line)
            except OSError as exc:  # SerialException is an OSError; unplugged, mostly
                if not self._stop.is_set():
                    log.warning("scanner port %s failed: %s", self.port, exc)
                    self._state(
                        False,
                        f"扫码枪（串口 {self.port}）断开了：请检查扫码枪的连线并"
                        "重新插好，插好后会自动连上；现在可以手工输入编号。",
                    )
            finally:
                self._line = None
                with contextlib.suppress(OSError):
                    line.close()
            self._stop.wait(self.retry_s)

    def _open(self) -> Any:
        try:
            line = self._open_port(self.port, baudrate=self.baudrate, timeout=READ_S)
        except (OSError, ValueError) as exc:
            if self.ok is not False:
                log.warning("scanner port %s cannot be opened: %s", self.port, exc)
            self._state(
                False,
                f"打不开扫码枪的串口 {self.port}：请检查扫码枪是否插好、设置中的"
                "端口是否正确；插好后会自动连上，现在可以手工输入编号。",
            )
            return None
        self._state(True, f"扫码枪已连接（{self.port}）。")
        return line

    def _read(self, line: Any) -> None:
        splitter = LineSplitter(self.ends)
        while not self._stop.is_set():
            chunk = line.read(max(1, line.in_waiting))
            for raw in splitter.feed(chunk):
                self._code(text_of_line(raw))

    def _code(self, text: str) -> None:
        text = text.removeprefix(self.prefix).removesuffix(self.suffix) if text else text
        if not text:
            return
        try:
            self._on_code(Code(text))
        except Exception:  # the receiver's fault must not stop the scanner
            log.exception("on_code failed for a scanned code")

    def _state(self, ok: bool, message: str) -> None:
        """Tell the state when it changes (not at every retry)."""
        if ok is self.ok:
            return
        self.ok = ok
        self.message = message
        try:
            self._on_state(ok, message)
        except Exception:
            log.exception("on_state failed")


def first_code(port: str, baudrate: int = 9600, timeout_s: float = 10.0) -> str | None:
    """The first code scanned within ``timeout_s`` (``onestop devices test code-scanner``)."""
    got: list[str] = []
    arrived = threading.Event()

    def keep(code: Code) -> None:
        got.append(code.text)
        arrived.set()

    scanner = SerialCodeScanner(port, on_code=keep, baudrate=baudrate)
    if scanner.check():
        raise DeviceError(scanner.message, fallback="可以手工输入编号。")
    scanner.start()
    try:
        arrived.wait(timeout_s)
    finally:
        scanner.stop()
    return got[0] if got else None
