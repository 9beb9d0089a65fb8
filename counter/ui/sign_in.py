"""Sign-in and the lock screen: the clerk signs in with name and password; the screen locks after
idle time or on demand (the window's Ctrl+L) and only the same clerk (or another who signs in)
opens it again."""

from __future__ import annotations

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

SignIn = Callable[[str, str], Operator]


class SignInDialog(QDialog):
    """Name and password; a refusal is shown in the dialog, which stays open."""

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
        self.message.setStyleSheet("color: #b00020;")
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

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        """Take the keyboard: a counter PC may have no window manager to give it."""
        super().showEvent(event)
        self.raise_()
        self.activateWindow()

    def _try(self) -> None:
        try:
            self.operator = self._sign_in(self.username.text(), self.password.text())
        except SignInRefused as exc:
            self.message.setText(str(exc))
            self.password.clear()
            self.password.setFocus()
            return
        self.accept()


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
