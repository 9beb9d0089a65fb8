"""The SDK ID card readers (app.devices.sdk_reader) against a stand-in vendor library compiled
here from tests/sdk_stand_in (both API families in one .so, like some vendors' libraries, and a
WLT decoder), loaded by ctypes on the same path the product uses: every kind of card through
every family, photos, missing and wrong libraries, no card, a card that comes late."""

from __future__ import annotations

import ctypes
import shutil
import time
from dataclasses import replace
from io import BytesIO
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from app.devices import gat467
from app.devices.protocols import DeviceError, IdCardReader
from app.devices.sdk_reader import (
    TERMB_GETTERS,
    TERMB_MORE,
    SdtapiIdReader,
    TermbIdReader,
    card_from_fields,
    probe,
    sdk_port,
)
from app.devices.wlt import NO_DECODER, png_from_bitmap
from app.identity.card import IdCardData
from tests.id_cards import EVERY_KIND, FOREIGN_Y, PERMIT_J, RESIDENT
from tests.sdk_stand_in import PHOTO, Libraries, Present

KINDS = pytest.mark.parametrize("card", EVERY_KIND, ids=lambda card: card.kind or "resident")


def open_ports(libs: Libraries) -> int:
    return int(ctypes.CDLL(libs.reader).standin_open_ports())


def unphotographed(card: IdCardData, note: str = NO_DECODER) -> IdCardData:
    return replace(card, photo=b"", photo_note=note)


@KINDS
def test_every_kind_through_sdtapi(libs: Libraries, present: Present, card: IdCardData) -> None:
    present(card)
    reader: IdCardReader = SdtapiIdReader(libs.reader)
    assert reader.read(timeout_s=2) == unphotographed(card)
    assert open_ports(libs) == 0


@KINDS
def test_every_kind_through_termb_and_its_wz_txt(
    libs: Libraries, present: Present, card: IdCardData, tmp_path: Path
) -> None:
    present(card)
    reader: IdCardReader = TermbIdReader(libs.reader)
    assert reader.read(timeout_s=2) == unphotographed(card)
    assert open_ports(libs) == 0
    assert not (tmp_path / "wz.txt").exists() and not (tmp_path / "xp.wlt").exists()


@KINDS
def test_every_kind_through_termb_getters(
    libs: Libraries, present: Present, card: IdCardData, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STANDIN_FILES", "0")  # a library that writes no wz.txt: GBK getters
    present(card)
    note = "阅读器驱动没有给出证件相片，相片未显示：请核对原件上的相片。"
    assert TermbIdReader(libs.reader).read(timeout_s=2) == unphotographed(card, note)


def test_the_newer_cvr_names_of_termb(libs: Libraries, present: Present) -> None:
    present(PERMIT_J)
    assert probe(libs.cvr, "termb") == []
    assert TermbIdReader(libs.cvr).read(timeout_s=2) == unphotographed(PERMIT_J)


@pytest.mark.parametrize("family", [SdtapiIdReader, TermbIdReader])
def test_the_photo_through_the_vendors_decoder(
    libs: Libraries, present: Present, family: type[SdtapiIdReader]
) -> None:
    present(FOREIGN_Y)
    card = family(libs.reader, photo_decoder=libs.wlt).read(timeout_s=2)
    assert card is not None and card.photo_note == ""
    image = Image.open(BytesIO(card.photo))
    assert (image.format, image.size, image.mode) == ("PNG", (102, 126), "RGB")
    assert replace(card, photo=b"") == FOREIGN_Y


def test_a_decoder_failure_leaves_the_card_without_its_photo(
    libs: Libraries, present: Present
) -> None:
    present(RESIDENT, photo=b"\xff" + PHOTO[1:])  # the stand-in decoder refuses this one
    card = SdtapiIdReader(libs.reader, photo_decoder=libs.wlt).read(timeout_s=2)
    assert card is not None and card.photo == b""
    assert card.photo_note.startswith("证件相片解码失败（相片解码库返回 -1）")
    missing = TermbIdReader(libs.reader, photo_decoder="/opt/nowhere/libwlt.so").read(timeout_s=2)
    assert missing is not None and "找不到相片解码库 /opt/nowhere/libwlt.so" in missing.photo_note
    wrong = TermbIdReader(libs.reader, photo_decoder=libs.reader).read(timeout_s=2)
    assert wrong is not None and "缺少 unpack" in wrong.photo_note


def test_a_missing_library_says_where_to_install_it(tmp_path: Path) -> None:
    library = str(tmp_path / "libsdtapi.so")
    with pytest.raises(DeviceError) as raised:
        SdtapiIdReader(library).read(timeout_s=1)
    assert raised.value.message.startswith(f"找不到身份证阅读器的驱动库 {library}：请安装")
    assert "id_reader_library" in raised.value.message
    assert raised.value.fallback == "请手工输入证件号码，并核对原件。"
    with pytest.raises(DeviceError, match="还没有设置身份证阅读器的驱动库：请安装"):
        TermbIdReader("").read(timeout_s=1)  # not set: not the program's own symbols either


def test_a_library_installed_later_is_loaded_then(
    libs: Libraries, present: Present, tmp_path: Path
) -> None:
    library = tmp_path / "vendor" / "libtermb.so"
    reader = TermbIdReader(str(library))
    with pytest.raises(DeviceError, match="找不到"):
        reader.read(timeout_s=1)
    library.parent.mkdir()
    shutil.copy(libs.reader, library)
    present(RESIDENT)
    assert reader.read(timeout_s=2) == unphotographed(RESIDENT)


def test_a_library_of_the_other_kind_names_what_it_lacks(libs: Libraries) -> None:
    with pytest.raises(DeviceError) as raised:
        SdtapiIdReader(libs.wlt).read(timeout_s=1)
    assert raised.value.message.startswith(
        f"{libs.wlt} 不是 sdtapi 接口的驱动库（缺少 SDT_OpenPort、SDT_ClosePort、"
    )
    assert "接口类型（sdtapi 或 termb）" in raised.value.message
    assert probe(libs.wlt, "termb") == [
        "InitComm",
        "Authenticate",
        "Read_Content",
        "CloseComm",
        *TERMB_GETTERS,
    ]
    assert probe(libs.reader, "sdtapi") == probe(libs.reader, "termb") == []
    with pytest.raises(ValueError, match="sdtapi 或 termb"):
        probe(libs.reader, "ocx")


@pytest.mark.parametrize("family", [SdtapiIdReader, TermbIdReader])
def test_a_port_that_does_not_open(libs: Libraries, family: type[SdtapiIdReader]) -> None:
    with pytest.raises(DeviceError, match=r"打不开身份证阅读器（端口 9999.*USB 连线") as raised:
        family(libs.reader, port=9999).read(timeout_s=1)
    assert "手工输入" in raised.value.fallback


@pytest.mark.parametrize("family", [SdtapiIdReader, TermbIdReader])
def test_no_card_is_none_when_the_time_is_up(
    libs: Libraries, present: Present, family: type[SdtapiIdReader]
) -> None:
    present(None)
    started = time.monotonic()
    assert family(libs.reader, poll_s=0.05).read(timeout_s=0.3) is None
    assert time.monotonic() - started < 2
    assert open_ports(libs) == 0


@pytest.mark.parametrize("family", [SdtapiIdReader, TermbIdReader])
def test_a_card_put_down_while_the_reader_waits(
    libs: Libraries, present: Present, family: type[SdtapiIdReader], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STANDIN_AFTER", "3")  # three searches find nothing, the fourth a card
    present(PERMIT_J)
    assert family(libs.reader, poll_s=0.01).read(timeout_s=3) == unphotographed(PERMIT_J)
    assert family(libs.reader, poll_s=0.01).read(timeout_s=0.02) is None  # not yet, again


def test_a_previous_persons_wz_txt_is_never_taken(
    libs: Libraries, present: Present, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "wz.txt").write_bytes(gat467.base_text(RESIDENT))
    monkeypatch.setenv("STANDIN_FILES", "0")
    present(FOREIGN_Y)
    card = TermbIdReader(libs.reader).read(timeout_s=2)
    assert card is not None and card.id_number == FOREIGN_Y.id_number
    assert not (tmp_path / "wz.txt").exists()


def test_ports_as_the_settings_give_them() -> None:
    assert [sdk_port(text) for text in ("usb", "USB2", "1001", "com3", "3", " usb16 ")] == [
        1001,
        1002,
        1001,
        3,
        3,
        1016,
    ]
    for wrong in ("", "usb17", "0", "/dev/ttyUSB0", "999"):
        with pytest.raises(ValueError, match="端口"):
            sdk_port(wrong)


GETTERS = st.sampled_from([*TERMB_GETTERS, *TERMB_MORE, "GetIssuesNum"])


@given(st.dictionaries(GETTERS, st.binary(max_size=80)))
def test_any_getter_output_is_a_card_or_says_what_to_do(fields: dict[str, bytes]) -> None:
    try:
        card = card_from_fields(fields)
    except DeviceError as exc:
        assert exc.message and exc.fallback
    else:
        assert card.name and card.id_number


@given(st.binary(max_size=300), st.binary(max_size=1100))
def test_any_library_text_is_a_card_or_says_what_to_do(text: bytes, photo: bytes) -> None:
    try:
        card = gat467.parse_base_text(text, photo)  # what SdtapiIdReader does with the bytes
    except DeviceError as exc:
        assert exc.message and exc.fallback
    else:
        assert card.name and card.id_number


@given(st.one_of(st.binary(max_size=40_000), st.binary(max_size=200).map(lambda b: b"BM" + b)))
def test_any_decoder_output_is_a_photo_or_a_refusal(data: bytes) -> None:
    try:
        png = png_from_bitmap(data)
    except DeviceError as exc:
        assert exc.message
    else:
        assert Image.open(BytesIO(png)).size == (102, 126)
