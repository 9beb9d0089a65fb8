"""Keeping the kiosk on screen: a crash or a hang ends the process, and systemd starts it again.

systemd's notify protocol and watchdog heartbeat, a hang guard for machines without that watchdog,
and crash logging that exits instead of showing a traceback. The unit is
``deploy/systemd/onestop-kiosk.service``; ``docs/kiosk-deployment.md`` says how a hall installs it.

The notify protocol is written here rather than taken from PyPI: it is one datagram, the one
maintained pure-Python package (systemd-watchdog) raises when the socket is gone and would be a
dependency for a dozen lines, and the others (sdnotify, sd-notify) are unmaintained.
"""

from __future__ import annotations

import faulthandler
import logging
import os
import re
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TextIO

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger(__name__)

# How the kiosk ended, for systemd and for whoever reads the journal. 80-82 are used by nothing
# else: not Python (1 uncaught exception, 2 usage, 120), not `onestop` (1, 2, 70, 130), not the
# BSD sysexits (64-78), not a signal (128 + n) and not systemd's own (200-243).
EXIT_STAFF = 80
"""Staff closed the kiosk on purpose: the unit's RestartPreventExitStatus keeps it closed."""
EXIT_CRASH = 81
"""An unexpected exception ended the kiosk; systemd restarts it."""
EXIT_HANG = 82
"""The GUI loop stopped turning and HangGuard ended the kiosk; systemd restarts it."""

CRASH_LOG_NAME = "kiosk-crash.log"
"""The crash log's name, beside ``onestop.log`` in the log folder (app.logs.default_log_dir)."""

ExitProcess = Callable[[int], object]

_USEC_INFINITY = 2**64 - 1
_DIGITS = re.compile(r"[0-9]+")
_FAULT_LOG_MAX_BYTES = 1_000_000


def sd_notify(message: str) -> bool:
    """Send one sd_notify(3) message ("READY=1", "WATCHDOG=1", ...) to $NOTIFY_SOCKET.

    False, and nothing sent, outside systemd or when sending fails: a lost heartbeat must never
    crash the kiosk (systemd's watchdog restarts it anyway)."""
    address = os.environ.get("NOTIFY_SOCKET", "")
    if address.startswith("@"):
        address = "\0" + address[1:]  # Linux's abstract namespace
    elif not address.startswith("/"):
        return False  # unset, or a "vsock:" address, which only a virtual machine's manager uses
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.sendto(message.encode("utf-8"), os.fsencode(address))
    except OSError as exc:
        log.warning("sd_notify %s failed: %s", message.split("\n", 1)[0], exc)
        return False
    return True


def watchdog_interval() -> float | None:
    """Seconds within which systemd expects WATCHDOG=1, or None when there is no watchdog or it
    watches another process — $WATCHDOG_USEC and $WATCHDOG_PID read as sd_watchdog_enabled(3)."""
    usec = os.environ.get("WATCHDOG_USEC", "")
    if not _DIGITS.fullmatch(usec) or not 0 < int(usec) < _USEC_INFINITY:
        return None
    pid = os.environ.get("WATCHDOG_PID")
    if pid is not None and (not _DIGITS.fullmatch(pid) or int(pid) != os.getpid()):
        return None
    return int(usec) / 1_000_000


class Heartbeat(QObject):
    """Tells systemd the kiosk is ready and, from the GUI thread's event loop, that it still turns.

    The pings come from a QTimer on the GUI thread on purpose: a frozen loop sends none, so
    systemd's watchdog kills the process and starts it again. Every tick also stamps
    `last_tick()` for HangGuard. Create it on the GUI thread and start it once the window shows
    (``QTimer.singleShot(0, heartbeat.start)``). Outside systemd nothing is sent."""

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        notify: Callable[[str], bool] = sd_notify,
        clock: Callable[[], float] = time.monotonic,
        idle_tick_s: float = 1.0,
    ) -> None:
        super().__init__(parent)
        self._notify = notify
        self._clock = clock
        self._idle_tick_s = idle_tick_s
        self._watchdog = False
        self._last_tick = clock()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)

    def start(self, status: str = "kiosk running") -> None:
        """READY=1, then WATCHDOG=1 every half watchdog interval (every `idle_tick_s` without)."""
        interval = watchdog_interval()
        self._watchdog = interval is not None
        period = interval / 2 if interval is not None else self._idle_tick_s
        self._notify(f"READY=1\nSTATUS={status}")
        self._tick()
        self._timer.start(max(1, round(period * 1000)))

    def stop(self, reason: str = "") -> None:
        """STOPPING=1 before a deliberate exit, so systemd does not take it for a hang."""
        self._timer.stop()
        self._notify("STOPPING=1" + (f"\nSTATUS={reason}" if reason else ""))

    def last_tick(self) -> float:
        """When the GUI loop last turned, on `clock`; HangGuard reads it from its thread."""
        return self._last_tick

    def _tick(self) -> None:
        self._last_tick = self._clock()
        if self._watchdog:
            self._notify("WATCHDOG=1")


class HangGuard:
    """Ends the process with EXIT_HANG when the GUI loop has not ticked for `hang_s`, logging the
    GUI thread's stack — for machines where systemd's watchdog is not there to do it.

    Create it on the GUI thread. Its daemon thread needs the GIL; for a GUI thread stuck in C code
    that holds the GIL, `dump_file` arms faulthandler's timer as a backstop, which dumps every
    stack there and exits with 1 after twice `hang_s` without a healthy check."""

    def __init__(
        self,
        last_tick: Callable[[], float],
        *,
        hang_s: float = 30.0,
        check_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        exit_process: ExitProcess = os._exit,
        dump_file: TextIO | None = None,
    ) -> None:
        self._last_tick = last_tick
        self._hang_s = hang_s
        self._check_s = check_s
        self._clock = clock
        self._exit = exit_process
        self._dump_file = dump_file
        self._gui_thread = threading.get_ident()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stopped.clear()
        self._arm_backstop()
        self._thread = threading.Thread(target=self._watch, name="kiosk-hang-guard", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=self._check_s + 1)
            self._thread = None
        if self._dump_file is not None:
            faulthandler.cancel_dump_traceback_later()

    def check(self) -> bool:
        """One look at the GUI loop; True when it had hung and the process was told to exit."""
        silent = self._clock() - self._last_tick()
        if silent < self._hang_s:
            self._arm_backstop()
            return False
        frame = sys._current_frames().get(self._gui_thread)
        stack = "".join(traceback.format_stack(frame)) if frame is not None else "(gone)\n"
        log.critical(
            "GUI thread hung for %.0f s; exiting with %d to be restarted. Its stack:\n%s",
            silent,
            EXIT_HANG,
            stack.rstrip(),
        )
        _flush_logs()
        self._exit(EXIT_HANG)
        return True

    def _watch(self) -> None:
        while not self._stopped.wait(self._check_s):
            if self.check():
                return

    def _arm_backstop(self) -> None:
        if self._dump_file is not None:
            faulthandler.dump_traceback_later(self._hang_s * 2, exit=True, file=self._dump_file)


class CrashLogging:
    """What install_crash_logging changed; `restore()` puts the previous hooks back."""

    def __init__(self, file: TextIO, exit_process: ExitProcess) -> None:
        self.file = file
        self._exit = exit_process
        self._sys_hook = sys.excepthook
        self._thread_hook = threading.excepthook
        self._faulthandler_was_enabled = faulthandler.is_enabled()

    def restore(self) -> None:
        sys.excepthook = self._sys_hook
        threading.excepthook = self._thread_hook
        faulthandler.unregister(signal.SIGUSR1)
        faulthandler.disable()
        if self._faulthandler_was_enabled and sys.__stderr__ is not None:
            faulthandler.enable(sys.__stderr__, all_threads=True)
        self.file.close()

    def crash(self, where: str, exc: BaseException, trace: TracebackType | None) -> None:
        """Log the exception, to the log and the crash file, and end the kiosk with EXIT_CRASH."""
        log.critical(
            "unexpected %s in %s; exiting with %d to be restarted",
            type(exc).__name__,
            where,
            EXIT_CRASH,
            exc_info=(type(exc), exc, trace),
        )
        self.file.write(f"--- {_now()} unexpected exception in {where}\n")
        traceback.print_exception(type(exc), exc, trace, file=self.file)
        self.file.flush()
        _flush_logs()
        self._exit(EXIT_CRASH)

    def excepthook(
        self, kind: type[BaseException], exc: BaseException, trace: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):  # Ctrl+C in a developer's terminal
            self._sys_hook(kind, exc, trace)
            return
        self.crash(f"thread {threading.current_thread().name}", exc, trace)

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:  # threading's own rule: a thread may end that way
            return
        exc = args.exc_value if args.exc_value is not None else args.exc_type()
        name = args.thread.name if args.thread is not None else "an unknown thread"
        self.crash(f"thread {name}", exc, args.exc_traceback)


def install_crash_logging(log_path: Path, *, exit_process: ExitProcess = os._exit) -> CrashLogging:
    """From here on an unexpected exception on any thread is logged and ends the kiosk with
    EXIT_CRASH, for systemd to start it afresh: a kiosk never shows a traceback or goes on in a
    broken state. A native crash, or systemd's watchdog SIGABRT, leaves every thread's stack in
    `log_path`, kept open because faulthandler writes there when Python no longer can;
    ``kill -USR1`` writes them there too, for a kiosk that is slow rather than stuck."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    if log_path.exists() and log_path.stat().st_size > _FAULT_LOG_MAX_BYTES:
        log_path.replace(log_path.with_name(log_path.name + ".1"))
    file = log_path.open("a", encoding="utf-8")
    file.write(f"--- {_now()} kiosk started, pid {os.getpid()}\n")
    file.flush()
    handle = CrashLogging(file, exit_process)
    faulthandler.enable(file, all_threads=True)
    faulthandler.register(signal.SIGUSR1, file, all_threads=True)
    sys.excepthook = handle.excepthook
    threading.excepthook = handle.thread_excepthook
    return handle


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _flush_logs() -> None:
    """The process is about to end with os._exit, which flushes nothing."""
    for handler in logging.getLogger().handlers:
        handler.flush()
