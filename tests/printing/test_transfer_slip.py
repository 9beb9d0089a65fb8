"""The transfer slip of a real batch: what it says (masked names, counts, how it left), that its
barcode and QR code both read back as the batch number, and the same bytes twice."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pypdfium2
import pytest
from pyzbar import pyzbar

from app.bootstrap import Core, build_core
from app.settings import Settings
from printing.a4 import Letterhead
from printing.transfer_slip import render_slip
from tests.app.transfers.test_ledger import BACK, MEDICAL, ROUTES, accepted


@pytest.fixture
def core(tmp_path: Path) -> Iterator[Core]:
    core = build_core(Settings(data_dir=tmp_path / "hall", transfers={"routes": ROUTES}))
    yield core
    core.close()


def test_the_slip_of_a_courier_batch(core: Core) -> None:
    ledger = core.transfers
    batch = ledger.open_batch(BACK, MEDICAL)
    for _ in range(2):
        ledger.add_case(BACK, batch.batch_no, accepted(core).receipt_no)
    batch = ledger.send_by_courier(BACK, batch.batch_no, courier="中国邮政 EMS",
                                   waybill="EA123456785CN")  # fmt: skip
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
    for expected in ("材料流转交接单", batch.batch_no, MEDICAL, "中国邮政EMS，单号EA123456785CN",
                     "2件办件，原件6份，复印件0份", "李*", "移交人", "接收人"):  # fmt: skip
        assert expected in squeezed, expected
    assert "李芳" not in squeezed  # the slip travels with a courier
    decoded = {(code.type, code.data.decode()) for code in pyzbar.decode(image)}
    assert decoded == {("CODE128", batch.batch_no), ("QRCODE", batch.batch_no)}
