"""Staff only: the hidden way out of the kiosk's lockdown, and the state of its devices.

The kiosk runs full screen and frameless; no key or key combination leaves it. Staff open this
screen with a gesture citizens do not make by chance (:class:`StaffGate`: five quick taps on the
hall's name in the top-left corner) and a PIN whose scrypt hash is in the settings
(``[kiosk] staff_pin_hash``). The screen never shows the PIN, its hash or any other credential
from the settings; behind the PIN it shows the devices' state, and staff go back to service or
close the terminal with :data:`kiosk.watchdog.EXIT_STAFF`, which systemd does not restart.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPointF, QRegularExpression, Signal
from PySide6.QtGui import QHideEvent, QMouseEvent, QRegularExpressionValidator, QTouchEvent, QWindow
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QStackedWidget, QVBoxLayout, QWidget

from app.errors import describe
from kiosk import keyboard
from kiosk.status import (
    MAX_WRONG,
    NO_PIN,
    SLOW,
    TITLES,
    PinLock,
    StatusLine,
    line,
    pin_matches,
    quick_lines,
    slow_lines,
)
from kiosk.ui.parts import Screen, body, button, heading, row
from kiosk.ui.station import Station
from kiosk.watchdog import EXIT_STAFF

log = logging.getLogger(__name__)

TAPS = 5
TAPS_WITHIN_S = 4.0
CORNER_PX = 80
LOCK_FILE = "kiosk-staff-pin.json"  # wrong PINs and the pause: kept over a restart
SAME_TAP_S = 0.05  # one tap reaches the filter several times: window, widget, its parents, touch


class StaffGate(QObject):
    """Watches every tap of the application for :data:`TAPS` taps within
    :data:`TAPS_WITHIN_S` seconds in the ``corner_px`` square at the top-left of ``window`` —
    the hall's name; the bar's buttons are at the right — and emits ``opened``. A tap anywhere
    else starts the count again. Keys are never looked at: no key combination opens anything.
    It only watches, never takes an event away from the screen under it."""

    opened = Signal()

    def __init__(
        self,
        window: QWidget,
        *,
        clock: Callable[[], float] = time.monotonic,
        corner_px: int = CORNER_PX,
    ) -> None:
        super().__init__(window)
        self.target = window
        self.clock = clock
        self.corner_px = corner_px
        self.taps: list[float] = []
        self.last = float("-inf")
        app = QCoreApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def uninstall(self) -> None:
        app = QCoreApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if isinstance(event, QMouseEvent) and event.type() in (
            QEvent.Type.MouseButtonPress,
            QEvent.Type.MouseButtonDblClick,
        ):
            where = event.globalPosition()
        elif isinstance(event, QTouchEvent) and event.type() == QEvent.Type.TouchBegin:
            if not event.points():
                return False
            where = event.points()[0].globalPosition()
        else:
            return False
        if self._ours(watched):
            self.tap(self.target.mapFromGlobal(where))
        return False

    def _ours(self, watched: QObject) -> bool:
        if isinstance(watched, QWidget):
            return watched.window() is self.target
        return isinstance(watched, QWindow) and watched is self.target.windowHandle()

    def tap(self, at: QPointF) -> None:
        """A tap at ``at`` in the window's coordinates."""
        now = self.clock()
        if now - self.last < SAME_TAP_S:
            return
        self.last = now
        if not (0 <= at.x() < self.corner_px and 0 <= at.y() < self.corner_px):
            self.taps.clear()
            return
        self.taps = [t for t in self.taps if now - t <= TAPS_WITHIN_S] + [now]
        if len(self.taps) >= TAPS:
            self.taps.clear()
            self.opened.emit()


# -- the screen ------------------------------------------------------------------------------------
class StaffScreen(Screen):
    """The PIN, then the devices' state. Leaving the screen, or a wipe, forgets the PIN typed
    and closes the status page again; wrong PINs in a row, and the pause after them, are remembered
    across visits and restarts (:data:`LOCK_FILE` in the data folder)."""

    name = "staff"

    def __init__(
        self,
        station: Station,
        *,
        exit_app: Callable[[int], None] = QApplication.exit,
        clock: Callable[[], float] = time.time,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.station = station
        self.exit_app = exit_app
        self.lock = PinLock(clock, station.core.settings.data_dir / LOCK_FILE)
        self.visit = 0  # a result that comes back after the screen was left is dropped
        self.checking = self.reading = False
        self.pin = QLineEdit()
        self.pin.setObjectName("staff_pin")
        keyboard.for_digits(self.pin)
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)  # adds the hidden, sensitive hints
        self.pin.setValidator(
            QRegularExpressionValidator(QRegularExpression("[0-9]{0,16}"), self.pin)
        )
        self.pin.setPlaceholderText("工作人员密码（数字）")
        self.pin.returnPressed.connect(self.submit)
        self.ok = button("确定", "staff_ok", self.submit, kind="primary")
        self.back = button("返回", "staff_back", station.finish)
        self.hint = body("请输入工作人员密码，然后点“确定”。", "staff_hint")
        pin_page = QWidget()
        pins = QVBoxLayout(pin_page)
        for widget in (heading("工作人员", "staff_title"), self.hint, self.pin):
            pins.addWidget(widget)
        pins.addLayout(row(self.ok, self.back))
        pins.addStretch(1)
        self.lines = {key: body("", f"status_{key}") for key in TITLES}
        again = button("刷新", "staff_refresh", self.refresh)
        resume = button("返回服务", "staff_resume", station.finish, kind="primary")
        note = body(
            "退出后终端不会自动重新打开，重新打开的方法见部署说明（docs/kiosk-deployment.md）。",
            "staff_exit_note",
            kind="small",
        )
        status_page = QWidget()
        status = QVBoxLayout(status_page)
        status.addWidget(heading("设备状态", "staff_status_title"))
        for label in self.lines.values():
            status.addWidget(label)
        status.addLayout(row(again, resume))
        status.addStretch(1)
        status.addWidget(note)
        status.addWidget(button("退出终端", "staff_exit", self.exit_terminal))
        self.pages = QStackedWidget()
        self.pin_page, self.status_page = pin_page, status_page
        self.pages.addWidget(pin_page)
        self.pages.addWidget(status_page)
        QVBoxLayout(self).addWidget(self.pages)

    # -- coming and going ------------------------------------------------------------------------
    def enter(self) -> None:
        if self.pages.currentWidget() is self.status_page:
            self.refresh()
            return
        configured = bool(self.station.core.settings.kiosk.staff_pin_hash)
        self.pin.setEnabled(configured)
        self.ok.setEnabled(configured and not self.checking)
        self.station.tell(self.lock.refusal() or ("" if configured else NO_PIN), True)
        if configured:
            self.pin.setFocus()

    def wipe(self) -> None:
        self._leave()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt's name)
        self._leave()
        super().hideEvent(event)

    def _leave(self) -> None:
        self.visit += 1
        self.pin.clear()
        self.checking = self.reading = False
        self.ok.setEnabled(True)
        self.pages.setCurrentWidget(self.pin_page)
        for label in self.lines.values():
            self._set(label, "", False)

    # -- the PIN ---------------------------------------------------------------------------------
    def submit(self) -> None:
        if self.checking:
            return
        pin = self.pin.text()
        self.pin.clear()
        stored = self.station.core.settings.kiosk.staff_pin_hash
        refusal = NO_PIN if not stored else self.lock.refusal()
        if not refusal and not pin:
            refusal = "请输入工作人员密码。"
        if refusal:
            self.station.tell(refusal, True)
            return
        self.checking = True
        self.ok.setEnabled(False)
        visit = self.visit
        self.station.work.run(
            lambda: pin_matches(pin, stored),
            done=lambda right: self._checked(visit, right),
            failed=lambda exc: self._failed(visit, exc),
            label="核对工作人员密码",
        )

    def _checked(self, visit: int, right: bool) -> None:
        said = self.lock.record(right)  # counted even when the screen was left meanwhile
        if visit != self.visit:
            return
        self.checking = False
        self.ok.setEnabled(True)
        if not right:
            if self.lock.refusal():
                log.warning("staff screen: %d wrong PINs in a row, paused", MAX_WRONG)
            self.station.tell(said, True)
            return
        log.info("staff opened the staff screen")
        self.station.tell("", False)
        self.pages.setCurrentWidget(self.status_page)
        self.refresh()

    # -- the devices -----------------------------------------------------------------------------
    def refresh(self) -> None:
        if self.reading or self.pages.currentWidget() is not self.status_page:
            return
        self._show(quick_lines(self.station.core.settings))
        self._show([line(key, "正在读取……") for key in SLOW])
        self.reading = True
        visit, papers, outbox = self.visit, self.station.papers, self.station.core.outbox
        devices = self.station.devices
        # The device lane: a wipe waits for the work lane, and a printer may take seconds.
        self.station.device_lane.run(
            lambda: slow_lines(devices, papers.a4, papers.tickets, outbox),
            done=lambda lines: self._read(visit, lines),
            failed=lambda exc: self._failed(visit, exc),
            label="读取设备状态",
        )

    def _read(self, visit: int, lines: list[StatusLine]) -> None:
        if visit == self.visit:
            self.reading = False
            self._show(lines)

    def _failed(self, visit: int, exc: BaseException) -> None:
        text, unexpected = describe(exc)
        if unexpected:
            log.error("the staff screen's work failed", exc_info=exc)
        if visit == self.visit:
            self.checking = self.reading = False
            self.ok.setEnabled(True)
            self.station.tell(text, True)

    def _show(self, lines: list[StatusLine]) -> None:
        for shown in lines:
            self._set(self.lines[shown.key], shown.shown, shown.problem)

    @staticmethod
    def _set(label: QLabel, text: str, problem: bool) -> None:
        label.setText(text)
        label.setProperty("kind", "warn" if problem else "")
        label.style().unpolish(label)
        label.style().polish(label)

    def exit_terminal(self) -> None:
        log.info("staff closed the kiosk (exit code %d)", EXIT_STAFF)
        self.exit_app(EXIT_STAFF)
