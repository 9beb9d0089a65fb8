"""A program that cannot start says why in a window, not only on a terminal nobody watches: a
clerk or the hall's IT staff sees the Chinese message and what to do (a key file missing, a
database of a newer version, the database unreachable)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from app.errors import OneStopError


def startup_failure(title: str, exc: OneStopError, *, for_citizens: bool = False) -> QMessageBox:
    """The window that says ``exc``; on a kiosk (``for_citizens``) it first tells the person in
    front of it where to go, then what the staff must do."""
    box = QMessageBox(QMessageBox.Icon.Critical, title, exc.message, QMessageBox.StandardButton.Ok)
    box.setObjectName("startup_failure")
    hint = exc.hint or "请联系大厅信息管理员，并提供日志文件。"
    if for_citizens:  # large enough to read from where a person stands at the kiosk
        box.setText("本机暂停服务，请到人工窗口办理。")
        box.setStyleSheet("QLabel#qt_msgbox_label { font-size: 32px; font-weight: bold; }")
        hint = f"（工作人员请看）{exc.message}{hint}"
    box.setInformativeText(hint)
    return box
