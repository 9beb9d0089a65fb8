"""The counter's F2 with each real reader driver, built from settings as a hall configures it:
the serial reader (GA/T 467 on a pseudo-terminal) and both SDK families (the stand-in vendor
library compiled with gcc), with every kind of card. The card fills step 1, the clerk reads its
kind, the foreigner's English name, the missing photo and an expired card in the message line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.bootstrap import build_core
from app.devices import gat467
from app.devices.drivers import devices_of
from app.identity.card import IdCardData
from app.settings import Settings
from app.widgets.tasks import Tasks
from counter.session import Session
from counter.ui.identify import IdentifyScreen
from counter.ui.notify import MessageBar
from counter.ui.station import Station
from tests.counter.conftest import CLERK
from tests.id_cards import EVERY_KIND, FOREIGN_I, FOREIGN_Y, PERMIT_J
from tests.id_reader_emulator import ReaderEmulator
from tests.sdk_stand_in import Libraries, Present

KINDS = pytest.mark.parametrize("card", EVERY_KIND, ids=lambda card: card.kind or "resident")


@contextmanager
def counter(qtbot: QtBot, tmp_path: Path, devices: dict[str, Any]) -> Iterator[IdentifyScreen]:
    settings = Settings(data_dir=tmp_path / "hall", devices=devices)
    core = build_core(settings)
    try:
        session = Session(core, CLERK, devices_of(settings), None)
        bar = MessageBar()
        qtbot.addWidget(bar)
        station = Station(
            session,
            Tasks(bar.show_exception, name="work"),
            Tasks(bar.show_exception, name="devices"),
            bar,
        )
        screen = IdentifyScreen(station)
        qtbot.addWidget(screen)
        yield screen
        station.work.wait()
        station.devices.wait()
    finally:
        core.close()


def read(qtbot: QtBot, screen: IdentifyScreen, card: IdCardData) -> str:
    screen.read_card()  # F2
    qtbot.waitUntil(lambda: screen.name.text() == card.name, timeout=10_000)
    qtbot.waitUntil(lambda: "已读取" in screen.station.bar.text(), timeout=5_000)
    assert screen.number.text() == card.id_number
    applicant = screen.station.session.in_hand.applicant
    assert applicant is not None and applicant.card is not None
    assert replace(applicant.card, photo=b"", photo_note="") == replace(card, photo=b"")
    return screen.station.bar.text()


@KINDS
def test_f2_reads_every_kind_over_the_serial_line(
    qtbot: QtBot, tmp_path: Path, card: IdCardData
) -> None:
    with ReaderEmulator(card, chunk=24) as reader:
        devices = {"id_reader": "serial", "id_reader_port": reader.port}
        with counter(qtbot, tmp_path, devices) as screen:
            said = read(qtbot, screen, card)
    assert said.startswith(f"已读取{card.kind_label}：")
    assert gat467.READ_BASE in reader.requests


@pytest.mark.parametrize("family", ["sdtapi", "termb"])
@KINDS
def test_f2_reads_every_kind_through_the_vendor_library(
    qtbot: QtBot,
    tmp_path: Path,
    libs: Libraries,
    present: Present,
    family: str,
    card: IdCardData,
) -> None:
    present(card)
    devices = {
        "id_reader": family,
        "id_reader_library": libs.reader,
        "photo_decoder_library": libs.wlt,
    }
    with counter(qtbot, tmp_path, devices) as screen:
        said = read(qtbot, screen, card)
        applicant = screen.station.session.in_hand.applicant
        assert applicant is not None and applicant.card is not None
        assert applicant.card.photo.startswith(b"\x89PNG")  # decoded by the vendor's decoder
        shown = screen.photo.pixmap()  # beside the fields, for the clerk to compare faces
        assert not screen.photo.isHidden() and not shown.isNull() and shown.height() == 126
    assert "相片" not in said


def test_what_the_clerk_reads_for_foreigners_permits_and_a_missing_photo(
    qtbot: QtBot, tmp_path: Path, libs: Libraries, present: Present
) -> None:
    devices = {"id_reader": "sdtapi", "id_reader_library": libs.reader}  # no photo decoder
    with counter(qtbot, tmp_path, devices) as screen:
        present(FOREIGN_Y)
        said = read(qtbot, screen, FOREIGN_Y)
        assert said.startswith(
            "已读取外国人永久居留身份证：史密斯（ANNA MARIA KATHARINA VON DER "
            "LEYEN SCHMIDTBAUR），国籍 DEU。"
        )
        assert "相片" in said and screen.station.bar.kind != "error"
        assert (
            screen.photo.text() == "无证件相片"
            and "photo_decoder_library" in screen.photo.toolTip()
        )
        present(PERMIT_J)  # expired on 2025-01-02: the line turns red and says so
        said = read(qtbot, screen, PERMIT_J)
        assert "通行证号码 H12345678" in said and "2025-01-02 过期" in said
        assert screen.station.bar.kind == "error"
        present(FOREIGN_I)
        said = read(qtbot, screen, FOREIGN_I)
        assert said.startswith("已读取外国人永久居留身份证：John Michael SMITH，国籍 CAN。")
