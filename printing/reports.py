"""A hall report (app.reports) as an A4 PDF in the hall's style: the letterhead, the table with
its header repeated on every page, and the definitions of its figures. The same report gives the
same bytes (its date and IDs come from the period and the report's name)."""

from __future__ import annotations

from reportlab.lib.pagesizes import A4, landscape
from reportlab.platypus import Flowable, Spacer

from app.reports.export import nothing, shown
from app.reports.figures import Report
from app.settings import Settings
from printing.a4 import MARGIN, Letterhead, Styles, esc, listing, render
from printing.linebreak import ChineseParagraph

TEXT_WEIGHT = 3  # a text column of a PDF table is this many times as wide as a number column
UPRIGHT_COLUMNS = 10  # a table with more columns is printed on A4 turned sideways


def to_pdf(report: Report, letterhead: Letterhead | None = None) -> bytes:
    """An A4 document with the hall's letterhead (from the default settings if none is given),
    the table with its header repeated on every page, and the definitions; sideways when the
    table has more than :data:`UPRIGHT_COLUMNS` columns, so its headings are not squeezed."""
    table = report.table()
    letterhead = letterhead or Letterhead.of(Settings())
    styles = Styles()
    columns, rows = shown(table)
    page = landscape(A4) if len(columns) > UPRIGHT_COLUMNS else A4
    width = page[0] - 2 * MARGIN
    weights = [TEXT_WEIGHT if c.kind == "text" else 1 for c in columns]
    widths = [width * w / sum(weights) for w in weights]
    grid = listing(styles, [c.label for c in columns], rows or [nothing(len(columns))], widths)
    grid.setStyle([("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2)])
    story: list[Flowable] = [
        ChineseParagraph(esc(table.title), styles.title),
        ChineseParagraph(esc(f"{letterhead.hall}　统计期间：{table.period.label}"), styles.body),
        Spacer(1, 8),
        grid,
        ChineseParagraph("说明", styles.heading),
        *(ChineseParagraph(esc(note), styles.small) for note in table.notes),
    ]
    key = f"{table.period.first:%Y%m%d}-{table.period.last:%Y%m%d}/{table.name}/{table.by}"
    return render(
        story, title=table.title, letterhead=letterhead, moment=table.period.end, key=key, page=page
    )
