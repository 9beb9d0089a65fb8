"""Columns that hold people's data, sealed as they are written and opened as they are read.

The hall's :class:`~app.security.sealing.Sealer` rides on the engine's dialect (set by
:meth:`app.db.engine.Database.seal_with`), so every statement — ORM or plain SQL — that writes
such a column seals it, and nothing above the database layer sees a ciphertext. A database opened
without the hall's keys (a test's, a throw-away sample's) stores these columns as they are; one
with sealed values refuses to show them without the keys.

Only equality on a blind index finds a sealed value (``CaseRow.applicant_id_index``): a sealed
column compared in SQL matches nothing, since every sealing has its own nonce.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import JSON, String, Text, TypeDecorator
from sqlalchemy.engine import Dialect

from app.db.base import json_dumps
from app.errors import KeysError
from app.security.sealing import Sealer, is_sealed

SEALER = "onestop_sealer"
REFUSAL = "onestop_sealer_refusal"


def sealer_of(dialect: Dialect) -> Sealer | None:
    """The sealer to write with: ``None`` for a database opened without sealing (it stores as
    it is); a database opened for sealing whose keys could not be had refuses, saying why."""
    sealer: Sealer | None = getattr(dialect, SEALER, None)
    refusal: KeysError | None = getattr(dialect, REFUSAL, None)
    if sealer is None and refusal is not None:
        raise refusal
    return sealer


def no_keys() -> KeysError:
    return KeysError(
        "这些个人信息已加密保存，这个程序没有拿到本大厅的数据密钥。",
        hint="请通过 onestop 的正常方式启动（它会读取大厅密钥文件），或联系大厅信息管理员。",
    )


def _opener(dialect: Dialect) -> Sealer:
    sealer = sealer_of(dialect)
    if sealer is None:
        raise no_keys()
    return sealer


def seal_with(dialect: Dialect, sealer: Sealer | None, refusal: KeysError | None = None) -> None:
    """Seal what this dialect's engine writes with ``sealer``; with ``refusal`` instead, refuse
    to write personal data (the keys could not be had: the refusal says why)."""
    setattr(dialect, SEALER, sealer)
    setattr(dialect, REFUSAL, refusal if sealer is None else None)


class SealedText(TypeDecorator[str]):
    """A text sealed under ``context`` (its table and column), in a VARCHAR without a length (a
    sealed value is longer than the value). An empty text stays empty: that a case has no agent
    is not personal data, and the screens ask it of the column."""

    impl = String
    cache_ok = True

    def __init__(self, context: str) -> None:
        super().__init__()
        self.context = context

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if not value:
            return value
        sealer = sealer_of(dialect)
        return value if sealer is None else sealer.seal(value, self.context)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None or not is_sealed(value):
            return value
        return _opener(dialect).open(value, self.context)


class SealedLongText(SealedText):
    """A sealed text in a TEXT column (free text: a rating's words, a call-back's notes)."""

    impl = Text
    cache_ok = True


class SealedJSON(TypeDecorator[Any]):
    """A JSON value sealed under ``context``: whole (stored as one sealed JSON string), or with
    ``clear`` naming the keys of an object that stay readable — the ones the reports count by
    (a delivery's method, a refusal's ground) — and every other key's value sealed on its own."""

    impl = JSON
    cache_ok = True

    def __init__(self, context: str, clear: tuple[str, ...] | None = None) -> None:
        super().__init__()
        self.context = context
        self.clear = clear

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return value
        sealer = sealer_of(dialect)
        if sealer is None:
            return value
        if self.clear is None or not isinstance(value, dict):
            return sealer.seal(json_dumps(value), self.context)
        return {
            key: item
            if key in self.clear or item is None
            else sealer.seal(json_dumps(item), f"{self.context}.{key}")
            for key, item in value.items()
        }

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if is_sealed(value):
            return json.loads(_opener(dialect).open(value, self.context))
        if self.clear is None or not isinstance(value, dict):
            return value
        if not any(is_sealed(item) for item in value.values()):
            return value
        sealer = _opener(dialect)
        return {
            key: json.loads(sealer.open(item, f"{self.context}.{key}")) if is_sealed(item) else item
            for key, item in value.items()
        }
