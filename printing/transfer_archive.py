"""The day's paper trail for the archive (GB/T 45836 §7.7 e): every batch sent that day as its
transfer slip (PDF), the departments' signed receipts (PDF: a scanned image becomes one), and the
register of every paper in them as a spreadsheet — written into ``<archive>/<day>/``. Run twice
for the same day and state, the files are the same bytes (fixed dates inside, fixed zip times)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time
from pathlib import Path

import xlsxwriter

from app.cases.files import FileStore
from app.cases.pages import pages_to_pdf
from app.cases.receipts import HALL_TZ
from app.security.private import private_file, private_folder
from app.transfers.ledger import Ledger
from app.transfers.snapshots import Batch
from printing.a4 import Letterhead
from printing.transfer_slip import render_slip

REGISTER_HEADER = (
    "批次号",
    "接收部门",
    "交接方式",
    "受理编号",
    "材料",
    "原件",
    "复印件",
    "发出时间",
    "快递公司",
    "快递单号",
    "取件人",
    "签收人",
    "签收时间",
)


def _local(moment: datetime | None) -> str:
    return f"{moment.astimezone(HALL_TZ):%Y-%m-%d %H:%M}" if moment else ""


def register_xlsx(day: date, batches: list[Batch]) -> bytes:
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True})
    end_of_day = datetime.combine(day, time.max, tzinfo=HALL_TZ).astimezone(UTC)
    created = end_of_day.replace(tzinfo=None, microsecond=0)  # UTC, as the file format wants
    workbook.set_properties(
        {"title": f"材料流转登记簿 {day:%Y-%m-%d}", "author": "OneStop", "created": created}
    )
    header = workbook.add_format({"bold": True, "bg_color": "#E6E6E6", "border": 1})
    sheet = workbook.add_worksheet("登记簿")
    sheet.write(0, 0, f"材料流转登记簿　{day:%Y年%m月%d日}", workbook.add_format({"bold": True}))
    for col, label in enumerate(REGISTER_HEADER):
        sheet.write(2, col, label, header)
    widths = [24, 22, 14, 26, 30, 6, 6, 17, 14, 16, 10, 10, 17]
    for col, size in enumerate(widths):
        sheet.set_column(col, col, size)
    row = 3
    for batch in batches:
        pickup = batch.pickup["name"] if batch.pickup else ""
        for item in batch.items:
            values: tuple[str | int, ...] = (
                batch.batch_no,
                batch.department,
                batch.route_label,
                item.receipt_no,
                item.shown_name,
                item.originals,
                item.copies,
                _local(batch.sent_at),
                batch.courier,
                batch.waybill,
                pickup,
                batch.confirmed_by,
                _local(batch.confirmed_at),
            )
            for col, value in enumerate(values):
                if isinstance(value, int):
                    sheet.write_number(row, col, value)
                else:
                    sheet.write_string(row, col, value)
            row += 1
    sheet.freeze_panes(3, 0)
    workbook.close()
    return out.getvalue()


def receipt_pdf(data: bytes) -> bytes:
    """A department's receipt as a PDF: kept as it is when it is one, else its image made one."""
    return data if data.startswith(b"%PDF-") else pages_to_pdf([data])


def archive_day(
    ledger: Ledger, files: FileStore, letterhead: Letterhead, day: date, folder: Path
) -> list[Path]:
    """Write the day's slips, receipts and register into ``folder/<day>``; the paths written."""
    batches = ledger.sent_on(day)
    target = private_folder(folder / f"{day:%Y-%m-%d}")  # slips name applicants (masked)
    written: dict[Path, bytes] = {}
    for batch in batches:
        written[target / f"交接单-{batch.batch_no}.pdf"] = render_slip(
            batch, ledger.applicants(batch), letterhead
        )
        if batch.receipt_sha:
            written[target / f"签收凭证-{batch.batch_no}.pdf"] = receipt_pdf(
                files.read(batch.receipt_sha)
            )
    written[target / f"流转登记簿-{day:%Y-%m-%d}.xlsx"] = register_xlsx(day, batches)
    for path, data in written.items():
        temporary = private_file(path.with_suffix(path.suffix + ".part"))
        temporary.write_bytes(data)
        temporary.replace(path)  # never half a file in the archive
    return sorted(written)
