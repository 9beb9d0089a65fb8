"""Simulated devices for the demo and the tests: an ID reader with test persons (the same people
the reference platform holds shared data and e-licences for), and a document camera that returns
sample pages."""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date

from PIL import Image, ImageDraw

from app.devices.protocols import DeviceError, Page
from app.identity.card import IdCardData

TEST_PERSONS: tuple[IdCardData, ...] = (
    IdCardData(
        "李芳",
        "女",
        "汉",
        date(1992, 3, 15),
        "湖南省长沙市岳麓区桐梓坡路88号",
        "43010419920315204X",
        "长沙市公安局岳麓分局",
        date(2019, 5, 6),
        date(2039, 5, 6),
    ),
    IdCardData(
        "王建国",
        "男",
        "汉",
        date(1964, 11, 15),
        "湖南省长沙市岳麓区麓山南路2号",
        "430104196411152016",
        "长沙市公安局岳麓分局",
        date(2010, 3, 1),
        None,
    ),
    IdCardData(
        "赵秀英",
        "女",
        "汉",
        date(1955, 8, 8),
        "湖南省长沙市芙蓉区五一大道100号",
        "430102195508080015",
        "长沙市公安局芙蓉分局",
        date(2008, 7, 1),
        None,
    ),
)


class SimulatedIdReader:
    """Hands out the test persons in turn; ``fail`` makes the next read fail like a real reader
    that lost its USB connection."""

    name = "模拟身份证阅读器"

    def __init__(self, persons: Sequence[IdCardData] = TEST_PERSONS) -> None:
        self._next: Iterator[IdCardData] = itertools.cycle(persons)
        self.fail = False
        self.empty = False

    def check(self) -> str:
        return "身份证阅读器没有响应（模拟）。" if self.fail else ""

    def read(self, timeout_s: float = 5.0) -> IdCardData | None:
        if self.fail:
            raise DeviceError("身份证阅读器没有响应。", fallback="请手工输入证件号码，并核对原件。")
        if self.empty:
            return None
        card = next(self._next)
        return card if card.photo else replace(card, photo=portrait(card))


def portrait(card: IdCardData) -> bytes:
    """A drawn stand-in for the chip's photo (102 × 126, as a decoder gives it): a silhouette on
    a background of the person's own shade, plainly not a photograph."""
    shade = 200 + sum(map(ord, card.id_number)) % 40
    image = Image.new("RGB", (102, 126), (shade - 20, shade, 235))
    draw = ImageDraw.Draw(image)
    draw.ellipse((28, 18, 74, 72), fill=(222, 196, 170))
    draw.rounded_rectangle((14, 80, 88, 140), radius=22, fill=(70, 80, 110))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


class SimulatedCapture:
    """A document camera that returns numbered sample pages (A4 proportions, 1240 × 1754), and a
    live preview in which the page drifts a little, as a page held under a real camera does."""

    name = "模拟高拍仪"

    def __init__(self) -> None:
        self.count = 0
        self.frames = 0
        self.fail = False

    def check(self) -> str:
        return "高拍仪没有响应（模拟）。" if self.fail else ""

    def frame(self, width: int) -> Page:
        if self.fail:
            raise DeviceError("高拍仪没有响应。")
        self.frames += 1
        height = width * 1754 // 1240
        image = Image.new("L", (width, height), 90)  # the desk under the camera
        shift = (self.frames % 8) - 4
        margin = max(4, width // 20)
        draw = ImageDraw.Draw(image)
        draw.rectangle((margin + shift, margin, width - margin + shift, height - margin), fill=250)
        for line in range(10):
            y = margin * 3 + line * (height - margin * 6) // 10
            draw.line(
                (margin * 2 + shift, y, width - margin * 3 + shift, y),
                fill=120,
                width=max(1, width // 150),
            )
        out = io.BytesIO()
        image.save(out, format="PNG", compress_level=1)
        return Page(out.getvalue(), width, height)

    def capture(self) -> Page:
        if self.fail:
            raise DeviceError("高拍仪没有响应。", fallback="可以改用扫描好的文件（选择文件）。")
        self.count += 1
        image = Image.new("L", (1240, 1754), 255)
        draw = ImageDraw.Draw(image)
        draw.rectangle((60, 60, 1180, 1694), outline=0, width=6)
        for line in range(12):
            y = 260 + line * 110
            draw.line((140, y, 1100 - (line % 3) * 160, y), fill=80, width=8)
        draw.text((140, 140), f"SAMPLE PAGE {self.count}", fill=0)
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=False)
        return Page(out.getvalue(), image.width, image.height)
