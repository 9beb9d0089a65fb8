"""Captured pages become one PDF per material: turned, in order, the same bytes each time."""

from __future__ import annotations

import pypdfium2
import pytest

from app.devices.pages import page_from_file, pages_to_pdf, rotate
from app.devices.simulated import SimulatedCapture
from app.errors import InvalidInput


def test_pages_in_order_and_turned(tmp_path) -> None:  # type: ignore[no-untyped-def]
    camera = SimulatedCapture()
    first, second = camera.capture(), camera.capture()
    turned = rotate(first, 90)
    assert (turned.width, turned.height) == (first.height, first.width)
    assert rotate(turned, -90).width == first.width
    pdf = pages_to_pdf([turned, second])
    assert pdf == pages_to_pdf([turned, second])
    document = pypdfium2.PdfDocument(pdf)
    try:
        sizes = [document[i].get_size() for i in range(len(document))]
    finally:
        document.close()
    assert len(sizes) == 2
    assert sizes[0][0] > sizes[0][1] and sizes[1][0] < sizes[1][1]
    assert round(sizes[1][0]) == round(1240 / 150 * 72)  # A4 width at the camera's 150 dpi


def test_refusals(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput, match="还没有拍摄"):
        pages_to_pdf([])
    with pytest.raises(InvalidInput, match="90 度"):
        rotate(SimulatedCapture().capture(), 45)
    broken = tmp_path / "x.jpg"
    broken.write_bytes(b"\xff\xd8 not really")
    with pytest.raises(InvalidInput, match="不是能识别的图片"):
        page_from_file(broken)
    with pytest.raises(InvalidInput, match="无法读取"):
        page_from_file(tmp_path / "missing.png")
