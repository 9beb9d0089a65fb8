"""The kiosk's on-screen keyboard: Qt Virtual Keyboard's ``InputPanel`` in a widgets window.

:class:`KeyboardPanel` is a ``QQuickWidget`` holding ``qml/Keyboard.qml``. The kiosk adds it as
the last widget of its window's vertical layout, under the screen. It shows while a text field of
that window has focus and hides otherwise. Being in the layout, it takes its height from the
screen instead of covering it, and it scrolls any ``QScrollArea`` holding the field so the field
stays in sight. There can be only one (an application has at most one ``InputPanel``).

Each field says what it takes through Qt's input method hints: :func:`for_chinese` (pinyin, the
default), :func:`for_digits`, :func:`for_id_number` (digits and X), :func:`for_code` (capitals).
The keyboard only offers keys; a field still wants a validator.

Qt Virtual Keyboard has to be chosen before the ``QApplication`` exists: ``main`` calls
:func:`configure_environment` first.

Privacy: Qt's pinyin engine learns the words a person picks. It keeps them in memory for the life
of the process and writes them, when its dictionary closes, to :func:`pinyin_user_dictionary`;
Qt 6.12's pinyin ignores ``VirtualKeyboardSettings.userDataPath``. So learning stays off: the
keyboard treats every field as sensitive data, for which the engine keeps no user dictionary.
:meth:`KeyboardPanel.reset` drops what is being typed (letters not yet chosen, candidates).
"""

from __future__ import annotations

import importlib
import logging
import os
from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QObject,
    QStandardPaths,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import QGuiApplication, QResizeEvent
from PySide6.QtQml import QQmlComponent
from PySide6.QtQuick import QQuickItem
from PySide6.QtQuickWidgets import QQuickWidget
from PySide6.QtWidgets import QApplication, QScrollArea, QVBoxLayout, QWidget

from app.errors import OneStopError

log = logging.getLogger(__name__)

KEYBOARD_QML = Path(__file__).resolve().parent / "qml" / "Keyboard.qml"

# The desktop panel is the plug-in's own keyboard window for applications without an InputPanel:
# never wanted here, and in tests it would open (and warn) for every focused field.
ENVIRONMENT = {
    "QT_IM_MODULE": "qtvirtualkeyboard",
    "QT_VIRTUALKEYBOARD_DESKTOP_DISABLE": "1",
}
# Kept if already set: a keyboard draws well enough without a GPU.
DEFAULT_ENVIRONMENT = {"QT_QUICK_BACKEND": "software"}

_Hint = Qt.InputMethodHint
CHINESE = _Hint.ImhNone
DIGITS = _Hint.ImhDigitsOnly | _Hint.ImhNoPredictiveText
# No built-in layout has digits and X: Keyboard.qml shows its own for this pair of hints.
ID_NUMBER = _Hint.ImhDigitsOnly | _Hint.ImhUppercaseOnly | _Hint.ImhNoPredictiveText
CODE = (
    _Hint.ImhLatinOnly
    | _Hint.ImhUppercaseOnly
    | _Hint.ImhNoAutoUppercase
    | _Hint.ImhNoPredictiveText
)


class KeyboardUnavailable(OneStopError):
    """The on-screen keyboard cannot work in this process; ``detail`` (English) is for the log."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            f"屏幕键盘不可用（{detail}）",
            hint="请重新启动终端；仍不行时接上实体键盘，并联系信息管理员。",
        )
        self.detail = detail


def configure_environment() -> None:
    """Choose Qt Virtual Keyboard as the input method: before the ``QApplication`` exists."""
    if QCoreApplication.instance() is not None:
        raise KeyboardUnavailable("configure_environment() must run before the QApplication")
    os.environ.update(ENVIRONMENT)
    for name, value in DEFAULT_ENVIRONMENT.items():
        os.environ.setdefault(name, value)


def for_chinese(edit: QWidget) -> None:
    """Pinyin with candidates (names, addresses)."""
    edit.setInputMethodHints(CHINESE)


def for_digits(edit: QWidget) -> None:
    """A digit pad (phone numbers); it also has a decimal point and a space."""
    edit.setInputMethodHints(DIGITS)


def for_id_number(edit: QWidget) -> None:
    """Digits and X (居民身份证号码)."""
    edit.setInputMethodHints(ID_NUMBER)


def for_code(edit: QWidget) -> None:
    """Capital letters, digits one key away (统一社会信用代码)."""
    edit.setInputMethodHints(CODE)


def pinyin_user_dictionary() -> Path:
    """Where Qt's pinyin engine keeps learned words: fixed by Qt, under the config folder."""
    config = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.ConfigLocation)
    return Path(config) / "qtvirtualkeyboard" / "pinyin" / "usr_dict.dat"


def clear_pinyin_user_dictionary() -> None:
    """Empty the learned-words file; the engine makes a new dictionary of an empty file.

    The file existing also spares a warning from the engine the first time it opens.
    """
    path = pinyin_user_dictionary()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")


def _takes_text(widget: QWidget | None) -> bool:
    return (
        widget is not None
        and widget.isEnabled()
        and widget.testAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled)
    )


class KeyboardPanel(QWidget):
    """The on-screen keyboard, shown while a text field of its window has focus.

    It loads in the background and emits ``ready`` (in about a second); a field that has the
    focus by then gets its keys at once.
    """

    ready = Signal()

    def __init__(self, parent: QWidget | None = None, *, source: Path = KEYBOARD_QML) -> None:
        super().__init__(parent)
        app = QApplication.instance()
        if not isinstance(app, QApplication):
            raise KeyboardUnavailable("KeyboardPanel needs a QApplication")
        if os.environ.get("QT_IM_MODULE") != ENVIRONMENT["QT_IM_MODULE"]:
            raise KeyboardUnavailable("call configure_environment() before the QApplication")
        clear_pinyin_user_dictionary()
        # QtMultimedia (the key sounds) warns as its library loads: let it, on this thread.
        importlib.import_module("PySide6.QtMultimedia")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.hide()
        self.view = QQuickWidget(self)
        # A touch on a key leaves the focus in the field.
        self.view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.view.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
        self.view.setResizeMode(QQuickWidget.ResizeMode.SizeRootObjectToView)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self._input_method = QGuiApplication.inputMethod()
        self._input_method.visibleChanged.connect(self._sync)
        # Not QApplication.focusChanged: PySide6 6.12 on Python 3.11 drops a reference to None
        # each time that signal carries a null widget, and a kiosk changes focus all day long
        # until the interpreter aborts ("deallocating None"). Focus events tell the same.
        app.installEventFilter(self)
        # QML compiles on a thread of its own, whose warnings go to the message handler. Where
        # that is Python (pytest-qt, a log handler) it needs the GIL, which a synchronous load
        # (setSource) keeps while it waits for that thread: a deadlock. So the types compile in
        # the background first, and setSource then finds them ready.
        self._compiling: QQmlComponent | None = QQmlComponent(self.view.engine(), self)
        self._compiling.statusChanged.connect(self._compiled)
        mode = QQmlComponent.CompilationMode.Asynchronous
        self._compiling.loadUrl(QUrl.fromLocalFile(str(source)), mode)

    @property
    def root(self) -> QQuickItem:
        """Keyboard.qml's root item, once ``ready``."""
        root = self.view.rootObject()
        if root is None:
            raise KeyboardUnavailable("the keyboard has not loaded")
        return root

    def is_ready(self) -> bool:
        return self.view.rootObject() is not None

    def keyboard_height(self) -> int:
        """The height the panel takes when shown, at its width (once ``ready``)."""
        return self.height()

    def set_user_data_path(self, path: Path) -> None:
        """Point ``VirtualKeyboardSettings.userDataPath`` at a session's own folder.

        Only engines that read it use it (Cerence's, commercial); none in the PySide6 wheels does,
        Qt's pinyin included.
        """
        path.mkdir(parents=True, exist_ok=True)
        self.root.setProperty("userDataPath", str(path))

    def reset(self) -> None:
        """Drop what is being typed: pinyin letters not yet chosen and the candidates."""
        self._input_method.reset()

    def _compiled(self, status: QQmlComponent.Status) -> None:
        component = self._compiling
        if component is None or status == QQmlComponent.Status.Loading:
            return
        self._compiling = None
        component.deleteLater()
        if status == QQmlComponent.Status.Ready:
            self.view.setSource(component.url())
        root = self.view.rootObject()
        if root is None:
            errors = "; ".join(e.toString() for e in component.errors() + self.view.errors())
            log.error("the on-screen keyboard did not load: %s", errors)
            return
        root.implicitHeightChanged.connect(self._fit)
        self._fit()
        self.ready.emit()
        self._focus_changed()

    def _fit(self) -> None:
        self.setFixedHeight(max(1, round(self.root.implicitHeight())))

    def _in_this_window(self, widget: QWidget | None) -> bool:
        return _takes_text(widget) and widget is not None and widget.window() is self.window()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        kind = event.type()
        if kind == QEvent.Type.FocusIn and isinstance(watched, QWidget):
            self._focus_changed()  # the new focus widget is already QApplication's
        elif kind == QEvent.Type.FocusOut and isinstance(watched, QWidget):
            QTimer.singleShot(0, self, self._focus_changed)  # gone nowhere? then hide
        return False

    def _focus_changed(self) -> None:
        if self._in_this_window(QApplication.focusWidget()):
            self._input_method.show()
        else:
            self._input_method.hide()
        self._sync()

    def _sync(self) -> None:
        wanted = (
            self.is_ready()
            and self._in_this_window(QApplication.focusWidget())
            and self._input_method.isVisible()
        )
        if wanted != self.isHidden():
            return
        if not wanted and self.is_ready() and self.root.property("preeditText"):
            # Hidden by its own key: the letters become the first candidate, as when the focus
            # moves on. Left in the field, they would swallow the next touch on it.
            self._input_method.commit()
        self.setVisible(wanted)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        """Shown, or taller: the screen above is about to lose height."""
        super().resizeEvent(event)
        QTimer.singleShot(0, self, self._reveal_focus)

    def _reveal_focus(self) -> None:
        # The screen above shrinks when the window's layouts next run: run them first.
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        focus = QApplication.focusWidget()
        parent = focus.parentWidget() if focus is not None else None
        while focus is not None and parent is not None:
            if isinstance(parent, QScrollArea):
                parent.ensureWidgetVisible(focus)
            parent = parent.parentWidget()
