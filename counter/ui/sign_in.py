"""Sign-in and the lock screen: the clerk signs in with name and password; the screen locks after
idle time or on demand (the window's Ctrl+L) and only the same clerk (or another who signs in)
opens it again. The check (a deliberately slow password hash, and the hall's database, perhaps
across the network) runs off the GUI thread: the dialog says 正在登录… and stays responsive."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.accounts import Operator, SignInRefused
from app.errors import OneStopError
from app.widgets.tasks import Tasks

log = logging.getLogger(__name__)
SignIn = Callable[[str, str], Operator]
REFUSED, WORKING = "color: #b00020;", "color: #555555;"


class SignInDialog(QDialog):
    """Name and password; a refusal is shown in the dialog, which stays open. ``tried`` is
    emitted when an attempt has been answered (signed in or refused)."""

    tried = Signal()

    def __init__(
        self,
        sign_in: SignIn,
        *,
        title: str = "OneStop 综合窗口 — 登录",
        username: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self._sign_in = sign_in
        self.operator: Operator | None = None
        self.username = QLineEdit(username)
        self.username.setObjectName("username")
        self.username.setPlaceholderText("登录名")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("密码")
        self.message = QLabel("")
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(REFUSED)
        self.button = QPushButton("登录")
        self.button.setObjectName("sign_in")
        self.button.setDefault(True)
        self.button.clicked.connect(self._try)
        form = QFormLayout()
        form.addRow("登录名", self.username)
        form.addRow("密码", self.password)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.button)
        (self.password if username else self.username).setFocus()
        self.lane = Tasks(self._failed, self, name="sign-in")
        # wide enough for a refusal's two sentences to wrap into a few lines, not a column
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("汉") * 24)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        """Take the keyboard: a counter PC may have no window manager to give it."""
        super().showEvent(event)
        self.raise_()
        self.activateWindow()

    @property
    def busy(self) -> bool:
        return self.lane.busy

    def _try(self) -> None:
        if self.lane.busy:  # Return pressed again while the first is checked
            return
        username, password = self.username.text(), self.password.text()
        self._working(True)
        self.lane.run(lambda: self._sign_in(username, password), done=self._signed_in, label="登录")

    def _working(self, working: bool) -> None:
        for widget in (self.username, self.password, self.button):
            widget.setEnabled(not working)
        if working:
            self.message.setStyleSheet(WORKING)
            self.message.setText("正在登录…")

    def _signed_in(self, operator: Operator) -> None:
        self.operator = operator
        self._working(False)
        self.message.setText("")
        self.accept()
        self.tried.emit()

    def _failed(self, exc: BaseException) -> None:
        self._working(False)
        self.message.setStyleSheet(REFUSED)
        if isinstance(exc, OneStopError):
            self.message.setText(str(exc))
        else:  # a defect: the log has it, the clerk gets what to do
            log.error("sign-in failed", exc_info=exc)
            self.message.setText(
                "登录时程序出错，请再试一次；若再次出现，请联系大厅信息管理员并提供日志文件。"
            )
        self.adjustSize()  # the message may need more lines than the last one
        if isinstance(exc, SignInRefused):
            self.password.clear()
        (self.password if self.username.text() else self.username).setFocus()
        self.tried.emit()


class IdleLock(QObject):
    """Emits ``locked`` after ``idle_ms`` without a key or mouse event anywhere in the app (Ctrl+L
    is the window's own shortcut: one key sequence registered twice on a window fires neither)."""

    locked = Signal()

    def __init__(self, window: QWidget, idle_ms: int) -> None:
        super().__init__(window)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(idle_ms)
        self.timer.timeout.connect(self.locked.emit)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() in (
            QEvent.Type.KeyPress,
            QEvent.Type.MouseButtonPress,
            QEvent.Type.MouseMove,
            QEvent.Type.Wheel,
        ):
            self.timer.start()
        return False
