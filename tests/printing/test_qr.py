"""The receipt QR check behind every scan at the counter and the kiosk: any payload at all gets
an answer (ours and genuine, or why not), never an exception."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from printing import qr

KEY = "岳麓-2026".encode()


@given(st.text(max_size=120) | st.from_regex(r"OS1:[^:]{0,20}:[^:]{0,30}", fullmatch=True))
@example("OS1:x:签名")  # hmac.compare_digest raised TypeError on non-ASCII text
@example("OS1:430100001-20261123-00001:ＡＢＣＤ")
def test_any_scanned_text_gets_an_answer(text: str) -> None:
    checked = qr.verify(text, KEY)
    assert not checked.genuine
    assert checked.reason and not checked.reason.isascii()


def test_a_signed_receipt_still_verifies() -> None:
    checked = qr.verify(qr.sign("430100001-20261123-00017", KEY), KEY)
    assert checked.genuine and checked.receipt_no == "430100001-20261123-00017"
