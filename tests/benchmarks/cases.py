"""Case storage benchmarks: acceptances per second against a bare SQLite transaction, lookups among
a million stored cases and claiming from a large outbox backlog — on SQLite files in a temporary
folder (WAL, ``synchronous=FULL`` as :func:`app.db.engine.make_engine` sets them) and, when the
PostgreSQL binaries are installed, on a throw-away server (figures prefixed ``pg_``).

Personal data is sealed as the programs seal it (SM4-GCM, blind indexes; a throw-away data key):
the acceptances are timed sealed and, in the same run, on a database kept in clear
(``clear_accepted_cases_per_s``), and ``sealed_over_clear`` must stay within 20 %; the million
stored cases are sealed, and a lookup by ID number goes through the blind index.

Rates are derived from the median time of one call, so a single slow fsync does not move them.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from sqlalchemy import Engine, create_engine, func, select, text, update

from app.cases.files import FileStore
from app.cases.outbox import Outbox
from app.cases.queries import CaseQueries, CaseQuery
from app.cases.service import CaseService
from app.catalog.catalog import Catalog, load_catalog
from app.db.engine import Database, make_engine
from app.db.migrate import head_revision, upgrade
from app.db.models import PAYLOAD_CONTEXT, CaseRow, OutboxMessage, OutboxPayload
from app.security.sealing import Sealer
from tests import postgres
from tests.helpers.cases import ANSWERS, CLERK, MOTHER, NEWBORN, filled_form, receive_all

T = TypeVar("T")
Goal = tuple[str, float]
GOALS: dict[str, Goal] = {
    "ratio": (">=", 0.3),
    "sealed_over_clear": (">=", 0.8),
    "lookup_receipt_ms": ("<", 5.0),
    "lookup_id_number_ms": ("<", 5.0),
    "claim_100_ms": ("<", 10.0),
}
HALL = "430100001"
PER_DAY = 2_000  # cases a day in the generated history
WARM_UP = 3  # calls before timing, so SQLAlchemy's statement caches are filled as in a running app
CHUNK = 50_000  # rows per bulk-insert transaction
CLAIM = 100
RECEIPT = "@RECEIPT@"  # placeholder in payload templates
WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]  # GB 11643 check digit weights
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ("芳", "伟", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛")


@dataclass(frozen=True)
class Sizes:
    accepts: int  # cases accepted through the service
    bare: int  # bare two-insert transactions
    cases: int  # cases stored for the lookups
    lookups: int  # lookups of each kind
    backlog: int  # due outbox messages
    claims: int  # claims of CLAIM messages

    @classmethod
    def of(cls, quick: bool) -> Sizes:
        if quick:
            return cls(accepts=15, bare=200, cases=20_000, lookups=50, backlog=10_000, claims=10)
        return cls(
            accepts=150, bare=2_000, cases=1_000_000, lookups=300, backlog=100_000, claims=50
        )


def ms_since(start_ns: int) -> float:
    return (time.perf_counter_ns() - start_ns) / 1e6


def timed(action: Callable[[], T]) -> tuple[float, T]:
    """How long ``action()`` took, in milliseconds, and what it returned."""
    start = time.perf_counter_ns()
    result = action()
    return ms_since(start), result


def _per_s(median_ms: float) -> float:
    return round(1000.0 / median_ms, 1)


# -- generated rows ----------------------------------------------------------------------------------
def _id_number(person: int) -> str:
    """A valid-looking resident ID number (region, birth date, sequence, check digit), one per person."""
    born = date(1950, 1, 1) + timedelta(days=person % 20_000)
    body = f"430104{born:%Y%m%d}{person // 20_000 % 1000:03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, WEIGHTS, strict=True)) % 11]


def nth_receipt_no(n: int) -> str:
    """The n-th case (from 0) of the generated history: PER_DAY cases a day from 2025-01-01."""
    day = date(2025, 1, 1) + timedelta(days=n // PER_DAY)
    return f"{HALL}-{day:%Y%m%d}-{n % PER_DAY + 1:05d}"


CASE_COLUMNS = (
    "id",
    "receipt_no",
    "hall_code",
    "channel",
    "state",
    "scenario_code",
    "scenario_name",
    "catalog_version",
    "applicant_kind",
    "applicant_name",
    "applicant_id_type",
    "applicant_id_number",
    "applicant_phone",
    "applicant_address",
    "agent_name",
    "agent_id_number",
    "agent_phone",
    "applicant_id_index",
    "agent_id_index",
    "applicant_phone_index",
    "answers",
    "chosen_items",
    "form_data",
    "promised_days",
    "promised_date",
    "clerk",
    "terminal",
    "created_at",
    "updated_at",
    "accepted_at",
    "outbox_seq",
)
OUTBOX_COLUMNS = (
    "id",
    "case_id",
    "receipt_no",
    "seq",
    "kind",
    "idempotency_key",
    "file_sha256",
    "state",
    "attempts",
    "next_attempt_at",
    "last_error",
    "claimed_by",
    "lease_until",
    "created_at",
    "delivered_at",
    "note",
)
ANSWERS_JSON = json.dumps(ANSWERS)
ITEMS_JSON = json.dumps(["birth_certificate", "vaccination", "birth_registration"])
FORM_JSON = json.dumps({"newborn.name": "测试", "newborn.sex": "男"}, ensure_ascii=False)


class Encoder:
    """Python values as the bulk insert of a dialect wants them: SQLite gets the text SQLAlchemy
    stores for dates and times (UTC, no zone), PostgreSQL's COPY adapts the objects itself."""

    def __init__(self, dialect: str) -> None:
        self.text = dialect != "postgresql"

    def moment(self, value: datetime) -> Any:
        return f"{value:%Y-%m-%d %H:%M:%S.%f}" if self.text else value

    def day(self, value: date) -> Any:
        return f"{value:%Y-%m-%d}" if self.text else value


class Sealing:
    """The stored form of the sealed columns, as the programs write them (the answers and the
    form are one sealed value each, the same for every row: opening it costs as much)."""

    def __init__(self, sealer: Sealer | None) -> None:
        self.sealer = sealer
        self.answers = sealer.seal(ANSWERS_JSON, "cases.answers") if sealer else ANSWERS
        self.form = sealer.seal(FORM_JSON, "cases.form_data") if sealer else json.loads(FORM_JSON)

    def text(self, value: str, column: str) -> str:
        return self.sealer.seal(value, f"cases.{column}") if value and self.sealer else value

    def index(self, value: str, context: str) -> str | None:
        return self.sealer.index(value, context) if value and self.sealer else None


def bench_sealer() -> Sealer:
    """A throw-away data key and index key, as a hall's are made (never a known key)."""
    return Sealer("DBENCH", {"DBENCH": os.urandom(16)}, os.urandom(16))


def case_rows(
    count: int, encoder: Encoder, sealing: Sealing | None = None
) -> Iterator[tuple[Any, ...]]:
    """``count`` accepted cases: two per person, every tenth with an agent who is someone else;
    sealed with ``sealing``, else in clear (without blind indexes)."""
    sealing = sealing or Sealing(None)
    seal = sealing.text
    for n in range(count):
        person = n // 2
        day = date(2025, 1, 1) + timedelta(days=n // PER_DAY)
        created = datetime(day.year, day.month, day.day, 1, tzinfo=UTC) + timedelta(
            seconds=n % PER_DAY * 14
        )
        agent = _id_number((person * 7 + 3) % max(1, count // 2)) if n % 10 == 0 else ""
        yield (
            n + 1,
            nth_receipt_no(n),
            HALL,
            "counter",
            "accepted",
            NEWBORN,
            "新生儿出生一件事",
            "2026.11.1",
            "person",
            seal(f"{SURNAMES[person % 20]}{GIVEN[person // 20 % 15]}", "applicant_name"),
            "resident_id",
            seal(_id_number(person), "applicant_id_number"),
            seal(f"138{person % 100_000_000:08d}", "applicant_phone"),
            seal("长沙市岳麓区", "applicant_address"),
            seal("张伟" if agent else "", "agent_name"),
            seal(agent, "agent_id_number"),
            "",
            sealing.index(_id_number(person), "id_number"),
            sealing.index(agent, "id_number"),
            sealing.index(f"138{person % 100_000_000:08d}", "phone"),
            json.dumps(sealing.answers, ensure_ascii=False),
            ITEMS_JSON,
            json.dumps(sealing.form, ensure_ascii=False),
            45,
            encoder.day(day + timedelta(days=63)),
            "clerk-zhang",
            "counter-01",
            encoder.moment(created),
            encoder.moment(created),
            encoder.moment(created),
            2,
        )


def _payloads(db: Database) -> dict[str, str]:
    """The JSON of the first accepted case's messages, by kind, with the receipt as a placeholder."""
    with db.read() as session:
        first = select(func.min(OutboxMessage.case_id)).scalar_subquery()
        rows = session.execute(
            select(OutboxMessage.kind, OutboxPayload.payload, OutboxMessage.receipt_no)
            .join(OutboxPayload, OutboxPayload.id == OutboxMessage.id)
            .where(OutboxMessage.case_id == first)
        ).all()
    return {kind: json.dumps(payload).replace(receipt, RECEIPT) for kind, payload, receipt in rows}
    # (opened: the backlog's rows are stored as they are, a sender's cost to open is not timed)


def _outbox_rows(cases: int, due: datetime, encoder: Encoder) -> Iterator[tuple[Any, ...]]:
    """A sender that was offline: each case's submission and acceptance, both due."""
    moment = encoder.moment(due)
    for n in range(cases):
        receipt = nth_receipt_no(n)
        for seq, kind in ((1, "submission"), (2, "acceptance")):
            yield (
                2 * n + seq,
                n + 1,
                receipt,
                seq,
                kind,
                f"{receipt}/{seq}/{kind}",
                None,
                "pending",
                0,
                moment,
                "",
                "",
                None,
                moment,
                None,
                "",
            )


def _payload_rows(
    cases: int, payloads: dict[str, str], sealer: Sealer
) -> Iterator[tuple[Any, ...]]:
    """The messages' payloads: real ones, sealed as the outbox stores them."""
    for n in range(cases):
        receipt = nth_receipt_no(n)
        for seq, kind in ((1, "submission"), (2, "acceptance")):
            clear = payloads[kind].replace(RECEIPT, receipt)
            yield 2 * n + seq, json.dumps(sealer.seal(clear, PAYLOAD_CONTEXT))


def bulk_insert(
    engine: Engine,
    table: str,
    columns: Sequence[str],
    rows: Iterable[tuple[Any, ...]],
    *,
    serial: bool = True,
) -> None:
    """executemany in chunks on SQLite; COPY on PostgreSQL (its executemany is far slower)."""
    names = ", ".join(columns)
    if engine.dialect.name == "postgresql":
        raw = engine.raw_connection()
        try:
            pg: psycopg.Connection[Any] = raw.driver_connection  # type: ignore[assignment]
            with (
                pg.cursor() as cursor,
                cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            if serial:
                pg.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
                )
            pg.commit()
        finally:
            raw.close()
        return
    statement = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, CHUNK)):
        with engine.begin() as connection:
            connection.exec_driver_sql(statement, chunk)


# -- the measurements -----------------------------------------------------------------------------
def _acceptances(
    dbs: dict[str, Database], catalog: Catalog, files: Path, count: int
) -> dict[str, dict[str, float]]:
    """For each database (sealed, and the baseline kept in clear): drafts first (open +
    materials, timed too), then the accept() calls on their own — the databases taking turns,
    call by call, so a busy moment of the machine falls on both alike."""
    services = {
        name: CaseService(db, catalog, FileStore(files / name, db.sealer), hall_code=HALL)
        for name, db in dbs.items()
    }
    form = filled_form(catalog, NEWBORN, ANSWERS)

    def draft(service: CaseService) -> str:
        case = service.open_case(
            CLERK, channel="counter", scenario=NEWBORN, applicant=MOTHER, answers=ANSWERS, form=form
        )
        return receive_all(service, case).receipt_no

    for service in services.values():
        for _ in range(WARM_UP):
            service.accept(CLERK, draft(service))
    prepared: dict[str, list[tuple[str, float]]] = {name: [] for name in services}
    for _ in range(count):
        for name, service in services.items():
            start = time.perf_counter_ns()
            receipt = draft(service)
            prepared[name].append((receipt, ms_since(start)))
    accept_ms: dict[str, list[float]] = {name: [] for name in services}
    whole_ms: dict[str, list[float]] = {name: [] for name in services}
    for n in range(count):
        for name, service in services.items():
            receipt, draft_ms = prepared[name][n]
            took, _ = timed(functools.partial(service.accept, CLERK, receipt))
            accept_ms[name].append(took)
            whole_ms[name].append(draft_ms + took)
    figures = {}
    for name, db in dbs.items():
        with db.read() as session:
            accepted = session.scalar(
                select(func.count()).select_from(CaseRow).where(CaseRow.state == "accepted")
            )
        assert accepted == count + WARM_UP, f"{accepted} of {count + WARM_UP} cases accepted"
        median = statistics.median(accept_ms[name])
        figures[name] = {
            "accepted_cases_per_s": _per_s(median),
            "accept_ms": round(median, 3),
            "open_accept_cases_per_s": _per_s(statistics.median(whole_ms[name])),
        }
    return figures


def _bare_sqlite_ms(path: Path, rounds: int) -> float:
    """Median of a bare sqlite3 transaction of two inserts, WAL + synchronous=FULL."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        connection.execute(
            "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL "
            "REFERENCES parent (id), body TEXT NOT NULL)"
        )
        samples = []
        for n in range(rounds):
            start = time.perf_counter_ns()
            connection.execute("BEGIN IMMEDIATE")
            cursor = connection.execute("INSERT INTO parent (body) VALUES (?)", (f"case {n}",))
            connection.execute(
                "INSERT INTO child (parent_id, body) VALUES (?, ?)", (cursor.lastrowid, "audit")
            )
            connection.execute("COMMIT")
            samples.append(ms_since(start))
    finally:
        connection.close()
    return statistics.median(samples)


def _bare_postgres_ms(url: str, rounds: int) -> float:
    """The same two inserts per transaction with psycopg, committed one by one."""
    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo) as connection:
        connection.execute("CREATE TABLE parent (id SERIAL PRIMARY KEY, body TEXT NOT NULL)")
        connection.execute(
            "CREATE TABLE child (id SERIAL PRIMARY KEY, parent_id INTEGER NOT NULL "
            "REFERENCES parent (id), body TEXT NOT NULL)"
        )
        connection.commit()
        samples = []
        for n in range(rounds):
            start = time.perf_counter_ns()
            row = connection.execute(
                "INSERT INTO parent (body) VALUES (%s) RETURNING id", (f"case {n}",)
            ).fetchone()
            assert row is not None
            connection.execute(
                "INSERT INTO child (parent_id, body) VALUES (%s, %s)", (row[0], "audit")
            )
            connection.commit()
            samples.append(ms_since(start))
    return statistics.median(samples)


def _lookups(db: Database, count: int, rounds: int) -> dict[str, float]:
    """Median CaseQueries.find by receipt number and by ID number among ``count`` stored cases."""
    queries = CaseQueries(db)
    rng = random.Random(20261123)
    picks = [rng.randrange(count) for _ in range(rounds + WARM_UP)]
    by_receipt: list[float] = []
    by_id: list[float] = []
    for n, pick in enumerate(picks):
        receipt = nth_receipt_no(pick)
        number = _id_number(pick // 2)
        took_receipt, found = timed(functools.partial(queries.find, CaseQuery(receipt_no=receipt)))
        assert [c.receipt_no for c in found] == [receipt], receipt
        took_id, found = timed(functools.partial(queries.find, CaseQuery(id_number=number)))
        assert receipt in {c.receipt_no for c in found}, number
        if n >= WARM_UP:
            by_receipt.append(took_receipt)
            by_id.append(took_id)
    return {
        "lookup_receipt_ms": round(statistics.median(by_receipt), 3),
        "lookup_id_number_ms": round(statistics.median(by_id), 3),
    }


def _claims(db: Database, rounds: int) -> float:
    """Median Outbox.claim of CLAIM messages; each round's messages are then marked delivered."""
    outbox = Outbox(db)
    samples = []
    for n in range(rounds + WARM_UP):
        took, claimed = timed(functools.partial(outbox.claim, "bench", CLAIM))
        assert len(claimed) == CLAIM, f"claimed {len(claimed)} of {CLAIM}"
        with db.transaction() as session:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_([m.id for m in claimed]))
                .values(state="delivered", delivered_at=datetime.now(UTC), lease_until=None)
            )
        if n >= WARM_UP:
            samples.append(took)
    return statistics.median(samples)


# -- one backend ------------------------------------------------------------------------------------
def _backend(
    fresh_url: Callable[[str], str], catalog: Catalog, folder: Path, sizes: Sizes
) -> tuple[dict[str, float], dict[str, Any]]:
    figures: dict[str, float] = {}
    setup: dict[str, Any] = {}

    sealer = bench_sealer()

    def database(name: str, *, sealed: bool = True) -> Database:
        engine = make_engine(fresh_url(name))
        upgrade(engine)
        db = Database(engine, schema=head_revision())  # as the programs open it
        db.seal_with(sealer if sealed else None)
        return db

    dbs = {"sealed": database("accepts"), "clear": database("accepts_clear", sealed=False)}
    try:
        accepted = _acceptances(dbs, catalog, folder / "files", sizes.accepts)
        payloads = _payloads(dbs["sealed"])
    finally:
        for db in dbs.values():
            db.dispose()
    figures.update(accepted["sealed"])
    figures["clear_accepted_cases_per_s"] = accepted["clear"]["accepted_cases_per_s"]
    figures["sealed_over_clear"] = round(
        figures["accepted_cases_per_s"] / figures["clear_accepted_cases_per_s"], 3
    )
    sealing = Sealing(sealer)

    db = database("lookups")
    try:
        started = time.perf_counter()
        rows = case_rows(sizes.cases, Encoder(db.dialect), sealing)
        bulk_insert(db.engine, "cases", CASE_COLUMNS, rows)
        _analyze(db)
        setup["lookup_cases"] = sizes.cases
        setup["lookup_load_s"] = round(time.perf_counter() - started, 1)
        figures.update(_lookups(db, sizes.cases, sizes.lookups))
    finally:
        db.dispose()

    db = database("outbox")
    try:
        encoder = Encoder(db.dialect)
        cases = sizes.backlog // 2
        bulk_insert(db.engine, "cases", CASE_COLUMNS, case_rows(cases, encoder, sealing))
        due = datetime.now(UTC) - timedelta(hours=1)
        bulk_insert(db.engine, "outbox", OUTBOX_COLUMNS, _outbox_rows(cases, due, encoder))
        bulk_insert(
            db.engine,
            "outbox_payloads",
            ("id", "payload"),
            _payload_rows(cases, payloads, sealer),
            serial=False,
        )
        _analyze(db)
        setup["outbox_backlog"] = 2 * cases
        setup["outbox_payload_bytes"] = {k: len(v) for k, v in payloads.items()}
        figures["claim_100_ms"] = round(_claims(db, sizes.claims), 3)
    finally:
        db.dispose()
    return figures, setup


def _analyze(db: Database) -> None:
    """PostgreSQL: the statistics autovacuum would gather after a bulk load (committed). SQLite: as
    the app leaves it (it never runs ANALYZE)."""
    if db.dialect == "postgresql":
        with db.engine.begin() as connection:
            connection.execute(text("ANALYZE"))


def _with_bare(figures: dict[str, float], bare_key: str, bare_ms: float) -> dict[str, float]:
    rate = _per_s(bare_ms)
    ordered = {
        k: v
        for k, v in figures.items()
        if not k.startswith(("lookup", "claim", "clear_", "sealed_"))
    }
    ordered[bare_key] = rate
    ordered["ratio"] = round(figures["accepted_cases_per_s"] / rate, 4)
    ordered.update({k: v for k, v in figures.items() if k.startswith(("clear_", "sealed_"))})
    ordered.update({k: v for k, v in figures.items() if k.startswith(("lookup", "claim"))})
    return ordered


def _postgres(
    catalog: Catalog, folder: Path, sizes: Sizes
) -> tuple[dict[str, float], dict[str, Any]]:
    with postgres.running_server() as server:
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        base = server.rsplit("/", 1)[0]

        def fresh_url(name: str) -> str:
            with admin.connect() as connection:
                connection.execute(text(f"CREATE DATABASE bench_{name}"))
            return f"{base}/bench_{name}"

        try:
            figures, setup = _backend(fresh_url, catalog, folder / "pg", sizes)
            bare_ms = _bare_postgres_ms(fresh_url("bare"), sizes.bare)
            with admin.connect() as connection:
                fsync = connection.execute(text("SHOW fsync")).scalar_one()
        finally:
            admin.dispose()
    setup["fsync"] = fsync
    return _with_bare(figures, "bare_tx_per_s", bare_ms), setup


def run(quick: bool = False) -> dict[str, Any]:
    sizes = Sizes.of(quick)
    catalog = load_catalog()
    notes: list[str] = []
    setup: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="onestop-bench-cases-") as tmp:
        folder = Path(tmp)
        figures, setup["sqlite"] = _backend(
            lambda name: f"sqlite:///{folder / name}.sqlite3", catalog, folder, sizes
        )
        bare_ms = _bare_sqlite_ms(folder / "bare.sqlite3", sizes.bare)
        figures = _with_bare(figures, "bare_sqlite_tx_per_s", bare_ms)
        goals = dict(GOALS)
        if postgres.server_bin() is None:
            notes.append("PostgreSQL binaries not found (tests/postgres.py): pg_ figures skipped.")
        else:
            pg_figures, setup["postgresql"] = _postgres(catalog, folder, sizes)
            figures.update({f"pg_{k}": v for k, v in pg_figures.items()})
            goals.update({f"pg_{k}": goal for k, goal in GOALS.items()})
            fsync = setup["postgresql"]["fsync"]
            notes.append(
                "pg_ratio compares with a bare psycopg transaction of the same two inserts "
                f"(pg_bare_tx_per_s) on the server tests/postgres.py starts (fsync={fsync})"
                + (", so pg_ rates are not durable-disk rates." if fsync == "off" else ".")
            )
    notes.append(
        "accepted_cases_per_s times accept() alone on prepared drafts (case, items, materials, "
        "audit and outbox in one transaction), personal data sealed; clear_accepted_cases_per_s "
        "the same on a database kept in clear, in this run; open_accept_cases_per_s adds "
        "open_case and record_material for every material. Lookups run on sealed rows: by ID "
        "number through the HMAC-SM3 blind index, each result's name and numbers opened."
    )
    met = {key: meets(figures[key], goal) for key, goal in goals.items()}
    return {
        "benchmark": "cases",
        "quick": quick,
        "setup": setup,
        "figures": figures,
        "goals": {k: f"{op} {value:g}" for k, (op, value) in goals.items()},
        "met": met,
        "notes": notes,
    }


def meets(value: float, goal: Goal) -> bool:
    op, target = goal
    return value >= target if op == ">=" else value < target
