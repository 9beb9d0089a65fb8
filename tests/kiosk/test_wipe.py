"""The next person never sees the last one's data. A citizen reads her ID card, types on the
identify screen, fills the form, captures a page, copies her name, prints while the ticket
printer is out of paper — and walks away. The (injected) clock runs out: the countdown asks
first, then the session is wiped. Then nothing of her is anywhere: the widget tree's texts, the
presenters' state, the temp folder, the ticket printer's queue, the pinyin engine's learned
words, the clipboard."""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLabel,
    QLineEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.devices.simulated import TEST_PERSONS
from kiosk import keyboard
from kiosk.ui.window import KioskWindow
from tests.helpers.clock import Clock
from tests.kiosk.screens import Roll, idle, press, to_plan, type_into

PERSON = TEST_PERSONS[0]
NEEDLES = (PERSON.name, PERSON.id_number, PERSON.address)


def widget_texts(window: KioskWindow) -> Iterator[str]:
    for widget in [window, *window.findChildren(QWidget)]:
        yield widget.toolTip()
        yield widget.accessibleName()
        if isinstance(widget, QLabel | QAbstractButton | QLineEdit):
            yield widget.text()
        if isinstance(widget, QLineEdit):
            yield widget.placeholderText()
            assert not widget.isUndoAvailable(), widget.objectName()  # no history to undo into


def python_state(root: object, *, skip: tuple[object, ...]) -> Iterator[str]:
    """Every string reachable from ``root`` through Python attributes and containers (the
    presenters, the screens' own fields), not through ``skip``."""
    seen: set[int] = {id(s) for s in skip}
    todo: list[tuple[object, int]] = [(root, 0)]
    while todo:
        obj, depth = todo.pop()
        if id(obj) in seen or depth > 8:
            continue
        seen.add(id(obj))
        if isinstance(obj, str):
            yield obj
        elif isinstance(obj, bytes):
            yield obj.decode("utf-8", "replace")
        elif isinstance(obj, dict):
            todo += [(x, depth + 1) for pair in obj.items() for x in pair]
        elif isinstance(obj, list | tuple | set | frozenset):
            todo += [(x, depth + 1) for x in obj]
        elif dataclasses.is_dataclass(obj) or hasattr(obj, "__dict__"):
            fields: dict[str, Any] = getattr(obj, "__dict__", {})
            todo += [(x, depth + 1) for x in fields.values()]


def files_under(folder: Path) -> Iterator[str]:
    for path in folder.rglob("*"):
        if path.is_file():
            yield path.read_bytes().decode("utf-8", "replace")


@pytest.fixture
def temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "session-temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_idle_wipe_leaves_nothing(
    qtbot: QtBot, window: KioskWindow, clock: Clock, roll: Roll, temp: Path
) -> None:
    journey = window.station.journey
    press(window, "read_card")
    idle(qtbot, window)
    to_plan(window)
    window.go("identify")  # she tried typing first
    type_into(window, "typed_name", PERSON.name)
    type_into(window, "typed_number", PERSON.id_number)
    window.go("form")
    name = window.findChild(QLineEdit, "field_applicant.name")
    assert name is not None and name.text() == PERSON.name
    type_into(window, "field_applicant.name", PERSON.name)
    window.go("capture")
    press(window, "capture_take")
    idle(qtbot, window)
    assert journey.page_count() == 1
    roll.out = True
    window.go("plan")
    press(window, "print_ticket")
    idle(qtbot, window)
    assert roll.waiting  # kept for a reprint…
    QGuiApplication.clipboard().setText(f"{PERSON.name} {PERSON.id_number}")
    assert PERSON.name in " ".join(widget_texts(window))  # the search finds her while she is here

    clock.advance(window.idle.limit_s + 1)  # still: the countdown asks first
    qtbot.waitUntil(window.countdown.isVisible, timeout=5_000)
    assert "还需要更多时间吗" in window.countdown.question.text()
    assert window.current().name == "plan"
    clock.advance(window.idle.countdown_s)  # no touch: wiped
    qtbot.waitUntil(lambda: window.current().name == "start", timeout=5_000)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()

    found = [("widget", text) for text in widget_texts(window) if any(n in text for n in NEEDLES)]
    presenters = [journey, *window.screens.values(), window.station.papers]
    skip: tuple[object, ...] = (
        window.station.core,
        window.station.devices,
        journey.in_hand.catalog,
        journey.in_hand.planner,
        window.station.papers.core,
    )
    for root in presenters:
        found += [
            ("state", t) for t in python_state(root, skip=skip) if any(n in t for n in NEEDLES)
        ]
    found += [("temp", t) for t in files_under(temp) if any(n in t for n in NEEDLES)]
    learned = keyboard.pinyin_user_dictionary()
    if learned.exists():
        found += [("ime", t) for t in files_under(learned.parent) if any(n in t for n in NEEDLES)]
    assert found == []
    assert roll.waiting == []  # …and never printed for the next person
    assert QGuiApplication.clipboard().text() == ""
    assert journey.in_hand.applicant is None and journey.pages == {}
    assert not window.countdown.isVisible() and window.message.text() == ""
