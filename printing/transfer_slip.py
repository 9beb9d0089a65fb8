"""材料流转交接单: the slip that goes with a batch of papers to a department — the batch number as a
barcode and a QR code (scanned when results come back), the department, how it leaves, every
case and material with originals and copies counted, who sends it and when, and the signature
lines of both sides. Applicants' names are masked: the slip travels with a courier."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table

from app.identity.masking import mask_name
from app.transfers.snapshots import Batch
from printing.a4 import (
    WIDTH,
    Letterhead,
    Styles,
    esc,
    fields,
    listing,
    local,
    qr_code,
    render,
    signatures,
    table_style,
)
from printing.linebreak import ChineseParagraph

TITLE = "材料流转交接单"
HEADER = ("序号", "受理编号", "申请人", "材料", "原件", "复印件", "承诺办结")
WIDTHS = (9 * mm, 48 * mm, 16 * mm, WIDTH - 122 * mm, 11 * mm, 14 * mm, 24 * mm)


def _how(batch: Batch) -> str:
    if batch.courier:
        return f"{batch.route_label}：{batch.courier}，单号 {batch.waybill}"
    if batch.pickup:
        return f"{batch.route_label}：{batch.pickup['name']}，电话 {batch.pickup['phone']}"
    return f"{batch.route_label}（尚未发出）"


def slip_story(batch: Batch, names: Mapping[str, str], styles: Styles) -> list[Flowable]:
    barcode: Flowable = Code128(
        batch.batch_no, barHeight=12 * mm, barWidth=0.33 * mm, humanReadable=False
    )  # its own text would be Helvetica
    head = Table(
        [
            [barcode, qr_code(batch.batch_no, 24 * mm)],
            [ChineseParagraph(esc(batch.batch_no), styles.cell), ""],
        ],
        colWidths=[WIDTH - 30 * mm, 30 * mm],
    )
    head.setStyle(table_style(("SPAN", (1, 0), (1, 1)), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")))
    originals = sum(i.originals for i in batch.items if i.kind != "thing")
    copies = sum(i.copies for i in batch.items)
    things = sum(i.originals for i in batch.items if i.kind == "thing")
    rows = [
        (
            str(n),
            item.receipt_no,
            mask_name(names.get(item.receipt_no, "")),
            item.shown_name,
            str(item.originals or ""),
            str(item.copies or ""),
            f"{item.promised_date:%Y-%m-%d}" if item.promised_date else "",
        )
        for n, item in enumerate(batch.items, 1)
    ]
    return [
        ChineseParagraph(TITLE, styles.title),
        head,
        Spacer(1, 3 * mm),
        fields(
            styles,
            [
                ("接收部门", batch.department),
                ("交接方式", _how(batch)),
                ("组批", f"{batch.created_by}　{local(batch.created_at)}"),
                ("发出", f"{batch.sent_by}　{local(batch.sent_at)}" if batch.sent_at else "未发出"),
                (
                    "合计",
                    f"{batch.cases} 件办件，原件 {originals} 份，复印件 {copies} 份"
                    + (f"，原物 {things} 件" if things else ""),
                ),
            ],
        ),
        Spacer(1, 3 * mm),
        listing(styles, HEADER, rows, WIDTHS, plain=(0, 1, 4, 5, 6)),
        ChineseParagraph(
            "接收部门请逐件清点，在下方签字后将本单（或签收凭证）交回或拍照回传综合窗口。",
            styles.small,
        ),
    ]


def render_slip(batch: Batch, names: Mapping[str, str], letterhead: Letterhead) -> bytes:
    """The slip's PDF: the same batch in the same state gives the same bytes."""
    styles = Styles()
    moment: datetime = batch.sent_at or batch.created_at
    story = slip_story(batch, names, styles)
    story.append(
        signatures(styles, letterhead, ["移交人（综合窗口后台）", "接收人（部门）"], moment)
    )
    return render(story, title=TITLE, letterhead=letterhead, moment=moment, key=batch.batch_no)
