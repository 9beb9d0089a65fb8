"""The transfer slip of a real batch: what it says (masked names, counts, how it left), that its
barcode and QR code both read back as the batch number, and the same bytes twice."""

from __future__ import annotations

from pathlib import Path

import pypdfium2
import pytest
import zxingcpp

from app.bootstrap import Core
from app.cases.receipts import HALL_TZ
from printing.a4 import Letterhead
from printing.transfer_slip import render_slip
from tests.helpers.cases import accepted
from tests.helpers.cores import Cores
from tests.helpers.transfers import BACK, MEDICAL, ROUTES


@pytest.fixture
def core(cores: Cores) -> Core:
    return cores("hall", transfers={"routes": ROUTES})


def test_the_slip_of_a_courier_batch(core: Core) -> None:
    ledger = core.transfers
    batch = ledger.open_batch(BACK, MEDICAL)
    for _ in range(2):
        ledger.add_case(BACK, batch.batch_no, accepted(core.cases, core.catalog).receipt_no)
    batch = ledger.send_by_courier(
        BACK, batch.batch_no, courier="中国邮政 EMS", waybill="EA123456785CN"
    )
    letterhead = Letterhead.of(core.settings)
    pdf = render_slip(batch, ledger.applicants(batch), letterhead)
    assert pdf == render_slip(batch, ledger.applicants(batch), letterhead)
    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        text = page.get_textpage().get_text_range()
        image = page.render(scale=3).to_pil()
    finally:
        document.close()
    squeezed = "".join(text.split())
    for expected in (
        "材料流转交接单",
        batch.batch_no,
        MEDICAL,
        "中国邮政EMS，单号EA123456785CN",
        "2件办件，原件6份，复印件0份",
        "李*",
        "移交人",
        "接收人",
    ):
        assert expected in squeezed, expected
    assert "李芳" not in squeezed  # the slip travels with a courier
    decoded = {(code.format.name, code.text) for code in zxingcpp.read_barcodes(image)}
    assert decoded == {("Code128", batch.batch_no), ("QRCode", batch.batch_no)}


def test_the_days_archive_is_the_same_bytes_twice(core: Core, tmp_path: Path) -> None:
    """Slips, receipts (an image becomes a PDF) and the register of the day the batches left."""
    import io

    from openpyxl import load_workbook
    from PIL import Image

    from printing.transfer_archive import archive_day
    from tests.helpers.transfers import POLICE

    ledger = core.transfers
    courier = ledger.open_batch(BACK, MEDICAL)
    ledger.add_case(BACK, courier.batch_no, accepted(core.cases, core.catalog).receipt_no)
    courier = ledger.send_by_courier(
        BACK, courier.batch_no, courier="顺丰速运", waybill="SF1234567890123"
    )
    scan = io.BytesIO()
    Image.new("RGB", (800, 1100), "white").save(scan, format="JPEG")
    ledger.confirm(BACK, courier.batch_no, scan.getvalue())
    pickup = ledger.open_batch(BACK, POLICE)
    ledger.add_case(BACK, pickup.batch_no, accepted(core.cases, core.catalog).receipt_no)
    ledger.open_batch(BACK, MEDICAL)  # never sent: not in the day's archive
    assert courier.sent_at is not None
    day = courier.sent_at.astimezone(HALL_TZ).date()
    letterhead = Letterhead.of(core.settings)
    first = archive_day(ledger, core.files, letterhead, day, tmp_path / "archive")
    names = [p.name for p in first]
    assert names == sorted(
        [
            f"交接单-{courier.batch_no}.pdf",
            f"签收凭证-{courier.batch_no}.pdf",
            f"流转登记簿-{day:%Y-%m-%d}.xlsx",
        ]
    )
    before = {p.name: p.read_bytes() for p in first}
    assert before[f"签收凭证-{courier.batch_no}.pdf"].startswith(b"%PDF-")
    again = archive_day(ledger, core.files, letterhead, day, tmp_path / "archive")
    assert {p.name: p.read_bytes() for p in again} == before
    sheet = load_workbook(
        first[-1] if first[-1].suffix == ".xlsx" else next(p for p in first if p.suffix == ".xlsx")
    ).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    assert len(rows) == 3 and {r[0] for r in rows} == {courier.batch_no}
    assert {r[8] for r in rows} == {"顺丰速运"} and {r[11] for r in rows} == {BACK.name}
