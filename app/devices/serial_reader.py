"""An ID card reader on a serial line (USB-serial or RS-232, 115200 8N1 by default) speaking the
security module's protocol (GA/T 467, :mod:`app.devices.gat467`) through pyserial.

A read finds the card, selects it and reads its base message; without a card it asks again
every ``poll_s`` until ``timeout_s``. The card's photo goes through the vendor's decoder when one
is configured (:mod:`app.devices.wlt`), else the card reads without it. A garbled or missing
answer is asked again, a bounded number of times; a port that cannot be opened, or a reader that
never answers, ends in a :class:`DeviceError` that says what to do instead (type the number). The
port is opened for each read and closed after it, so a reader unplugged and plugged in again
simply works on the next.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from app.devices import gat467
from app.devices.protocols import DeviceError
from app.devices.wlt import WltDecoder, photo_of
from app.identity.card import IdCardData

log = logging.getLogger(__name__)

FALLBACK = "请手工输入证件号码，并核对原件。"
OpenPort = Callable[..., Any]  # serial.Serial's signature: (port, baudrate=…, timeout=…)


def _open_serial(port: str, **options: Any) -> Any:
    import serial  # pyserial, imported when a serial reader is configured

    return serial.Serial(port, **options)


class SerialIdReader:
    name = "身份证阅读器（串口）"

    def __init__(
        self,
        port: str,
        *,
        baudrate: int = 115200,
        answer_s: float = 1.0,
        attempts: int = 3,
        poll_s: float = 0.2,
        photo_decoder: str = "",
        open_port: OpenPort = _open_serial,
    ) -> None:
        self.port = port
        self.baudrate = baudrate
        self.answer_s = answer_s  # how long one command may wait for its answer
        self.attempts = attempts  # a garbled or missing answer: asked again this many times
        self.poll_s = poll_s
        self._open_port = open_port
        self._decoder = WltDecoder(photo_decoder) if photo_decoder else None

    def read(self, timeout_s: float = 5.0) -> IdCardData | None:
        deadline = time.monotonic() + timeout_s
        line = self._open()
        try:
            while True:
                found = self._exchange(line, gat467.FIND_CARD)
                if found.sw3 == gat467.CARD_FOUND:
                    self._exchange(line, gat467.SELECT_CARD)  # an unselected card reads 0x81
                    base = self._exchange(line, gat467.READ_BASE)
                    if base.ok:
                        card = gat467.parse_base_message(base.data)
                        png, note = photo_of(self._decoder, card.photo)
                        return replace(card, photo=png, photo_note=note)
                    log.info("card read failed: status %02X", base.sw3)
                if time.monotonic() + self.poll_s > deadline:
                    return None
                time.sleep(self.poll_s)
        finally:
            line.close()

    def check(self) -> str:
        """The security module's status (GA/T 467 11 FF): the reader is there and answering."""
        try:
            line = self._open()
            try:
                answer = self._exchange(line, gat467.SAM_STATUS)
            finally:
                line.close()
        except DeviceError as exc:
            return exc.message
        if not answer.ok:
            return f"身份证阅读器的安全模块报告：{answer.meaning}。请重新插拔阅读器。"
        return ""

    def _open(self) -> Any:
        try:
            return self._open_port(self.port, baudrate=self.baudrate, timeout=0.05)
        except (OSError, ValueError) as exc:  # SerialException is an OSError
            raise DeviceError(
                f"打不开身份证阅读器的串口 {self.port}（{exc}）：请检查阅读器的连线"
                "和设置中的端口。",
                fallback=FALLBACK,
            ) from None

    def _exchange(self, line: Any, command: tuple[int, int]) -> gat467.Response:
        """One command and its answer; asked again when the answer is garbled or late, or
        when the reader says it got our frame garbled (status 10)."""
        for _attempt in range(self.attempts):
            try:
                line.reset_input_buffer()
                line.write(gat467.command(command))
                answer = self._answer(line)
            except OSError as exc:
                raise DeviceError(
                    f"身份证阅读器的串口 {self.port} 断开了（{exc}）：请重新插好阅读器再读。",
                    fallback=FALLBACK,
                ) from None
            if answer is not None and answer.sw3 != 0x10:
                return answer
        raise DeviceError(
            "身份证阅读器没有正确应答：请检查阅读器的连线和波特率，再按一次读卡。",
            fallback=FALLBACK,
        )

    def _answer(self, line: Any) -> gat467.Response | None:
        reader = gat467.FrameReader()
        deadline = time.monotonic() + self.answer_s
        while time.monotonic() < deadline:
            chunk = line.read(max(1, line.in_waiting))
            if chunk:
                answers = reader.responses(chunk)
                if answers:
                    return answers[0]
                if reader.damaged:
                    return None  # garbled on the way: ask again at once
        return None
