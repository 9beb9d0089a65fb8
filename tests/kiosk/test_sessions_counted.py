"""Each citizen's use of the kiosk is counted when it is wiped — when, in 长辈模式 at any moment or
not, pre-applied or not — with nothing about who (GB/T 45836 §8.1 d); a wipe on the quiet start
screen counts nothing."""

from __future__ import annotations

from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.bootstrap import Core
from app.db.models import KioskSessionRow
from kiosk.ui.window import KioskWindow
from tests.kiosk.screens import to_plan


def counted(core: Core) -> list[tuple[str, bool, bool]]:
    with core.db.read() as session:
        rows = session.scalars(select(KioskSessionRow).order_by(KioskSessionRow.id)).all()
        return [(r.terminal, r.elderly, r.submitted) for r in rows]


def test_sessions_are_counted_with_their_elderly_mode(
    qtbot: QtBot, window: KioskWindow, core: Core
) -> None:
    window.wipe()  # nobody came: nothing to count
    qtbot.waitUntil(lambda: not window.work.busy, timeout=10_000)
    assert counted(core) == []

    to_plan(window)
    window.toggle_elderly()  # switched on half-way: an elderly session
    window.toggle_elderly()
    window.wipe()
    qtbot.waitUntil(lambda: len(counted(core)) == 1, timeout=10_000)

    to_plan(window)
    window.wipe()
    qtbot.waitUntil(lambda: len(counted(core)) == 2, timeout=10_000)
    assert counted(core) == [("kiosk-01", True, False), ("kiosk-01", False, False)]
    with core.db.read() as session:
        first = session.scalars(select(KioskSessionRow)).first()
        assert first is not None and first.ended_at >= first.started_at
