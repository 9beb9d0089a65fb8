"""What the kiosk asks over the screen, never in a pop-up window: the idle countdown and the
question before 首页 throws away a pre-application half filled. Each covers the whole window
(and follows it when the screen turns), with its words at full width so nothing is clipped."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.ui.parts import body, button, heading


class Overlay(QWidget):
    """A question laid over the whole window: a card with a heading, words, and two buttons —
    the first keeps the citizen where they are, the second does what the question is about."""

    keep = Signal()
    leave = Signal()

    def __init__(
        self, parent: QWidget, name: str, *, question: str, note: str, keep: str, leave: str
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(f"QWidget#{name} {{ background: rgba(255, 255, 255, 235); }}")
        self.question = heading(question, f"{name}_question")
        self.question.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.note = body(note, f"{name}_note")
        self.note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.keep_button = button(keep, f"{name}_keep", self.keep.emit, kind="primary")
        self.leave_button = button(leave, f"{name}_leave", self.leave.emit)
        self.panel = QFrame()
        self.panel.setProperty("kind", "card")
        self.panel.setMaximumWidth(960)
        self.column = QVBoxLayout(self.panel)
        self.column.setSpacing(24)
        self.column.setContentsMargins(40, 40, 40, 40)
        for widget in (self.question, self.note, self.keep_button, self.leave_button):
            self.column.addWidget(widget)  # full width: wrapped words are never cut off
        middle = QHBoxLayout()
        middle.addStretch(1)
        middle.addWidget(self.panel, 100)  # as wide as it may be, centred
        middle.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 48, 48, 48)
        layout.addStretch(1)
        layout.addLayout(middle)
        layout.addStretch(1)
        parent.installEventFilter(self)
        self.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self.cover()
        return False

    def cover(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())

    def appear(self) -> None:
        if not self.isVisible():
            self.cover()
            self.show()
            self.raise_()


class Countdown(Overlay):
    """Laid over the screen when the citizen has been still: a large count and two buttons."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(
            parent,
            "countdown",
            question="还需要更多时间吗？",
            note="没有操作时将自动结束，您的信息会被全部清除。",
            keep="需要，继续办理",
            leave="不用了，结束",
        )
        self.seconds: QLabel = heading("", "countdown_seconds")
        self.seconds.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.column.insertWidget(1, self.seconds)

    def show_left(self, seconds: float) -> None:
        self.seconds.setText(f"{max(0, int(seconds + 0.999))} 秒")
        self.appear()


class LeaveCheck(Overlay):
    """Before 首页 ends a session with a pre-application under way (the idle wipe asks nothing:
    nobody is there to answer)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(
            parent,
            "leave_check",
            question="回到首页吗？",
            note="您的预申请还没有提交。回到首页会清除已填写的内容和拍好的材料。",
            keep="继续填写",
            leave="回到首页，清除内容",
        )
