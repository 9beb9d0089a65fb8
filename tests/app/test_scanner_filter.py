"""The keyboard-wedge filter in a real Qt window: a scanner's burst is a signal, typing is typing."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from app.widgets.scanner import ScannerFilter


def test_a_burst_is_a_scan_and_slow_keys_reach_the_field(qtbot: QtBot) -> None:
    edit = QLineEdit()
    qtbot.addWidget(edit)
    edit.show()
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus, timeout=2000)
    app = QApplication.instance()
    assert app is not None
    scanner = ScannerFilter(quiet_ms=60)
    app.installEventFilter(scanner)
    try:
        with qtbot.waitSignal(scanner.scanned, timeout=2000) as scan:
            qtbot.keyClicks(edit, "OS1:430100001-20261123-00001:ABC")  # as fast as a scanner
            qtbot.keyClick(edit, Qt.Key.Key_Return)
        assert scan.args == ["OS1:430100001-20261123-00001:ABC"] and edit.text() == ""
        # A person, 120 ms a key (QTest can only type Latin-1; Chinese comes through an input
        # method as committed text, which this filter does not touch).
        for char in "Li 138":
            qtbot.keyClicks(edit, char)
            qtbot.wait(120)
        qtbot.waitUntil(lambda: edit.text() == "Li 138", timeout=2000)
        qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)  # passes at once
        assert edit.selectedText() == "Li 138"
    finally:
        app.removeEventFilter(scanner)
