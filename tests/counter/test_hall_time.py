"""Every time a person sees is in the hall's time zone (Beijing), whatever zone the terminal's
clock runs in: the outbox showed UTC while the case numbers and 受理时间 used Beijing time."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.cases.outbox import Message
from app.cases.receipts import hall_time
from counter.ui.outbox import HEADERS, MessageModel

ROOT = Path(__file__).resolve().parents[2]
# Not for people: the kiosk watchdog's heartbeat file carries an ISO time with its offset.
MACHINE_TIMES = {"kiosk/watchdog.py"}


def message(created_at: datetime) -> Message:
    return Message(
        1,
        "430100001-20261123-00017",
        1,
        "submission",
        "k",
        "{}",
        None,
        "pending",
        0,
        created_at,
        "",
        "",
        "",
        created_at,
        None,
    )


def test_the_outbox_shows_beijing_time_on_a_utc_machine(qtbot: QtBot) -> None:
    model = MessageModel()
    model.set_rows([message(datetime(2026, 11, 23, 2, 5, tzinfo=UTC))])
    column = HEADERS.index("生成时间")
    shown = model.data(model.index(0, column), Qt.ItemDataRole.DisplayRole)
    assert shown == "11-23 10:05"
    assert hall_time(datetime(2026, 12, 31, 16, 30, tzinfo=UTC)) == "2027-01-01 00:30"


def test_no_screen_or_document_converts_to_the_machines_zone() -> None:
    """``astimezone()`` without a zone is the machine's zone: every time shown goes through
    ``hall_time`` (or names the hall's zone)."""
    found = []
    for package in ("app", "counter", "kiosk", "printing", "sync"):
        for path in sorted((ROOT / package).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if name in MACHINE_TIMES:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "astimezone"
                    and not node.args
                    and not node.keywords
                ):
                    found.append(f"{name}:{node.lineno}")
    assert not found, found
