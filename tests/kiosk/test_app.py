"""The kiosk's composition root: built from settings against the demo hall, it shows the quiet
start screen, talks to the platform, and closes cleanly."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app.cli.main import build_parser
from kiosk.main import KioskApp, dpi_of
from kiosk.screenshots import gone
from sync.demo import demo_world


def test_demo_kiosk_starts_on_the_quiet_start_screen(qtbot: QtBot, tmp_path: Path) -> None:
    with demo_world(tmp_path, cases=0, terminal="kiosk-01", channel="kiosk") as demo:
        assert demo.settings.terminal.channel == "kiosk"
        kiosk = KioskApp(demo.settings)
        try:
            window = kiosk.start(windowed=True)
            window.show()
            assert window.current().name == "start"
            assert window.station.journey.in_hand.channel == "kiosk"
            assert kiosk.platform is not None and kiosk.platform.health().status
            assert dpi_of(demo.settings) == 96.0  # offscreen cannot tell: the fallback
            window.close()
            gone(window)  # and its keyboard: later tests load their own
        finally:
            kiosk.close()


def test_the_command_is_there() -> None:
    args = build_parser().parse_args(["kiosk", "--demo", "--windowed"])
    assert args.demo and args.windowed and callable(args.run)


def test_screenshots_of_every_screen(tmp_path: Path) -> None:
    from kiosk.screenshots import PORTRAIT, save_screenshots

    saved = save_screenshots(tmp_path, sizes=(PORTRAIT,), modes=(True,))
    names = {path.stem.split("-", 2)[-1] for path in saved}
    assert names == {
        "start",
        "find",
        "question",
        "plan",
        "identify",
        "form",
        "capture",
        "review",
        "ticket",
        "help",
        "progress",
        "rate",
        "demo-scan",
        "staff",
        "staff-status",
    }
    assert all(path.stat().st_size > 10_000 for path in saved)  # drawn, not blank
