"""What a receipt's QR code carries: the receipt number, signed with the hall's key (HMAC-SHA256),
so a scanned receipt can be told from a forged or altered one.

Text form ``OS1:<receipt number>:<signature>``: ASCII only (any scanner reads it), the signature
the first 16 bytes of the HMAC in base32 without padding (26 characters).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

PREFIX = "OS1"


@dataclass(frozen=True)
class Checked:
    receipt_no: str
    genuine: bool
    reason: str  # why not, in Chinese; empty when genuine


def _signature(receipt_no: str, key: bytes) -> str:
    digest = hmac.new(key, f"{PREFIX}:{receipt_no}".encode(), hashlib.sha256).digest()[:16]
    return base64.b32encode(digest).decode("ascii").rstrip("=")


def sign(receipt_no: str, key: bytes) -> str:
    """The QR text for a receipt number."""
    return f"{PREFIX}:{receipt_no}:{_signature(receipt_no, key)}"


def verify(text: str, key: bytes) -> Checked:
    """Whether a scanned QR text is a receipt of this hall, and which one."""
    if not text.isascii():  # ours are ASCII; hmac.compare_digest refuses other str
        return Checked("", False, "这不是本系统的受理凭证二维码。")
    parts = text.strip().split(":")
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1]:
        return Checked("", False, "这不是本系统的受理凭证二维码。")
    receipt_no, signature = parts[1], parts[2]
    if not hmac.compare_digest(signature, _signature(receipt_no, key)):
        return Checked(receipt_no, False, "二维码签名不符：凭证可能被伪造或改动，或出自其他大厅。")
    return Checked(receipt_no, True, "")
