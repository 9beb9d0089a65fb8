"""Personal data sealed at rest with 商用密码: SM4-GCM under the hall's data key, HMAC-SM3 blind
indexes for the lookups that need a person's number (GB/T 39786; both from ``cryptography``).

A sealed text is ``sm4:<data key id>:<base64 of nonce ‖ ciphertext ‖ tag>``; what it belongs to
(the table and column, or a file's SHA-256) is authenticated with it, so a value moved to another
column or a file renamed to another's name does not open. A sealed file is ``OSF1``, the key id's
length and the key id, then nonce ‖ ciphertext ‖ tag. Keys live wrapped in the database
(:mod:`app.security.data_keys`); this module only uses them.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from app.errors import KeysError

PREFIX = "sm4:"
FILE_MAGIC = b"OSF1"
NONCE_BYTES = 12
TAG_BYTES = 16
SM4_KEY_BYTES = 16
INDEX_HEX = 32  # 128 bits of the HMAC-SM3: no two numbers of a hall share one in practice


def unreadable(what: str) -> KeysError:
    return KeysError(
        f"{what}无法解密：数据已损坏，或用的数据密钥不是本大厅的。",
        hint="请确认本机的大厅密钥文件与大厅其他终端相同；若仍如此，请联系大厅信息管理员"
        "并提供日志文件。",
    )


def sm4_gcm_seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """nonce ‖ ciphertext ‖ tag."""
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    body = encryptor.update(plaintext) + encryptor.finalize()
    return nonce + body + encryptor.tag


def sm4_gcm_open(key: bytes, sealed: bytes, aad: bytes) -> bytes:
    """The plaintext of :func:`sm4_gcm_seal`'s output; ``InvalidTag`` or ``ValueError`` when it
    was changed, is cut short or belongs to another key or context."""
    if len(sealed) < NONCE_BYTES + TAG_BYTES:
        raise ValueError("too short")
    nonce, body, tag = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:-TAG_BYTES], sealed[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(aad)
    return decryptor.update(body) + decryptor.finalize()


def hmac_sm3(key: bytes, data: bytes) -> bytes:
    mac = crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize()


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


@dataclass(frozen=True)
class Sealer:
    """The hall's data keys, unwrapped: ``current`` seals, every one opens; ``index_key`` makes
    the blind indexes and the file store's file names (it never rotates: the indexes would all
    change)."""

    current: str
    keys: dict[str, bytes] = field(repr=False)
    index_key: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if self.current not in self.keys or any(
            len(k) != SM4_KEY_BYTES for k in self.keys.values()
        ):
            raise ValueError("the current data key is missing or a key is not 128 bits")

    # -- texts (database columns) --------------------------------------------------------------

    def seal(self, plaintext: str, context: str) -> str:
        body = sm4_gcm_seal(
            self.keys[self.current], plaintext.encode("utf-8"), context.encode("utf-8")
        )
        return f"{PREFIX}{self.current}:{base64.b64encode(body).decode('ascii')}"

    def open(self, value: str, context: str) -> str:
        """The plaintext of a sealed text; a text not sealed (written before sealing, not yet
        upgraded) is returned as it is. A sealed text that does not open is refused."""
        if not value.startswith(PREFIX):
            return value
        key_id, _, body = value[len(PREFIX) :].partition(":")
        key = self.keys.get(key_id)
        if key is None:
            raise KeysError(
                f"有数据用数据密钥 {key_id} 加密，本大厅的数据密钥中没有它。",
                hint="请确认本终端连接的是本大厅的数据库、使用本大厅的密钥文件；"
                "或联系大厅信息管理员。",
            )
        try:
            plain = sm4_gcm_open(key, base64.b64decode(body, validate=True), context.encode())
            return plain.decode("utf-8")
        except (InvalidTag, ValueError, binascii.Error, UnicodeDecodeError):
            raise unreadable("一项个人信息") from None

    def key_of(self, value: str) -> str | None:
        """The id of the data key a sealed text is under; ``None`` for a clear one."""
        if not value.startswith(PREFIX):
            return None
        return value[len(PREFIX) :].partition(":")[0]

    def index(self, value: str, context: str) -> str:
        """The blind index of ``value`` (already normalised by the caller): equal values of one
        context give equal indexes, and nothing else can be learnt from one without the key."""
        mac = hmac_sm3(self.index_key, f"{context}\x00{value}".encode())
        return mac.hex()[:INDEX_HEX]

    # -- files (the file store) ----------------------------------------------------------------

    def file_name(self, sha256: str) -> str:
        """The name a scan is stored under: keyed, so a known document's SHA-256 does not tell
        whether this hall holds it."""
        return hmac_sm3(self.index_key, f"file\x00{sha256}".encode()).hex()

    def seal_file(self, data: bytes, sha256: str) -> bytes:
        key_id = self.current.encode("ascii")
        header = FILE_MAGIC + bytes([len(key_id)]) + key_id
        return header + sm4_gcm_seal(self.keys[self.current], data, sha256.encode("ascii"))

    def open_file(self, sealed: bytes, sha256: str) -> bytes:
        if not sealed.startswith(FILE_MAGIC) or len(sealed) < len(FILE_MAGIC) + 1:
            raise unreadable("扫描件")
        length = sealed[len(FILE_MAGIC)]
        start = len(FILE_MAGIC) + 1
        key = self.keys.get(sealed[start : start + length].decode("ascii", "replace"))
        if key is None:
            raise unreadable("扫描件")
        try:
            return sm4_gcm_open(key, sealed[start + length :], sha256.encode("ascii"))
        except (InvalidTag, ValueError):
            raise unreadable("扫描件") from None

    @staticmethod
    def file_key_id(sealed_head: bytes) -> str | None:
        """The data key id in a sealed file's first bytes; ``None`` when not a sealed file."""
        if not sealed_head.startswith(FILE_MAGIC) or len(sealed_head) < len(FILE_MAGIC) + 1:
            return None
        length = sealed_head[len(FILE_MAGIC)]
        start = len(FILE_MAGIC) + 1
        return sealed_head[start : start + length].decode("ascii", "replace")
