"""A report as a text table for the terminal, an Excel workbook and an A4 PDF in the hall's style.

The same report gives the same bytes: the workbook's zip entries carry XlsxWriter's fixed time and
its creation date is the first moment after the period; the PDF takes that moment and the
report's name as its date and IDs (``printing.reports.to_pdf``, outside the core: reportlab).
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence

import xlsxwriter

from app.reports.figures import Cell, Column, Report, Table

MAX_XLSX_WIDTH = 60  # characters; longer notes wrap


def format_cell(value: Cell, kind: str) -> str:
    """A value as a person reads it: counts whole, averages to one decimal, shares in percent."""
    if value is None:
        return "" if kind in ("text", "key") else "—"
    if kind == "share" and isinstance(value, int | float):
        return f"{value:.1%}"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def width(text: str) -> int:
    """Columns a text takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def shown(table: Table) -> tuple[list[Column], list[list[str]]]:
    """The columns a person reads (not the codes), and the rows as text; in the first column a
    value repeated from the row above is left blank, so blocks of one scenario read as one."""
    shown = [i for i, c in enumerate(table.columns) if c.kind != "key"]
    columns = [table.columns[i] for i in shown]
    rows: list[list[str]] = []
    previous: Cell = None
    for row in table.rows:
        cells = [format_cell(row[i], table.columns[i].kind) for i in shown]
        first = row[shown[0]]
        if columns[0].kind == "text" and first == previous and first:
            cells[0] = ""
        previous = first
        rows.append(cells)
    return columns, rows


def to_text(report: Report) -> str:
    """A table for the terminal, numbers aligned right, with the definitions under it."""
    table = report.table()
    columns, rows = shown(table)
    header = [c.label for c in columns]
    widths = [max(width(v) for v in (h, *(r[i] for r in rows))) for i, h in enumerate(header)]

    def line(cells: Sequence[str]) -> str:
        padded = []
        for cell, column, size in zip(cells, columns, widths, strict=True):
            gap = " " * (size - width(cell))
            padded.append(cell + gap if column.kind == "text" else gap + cell)
        return "  ".join(padded).rstrip()

    out = [table.title, f"统计期间：{table.period.label}", "", line(header)]
    out.append("  ".join("-" * size for size in widths))
    out += [line(row) for row in rows] or ["（本期没有数据）"]
    out += ["", "说明：", *(f"  {note}" for note in table.notes)]
    return "\n".join(out) + "\n"


def to_xlsx(report: Report) -> bytes:
    """One sheet: title, period, the table with its header frozen, then the definitions."""
    table = report.table()
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True})
    workbook.set_properties(
        {
            "title": table.title,
            "subject": table.period.label,
            "author": "OneStop",
            "created": table.period.end.replace(tzinfo=None),  # UTC, as the file format wants
        }
    )
    bold = workbook.add_format({"bold": True})
    formats = {
        "text": workbook.add_format({"text_wrap": True, "valign": "top"}),
        "key": workbook.add_format({"valign": "top"}),
        "count": workbook.add_format({"num_format": "0", "valign": "top"}),
        "number": workbook.add_format({"num_format": "0.0", "valign": "top"}),
        "share": workbook.add_format({"num_format": "0.0%", "valign": "top"}),
    }
    header = workbook.add_format(
        {"bold": True, "bg_color": "#E6E6E6", "border": 1, "text_wrap": True, "valign": "vcenter"}
    )
    sheet = workbook.add_worksheet(table.name)
    sheet.write(0, 0, table.title, workbook.add_format({"bold": True, "font_size": 14}))
    sheet.write(1, 0, f"统计期间：{table.period.label}")
    top = 3
    for col, column in enumerate(table.columns):
        sheet.write(top, col, column.label, header)
        cells = [format_cell(row[col], column.kind) for row in table.rows]
        size = max(width(v) for v in (column.label, *cells))
        sheet.set_column(col, col, min(MAX_XLSX_WIDTH, size + 2))
    for r, row in enumerate(table.rows, start=top + 1):
        for col, (value, column) in enumerate(zip(row, table.columns, strict=True)):
            if value is None:
                sheet.write_blank(r, col, None, formats[column.kind])
            elif isinstance(value, str):
                sheet.write_string(r, col, value, formats[column.kind])
            else:
                sheet.write_number(r, col, value, formats[column.kind])
    sheet.freeze_panes(top + 1, 0)
    notes = top + len(table.rows) + 2
    sheet.write(notes, 0, "说明：", bold)
    for n, note in enumerate(table.notes, start=notes + 1):
        sheet.write(n, 0, note)
    workbook.close()
    return out.getvalue()


def nothing(columns: int) -> list[str]:
    return ["本期没有数据", *[""] * (columns - 1)]
