"""The keyboard-wedge detector and the simulated devices."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from app.devices.protocols import DeviceError
from app.devices.simulated import TEST_PERSONS, SimulatedCapture, SimulatedIdReader
from app.devices.wedge import Fed, WedgeDetector
from app.identity.card import facts_from_card
from app.identity.resident_id import parse_resident_id


def feed_all(detector: WedgeDetector, text: str, *, start: float, gap: float) -> list[Fed]:
    return [detector.feed(key, start + n * gap) for n, key in enumerate(text)]


def test_a_scanner_burst_is_a_scan_and_typing_is_typing() -> None:
    detector = WedgeDetector()
    fed = feed_all(detector, "OS1:430100001-20261123-00001:ABC\n", start=10.0, gap=0.004)
    assert fed[-1].scan == "OS1:430100001-20261123-00001:ABC" and not any(f.scan for f in fed[:-1])
    typed = feed_all(detector, "4301\n", start=20.0, gap=0.15)  # a person at 150 ms a key
    assert typed[-1].scan is None and "".join(f.typed for f in typed) == "4301\n"
    # A person types two keys, then the scanner fires: the person's keys are handed back.
    mixed = feed_all(detector, "ab", start=30.0, gap=0.2) + feed_all(
        detector, "123456\n", start=31.0, gap=0.003
    )
    assert "".join(f.typed for f in mixed) == "ab" and mixed[-1].scan == "123456"
    assert feed_all(detector, "x\n", start=40.0, gap=0.002)[-1].scan is None  # too short
    detector.feed("q", 50.0)
    assert detector.flush() == "q"


def test_the_simulated_reader_gives_valid_test_persons() -> None:
    reader = SimulatedIdReader()
    cards = [reader.read() for _ in range(len(TEST_PERSONS) + 1)]
    assert cards[0] == cards[-1] and cards[0] is not None
    assert replace(cards[0], photo=b"") == TEST_PERSONS[0]
    assert cards[0].photo.startswith(b"\x89PNG")  # a drawn stand-in, as a decoder gives one
    for card in TEST_PERSONS:
        assert parse_resident_id(card.id_number).number == card.id_number
        facts = facts_from_card(card, today=date(2026, 11, 23), hall_province="430000")
        assert facts["applicant.hukou_in_province"] is True
    reader.empty = True
    assert reader.read() is None
    reader.fail = True
    with pytest.raises(DeviceError) as failed:
        reader.read()
    assert "手工输入" in failed.value.fallback


def test_the_simulated_capture_gives_numbered_pages() -> None:
    capture = SimulatedCapture()
    first, second = capture.capture(), capture.capture()
    assert first.png != second.png and first.png.startswith(b"\x89PNG")
    assert Image.open(io.BytesIO(first.png)).size == (first.width, first.height) == (1240, 1754)
    capture.fail = True
    with pytest.raises(DeviceError, match="高拍仪"):
        capture.capture()


def test_an_sdk_reader_needs_its_library_and_a_port_it_knows(tmp_path: Path) -> None:
    from pydantic import ValidationError

    from app.settings import DeviceSettings

    with pytest.raises(ValidationError, match="id_reader_library"):
        DeviceSettings(id_reader="sdtapi")
    with pytest.raises(ValidationError, match="端口"):
        DeviceSettings(
            id_reader="termb", id_reader_library=tmp_path / "x.so", id_reader_port="/dev/ttyUSB0"
        )
    usb = DeviceSettings(id_reader="termb", id_reader_library=tmp_path / "x.so")
    assert usb.reader_port == "usb"
    assert DeviceSettings(id_reader="serial").reader_port == "/dev/ttyUSB0"
