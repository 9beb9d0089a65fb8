"""Operator accounts: who may sign in at a counter, with passwords stored as scrypt hashes.

Wrong passwords are refused with one message (it never says whether the name exists); after
``MAX_FAILURES`` wrong tries in a row the account waits ``LOCK_MINUTES`` before the next try.
Sign-ins, refusals and lock-outs go into the audit trail.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from app.cases.audit import Actor, append
from app.db.base import utcnow
from app.db.engine import Database
from app.db.models import OperatorRow
from app.errors import InvalidInput, OneStopError
from app.roles import ROLE_LABELS

MAX_FAILURES = 5
LOCK_MINUTES = 5
ROLES = ROLE_LABELS
USERNAME = re.compile(r"^[a-z0-9_.-]{2,40}$")
SCRYPT = {"n": 2**14, "r": 8, "p": 1}


class SignInRefused(OneStopError):
    """Wrong name or password, a locked or switched-off account."""


@dataclass(frozen=True)
class Operator:
    username: str
    display_name: str
    role: str

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    def actor(self, terminal: str) -> Actor:
        return Actor(self.display_name, terminal, self.role)


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, **SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def check_password(password: str, stored: str) -> bool:
    try:
        kind, salt, digest = stored.split("$")
    except ValueError:
        return False
    if kind != "scrypt":
        return False
    again = hash_password(password, salt=base64.b64decode(salt)).split("$")[2]
    return hmac.compare_digest(again, digest)


class Accounts:
    def __init__(self, db: Database, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.clock = clock

    def add(
        self, username: str, display_name: str, password: str, *, role: str = "clerk", by: Actor
    ) -> Operator:
        """A new operator, or a new password and name for an existing one."""
        username = username.strip().lower()
        if not USERNAME.match(username):
            raise InvalidInput(
                f"用户名“{username}”不合规。", hint="请用 2–40 位小写字母、数字、点、横线或下划线。"
            )
        if role not in ROLES:
            raise InvalidInput(f"角色“{role}”不对。", hint=f"可选：{'、'.join(ROLES)}。")
        if not display_name.strip():
            raise InvalidInput("请填写工作人员姓名，它会印在受理通知书上。")
        if len(password) < 8:
            raise InvalidInput("密码至少 8 位。", hint="请用字母、数字混合的密码。")
        with self.db.transaction() as session:
            row = session.get(OperatorRow, username)
            if row is None:
                row = OperatorRow(username=username, created_at=self.clock())
                session.add(row)
            row.display_name, row.role = display_name.strip(), role
            row.password_hash = hash_password(password)
            row.active, row.failed_attempts, row.locked_until = True, 0, None
            append(
                session,
                by,
                "operator_set",
                after={"username": username, "role": role, "display_name": row.display_name},
            )
            return Operator(row.username, row.display_name, row.role)

    def deactivate(self, username: str, *, by: Actor) -> None:
        with self.db.transaction() as session:
            row = session.get(OperatorRow, username.strip().lower())
            if row is None:
                raise InvalidInput(f"没有用户“{username}”。")
            row.active = False
            append(session, by, "operator_off", after={"username": row.username})

    def operators(self) -> list[Operator]:
        with self.db.read() as session:
            rows = session.scalars(
                select(OperatorRow).where(OperatorRow.active).order_by(OperatorRow.username)
            )
            return [Operator(r.username, r.display_name, r.role) for r in rows]

    def sign_in(self, username: str, password: str, *, terminal: str) -> Operator:
        """The operator, or :class:`SignInRefused` saying what to do (never which part was
        wrong). The refusal is committed before it is raised: a wrong try counts."""
        now = self.clock()
        name = username.strip().lower()
        refusal: SignInRefused | None = None
        with self.db.transaction() as session:
            row = session.get(OperatorRow, name)
            if row is None or not row.active:
                hash_password(password)  # the same time as a real check: no name probing
                refusal = SignInRefused(
                    "用户名或密码不对。", hint="请重新输入；忘记密码请找大厅管理员重置。"
                )
                why = "unknown"
            elif row.locked_until is not None and now < row.locked_until:
                minutes = max(1, int((row.locked_until - now).total_seconds() // 60) + 1)
                refusal = SignInRefused(
                    f"连续输错密码次数过多，账号已暂时锁定，请 {minutes} 分钟后再试。",
                    hint="如非本人操作，请报告大厅管理员。",
                )
                why = "locked"
            elif not check_password(password, row.password_hash):
                row.failed_attempts += 1
                left = MAX_FAILURES - row.failed_attempts
                if left <= 0:
                    row.locked_until = now + timedelta(minutes=LOCK_MINUTES)
                    row.failed_attempts = 0
                    refusal = SignInRefused(
                        f"连续输错密码 {MAX_FAILURES} 次，账号锁定 {LOCK_MINUTES} 分钟。",
                        hint="请稍后再试或找大厅管理员。",
                    )
                    why = "locked_now"
                else:
                    refusal = SignInRefused("用户名或密码不对。", hint=f"还可以再试 {left} 次。")
                    why = "password"
            else:
                row.failed_attempts, row.locked_until = 0, None
                operator = Operator(row.username, row.display_name, row.role)
                append(
                    session, operator.actor(terminal), "sign_in", after={"username": name}, at=now
                )
                return operator
            append(
                session,
                Actor(name or "?", terminal),
                "sign_in_refused",
                after={"username": name, "why": why},
                at=now,
            )
        raise refusal
