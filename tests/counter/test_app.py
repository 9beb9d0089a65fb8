"""The composition root: sign-in, the lock screen over the window (the same clerk or another
signs in again), and the demo world with its reference platform."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app.accounts import Accounts
from app.bootstrap import build_core
from app.cases.audit import Actor
from app.settings import Settings
from counter.main import CounterApp
from sync.demo import DEMO_PASSWORD, DEMO_USER, demo_world


def test_lock_and_sign_in_again(qtbot: QtBot, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "hall")
    core = build_core(settings)
    accounts = Accounts(core.db)
    accounts.add("zhangmin", "张敏", "counter-secret", by=Actor("admin", "t"))
    accounts.add("limei", "李梅", "another-secret", by=Actor("admin", "t"))
    core.close()
    counter = CounterApp(settings)
    try:
        window = counter.start(counter.sign_in("zhangmin", "counter-secret"))
        qtbot.addWidget(window)
        window.show()
        counter.locked()
        assert window.content.isHidden()
        dialog = counter.lock_dialog
        assert dialog.username.text() == "zhangmin"
        dialog.password.setText("wrong-password")
        with qtbot.waitSignal(dialog.tried, timeout=10_000):
            dialog.button.click()
        assert "密码" in dialog.message.text() and window.content.isHidden()
        dialog.username.setText("limei")
        dialog.password.setText("another-secret")
        with qtbot.waitSignal(dialog.tried, timeout=10_000):
            dialog.button.click()
        assert not window.content.isHidden()
        assert window.station.session.actor.name == "李梅"
        assert window.station.session.in_hand.actor.name == "李梅"
        window.close()
    finally:
        counter.close()


def test_demo_world_signs_in_and_syncs(qtbot: QtBot, tmp_path: Path) -> None:
    with demo_world(tmp_path, cases=3) as demo:
        assert demo.settings.platform.url.startswith("http://127.0.0.1:")
        counter = CounterApp(demo.settings)
        try:
            window = counter.start(counter.sign_in(DEMO_USER, DEMO_PASSWORD))
            qtbot.addWidget(window)
            assert counter.sync is not None
            qtbot.waitUntil(
                lambda: window.status.last is not None and window.status.last.online, timeout=20_000
            )
            qtbot.waitUntil(
                lambda: counter.core.outbox.counts().get("pending", 0) == 0, timeout=20_000
            )
            window.close()
        finally:
            counter.close()
