"""The hall's keys: one file outside the data folder, readable by the service user only, the same
on every terminal of a hall (copied at set-up), never in the database or the source.

The file is TOML::

    [receipt]               # HMAC-SM3 keys that sign the QR code of receipts and tickets
    current = "R20261207A1B2"
    [receipt.keys]
    R20261207A1B2 = "<32 random bytes, base64>"
    [audit]                 # HMAC-SM3 keys that chain the audit trail (app.cases.audit)
    current = "A20261209C3D4"
    [audit.keys]
    A20261209C3D4 = "<32 random bytes, base64>"

``onestop keys init`` writes it on the hall's first terminal; ``onestop keys rotate receipt`` (or
``audit``) adds a key and makes it the one in use, keeping the older ones so receipts already handed
out and audit entries already written still verify. A file made before the audit key existed is
refused until ``onestop keys rotate audit`` adds one. The demo hall writes a fresh file of its own:
no key OneStop uses is ever a known one.
"""

from __future__ import annotations

import base64
import os
import secrets
import stat
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from platformdirs import user_config_dir

from app.errors import KeysError

KEY_BYTES = 32
HEADER = (
    "# OneStop 大厅密钥：复制到本大厅每一台终端，仅运行 OneStop 的系统账号可读（chmod 600）。\n"
    "# 不要放进数据目录、不要发给他人；丢失后已打印凭条的二维码将无法核验。\n"
)
HOW_TO_SET_UP = (
    "在本大厅的第一台终端运行 onestop keys init 生成密钥文件，再把它复制到其他每台终端的同一位置"
    "（或用设置项 security.key_file 指明位置），文件只允许运行 OneStop 的系统账号读取。"
)


def default_key_file() -> Path:
    return Path(user_config_dir("onestop", appauthor=False)) / "hall-keys.toml"


@dataclass(frozen=True)
class KeyRing:
    """Keys of one purpose by id; ``current`` signs, every one verifies."""

    current: str
    keys: dict[str, bytes] = field(default_factory=dict)

    def secret(self, key_id: str) -> bytes | None:
        return self.keys.get(key_id)

    @property
    def signing(self) -> tuple[str, bytes]:
        return self.current, self.keys[self.current]


@dataclass(frozen=True)
class HallKeys:
    path: Path
    receipt: KeyRing
    audit: KeyRing


PURPOSES = {"receipt": "R", "audit": "A"}  # the rings of the file, and their key ids' first letter
PURPOSE_LABELS = {"receipt": "凭条签名", "audit": "审计链"}


def _new_id(prefix: str) -> str:
    # Upper case: with it the whole QR text is in the QR code's alphanumeric mode (a smaller code).
    return f"{prefix}{datetime.now(UTC):%Y%m%d}{secrets.token_hex(2).upper()}"


def _new_secret() -> str:
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def _render(rings: dict[str, tuple[str, dict[str, str]]]) -> str:
    lines = [HEADER]
    for purpose, (current, keys) in rings.items():
        lines.append(f'[{purpose}]\ncurrent = "{current}"\n[{purpose}.keys]')
        lines.extend(f'{key_id} = "{secret}"' for key_id, secret in keys.items())
        lines.append("")
    return "\n".join(lines)


def _write_new(path: Path, text: str) -> None:
    """Create ``path`` readable and writable by its owner only; refuse to overwrite."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeysError(
            f"密钥文件 {path} 已经存在，没有覆盖。",
            hint="换密钥请用 onestop keys rotate receipt（或 audit）；"
            "确需重建请先备份并移走旧文件。",
        ) from None
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)


def _replace(path: Path, text: str) -> None:
    """Write ``path`` anew, atomically, owner-only."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)


def init_keys(path: Path) -> HallKeys:
    """The hall's key file, new: one key of each purpose."""
    rings = {}
    for purpose, prefix in PURPOSES.items():
        key_id = _new_id(prefix)
        rings[purpose] = (key_id, {key_id: _new_secret()})
    _write_new(path, _render(rings))
    return load_keys(path)


def rotate(path: Path, purpose: str = "receipt") -> str:
    """A new key for ``purpose`` in use from now on; the older ones stay to verify. Its id.
    Rotating ``audit`` in a file made before the audit key existed adds the first one."""
    if purpose not in PURPOSES:
        raise KeysError(
            f"没有“{purpose}”这种密钥。", hint=f"可以轮换的密钥：{'、'.join(PURPOSES)}。"
        )
    rings = read_rings(path)
    current = rings.get(purpose)
    known = current.keys if current else {}
    key_id = _new_id(PURPOSES[purpose])
    while key_id in known:
        key_id = _new_id(PURPOSES[purpose])
    texts = {
        name: (ring.current, {k: base64.b64encode(v).decode("ascii") for k, v in ring.keys.items()})
        for name, ring in rings.items()
    }
    texts[purpose] = (key_id, {**(texts[purpose][1] if current else {}), key_id: _new_secret()})
    _replace(path, _render({name: texts[name] for name in PURPOSES if name in texts}))
    return key_id


def _ring(data: object, purpose: str, path: Path) -> KeyRing:
    broken = KeysError(
        f"密钥文件 {path} 中的 [{purpose}] 不完整或被改动过。",
        hint="请从本大厅其他终端重新复制密钥文件，或联系信息管理员。",
    )
    if not isinstance(data, dict):
        raise broken
    current, keys = data.get("current"), data.get("keys")
    if not isinstance(current, str) or not isinstance(keys, dict) or current not in keys:
        raise broken
    decoded: dict[str, bytes] = {}
    for key_id, value in keys.items():
        try:
            secret = base64.b64decode(str(value), validate=True)
        except ValueError:
            raise broken from None
        if len(secret) < KEY_BYTES:
            raise broken
        decoded[str(key_id)] = secret
    return KeyRing(current, decoded)


def read_rings(path: Path) -> dict[str, KeyRing]:
    """The rings the file holds, the receipt ring required (an older file may lack the others);
    refused when the file is missing, readable by anyone but its owner, or malformed — each with
    what to do."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise KeysError(f"本机没有大厅密钥文件 {path}。", hint=HOW_TO_SET_UP) from None
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeysError(
            f"密钥文件 {path} 其他账号也能读取，OneStop 不使用它。",
            hint=f"请运行 chmod 600 {path}，并确认文件属于运行 OneStop 的系统账号。",
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        raise KeysError(
            f"密钥文件 {path} 读不出来或格式不对。",
            hint="请从本大厅其他终端重新复制密钥文件，或联系信息管理员。",
        ) from None
    rings = {"receipt": _ring(data.get("receipt"), "receipt", path)}
    if "audit" in data:
        rings["audit"] = _ring(data["audit"], "audit", path)
    return rings


def load_keys(path: Path) -> HallKeys:
    """The hall's keys from ``path``, every ring present (:func:`read_rings` says what else is
    refused)."""
    rings = read_rings(path)
    if "audit" not in rings:
        raise KeysError(
            f"密钥文件 {path} 是旧版本生成的，还没有审计密钥 [audit]。",
            hint="请在本大厅一台终端运行 onestop keys rotate audit 添加审计密钥，"
            "再把密钥文件复制到其他每台终端的同一位置。",
        )
    return HallKeys(path, rings["receipt"], rings["audit"])


class AuditKeys:
    """The hall's audit keys, read from the key file when first needed (a program that never
    writes to the audit trail never reads them); a refusal is not remembered, so a key file put
    right is used without a restart."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._ring: KeyRing | None = None

    def ring(self) -> KeyRing:
        """Every audit key: the one in use and the older ones, to verify."""
        if self._ring is None:
            self._ring = load_keys(self.path).audit
        return self._ring

    def signing(self) -> tuple[str, bytes]:
        """The key in use: ``(key id, secret)``."""
        return self.ring().signing

    @classmethod
    def of(cls, ring: KeyRing) -> AuditKeys:
        """Keys given rather than read (tests, and a verify with keys from elsewhere)."""
        keys = cls(Path())
        keys._ring = ring
        return keys
