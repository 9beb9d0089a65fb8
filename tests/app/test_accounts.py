"""Operators sign in with scrypt-hashed passwords; wrong tries count and lock the account."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.accounts import (
    MAX_FAILURES,
    Accounts,
    SignInRefused,
    check_password,
    hash_password,
    name_key,
    wrong,
)
from app.cases.audit import Actor
from app.cases.audit_verify import verify
from app.db.engine import Database, make_engine
from app.db.migrate import upgrade
from app.db.models import AuditEntry, SignInAttemptRow
from app.errors import InvalidInput
from tests.helpers.clock import WallClock

ADMIN = Actor("信息管理员", "admin-pc")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    engine = make_engine(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    upgrade(engine)
    yield Database(engine)
    engine.dispose()


def test_passwords_are_salted_hashes() -> None:
    one, two = hash_password("窗口密码2026"), hash_password("窗口密码2026")
    assert one != two and "窗口密码" not in one
    assert check_password("窗口密码2026", one) and not check_password("窗口密码2027", one)
    assert not check_password("x", "md5$abc") and not check_password("x", "garbage")


def test_sign_in_wrong_passwords_and_lockout(db: Database) -> None:
    clock = WallClock(datetime(2026, 11, 23, 1, 0, tzinfo=UTC))
    accounts = Accounts(db, clock=clock)
    accounts.add("zhangmin", "张敏", "counter-secret", by=ADMIN)
    operator = accounts.sign_in(" ZhangMin ", "counter-secret", terminal="counter-03")
    assert (operator.display_name, operator.role_label) == ("张敏", "窗口人员")
    for attempt in range(1, MAX_FAILURES):
        with pytest.raises(SignInRefused, match=f"还可以再试 {MAX_FAILURES - attempt} 次"):
            accounts.sign_in("zhangmin", "wrong", terminal="counter-03")
    with pytest.raises(SignInRefused, match="锁定 5 分钟"):
        accounts.sign_in("zhangmin", "wrong", terminal="counter-03")
    with pytest.raises(SignInRefused, match="暂时锁定"):
        accounts.sign_in("zhangmin", "counter-secret", terminal="counter-03")  # even the right one
    clock.now += timedelta(minutes=6)
    assert (
        accounts.sign_in("zhangmin", "counter-secret", terminal="counter-03").username == "zhangmin"
    )
    with pytest.raises(SignInRefused, match="用户名或密码不对") as unknown:
        accounts.sign_in("nobody", "counter-secret", terminal="counter-03")
    assert str(unknown.value) == str(wrong(MAX_FAILURES - 1))  # as a wrong password's first
    with db.read() as session:
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
        assert verify(session).ok
        assert session.get(SignInAttemptRow, name_key("zhangmin")) is None  # signed in: forgotten
        assert session.get(SignInAttemptRow, name_key("nobody")) is not None
    assert actions.count("sign_in_refused") == MAX_FAILURES + 2 and actions.count("sign_in") == 2


def test_bad_accounts_are_refused_and_deactivated_ones_cannot_sign_in(db: Database) -> None:
    accounts = Accounts(db)
    with pytest.raises(InvalidInput, match="至少 8 位"):
        accounts.add("limei", "李梅", "short", by=ADMIN)
    with pytest.raises(InvalidInput, match="不合规"):
        accounts.add("李梅", "李梅", "long-enough", by=ADMIN)
    with pytest.raises(InvalidInput, match="角色"):
        accounts.add("limei", "李梅", "long-enough", role="boss", by=ADMIN)
    accounts.add("limei", "李梅", "long-enough", role="backoffice", by=ADMIN)
    assert [o.username for o in accounts.operators()] == ["limei"]
    accounts.deactivate("limei", by=ADMIN)
    assert accounts.operators() == []
    with pytest.raises(SignInRefused):
        accounts.sign_in("limei", "long-enough", terminal="t")
