"""The kiosk reads a card through the real drivers — the serial reader (GA/T 467 on a
pseudo-terminal) and a vendor's SDK (the stand-in library): the citizen's 读身份证 fills the
session from the card, and the wipe forgets it."""

from __future__ import annotations

import os
import tty
from collections.abc import Iterator
from dataclasses import replace

import pytest
from pytestqt.qtbot import QtBot

from app.bootstrap import Core
from app.devices import gat467
from app.devices.drivers import Devices
from app.devices.sdk_reader import SdtapiIdReader
from app.devices.serial_reader import SerialIdReader
from app.devices.serial_scanner import SerialCodeScanner
from app.devices.simulated import TEST_PERSONS, SimulatedCapture
from app.devices.wlt import NO_DECODER
from kiosk.journey import Journey
from tests.id_cards import FOREIGN_Y
from tests.id_reader_emulator import ReaderEmulator
from tests.kiosk.screens import idle, kiosk_with, press, shown_text
from tests.kiosk.test_progress_and_evaluation import completed, qr_of
from tests.sdk_stand_in import Libraries, Present

PERSON = TEST_PERSONS[1]


@pytest.fixture
def reader() -> Iterator[ReaderEmulator]:
    with ReaderEmulator(PERSON, chunk=32) as emulator:
        yield emulator


def test_the_kiosk_reads_a_card_over_the_serial_line(
    qtbot: QtBot, core: Core, journey: Journey, reader: ReaderEmulator
) -> None:
    devices = Devices(SerialIdReader(reader.port), SimulatedCapture())
    window = kiosk_with(qtbot, core, journey, devices)
    press(window, "read_card")
    idle(qtbot, window)
    applicant = window.station.journey.in_hand.applicant
    assert applicant is not None
    assert applicant.card == replace(PERSON, photo_note=NO_DECODER)
    assert gat467.READ_BASE in reader.requests
    window.finish()  # the citizen leaves: nothing of the card stays
    assert window.station.journey.in_hand.applicant is None
    window.close()


def test_the_kiosk_reads_a_foreigners_card_through_the_vendor_library(
    qtbot: QtBot, core: Core, journey: Journey, libs: Libraries, present: Present
) -> None:
    present(FOREIGN_Y)
    reader = SdtapiIdReader(libs.reader, photo_decoder=libs.wlt)
    devices = Devices(reader, SimulatedCapture())
    window = kiosk_with(qtbot, core, journey, devices)
    press(window, "read_card")
    idle(qtbot, window)
    applicant = window.station.journey.in_hand.applicant
    assert applicant is not None and applicant.card is not None
    assert applicant.card.english_name == FOREIGN_Y.english_name
    assert applicant.facts["applicant.id_kind"] == "外国人永久居留身份证"
    assert applicant.card.photo.startswith(b"\x89PNG")
    window.finish()  # the citizen leaves: the card, its photo and its facts go
    assert window.station.journey.in_hand.applicant is None
    window.close()


def test_a_receipt_scanned_on_a_serial_scanner_shows_its_progress(
    qtbot: QtBot, core: Core, journey: Journey
) -> None:
    master, slave = os.openpty()
    tty.setraw(slave)
    scanner = SerialCodeScanner(os.ttyname(slave), on_code=lambda _code: None)
    window = kiosk_with(qtbot, core, journey, Devices(code_scanner=scanner))
    try:
        qtbot.waitUntil(lambda: scanner.ok is True, timeout=5_000)
        case = completed(core)
        os.write(master, qr_of(core, case).encode() + b"\r\n")
        qtbot.waitUntil(lambda: window.current().name == "progress", timeout=5_000)
        idle(qtbot, window)
        assert case.receipt_no in shown_text(window)
    finally:
        window.shutdown()
        os.close(master)
        os.close(slave)
