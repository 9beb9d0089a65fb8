"""Page furniture of the A4 documents that reportlab does not give as wanted: a heading kept with
the start of what follows it, and the seal area."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether


class HeadingWithNext(KeepTogether):
    """A heading (a flowable whose style has ``keepWithNext``) and what follows it.

    reportlab's own ``KeepTogether`` moves both to the next page whenever the two do not fit
    whole — a long table after its heading would leave most of a page empty. Here the heading
    stays on this page when the first part of what follows fits under it (a table's header and
    first rows, a paragraph's first lines), and only goes over with it when nothing does: a
    heading is never the last line of a page.
    """

    def __init__(self, flowables: list[Flowable], maxHeight: float | None = None) -> None:  # noqa: N803
        super().__init__(flowables, maxHeight)
        self.parts = list(flowables)

    def split(self, aW: float, aH: float) -> list[Any]:  # noqa: N803 (reportlab's names)
        *heads, following = self.parts
        canvas = self.canv
        height = sum(f.wrapOn(canvas, aW, aH)[1] + f.getSpaceAfter() for f in heads)
        height += sum(f.getSpaceBefore() for f in heads[1:])
        room = aH - height - following.getSpaceBefore() - 1  # a point to spare
        if heads and following.wrapOn(canvas, aW, aH)[1] > room:
            parts = following.splitOn(canvas, aW, room) if room > 0 else []
            if len(parts) > 1 and parts[0].wrapOn(canvas, aW, room)[1] <= room:
                return [*heads, *parts]
        result: list[Any] = super().split(aW, aH)
        return result


SEAL = 42 * mm  # the diameter of an organ's seal (受理专用章 included)


class SealArea(Flowable):
    """Where the document is sealed, as GB/T 9704 lays it out: the issuing organ's name and the
    date at the right, with the seal pressed centred over them. With a seal image from the
    settings, the image; otherwise a dashed circle the size of the seal, labelled, that shows the
    clerk where to stamp — never an imitation of a seal."""

    def __init__(self, issuer: str, day: str, font: str, image: Path | None = None) -> None:
        super().__init__()
        self.issuer, self.day, self.font, self.image = issuer, day, font, image
        self.width, self.height = 0.0, SEAL + 4 * mm

    def wrap(self, aW: float, aH: float) -> tuple[float, float]:  # noqa: N803 (reportlab's names)
        self.width = aW
        return aW, self.height

    def centre(self) -> tuple[float, float]:
        """The seal's centre: the text's column, kept inside the right margin."""
        text = max(stringWidth(t, self.font, 10.5) for t in (self.issuer, self.day))
        return min(self.width - SEAL / 2 - 10 * mm, self.width - text / 2), self.height / 2

    def draw(self) -> None:
        canvas = self.canv
        x, y = self.centre()
        canvas.saveState()
        canvas.setFont(self.font, 10.5)
        canvas.drawCentredString(x, y + 1 * mm, self.issuer)
        canvas.drawCentredString(x, y - 8 * mm, self.day)
        if self.image is not None:
            canvas.drawImage(
                str(self.image),
                x - SEAL / 2,
                y - SEAL / 2,
                SEAL,
                SEAL,
                mask="auto",
                preserveAspectRatio=True,
                anchor="c",
            )
        else:
            canvas.setStrokeColor(colors.grey)
            canvas.setFillColor(colors.grey)
            canvas.setLineWidth(0.6)
            canvas.setDash(3, 2)
            canvas.circle(x, y, SEAL / 2, stroke=1, fill=0)
            canvas.setFont(self.font, 8)
            canvas.drawCentredString(x, y + 12 * mm, "（受理专用章）")
            canvas.drawCentredString(x, y - 15 * mm, "盖章处")
        canvas.restoreState()
