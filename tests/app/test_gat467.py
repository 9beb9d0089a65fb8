"""GA/T 467 frames and the card's base message (app.devices.gat467): frames built and read back,
found in fragments and in garbage, damaged ones skipped; the 256 bytes of text as card data; and
any bytes from the line give frames or nothing, any text block card data or a typed error."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.devices import gat467
from app.devices.protocols import DeviceError
from app.devices.simulated import TEST_PERSONS
from app.identity.card import IdCardData

LI_FANG = TEST_PERSONS[0]


def test_a_request_frame_as_the_protocol_writes_it() -> None:
    # Find card: AA AA AA 96 69 | 00 03 | 20 01 | 22 (= 00 ^ 03 ^ 20 ^ 01)
    assert gat467.command(gat467.FIND_CARD) == bytes.fromhex(
        "AAAAAA9669000320 0122".replace(" ", "")
    )
    assert gat467.command(gat467.SAM_STATUS).hex() == "aaaaaa96690003 11ff ed".replace(" ", "")


def test_responses_in_fragments_and_garbage_come_out_whole() -> None:
    first = gat467.response(gat467.CARD_FOUND, bytes(4))
    second = gat467.response(gat467.OK, gat467.base_message(LI_FANG))
    line = b"\x00\xffnoise\xaa\xaa" + first + b"\x13\x37" + second
    reader = gat467.FrameReader()
    found = [r for i in range(0, len(line), 7) for r in reader.responses(line[i : i + 7])]
    assert [r.sw3 for r in found] == [0x9F, 0x90] and all(r.ok for r in found)
    card = gat467.parse_base_message(found[1].data)
    assert card == replace(LI_FANG, photo=bytes(gat467.PHOTO_SIZE))
    assert reader.skipped == 9 + 2 and not reader.buffer


def test_a_damaged_frame_is_skipped_and_counted() -> None:
    good = gat467.response(gat467.OK, b"\x01\x02")
    bad = bytearray(good)
    bad[-2] ^= 0xFF  # a garbled byte: the checksum no longer holds
    reader = gat467.FrameReader()
    assert reader.responses(bytes(bad)) == []
    assert reader.damaged == 1
    assert [r.data for r in reader.responses(good)] == [b"\x01\x02"]


def test_no_card_says_what_to_do() -> None:
    (answer,) = gat467.FrameReader().responses(gat467.response(0x80))
    assert not answer.ok and "平放在阅读器上" in answer.meaning


def test_the_text_of_every_card_field() -> None:
    card = IdCardData(
        "欧阳娜娜",
        "女",
        "维吾尔",
        date(2000, 2, 29),
        "新疆乌鲁木齐市天山区解放北路1号",
        "65010220000229002X",
        "乌鲁木齐市公安局天山区分局",
        date(2016, 3, 1),
        None,
    )
    text = gat467.base_text(card)
    assert len(text) == 256 and text[:8] == "欧阳娜娜".encode("utf-16-le")
    assert text[30:32] == "2".encode("utf-16-le") and text[32:36] == "05".encode("utf-16-le")
    assert text[204:208] == "长期".encode("utf-16-le")  # valid until: bytes 204-219
    assert gat467.parse_base_text(text) == card


def test_a_text_block_that_is_not_a_card_is_refused_in_chinese() -> None:
    with pytest.raises(DeviceError, match="长度不对"):
        gat467.parse_base_text(b"\x00" * 10)
    with pytest.raises(DeviceError, match="没有读全"):
        gat467.parse_base_text(b"\x00" * 256)
    broken = bytearray(gat467.base_text(LI_FANG))
    broken[36:52] = "2026133".ljust(8).encode("utf-16-le")  # month 13
    with pytest.raises(DeviceError, match="出生日期"):
        gat467.parse_base_text(bytes(broken))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=3000), st.integers(min_value=1, max_value=64))
def test_any_bytes_on_the_line_give_checked_frames_or_nothing(line: bytes, step: int) -> None:
    reader = gat467.FrameReader()
    for i in range(0, len(line), step):
        for answer in reader.responses(line[i : i + step]):
            framed = gat467.response(answer.sw3, answer.data, sw1=answer.sw1, sw2=answer.sw2)
            assert framed in line  # only what was really there, checksum and all
    assert len(reader.buffer) <= gat467.MAX_BUFFER + 64


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=256, max_size=256) | st.binary(max_size=300))
def test_any_text_block_gives_card_data_or_a_typed_error(text: bytes) -> None:
    try:
        card = gat467.parse_base_text(text)
    except DeviceError as exc:
        assert exc.message and any("\u4e00" <= c <= "\u9fff" for c in exc.message)
    else:
        assert card.name and card.id_number


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=1400))
def test_any_base_message_gives_card_data_or_a_typed_error(data: bytes) -> None:
    try:
        gat467.parse_base_message(data)
    except DeviceError as exc:
        assert exc.fallback
