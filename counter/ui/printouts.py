"""A case's documents through preview to the printer, one after another, without blocking the
window: render and rasterise on the work lane, preview on the GUI thread, print on the work lane.
A printer that is off ends the chain with its message; the case is already saved, and 补打
(reprint with a reason) prints it later."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import QWidget

from app.widgets.pdf_preview import PdfPreview, Raster, rasterise
from counter.ui.station import Station
from printing.documents import DOCUMENTS
from printing.jobs import Printed


class Printouts:
    def __init__(self, station: Station, parent: QWidget, *, preview: bool = True) -> None:
        self.station = station
        self.parent = parent
        self.preview = preview
        self.dialog: PdfPreview | None = None
        self.printed: list[str] = []

    def run(
        self,
        receipt_no: str,
        documents: Sequence[str],
        *,
        reason: str = "",
        then: Callable[[], None] | None = None,
        failed: Callable[[list[str]], None] | None = None,
    ) -> None:
        """Preview and print ``documents`` in order; ``then`` after the last (or a refusal).
        A document that cannot be rendered or printed stops the chain: its message is shown and
        ``failed`` gets it with those not printed yet (to print again, or to go on without)."""
        queue = list(documents)
        papers = self.station.session.papers

        def stopped(document: str, exc: BaseException) -> None:
            self.station.bar.show_exception(exc)
            if failed is not None:
                failed([document, *queue])

        def next_one() -> None:
            if not queue:
                if then is not None:
                    then()
                return
            document = queue.pop(0)
            if not self.preview:
                send(document)
                return
            self.station.work.run(
                lambda: rasterise(papers.preview(receipt_no, document)),
                done=lambda pages: show(document, pages),
                failed=lambda exc: stopped(document, exc),
                label=f"预览{DOCUMENTS[document].title}",
            )

        def show(document: str, pages: list[Raster]) -> None:
            title = f"{receipt_no} {DOCUMENTS[document].title} — 打印预览"
            self.dialog = PdfPreview(title, pages, parent=self.parent)
            self.dialog.accepted.connect(lambda: send(document))
            self.dialog.rejected.connect(lambda: skipped(document))
            self.dialog.open()

        def skipped(document: str) -> None:
            self.station.bar.info(
                f"没有打印{DOCUMENTS[document].title}；需要时可在“查询办件”中补打。"
            )
            next_one()

        def send(document: str) -> None:
            self.station.work.run(
                lambda: papers.print(receipt_no, document, reason=reason),
                done=lambda printed: sent(document, printed),
                failed=lambda exc: stopped(document, exc),
                label=f"打印{DOCUMENTS[document].title}",
            )

        def sent(document: str, printed: Printed) -> None:
            self.printed.append(document)
            copy = f"（第 {printed.copy} 份）" if printed.copy > 1 else ""
            self.station.bar.info(f"已送打印机：{DOCUMENTS[document].title}{copy}")
            next_one()

        next_one()
