"""The counter's station: what every counter screen has at hand — the clerk's session, a lane of
background work for the case (database, printing, network), a lane for devices (a card read may
wait for a card), and the message bar. Screens call ``station.work.run(...)`` and never wait on
the GUI thread. (The kiosk's screens get their own :class:`kiosk.ui.station.Station`.)"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QWidget

from app.cases.in_hand import CaseInHand
from app.widgets.tasks import Tasks
from counter.session import Session
from counter.ui.notify import MessageBar


@dataclass
class Station:
    session: Session
    work: Tasks
    devices: Tasks
    bar: MessageBar


class Screen(QWidget):
    """A page of the counter (one per module). ``enter`` is called each time it is shown."""

    title = ""

    def __init__(self, station: Station, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.station = station

    @property
    def in_hand(self) -> CaseInHand:
        return self.station.session.in_hand

    def enter(self) -> None:
        """Show the current state (called when the page comes to the front)."""

    def focus_first(self) -> None:
        """Put the keyboard on this page's first field (the window took the focus back)."""
        widget = self.nextInFocusChain()
        while widget is not None and widget is not self:
            if (
                self.isAncestorOf(widget)
                and widget.isVisible()
                and widget.isEnabled()
                and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
            ):
                widget.setFocus(Qt.FocusReason.ActiveWindowFocusReason)
                return
            widget = widget.nextInFocusChain()
        self.setFocus(Qt.FocusReason.ActiveWindowFocusReason)


def ok_cancel(dialog: QDialog, ok: str) -> QDialogButtonBox:
    """A dialog's button row: ``ok`` (what it does, in words) and 取消."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok)
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons
