"""Sign-in benchmark (issue 22): a name nobody has must take as long to refuse as a wrong
password, or the time of the answer tells which names have an account. Median time of each
refusal and their ratio, on SQLite and — with the PostgreSQL binaries — on a throw-away server
(``pg_``).

Every try starts with no wrong tries counted (cleared outside the timing), so the lock-out
never cuts a check short; the two kinds of try alternate, so a machine growing busier slows
both alike. Without the check against ``DUMMY_HASH`` the ratio falls to a few hundredths.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, delete, text

from app.accounts import Accounts, SignInRefused
from app.cases.audit import Actor
from app.db.engine import Database, make_engine
from app.db.migrate import upgrade
from app.db.models import SignInAttemptRow
from tests import postgres

RATIO = (0.8, 1.25)  # unknown name / wrong password
KNOWN, UNKNOWN = "zhangmin", "zhangmim"  # an account, and a typo of it nobody has


def _backend(url: str, rounds: int) -> dict[str, float]:
    engine = make_engine(url)
    try:
        upgrade(engine)
        db = Database(engine)
        accounts = Accounts(db)
        accounts.add(KNOWN, "张敏", "counter-secret", by=Actor("benchmark", "bench"))

        def refused_ms(name: str) -> float:
            with db.transaction() as session:
                session.execute(delete(SignInAttemptRow))
            start = time.perf_counter()
            try:
                accounts.sign_in(name, "wrong-password", terminal="bench")
            except SignInRefused:
                return (time.perf_counter() - start) * 1000
            raise AssertionError("a wrong password signed in")

        for _ in range(3):  # warm up: connections, caches, the statements' plans
            refused_ms(KNOWN), refused_ms(UNKNOWN)
        known, unknown = [], []
        for _ in range(rounds):
            known.append(refused_ms(KNOWN))
            unknown.append(refused_ms(UNKNOWN))
    finally:
        engine.dispose()
    wrong_ms, unknown_ms = statistics.median(known), statistics.median(unknown)
    return {
        "wrong_password_ms": round(wrong_ms, 2),
        "unknown_name_ms": round(unknown_ms, 2),
        "ratio": round(unknown_ms / wrong_ms, 3),
    }


def _postgres(rounds: int) -> dict[str, float]:
    with postgres.running_server() as server:
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(text("CREATE DATABASE bench_signin"))
            return _backend(server.rsplit("/", 1)[0] + "/bench_signin", rounds)
        finally:
            admin.dispose()


def run(quick: bool = False) -> dict[str, Any]:
    rounds = 5 if quick else 40
    notes = [
        "median of one refused sign-in (scrypt n=2^14, r=8, p=1; count, audit entry, commit); "
        f"wrong password for {KNOWN!r}, then a name nobody has ({UNKNOWN!r}), alternating"
    ]
    with tempfile.TemporaryDirectory(prefix="onestop-bench-signin-") as tmp:
        figures = _backend(f"sqlite:///{Path(tmp) / 'signin.sqlite3'}", rounds)
    goals = ["ratio"]
    if postgres.server_bin() is None:
        notes.append("PostgreSQL binaries not found (tests/postgres.py): pg_ figures skipped.")
    else:
        figures.update({f"pg_{k}": v for k, v in _postgres(rounds).items()})
        goals.append("pg_ratio")
    low, high = RATIO
    return {
        "benchmark": "signin",
        "quick": quick,
        "setup": {"rounds": rounds},
        "figures": figures,
        "goals": {key: f"{low:g}–{high:g}" for key in goals},
        "met": {key: low <= figures[key] <= high for key in goals},
        "notes": notes,
    }
