"""A counter or kiosk that cannot start shows a window with the Chinese message and what to do,
not only a line on a terminal nobody watches; the command line still says it and fails."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from app.errors import KeysError, OneStopError, SharedDatabase
from app.settings import Settings
from tests.helpers.cores import Cores


def answered(start: Callable[[], int], shots: Path) -> tuple[QMessageBox, OneStopError]:
    """Run ``start``; save a picture of the start-up window it shows in ``shots`` (for a person
    to look at), close it and return it with the error raised."""
    shown: list[QMessageBox] = []

    def close_when_shown() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            shown.append(box)
            box.grab().save(str(shots / f"{box.objectName()}.png"))
            box.accept()
        else:
            QTimer.singleShot(20, close_when_shown)

    QTimer.singleShot(0, close_when_shown)
    with pytest.raises(OneStopError) as raised:
        start()
    assert shown, "no window said why"
    return shown[0], raised.value


def no_keys(tmp_path: Path, **sections: object) -> Settings:
    return Settings(
        data_dir=tmp_path / "data", security={"key_file": tmp_path / "nowhere.toml"}, **sections
    )


def test_a_counter_without_the_hall_key_file_says_so_in_a_window(
    qtbot: QtBot, tmp_path: Path
) -> None:
    from counter.main import run

    box, error = answered(lambda: run(no_keys(tmp_path)), tmp_path)
    assert isinstance(error, KeysError)
    assert box.windowTitle() == "综合窗口无法启动"
    assert "本机没有大厅密钥文件" in box.text()
    assert "onestop keys init" in box.informativeText()
    assert (tmp_path / "startup_failure.png").stat().st_size > 0


def test_a_kiosk_that_cannot_start_tells_the_citizen_where_to_go(
    qtbot: QtBot, tmp_path: Path
) -> None:
    from kiosk.main import run

    settings = no_keys(tmp_path, terminal={"name": "kiosk-01", "channel": "kiosk"})
    box, error = answered(lambda: run(settings, windowed=True), tmp_path)
    assert isinstance(error, KeysError)
    assert box.windowTitle() == "自助终端无法启动"
    assert box.text() == "本机暂停服务，请到人工窗口办理。"
    assert "（工作人员请看）本机没有大厅密钥文件" in box.informativeText()


def test_a_counter_on_another_terminals_sqlite_file_says_why_in_a_window(
    qtbot: QtBot, tmp_path: Path, cores: Cores
) -> None:
    from counter.main import run

    cores("data", terminal={"name": "kiosk-01", "channel": "kiosk"})  # the kiosk writes there
    box, error = answered(lambda: run(Settings(data_dir=tmp_path / "data")), tmp_path)
    assert isinstance(error, SharedDatabase)
    assert "终端 kiosk-01" in box.text()
    assert "PostgreSQL" in box.informativeText()
