"""Generated pages and camera stills for app.devices.page_quality (deterministic: seeded): a text-like
page, and what goes wrong with real ones — blur, nothing on it, too dark, burnt out, a skewed
scan, a sheet photographed at an angle on a desk, a sheet partly out of the frame."""

from __future__ import annotations

from typing import Any, cast

import cv2
import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]


def _u8(image: Any) -> Image:
    return cast(Image, image)


def _f32(values: Any) -> npt.NDArray[np.float32]:
    return np.asarray(values, np.float32)


A4 = (1240, 1754)  # 150 dpi
STILL = (4208, 3120)  # a 13-megapixel document camera's still
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def text_page(size: tuple[int, int] = A4, *, seed: int = 0, colour: bool = False) -> Image:
    """A white sheet with a title, lines of words in its margins and (in colour) a red seal."""
    rng = np.random.default_rng(seed)
    width, height = size
    page = np.full((height, width, 3), 250, np.uint8)
    unit = width / 1240
    margin, line = int(110 * unit), int(46 * unit)
    cv2.putText(
        page,
        "APPLICATION FORM",
        (int(380 * unit), margin + line),
        cv2.FONT_HERSHEY_DUPLEX,
        1.6 * unit,
        (20, 20, 20),
        max(1, round(3 * unit)),
        cv2.LINE_AA,
    )
    y = margin + 3 * line
    while y < height - margin:
        x = margin
        while True:
            word = "".join(rng.choice(list(LETTERS), int(rng.integers(2, 9))))
            (w, _), _ = cv2.getTextSize(word, cv2.FONT_HERSHEY_SIMPLEX, 0.9 * unit, 2)
            if x + w > width - margin:
                break
            cv2.putText(
                page,
                word,
                (x, y),
                cv2.FONT_HERSHEY_SIMPLEX,
                0.9 * unit,
                (25, 25, 25),
                max(1, round(2 * unit)),
                cv2.LINE_AA,
            )
            x += w + int(18 * unit)
        y += line
    if colour:
        centre = (int(width * 0.7), int(height * 0.8))
        cv2.circle(page, centre, int(120 * unit), (40, 40, 210), max(2, round(8 * unit)))
    return page if colour else _u8(cv2.cvtColor(page, cv2.COLOR_BGR2GRAY))


def blurred(page: Image, sigma: float = 3.0) -> Image:
    return _u8(cv2.GaussianBlur(page, (0, 0), sigma))


def blank(size: tuple[int, int] = A4, *, dusty: bool = False, seed: int = 0) -> Image:
    """White paper; dusty: with a scanner's faint noise and a few specks of dust."""
    width, height = size
    page = np.full((height, width), 250, np.uint8)
    if dusty:
        rng = np.random.default_rng(seed)
        noise = rng.normal(0, 3, (height, width))
        page = np.clip(page + noise, 0, 255).astype(np.uint8)
        for _ in range(12):
            x, y = int(rng.integers(50, width - 50)), int(rng.integers(50, height - 50))
            cv2.circle(page, (x, y), int(rng.integers(1, 4)), 60, -1)
    return page


def dark(page: Image) -> Image:
    return (page.astype(np.float32) * 0.3).astype(np.uint8)  # paper at 75 of 255


def burnt_out(page: Image) -> Image:
    """Overexposed: the paper clipped white, the ink washed out to light grey."""
    lifted = 255 - (255 - page.astype(np.float32)) * 0.25 + 10
    return _u8(np.clip(lifted, 0, 255).astype(np.uint8))


def rotated(page: Image, degrees: float) -> Image:
    """Turned counter-clockwise by ``degrees`` on the scanner's glass (white around it)."""
    height, width = page.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    return _u8(cv2.warpAffine(page, matrix, (width, height), borderValue=(250, 250, 250)))


def on_desk(
    page: Image, corners: npt.ArrayLike, size: tuple[int, int] = STILL, *, seed: int = 0
) -> Image:
    """The page photographed on a darker, slightly uneven desk: its corners land on ``corners``
    (top left, top right, bottom right, bottom left; may lie outside the frame)."""
    rng = np.random.default_rng(seed)
    width, height = size
    colour = page.ndim == 3
    small = rng.normal(95, 12, (height // 16, width // 16)).astype(np.float32)
    desk = cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR)
    desk = np.clip(desk, 0, 255).astype(np.uint8)
    if colour:
        desk = _u8(cv2.merge([desk - 10, desk, desk + 10]))
    source = _f32([[0, 0], [page.shape[1], 0], [page.shape[1], page.shape[0]], [0, page.shape[0]]])
    matrix = cv2.getPerspectiveTransform(source, _f32(corners))
    cv2.warpPerspective(
        page,
        matrix,
        (width, height),
        desk,
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_TRANSPARENT,
    )
    return _u8(desk)


# Where a tilted camera sees an A4 sheet in a 13 MP still (portrait sheet, landscape frame).
TILTED = _f32([[1350, 280], [3100, 340], [3180, 2880], [1250, 2830]])
OUT_OF_FRAME = _f32([[2600, -300], [4600, -200], [4500, 2700], [2500, 2600]])
