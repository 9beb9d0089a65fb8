"""The pieces every kiosk screen is built from: headings and body text marked for the theme and
the accessibility checks, large buttons, and :class:`Screen`, which each screen extends."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable

import segno
from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import describe
from kiosk.a11y import mark, mark_target

log = logging.getLogger(__name__)


def reason(exc: BaseException) -> str:
    """What the citizen reads about a failure (logged with its trace when unexpected)."""
    text, unexpected = describe(exc)
    if unexpected:
        log.error("kiosk work failed", exc_info=exc)
    return text


def heading(text: str, name: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    mark(label, "heading")
    if name:
        label.setObjectName(name)
    return label


def body(text: str = "", name: str = "", kind: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    mark(label, "body")
    if kind:
        label.setProperty("kind", kind)
    if name:
        label.setObjectName(name)
    return label


def button(
    text: str, name: str, action: Callable[[], None] | None = None, *, kind: str = ""
) -> QPushButton:
    push = QPushButton(text)
    push.setObjectName(name)
    push.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # touch: a tap never moves the keyboard focus
    mark_target(push)
    if kind:
        push.setProperty("kind", kind)
    if action is not None:
        push.clicked.connect(lambda: action())  # noqa: PLW0108 (never pass Qt's "checked")
    return push


def bar_button(text: str, name: str, action: Callable[[], None]) -> QToolButton:
    """A button of the top bar: its picture above its words, so the bar holds them all and
    the hall's name at touch size, in 长辈模式 too."""
    push = QToolButton()
    push.setText(text)
    push.setObjectName(name)
    push.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    push.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
    push.setProperty("kind", "bar")
    mark_target(push)
    push.clicked.connect(lambda: action())  # noqa: PLW0108 (never pass Qt's "checked")
    return push


def qr_pixmap(text: str, scale: int = 6) -> QPixmap:
    """A QR code to show on the screen (the list to take away, a ticket without paper)."""
    out = io.BytesIO()
    # eci: a reader that does not guess the encoding (zbar) still reads the Chinese as UTF-8.
    segno.make(text, error="m", eci=not text.isascii()).save(out, kind="png", scale=scale, border=2)
    pixmap = QPixmap()
    pixmap.loadFromData(out.getvalue(), "PNG")
    return pixmap


def card(*widgets: QWidget) -> QFrame:
    frame = QFrame()
    frame.setProperty("kind", "card")
    layout = QVBoxLayout(frame)
    for widget in widgets:
        layout.addWidget(widget)
    return frame


def scrolling(content: QWidget) -> QScrollArea:
    """A column that scrolls by dragging a finger (kinetic) when it is longer than the screen."""
    from PySide6.QtWidgets import QScroller

    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(content)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    QScroller.grabGesture(area.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)
    return area


def row(*widgets: QWidget, stretch_first: bool = False) -> QHBoxLayout:
    layout = QHBoxLayout()
    for number, widget in enumerate(widgets):
        layout.addWidget(widget, 1 if stretch_first and number == 0 else 0)
    return layout


def blank(edit: QLineEdit) -> None:
    """Empty a field and its undo history (``clear()`` can be undone: the text stays inside)."""
    edit.setText("")


def clear(layout: QLayout) -> None:
    """Remove and delete every widget of ``layout`` and of the layouts in it (drawn anew)."""
    while (item := layout.takeAt(0)) is not None:
        widget = item.widget()
        if widget is not None:
            widget.hide()
            widget.setParent(None)  # gone from the tree at once (finders, the wipe check)
            widget.deleteLater()
        elif (inner := item.layout()) is not None:
            clear(inner)


class Screen(QWidget):
    """One kiosk screen. ``enter`` draws it from the presenters when it comes forward;
    ``speech`` is what the voice guidance reads; ``long`` screens get the longer idle limit."""

    name = ""
    long = False

    def set_query(self, query: str) -> None:
        """What the screen is asked to show, from the text after its name in ``go("name:…")``."""

    def enter(self) -> None:
        """Draw the screen from the current state (called each time it is shown)."""

    def speech(self) -> str:
        return ""

    def wipe(self) -> None:
        """Forget what this screen shows (the session ended)."""
