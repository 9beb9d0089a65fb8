"""A serial QR code scanner on a pseudo-terminal: the test writes codes in fragments as a scanner
on a USB-CDC line would, unplugs it (closes the master side: pyserial's read then fails as on a
real unplug) and plugs it in again behind a stable link, as udev's /dev/serial/by-id gives."""

from __future__ import annotations

import contextlib
import os
import queue
import re
import threading
import time
import tty
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.devices.codes import Code
from app.devices.serial_scanner import LineSplitter, SerialCodeScanner, text_of_line

WAIT_S = 5.0


class ScannerPty:
    """The scanner's side of the line: a pseudo-terminal whose slave is the port."""

    def __init__(self) -> None:
        self.master, self._slave = os.openpty()
        tty.setraw(self._slave)
        self.port = os.ttyname(self._slave)

    def send(self, data: bytes, piece: int = 0) -> None:
        step = piece or len(data)
        for at in range(0, len(data), step):
            os.write(self.master, data[at : at + step])

    def unplug(self) -> None:
        os.close(self.master)  # the slave's node goes; a read on it fails with EIO
        os.close(self._slave)


class Received:
    def __init__(self) -> None:
        self.codes: queue.Queue[Code] = queue.Queue()
        self.states: queue.Queue[tuple[bool, str]] = queue.Queue()

    def code(self) -> str:
        return self.codes.get(timeout=WAIT_S).text

    def state(self) -> tuple[bool, str]:
        return self.states.get(timeout=WAIT_S)


@pytest.fixture
def received() -> Received:
    return Received()


@pytest.fixture
def line() -> Iterator[ScannerPty]:
    pty = ScannerPty()
    yield pty
    with contextlib.suppress(OSError):  # the test unplugged it
        pty.unplug()


def scanner_on(port: str, received: Received, **options: object) -> SerialCodeScanner:
    scanner = SerialCodeScanner(
        port,
        on_code=received.codes.put,
        on_state=lambda ok, message: received.states.put((ok, message)),
        retry_s=0.05,
        **options,  # type: ignore[arg-type]
    )
    scanner.start()
    return scanner


def test_codes_in_fragments_with_any_line_end(line: ScannerPty, received: Received) -> None:
    scanner = scanner_on(line.port, received)
    try:
        assert received.state() == (True, f"扫码枪已连接（{line.port}）。")
        stream = (
            b"OS1:430100001-20261123-00001:ABC\r\n"
            + b"\r\n\n"  # empty lines: nothing
            + "新生儿出生一件事\n".encode()
            + "长沙市政务服务中心\r".encode("gb18030")  # an older system's GB18030
            + b"EA123456785CN\r\n"
        )
        line.send(stream, piece=3)  # CR LF split between two reads, a character between three
        assert [received.code() for _ in range(4)] == [
            "OS1:430100001-20261123-00001:ABC",
            "新生儿出生一件事",
            "长沙市政务服务中心",
            "EA123456785CN",
        ]
    finally:
        scanner.stop()
    assert received.codes.empty()


def test_prefix_suffix_and_garbage(line: ScannerPty, received: Received) -> None:
    scanner = scanner_on(line.port, received, prefix="]Q1", suffix="\t")
    try:
        received.state()
        line.send(b"\x00\xff" * 3000)  # 6 KB of noise without a line end: dropped, bounded
        line.send(b"more noise\r\n]Q1SF1234567890123\t\r\n", piece=7)
        assert received.code() == "SF1234567890123"
    finally:
        scanner.stop()
    assert received.codes.empty()


def test_unplugged_then_plugged_in_again_behind_a_stable_link(
    tmp_path: Path, received: Received
) -> None:
    link = tmp_path / "usb-Scanner_QR-if00"  # as /dev/serial/by-id/… names it
    scanner = scanner_on(str(link), received)
    first = second = None
    try:
        ok, message = received.state()  # nothing plugged in yet
        assert not ok and message.startswith(f"打不开扫码枪的串口 {link}") and "手工输入" in message
        first = ScannerPty()
        link.symlink_to(first.port)
        assert received.state() == (True, f"扫码枪已连接（{link}）。")
        first.send(b"FIRST\r\n")
        assert received.code() == "FIRST"

        first.unplug()
        ok, message = received.state()
        assert not ok and message.startswith(f"扫码枪（串口 {link}）断开了")
        assert "自动连上" in message
        second = ScannerPty()  # plugged in again: another pty, the same link
        link.unlink()
        link.symlink_to(second.port)
        assert received.state() == (True, f"扫码枪已连接（{link}）。")
        second.send(b"SECOND\n")
        assert received.code() == "SECOND"
    finally:
        scanner.stop()
        if second is not None:
            second.unplug()
    assert received.states.empty()  # each change told once, not at every retry


def test_stop_is_prompt_while_a_read_waits(line: ScannerPty, received: Received) -> None:
    scanner = scanner_on(line.port, received)
    received.state()
    begun = time.monotonic()
    scanner.stop()
    assert time.monotonic() - begun < 1.0
    assert scanner._thread is not None and not scanner._thread.is_alive()
    line.send(b"LATE\r\n")
    assert received.codes.empty()


def test_a_port_that_never_opens_is_retried_without_spinning(
    tmp_path: Path, received: Received
) -> None:
    tries: list[float] = []
    four = threading.Event()

    def refuse(port: str, **options: object) -> object:
        tries.append(time.monotonic())
        if len(tries) == 4:
            four.set()
        raise OSError(2, "No such file or directory")

    scanner = SerialCodeScanner(
        str(tmp_path / "none"),
        on_code=received.codes.put,
        on_state=lambda ok, m: received.states.put((ok, m)),
        retry_s=0.05,
        open_port=refuse,
    )
    scanner.start()
    try:
        assert received.state()[0] is False
        assert four.wait(WAIT_S)
    finally:
        scanner.stop()
    gaps = [b - a for a, b in zip(tries, tries[1:], strict=False)]
    assert len(tries) >= 4 and min(gaps) >= 0.04
    assert received.states.empty()


# -- splitting lines ----------------------------------------------------------------------------
def test_line_ends_and_limits() -> None:
    splitter = LineSplitter(limit=8)
    assert splitter.feed(b"AB\r") == [b"AB"]
    assert splitter.feed(b"\nCD") == []
    assert splitter.feed(b"\n\n\rEF") == [b"CD"]
    assert splitter.feed(b"GHIJKLMN") == []  # 10 bytes without an end: over the limit
    assert splitter.feed(b"OP\nQR\n") == [b"QR"]  # the rest of the long line is dropped too
    assert splitter.dropped == 1
    assert splitter.feed(b"12345678\n123456789\n") == [b"12345678"]
    assert splitter.dropped == 2


def _lines(stream: bytes, limit: int) -> list[bytes]:
    """What splitting the whole stream at once gives: every ended, non-empty, short line."""
    return [p for p in re.split(b"[\r\n]", stream)[:-1] if p and len(p) <= limit]


streams = st.lists(
    st.one_of(
        st.sampled_from(
            [b"\r", b"\n", b"\r\n", b"OS1:ABC", "中文".encode(), "中文".encode("gb18030")]
        ),
        st.binary(max_size=24),
    ),
    max_size=30,
).map(b"".join)


@given(streams, st.lists(st.integers(0, 1000)), st.integers(1, 40))
def test_any_chunking_gives_the_lines_of_the_whole_stream(
    stream: bytes, cuts: list[int], limit: int
) -> None:
    at = sorted({0, len(stream), *(c % (len(stream) + 1) for c in cuts)})
    pieces = [stream[a:b] for a, b in zip(at, at[1:], strict=False)]
    chunked, whole = LineSplitter(limit=limit), LineSplitter(limit=limit)
    lines = [line for piece in pieces for line in chunked.feed(piece)]
    assert lines == whole.feed(stream) == _lines(stream, limit)
    assert chunked.dropped == whole.dropped


@given(st.binary(max_size=64))
def test_any_line_reads_as_text(raw: bytes) -> None:
    text = text_of_line(raw)
    assert isinstance(text, str)
    if raw.isascii():
        assert text == raw.decode()
