"""QR codes and barcodes in a picture or an image file (zxing-cpp, :mod:`app.devices.codes`), for
the counter's document camera and its "choose a picture" button: the counter's formats, since a
receipt carries a QR code and a transfer slip or waybill a 1-D barcode."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from app.devices.codes import COUNTER, decode_frame
from app.devices.protocols import DeviceError


def codes_in(image: Image.Image) -> list[str]:
    """The texts of every code in the image, top to bottom (greyscale is faster and as good)."""
    found = decode_frame(np.asarray(image.convert("L")), COUNTER, thorough=True)
    found.sort(key=lambda code: code.top_left[::-1])
    return [code.text for code in found]


def codes_in_file(path: Path) -> list[str]:
    try:
        with Image.open(path) as image:
            return codes_in(image)
    except (OSError, UnidentifiedImageError):
        raise DeviceError(
            f"无法读取图片 {path.name}。", fallback="请换一张清晰的图片，或手工输入编号。"
        ) from None
