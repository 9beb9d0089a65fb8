"""Sign-in cannot be used to learn who has an account: an unknown name, a switched-off account
and a wrong password get the same refusal, count alike, lock alike — on SQLite and on the
hall's PostgreSQL, shared by every terminal. (The cost of the check is compared by the
``signin`` benchmark, not here.)"""

from __future__ import annotations

import base64
import logging
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from functools import partial

import pytest
import sqlalchemy as sa
from alembic import command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.accounts import (
    DUMMY_HASH,
    FORGET_AFTER,
    LOCK_MINUTES,
    MAX_FAILURES,
    Accounts,
    SignInRefused,
    check_password,
    hash_password,
    locked,
    locked_now,
    name_key,
    wrong,
)
from app.cases.audit import Actor
from app.cases.audit_verify import verify
from app.db.base import UtcDateTime
from app.db.engine import Database, make_engine
from app.db.migrate import alembic_config, upgrade
from app.db.models import AuditEntry, SignInAttemptRow
from tests.helpers.clock import MONDAY, WallClock

ADMIN = Actor("信息管理员", "admin-pc")
PASSWORD = "counter-secret"
Refusal = tuple[type, str, str]


def refusal(try_it: Callable[[], object]) -> Refusal:
    """What a person is shown: the exception's type, message and hint (and nothing signs in)."""
    with pytest.raises(SignInRefused) as refused:
        try_it()
    return type(refused.value), refused.value.message, refused.value.hint


def shown(error: SignInRefused) -> Refusal:
    return type(error), error.message, error.hint


@pytest.fixture
def clock() -> WallClock:
    return WallClock(MONDAY)


@pytest.fixture
def accounts(db: Database, clock: WallClock) -> Accounts:
    accounts = Accounts(db, clock=clock)
    accounts.add("zhangmin", "张敏", PASSWORD, by=ADMIN)
    accounts.add("limei", "李梅", PASSWORD, role="backoffice", by=ADMIN)
    accounts.deactivate("limei", by=ADMIN)
    return accounts


def tries(accounts: Accounts, name: str, password: str, times: int) -> list[Refusal]:
    return [
        refusal(lambda: accounts.sign_in(name, password, terminal="counter-03"))
        for _ in range(times)
    ]


def test_unknown_names_and_wrong_passwords_are_refused_alike(
    accounts: Accounts, clock: WallClock
) -> None:
    """Word for word, hint for hint, try after try up to the lock and through it: a wrong
    password, a name nobody has, a switched-off account, a name that could never be one."""
    expected = [shown(wrong(MAX_FAILURES - n)) for n in range(1, MAX_FAILURES)]
    expected += [shown(locked_now()), shown(locked(LOCK_MINUTES))]
    for name in ("zhangmin", "nobody", "limei", "张敏"):
        assert tries(accounts, name, "wrong-password", MAX_FAILURES + 1) == expected, name
    # Locked, the right password is refused as a wrong one is — it does not give the name away.
    assert tries(accounts, "zhangmin", PASSWORD, 1) == [shown(locked(LOCK_MINUTES))]
    assert tries(accounts, "limei", PASSWORD, 1) == [shown(locked(LOCK_MINUTES))]
    clock.advance(minutes=LOCK_MINUTES, seconds=1)
    assert accounts.sign_in("ZhangMin", PASSWORD, terminal="counter-03").username == "zhangmin"
    for name in ("nobody", "limei"):  # the lock is over for every name, and counting starts anew
        assert tries(accounts, name, "wrong-password", 1) == [shown(wrong(MAX_FAILURES - 1))]
    assert tries(accounts, "limei", PASSWORD, 1) == [shown(wrong(MAX_FAILURES - 2))]  # switched off


def test_the_terminals_of_a_hall_share_the_count(database_url: str) -> None:
    """Two terminals, each with its own engine on the hall's database: the tries of both add
    up, and the lock one of them sets holds at the other."""
    engines = [make_engine(database_url) for _ in range(2)]
    try:
        upgrade(engines[0])
        clock = WallClock(MONDAY)
        counters = [Accounts(Database(engine), clock=clock) for engine in engines]
        seen = [
            refusal(partial(at.sign_in, "ghost", "guess", terminal=f"counter-0{n % 2}"))
            for n, at in enumerate(counters * 3)
        ]
        assert seen[MAX_FAILURES - 2] == shown(wrong(1))
        assert seen[MAX_FAILURES - 1] == shown(locked_now())
        assert seen[MAX_FAILURES] == shown(locked(LOCK_MINUTES))
    finally:
        for engine in engines:
            engine.dispose()


def test_tries_at_the_same_moment_lock_after_exactly_the_limit(database_url: str) -> None:
    """Tries on one name are counted one after another, however many terminals try at once:
    never a sixth wrong guess before the lock."""
    engines = [make_engine(database_url) for _ in range(4)]
    try:
        upgrade(engines[0])
        clock = WallClock(MONDAY)
        counters = [Accounts(Database(engine), clock=clock) for engine in engines]
        start = threading.Barrier(len(counters))
        seen: list[Refusal] = []

        def terminal(accounts: Accounts) -> None:
            start.wait(timeout=30)
            for _ in range(3):
                seen.append(refusal(lambda: accounts.sign_in("ghost", "guess", terminal="t")))

        threads = [threading.Thread(target=terminal, args=(a,)) for a in counters]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        # Which thread got which answer varies; what answers were given does not.
        expected = [shown(wrong(n)) for n in range(1, MAX_FAILURES)] + [shown(locked_now())]
        expected += [shown(locked(LOCK_MINUTES))] * (len(counters) * 3 - MAX_FAILURES)
        assert sorted(seen) == sorted(expected)
    finally:
        for engine in engines:
            engine.dispose()


def test_a_name_not_tried_for_a_day_starts_again_and_is_forgotten(
    accounts: Accounts, db: Database, clock: WallClock
) -> None:
    tries(accounts, "nobody", "guess", MAX_FAILURES - 1)
    clock.advance(seconds=FORGET_AFTER.total_seconds() + 1)
    tries(accounts, "somebody", "guess", 1)  # any try clears out names a day old
    with db.read() as session:
        assert session.get(SignInAttemptRow, name_key("nobody")) is None
        assert session.scalar(select(func.count()).select_from(SignInAttemptRow)) == 1
    assert tries(accounts, "nobody", "guess", 1) == [shown(wrong(MAX_FAILURES - 1))]


def test_a_new_password_lifts_the_lock(accounts: Accounts) -> None:
    tries(accounts, "zhangmin", "guess", MAX_FAILURES)
    accounts.add("zhangmin", "张敏", "new-counter-secret", by=ADMIN)
    assert accounts.sign_in("zhangmin", "new-counter-secret", terminal="t").username == "zhangmin"


def test_a_strangers_name_and_any_password_stay_out_of_trail_and_log(
    accounts: Accounts, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """An operator's refused name is in the trail (theirs to see); a stranger's is not, nor is a
    password typed into the name field — only a fingerprint that tells repeated tries apart."""
    caplog.set_level(logging.DEBUG, logger="app")
    typed = ["李芳", "Secret#2026", "zhangmin"]
    for name in typed:
        tries(accounts, name, "my-password-9", 1)
    with db.read() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "sign_in_refused").order_by(AuditEntry.id)
        ).all()
        kept = session.scalars(select(SignInAttemptRow.name_key)).all()
        assert verify(session).ok
    trail = repr([(e.actor, e.after) for e in entries])
    for secret in ("李芳", "secret#2026", "Secret#2026", "my-password-9"):
        assert secret not in trail and secret not in caplog.text and secret not in repr(kept)
    assert [e.actor for e in entries] == ["?", "?", "zhangmin"]
    assert entries[0].after == {"name_key": name_key("李芳")[:16], "why": "unknown"}
    assert entries[2].after == {"username": "zhangmin", "why": "password"}
    assert sorted(kept) == sorted(name_key(n.lower()) for n in typed)


def test_the_dummy_hash_is_checked_as_a_real_one() -> None:
    """Same form as a stored password (16-byte salt, 32-byte scrypt digest), so checking against
    it runs the same scrypt; and no password is found to match it."""
    kind, salt, digest = DUMMY_HASH.split("$")
    real_kind, real_salt, real_digest = hash_password(PASSWORD).split("$")
    assert (kind, len(base64.b64decode(salt)), len(base64.b64decode(digest))) == (
        real_kind,
        len(base64.b64decode(real_salt)),
        len(base64.b64decode(real_digest)),
    )
    assert not check_password("", DUMMY_HASH) and not check_password(PASSWORD, DUMMY_HASH)


# Any text a keyboard, a scanner in the wrong field or a pasted clipboard can give — control
# characters, NUL (which PostgreSQL refuses in text), lone surrogates (a terminal's stdin in a
# non-UTF-8 locale), very long names.
ANY_TEXT = st.text(
    st.one_of(st.characters(), st.characters(categories=["Cs"]), st.sampled_from("\x00 \t")),
    max_size=300,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=ANY_TEXT, password=ANY_TEXT)
def test_any_name_gets_the_one_refusal(accounts: Accounts, name: str, password: str) -> None:
    """Never a traceback, never another message: each example starts with no tries counted."""
    with accounts.db.transaction() as session:
        session.execute(sa.delete(SignInAttemptRow))
    with pytest.raises(SignInRefused) as refused:
        accounts.sign_in(name, password, terminal="counter-03")
    assert shown(refused.value) == shown(wrong(MAX_FAILURES - 1))


# -- migration 0009: the counts move from the operators to the new table ---------------------------

OPERATORS_0008 = sa.table(
    "operators",
    sa.column("username", sa.String()),
    sa.column("display_name", sa.String()),
    sa.column("role", sa.String()),
    sa.column("password_hash", sa.String()),
    sa.column("active", sa.Boolean()),
    sa.column("failed_attempts", sa.Integer()),
    sa.column("locked_until", UtcDateTime(timezone=True)),
    sa.column("created_at", UtcDateTime(timezone=True)),
)


@pytest.fixture
def engine_0008(database_url: str) -> Iterator[sa.Engine]:
    engine = make_engine(database_url)
    upgrade(engine, "0008_material_checked")
    yield engine
    engine.dispose()


def test_migration_keeps_counts_and_locks(engine_0008: sa.Engine) -> None:
    now = MONDAY
    stored = hash_password(PASSWORD)
    with engine_0008.begin() as connection:
        connection.execute(
            sa.insert(OPERATORS_0008),
            [
                dict(
                    username=name,
                    display_name=name,
                    role="clerk",
                    password_hash=stored,
                    active=True,
                    failed_attempts=failed,
                    locked_until=until,
                    created_at=now,
                )
                for name, failed, until in (
                    ("zhangmin", 3, None),
                    ("limei", 0, now + timedelta(minutes=2)),
                    ("wangli", 0, None),
                )
            ],
        )
    upgrade(engine_0008)
    accounts = Accounts(Database(engine_0008), clock=WallClock(now))
    assert tries(accounts, "zhangmin", "guess", 1) == [shown(wrong(MAX_FAILURES - 4))]
    assert tries(accounts, "limei", PASSWORD, 1) == [shown(locked(2))]
    assert accounts.sign_in("wangli", PASSWORD, terminal="t").username == "wangli"

    config = alembic_config()  # and back: the counts return to the operators
    with engine_0008.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0008_material_checked")
    with engine_0008.connect() as connection:
        rows = connection.execute(
            sa.select(
                OPERATORS_0008.c.username,
                OPERATORS_0008.c.failed_attempts,
                OPERATORS_0008.c.locked_until,
            ).order_by(OPERATORS_0008.c.username)
        ).all()
    assert [tuple(r) for r in rows] == [
        ("limei", 0, now + timedelta(minutes=2)),
        ("wangli", 0, None),
        ("zhangmin", 4, None),
    ]
