"""The serial ID card reader's driver (app.devices.serial_reader) against a reader emulated on a
pseudo-terminal: a card read in fragments, no card, garbled answers asked again, a silent reader
and a missing port each end as they should — and the counter's F2 reads through it."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.bootstrap import build_core
from app.devices import gat467
from app.devices.drivers import devices_of
from app.devices.protocols import DeviceError
from app.devices.serial_reader import SerialIdReader
from app.devices.simulated import TEST_PERSONS
from app.devices.wlt import NO_DECODER
from app.settings import Settings
from app.widgets.tasks import Tasks
from counter.session import Session
from counter.ui.identify import IdentifyScreen
from counter.ui.notify import MessageBar
from counter.ui.station import Station
from tests.counter.conftest import CLERK
from tests.id_reader_emulator import ReaderEmulator
from tests.sdk_stand_in import Libraries

LI_FANG = TEST_PERSONS[0]
READ = replace(LI_FANG, photo_note=NO_DECODER)  # no decoder set: the card reads without it


def test_a_card_read_in_fragments() -> None:
    with ReaderEmulator(LI_FANG, chunk=5) as reader:
        assert SerialIdReader(reader.port).read(timeout_s=3) == READ
        assert reader.requests == [gat467.FIND_CARD, gat467.SELECT_CARD, gat467.READ_BASE]


def test_the_photo_goes_through_the_vendors_decoder(libs: Libraries) -> None:
    with ReaderEmulator(LI_FANG) as reader:
        card = SerialIdReader(reader.port, photo_decoder=libs.wlt).read(timeout_s=3)
    assert card is not None and card.photo.startswith(b"\x89PNG") and card.photo_note == ""
    assert replace(card, photo=b"") == LI_FANG


def test_no_card_is_none_when_the_time_is_up() -> None:
    with ReaderEmulator(None) as reader:
        started = time.monotonic()
        assert SerialIdReader(reader.port, poll_s=0.05).read(timeout_s=0.4) is None
        assert time.monotonic() - started < 2
        assert len(reader.requests) >= 2 and set(reader.requests) == {gat467.FIND_CARD}


def test_garbled_answers_are_asked_again() -> None:
    with ReaderEmulator(LI_FANG, garble=2, chunk=64) as reader:
        assert SerialIdReader(reader.port).read(timeout_s=3) == READ
        assert reader.requests.count(gat467.FIND_CARD) == 3  # twice garbled, then whole


def test_a_silent_reader_is_given_up_on_with_what_to_do() -> None:
    with ReaderEmulator(LI_FANG, silent=100) as reader:
        driver = SerialIdReader(reader.port, answer_s=0.1, attempts=3)
        with pytest.raises(DeviceError, match="没有正确应答") as raised:
            driver.read(timeout_s=5)
        assert "手工输入" in raised.value.fallback and len(reader.requests) == 3


def test_unplugged_mid_read_then_plugged_in_again_behind_a_stable_name(tmp_path: Path) -> None:
    """udev's /dev/serial/by-id link points at whichever node the reader gets when it comes
    back; the driver opens the port for each read, so the next read simply works."""
    link = tmp_path / "usb-reader"
    with ReaderEmulator(LI_FANG, baud=115200) as reader:
        link.symlink_to(reader.port)
        driver = SerialIdReader(str(link), answer_s=0.3, attempts=2)
        assert driver.check() == ""
        unplug = threading.Timer(0.03, reader.close)  # the base message is on its way
        unplug.start()
        with pytest.raises(DeviceError) as raised:
            driver.read(timeout_s=3)
        unplug.join()
    assert "阅读器" in raised.value.message and "手工输入" in raised.value.fallback
    assert "打不开" in driver.check()  # the status bar says so until it is back
    with ReaderEmulator(LI_FANG) as again:
        link.unlink()
        link.symlink_to(again.port)
        assert driver.check() == ""
        assert driver.read(timeout_s=3) == READ


def test_a_port_that_is_not_there() -> None:
    with pytest.raises(DeviceError, match="打不开身份证阅读器的串口 /dev/ttyNOPE"):
        SerialIdReader("/dev/ttyNOPE").read(timeout_s=1)


def test_f2_at_the_counter_reads_through_the_serial_driver(qtbot: QtBot, tmp_path: Path) -> None:
    with ReaderEmulator(LI_FANG, chunk=16) as reader:
        settings = Settings(
            data_dir=tmp_path / "hall",
            devices={"id_reader": "serial", "id_reader_port": reader.port},
        )
        core = build_core(settings)
        try:
            devices = devices_of(settings)
            assert isinstance(devices.id_reader, SerialIdReader)
            session = Session(core, CLERK, devices, None)
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
            screen.read_card()
            qtbot.waitUntil(lambda: screen.name.text() == LI_FANG.name, timeout=10_000)
            assert screen.number.text() == LI_FANG.id_number
            assert session.in_hand.applicant is not None and session.in_hand.applicant.card == READ
            station.work.wait()
            station.devices.wait()
        finally:
            core.close()
