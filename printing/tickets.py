"""Thermal tickets (58 mm and 80 mm, python-escpos): the queue / pre-application ticket, the
acceptance slip and the kiosk's short material list.

A ticket is built as data (:class:`Ticket`, a list of lines) and rendered onto any
``escpos.Escpos`` — a real printer, a file, or ``escpos.printer.Dummy`` in tests. Chinese is printed
either as raster images rendered here with the embedded font (every printer prints it the same) or
as GB18030 text for printers whose profile says they have the font; the settings choose per
printer.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from escpos.escpos import Escpos
from PIL import Image, ImageDraw, ImageFont

from app.cases.receipts import HALL_TZ
from app.cases.snapshots import CaseView
from app.guide.places import ServicePoint
from app.guide.plan import Plan, PlanMaterial
from app.identity.masking import mask_name
from app.security.keys import KeyRing
from printing import qr
from printing.fonts import font_path

Style = Literal["title", "big", "text", "small", "qr", "rule", "feed"]
DOTS = {58: 384, 80: 576}  # printable dots across the paper at 203 dpi


@dataclass(frozen=True)
class Line:
    style: Style
    text: str = ""


@dataclass(frozen=True)
class Ticket:
    name: str
    lines: tuple[Line, ...]

    def for_training(self) -> Ticket:
        """The same ticket from a terminal in 培训模式: said at its top and at its foot."""
        mark = Line("big", "【培训】"), Line("small", "培训练习，不作为办事凭证")
        return Ticket(self.name, (*mark, *self.lines, *mark))


@dataclass(frozen=True)
class Profile:
    """What the settings say about one thermal printer."""

    paper_mm: Literal[58, 80] = 80
    chinese: Literal["raster", "gb18030"] = "raster"
    native_qr: bool = True  # the printer draws QR codes itself (GS ( k)

    @property
    def dots(self) -> int:
        return DOTS[self.paper_mm]

    @property
    def columns(self) -> int:
        """Chinese characters per line in the printer's own font (24 dots each)."""
        return self.dots // 24


SIZES = {"title": 40, "big": 56, "text": 26, "small": 22}


@functools.cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path()), size, index=0)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for char in paragraph:
            if line and font.getlength(line + char) > width:
                lines.append(line)
                line = ""
            line += char
        lines.append(line)
    return lines


def raster(text: str, style: Style, width: int) -> Image.Image:
    """The text as a 1-bit image as wide as the paper, wrapped to fit; centred for titles."""
    font = _font(SIZES[style])
    rows = _wrap(text, font, width)
    height = int(SIZES[style] * 1.35)
    image = Image.new("1", (width, height * len(rows)), 1)
    draw = ImageDraw.Draw(image)
    for n, row in enumerate(rows):
        x = (width - font.getlength(row)) / 2 if style in ("title", "big") else 0
        draw.text((x, n * height), row, font=font, fill=0)
    return image


def render(ticket: Ticket, printer: Escpos, profile: Profile) -> None:
    """Put the ticket on ``printer`` (then cut the paper)."""
    media = printer.profile.profile_data.setdefault("media", {})
    media["width"] = {"mm": profile.paper_mm, "pixels": profile.dots}  # centring needs it
    media["dpi"] = 203
    for line in ticket.lines:
        if line.style == "qr":
            printer.set(align="center")
            printer.qr(
                line.text,
                size=6 if profile.paper_mm == 80 else 4,
                native=profile.native_qr,
                center=not profile.native_qr,
            )
            printer.set(align="left")
        elif line.style == "rule":
            printer.text("-" * (profile.columns * 2) + "\n")
        elif line.style == "feed":
            printer.ln(1)
        elif profile.chinese == "raster":
            printer.image(raster(line.text, line.style, profile.dots), center=False)
        else:
            big = line.style in ("title", "big")
            printer.set(
                align="center" if big else "left",
                bold=big,
                double_height=big,
                double_width=line.style == "big",
            )
            printer.text(line.text + "\n")
            printer.set(normal_textsize=True, align="left", bold=False)
    printer.cut()


def _when(moment: datetime | None) -> str:
    return f"{moment.astimezone(HALL_TZ):%Y-%m-%d %H:%M}" if moment else ""


def pre_application_ticket(case: CaseView, hall: str, keys: KeyRing, *, note: str = "") -> Ticket:
    """For a kiosk pre-application: the clerk scans its QR and the case opens, filled in.
    ``note``: a word about the platform (its network down: the case waits in the queue)."""
    return Ticket(
        "pre_application",
        (
            Line("title", hall),
            Line("text", "预申请凭条"),
            Line("rule"),
            Line("big", case.receipt_no.rsplit("-", 1)[-1]),
            Line("text", f"一件事：{case.scenario_name}"),
            Line("text", f"申请人：{mask_name(case.applicant.name)}"),
            Line("small", f"预申请编号：{case.receipt_no}"),
            Line("small", f"时间：{_when(case.created_at)}"),
            Line("qr", qr.sign(case.receipt_no, keys)),
            *([Line("small", note)] if note else []),
            Line("text", "请携带材料原件到综合窗口，出示本凭条二维码办理。"),
            Line("feed"),
        ),
    )


def acceptance_slip(case: CaseView, hall: str, keys: KeyRing) -> Ticket:
    promised = f"{case.promised_date:%Y年%m月%d日}" if case.promised_date else ""
    return Ticket(
        "acceptance",
        (
            Line("title", hall),
            Line("text", "受理凭条"),
            Line("rule"),
            Line("text", f"受理编号：{case.receipt_no}"),
            Line("text", f"一件事：{case.scenario_name}"),
            Line("text", f"申请人：{mask_name(case.applicant.name)}"),
            Line("text", f"受理时间：{_when(case.accepted_at)}"),
            Line("text", f"承诺办结：{case.promise_words}（{promised}前）"),
            Line("qr", qr.sign(case.receipt_no, keys)),
            Line("small", "凭受理编号或二维码查询进度、领取结果。"),
            Line("feed"),
        ),
    )


def _how_much(material: PlanMaterial) -> str:
    """Paper by its copies; a thing (a seal, a card) with what happens to it."""
    return material.need_words if material.thing else f"{material.copies} 份"


def material_list(plan: Plan, hall: str, phone: str, places: Sequence[ServicePoint] = ()) -> Ticket:
    """The kiosk's short form of 一次告知: what to bring, what is spared, and where to go in
    order (``places``: :func:`app.guide.places.where_to_go`, this hall's window first)."""
    bring = [m for m in plan.materials if m.to_submit]
    optional = [m for m in plan.materials if m.optional]
    spared = [m for m in plan.materials if not m.to_submit and not m.optional]
    lines = [
        Line("title", hall),
        Line("text", f"“{plan.scenario_name}”材料清单"),
        Line("rule"),
        Line("text", f"请携带（{len(bring)} 项）："),
    ]
    lines += [Line("text", f"□ {m.name}（{_how_much(m)}）") for m in bring]
    if optional:
        lines.append(Line("text", f"可选，不带也能受理（{len(optional)} 项）："))
        lines += [Line("small", f"□ {m.name}（{_how_much(m)}）") for m in optional]
    if spared:
        lines.append(Line("text", f"无需提交（{len(spared)} 项）："))
        lines += [Line("small", f"· {m.name}：{m.status_label}") for m in spared]
    if places:
        lines += [Line("rule"), Line("text", "去哪里办：")]
        for number, place in enumerate(places, start=1):
            name, *rest = place.lines()
            lines += [Line("text", f"{number}. {name}"), *(Line("small", r) for r in rest)]
    lines += [
        Line("rule"),
        Line("small", f"{plan.promise.words}；咨询 {phone}"),
        Line("small", plan.promise.basis_words),
        Line("feed"),
    ]
    return Ticket("material_list", tuple(lines))
