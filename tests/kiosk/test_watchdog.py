"""The kiosk's keep-alive: the notify protocol on a real datagram socket, the heartbeat from a real
Qt loop, the hang guard, crash logging, and the unit file agreeing with the exit codes."""

from __future__ import annotations

import configparser
import faulthandler
import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

import pytest
from pytestqt.qtbot import QtBot

from kiosk.watchdog import (
    CRASH_LOG_NAME,
    EXIT_CRASH,
    EXIT_HANG,
    EXIT_STAFF,
    HangGuard,
    Heartbeat,
    install_crash_logging,
    sd_notify,
    watchdog_interval,
)
from tests.helpers.clock import Clock

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "systemd" / "onestop-kiosk.service"
DOC = ROOT / "docs" / "kiosk-deployment.md"


class Listener:
    """systemd's end of $NOTIFY_SOCKET: a bound datagram socket that is read without blocking."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def messages(self) -> list[str]:
        found: list[str] = []
        while True:
            try:
                found.append(self.sock.recv(4096).decode("utf-8"))
            except BlockingIOError:
                return found


def _listen(address: str | bytes) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(address)
    sock.setblocking(False)
    return sock


@pytest.fixture
def listener(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Listener]:
    path = tmp_path_factory.mktemp("sd") / "notify"  # short: a socket path has 107 bytes at most
    with _listen(str(path)) as sock:
        monkeypatch.setenv("NOTIFY_SOCKET", str(path))
        yield Listener(sock)


@pytest.fixture
def no_systemd(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"):
        monkeypatch.delenv(name, raising=False)


# -- sd_notify ------------------------------------------------------------------------------------


def test_sd_notify_sends_one_datagram_to_the_socket(listener: Listener) -> None:
    assert sd_notify("READY=1\nSTATUS=自助终端运行中")
    assert listener.messages() == ["READY=1\nSTATUS=自助终端运行中"]


def test_sd_notify_reaches_an_abstract_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    name = f"onestop-test-{uuid.uuid4().hex}"
    with _listen(b"\0" + name.encode()) as sock:
        monkeypatch.setenv("NOTIFY_SOCKET", f"@{name}")
        assert sd_notify("WATCHDOG=1")
        assert Listener(sock).messages() == ["WATCHDOG=1"]


@pytest.mark.usefixtures("no_systemd")
def test_sd_notify_does_nothing_outside_systemd() -> None:
    assert not sd_notify("READY=1")


@pytest.mark.parametrize("address", ["vsock:2:1234", "relative/path", "/nonexistent/notify"])
def test_sd_notify_never_raises(monkeypatch: pytest.MonkeyPatch, address: str) -> None:
    monkeypatch.setenv("NOTIFY_SOCKET", address)
    assert not sd_notify("WATCHDOG=1")


# -- watchdog_interval ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("usec", "pid", "expected"),
    [
        (None, None, None),
        ("10000000", None, 10.0),
        ("200000", "self", 0.2),
        ("10000000", "1", None),  # the watchdog is meant for another process
        ("10000000", "x", None),
        ("0", None, None),
        ("", None, None),
        ("-5", None, None),
        ("1e6", None, None),
        (str(2**64 - 1), None, None),  # USEC_INFINITY
    ],
)
def test_watchdog_interval(
    monkeypatch: pytest.MonkeyPatch, usec: str | None, pid: str | None, expected: float | None
) -> None:
    for name, value in (("WATCHDOG_USEC", usec), ("WATCHDOG_PID", pid)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, str(os.getpid()) if value == "self" else value)
    assert watchdog_interval() == expected


# -- Heartbeat ------------------------------------------------------------------------------------


def test_heartbeat_pings_only_while_the_gui_loop_turns(
    qtbot: QtBot, listener: Listener, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WATCHDOG_USEC", "200000")  # a ping every 100 ms
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    heartbeat = Heartbeat()
    heartbeat.start()
    received: list[str] = []

    def pinged(times: int) -> None:
        received.extend(listener.messages())
        assert received.count("WATCHDOG=1") >= times

    qtbot.waitUntil(lambda: pinged(3), timeout=5000)
    assert received[0] == "READY=1\nSTATUS=kiosk running"
    assert set(received[1:]) == {"WATCHDOG=1"}

    # A frozen GUI thread sends nothing: the timer only fires from the event loop.
    listener.messages()
    time.sleep(0.35)
    assert listener.messages() == []
    received.clear()
    qtbot.waitUntil(lambda: pinged(1), timeout=5000)

    heartbeat.stop("staff exit")
    assert listener.messages()[-1] == "STOPPING=1\nSTATUS=staff exit"
    qtbot.wait(250)
    assert listener.messages() == []


@pytest.mark.usefixtures("no_systemd")
def test_heartbeat_outside_systemd_sends_nothing_but_still_ticks(qtbot: QtBot) -> None:
    sent: list[str] = []

    def notify(message: str) -> bool:
        sent.append(message)
        return sd_notify(message)

    heartbeat = Heartbeat(notify=notify, idle_tick_s=0.02)
    heartbeat.start()
    first = heartbeat.last_tick()
    qtbot.waitUntil(lambda: heartbeat.last_tick() > first, timeout=5000)
    heartbeat.stop()
    assert sent == ["READY=1\nSTATUS=kiosk running", "STOPPING=1"]  # no WATCHDOG=1 without one


# -- HangGuard ------------------------------------------------------------------------------------


def test_hang_guard_exits_with_the_gui_threads_stack(caplog: pytest.LogCaptureFixture) -> None:
    clock, codes = Clock(100.0), list[int]()
    guard = HangGuard(lambda: 50.0, hang_s=30, clock=clock, exit_process=codes.append)
    assert guard.check()
    assert codes == [EXIT_HANG]
    assert "GUI thread hung for 50 s" in caplog.text
    assert "test_hang_guard_exits_with_the_gui_threads_stack" in caplog.text  # this test's frame


def test_hang_guard_lets_a_ticking_loop_be() -> None:
    clock, codes = Clock(100.0), list[int]()
    last = Clock(71.0)
    guard = HangGuard(last, hang_s=30, clock=clock, exit_process=codes.append)
    for _ in range(100):
        assert not guard.check()
        clock.now += 5
        last.now += 5
    assert codes == []


def test_hang_guard_thread_catches_a_frozen_gui_loop(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    heartbeat = Heartbeat(notify=lambda message: False, idle_tick_s=0.02)
    heartbeat.start()
    fired, codes = threading.Event(), list[int]()

    def exit_process(code: int) -> None:
        codes.append(code)
        fired.set()

    guard = HangGuard(heartbeat.last_tick, hang_s=0.3, check_s=0.02, exit_process=exit_process)
    guard.start()
    try:
        assert fired.wait(timeout=5)  # the GUI thread blocks here: its loop does not turn
    finally:
        guard.stop()
        heartbeat.stop()
    assert codes == [EXIT_HANG]
    assert "GUI thread hung for" in caplog.text
    assert "fired.wait(timeout=5)" in caplog.text


def test_hang_guard_backstop_ends_a_gui_thread_that_holds_the_gil(tmp_path: Path) -> None:
    """A regular expression that backtracks forever never lets go of the GIL, so the guard's
    thread cannot run; faulthandler's timer, a C thread, dumps the stacks and exits with 1."""
    script = (
        "import re, sys, time\n"
        "from kiosk.watchdog import HangGuard\n"
        "with open(sys.argv[1], 'w') as dump:\n"
        "    start = time.monotonic()\n"
        "    HangGuard(lambda: start, hang_s=0.4, check_s=0.05, dump_file=dump).start()\n"
        "    re.match(r'(a+)+$', 'a' * 64 + 'b')\n"
    )
    dump = tmp_path / "dump.txt"
    result = subprocess.run(
        [sys.executable, "-c", script, str(dump)],
        cwd=ROOT,
        timeout=10,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    text = dump.read_text()
    assert text.startswith("Timeout (")
    assert "in match" in text


# -- crash logging --------------------------------------------------------------------------------


def _hooks() -> tuple[object, object]:
    return sys.excepthook, threading.excepthook


def _printer_fell_over() -> None:
    raise RuntimeError("printer fell over")


def test_an_exception_in_a_thread_is_logged_and_ends_the_kiosk(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    before, codes = _hooks(), list[int]()
    crash_log = tmp_path / "log" / CRASH_LOG_NAME
    crash = install_crash_logging(crash_log, exit_process=codes.append)
    try:
        assert faulthandler.is_enabled()
        worker = threading.Thread(target=_printer_fell_over, name="printer-worker")
        worker.start()
        worker.join(timeout=5)
    finally:
        crash.restore()
    assert _hooks() == before
    assert codes == [EXIT_CRASH]
    assert "unexpected RuntimeError in thread printer-worker" in caplog.text
    assert "RuntimeError: printer fell over" in caplog.text
    text = crash_log.read_text(encoding="utf-8")
    assert re.match(r"--- \S+ kiosk started, pid \d+\n", text)
    assert "RuntimeError: printer fell over" in text


def test_an_exception_on_the_gui_thread_is_logged_and_ends_the_kiosk(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    before, codes = _hooks(), list[int]()
    crash = install_crash_logging(tmp_path / CRASH_LOG_NAME, exit_process=codes.append)
    try:
        try:
            _printer_fell_over()
        except RuntimeError as exc:
            trace: TracebackType | None = exc.__traceback__
            sys.excepthook(RuntimeError, exc, trace)  # what PySide6 does for a slot that raised
    finally:
        crash.restore()
    assert _hooks() == before
    assert codes == [EXIT_CRASH]
    assert "in _printer_fell_over" in caplog.text


def test_a_native_crash_leaves_its_stack_in_the_crash_log(tmp_path: Path) -> None:
    crash_log = tmp_path / CRASH_LOG_NAME
    script = (
        "import faulthandler, pathlib, sys\n"
        "from kiosk.watchdog import install_crash_logging\n"
        "install_crash_logging(pathlib.Path(sys.argv[1]))\n"
        "faulthandler._sigsegv()\n"
    )
    result = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", script, str(crash_log)],
        cwd=ROOT,
        timeout=10,
        capture_output=True,
        check=False,
    )
    assert result.returncode < 0  # killed by the signal, as systemd sees it
    text = crash_log.read_text(encoding="utf-8")
    assert "Fatal Python error: Segmentation fault" in text
    assert 'File "<string>", line 4' in text


# -- the systemd unit and its documentation --------------------------------------------------------


def _unit() -> configparser.ConfigParser:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys keep their case
    unit.read(UNIT, encoding="utf-8")
    return unit


def test_the_unit_restarts_a_crash_or_a_hang_but_not_a_staff_exit() -> None:
    unit = _unit()
    service = unit["Service"]
    assert service["Type"] == "notify"
    assert service["NotifyAccess"] == "main"
    assert service["ExecStart"] == "/opt/onestop/.venv/bin/onestop kiosk"
    assert service["Restart"] == "on-failure"
    assert service["RestartSec"] == "2"
    assert service["RestartPreventExitStatus"] == str(EXIT_STAFF)
    assert service["SuccessExitStatus"] == str(EXIT_STAFF)
    assert 5 <= int(service["WatchdogSec"]) < 30  # under HangGuard's default, which is the fallback
    assert int(unit["Unit"]["StartLimitBurst"]) >= 3
    assert int(unit["Unit"]["StartLimitIntervalSec"]) > 0
    assert unit["Install"]["WantedBy"] == "graphical-session.target"
    environment = re.findall(r"^Environment=(.*)$", UNIT.read_text(encoding="utf-8"), re.M)
    assert "QT_IM_MODULE=qtvirtualkeyboard" in environment


def test_the_exit_codes_are_distinct_and_documented() -> None:
    codes = {EXIT_STAFF, EXIT_CRASH, EXIT_HANG}
    assert len(codes) == 3
    assert codes.isdisjoint({0, 1, 2, 70, 120, 130})  # Python's and the onestop command's
    doc = DOC.read_text(encoding="utf-8")
    for code in codes:
        assert f"exit code **{code}**" in doc
    assert CRASH_LOG_NAME in doc
