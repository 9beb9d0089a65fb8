"""The receipt QR check behind every scan at the counter and the kiosk: any payload at all gets
an answer (ours and genuine, or why not), never an exception; a key id in the code lets a hall
rotate its key and still verify the receipts it handed out."""

from __future__ import annotations

import base64
import hashlib
import hmac

from hypothesis import example, given
from hypothesis import strategies as st

from app.security.keys import KeyRing
from printing import qr
from tests.helpers.keys import ring

KEY = ring("岳麓-2026-a-long-enough-secret!!".encode())
RECEIPT = "430100001-20261123-00017"


@given(
    st.text(max_size=120)
    | st.from_regex(r"OS1:[^:]{0,20}:[^:]{0,30}", fullmatch=True)
    | st.from_regex(r"OS2:[A-Z0-9]{0,8}:[^:]{0,30}:[^:]{0,30}", fullmatch=True)
)
@example("OS1:x:签名")  # hmac.compare_digest raised TypeError on non-ASCII text
@example("OS1:430100001-20261123-00001:ＡＢＣＤ")
@example("OS2:RTEST:430100001-20261123-00001:ＡＢＣＤ")
@example("OS2:rtest:430100001-20261123-00001:AAAA")
def test_any_scanned_text_gets_an_answer(text: str) -> None:
    checked = qr.verify(text, KEY, legacy=b"old-secret")
    assert not checked.genuine
    assert checked.reason and not checked.reason.isascii()


def test_a_signed_receipt_still_verifies() -> None:
    text = qr.sign(RECEIPT, KEY)
    assert text.startswith("OS2:RTEST:") and text.isascii()
    checked = qr.verify(text, KEY)
    assert checked.genuine and checked.receipt_no == RECEIPT


def test_the_signature_is_hmac_sm3_over_the_key_id_and_the_number() -> None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives import hmac as crypto_hmac

    mac = crypto_hmac.HMAC(KEY.keys["RTEST"], hashes.SM3())
    mac.update(f"OS2:RTEST:{RECEIPT}".encode())
    expected = base64.b32encode(mac.finalize()[:16]).decode().rstrip("=")
    assert qr.sign(RECEIPT, KEY) == f"OS2:RTEST:{RECEIPT}:{expected}"


def test_a_rotated_ring_verifies_old_receipts_and_signs_with_the_new_key() -> None:
    old = qr.sign(RECEIPT, KEY)
    rotated = KeyRing("R2", {"RTEST": KEY.keys["RTEST"], "R2": b"n" * 32})
    new = qr.sign(RECEIPT, rotated)
    assert new.startswith("OS2:R2:")
    assert qr.verify(old, rotated).genuine and qr.verify(new, rotated).genuine
    assert not qr.verify(new, KEY).genuine  # a terminal without the new key refuses it


def test_forged_moved_and_foreign_codes_are_refused() -> None:
    text = qr.sign(RECEIPT, KEY)
    other_number = text.replace(RECEIPT, RECEIPT[:-1] + "8")
    other_id = text.replace("OS2:RTEST:", "OS2:ROTHER:")
    same_id_other_hall = qr.sign(RECEIPT, ring(b"another hall's secret, 32 bytes!"))
    for bad in (other_number, other_id, same_id_other_hall):
        checked = qr.verify(bad, KEY)
        assert not checked.genuine and "伪造" in checked.reason


def test_old_receipts_verify_only_with_the_old_secret() -> None:
    mac = hmac.new(b"old-secret", f"OS1:{RECEIPT}".encode(), hashlib.sha256).digest()[:16]
    old = f"OS1:{RECEIPT}:{base64.b32encode(mac).decode().rstrip('=')}"
    assert qr.verify(old, KEY, legacy=b"old-secret").genuine
    assert not qr.verify(old, KEY).genuine  # no old secret set: refused, never a known key
    assert not qr.verify(old, KEY, legacy=b"onestop-demo-key-not-secret").genuine
