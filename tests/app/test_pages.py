"""Captured pages become one PDF per material: turned, in order, the same bytes each time."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2
import pytest
from PIL import Image

from app.cases import pages
from app.devices.simulated import SimulatedCapture
from app.errors import InvalidInput

# -- app.cases.pages: one PDF per material, the clerk's turns applied when it is made -------------
# (the helpers of the materials screen in counter/ui/materials.py)


def _png(size: tuple[int, int] = (1240, 1754), mode: str = "L") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (0, 0, 0, 0) if mode == "RGBA" else "white").save(out, format="PNG")
    return out.getvalue()


def _sizes(pdf: bytes) -> list[tuple[int, int]]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [tuple(round(v) for v in document[i].get_size()) for i in range(len(document))]
    finally:
        document.close()


A4_PORTRAIT, A4_LANDSCAPE = (595, 842), (842, 595)  # points, at the camera's 150 dpi


def test_each_page_turned_clockwise_in_order() -> None:
    first, second = SimulatedCapture().capture().png, SimulatedCapture().capture().png
    pdf = pages.pages_to_pdf([first, second, first, second], [90, 0, 180, -90])
    assert _sizes(pdf) == [A4_LANDSCAPE, A4_PORTRAIT, A4_PORTRAIT, A4_LANDSCAPE]
    assert _sizes(pages.pages_to_pdf([first])) == [A4_PORTRAIT]  # no rotations given: as is


def test_a_turn_is_clockwise() -> None:
    image = Image.new("L", (80, 120), 255)
    image.paste(0, (0, 0, 20, 20))  # a dark square top left
    out = io.BytesIO()
    image.save(out, format="PNG")
    document = pypdfium2.PdfDocument(pages.pages_to_pdf([out.getvalue()], [90]))
    try:
        turned = document[0].render(scale=150 / 72).to_pil().convert("L")
    finally:
        document.close()
    width, height = turned.size
    assert width > height
    # clockwise: the top-left corner goes to the top right
    assert turned.getpixel((width - 8, 8)) < 100 and turned.getpixel((8, 8)) > 150


def test_same_pages_same_bytes() -> None:
    page = SimulatedCapture().capture().png
    assert pages.pages_to_pdf([page, page], [0, 90]) == pages.pages_to_pdf([page, page], [0, 90])
    assert b"CreationDate" not in pages.pages_to_pdf([page])


def test_jpeg_black_and_white_and_transparent_pages() -> None:
    out = io.BytesIO()
    Image.new("RGB", (300, 200), "red").save(out, format="JPEG")
    pdf = pages.pages_to_pdf([out.getvalue(), _png((100, 100), "RGBA"), _png((100, 100), "1")])
    assert len(_sizes(pdf)) == 3


def test_refused_pages() -> None:
    with pytest.raises(InvalidInput, match="还没有拍摄"):
        pages.pages_to_pdf([])
    with pytest.raises(InvalidInput, match="90 度的整数倍"):
        pages.pages_to_pdf([_png()], [45])
    with pytest.raises(InvalidInput, match="第 2 页不是能识别的图片"):
        pages.pages_to_pdf([_png(), b"garbage"])
    with pytest.raises(ValueError, match="rotations"):
        pages.pages_to_pdf([_png(), _png()], [90])


def test_sheet_keeps_the_capture_and_turns() -> None:
    data = SimulatedCapture().capture().png
    sheet = pages.sheet(data)
    assert sheet.image is data and (sheet.width, sheet.height) == (1240, 1754)
    assert Image.open(io.BytesIO(sheet.preview)).size[1] <= pages.PREVIEW[1]
    assert sheet.turned(-90).rotation == 270 and sheet.turned(90).turned(270).rotation == 0
    assert pages.sheets_to_pdf([sheet.turned(90)]) == pages.pages_to_pdf([data], [90])


def test_files_the_clerk_chooses(tmp_path: Path) -> None:
    photo = tmp_path / "photo.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # the phone was held upright: the picture is stored turned
    Image.new("RGB", (4000, 3000), "white").save(photo, exif=exif)
    (upright,) = pages.read_file(photo)  # type: ignore[misc]
    assert (upright.width, upright.height) == (1240, 1653)  # turned, and at most A4 at 150 dpi
    tiff = tmp_path / "scan.tif"
    frames = [Image.new("L", (500, 700), shade) for shade in (0, 128, 255)]
    frames[0].save(tiff, save_all=True, append_images=frames[1:])
    assert len(pages.read_file(tiff)) == 3  # type: ignore[arg-type]
    pdf = tmp_path / "出生医学记录.pdf"
    pdf.write_bytes(pages.pages_to_pdf([_png(), _png()]))
    document = pages.read_file(pdf)
    assert isinstance(document, pages.Document)
    assert (document.file_name, document.pages) == ("出生医学记录.pdf", 2)
    assert document.data == pdf.read_bytes()  # kept as it is


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("scan.png", b"not an image", "不是能识别的图片"),
        ("scan.pdf", b"%PDF-1.4 not really", "损坏的或加了密码的 PDF"),
        ("empty.png", b"", "是空的"),
        ("gone.png", None, "文件不存在"),
    ],
)
def test_unreadable_files_say_what_to_do(
    tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InvalidInput, match=message) as raised:
        pages.read_file(path)
    assert "请" in str(raised.value)  # and what to do instead


def test_scan_names() -> None:
    assert pages.scan_name("新生儿出生医学记录", 0) == "新生儿出生医学记录.pdf"
    assert pages.scan_name("身份证/户口簿", 1) == "身份证_户口簿-2.pdf"
