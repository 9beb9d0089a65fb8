"""Decoding QR codes from images: what the camera or a file gives."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import segno
import zxingcpp
from PIL import Image

from app.devices.protocols import DeviceError
from app.widgets.barcodes import codes_in, codes_in_file


def test_codes_are_found_top_to_bottom(tmp_path: Path) -> None:
    page = Image.new("L", (600, 900), 255)
    for n, (text, y) in enumerate(
        (("OS1:430100001-20261123-00001:ABC", 50), ("第二个：新生儿", 480))
    ):
        path = tmp_path / f"{n}.png"
        segno.make_qr(text, eci=True).save(str(path), scale=8)  # make() may pick a Micro QR
        page.paste(Image.open(path), (100, y))
    assert codes_in(page) == ["OS1:430100001-20261123-00001:ABC", "第二个：新生儿"]
    page.save(tmp_path / "page.png")
    assert codes_in_file(tmp_path / "page.png")[0].startswith("OS1:")
    assert codes_in(Image.new("RGB", (100, 100), "white")) == []


def test_a_file_that_is_not_an_image(tmp_path: Path) -> None:
    bad = tmp_path / "x.png"
    bad.write_bytes(b"not an image")
    with pytest.raises(DeviceError, match="无法读取图片"):
        codes_in_file(bad)


def test_a_waybills_barcode_and_an_old_systems_chinese_qr(tmp_path: Path) -> None:
    """The counter's formats: a 1-D barcode too; and GB18030 without an ECI marker reads as
    Chinese, not as Latin-1 mojibake."""
    page = Image.new("L", (700, 700), 255)
    bars = zxingcpp.create_barcode("SF1234567890123", zxingcpp.BarcodeFormat.Code128)
    row = np.asarray(bars.to_image(scale=3))[:1]
    page.paste(Image.fromarray(np.repeat(row, 100, axis=0)), (60, 500))
    path = tmp_path / "gb.png"
    segno.make_qr("长沙市政务服务中心".encode("gb18030")).save(str(path), scale=6)
    page.paste(Image.open(path), (200, 60))
    assert codes_in(page.convert("RGB")) == ["长沙市政务服务中心", "SF1234567890123"]
