"""What a receipt's QR code carries: the receipt number, signed with the hall's key, so a scanned
receipt can be told from a forged or altered one.

Text form ``OS2:<key id>:<receipt number>:<signature>``: ASCII only (any scanner reads it), the
signature the first 16 bytes of HMAC-SM3 (GB/T 32905, 商用密码) in base32 without padding (26
characters). The key id names which of the hall's receipt keys signed it, so a hall can rotate
its key and still verify receipts already handed out (:mod:`app.security.keys`).

Receipts printed before the hall had its key file carry ``OS1:<receipt number>:<signature>``
(HMAC-SHA256 with ``[printing] qr_key``); they verify only when that old secret is still set.
Every character of ``OS2`` text is in the QR code's alphanumeric set (upper case, digits, ``:``
and ``-``), which keeps the printed code small.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac

from app.security.keys import KeyRing

PREFIX = "OS2"
LEGACY = "OS1"
KEY_ID = re.compile(r"^[A-Z0-9]{1,32}$")
NOT_OURS = "这不是本系统的受理凭证二维码。"
FORGED = "二维码签名不符：凭证可能被伪造或改动，或出自其他大厅。"


@dataclass(frozen=True)
class Checked:
    receipt_no: str
    genuine: bool
    reason: str  # why not, in Chinese; empty when genuine


def _signature(key_id: str, receipt_no: str, key: bytes) -> str:
    mac = crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(f"{PREFIX}:{key_id}:{receipt_no}".encode("ascii"))
    return base64.b32encode(mac.finalize()[:16]).decode("ascii").rstrip("=")


def _legacy_signature(receipt_no: str, key: bytes) -> str:
    digest = hmac.new(key, f"{LEGACY}:{receipt_no}".encode(), hashlib.sha256).digest()[:16]
    return base64.b32encode(digest).decode("ascii").rstrip("=")


def sign(receipt_no: str, keys: KeyRing) -> str:
    """The QR text for a receipt number, signed with the hall's current receipt key."""
    key_id, key = keys.signing
    return f"{PREFIX}:{key_id}:{receipt_no}:{_signature(key_id, receipt_no, key)}"


def verify(text: str, keys: KeyRing, *, legacy: bytes = b"") -> Checked:
    """Whether a scanned QR text is a receipt of this hall, and which one. ``legacy``: the old
    ``[printing] qr_key`` for receipts printed before the key file (empty: they are refused)."""
    if not text.isascii():  # ours are ASCII; hmac.compare_digest refuses other str
        return Checked("", False, NOT_OURS)
    parts = text.strip().split(":")
    if len(parts) == 3 and parts[0] == LEGACY and parts[1]:
        receipt_no = parts[1]
        if not legacy:
            return Checked(receipt_no, False, FORGED)
        genuine = hmac.compare_digest(parts[2], _legacy_signature(receipt_no, legacy))
        return Checked(receipt_no, genuine, "" if genuine else FORGED)
    if len(parts) != 4 or parts[0] != PREFIX or not KEY_ID.match(parts[1]) or not parts[2]:
        return Checked("", False, NOT_OURS)
    key_id, receipt_no, signature = parts[1], parts[2], parts[3]
    key = keys.secret(key_id)
    if key is None or not hmac.compare_digest(signature, _signature(key_id, receipt_no, key)):
        return Checked(receipt_no, False, FORGED)
    return Checked(receipt_no, True, "")
