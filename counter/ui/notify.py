"""The one place the counter tells the clerk something (STYLE 8, 10): a message line at the top of
the window — green for done, red for a problem with what to do next — and the crash handler."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from types import TracebackType

from PySide6.QtWidgets import QLabel, QWidget

from app.errors import describe

log = logging.getLogger(__name__)

STYLES = {
    "info": "background:#e8f4ea; color:#1b5e20; padding:6px 10px; border-radius:4px;",
    "error": "background:#fdecea; color:#b00020; padding:6px 10px; border-radius:4px;",
}


class MessageBar(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("message_bar")
        self.setWordWrap(True)
        self.kind = ""
        self.clear_message()

    def info(self, text: str) -> None:
        self._show("info", text)

    def error(self, text: str) -> None:
        self._show("error", text)

    def show_exception(self, exc: BaseException) -> None:
        text, unexpected = describe(exc)
        if unexpected:
            log.error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
        else:
            log.info("shown to the clerk: a %s", type(exc).__name__)  # its text may name people
        self.error(text)

    def clear_message(self) -> None:
        self.kind = ""
        self.setText("")
        self.setVisible(False)

    def _show(self, kind: str, text: str) -> None:
        self.kind = kind
        self.setStyleSheet(STYLES[kind])
        self.setText(text)
        self.setVisible(True)


def install_crash_handler(bar: MessageBar) -> Callable[..., None]:
    """An exception escaping a slot is logged and shown, and the app goes on; returns the hook
    it replaced (put back when the window closes)."""
    previous = sys.excepthook

    def hook(kind: type[BaseException], exc: BaseException, trace: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, trace)
            return
        exc.__traceback__ = trace
        bar.show_exception(exc)

    sys.excepthook = hook
    return previous
