"""The on-screen keyboard, driven through its keys: touches on the InputPanel's key items."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtQuick import QQuickItem
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from kiosk import keyboard
from kiosk.keyboard import KeyboardPanel, KeyboardUnavailable

needs_keyboard = pytest.mark.skipif(
    os.environ.get("QT_IM_MODULE") != "qtvirtualkeyboard",
    reason="the virtual keyboard needs QT_IM_MODULE=qtvirtualkeyboard before the QApplication",
)
WAIT_MS = 3000


@dataclass
class Kiosk:
    window: QWidget
    scroll: QScrollArea
    name: QLineEdit
    phone: QLineEdit
    id_number: QLineEdit
    code: QLineEdit
    button: QPushButton
    panel: KeyboardPanel


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The engine's dictionary and the QML cache go under tmp_path."""
    for var, sub in (
        ("HOME", "home"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_DATA_HOME", "data"),
    ):
        (tmp_path / sub).mkdir(mode=0o700)
        monkeypatch.setenv(var, str(tmp_path / sub))
    return tmp_path / "config"


@pytest.fixture
def kiosk(qtbot: QtBot, config: Path) -> Iterator[Kiosk]:
    window = QWidget()
    outer = QVBoxLayout(window)
    outer.setContentsMargins(0, 0, 0, 0)
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    screen = QWidget()
    form = QVBoxLayout(screen)
    name, phone, id_number, code = QLineEdit(), QLineEdit(), QLineEdit(), QLineEdit()
    keyboard.for_chinese(name)
    keyboard.for_digits(phone)
    keyboard.for_id_number(id_number)
    keyboard.for_code(code)
    button = QPushButton("下一步")
    form.addWidget(button)
    form.addSpacing(500)  # the fields sit low, where a keyboard would cover them
    for edit in (name, phone, id_number, code):
        form.addWidget(edit)
    scroll.setWidget(screen)
    outer.addWidget(scroll)
    panel = KeyboardPanel()
    outer.addWidget(panel)
    window.resize(1024, 768)
    with qtbot.waitSignal(panel.ready, timeout=10_000):
        window.show()
    qtbot.waitExposed(window)
    yield Kiosk(window, scroll, name, phone, id_number, code, button, panel)
    gone: list[bool] = []
    panel.destroyed.connect(lambda: gone.append(True))
    window.close()
    window.deleteLater()
    qtbot.waitUntil(lambda: bool(gone), timeout=WAIT_MS)  # one InputPanel at a time


def _prop(item: QQuickItem, name: str) -> object:
    """The item's property, or None if it has none.

    PySide6 6.12's QObject.property() returns None for a missing property without counting the
    reference: called often enough, the interpreter aborts ("none_dealloc").
    """
    return item.property(name) if item.metaObject().indexOfProperty(name) >= 0 else None


def _items(item: QQuickItem) -> Iterator[QQuickItem]:
    yield item
    for child in item.childItems():
        yield from _items(child)


def keys(panel: KeyboardPanel) -> dict[str, QQuickItem]:
    """The keys on show, by the text they type (or show, for function keys)."""
    found: dict[str, QQuickItem] = {}
    for item in _items(panel.root):
        if _prop(item, "keyType") is None or not item.isVisible() or item.width() <= 0:
            continue
        label = _prop(item, "text") or _prop(item, "displayText")
        if label:
            found.setdefault(str(label), item)
    return found


def touch(panel: KeyboardPanel, item: QQuickItem) -> None:
    centre = item.mapToScene(QPointF(item.width() / 2, item.height() / 2)).toPoint()
    QTest.mouseClick(panel.view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)


def tap(qtbot: QtBot, panel: KeyboardPanel, *labels: str) -> None:
    """Touch the keys in turn; a key may need a moment to appear after the one before."""
    for label in labels:

        def shown(label: str = label) -> bool:
            return label in keys(panel)

        qtbot.waitUntil(shown, timeout=WAIT_MS)
        touch(panel, keys(panel)[label])


def candidates(panel: KeyboardPanel) -> list[str]:
    model = panel.root.property("wordCandidates")
    return [str(model.data(model.index(row, 0))) for row in range(model.rowCount())]


def pick(qtbot: QtBot, panel: KeyboardPanel, word: str) -> None:
    """Touch the candidate in the bar above the keys."""
    bar = panel.root.findChild(QQuickItem, "wordCandidateView")
    assert bar is not None

    def shown() -> QQuickItem | None:
        inside = bar.mapRectToScene(bar.boundingRect())
        return next(
            (
                item
                for item in _items(bar)
                if _prop(item, "text") == word
                and item.isVisible()
                and inside.contains(item.mapRectToScene(item.boundingRect()))
            ),
            None,
        )

    qtbot.waitUntil(lambda: shown() is not None, timeout=WAIT_MS)
    item = shown()
    assert item is not None
    touch(panel, item)


def _hide_key(panel: KeyboardPanel) -> QQuickItem:
    hide_keyboard_key = 6  # QtVirtualKeyboard.KeyType.HideKeyboardKey
    return next(
        item
        for item in _items(panel.root)
        if _prop(item, "keyType") == hide_keyboard_key and item.isVisible() and item.width() > 0
    )


def _seen(kiosk: Kiosk, edit: QWidget) -> bool:
    """The field is inside the scroll area's viewport and above the keyboard."""
    window = kiosk.window
    top_left = edit.mapTo(window, QPoint(0, 0))
    field = edit.rect().translated(top_left)
    viewport = kiosk.scroll.viewport()
    shown = viewport.rect().translated(viewport.mapTo(window, QPoint(0, 0)))
    panel = kiosk.panel.geometry()
    return (
        kiosk.panel.isVisible()
        and window.rect().contains(panel)
        and shown.contains(field)
        and not field.intersects(panel)
    )


def focus(qtbot: QtBot, kiosk: Kiosk, edit: QWidget) -> None:
    edit.setFocus()
    qtbot.waitUntil(lambda: _seen(kiosk, edit), timeout=WAIT_MS)


def test_hints_per_field(qapp: QApplication) -> None:
    edit = QLineEdit()
    keyboard.for_id_number(edit)
    assert edit.inputMethodHints() & Qt.InputMethodHint.ImhDigitsOnly
    assert edit.inputMethodHints() & Qt.InputMethodHint.ImhUppercaseOnly
    keyboard.for_chinese(edit)
    assert edit.inputMethodHints() == Qt.InputMethodHint.ImhNone


def test_configure_environment_before_the_application() -> None:
    code = (
        "import os\n"
        "from kiosk.keyboard import configure_environment\n"
        "configure_environment()\n"
        "print(os.environ['QT_IM_MODULE'], os.environ['QT_VIRTUALKEYBOARD_DESKTOP_DISABLE'],"
        " os.environ['QT_QUICK_BACKEND'])\n"
    )
    env = {**os.environ, "QT_QUICK_BACKEND": "rhi"}
    env.pop("QT_IM_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=60,
    )
    assert result.stdout.split() == ["qtvirtualkeyboard", "1", "rhi"]


def test_configure_environment_after_the_application_is_refused(qapp: QApplication) -> None:
    with pytest.raises(KeyboardUnavailable):
        keyboard.configure_environment()


@needs_keyboard
def test_pinyin_types_chinese(qtbot: QtBot, kiosk: Kiosk) -> None:
    panel = kiosk.panel
    focus(qtbot, kiosk, kiosk.name)
    tap(qtbot, panel, "n", "i", "h", "a", "o")
    qtbot.waitUntil(lambda: panel.root.property("preeditText") == "ni hao", timeout=WAIT_MS)
    assert candidates(panel)[0] == "你好"
    pick(qtbot, panel, "你好")
    qtbot.waitUntil(lambda: kiosk.name.text() == "你好", timeout=WAIT_MS)
    assert kiosk.name.hasFocus()
    tap(qtbot, panel, "z", "h", "a", "n", "g", " ")  # the space key takes the first candidate
    qtbot.waitUntil(lambda: kiosk.name.text() == "你好张", timeout=WAIT_MS)


@needs_keyboard
def test_id_number_keys_are_digits_and_x(qtbot: QtBot, kiosk: Kiosk) -> None:
    focus(qtbot, kiosk, kiosk.id_number)
    qtbot.waitUntil(lambda: "X" in keys(kiosk.panel), timeout=WAIT_MS)
    letters = {label for label in keys(kiosk.panel) if label.isalpha() and label != "X"}
    assert not letters
    tap(qtbot, kiosk.panel, *"11010519491231002", "X")
    qtbot.waitUntil(lambda: kiosk.id_number.text() == "11010519491231002X", timeout=WAIT_MS)
    assert kiosk.panel.root.property("layoutUrl").endswith("IdNumberLayout.qml")
    # From the ID number to a phone: both digit pads, but the phone's has no X.
    focus(qtbot, kiosk, kiosk.phone)
    qtbot.waitUntil(lambda: "X" not in keys(kiosk.panel), timeout=WAIT_MS)
    tap(qtbot, kiosk.panel, *"13800138000")
    qtbot.waitUntil(lambda: kiosk.phone.text() == "13800138000", timeout=WAIT_MS)
    # And back to a Chinese field: pinyin again.
    focus(qtbot, kiosk, kiosk.id_number)
    qtbot.waitUntil(lambda: "X" in keys(kiosk.panel), timeout=WAIT_MS)
    focus(qtbot, kiosk, kiosk.name)
    tap(qtbot, kiosk.panel, "n", "i")
    qtbot.waitUntil(lambda: kiosk.panel.root.property("preeditText") == "ni", timeout=WAIT_MS)


@needs_keyboard
def test_code_types_capitals_and_digits(qtbot: QtBot, kiosk: Kiosk) -> None:
    focus(qtbot, kiosk, kiosk.code)
    tap(qtbot, kiosk.panel, "m", "a")
    qtbot.waitUntil(lambda: kiosk.code.text() == "MA", timeout=WAIT_MS)
    assert kiosk.panel.root.property("preeditText") == ""  # letters, not pinyin
    tap(qtbot, kiosk.panel, "&123", "9", "1")
    qtbot.waitUntil(lambda: kiosk.code.text() == "MA91", timeout=WAIT_MS)


@needs_keyboard
def test_shows_for_text_fields_only_and_never_covers_the_field(qtbot: QtBot, kiosk: Kiosk) -> None:
    panel = kiosk.panel
    assert panel.isHidden()
    kiosk.code.setFocus()
    qtbot.waitUntil(panel.isVisible, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: _seen(kiosk, kiosk.code), timeout=WAIT_MS)
    assert panel.keyboard_height() == panel.height() > 200
    kiosk.button.setFocus()
    qtbot.waitUntil(panel.isHidden, timeout=WAIT_MS)
    kiosk.name.setFocus()
    qtbot.waitUntil(panel.isVisible, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: _seen(kiosk, kiosk.name), timeout=WAIT_MS)
    # The keyboard's own hide key: the field keeps its focus, a touch on it brings the keys back.
    tap(qtbot, panel, "n", "i")
    touch(panel, _hide_key(panel))
    qtbot.waitUntil(panel.isHidden, timeout=WAIT_MS)
    assert kiosk.name.hasFocus()
    assert kiosk.name.text() == "你"  # what was typed is kept, as when the focus moves on
    centre = kiosk.name.rect().center()
    QTest.mouseClick(kiosk.name, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
    qtbot.waitUntil(panel.isVisible, timeout=WAIT_MS)
    kiosk.name.clearFocus()
    qtbot.waitUntil(panel.isHidden, timeout=WAIT_MS)


@needs_keyboard
def test_reset_drops_letters_and_candidates(qtbot: QtBot, kiosk: Kiosk) -> None:
    panel = kiosk.panel
    focus(qtbot, kiosk, kiosk.name)
    tap(qtbot, panel, "w", "a", "n", "g")
    qtbot.waitUntil(lambda: panel.root.property("preeditText") == "wang", timeout=WAIT_MS)
    assert candidates(panel)
    panel.reset()
    qtbot.waitUntil(lambda: panel.root.property("preeditText") == "", timeout=WAIT_MS)
    assert candidates(panel) == []
    assert kiosk.name.text() == ""


def _type_a_new_word(qtbot: QtBot, kiosk: Kiosk) -> None:
    """泥号: two picks that are not the engine's first choice, the kind of word it learns."""
    panel = kiosk.panel
    tap(qtbot, panel, "n", "i", "h", "a", "o")
    pick(qtbot, panel, "泥")
    pick(qtbot, panel, "号")
    qtbot.waitUntil(lambda: kiosk.name.text().endswith("泥号"), timeout=WAIT_MS)
    kiosk.name.clear()


def _offered_for_nihao(qtbot: QtBot, kiosk: Kiosk) -> list[str]:
    panel = kiosk.panel
    tap(qtbot, panel, "n", "i", "h", "a", "o")
    qtbot.waitUntil(lambda: panel.root.property("preeditText") == "ni hao", timeout=WAIT_MS)
    offered = candidates(panel)
    panel.reset()
    return offered


def _learn(qtbot: QtBot, kiosk: Kiosk, on: bool) -> None:
    """Learning on or off takes effect at the engine's next reset (a new field, or reset())."""
    kiosk.panel.root.setProperty("learnWords", on)
    QGuiApplication.inputMethod().update(Qt.InputMethodQuery.ImQueryAll)
    sensitive = Qt.InputMethodHint.ImhSensitiveData.value
    qtbot.waitUntil(
        lambda: bool(kiosk.panel.root.property("effectiveHints") & sensitive) != on,
        timeout=WAIT_MS,
    )
    kiosk.panel.reset()


@needs_keyboard
def test_the_engine_learns_no_words(qtbot: QtBot, kiosk: Kiosk, config: Path) -> None:
    focus(qtbot, kiosk, kiosk.name)
    _type_a_new_word(qtbot, kiosk)
    assert "泥号" not in _offered_for_nihao(qtbot, kiosk)
    dictionary = keyboard.pinyin_user_dictionary()
    assert dictionary.is_relative_to(config)
    assert "泥号".encode("utf-16-le") not in dictionary.read_bytes()


@needs_keyboard
def test_what_a_wipe_can_clear_when_learning_is_on(
    qtbot: QtBot, kiosk: Kiosk, tmp_path: Path
) -> None:
    """Why learning stays off: what the engine keeps, where, and what takes it away."""
    focus(qtbot, kiosk, kiosk.name)
    session = tmp_path / "session"
    kiosk.panel.set_user_data_path(session)
    assert kiosk.panel.root.property("effectiveUserDataPath") == str(session)
    _learn(qtbot, kiosk, True)
    try:
        _type_a_new_word(qtbot, kiosk)
        assert "泥号" in _offered_for_nihao(qtbot, kiosk)  # learned, in memory
        # Neither a reset nor a new userDataPath forgets it; pinyin never writes there.
        kiosk.panel.reset()
        kiosk.panel.set_user_data_path(tmp_path / "next-session")
        assert "泥号" in _offered_for_nihao(qtbot, kiosk)
        assert not any(session.iterdir())
        # The engine writes what it learned to its file when the dictionary closes ...
        dictionary = keyboard.pinyin_user_dictionary()
        assert "泥号".encode("utf-16-le") not in dictionary.read_bytes()
        _learn(qtbot, kiosk, False)
        assert "泥号".encode("utf-16-le") in dictionary.read_bytes()
        # ... and reads the file again when it opens: only emptying the file in between forgets.
        keyboard.clear_pinyin_user_dictionary()
        _learn(qtbot, kiosk, True)
        assert "泥号" not in _offered_for_nihao(qtbot, kiosk)
    finally:
        _learn(qtbot, kiosk, False)
        keyboard.clear_pinyin_user_dictionary()


def test_keyboard_needs_the_environment(
    qapp: QApplication, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("QT_IM_MODULE", raising=False)
    with pytest.raises(KeyboardUnavailable, match="configure_environment"):
        KeyboardPanel()


@needs_keyboard
def test_a_keyboard_that_does_not_load_is_logged_and_stays_hidden(
    qtbot: QtBot, config: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "Broken.qml"
    broken.write_text("import QtQuick\nItem { width: }\n", encoding="utf-8")
    window = QWidget()
    layout = QVBoxLayout(window)
    edit = QLineEdit()
    layout.addWidget(edit)
    panel = KeyboardPanel(source=broken)
    layout.addWidget(panel)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: "did not load" in caplog.text, timeout=WAIT_MS)
    assert "Broken.qml" in caplog.text
    edit.setFocus()
    qtbot.wait(50)
    assert not panel.is_ready()
    assert panel.isHidden()
