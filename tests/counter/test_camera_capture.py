"""F6 at the counter with a real camera driver (Qt Multimedia, a video file standing in for the
高拍仪) and a real scanner (SANE's test backend, its feeder): the camera's page is found on the
desk and straightened; a poor one is named with what to do and the next F6 replaces it; a feeder's
whole batch goes into the material."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.cases.snapshots import CaseView
from app.db.models import AuditEntry
from app.devices.page_quality import MadeGood
from app.devices.sane_scanner import SaneScanner
from app.widgets.camera import QtCamera
from counter.session import Session
from counter.ui import materials
from counter.ui.station import Station
from tests.app.test_camera import QT_NOISE
from tests.kiosk.test_camera import video

pytestmark = pytest.mark.qt_log_ignore(*QT_NOISE)
Settle = Callable[[], None]


@pytest.fixture
def screen(qtbot: QtBot, station: Station, draft: CaseView) -> materials.MaterialsScreen:
    screen = materials.MaterialsScreen(station)
    qtbot.addWidget(screen)
    screen.resize(1100, 600)
    screen.enter()
    return screen


@pytest.fixture
def cameras() -> Iterator[list[QtCamera]]:
    made: list[QtCamera] = []
    yield made
    for camera in made:
        camera.follow([])


def test_f6_takes_the_sheet_off_the_desk_and_retakes_a_poor_one_in_place(
    qtbot: QtBot,
    screen: materials.MaterialsScreen,
    session: Session,
    draft: CaseView,
    tmp_path: Path,
    settle: Settle,
    cameras: list[QtCamera],
) -> None:
    good = QtCamera.from_file(video(tmp_path / "page.avi"))
    empty = QtCamera.from_file(video(tmp_path / "desk.avi", page=False))
    cameras += [good, empty]
    seen: list[object] = []
    for camera in cameras:
        camera.on_frame(seen.append)
    qtbot.waitUntil(lambda: len(seen) >= 4, timeout=10_000)  # both give pictures
    bar = screen.station.bar
    session.devices.capture = MadeGood(empty, "camera")
    screen.capture()  # F6
    settle()
    assert bar.kind == "error" and bar.text().startswith("第 1 页：")
    assert "按 F6 重拍这一页" in bar.text()
    poor = list(screen.scans.pages)
    session.devices.capture = MadeGood(good, "camera")  # the sheet is put under the camera
    screen.capture()  # F6 again: the poor page is replaced
    settle()
    pages = screen.scans.pages
    assert len(pages) == 1 and pages[0] is not poor[0]
    assert pages[0].height > pages[0].width  # found on the desk and straightened
    assert bar.kind != "error" and bar.text().startswith("已重拍 1 页")
    screen.capture()  # a good page is added after it
    settle()
    assert len(screen.scans.pages) == 2 and bar.text().startswith("已添加 1 页")
    screen.save_pages()  # Ctrl+S: each page's check goes into the case's audit trail
    settle()
    core = session.core
    with core.db.transaction() as db:
        saved = [
            entry.after
            for entry in db.scalars(
                select(AuditEntry).where(
                    AuditEntry.receipt_no == draft.receipt_no, AuditEntry.action == "scan"
                )
            )
        ]
    assert len(saved) == 1 and saved[0] is not None
    quality = saved[0]["quality"]
    assert [page["page"] for page in quality] == [1, 2]
    assert all(page["problems"] == [] and page["measures"]["sharpness"] > 0 for page in quality)


def test_f6_with_a_feeder_takes_every_sheet(
    screen: materials.MaterialsScreen,
    session: Session,
    tmp_path: Path,
    settle: Settle,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = tmp_path / "sane"
    config.mkdir()
    (config / "dll.conf").write_text("test\n")
    shutil.copy("/etc/sane.d/test.conf", config)
    monkeypatch.setenv("SANE_CONFIG_DIR", str(config))
    scanner = SaneScanner(
        "test:0",
        resolution=50,
        source="Automatic Document Feeder",
        options=("--test-picture=Grid",),
        env=dict(os.environ),
    )
    session.devices.capture = MadeGood(scanner, "scanner")
    screen.capture()
    settle()
    assert len(screen.scans.pages) == 10  # the test backend's feeder holds ten sheets
    # its grid runs to the sheet's edges: checked, and named as possibly cut off
    assert screen.station.bar.text().startswith("第 1 页：内容贴到了页面边缘")
