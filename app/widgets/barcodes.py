"""QR codes and barcodes from camera frames and image files (pyzbar), for the counter's document
camera and the kiosk's scanner window. Lives beside the widgets: the core imports no decoder."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, UnidentifiedImageError
from pyzbar.pyzbar import decode

from app.devices.protocols import DeviceError


def codes_in(image: Image.Image) -> list[str]:
    """The texts of every code in the image, top to bottom (greyscale is faster and as good)."""
    found = decode(image.convert("L"))
    found.sort(key=lambda s: (s.rect.top, s.rect.left))
    texts = []
    for symbol in found:
        try:
            texts.append(symbol.data.decode("utf-8"))
        except UnicodeDecodeError:
            texts.append(symbol.data.decode("gb18030", errors="replace"))
    return texts


def codes_in_file(path: Path) -> list[str]:
    try:
        with Image.open(path) as image:
            return codes_in(image)
    except (OSError, UnidentifiedImageError):
        raise DeviceError(
            f"无法读取图片 {path.name}。", fallback="请换一张清晰的图片，或手工输入编号。"
        ) from None
