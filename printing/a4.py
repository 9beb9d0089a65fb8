"""A4 documents with reportlab: the hall's letterhead, Chinese in an embedded subset font,
print-safe margins, tables whose header repeats on every page, "第 N 页 共 M 页" in the footer,
and the same bytes every time the same document is printed (fixed date and IDs from the case).
"""

from __future__ import annotations

import io
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from reportlab.graphics.barcode.qr import QrCode
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import TimeStamp
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from app.cases.receipts import HALL_TZ, YearSerial
from app.settings import DEFAULT_NUMBER_PATTERN, Settings
from printing.flowables import HeadingWithNext, SealArea
from printing.fonts import cjk_font
from printing.linebreak import ChineseParagraph

MARGIN = 20 * mm  # inside every printer's unprintable border
WIDTH = A4[0] - 2 * MARGIN


@dataclass(frozen=True)
class Letterhead:
    """Who issues the document: from the settings, never from code."""

    hall: str
    office: str  # the desk (综合窗口): where, not who decides
    phone: str
    address: str
    seal_image: Path | None = None
    organ: str = ""  # the issuing organ; empty: the hall
    number_pattern: str = DEFAULT_NUMBER_PATTERN  # of the 文号 (:mod:`app.settings`)
    hours: str = ""  # the window's opening hours, first under 去哪里办 on the personal list
    training: bool = False  # a terminal in 培训模式: every page says so across it
    licence_url: str = ""  # where an e-licence is viewed ({type}, {number}); see PrintingSettings

    @classmethod
    def of(cls, settings: Settings) -> Letterhead:
        printing = settings.printing
        seal = printing.seal_image
        return cls(
            settings.hall.name,
            settings.hall.office,
            settings.hall.phone,
            settings.hall.address,
            seal if seal and seal.exists() else None,
            printing.organ,
            printing.number_pattern,
            settings.hall.hours,
            settings.terminal.training,
            printing.licence_url,
        )

    def licence_link(self, kind: str, number: str, issuer: str) -> str:
        """What the QR beside an e-licence on the delivery receipt holds."""
        if self.licence_url:
            return self.licence_url.replace("{type}", quote(kind)).replace(
                "{number}", quote(number)
            )
        return f"电子证照：{kind}\n证照编号：{number}\n发证机关：{issuer}"

    @property
    def issuer(self) -> str:
        """Who issues the documents, named under the seal: the organ, not the desk."""
        return self.organ or self.hall

    def number(self, kind: str, serial: YearSerial) -> str:
        """The 文号 of a document: ``kind`` is its word (受字、不受字 …)."""
        return self.number_pattern.format(kind=kind, year=serial.year, seq=serial.seq)


class Styles:
    def __init__(self) -> None:
        base = ParagraphStyle(
            "base", fontName=cjk_font(), wordWrap="CJK", fontSize=10.5, leading=17
        )
        self.title = ParagraphStyle(
            "title", parent=base, fontSize=18, leading=26, alignment=TA_CENTER, spaceAfter=4 * mm
        )
        self.number = ParagraphStyle("number", parent=base, leading=16, alignment=TA_RIGHT)
        self.body = ParagraphStyle("body", parent=base)
        self.indent = ParagraphStyle("indent", parent=base, firstLineIndent=21)
        self.heading = ParagraphStyle(
            "heading",
            parent=base,
            fontSize=11.5,
            leading=18,
            spaceBefore=3 * mm,
            spaceAfter=1 * mm,
            keepWithNext=1,
        )
        self.cell = ParagraphStyle("cell", parent=base, fontSize=9.5, leading=13)
        self.small = ParagraphStyle(
            "small", parent=base, fontSize=8.5, leading=12, textColor=colors.grey
        )
        self.right = ParagraphStyle("right", parent=base, alignment=TA_RIGHT)


def esc(text: object) -> str:
    """Text for a paragraph (which reads a little XML)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def local(moment: datetime | None, with_time: bool = True) -> str:
    if moment is None:
        return ""
    shown = moment.astimezone(HALL_TZ)
    return f"{shown:%Y年%m月%d日 %H:%M}" if with_time else f"{shown:%Y年%m月%d日}"


def table_style(*commands: tuple[Any, ...]) -> TableStyle:
    """A table style in the CJK font: a table sets its cells' font even for paragraphs, and the
    default (Helvetica) would be written into the PDF unembedded."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), cjk_font()), *commands])


def fields(styles: Styles, rows: Sequence[tuple[str, object]]) -> Table:
    """A two-column block of label and value, with light rules."""
    data = [
        [ChineseParagraph(esc(label), styles.cell), ChineseParagraph(esc(value), styles.cell)]
        for label, value in rows
    ]
    table = Table(data, colWidths=[32 * mm, WIDTH - 32 * mm])
    table.setStyle(
        table_style(
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F2F2F2")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        )
    )
    return table


def listing(
    styles: Styles,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    widths: Sequence[float],
    *,
    plain: Collection[int] = (),
) -> Table:
    """A table whose header row repeats at the top of every page it flows onto. Columns in
    ``plain`` hold short values that never wrap (numbers, dates, codes): drawn as text, not
    laid out as paragraphs — a long listing is several times quicker to make."""
    cell = styles.cell
    data: list[list[object]] = [[ChineseParagraph(esc(h), cell) for h in header]]
    data += [
        [str(v) if n in plain else ChineseParagraph(esc(v), cell) for n, v in enumerate(row)]
        for row in rows
    ]
    table = Table(data, colWidths=list(widths), repeatRows=1)
    table.setStyle(
        table_style(
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E6E6E6")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("FONT", (0, 1), (-1, -1), cell.fontName, cell.fontSize, cell.leading),
        )
    )
    return table


def qr_code(text: str, size: float = 28 * mm) -> Flowable:
    """The QR code as a flowable drawn straight on the page (a Drawing would bring an unembedded
    Helvetica into the PDF)."""
    code: Flowable = QrCode(text, width=size, height=size, qrLevel="M")
    return code


def signatures(
    styles: Styles, letterhead: Letterhead, lines: Sequence[str], moment: datetime | None
) -> KeepTogether:
    """Signature lines, then the issuing organ and the date under the seal (the settings' seal
    image, or the place to stamp it); kept on one page."""
    signed = [
        ChineseParagraph(f"{esc(line)}：________________　　日期：________________", styles.body)
        for line in lines
    ]
    seal = SealArea(
        letterhead.issuer, local(moment, with_time=False), cjk_font(), letterhead.seal_image
    )
    return KeepTogether([Spacer(1, 6 * mm), *signed, Spacer(1, 4 * mm), seal])


def render(
    story: list[Flowable],
    *,
    title: str,
    letterhead: Letterhead,
    moment: datetime,
    key: str,
    page: tuple[float, float] = A4,
) -> bytes:
    """The PDF: ``moment`` is its creation date and ``key`` (the receipt number and document)
    goes into its IDs, so the same document of the same case is the same bytes. ``page``: A4
    upright, or ``landscape(A4)`` for a wide table."""
    out = io.BytesIO()
    font = cjk_font()

    def header_footer(canvas: Canvas, _doc: Any) -> None:
        canvas.saveState()
        if letterhead.training:
            _training_mark(canvas, font, page)
        canvas.setFont(font, 8.5)
        canvas.setFillColor(colors.grey)
        said = f"{TRAINING_HEADER} · " if letterhead.training else ""
        canvas.drawString(MARGIN, page[1] - MARGIN + 6 * mm, f"{said}{letterhead.hall} · {title}")
        canvas.drawRightString(
            page[0] - MARGIN, page[1] - MARGIN + 6 * mm, key.split("/", maxsplit=1)[0]
        )
        canvas.restoreState()

    document = SimpleDocTemplate(
        out,
        pagesize=page,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + 4 * mm,
        bottomMargin=MARGIN + 4 * mm,
        title=title,
        author=letterhead.hall,
        creator="OneStop",
        subject=key,
        invariant=1,
        initialFontName=font,
    )
    document.keepTogetherClass = HeadingWithNext
    document.build(
        story,
        onFirstPage=header_footer,
        onLaterPages=header_footer,
        canvasmaker=_numbered(font, moment, key, page[0]),
    )
    return out.getvalue()


TRAINING_HEADER = "【培训】不作为办事凭证"
TRAINING_MARK = "培训"


def _training_mark(canvas: Canvas, font: str, page: tuple[float, float]) -> None:
    """培训 across the page, light, under the text: no practice paper passes for a real one."""
    canvas.saveState()
    canvas.setFillColor(colors.Color(0.8, 0.1, 0.1, alpha=0.12))
    canvas.setFont(font, 120)
    canvas.translate(page[0] / 2, page[1] / 2)
    canvas.rotate(35)
    canvas.drawCentredString(0, -40, TRAINING_MARK)
    canvas.setFont(font, 28)
    canvas.drawCentredString(0, -100, "不作为办事凭证")
    canvas.restoreState()


def _numbered(font: str, moment: datetime, key: str, page_width: float) -> type[Canvas]:
    class Numbered(Canvas):
        """Draws "第 N 页 共 M 页" once the number of pages is known (pages are kept until then)."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("initialFontName", font)
            super().__init__(*args, **kwargs)
            _fix_time(self, moment, key)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()  # type: ignore[attr-defined]  # reportlab's own page reset

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self.setFont(font, 9)
                self.drawCentredString(
                    page_width / 2, MARGIN - 2 * mm, f"第 {number} 页 共 {total} 页"
                )
                super().showPage()
            super().save()

    return Numbered


def _fix_time(canvas: Canvas, moment: datetime, key: str) -> None:
    """The creation date and ID of the PDF from the case, not from the clock. reportlab keeps the
    timestamp on its internal document object; invariant mode makes everything else fixed."""
    stamp = TimeStamp(invariant=1)
    seconds = moment.timestamp()
    stamp.t, stamp.lt = seconds, time.gmtime(seconds)
    stamp.YMDhms = tuple(stamp.lt)[:6]
    document = canvas._doc  # type: ignore[attr-defined]  # noqa: SLF001
    document._timeStamp = stamp  # noqa: SLF001
    document.signature.update(key.encode("utf-8"))
