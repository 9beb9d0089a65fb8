"""The far side of a serial ID card reader for the tests: the security module's protocol
(GA/T 467) answered on a pseudo-terminal, so the real driver opens a real tty and talks bytes.

It holds a card or none, answers in fragments of ``chunk`` bytes, garbles the checksum of the
next ``garble`` answers, or stays silent for the next ``silent`` requests — the ways a line and a
reader misbehave.
"""

from __future__ import annotations

import os
import select
import threading
import time
import tty
from dataclasses import dataclass, field

from app.devices import gat467
from app.identity.card import IdCardData

SAM_ID = bytes.fromhex("05000000000000000000000000000001")  # a module's 16-byte serial


@dataclass
class ReaderEmulator:
    card: IdCardData | None = None
    chunk: int = 0  # 0: each answer in one write
    garble: int = 0
    silent: int = 0
    baud: int = (
        0  # 0: as fast as the pty takes them; else paced as 8N1 at this rate (10 bits a byte)
    )
    requests: list[tuple[int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.master, slave = os.openpty()
        tty.setraw(slave)
        self.port = os.ttyname(slave)
        self._slave = slave
        self._stop = threading.Event()
        self._selected = False
        self._thread = threading.Thread(target=self._serve, name="id-reader-emulator", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Unplug: the port's node goes (a read on it fails); a second close does nothing."""
        if self._stop.is_set():
            return
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        os.close(self.master)
        os.close(self._slave)

    def __enter__(self) -> ReaderEmulator:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _serve(self) -> None:
        reader = gat467.FrameReader(least=2)
        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 4096)
            except OSError:
                return
            for body in reader.feed(chunk):
                if self._stop.is_set():
                    return
                self._answer((body[0], body[1]))

    def _answer(self, command: tuple[int, int]) -> None:
        self.requests.append(command)
        if self.silent:
            self.silent -= 1
            return
        frame = bytearray(self._response(command))
        if self.garble:
            self.garble -= 1
            frame[-1] ^= 0x5A
        step = self.chunk or (32 if self.baud else len(frame))
        started = time.monotonic()
        for at in range(0, len(frame), step):
            piece = bytes(frame[at : at + step])
            if self.baud:  # a real line: each byte arrives after its 10 bit times
                due = started + (at + len(piece)) * 10 / self.baud
                if self._stop.wait(max(0.0, due - time.monotonic())):
                    return  # unplugged while answering
            os.write(self.master, piece)

    def _response(self, command: tuple[int, int]) -> bytes:
        if command in (gat467.RESET_SAM, gat467.SAM_STATUS):
            return gat467.response(gat467.OK)
        if command == gat467.SAM_ID:
            return gat467.response(gat467.OK, SAM_ID)
        if command == gat467.FIND_CARD:
            self._selected = False
            return gat467.response(gat467.CARD_FOUND if self.card else 0x80, bytes(4))
        if command == gat467.SELECT_CARD:
            self._selected = self.card is not None
            return gat467.response(gat467.OK if self._selected else 0x81, bytes(8))
        if command == gat467.READ_BASE:
            if self.card is None or not self._selected:
                return gat467.response(0x41)
            return gat467.response(gat467.OK, gat467.base_message(self.card))
        return gat467.response(0x21)
