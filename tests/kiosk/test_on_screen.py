"""The kiosk's window on its screen. For real: the kiosk started on an X server without a window
manager (Xvfb, the deployment the docs describe) covers its screen in portrait and landscape,
and ``--windowed`` stays inside the desktop. Offscreen: it follows its screen's changes, the
windowed size keeps the kiosk's shape, and the screenshots are exactly the panel's size.

The X server tests need ``xvfb-run`` (package xvfb); without it they are skipped, unless
ONESTOP_REQUIRE_XVFB=1 says the machine must have it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMargins, QRect, QSize
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.accounts import hash_password
from app.bootstrap import Core
from app.devices.drivers import Devices
from app.devices.simulated import SimulatedCapture, SimulatedIdReader
from kiosk.idle import IdleWatch
from kiosk.papers import KioskPapers
from kiosk.screenshots import LANDSCAPE, PORTRAIT, walk
from kiosk.ui.fit import KIOSK_SHAPE, ScreenFit, windowed_rect
from kiosk.ui.theme import CALM
from kiosk.ui.window import KioskWindow
from sync.demo import DEMO_PIN
from tests import xvfb
from tests.helpers.cases import accepted
from tests.helpers.clock import Clock
from tests.kiosk.screens import Roll, Tray, journey_for


def on_x(tmp_path: Path, size: tuple[int, int], *args: str) -> dict[str, Any]:
    """Start the kiosk on a fresh Xvfb screen of ``size``, no window manager; its report."""
    done = xvfb.run_python(
        "-m",
        "tests.kiosk.on_x",
        str(tmp_path / "data"),
        *args,
        home=tmp_path / "home",
        screen=f"{size[0]}x{size[1]}",
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


@pytest.mark.parametrize("size", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
def test_the_kiosk_covers_its_screen_without_a_window_manager(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    report = on_x(tmp_path, size)
    assert report["platform"] == "xcb"
    assert report["screen"] == [0, 0, *size]
    assert report["window"] == report["screen"]
    # The X server's picture: the bar at the top corners, the kiosk's page at the bottom ones
    # (an uncovered Xvfb screen is black there).
    top_left, top_right, bottom_left, bottom_right = report["corners"]
    assert bottom_left == bottom_right == CALM and top_left == top_right != "#000000"
    buttons = report["buttons"]
    assert isinstance(buttons, dict)
    for name in ("home", "exit", "tile_身后"):
        x, y, width, height = buttons[name]
        assert QRect(0, 0, *size).contains(QRect(x, y, width, height)), name


def test_windowed_fits_a_1080_high_desktop(tmp_path: Path) -> None:
    report = on_x(tmp_path, LANDSCAPE, "--windowed")
    available = QRect(*report["available"])
    assert available.contains(QRect(*report["frame"]))
    x, y, width, height = report["window"]
    assert height == available.height() and abs(width / height - 1080 / 1920) < 0.01
    buttons = report["buttons"]
    assert isinstance(buttons, dict)
    for name in ("home", "exit"):
        bx, by, bw, bh = buttons[name]
        assert QRect(x, y, width, height).contains(QRect(bx, by, bw, bh)), name


def test_windowed_keeps_the_kiosks_shape_inside_the_desktop() -> None:
    desk = QRect(0, 0, 1920, 1040)  # a 1080-high screen less a 40-pixel panel
    frame = QMargins(4, 30, 4, 4)
    inner = windowed_rect(desk, frame)
    assert desk.contains(inner.marginsAdded(frame))
    assert inner.height() == 1040 - 34 and abs(inner.width() / inner.height() - 0.5625) < 0.01
    assert windowed_rect(QRect(0, 0, 2160, 3840), QMargins()).size() == KIOSK_SHAPE  # no larger


def test_it_follows_its_screen(qtbot: QtBot, window: KioskWindow) -> None:
    fit = ScreenFit(window, windowed=False)
    fit.start()
    screen = window.screen()
    assert window.geometry() == screen.geometry()
    window.setGeometry(0, 0, 720, 1036)  # where it was left
    screen.geometryChanged.emit(screen.geometry())  # the panel turned or changed its mode
    assert window.geometry() == screen.geometry()
    window.setGeometry(0, 0, 720, 1036)
    handle = window.windowHandle()
    assert handle is not None
    handle.screenChanged.emit(screen)  # moved to another screen
    assert window.geometry() == screen.geometry()


@pytest.mark.parametrize("size", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
def test_no_screen_makes_the_window_larger_than_the_panel(
    window: KioskWindow, size: tuple[int, int]
) -> None:
    window.resize(*size)
    window.toggle_elderly()
    for name in ("start", "form", "review", "help", "staff"):
        window.go(name)
        QApplication.processEvents()
        hint = window.minimumSizeHint()
        assert hint.width() <= size[0] and hint.height() <= size[1], (name, hint)
        assert window.size() == QSize(*size), name
        exit_button = window.findChild(QAbstractButton, "exit")
        assert exit_button is not None and exit_button.isVisible()


def test_no_screen_is_squeezed_on_a_landscape_panel_in_elderly_mode(
    qtbot: QtBot, core: Core
) -> None:
    """What does not fit scrolls: no screen gets less height than its layout needs (buttons
    drawn over each other), and no widget less than its minimum."""
    core.settings = core.settings.model_copy(
        update={
            "kiosk": core.settings.kiosk.model_copy(
                update={"staff_pin_hash": hash_password(DEMO_PIN)}
            )
        }
    )
    accepted(core.cases, core.catalog)
    papers = KioskPapers(core)
    papers.a4, papers.tickets = Tray(), Roll()
    window = KioskWindow(
        core,
        journey_for(core),
        Devices(SimulatedIdReader(), SimulatedCapture()),
        papers=papers,
        idle=IdleWatch(core.settings.kiosk, Clock()),
    )
    qtbot.addWidget(window)
    window.resize(*LANDSCAPE)
    window.show()
    squeezed: dict[str, list[str]] = {}

    def look(name: str) -> None:
        QApplication.processEvents()
        assert window.size() == QSize(*LANDSCAPE), name
        screen = window.current()
        found = [
            f"{w.objectName()} {w.height()} < {w.minimumHeight()}"
            for w in screen.findChildren(QWidget)
            if w.isVisible() and w.height() < w.minimumHeight()
        ]
        if screen.height() < screen.minimumSizeHint().height():
            found.append(f"{name} {screen.height()} < {screen.minimumSizeHint().height()}")
        if found:
            squeezed[name] = found

    walk(window, True, look)
    assert squeezed == {}
    window.close()


def test_landscape_screenshots_are_the_panels_size(tmp_path: Path) -> None:
    from kiosk.screenshots import save_screenshots

    saved = save_screenshots(tmp_path, sizes=(LANDSCAPE,), modes=(True,))
    sizes = {path.name: QImage(str(path)).size().toTuple() for path in saved}
    assert len(sizes) == 15 and sizes == {name: LANDSCAPE for name in sizes}
