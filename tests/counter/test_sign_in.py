"""The sign-in dialog and the idle lock, driven through the real widgets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from app.accounts import MAX_FAILURES, Accounts, Operator, wrong
from app.cases.audit import Actor
from app.db.engine import Database, make_engine
from app.db.migrate import upgrade
from app.errors import StorageError
from counter.ui.sign_in import IdleLock, SignInDialog


@pytest.fixture
def accounts(tmp_path: Path) -> Iterator[Accounts]:
    engine = make_engine(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    upgrade(engine)
    accounts = Accounts(Database(engine))
    accounts.add("zhangmin", "张敏", "counter-secret", by=Actor("admin", "t"))
    yield accounts
    engine.dispose()


def test_wrong_then_right_password(qtbot: QtBot, accounts: Accounts, tmp_path: Path) -> None:
    dialog = SignInDialog(lambda u, p: accounts.sign_in(u, p, terminal="counter-03"))
    qtbot.addWidget(dialog)
    dialog.show()
    username = dialog.findChild(QLineEdit, "username")
    password = dialog.findChild(QLineEdit, "password")
    message = dialog.findChild(QLabel, "message")
    button = dialog.findChild(QPushButton, "sign_in")
    assert username and password and message and button
    qtbot.keyClicks(username, "zhangmin")
    qtbot.keyClicks(password, "wrong-one")
    with qtbot.waitSignal(dialog.tried, timeout=10_000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert (
            message.text() == "正在登录…" and not button.isEnabled()
        )  # checked off the GUI thread
    assert "用户名或密码不对" in message.text() and password.text() == "" and dialog.isVisible()
    assert button.isEnabled() and password.hasFocus()
    qtbot.keyClicks(password, "counter-secret")
    with qtbot.waitSignal(dialog.tried, timeout=10_000):
        qtbot.keyClick(password, Qt.Key.Key_Return)
    assert dialog.operator is not None and dialog.operator.display_name == "张敏"
    assert dialog.result() == SignInDialog.DialogCode.Accepted
    dialog.grab().save(str(tmp_path / "sign_in.png"))


def test_an_unknown_name_reads_as_a_wrong_password(qtbot: QtBot, accounts: Accounts) -> None:
    """The dialog shows the one refusal, with its hint, whichever part was wrong."""
    said = []
    for name in ("zhangmin", "nobody"):
        dialog = SignInDialog(lambda u, p: accounts.sign_in(u, p, terminal="counter-03"))
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.username.setText(name)
        dialog.password.setText("wrong-one")
        with qtbot.waitSignal(dialog.tried, timeout=10_000):
            qtbot.mouseClick(dialog.button, Qt.MouseButton.LeftButton)
        assert dialog.isVisible() and dialog.operator is None and dialog.password.text() == ""
        said.append(dialog.message.text())
    assert said == [str(wrong(MAX_FAILURES - 1))] * 2
    assert said[0] == "用户名或密码不对。还可以再试 4 次；忘记密码请找大厅管理员重置。"


def test_the_screen_locks_when_idle(qtbot: QtBot) -> None:
    """On demand is the window's Ctrl+L (tests/counter/test_shortcuts.py)."""
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    lock = IdleLock(window, idle_ms=150)
    with qtbot.waitSignal(lock.locked, timeout=3000):
        pass  # nobody touches anything


def test_a_database_that_cannot_answer_is_said_in_the_dialog(
    qtbot: QtBot, accounts: Accounts
) -> None:
    """The hall's database gone (a network cable out): the dialog says so and what to do, keeps
    the password typed, and the next try goes through."""
    down = True

    def sign_in(username: str, password: str) -> Operator:
        if down:
            raise StorageError(
                "无法连接数据库，这次操作没有保存。", hint="请检查网络和数据库服务器。"
            )
        return accounts.sign_in(username, password, terminal="counter-03")

    dialog = SignInDialog(sign_in)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.username.setText("zhangmin")
    dialog.password.setText("counter-secret")
    with qtbot.waitSignal(dialog.tried, timeout=10_000):
        qtbot.mouseClick(dialog.button, Qt.MouseButton.LeftButton)
    assert dialog.message.text().startswith("无法连接数据库") and dialog.isVisible()
    assert dialog.password.text() == "counter-secret" and dialog.button.isEnabled()
    down = False
    with qtbot.waitSignal(dialog.tried, timeout=10_000):
        qtbot.mouseClick(dialog.button, Qt.MouseButton.LeftButton)
    assert dialog.operator is not None and dialog.operator.display_name == "张敏"
