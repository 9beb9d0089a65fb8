"""A QR scanner in serial mode (USB-CDC) on the counter, on a pseudo-terminal: a code scanned on
it does what a keyboard-wedge scan does (an ID number goes to step 1), unplugging it says so in
the message line, and plugging it in again works without a restart."""

from __future__ import annotations

import os
import tty
from pathlib import Path

from pytestqt.qtbot import QtBot

from app.bootstrap import Core
from app.devices.drivers import Devices
from app.devices.serial_scanner import SerialCodeScanner
from app.devices.simulated import TEST_PERSONS
from counter.session import Session
from counter.ui.window import MainWindow
from tests.counter.conftest import CLERK, activate


class Line:
    """A scanner's end of a serial line, behind a stable name (as /dev/serial/by-id gives)."""

    def __init__(self, link: Path) -> None:
        self.link = link
        self.plug()

    def plug(self) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        self.link.unlink(missing_ok=True)
        self.link.symlink_to(os.ttyname(self.slave))

    def unplug(self) -> None:
        os.close(self.master)
        os.close(self.slave)


def test_a_serial_scanner_scans_into_the_counter_and_survives_a_replug(
    qtbot: QtBot, core: Core, tmp_path: Path
) -> None:
    line = Line(tmp_path / "usb-scanner")
    scanner = SerialCodeScanner(str(line.link), on_code=lambda _code: None, retry_s=0.1)
    session = Session(core, CLERK, Devices(code_scanner=scanner), None)
    window = MainWindow(session, status_every_ms=200)
    qtbot.addWidget(window)
    activate(qtbot, window)
    try:
        qtbot.waitUntil(lambda: scanner.ok is True, timeout=5_000)
        number = TEST_PERSONS[1].id_number
        os.write(line.master, number.encode() + b"\r\n")
        qtbot.waitUntil(lambda: window.identify.number.text() == number, timeout=5_000)
        line.unplug()
        qtbot.waitUntil(
            lambda: window.bar.kind == "error" and "扫码枪" in window.bar.text(), timeout=5_000
        )
        assert "断开了" in window.bar.text() and "手工输入" in window.bar.text()
        line.plug()
        qtbot.waitUntil(lambda: "扫码枪已连接" in window.bar.text(), timeout=5_000)
        window.identify.number.clear()
        os.write(line.master, TEST_PERSONS[2].id_number.encode() + b"\n")
        qtbot.waitUntil(
            lambda: window.identify.number.text() == TEST_PERSONS[2].id_number, timeout=5_000
        )
    finally:
        window.close()
        line.unplug()
    assert not scanner._thread or not scanner._thread.is_alive()
