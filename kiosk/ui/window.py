"""The kiosk's one window: a bar with 长辈模式, 帮助 and 退出 on every screen, a message strip,
the screens, and the idle countdown laid over them (never a pop-up). Full screen and frameless
when it runs for real; every session ends in :meth:`KioskWindow.wipe`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.bootstrap import Core
from app.cases.kiosk_sessions import KioskSessions
from app.db.base import utcnow
from app.devices.drivers import Devices
from app.errors import describe
from app.widgets.code_relay import CameraCodes, CodeRelay
from app.widgets.scanner import ScannerFilter
from app.widgets.tasks import Tasks
from kiosk.evaluation import Evaluating
from kiosk.icons import BUTTONS, icon
from kiosk.idle import IdleWatch, Phase
from kiosk.journey import Journey
from kiosk.keyboard import KeyboardPanel
from kiosk.papers import KioskPapers
from kiosk.progress import Progress
from kiosk.ui.capture import CaptureScreen
from kiosk.ui.demo_scan import DemoScanScreen
from kiosk.ui.find import FindScreen
from kiosk.ui.form import FormScreen
from kiosk.ui.help import HelpScreen
from kiosk.ui.identify import IdentifyScreen
from kiosk.ui.overlay import Countdown, LeaveCheck
from kiosk.ui.parts import Screen, bar_button, body, reason, scrolling
from kiosk.ui.plan import PlanScreen
from kiosk.ui.progress import ProgressScreen
from kiosk.ui.question import QuestionScreen
from kiosk.ui.rate import RateScreen
from kiosk.ui.review import ReviewScreen
from kiosk.ui.staff import StaffGate, StaffScreen
from kiosk.ui.start import StartScreen
from kiosk.ui.station import Station
from kiosk.ui.theme import PAPER, Theme
from kiosk.ui.ticket import TicketScreen
from kiosk.voice import NoVoice, Voice

log = logging.getLogger(__name__)
SCREENS: tuple[Callable[[Station], Screen], ...] = (
    StartScreen,
    FindScreen,
    QuestionScreen,
    PlanScreen,
    IdentifyScreen,
    FormScreen,
    CaptureScreen,
    ReviewScreen,
    TicketScreen,
    ProgressScreen,
    RateScreen,
    HelpScreen,
)
TOUCHES = {QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin, QEvent.Type.KeyPress}
MENU_EVENTS = {QEvent.Type.ContextMenu, QEvent.Type.Polish, QEvent.Type.Show}


class KioskWindow(QWidget):
    wiped = Signal()

    def __init__(
        self,
        core: Core,
        journey: Journey,
        devices: Devices,
        *,
        papers: KioskPapers,
        voice: Voice | None = None,
        idle: IdleWatch | None = None,
        dpi: float = 96.0,
        tick_ms: int = 250,
        keyboard: bool = False,
        demo: bool = False,
        clock: Callable[[], float] = time.time,  # the staff PIN's pause outlives a restart
        exit_app: Callable[[int], None] = QApplication.exit,
    ) -> None:
        super().__init__()
        self.setObjectName("kiosk")
        self.setWindowTitle("自助服务终端")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.core = core
        self.voice = voice or NoVoice()
        self.idle = idle or IdleWatch(core.settings.kiosk)
        self.dpi = dpi
        self.elderly = False
        # the citizen's session, counted when it is wiped (app.cases.kiosk_sessions)
        self.session_start: datetime | None = None
        self.session_elderly = False
        self.sessions = KioskSessions(core.db)
        self.work = Tasks(self._failed, self, name="kiosk-work")
        self.device_lane = Tasks(self._failed, self, name="kiosk-devices")
        in_hand = journey.in_hand
        progress = Progress(
            core.cases, core.queries, in_hand.check_qr, journey.hall_place, journey.hall_phone
        )
        evaluating = Evaluating(core.cases, in_hand.actor, in_hand.check_qr)
        self.station = Station(
            core,
            journey,
            devices,
            papers,
            self.work,
            self.device_lane,
            self.go,
            self.tell,
            self.say,
            self.theme,
            self.finish,
            progress,
            evaluating,
            lambda: self.elderly,
        )
        self.screens: dict[str, Screen] = {}
        self.pages: dict[str, QScrollArea] = {}
        self.stack = QStackedWidget()
        for kind in SCREENS:
            self.add_screen(kind(self.station))
        self.add_screen(StaffScreen(self.station, exit_app=exit_app, clock=clock))
        if demo:  # a PC has no QR scanner: the demo "scans" the hall's cases from a list
            self.add_screen(DemoScanScreen(self.station))
        self.lockdown = False  # set for real use: the window closes only by the staff exit
        self.gate = StaffGate(self, clock=clock)  # five quick taps on the hall's name
        self.scanner = ScannerFilter(self)  # the QR scanner types like a keyboard
        self.scanner.scanned.connect(self.on_scan)
        self.code_relay, self.camera_codes = self._listen_for_codes(devices, core)
        self.gate.opened.connect(self.open_staff)
        self.message = body("", "message")
        self.message.setVisible(False)
        layout = self._lay_out(core.settings.hall.name, demo)
        self.keyboard: KeyboardPanel | None = None
        if keyboard:  # one per application: the real kiosk has it, most tests type directly
            self.keyboard = KeyboardPanel(self)
            layout.addWidget(self.keyboard)
        self.countdown, self.leave_check = self._overlays()
        self.timer = QTimer(self)
        self.timer.setInterval(tick_ms)
        self.timer.timeout.connect(self.tick)
        self.timer.start()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
            app.installEventFilter(self.scanner)
        self.apply_theme()
        self.go("start")

    def _lay_out(self, hall: str, demo: bool) -> QVBoxLayout:
        # A screen never asks the window to be taller or wider than the glass: what does not fit
        # scrolls inside it (the window is sized to its screen, kiosk.ui.fit).
        self.stack.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._bar(hall, demo))
        page = QVBoxLayout()
        page.setContentsMargins(16, 12, 16, 12)
        page.addWidget(self.message)
        page.addWidget(self.stack, 1)
        layout.addLayout(page, 1)
        return layout

    def _bar(self, hall: str, demo: bool) -> QWidget:
        """On every screen, a band across the top: the hall's name (the staff gesture's corner),
        长辈模式, 帮助, 首页, 退出 (and 模拟扫码 in the demo), with pictures, at touch size."""
        self.elderly_button = bar_button("长辈模式", "elderly", self.toggle_elderly)
        self.elderly_button.setCheckable(True)
        self.help = bar_button("帮助", "help", lambda: self.go(f"help:{self.current().name}"))
        self.home = bar_button("首页", "home", self.go_home)
        self.exit = bar_button("退出", "exit", self.finish)
        self.bar_buttons = [self.elderly_button, self.help, self.home, self.exit]
        if demo:
            self.bar_buttons.insert(
                0, bar_button("模拟扫码", "demo_scan", lambda: self.go("demo_scan"))
            )
        band = QWidget()
        band.setObjectName("topbar")
        band.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        bar = QHBoxLayout(band)
        bar.setContentsMargins(16, 10, 16, 10)
        bar.setSpacing(12)
        name = body(hall, "hall_name")  # smaller than a heading: the buttons beside it
        bar.addWidget(name, 1)
        if self.station.core.settings.terminal.training:  # 培训模式: on every screen
            practice = body("【培训】练习用，不作为办事凭证", "training_mark", kind="strong")
            practice.setStyleSheet("color:#ffe08a;")
            bar.addWidget(practice)
        for push in self.bar_buttons:
            bar.addWidget(push)
        return band

    def _overlays(self) -> tuple[Countdown, LeaveCheck]:
        countdown = Countdown(self)
        countdown.keep.connect(self.idle.touch)
        countdown.keep.connect(countdown.hide)
        countdown.leave.connect(self.finish)
        leave_check = LeaveCheck(self)
        leave_check.keep.connect(leave_check.hide)
        leave_check.leave.connect(self.finish)
        return countdown, leave_check

    def add_screen(self, screen: Screen) -> None:
        """Each screen in a page that scrolls when the screen is taller than the glass (a
        landscape panel in 长辈模式): never squeezed, never making the window taller."""
        self.screens[screen.name] = screen
        page = scrolling(screen)
        page.setObjectName(f"page_{screen.name}")
        self.pages[screen.name] = page
        self.stack.addWidget(page)

    # -- look -----------------------------------------------------------------------------------
    def theme(self) -> Theme:
        return Theme(self.dpi, self.elderly)

    def apply_theme(self) -> None:
        theme = self.theme()
        self.setStyleSheet(theme.style_sheet())
        for push in self.bar_buttons:
            push.setIcon(icon(BUTTONS[push.objectName()], PAPER))
            push.setIconSize(QSize(theme.icon_px, theme.icon_px))

    def toggle_elderly(self) -> None:
        self.set_elderly(not self.elderly)
        self.go(self.current().name)  # drawn again in the larger sizes, and read aloud

    def set_elderly(self, on: bool) -> None:
        self.elderly = on
        self.session_elderly |= on and self.session_start is not None
        self.elderly_button.setChecked(on)
        self.idle.elderly = on
        self.apply_theme()

    # -- where the citizen is -------------------------------------------------------------------
    def current(self) -> Screen:
        page = self.stack.currentWidget()
        assert isinstance(page, QScrollArea)
        widget = page.widget()
        assert isinstance(widget, Screen)
        return widget

    def go(self, name: str) -> None:
        """Bring a screen forward: "find:stage:出生" and "find:text:xse" carry their query."""
        target, _, query = name.partition(":")
        screen = self.screens.get(target)
        if screen is None:
            self.tell("这项功能本机暂未开放，请到综合窗口办理。", True)
            return
        screen.set_query(query)
        if self.camera_codes is not None:  # pages being photographed are not scans
            self.camera_codes.paused = target == "capture"
        if target == "start":
            self.idle.end()
        else:
            self.idle.begin(long=screen.long)
            if self.session_start is None:
                self.session_start = utcnow()
                self.session_elderly = self.elderly
        self.stack.setCurrentWidget(self.pages[target])
        self.pages[target].verticalScrollBar().setValue(0)  # a screen starts at its top
        try:
            screen.enter()
        except Exception as exc:  # a screen that cannot draw: never a traceback, always a way on
            self.tell(f"{reason(exc)} 请重新开始。", True)
            if target != "start":
                self.go("start")
            return
        if self.current() is screen:  # enter() may have moved on by itself
            self._speak()

    def _speak(self) -> None:
        """The screen now in view is read; one with nothing to read silences the last one's."""
        text = self.current().speech()
        if text:
            self.say(text)
        else:
            self.voice.stop()

    def say(self, text: str) -> None:
        """Voice guidance: only in 长辈模式, and only words (never an empty say)."""
        if self.elderly and text:
            self.voice.say(text)

    def tell(self, text: str, problem: bool = False) -> None:
        self.message.setText(text)
        self.message.setProperty("kind", "warn" if problem else "")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setVisible(bool(text))
        self.say(text)

    def _failed(self, exc: BaseException) -> None:
        text, unexpected = describe(exc)
        if unexpected:
            log.error("kiosk work failed", exc_info=exc)
        self.tell(getattr(exc, "message", "") or text, True)

    # -- the end of a session -------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        kind = event.type()
        if kind in TOUCHES and not self.countdown.isVisible():
            self.idle.touch()
        elif kind in MENU_EVENTS and isinstance(watched, QWidget) and watched.window() is self:
            # No Cut/Copy/Paste menu on a right click or a long press, on any field of any
            # screen (those built later too): the kiosk's one root for it.
            if kind == QEvent.Type.ContextMenu:
                return True
            watched.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        return False

    def tick(self) -> None:
        state = self.idle.state()
        if state.phase is Phase.WARNING:
            self.countdown.show_left(state.seconds_left)
        elif state.phase is Phase.EXPIRED:
            self.wipe()
        elif self.countdown.isVisible():
            self.countdown.hide()

    def finish(self) -> None:
        """完成 / 退出: the session ends at once."""
        self.wipe()

    def go_home(self) -> None:
        """首页: the session ends, after a question when a pre-application is under way."""
        if self.station.journey.unsent():
            self.leave_check.appear()
            return
        self.wipe()

    def wipe(self) -> None:
        """Forget the citizen everywhere: presenters, screens, messages, the clipboard, tickets
        a printer kept, the voice; then the quiet start screen."""
        self.voice.stop()
        # A save under way finishes first (a submitted pre-application is never lost, and never
        # lands in the next person's session); a card read may take seconds: its result is dropped.
        self.work.wait()
        submitted = self.station.journey.in_hand.case is not None
        for lane in (self.work, self.device_lane):
            lane.forget()
        self._count_session(submitted)
        if self.keyboard is not None:
            self.keyboard.reset()
        QGuiApplication.inputMethod().reset()
        focus = QApplication.focusWidget()
        if focus is not None:
            focus.clearFocus()
        self.station.journey.wipe()
        self.station.progress.wipe()
        self.station.evaluating.wipe()
        for screen in self.screens.values():
            screen.wipe()
        tickets = self.station.papers.tickets
        if tickets is not None:
            tickets.waiting.clear()  # never printed for the next person
        QGuiApplication.clipboard().clear()
        self.countdown.hide()
        self.leave_check.hide()
        self.tell("")
        self.set_elderly(False)
        self.go("start")
        self.wiped.emit()

    def _count_session(self, submitted: bool) -> None:
        """The session that ends now, counted on the work lane (a failure is logged, never shown
        to the next citizen): when, 长辈模式 or not, pre-applied or not."""
        started, self.session_start = self.session_start, None
        if started is None:
            return
        elderly, self.session_elderly = self.session_elderly, False
        terminal, ended = self.core.settings.terminal.name, utcnow()
        self.work.run(
            lambda: self.sessions.record(
                terminal, started, ended, elderly=elderly, submitted=submitted
            ),
            failed=lambda exc: log.warning("kiosk session not counted: %s", exc),
            label="计数",
        )

    def _listen_for_codes(
        self, devices: Devices, core: Core
    ) -> tuple[CodeRelay | None, CameraCodes | None]:
        """A QR scanner in serial mode, and the camera's picture, scan like the wedge scanner."""
        relay = cameras = None
        if devices.code_scanner is not None:
            relay = CodeRelay(devices.code_scanner, self)
            relay.code.connect(self.on_scan)
            relay.start()
        on_frame = getattr(devices.capture, "on_frame", None)
        if on_frame is not None and core.settings.devices.camera_qr:  # a receipt under the camera
            cameras = CameraCodes(on_frame, self)
            cameras.code.connect(self.on_scan)
        return relay, cameras

    def on_scan(self, text: str) -> None:
        """A receipt's or a ticket's QR code: its case's progress (and a way to rate it). Not in
        the middle of a pre-application; anything not signed by this hall is refused there."""
        self.idle.touch()
        if self.current().long:
            self.tell("您正在填写预申请。查询进度请先提交，或点“首页”后再扫码。", True)
            return
        self.go(f"progress:qr:{text}")

    def open_staff(self) -> None:
        """The staff gesture: the citizen's session ends first, then the PIN is asked."""
        self.wipe()
        self.go("staff")

    def shutdown(self) -> None:
        """Stop the timers, finish the background work, close the voice; then close."""
        if self.timer.isActive():
            app = QApplication.instance()
            if app is not None:
                app.removeEventFilter(self)
                app.removeEventFilter(self.scanner)
            self.gate.uninstall()
            self.timer.stop()
            if self.code_relay is not None:
                self.code_relay.stop()
            if self.camera_codes is not None:
                self.camera_codes.stop()
            self.work.wait()
            self.device_lane.wait()
            self.voice.close()
        self.lockdown = False
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        if self.lockdown:  # Alt+F4, a window manager's close: not at a kiosk
            event.ignore()
            return
        self.shutdown()
        super().closeEvent(event)
