"""Changing the hall's settings file, by a manager (or the hall's IT administrator) only.

The settings are one TOML file a hall's IT staff also edit by hand, so a change rewrites only the
key it changes and keeps every comment and the order of the rest (tomlkit). The new file must
still load as :class:`~app.settings.Settings` — a value out of range is refused with the
setting's own message, and nothing is written. The file is replaced atomically; the change (who,
which key, before, after) is in the audit trail. Running programs read the file at their start.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import tomlkit
from pydantic import ValidationError
from tomlkit.exceptions import ParseError
from tomlkit.items import Table

from app.cases.audit import Actor, append
from app.db.engine import Database
from app.errors import InvalidInput
from app.roles import require
from app.settings import Settings, problem_words


def parse_value(text: str) -> Any:
    """What was typed after the key: a TOML value (``3``, ``true``, ``"courier"``,
    ``["2026-10-09"]``) or, when it is not one, the text itself."""
    try:
        return tomlkit.parse(f"v = {text}")["v"]
    except ParseError:
        return text


def _keys(key: str) -> list[str]:
    parts = [p.strip() for p in key.split(".")]
    if not key.strip() or not all(parts):
        raise InvalidInput(f"设置项“{key}”不对。", hint="例如 transfers.overdue_working_days。")
    return parts


def change_setting(db: Database, actor: Actor, path: Path, key: str, value: Any) -> Settings:
    """Set ``key`` (dotted: ``transfers.routes.医疗保障部门``) to ``value`` in the file at
    ``path``; returns the settings as they now load. Refused without ``settings.change``."""
    require(db, actor, "settings.change")
    parts = _keys(key)
    try:
        document = (
            tomlkit.parse(path.read_text(encoding="utf-8"))
            if path.exists()
            else (tomlkit.document())
        )
    except (OSError, UnicodeDecodeError, ParseError) as exc:
        where = (
            f"第{exc.line}行第{exc.col}列附近格式不对"
            if isinstance(exc, ParseError)
            else ("无法读取或不是 UTF-8 编码的文字")
        )
        raise InvalidInput(
            f"设置文件 {path} 读不出来：{where}。", hint="请先修正文件，或请信息管理员检查。"
        ) from None
    table: Any = document
    for part in parts[:-1]:
        if part not in table:
            table[part] = tomlkit.table()
        table = table[part]
        if not isinstance(table, Table | dict):
            raise InvalidInput(f"设置项“{key}”不对：{part} 不是一组设置。")
    before = table.get(parts[-1])
    table[parts[-1]] = value
    text = tomlkit.dumps(document)
    try:
        settings = Settings.model_validate(tomlkit.parse(text).unwrap())
    except ValidationError as exc:
        problems = "；".join(problem_words(e) for e in exc.errors())
        raise InvalidInput(f"设置没有修改：{problems}。", hint="请改正后重新设置。") from None
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".settings-", suffix=".toml", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    with db.transaction() as session:
        append(
            session,
            actor,
            "settings_change",
            after={
                "file": str(path),
                "key": key,
                "before": _plain(before),
                "after": _plain(value),
            },
        )
    return settings


def _plain(value: Any) -> Any:
    """A TOML value as the audit's JSON holds it (dates as text)."""
    value = value.unwrap() if hasattr(value, "unwrap") else value
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))
