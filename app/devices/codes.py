"""QR codes and barcodes in camera frames (zxing-cpp), reported once per showing.

:func:`decode_frame` reads a greyscale frame, looking only for the formats asked for (QR alone is
ten times quicker than every format). :class:`Debouncer` turns "seen in this frame" into "shown
to the camera": a phone held under the camera for a second is one code, not thirty.
:class:`FrameDecoder` does both on one worker thread, always on the newest frame, so the GUI
thread can hand it every preview frame without waiting.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import zxingcpp

log = logging.getLogger(__name__)

Frame = npt.NDArray[np.uint8]
Point = tuple[int, int]

QR: tuple[str, ...] = ("QRCode",)  # QR, Micro QR and rMQR: what the app and phones show
# At the counter receipts carry QR codes, transfer slips and waybills 1-D barcodes as well.
COUNTER: tuple[str, ...] = ("QRCode", "DataMatrix", "Code128", "Code39", "EAN13")

_MOJIBAKE = ((0x80, 0xFF), (0xFF61, 0xFF9F))  # Latin-1 and half-width katakana: a wrong guess
_CJK = ((0x3000, 0x303F), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xFF01, 0xFF5E))


@dataclass(frozen=True)
class Code:
    """A code's text, its format's zxing-cpp name (``"QRCode"``, ``"Code128"`` …; ``""`` when
    the device does not say, as a serial scanner) and its corners in the frame, clockwise from
    the top left (empty when not known)."""

    text: str
    format: str = ""
    position: tuple[Point, ...] = ()

    @property
    def top_left(self) -> Point:
        """Where the code starts, for reading several codes in page order."""
        if not self.position:
            return (0, 0)
        return (min(x for x, _ in self.position), min(y for _, y in self.position))


@lru_cache(maxsize=16)
def _formats(names: tuple[str, ...]) -> zxingcpp.BarcodeFormats:
    return zxingcpp.BarcodeFormats([getattr(zxingcpp.BarcodeFormat, name) for name in names])


def decode_frame(gray: Frame, formats: Sequence[str] = QR, *, thorough: bool = False) -> list[Code]:
    """Every code of ``formats`` in a greyscale frame (rows × columns, uint8), as zxing-cpp
    finds them. A frame that cannot hold a code (empty, wrong shape or type) has none.

    A live frame is read at its own size only (about half the time; codes from 3 to 32 pixels a
    module, blurred or inverted, still read); ``thorough`` also tries smaller copies, for a
    single picture where time matters less than the last hard case.
    """
    if gray.ndim != 2 or gray.dtype != np.uint8 or gray.size == 0:
        return []
    try:
        found = zxingcpp.read_barcodes(
            np.ascontiguousarray(gray), formats=_formats(tuple(formats)), try_downscale=thorough
        )
    except (ValueError, TypeError, RuntimeError) as exc:  # never seen on a 2-D uint8 frame
        log.warning("zxing-cpp could not read a %s frame: %s", gray.shape, exc)
        return []
    return [_code(barcode) for barcode in found]


def _code(barcode: zxingcpp.Barcode) -> Code:
    p = barcode.position
    corners = (p.top_left, p.top_right, p.bottom_right, p.bottom_left)
    return Code(
        text=text_of(barcode.text, barcode.bytes),
        format=barcode.format.name,
        position=tuple((c.x, c.y) for c in corners),
    )


def text_of(guessed: str, raw: bytes) -> str:
    """zxing-cpp's text, unless it is a wrong guess at Chinese bytes without an ECI marker.

    Without ECI zxing-cpp guesses the character set; Chinese written as GB18030 (as older
    systems in China print it) comes out as Latin-1 or half-width katakana. When the guess shows
    such characters, and the bytes are not UTF-8 but read as GB18030 with Chinese in them, the
    GB18030 reading is the one meant. (A Latin-1 text whose bytes happen to read as Chinese is
    taken for Chinese: in a Chinese hall that is the better bet.)
    """
    if guessed.isascii() or not any(_within(ch, _MOJIBAKE) for ch in guessed):
        return guessed
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return guessed  # valid UTF-8 is read as UTF-8 by zxing-cpp itself
    try:
        chinese = raw.decode("gb18030")
    except UnicodeDecodeError:
        return guessed
    return chinese if any(_within(ch, _CJK) for ch in chinese) else guessed


def _within(ch: str, ranges: Iterable[tuple[int, int]]) -> bool:
    return any(low <= ord(ch) <= high for low, high in ranges)


class Debouncer:
    """Which codes of a frame are newly shown.

    A code is reported when it appears, and again only once it has been out of view for
    ``repeat_s`` — or when another code was reported since (the next receipt, then back to the
    first). A few frames in which a held code fails to decode (blur, glare) do not count as
    taking it away.
    """

    def __init__(self, repeat_s: float = 2.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.repeat_s = repeat_s
        self._clock = clock
        self._seen: dict[str, float] = {}  # text → when last seen

    def feed(self, codes: Iterable[Code]) -> list[Code]:
        """The codes of one decoded frame (an empty frame too): those to report."""
        now = self._clock()
        fresh: list[Code] = []
        here: set[str] = set()
        for code in codes:
            if code.text in here:
                continue
            here.add(code.text)
            last = self._seen.get(code.text)
            if last is None or now - last >= self.repeat_s:
                fresh.append(code)
        if fresh:  # a new code: what is not in view now is gone
            self._seen = {text: at for text, at in self._seen.items() if text in here}
        for text in here:
            self._seen[text] = now
        self._seen = {t: at for t, at in self._seen.items() if now - at < self.repeat_s}
        return fresh


class FrameDecoder:
    """Decodes submitted frames on one background thread and calls ``on_code`` (on that
    thread: a Qt caller re-emits it as a signal) for each code newly shown.

    Only the newest frame waits: one submitted while another is being decoded replaces any
    frame still waiting, so a slow decode skips frames instead of falling behind the camera.
    """

    def __init__(
        self,
        on_code: Callable[[Code], None],
        *,
        formats: Sequence[str] = QR,
        repeat_s: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
        decode: Callable[[Frame], list[Code]] | None = None,
    ) -> None:
        self._on_code = on_code
        self._formats = tuple(formats)
        self._decode = decode or self._decode_frame
        self._debouncer = Debouncer(repeat_s, clock)
        self._ready = threading.Condition()
        self._waiting: Frame | None = None
        self._closed = False
        self.decoded = 0  # frames decoded
        self.dropped = 0  # frames replaced by a newer one before their turn
        self._thread = threading.Thread(target=self._run, name="frame-decoder", daemon=True)
        self._thread.start()

    def _decode_frame(self, frame: Frame) -> list[Code]:
        return decode_frame(frame, self._formats)

    def submit(self, frame: Frame) -> None:
        """Hand over a greyscale frame; returns at once. The frame is copied, so the caller may
        reuse or unmap its buffer."""
        frame = np.array(frame, copy=True)
        with self._ready:
            if self._closed:
                return
            if self._waiting is not None:
                self.dropped += 1
            self._waiting = frame
            self._ready.notify()

    def close(self, timeout_s: float = 2.0) -> None:
        """Stop the thread; a frame still waiting is not decoded."""
        with self._ready:
            self._closed = True
            self._waiting = None
            self._ready.notify()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout_s)

    def __enter__(self) -> FrameDecoder:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _run(self) -> None:
        while True:
            with self._ready:
                while self._waiting is None and not self._closed:
                    self._ready.wait()
                if self._closed:
                    return
                frame, self._waiting = self._waiting, None
            assert frame is not None
            try:
                codes = self._decode(frame)
            except Exception:  # a bad frame must not end the preview's codes
                log.exception("a frame could not be decoded")
                codes = []
            self.decoded += 1
            for code in self._debouncer.feed(codes):
                with self._ready:
                    if self._closed:
                        return
                try:
                    self._on_code(code)
                except Exception:  # the receiver's fault must not stop the camera's codes
                    log.exception("on_code failed for a %s code", code.format)


def codes_in_png(data: bytes, formats: Sequence[str] = COUNTER) -> list[Code]:
    """The codes in a captured page or picture (PNG or JPEG bytes), top to bottom."""
    import cv2

    buffer = np.frombuffer(data, np.uint8)
    gray = cv2.imdecode(buffer, cv2.IMREAD_GRAYSCALE) if buffer.size else None
    if gray is None:
        return []
    found = decode_frame(np.asarray(gray, dtype=np.uint8), formats, thorough=True)
    return sorted(found, key=lambda code: (code.top_left[1], code.top_left[0]))
