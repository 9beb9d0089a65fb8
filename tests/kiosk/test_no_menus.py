"""No Cut/Copy/Paste menu on the kiosk's fields: a right click or a long press (which touch
drivers turn into a context-menu event) opens nothing, on every screen's fields."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from kiosk.ui.window import KioskWindow
from tests.kiosk.screens import to_plan


def menu_after_right_click(edit: QWidget) -> QWidget | None:
    """The pop-up a right click on ``edit`` opens (closed again at once), or None."""
    seen: list[QWidget | None] = []

    def look() -> None:
        popup = QApplication.activePopupWidget()
        seen.append(popup)
        if popup is not None:
            popup.close()

    QTimer.singleShot(0, look)  # runs inside the menu's own loop, if one opened
    event = QContextMenuEvent(
        QContextMenuEvent.Reason.Mouse, QPoint(5, 5), edit.mapToGlobal(QPoint(5, 5))
    )
    QApplication.sendEvent(edit, event)
    QApplication.processEvents()
    return seen[0] if seen else None


def test_no_field_of_the_kiosk_opens_a_menu(qtbot: QtBot, window: KioskWindow) -> None:
    search = window.findChild(QLineEdit, "search_box")
    assert search is not None
    assert menu_after_right_click(search) is None
    to_plan(window)
    window.go("identify")
    QApplication.processEvents()
    for edit in window.findChildren(QLineEdit):
        if edit.isVisible():
            assert edit.contextMenuPolicy() == Qt.ContextMenuPolicy.NoContextMenu, edit.objectName()
            assert menu_after_right_click(edit) is None, edit.objectName()
