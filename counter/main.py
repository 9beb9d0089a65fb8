"""``onestop counter``: the composition root of the counter app (STYLE 3). Settings in; the core,
devices, platform client and sync worker built here and handed to the window; sign-in, the lock,
resumption of unfinished drafts; everything closed again on the way out.

``--demo`` starts a reference platform in this process on a fresh data folder with simulated
devices and a demo clerk, so one command shows the whole flow.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QDialog

from app.accounts import Accounts, Operator
from app.bootstrap import Core, build_core, open_accounts_database
from app.errors import KeysError, OneStopError
from app.settings import Settings
from app.widgets.collector import GuiCollector
from app.widgets.startup import startup_failure
from counter.ui.display import use_screen_font
from counter.ui.sign_in import IdleLock, SignInDialog

if TYPE_CHECKING:  # imported when the clerk has signed in: the sign-in window comes up sooner
    from counter.ui.window import MainWindow
    from sync.client import HttpPlatform
    from sync.worker import SyncWorker

log = logging.getLogger(__name__)


class CounterApp:
    """One running counter: signed-in clerk, window, lock, sync."""

    def __init__(self, settings: Settings, *, hint: str = "") -> None:
        self.settings = settings
        self.core: Core = build_core(settings)
        try:
            self.core.keys  # noqa: B018  no window signs receipts without the hall's own key
        except KeysError:
            self.core.close()
            raise
        # 培训模式: the trainee signs in with a hall account; the cases stay in the practice
        # database (Settings.database_url)
        self.hall_db = open_accounts_database(settings) if settings.terminal.training else None
        self.accounts = Accounts(self.hall_db or self.core.db)
        self.hint = hint
        self.platform: HttpPlatform | None = None
        self.sync: SyncWorker | None = None
        self.window: MainWindow | None = None
        self.lock: IdleLock | None = None
        self.previous_hook: Callable[..., None] | None = None
        self.filters: list[QObject] = []  # on the application: taken off again at close

    def sign_in(self, username: str, password: str) -> Operator:
        return self.accounts.sign_in(username, password, terminal=self.settings.terminal.name)

    def start(self, operator: Operator) -> MainWindow:
        from app.devices.drivers import devices_of
        from app.widgets.scanner import ScannerFilter
        from counter.session import Session
        from counter.ui.notify import install_crash_handler
        from counter.ui.window import MainWindow
        from sync.worker import SyncWorker, platform_of

        if self.settings.platform.url and not self.settings.terminal.training:
            self.platform = platform_of(self.core)
            self.sync = SyncWorker(self.core, self.platform)
            self.sync.start()
        from app.widgets.camera import with_camera

        devices = with_camera(devices_of(self.settings), self.settings.devices)
        session = Session(self.core, operator, devices, self.platform)
        window = MainWindow(session)
        self.window = window
        scanner = ScannerFilter(window)
        scanner.scanned.connect(window.scanned)
        self.filters = [scanner]
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(scanner)
        self.previous_hook = install_crash_handler(window.bar)
        self.lock = IdleLock(window, int(self.settings.counter.lock_after_min * 60_000))
        self.filters.append(self.lock)
        self.lock.locked.connect(self.locked)
        window.lock_requested.connect(self.locked)
        return window

    def locked(self) -> None:
        """The screen goes blank until a clerk signs in again (the same or another)."""
        window = self.window
        if window is None or window.content.isHidden():
            return
        window.content.hide()
        current = window.station.session.operator
        dialog = SignInDialog(
            self.sign_in,
            title="OneStop 综合窗口 — 已锁定，请重新登录",
            username=current.username,
            parent=window,
        )
        self.lock_dialog = dialog

        def opened() -> None:
            if dialog.operator is not None and dialog.operator != current:
                window.signed_in(dialog.operator)
            window.content.show()
            window.take_focus()
            if self.lock is not None:
                self.lock.timer.start()

        dialog.accepted.connect(opened)
        dialog.rejected.connect(self.locked_again)
        dialog.open()

    def locked_again(self) -> None:
        if self.window is not None:
            self.window.content.show()
            self.locked()

    def close(self) -> None:
        app = QApplication.instance()
        for watcher in self.filters:
            if app is not None:
                app.removeEventFilter(watcher)
        self.filters = []
        if self.previous_hook is not None:
            sys.excepthook = self.previous_hook
        if self.sync is not None:
            self.sync.stop(timeout_s=5)
        if self.platform is not None:
            self.platform.close()
        if self.hall_db is not None:
            self.hall_db.dispose()
        self.core.close()


def run(settings: Settings, *, hint: str = "") -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("OneStop 综合窗口")
    use_screen_font(app)
    collector = GuiCollector(app)  # Qt objects in cycles are freed on the GUI thread only
    try:
        counter = CounterApp(settings, hint=hint)
    except OneStopError as exc:  # no window at all would leave the clerk guessing
        log.error("the counter cannot start: %s", exc)
        startup_failure("综合窗口无法启动", exc).exec()
        raise  # and the command line says it too, with its exit code
    try:
        dialog = SignInDialog(counter.sign_in)
        if hint:
            dialog.message.setStyleSheet("color:#1b5e20;")
            dialog.message.setText(hint)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.operator is None:
            return 0
        window = counter.start(dialog.operator)
        window.present()
        window.offer_unfinished()
        return int(app.exec())
    finally:
        counter.close()
        collector.stop()
