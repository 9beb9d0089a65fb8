"""The card's photo: 1024 bytes of WLT, encrypted, which only the reader vendor's decoder library
turns into a picture (``int unpack(char *wlt, char *bmp, int bmpSave)``, a 102×126 24-bit BMP).
Whichever way the card was read — the serial protocol or a vendor's SDK — its photo goes through
the decoder the settings name; without one, or when it fails, the card reads without its photo
and ``photo_note`` says why."""

from __future__ import annotations

import ctypes
import io
import logging
from pathlib import Path
from typing import Any

from app.devices import gat467
from app.devices.protocols import DeviceError

log = logging.getLogger(__name__)

FALLBACK = "请手工输入证件号码，并核对原件。"
PHOTO_SIZE = (102, 126)
BMP_SIZE = 38862  # the decoder's 102×126 24-bit BMP, header included
NO_DECODER = (
    "未配置相片解码库，证件相片未显示：如需相片，请在设置 [devices] "
    "photo_decoder_library 中填写阅读器厂商的相片解码库（如 libwlt.so）。"
)
NO_PHOTO = "阅读器驱动没有给出证件相片，相片未显示：请核对原件上的相片。"


def load_library(path: str, missing: str) -> ctypes.CDLL:
    if not path.strip() or ("/" in path and not Path(path).is_file()):  # "": the program itself
        raise DeviceError(missing, fallback=FALLBACK)
    try:
        return ctypes.CDLL(path)
    except OSError as exc:
        if "No such file" in str(exc):
            raise DeviceError(missing, fallback=FALLBACK) from None
        raise DeviceError(
            f"驱动库 {path} 加载不了（{exc}）：请确认它是本机（Linux，同样位数）用的库，"
            "且它依赖的库都已安装。",
            fallback=FALLBACK,
        ) from None


class WltDecoder:
    """The vendor's decoder of the card's WLT photo (libwlt.so, libWltRS.so …):
    ``int unpack(char *wlt, char *bmp, int bmpSave)``, 1 when done, giving a 102×126 24-bit BMP
    (some versions: the bare BGR pixels, bottom row first)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._unpack: Any = None

    def to_png(self, wlt: bytes) -> bytes:
        if len(wlt) != gat467.PHOTO_SIZE:
            raise DeviceError(f"相片数据长度不对（{len(wlt)} 字节）", fallback=FALLBACK)
        if self._unpack is None:
            lib = load_library(
                self.path,
                f"找不到相片解码库 {self.path}，请在设置 [devices] "
                "photo_decoder_library 中改正它的路径",
            )
            if not hasattr(lib, "unpack"):
                raise DeviceError(f"{self.path} 不是相片解码库（缺少 unpack）", fallback=FALLBACK)
            lib.unpack.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int]
            lib.unpack.restype = ctypes.c_int
            self._unpack = lib.unpack
        out = ctypes.create_string_buffer(BMP_SIZE * 2)
        status = int(self._unpack(ctypes.create_string_buffer(wlt, len(wlt)), out, 0))
        if status != 1:
            raise DeviceError(f"相片解码库返回 {status}", fallback=FALLBACK)
        return png_from_bitmap(out.raw)


def png_from_bitmap(data: bytes) -> bytes:
    """The decoder's output (a BMP, or bare BGR pixels) as a PNG of the card photo's size."""
    from PIL import Image

    width, height = PHOTO_SIZE
    image: Image.Image
    try:
        if data[:2] == b"BM":
            image = Image.open(io.BytesIO(data), formats=["BMP"])
            image.load()
        elif len(data) >= width * height * 3:
            image = Image.frombytes(
                "RGB", PHOTO_SIZE, data[: width * height * 3], "raw", "BGR", 0, -1
            )
        else:
            raise ValueError(f"{len(data)} 字节")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise DeviceError(f"解码库给出的相片不是图片（{exc}）", fallback=FALLBACK) from None
    if image.size != PHOTO_SIZE:
        raise DeviceError(
            f"解码库给出的相片大小不对（{image.width}×{image.height}）", fallback=FALLBACK
        )
    out = io.BytesIO()
    image.convert("RGB").save(out, "PNG")
    return out.getvalue()


def photo_of(decoder: WltDecoder | None, wlt: bytes) -> tuple[bytes, str]:
    """The photo as a PNG and, when there is none, why (for the screen)."""
    if decoder is None:
        return b"", NO_DECODER if wlt else NO_PHOTO
    if not wlt:
        return b"", NO_PHOTO
    try:
        return decoder.to_png(wlt), ""
    except DeviceError as exc:
        log.warning("photo not decoded: %s", exc.message)
        return b"", f"证件相片解码失败（{exc.message}），相片未显示：请核对原件上的相片。"
