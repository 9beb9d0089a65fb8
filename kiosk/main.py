"""``onestop kiosk``: the composition root of the self-service terminal (STYLE 3). Settings in;
the core, the journey, devices, paper, voice, the platform's sync and the watchdog built here and
handed to the window; full screen and frameless unless ``windowed``.

A staff exit returns :data:`kiosk.watchdog.EXIT_STAFF`, which systemd does not restart; a crash
or a hang ends the process with its own code and systemd starts it again.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from app.bootstrap import Core, build_core
from app.cases.audit import Actor
from app.cases.in_hand import CaseInHand
from app.devices.drivers import devices_of
from app.errors import KeysError, OneStopError
from app.guide.places import hall_window
from app.settings import Settings
from app.widgets.collector import GuiCollector
from app.widgets.startup import startup_failure
from kiosk.journey import Journey

if TYPE_CHECKING:
    from kiosk.ui.window import KioskWindow
    from sync.client import HttpPlatform
    from sync.worker import SyncWorker

log = logging.getLogger(__name__)
FALLBACK_DPI = 96.0  # a screen that cannot tell its size, and no screen_inches set


def dpi_of(settings: Settings) -> float:
    """The panel's real DPI: from its diagonal in the settings (a panel that reports a wrong
    size), else from the screen, else 96."""
    from kiosk.a11y import panel_dpi

    screen = QGuiApplication.primaryScreen()
    if settings.kiosk.screen_inches and screen is not None:
        size = screen.size()
        return panel_dpi(settings.kiosk.screen_inches, size.width(), size.height())
    if QGuiApplication.platformName() in ("offscreen", "minimal") or screen is None:
        return FALLBACK_DPI
    reported = screen.physicalDotsPerInch()
    return reported if 40 <= reported <= 400 else FALLBACK_DPI


class KioskApp:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.core: Core = build_core(settings)
        try:
            self.core.keys  # noqa: B018  no kiosk signs or trusts a receipt without the hall's key
        except KeysError:
            self.core.close()
            raise
        self.platform: HttpPlatform | None = None
        self.sync: SyncWorker | None = None
        self.window: KioskWindow | None = None

    def journey(self) -> Journey:
        from printing import qr

        keys, legacy = self.core.receipt_keys, self.settings.printing.legacy_key
        shared = None
        if self.platform is not None:
            from sync.shared import facts_for

            platform = self.platform
            shared = lambda number: facts_for(platform, number)  # noqa: E731

        def check(text: str) -> tuple[str, str]:
            checked = qr.verify(text, keys, legacy=legacy)
            return checked.receipt_no, checked.reason

        actor = Actor(self.settings.kiosk.name, self.settings.terminal.name)
        in_hand = CaseInHand(
            self.core.cases,
            self.core.catalog,
            actor,
            hall_province=self.settings.hall.province,
            check_qr=check,
            shared=shared,
            channel="kiosk",
        )
        hall = self.settings.hall
        return Journey(
            in_hand,
            hall_phone=hall.phone,
            hall_place=f"{hall.name} {hall.address}",
            hall=hall_window(hall.name, hall.office, hall.address, hall.phone, hall.hours),
            guide_url=self.settings.kiosk.guide_url,
        )

    def start(
        self, *, windowed: bool = False, keyboard: bool = True, demo: bool = False
    ) -> KioskWindow:
        from kiosk.papers import KioskPapers
        from kiosk.ui.window import KioskWindow
        from kiosk.voice import make_voice
        from sync.worker import SyncWorker, platform_of

        if self.settings.platform.url and not self.settings.terminal.training:
            self.platform = platform_of(self.core)
            self.sync = SyncWorker(self.core, self.platform)
            self.sync.start()
        from app.widgets.camera import with_camera

        devices = with_camera(devices_of(self.settings), self.settings.devices)
        window = KioskWindow(
            self.core,
            self.journey(),
            devices,
            papers=KioskPapers(self.core),
            voice=make_voice(self.settings.kiosk.voice),
            dpi=dpi_of(self.settings),
            keyboard=keyboard,
            demo=demo,
        )
        self.window = window
        if not windowed:
            window.lockdown = True  # no close but the staff exit
            window.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
            window.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
        return window

    def close(self) -> None:
        if self.sync is not None:
            self.sync.stop(timeout_s=5)
        if self.platform is not None:
            self.platform.close()
        self.core.close()


def show(window: KioskWindow, *, windowed: bool) -> None:
    """On its screen: covering it (with or without a window manager), or windowed inside the
    available desktop; and so again when the screen changes or turns."""
    from kiosk.ui.fit import ScreenFit

    fit = ScreenFit(window, windowed=windowed)
    fit.start()  # sized before it is first drawn
    if windowed:
        window.show()
    else:
        window.showFullScreen()  # a window manager's full-screen state, where there is one
        window.activateWindow()  # without one nothing gives the window the keyboard
    fit.fit()


def run(settings: Settings, *, windowed: bool = False, demo: bool = False) -> int:
    from app.logs import default_log_dir
    from kiosk.watchdog import (
        CRASH_LOG_NAME,
        EXIT_STAFF,
        HangGuard,
        Heartbeat,
        install_crash_logging,
    )

    crash = install_crash_logging(default_log_dir() / CRASH_LOG_NAME)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("OneStop 自助终端")
    collector = GuiCollector(app)  # Qt objects in cycles are freed on the GUI thread only
    try:
        kiosk = KioskApp(settings)
    except OneStopError as exc:  # a blank screen would tell no one anything
        log.error("the kiosk cannot start: %s", exc)
        crash.restore()
        startup_failure("自助终端无法启动", exc, for_citizens=True).exec()
        raise  # and the command line says it too, with its exit code
    heartbeat = Heartbeat(app)
    guard = HangGuard(heartbeat.last_tick, dump_file=crash.file)
    try:
        window = kiosk.start(windowed=windowed, demo=demo)
        show(window, windowed=windowed)
        QTimer.singleShot(0, heartbeat.start)
        guard.start()
        code = int(app.exec())
        heartbeat.stop("staff exit" if code == EXIT_STAFF else f"exit {code}")
        window.shutdown()
        return code
    finally:
        guard.stop()
        kiosk.close()
        collector.stop()
        crash.restore()
