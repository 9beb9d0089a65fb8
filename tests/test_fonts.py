"""Chinese must render in widgets: without a CJK font Qt draws boxes and says nothing."""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase
from pytestqt.qtbot import QtBot


def test_a_simplified_chinese_font_is_installed(qtbot: QtBot) -> None:
    families = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    assert families, "no CJK font: install fonts-noto-cjk (make test does it)"
