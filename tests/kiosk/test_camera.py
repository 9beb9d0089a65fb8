"""The kiosk with a real camera driver (Qt Multimedia, a video file standing in for the camera):
a receipt's QR code held under it opens the case's progress; on the capture screen the camera's
page comes out cropped and checked, codes on it are not taken for scans, and a poor page is said
to be poor with a one-touch retake. And a kiosk with a flatbed scanner (SANE's test backend)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
import segno
from pytestqt.qtbot import QtBot

from app.bootstrap import Core
from app.devices.drivers import Devices
from app.devices.page_quality import MadeGood
from app.devices.sane_scanner import SaneScanner
from app.devices.simulated import SimulatedIdReader
from app.widgets.camera import QtCamera
from kiosk.journey import Journey
from kiosk.ui.window import KioskWindow
from tests.app.test_camera import QT_NOISE
from tests.kiosk.screens import idle, kiosk_with, press, shown_text, to_plan
from tests.kiosk.test_progress_and_evaluation import completed, qr_of

pytestmark = pytest.mark.qt_log_ignore(*QT_NOISE)


def video(path: Path, *, code: str = "", page: bool = True, frames: int = 30) -> Path:
    """A desk under the camera, with a sheet (and a QR code on it) or without."""
    width, height = 1280, 720
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 20, (width, height))
    picture = np.full((height, width, 3), 70, np.uint8)
    if page:
        picture[60:660, 380:900] = 245
        for y in range(120, 620, 40):
            picture[y : y + 6, 430:850] = 40
    if code:
        qr = segno.make(code, error="m")
        matrix = np.array(qr.matrix, dtype=np.uint8)
        cell = 6
        symbol = np.kron(1 - matrix, np.ones((cell, cell), np.uint8)) * 255
        symbol = np.pad(symbol, 4 * cell, constant_values=255)
        top, left = 150, 500
        picture[top : top + symbol.shape[0], left : left + symbol.shape[1]] = symbol[..., None]
    for _ in range(frames):
        writer.write(picture)
    writer.release()
    return path


def kiosk(qtbot: QtBot, core: Core, journey: Journey, camera: QtCamera) -> KioskWindow:
    devices = Devices(SimulatedIdReader(), MadeGood(camera, "camera"))
    window = kiosk_with(qtbot, core, journey, devices)
    return window


@pytest.fixture
def camera_of(qtbot: QtBot) -> Iterator[list[QtCamera]]:
    made: list[QtCamera] = []
    yield made
    for camera in made:
        camera.follow([])  # the player stops before the object goes


def test_a_receipt_held_under_the_camera_opens_its_progress(
    qtbot: QtBot, core: Core, journey: Journey, tmp_path: Path, camera_of: list[QtCamera]
) -> None:
    case = completed(core)
    camera = QtCamera.from_file(video(tmp_path / "receipt.avi", code=qr_of(core, case)))
    camera_of.append(camera)
    window = kiosk(qtbot, core, journey, camera)
    try:
        qtbot.waitUntil(lambda: window.current().name == "progress", timeout=10_000)
        idle(qtbot, window)
        assert case.receipt_no in shown_text(window)
    finally:
        window.shutdown()


def test_the_cameras_pages_are_straightened_and_checked_and_no_codes_are_read_meanwhile(
    qtbot: QtBot, core: Core, journey: Journey, tmp_path: Path, camera_of: list[QtCamera]
) -> None:
    camera = QtCamera.from_file(video(tmp_path / "page.avi"))
    camera_of.append(camera)
    window = kiosk(qtbot, core, journey, camera)
    try:
        assert window.camera_codes is not None and not window.camera_codes.paused
        press(window, "read_card")
        idle(qtbot, window)
        to_plan(window)
        press(window, "pre_apply")
        window.go("capture")  # the form's own tests fill it; here the camera matters
        assert window.camera_codes is not None and window.camera_codes.paused
        seen: list[object] = []
        camera.on_frame(seen.append)
        qtbot.waitUntil(lambda: len(seen) >= 2, timeout=10_000)  # it gives pictures
        press(window, "capture_take")
        idle(qtbot, window)
        material = window.station.journey.to_capture()[0]
        page = window.station.journey.pages[material.id][0]
        assert page.height > page.width  # the sheet, found on the desk and straightened
        assert abs(page.height / page.width - 600 / 520) < 0.05
        assert not page.problems and "已拍第 1 页" in window.message.text()
        scan = window.station.journey.scans()[0]  # what the submission stores: the check goes along
        assert scan.quality[0]["page"] == 1 and scan.quality[0]["measures"]["sharpness"] > 0
        window.finish()
        assert window.current().name == "start" and not window.camera_codes.paused
    finally:
        window.shutdown()


def test_an_empty_desk_is_said_to_be_poor_and_retaken_with_one_touch(
    qtbot: QtBot, core: Core, journey: Journey, tmp_path: Path, camera_of: list[QtCamera]
) -> None:
    camera = QtCamera.from_file(video(tmp_path / "desk.avi", page=False))
    camera_of.append(camera)
    window = kiosk(qtbot, core, journey, camera)
    try:
        press(window, "read_card")
        idle(qtbot, window)
        to_plan(window)
        press(window, "pre_apply")
        window.go("capture")
        seen: list[object] = []
        camera.on_frame(seen.append)
        qtbot.waitUntil(lambda: len(seen) >= 2, timeout=10_000)  # it gives pictures
        press(window, "capture_take")
        idle(qtbot, window)
        said = window.message.text()
        assert "第 1 页拍得不够好" in said and "重拍这页" in said
        assert window.message.property("kind") == "warn"
        press(window, "capture_retake")
        idle(qtbot, window)
        assert "重拍的第 1 页还是不够好" in window.message.text()
        material = window.station.journey.to_capture()[0]
        assert len(window.station.journey.pages[material.id]) == 1  # replaced, not added
    finally:
        window.shutdown()


def test_a_kiosk_with_a_flatbed_scanner_takes_checked_pages(
    qtbot: QtBot,
    core: Core,
    journey: Journey,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = tmp_path / "sane"
    config.mkdir()
    (config / "dll.conf").write_text("test\n")
    shutil.copy("/etc/sane.d/test.conf", config)
    monkeypatch.setenv("SANE_CONFIG_DIR", str(config))
    scanner = SaneScanner("test:0", resolution=75, env=dict(os.environ))
    devices = Devices(SimulatedIdReader(), MadeGood(scanner, "scanner"))
    window = kiosk_with(qtbot, core, journey, devices)
    try:
        assert window.camera_codes is None  # a scanner has no live picture to read codes from
        press(window, "read_card")
        idle(qtbot, window)
        to_plan(window)
        press(window, "pre_apply")
        window.go("capture")
        press(window, "capture_take")
        idle(qtbot, window)
        material = window.station.journey.to_capture()[0]
        page = window.station.journey.pages[material.id][0]
        assert page.width > 0 and dict(page.measures)["skew"] == 0
        assert "第 1 页" in window.message.text()  # taken, and its check said
    finally:
        window.shutdown()
