"""Captured pages into the one PDF a material is stored as: each page rotated as the clerk turned
it, in the order shown (Pillow; no Qt). Files the clerk picks become pages too."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from app.devices.protocols import Page
from app.errors import InvalidInput

DPI = 150.0  # a document camera's A4 page at 1240 × 1754 pixels


def _image(data: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError):
        raise InvalidInput(
            "这个文件不是能识别的图片。", hint="请选择 PNG、JPEG 图片或 PDF 文件，或重新拍摄。"
        ) from None
    return image


def rotate(page: Page, degrees: int) -> Page:
    """The page turned clockwise by ``degrees`` (a multiple of 90)."""
    if degrees % 90:
        raise InvalidInput("页面只能按 90 度旋转。")
    image = _image(page.png).rotate(-degrees % 360, expand=True)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return Page(out.getvalue(), image.width, image.height)


def pages_to_pdf(pages: Sequence[Page]) -> bytes:
    """One PDF with ``pages`` in order (the same pages give the same bytes)."""
    if not pages:
        raise InvalidInput("还没有拍摄或选择任何页面。", hint="请先拍摄（F6）或选择文件。")
    images = [_image(p.png).convert("RGB") for p in pages]
    out = io.BytesIO()
    images[0].save(out, format="PDF", save_all=True, append_images=images[1:], resolution=DPI,
                   creationDate=None, modDate=None)  # fmt: skip
    return out.getvalue()


def page_from_file(path: Path) -> Page:
    """An image file the clerk chose (a scan made elsewhere)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"无法读取文件 {path.name}：{exc.strerror}。") from None
    image = _image(data)
    if image.format != "PNG":
        out = io.BytesIO()
        image.convert("RGB").save(out, format="PNG")
        data = out.getvalue()
    return Page(data, image.width, image.height)
