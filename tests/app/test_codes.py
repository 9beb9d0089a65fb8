"""Codes in camera frames: QR codes as segno draws them, placed in a full-HD frame with a camera's
noise; Chinese with and without an ECI marker; debouncing on a fake clock; the worker thread."""

from __future__ import annotations

import io
import threading
import time

import numpy as np
import pytest
import segno
import zxingcpp
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image

from app.devices.codes import COUNTER, Code, Debouncer, Frame, FrameDecoder, decode_frame, text_of
from tests.helpers.clock import Clock

RECEIPT = "OS1:430100001-20261123-00001:ABC"
WIDTH, HEIGHT = 1920, 1080


def qr_picture(code: segno.QRCode, scale: int = 6) -> Frame:
    png = io.BytesIO()
    code.save(png, kind="png", scale=scale, border=4)
    png.seek(0)
    return np.asarray(Image.open(png).convert("L"))


def camera_frame(*pictures: tuple[Frame, int, int], noise: float = 3.0, seed: int = 1) -> Frame:
    """A grey 1920×1080 frame with each picture at (x, y) and a sensor's noise over it all."""
    frame = np.full((HEIGHT, WIDTH), 190, np.float32)
    for picture, x, y in pictures:
        frame[y : y + picture.shape[0], x : x + picture.shape[1]] = picture
    if noise:
        frame += np.random.default_rng(seed).normal(0, noise, frame.shape).astype(np.float32)
    return np.clip(frame, 0, 255).astype(np.uint8)


def qr_frame(text: str = RECEIPT, x: int = 700, y: int = 300, noise: float = 3.0) -> Frame:
    return camera_frame((qr_picture(segno.make_qr(text)), x, y), noise=noise)


@pytest.mark.parametrize(("x", "y"), [(0, 0), (700, 300), (1700, 860), (40, 870)])
def test_a_qr_anywhere_in_a_full_hd_frame(x: int, y: int) -> None:
    (code,) = decode_frame(qr_frame(x=x, y=y))
    assert code.text == RECEIPT and code.format == "QRCode"
    left, top = code.top_left
    assert x <= left <= x + 60 and y <= top <= y + 60  # inside the quiet zone's 4 modules
    assert len(code.position) == 4


def test_a_noisier_camera_still_reads() -> None:
    assert [c.text for c in decode_frame(qr_frame(noise=10.0))] == [RECEIPT]


@pytest.mark.parametrize("scale", [3, 32])  # a code across the room, a phone held up close
@pytest.mark.parametrize("inverted", [False, True])  # a phone in dark mode
@pytest.mark.parametrize("thorough", [False, True])
def test_small_large_and_inverted_codes(scale: int, inverted: bool, thorough: bool) -> None:
    frame = camera_frame((qr_picture(segno.make_qr(RECEIPT), scale=scale), 400, 0))
    if inverted:
        frame = 255 - frame
    assert [c.text for c in decode_frame(frame, thorough=thorough)] == [RECEIPT]


CHINESE = "新生儿出生一件事：请到3号窗口"


@pytest.mark.parametrize(
    "make",
    [
        lambda: segno.make_qr(CHINESE, eci=True),  # what the kiosk shows (segno: Kanji mode)
        lambda: segno.make_qr(CHINESE, encoding="utf-8", eci=True),
        lambda: segno.make_qr(CHINESE.encode("utf-8")),  # UTF-8 bytes, no ECI
        lambda: segno.make_qr(CHINESE, encoding="gb18030", eci=True),
        lambda: segno.make_qr(CHINESE.encode("gb18030")),  # older systems: GB18030, no ECI
        lambda: segno.make_qr("中文 x".encode("gb18030")),  # zxing-cpp guesses Shift_JIS here
    ],
    ids=["segno", "utf8-eci", "utf8", "gb18030-eci", "gb18030", "gb18030-short"],
)
def test_chinese_with_and_without_eci(make: object) -> None:
    assert callable(make)
    code = make()
    text = "中文 x" if code.designator.startswith("1") else CHINESE
    frame = camera_frame((qr_picture(code), 500, 200))
    assert [c.text for c in decode_frame(frame)] == [text]


def test_latin1_is_left_alone() -> None:
    frame = camera_frame((qr_picture(segno.make_qr("Café olé", encoding="latin-1")), 500, 200))
    assert [c.text for c in decode_frame(frame)] == ["Café olé"]
    assert text_of("Ã©", "é".encode()) == "Ã©"  # valid UTF-8: zxing-cpp's own reading stands
    assert text_of("Ã©x", b"\xc3\xa9x") == "Ã©x"
    assert text_of("µÚ", "第".encode("gb18030")) == "第"


def test_several_codes_in_one_frame_and_the_counters_formats() -> None:
    drawn = zxingcpp.create_barcode("EA123456785CN", zxingcpp.BarcodeFormat.Code128)
    waybill = np.asarray(drawn.to_image(scale=3))[:1]
    waybill = np.repeat(waybill, 90, axis=0)  # bars 3 px wide, 90 px tall
    link = "https://zwfw.example.gov.cn/x"
    frame = camera_frame(
        (qr_picture(segno.make_qr(RECEIPT)), 100, 100),
        (qr_picture(segno.make_qr("第二个", eci=True)), 1400, 150),
        (qr_picture(segno.make_qr(link)), 900, 600),
        (waybill, 150, 850),
    )
    assert {c.text for c in decode_frame(frame)} == {RECEIPT, "第二个", link}
    found = {(c.format, c.text) for c in decode_frame(frame, COUNTER)}
    assert ("Code128", "EA123456785CN") in found and len(found) == 4


@pytest.mark.parametrize("value", [0, 190, 255])
def test_no_code_no_codes(value: int) -> None:
    assert decode_frame(np.full((HEIGHT, WIDTH), value, np.uint8)) == []
    assert decode_frame(camera_frame(noise=30.0)) == []


def test_a_crop_of_a_frame_is_read_in_place() -> None:
    frame = qr_frame(x=700, y=300)
    crop = frame[200:800, 600:1400]  # a view with the frame's strides
    assert not crop.flags.c_contiguous
    assert [c.text for c in decode_frame(crop)] == [RECEIPT]


arrays = st.one_of(
    hnp.arrays(np.uint8, hnp.array_shapes(min_dims=2, max_dims=2, min_side=0, max_side=64)),
    hnp.arrays(np.uint8, hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=8)),
    hnp.arrays(
        st.sampled_from([np.float32, np.int16, np.bool_]),
        hnp.array_shapes(min_dims=2, max_dims=2, max_side=16),
    ),
)


@given(arrays, st.integers(1, 3), st.integers(1, 3), st.booleans())
def test_any_array_decodes_without_raising(
    array: np.ndarray, step_y: int, step_x: int, transpose: bool
) -> None:
    if array.ndim == 2:
        array = array[::step_y, ::step_x]  # non-contiguous views
        if transpose:
            array = array.T
    assert decode_frame(array) == []  # random pixels hold no code


# -- debouncing ---------------------------------------------------------------------------------
A, B = Code("A", "QRCode"), Code("B", "QRCode")


def test_a_held_code_is_reported_once() -> None:
    clock = Clock(100.0)
    debouncer = Debouncer(repeat_s=2.0, clock=clock)
    reported = []
    for _ in range(90):  # three seconds under the camera at 30 frames a second
        reported += debouncer.feed([A])
        clock.now += 1 / 30
    assert reported == [A]


def test_a_code_comes_back_only_after_it_was_away() -> None:
    clock = Clock(100.0)
    debouncer = Debouncer(repeat_s=2.0, clock=clock)
    assert debouncer.feed([A]) == [A]
    clock.now += 0.5
    assert debouncer.feed([]) == []  # a blurred frame or two
    clock.now += 1.0
    assert debouncer.feed([A]) == []  # back within 2 s: the same showing
    clock.now += 1.99
    assert debouncer.feed([]) == []
    clock.now += 0.01
    assert debouncer.feed([A]) == [A]  # away for 2 s: shown again


def test_another_code_in_between_reports_the_first_again() -> None:
    clock = Clock(100.0)
    debouncer = Debouncer(repeat_s=2.0, clock=clock)
    assert debouncer.feed([A]) == [A]
    clock.now += 0.3
    assert debouncer.feed([B]) == [B]
    clock.now += 0.3
    assert debouncer.feed([A]) == [A]


def test_two_codes_in_view_are_each_reported_once() -> None:
    clock = Clock(100.0)
    debouncer = Debouncer(repeat_s=2.0, clock=clock)
    assert debouncer.feed([A, B, A]) == [A, B]
    for frame in ([A], [B], [A, B], [], [A, B]):  # one of them misses a frame now and then
        clock.now += 0.1
        assert debouncer.feed(frame) == []


# -- the worker thread --------------------------------------------------------------------------
def test_codes_come_back_on_the_worker_thread_once() -> None:
    got: list[tuple[Code, int]] = []
    arrived = threading.Event()

    def on_code(code: Code) -> None:
        got.append((code, threading.get_ident()))
        arrived.set()

    frame = qr_frame()
    with FrameDecoder(on_code) as decoder:
        for _ in range(5):
            decoder.submit(frame)
        assert arrived.wait(5)
        deadline = time.monotonic() + 5
        while decoder.decoded + decoder.dropped < 5 and time.monotonic() < deadline:
            arrived.wait(0.01)
    assert [c.text for c, _ in got] == [RECEIPT]
    assert got[0][1] != threading.get_ident()


def test_stale_frames_are_dropped_and_submit_never_waits() -> None:
    started, release = threading.Event(), threading.Event()
    seen: list[int] = []
    got: list[str] = []
    last = threading.Event()

    def slow_decode(frame: Frame) -> list[Code]:
        seen.append(int(frame[0, 0]))
        started.set()
        release.wait(5)  # the first frame takes as long as the test wants
        return decode_frame(frame[1:])

    def on_code(code: Code) -> None:
        got.append(code.text)
        if code.text == "9":
            last.set()

    decoder = FrameDecoder(on_code, decode=slow_decode)
    try:
        frames = []
        for n in range(10):
            frame = qr_frame(str(n), noise=0)
            frame[0, 0] = n
            frames.append(frame)
        decoder.submit(frames[0])
        assert started.wait(5)
        begun = time.perf_counter()
        for frame in frames[1:]:
            decoder.submit(frame)
        assert time.perf_counter() - begun < 0.5  # nine frames copied, none decoded here
        release.set()
        assert last.wait(5)
    finally:
        decoder.close()
    assert seen == [0, 9] and got == ["0", "9"]
    assert decoder.dropped == 8 and decoder.decoded == 2


def test_close_stops_the_thread_and_later_frames_are_ignored() -> None:
    decoder = FrameDecoder(lambda code: None)
    decoder.close()
    decoder.submit(qr_frame())
    assert not decoder._thread.is_alive()
    assert decoder.decoded == 0
