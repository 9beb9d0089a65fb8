"""Operator accounts: who may sign in at a counter, with passwords stored as scrypt hashes.

A refused sign-in never tells whether the name exists: an unknown name (or a switched-off
account) gets the same words as a wrong password, costs the same scrypt check (against
``DUMMY_HASH``) and counts towards the same lock-out. Wrong tries are counted per login name in
the hall's database (``sign_in_attempts``), so every terminal of a hall shares the count; after
``MAX_FAILURES`` in a row the name waits ``LOCK_MINUTES`` before the next try. Sign-ins,
refusals and lock-outs go into the audit trail, an unknown name only as a fingerprint.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import math
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.cases.audit import Actor, append
from app.db.base import table, utcnow
from app.db.engine import Database
from app.db.models import OperatorRow, SignInAttemptRow
from app.errors import InvalidInput, OneStopError
from app.roles import ROLE_LABELS

log = logging.getLogger(__name__)

MAX_FAILURES = 5
LOCK_MINUTES = 5
FORGET_AFTER = timedelta(days=1)  # a name not tried for a day starts counting again
ROLES = ROLE_LABELS
USERNAME = re.compile(r"^[a-z0-9_.-]{2,40}$")
SCRYPT = {"n": 2**14, "r": 8, "p": 1}
# What a name without an account is checked against, so that it costs what a real check costs:
# the hash of a random password nobody kept (and a match would not sign anyone in).
DUMMY_HASH = "scrypt$EY5R2agl3xx6DUP3rwQs3Q==$mk0OOggp5hHzVKv+B8+vdjBXwTZsfDcLMlZfd4eZ/68="
ATTEMPTS = table(SignInAttemptRow)


class SignInRefused(OneStopError):
    """Wrong name or password, a switched-off account, a name locked after too many wrong
    tries — one refusal that never says whether the name has an account."""


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
    # surrogatepass: a password read from a terminal in a non-UTF-8 locale may carry lone
    # surrogates; every other password encodes as before.
    secret = password.encode("utf-8", "surrogatepass")
    digest = hashlib.scrypt(secret, salt=salt, dklen=32, **SCRYPT)
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


def normalise(username: str) -> str:
    """A login name as it is stored and counted: trimmed, lower case."""
    return username.strip().lower()


def name_key(name: str) -> str:
    """What the wrong tries of a normalised name are counted under: its SHA-256, so that names
    typed by strangers (or a password typed into the name field) are not stored. The migration
    0009 keeps a copy of this function: change both or neither."""
    data = b"onestop sign-in\0" + name.encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()


def wrong(left: int) -> SignInRefused:
    return SignInRefused(
        "用户名或密码不对。", hint=f"还可以再试 {left} 次；忘记密码请找大厅管理员重置。"
    )


def locked_now() -> SignInRefused:
    return SignInRefused(
        f"用户名或密码连续输错 {MAX_FAILURES} 次，该登录名已锁定 {LOCK_MINUTES} 分钟。",
        hint="请稍后再试；忘记密码请找大厅管理员重置。",
    )


def locked(minutes: int) -> SignInRefused:
    return SignInRefused(
        f"该登录名连续输错次数过多，已暂时锁定，请 {minutes} 分钟后再试。",
        hint="如非本人操作，请报告大厅管理员。",
    )


def _claim(session: Session, key: str, now: datetime) -> tuple[int, datetime | None]:
    """The name's count and lock, its row locked until the transaction ends: tries on one name,
    from any terminal, are counted one after another. Names not tried for ``FORGET_AFTER`` are
    dropped first (on PostgreSQL only rows no other terminal holds)."""
    stale = select(ATTEMPTS.c.name_key).where(ATTEMPTS.c.tried_at < now - FORGET_AFTER)
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        stale = stale.with_for_update(skip_locked=True)
    session.execute(delete(ATTEMPTS).where(ATTEMPTS.c.name_key.in_(stale)))
    insert = postgresql.insert if postgres else sqlite.insert
    claim = (
        insert(ATTEMPTS)
        .values(name_key=key, failures=0, tried_at=now, locked_until=None)
        .on_conflict_do_update(index_elements=["name_key"], set_={"tried_at": now})
        .returning(ATTEMPTS.c.failures, ATTEMPTS.c.locked_until)
    )
    row = session.execute(claim).one()
    return int(row.failures), row.locked_until


class Accounts:
    def __init__(self, db: Database, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.clock = clock

    def add(
        self, username: str, display_name: str, password: str, *, role: str = "clerk", by: Actor
    ) -> Operator:
        """A new operator, or a new password and name for an existing one."""
        username = normalise(username)
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
            row.active = True
            # A new password lifts a lock-out: the manager who sets it has seen the person.
            session.execute(delete(ATTEMPTS).where(ATTEMPTS.c.name_key == name_key(username)))
            append(
                session,
                by,
                "operator_set",
                after={"username": username, "role": role, "display_name": row.display_name},
            )
            return Operator(row.username, row.display_name, row.role)

    def deactivate(self, username: str, *, by: Actor) -> None:
        with self.db.transaction() as session:
            row = session.get(OperatorRow, normalise(username))
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
        """The operator, or :class:`SignInRefused` saying what to do — the same words, the same
        scrypt check and the same count whether or not the name has an account. The refusal is
        committed before it is raised: a wrong try counts."""
        now = self.clock()
        name = normalise(username)
        key = name_key(name)
        with self.db.transaction() as session:
            failures, until = _claim(session, key, now)
            row = session.get(OperatorRow, name) if USERNAME.match(name) else None
            account = row if row is not None and row.active else None
            stored = account.password_hash if account is not None else DUMMY_HASH
            if until is not None and now < until:
                minutes = max(1, math.ceil((until - now).total_seconds() / 60))
                refusal, why = locked(minutes), "locked"
            elif check_password(password, stored) and account is not None:
                session.execute(delete(ATTEMPTS).where(ATTEMPTS.c.name_key == key))
                operator = Operator(account.username, account.display_name, account.role)
                append(
                    session, operator.actor(terminal), "sign_in", after={"username": name}, at=now
                )
                return operator
            else:
                failures += 1
                if failures >= MAX_FAILURES:
                    counted = {"failures": 0, "locked_until": now + timedelta(minutes=LOCK_MINUTES)}
                    refusal, why = locked_now(), "locked_now"
                else:
                    counted = {"failures": failures}
                    refusal = wrong(MAX_FAILURES - failures)
                    why = "password" if account is not None else "unknown"
                session.execute(update(ATTEMPTS).where(ATTEMPTS.c.name_key == key).values(counted))
            # An operator's name is theirs to see in the trail; any other name only as a
            # fingerprint (it may be a citizen's name, or a password typed in the wrong field).
            who = {"username": name} if row is not None else {"name_key": key[:16]}
            append(
                session,
                Actor(name if row is not None else "?", terminal),
                "sign_in_refused",
                after={**who, "why": why},
                at=now,
            )
        # INFO: the counter's log file keeps it; the command line shows only the Chinese refusal.
        log.info("sign-in refused at %s: %s (name %s)", terminal, why, key[:16])
        raise refusal
