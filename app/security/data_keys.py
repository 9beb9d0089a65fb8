"""The hall's data keys: made once per hall database, wrapped by the key-encryption key (KEK) from
the hall's key file, kept wrapped in the database (table ``data_keys``) and unwrapped only in the
programs' memory. In hall mode every terminal shares the hall's database and so its data keys;
each needs only the key file every terminal of the hall already has.

- ``onestop keys rotate data`` adds a KEK to the key file and wraps every data key with it
  (:meth:`DataKeys.rewrap`): cheap, nothing else is re-encrypted.
- ``onestop db rekey`` makes a new data key the one that seals (:meth:`DataKeys.rotate`) and
  reseals what the older ones sealed (:func:`app.security.resealing.reseal`); the older keys go
  once nothing is left under them.

The index key (blind indexes, scan file names) is made with the first data key and never rotates:
every index would change with it.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from datetime import UTC, datetime

from cryptography.exceptions import InvalidTag
from sqlalchemy import delete, select, update

from app.db.engine import Database
from app.db.models import DataKeyRow
from app.errors import KeysError
from app.security.keys import KeyRing
from app.security.sealing import SM4_KEY_BYTES, Sealer, hmac_sm3, sm4_gcm_open, sm4_gcm_seal

KEK_LABEL = b"onestop key-encryption key"


def _kek(secret: bytes) -> bytes:
    """The SM4 key a key-file secret stands for (HMAC-SM3 of a label, first 128 bits)."""
    return hmac_sm3(secret, KEK_LABEL)[:SM4_KEY_BYTES]


def _context(row_key_id: str, purpose: str) -> bytes:
    return f"data_keys:{purpose}:{row_key_id}".encode()


def wrap(kek_secret: bytes, key: bytes, key_id: str, purpose: str) -> str:
    sealed = sm4_gcm_seal(_kek(kek_secret), key, _context(key_id, purpose))
    return base64.b64encode(sealed).decode("ascii")


def unwrap(kek_secret: bytes, wrapped: str, key_id: str, purpose: str) -> bytes:
    try:
        sealed = base64.b64decode(wrapped, validate=True)
        return sm4_gcm_open(_kek(kek_secret), sealed, _context(key_id, purpose))
    except (InvalidTag, ValueError, binascii.Error):
        raise KeysError(
            f"数据密钥 {key_id} 无法用密钥文件解开："
            "密钥文件不是本大厅的，或数据库中的密钥被改动过。",
            hint="请从本大厅其他终端重新复制密钥文件；若仍如此，请联系大厅信息管理员。",
        ) from None


def _new_id(prefix: str) -> str:
    return f"{prefix}{datetime.now(UTC):%Y%m%d}{secrets.token_hex(3).upper()}"


class DataKeys:
    """The data keys of the hall whose database is ``db``, under the KEKs of ``keks``."""

    def __init__(self, db: Database, keks: KeyRing) -> None:
        self.db = db
        self.keks = keks

    def sealer(self, *, create: bool = True) -> Sealer:
        """The data keys unwrapped; a database without any gets its first ones (with
        ``create``), made under a lock so terminals starting together agree on one."""
        with self.db.read() as session:
            rows = list(session.scalars(select(DataKeyRow)))
        if not rows and create:
            rows = self._create()
        if not rows:
            raise KeysError(
                "这个数据库还没有数据密钥。",
                hint="请运行 onestop db upgrade（会生成数据密钥并加密已有的个人信息）。",
            )
        return self._unwrapped(rows)

    def _unwrapped(self, rows: list[DataKeyRow]) -> Sealer:
        keys: dict[str, bytes] = {}
        current, index = "", b""
        for row in rows:
            secret = self.keks.secret(row.kek_id)
            if secret is None:
                raise KeysError(
                    f"本大厅的数据密钥由密钥 {row.kek_id} 保护，本机的密钥文件中没有它。",
                    hint="大厅轮换过密钥：请从完成轮换的终端复制最新的密钥文件到本机同一位置，"
                    "再重新启动。",
                )
            key = unwrap(secret, row.wrapped, row.key_id, row.purpose)
            if row.purpose == "index":
                index = key
            else:
                keys[row.key_id] = key
                if row.state == "current":
                    current = row.key_id
        if not current or not index:
            raise KeysError(
                "数据库中的数据密钥不完整。", hint="请联系大厅信息管理员，从备份恢复数据库。"
            )
        return Sealer(current, keys, index)

    def _create(self) -> list[DataKeyRow]:
        kek_id, kek = self.keks.signing
        with self.db.transaction() as session:
            if self.db.dialect == "postgresql":  # SQLite's writer already holds the database
                session.connection().exec_driver_sql(
                    "LOCK TABLE data_keys IN SHARE ROW EXCLUSIVE MODE"
                )
            rows = list(session.scalars(select(DataKeyRow)))
            if rows:  # another terminal made them first
                return rows
            now = datetime.now(UTC)
            for purpose, prefix in (("data", "D"), ("index", "I")):
                key_id = _new_id(prefix)
                key = secrets.token_bytes(SM4_KEY_BYTES)
                session.add(
                    DataKeyRow(
                        key_id=key_id,
                        purpose=purpose,
                        state="current",
                        wrapped=wrap(kek, key, key_id, purpose),
                        kek_id=kek_id,
                        created_at=now,
                    )
                )
            session.flush()
            return list(session.scalars(select(DataKeyRow)))

    def rotate(self) -> str:
        """A new data key seals from now on (the index key stays); its id. What the older keys
        sealed still opens until :func:`app.security.resealing.reseal` reseals it."""
        kek_id, kek = self.keks.signing
        key_id = _new_id("D")
        with self.db.transaction() as session:
            session.execute(
                update(DataKeyRow)
                .where(DataKeyRow.purpose == "data", DataKeyRow.state == "current")
                .values(state="old")
            )
            session.add(
                DataKeyRow(
                    key_id=key_id,
                    purpose="data",
                    state="current",
                    wrapped=wrap(kek, secrets.token_bytes(SM4_KEY_BYTES), key_id, "data"),
                    kek_id=kek_id,
                    created_at=datetime.now(UTC),
                )
            )
        return key_id

    def rewrap(self) -> int:
        """Wrap every data key with the key file's current KEK; how many."""
        kek_id, kek = self.keks.signing
        with self.db.transaction() as session:
            rows = list(session.scalars(select(DataKeyRow)))
            for row in rows:
                secret = self.keks.secret(row.kek_id)
                if secret is None:
                    raise KeysError(
                        f"数据密钥 {row.key_id} 由密钥 {row.kek_id} 保护，密钥文件中没有它。",
                        hint="请用大厅最新的密钥文件再运行一次。",
                    )
                key = unwrap(secret, row.wrapped, row.key_id, row.purpose)
                row.wrapped, row.kek_id = wrap(kek, key, row.key_id, row.purpose), kek_id
        return len(rows)

    def sealed_all(self, sealer: Sealer, at: datetime) -> None:
        """Record that nothing is left sealed under another key or unsealed, and let the older
        data keys go."""
        with self.db.transaction() as session:
            session.execute(
                update(DataKeyRow)
                .where(DataKeyRow.key_id == sealer.current)
                .values(sealed_all_at=at)
            )
            session.execute(
                delete(DataKeyRow).where(DataKeyRow.purpose == "data", DataKeyRow.state == "old")
            )

    def needs_resealing(self, sealer: Sealer) -> bool:
        with self.db.read() as session:
            row = session.get(DataKeyRow, sealer.current)
            return row is None or row.sealed_all_at is None
