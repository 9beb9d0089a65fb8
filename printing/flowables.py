"""Page furniture of the A4 documents that reportlab does not give as wanted: a heading kept with
the start of what follows it, and the seal area."""

from __future__ import annotations

from typing import Any

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
