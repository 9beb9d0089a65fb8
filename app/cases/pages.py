"""A material's pages — taken with the document camera or chosen from files — become the one PDF
the case keeps for it (Pillow, no Qt). The clerk's turns are applied only here, when the PDF is
made, so turning a page on screen costs nothing and never re-encodes the picture. A PDF file the
clerk chooses is kept as it is.

Every page is at most an A4 sheet at the camera's 150 dpi, so a phone photo or a 600 dpi scan
does not make a huge file, and the same pages always give the same PDF bytes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

import pypdfium2
from PIL import ExifTags, Image, ImageOps, ImageSequence, UnidentifiedImageError

from app.errors import InvalidInput

DPI = 150.0  # the document camera's resolution: its A4 page is 1240 × 1754 pixels
A4 = (1240, 1754)
PREVIEW = (120, 170)  # the thumbnail the clerk sees
MAX_FILE_MB = 50
MAX_FRAMES = 200  # pages of one multi-page TIFF
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")
PDF_MAGIC = b"%PDF-"
_TRANSPOSE = {
    90: Image.Transpose.ROTATE_270,  # Pillow turns counter-clockwise
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_90,
}
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


@dataclass(frozen=True, eq=False)  # eq=False: two equal captures are still two pages
class Sheet:
    """One page waiting to be saved: the picture (PNG or JPEG), a small PNG to show, and how far
    the clerk has turned it (clockwise degrees)."""

    image: bytes
    preview: bytes
    width: int
    height: int
    rotation: int = 0
    problems: tuple[str, ...] = ()  # what the camera's or scanner's quality check found
    measures: tuple[tuple[str, float], ...] = ()  # and the numbers it judged by (none: a file)

    def turned(self, degrees: int) -> Sheet:
        return replace(self, rotation=_degrees(self.rotation + degrees))


@dataclass(frozen=True)
class Document:
    """A PDF file the clerk chose: stored as it is, with its page count."""

    data: bytes
    file_name: str
    pages: int


def sheet(data: bytes, *, source: str = "") -> Sheet:
    """A captured picture as a page (one frame; see :func:`read_file` for files)."""
    return _sheet(_open(data, source), data)


def pages_to_pdf(pages: Sequence[bytes], rotations: Sequence[int] = ()) -> bytes:
    """One PDF with ``pages`` (PNG or JPEG bytes) in order, each turned clockwise by its
    ``rotations`` entry (0, 90, 180 or 270; none given: as they are)."""
    if not pages:
        raise InvalidInput("还没有拍摄或选择任何页面。", hint="请先拍摄（F6）或选择文件。")
    turns = list(rotations) or [0] * len(pages)
    if len(turns) != len(pages):
        raise ValueError(f"{len(pages)} pages but {len(turns)} rotations")
    images = []
    for number, (data, degrees) in enumerate(zip(pages, turns, strict=True), start=1):
        image = _printable(_open(data, f"第 {number} 页"))
        turn = _TRANSPOSE.get(_degrees(degrees))
        images.append(image.transpose(turn) if turn is not None else image)
    out = io.BytesIO()
    images[0].save(
        out,
        format="PDF",
        save_all=True,
        append_images=images[1:],
        resolution=DPI,
        quality=85,
        title=None,
        creationDate=None,
        modDate=None,
    )
    return out.getvalue()


def sheets_to_pdf(sheets: Sequence[Sheet]) -> bytes:
    return pages_to_pdf([s.image for s in sheets], [s.rotation for s in sheets])


def read_file(path: Path) -> list[Sheet] | Document:
    """A file the clerk chose: an image (each frame of a TIFF) becomes pages; a PDF is kept."""
    name = path.name
    try:
        size = path.stat().st_size
        if size > MAX_FILE_MB << 20:
            raise InvalidInput(
                f"文件“{name}”有 {size / (1 << 20):.0f} MB，超过 {MAX_FILE_MB} MB。",
                hint="请压缩或分拆后再选择，或改用高拍仪拍摄。",
            )
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(
            f"无法读取文件“{name}”：{_why(exc)}。",
            hint="请检查文件是否还在、能否打开，或改选其他文件。",
        ) from None
    if not data:
        raise InvalidInput(f"文件“{name}”是空的。", hint="请改选其他文件，或改用高拍仪拍摄。")
    if PDF_MAGIC in data[:1024]:
        return Document(data, name, pdf_pages(data, name))
    image = _open(data, f"文件“{name}”")
    frames = getattr(image, "n_frames", 1)
    if frames == 1:
        return [_sheet(image, data)]
    if frames > MAX_FRAMES:
        raise InvalidInput(
            f"文件“{name}”有 {frames} 页，太多了（最多 {MAX_FRAMES} 页）。",
            hint="请分拆后再选择。",
        )
    return [_sheet(frame.copy(), b"") for frame in ImageSequence.Iterator(image)]


def pdf_pages(data: bytes, name: str = "") -> int:
    """How many pages a PDF has; a broken or locked one is refused. (PDFium is not thread-safe:
    call it on the one lane that also renders previews.)"""
    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError:
        raise InvalidInput(
            f"文件“{name}”是损坏的或加了密码的 PDF，无法打开。",
            hint="请让申请人提供未加密的文件，或打印后用高拍仪拍摄。",
        ) from None
    try:
        pages = int(len(document))
    finally:
        document.close()
    if pages < 1:
        raise InvalidInput(f"文件“{name}”是没有页面的 PDF。", hint="请改选其他文件。")
    return pages


def scan_name(material: str, taken: int) -> str:
    """The file name a material's PDF is stored under (``taken``: how many it has already)."""
    base = _UNSAFE.sub("_", material).strip(" .") or "扫描件"
    return f"{base}.pdf" if taken == 0 else f"{base}-{taken + 1}.pdf"


def _why(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "文件不存在（可能已被移走或删除）"
    if isinstance(exc, PermissionError):
        return "没有权限打开"
    if isinstance(exc, IsADirectoryError):
        return "这是一个文件夹，不是文件"
    return "读取时出错"


def _degrees(degrees: int) -> int:
    if degrees % 90:
        raise InvalidInput(f"页面只能按 90 度的整数倍旋转，不能转 {degrees} 度。")
    return degrees % 360


def _open(data: bytes, source: str) -> Image.Image:
    what = source or "这个文件"
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except Image.DecompressionBombError:
        raise InvalidInput(
            f"{what}的像素太多，不能作为扫描件。",
            hint="请缩小图片后再选择，或改用高拍仪拍摄。",
        ) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise InvalidInput(
            f"{what}不是能识别的图片或 PDF（可能已损坏）。",
            hint="请选择 PNG、JPEG、TIFF 图片或 PDF 文件，或重新拍摄。",
        ) from None
    return image


def _sheet(image: Image.Image, data: bytes) -> Sheet:
    """Upright (a phone photo's EXIF turn applied) and no bigger than A4 at 150 dpi; the original
    bytes are kept when nothing had to change."""
    turned = image.getexif().get(ExifTags.Base.Orientation, 1) not in (0, 1)
    upright = ImageOps.exif_transpose(image) if turned else image
    limit = A4 if upright.height >= upright.width else A4[::-1]
    changed = (
        turned
        or upright.width > limit[0]
        or upright.height > limit[1]
        or image.format not in ("PNG", "JPEG")
        or not data
    )
    if changed:
        upright = _printable(upright)
        upright.thumbnail(limit, Image.Resampling.LANCZOS)
        out = io.BytesIO()
        if image.format == "JPEG" and upright.mode in ("L", "RGB"):
            upright.save(out, format="JPEG", quality=90)
        else:
            upright.save(out, format="PNG")
        data = out.getvalue()
    small = _printable(upright).copy()
    small.thumbnail(PREVIEW)
    preview = io.BytesIO()
    small.save(preview, format="PNG")
    return Sheet(data, preview.getvalue(), upright.width, upright.height)


def _printable(image: Image.Image) -> Image.Image:
    """A mode the PDF writer takes as it is: grey or colour, transparency on white paper.
    (Black-and-white becomes grey: its fax coding does not take the JPEG quality.)"""
    if image.mode in ("L", "RGB"):
        return image
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        paper = Image.new("RGB", rgba.size, "white")
        paper.paste(rgba, mask=rgba.getchannel("A"))
        return paper
    return image.convert("RGB")


class Judged(Protocol):
    """A page a camera or scanner took, with its quality check (a Sheet, a device's Page)."""

    @property
    def problems(self) -> tuple[str, ...]: ...

    @property
    def measures(self) -> tuple[tuple[str, float], ...]: ...


def quality_record(pages: Sequence[Judged]) -> tuple[dict[str, Any], ...]:
    """Each captured page's quality check, numbered as in the PDF, for the scan's audit entry
    (pages from files were not checked and are left out)."""
    return tuple(
        {
            "page": number,
            "problems": list(page.problems),
            "measures": {key: round(value, 3) for key, value in page.measures},
        }
        for number, page in enumerate(pages, start=1)
        if page.measures
    )
