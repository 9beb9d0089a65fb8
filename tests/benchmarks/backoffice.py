"""Back-office benchmarks (issue 9): building and printing a batch of 200 cases' papers, a
chain-of-custody trace and a month's effectiveness report among a million stored cases — on
SQLite and, when the PostgreSQL binaries are installed, on a throw-away server (``pg_``).

The history is generated as :mod:`tests.benchmarks.cases` makes its cases (``case_rows``, COPY
on PostgreSQL), ``PER_DAY`` a day for about 16 months. Each generated case copies one template:
a real case of a catalog scenario taken through the real services (accepted, every item decided,
the result delivered at the window, by mail or electronically). Its items, materials and waiting
papers are copied to the generated cases in SQL (``INSERT … SELECT`` from temporary tables), and
the papers of all but the last ``LAG`` days went out in a daily batch per department and were
signed for: four custody events each, as :class:`~app.transfers.ledger.Ledger` writes them.
"""

from __future__ import annotations

import functools
import random
import statistics
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    case,
    create_engine,
    event,
    func,
    insert,
    literal,
    select,
    text,
)
from sqlalchemy.sql import ColumnElement

from app.bootstrap import Core, build_core
from app.cases import demo
from app.cases.intake import MaterialCheck
from app.cases.receipts import HALL_TZ
from app.catalog.catalog import Catalog, load_catalog
from app.db.base import json_dumps, table
from app.db.engine import make_engine
from app.db.models import (
    CaseItemRow,
    CaseMaterialRow,
    CaseRow,
    CustodyEventRow,
    StoredFile,
    TransferBatchRow,
    TransferItemRow,
)
from app.guide.engine import Planner
from app.reports.effectiveness import effectiveness_report
from app.reports.figures import Deadlines, Period
from app.settings import Settings
from app.transfers.snapshots import APPLICANT, WINDOW
from printing.a4 import Letterhead
from printing.transfer_slip import render_slip
from tests import postgres
from tests.benchmarks.cases import (
    CASE_COLUMNS,
    HALL,
    PER_DAY,
    WARM_UP,
    Encoder,
    Goal,
    bulk_insert,
    case_rows,
    meets,
    ms_since,
    nth_receipt_no,
    timed,
)
from tests.helpers.cases import CLERK, MOTHER, accepted
from tests.helpers.clock import WallClock
from tests.helpers.transfers import BACK, MEDICAL, ROUTES

GOALS: dict[str, Goal] = {
    "batch_ms": ("<", 1000.0),
    "trace_ms": ("<", 10.0),
    "effectiveness_month_ms": ("<", 2000.0),
}
FIRST_DAY = date(2025, 1, 1)  # of case_rows' history
# Paper goes to the newborn's three departments (as in the ledger's tests) and to the funeral
# home; every other department takes the materials through the platform.
PAPER_ROUTES = {**ROUTES, "民政部门（殡仪馆）": "pickup"}
TRANSFERS = {"routes": PAPER_ROUTES, "default_route": "platform"}
DELIVERIES = ("pickup", "mail", "electronic")  # a template per scenario and way of delivery
DONE_DAYS = (0, 1, 1, 2, 3, 3, 5, 5, 8, 10, 15, 20)  # working days from acceptance to completion
LAG = 2  # the last days' papers still wait for their batch
CASE_CHUNK = 100_000  # cases per INSERT … SELECT transaction
REVIEWED, EXEMPTED = ("清晰无涂改",), "窗口核验：已查验电子证照"
SEED = 20261123
COURIER, WAYBILL_BODY = "中国邮政 EMS", "EA{:08d}{}CN"
MESSENGER = {"name": "赵强", "id_number": "430104196411152016", "phone": "13800138000"}
RECEIPT_SCAN = b"%PDF-1.4 signed receipt of the department"
HOW: dict[str, dict[str, str]] = {
    "pickup": {"recipient": MOTHER.name, "note": "领取人在登记簿上签字"},
    "mail": {
        "recipient": MOTHER.name,
        "phone": MOTHER.phone,
        "address": MOTHER.address,
        "tracking_no": "EA123456785CN",
    },
    "electronic": {"note": "湘易办 电子证照库"},
}


@dataclass(frozen=True)
class Sizes:
    cases: int  # generated cases
    batch: int  # cases in a batch
    rounds: int  # batches built
    traces: int
    reports: int

    @classmethod
    def of(cls, quick: bool) -> Sizes:
        if quick:
            return cls(cases=20_000, batch=20, rounds=1, traces=30, reports=2)
        return cls(cases=1_000_000, batch=200, rounds=3, traces=300, reports=5)


@dataclass(frozen=True)
class Template:
    """A real case's rows, as the services wrote them: the case's columns that depend on its
    scenario, its items (``open_state``: right after acceptance), materials and papers."""

    case: dict[str, Any]
    items: tuple[dict[str, Any], ...]
    materials: tuple[dict[str, Any], ...]
    papers: tuple[dict[str, Any], ...]


def _settings(folder: Path, url: str = "") -> Settings:
    return Settings(data_dir=folder, database={"url": url}, transfers=TRANSFERS)


# -- templates: real cases through the real services ---------------------------------------------
def _templates(folder: Path, catalog: Catalog) -> list[Template]:
    core = build_core(_settings(folder / "templates"), catalog)
    try:
        planner, rng = Planner(catalog), random.Random(SEED)
        made = []
        for code in sorted(catalog.scenarios):
            answers = (
                demo.NEWBORN_ANSWERS
                if code == demo.NEWBORN
                else demo.answers_for(planner, code, rng)
            )
            form = {f.key: demo.value_for(f, MOTHER) for f in planner.plan(code, answers).fields}
            made += [_template(core, code, answers, form, how) for how in DELIVERIES]
        return made
    finally:
        core.close()


def _template(
    core: Core, code: str, answers: dict[str, Any], form: dict[str, str], delivery: str
) -> Template:
    """Mail: one material checked at the window instead (exempt), one a copy. Electronic: the
    last item is not approved (its dependents end)."""
    service = core.cases
    case = service.open_case(
        CLERK, channel="counter", scenario=code, applicant=MOTHER, answers=answers, form=form
    )
    receipt = case.receipt_no
    wanted = [m.material_id for m in case.materials if m.status == "missing"]
    checks = [MaterialCheck(m, "received_original", REVIEWED) for m in wanted]
    if delivery == "mail" and len(wanted) > 1:
        checks[0] = MaterialCheck(wanted[0], "exempt", exempt_reason=EXEMPTED)
        checks[1] = MaterialCheck(wanted[1], "received_copy", REVIEWED)
    service.record_materials(CLERK, receipt, checks)
    opened = {i.item_id: i.state for i in service.accept(CLERK, receipt).items}
    papers = tuple(
        {
            "ref": p.ref,
            "name": p.name,
            "department": p.department,
            "originals": p.originals,
            "copies": p.copies,
        }
        for p in core.transfers.trace(receipt).items
    )
    refused = case.items[-1].item_id if delivery == "electronic" else ""
    for _ in case.items:  # each round decides what the last one dispatched
        case = service.get(receipt)
        for item in (i for i in case.items if i.state == "dispatched"):
            service.record_item_decision(
                CLERK,
                receipt,
                item.item_id,
                approved=item.item_id != refused,
                result_name=item.result,
                result_no="R-1",
            )
    service.deliver(CLERK, receipt, method=delivery, **HOW[delivery])
    with core.db.read() as session:
        row = session.scalar(select(CaseRow).where(CaseRow.receipt_no == receipt))
        assert row is not None and row.delivery is not None
        keep = (
            "scenario_code",
            "scenario_name",
            "catalog_version",
            "answers",
            "chosen_items",
            "form_data",
            "promised_days",
            "delivery",
        )
        items = tuple({**_columns(i, ITEMS), "open_state": opened[i.item_id]} for i in row.items)
        materials = tuple(
            {**_columns(m, MATERIALS), "received": int(m.received_at is not None)}
            for m in row.materials
        )
        return Template({k: getattr(row, k) for k in keep}, items, materials, papers)


# -- temporary tables the history is copied from ---------------------------------------------------
SCRATCH = MetaData()


def _scratch(name: str, source: type[Any], keep: Sequence[str], *extra: Column[Any]) -> Table:
    """A temporary table of template rows: ``variant`` and the kept columns of ``source``
    (a JSON None stays SQL NULL, as the services leave it)."""
    columns = [
        Column(c.name, JSON(none_as_null=True) if isinstance(c.type, JSON) else c.type)
        for c in table(source).c
        if c.name in keep
    ]
    return Table(
        name,
        SCRATCH,
        Column("variant", Integer, index=True),
        *columns,
        *extra,
        prefixes=["TEMPORARY"],
    )


ITEMS = _scratch(
    "bench_items",
    CaseItemRow,
    (
        "item_id",
        "code",
        "name",
        "department",
        "result",
        "stage",
        "needs",
        "state",
        "promised_days",
        "decision",
    ),
    Column("open_state", String(20)),
)
MATERIALS = _scratch(
    "bench_materials",
    CaseMaterialRow,
    ("material_id", "name", "plan_status", "status", "exempt_reason", "form", "copies", "reviewed"),
    Column("received", Integer),
)
PAPERS = _scratch(
    "bench_papers",
    TransferItemRow,
    ("ref", "name", "department", "originals", "copies"),
    Column("slot", Integer),
)
PARTIES = Table(
    "bench_parties",
    SCRATCH,
    Column("batch_id", Integer, primary_key=True),
    Column("carrier", String(200)),
    Column("source", String(100)),
    prefixes=["TEMPORARY"],
)
CASES, BATCHES = table(CaseRow), table(TransferBatchRow)
CASE_ITEMS, CASE_MATERIALS = table(CaseItemRow), table(CaseMaterialRow)
TRANSFER_ITEMS, EVENTS = table(TransferItemRow), table(CustodyEventRow)


def _columns(row: Any, scratch: Table) -> dict[str, Any]:
    return {c.name: getattr(row, c.name) for c in scratch.c if hasattr(row, c.name)}


# -- the generated history -----------------------------------------------------------------------
def _moment(day: date, hour: int, minutes: int = 0) -> datetime:
    local = datetime.combine(day, clock_time(hour), HALL_TZ) + timedelta(minutes=minutes)
    return local.astimezone(UTC)


COPIED = (
    "scenario_code",
    "scenario_name",
    "catalog_version",
    "answers",
    "chosen_items",
    "form_data",
    "promised_days",
)
MINUTES = tuple(timedelta(minutes=m) for m in range(420))


def _history_cases(
    count: int, encoder: Encoder, templates: Sequence[Template], deadlines: Deadlines, end: datetime
) -> Iterator[tuple[Any, ...]]:
    """``case_rows`` made to follow their templates: completed some working days after
    acceptance (at a department's day's end), delivered, or still in the departments."""
    rng, moment = random.Random(SEED), encoder.moment
    at = [CASE_COLUMNS.index(key) for key in COPIED]
    state_at, updated_at = CASE_COLUMNS.index("state"), CASE_COLUMNS.index("updated_at")
    promised_at = CASE_COLUMNS.index("promised_date")
    kinds = [
        (
            [
                json_dumps(t.case[k]) if isinstance(t.case[k], dict | list) else t.case[k]
                for k in COPIED
            ],
            t.case["promised_days"],
            t.case["delivery"]["method"] == "pickup",
            json_dumps({k: v for k, v in t.case["delivery"].items() if k != "at"})[:-1],
        )
        for t in templates
    ]
    evening = functools.cache(lambda day: _moment(day, 16, 50))
    morning = functools.cache(lambda day: _moment(deadlines.due(day, 1), 9))
    for n, base in enumerate(case_rows(count, encoder)):
        row = list(base)
        values, promised, pickup, delivery_json = kinds[(n + 1) % len(kinds)]
        for index, value in zip(at, values, strict=True):
            row[index] = value
        day = FIRST_DAY + timedelta(days=n // PER_DAY)
        row[promised_at] = encoder.day(deadlines.due(day, promised))
        done_day = deadlines.due(day, min(rng.choice(DONE_DAYS), promised))
        completed = evening(done_day) + MINUTES[n % 100]
        delivered = morning(done_day) + MINUTES[n % 420] if pickup else completed + MINUTES[30]
        tail: tuple[Any, ...] = (None, None, None, None)  # completed, delivered, closed, delivery
        if completed >= end:
            row[state_at] = "accepted"
        elif delivered >= end:
            row[state_at], row[updated_at] = "completed", moment(completed)
            tail = (row[updated_at], None, None, None)
        else:
            row[state_at], row[updated_at] = "delivered", moment(delivered)
            delivery = f'{delivery_json}, "at": "{delivered.isoformat()}"}}'
            tail = (moment(completed), row[updated_at], row[updated_at], delivery)
        yield (*row, *tail, "null")  # commitment: JSON null, as accept() writes


HISTORY_COLUMNS = (
    *CASE_COLUMNS,
    "completed_at",
    "delivered_at",
    "closed_at",
    "delivery",
    "commitment",
)
BATCH_COLUMNS = (
    "id",
    "batch_no",
    "department",
    "route",
    "state",
    "created_by",
    "created_at",
    "sent_by",
    "sent_at",
    "courier",
    "waybill",
    "waybill_warning",
    "pickup",
    "due_date",
    "receipt_sha",
    "confirmed_by",
    "confirmed_at",
)


def _waybill(n: int) -> str:
    """An S10 number with its check digit (weights 8 6 4 2 3 5 9 7)."""
    digits = f"{n % 10**8:08d}"
    check = 11 - sum(int(d) * w for d, w in zip(digits, (8, 6, 4, 2, 3, 5, 9, 7), strict=True)) % 11
    return WAYBILL_BODY.format(n % 10**8, {10: 0, 11: 5}.get(check, check))


def _batches(
    days: int, departments: Sequence[str], encoder: Encoder, deadlines: Deadlines, receipt_sha: str
) -> tuple[list[tuple[Any, ...]], list[dict[str, Any]]]:
    """A batch per day and department, built and sent the next day and signed for the day
    after; id ``day * len(departments) + slot + 1``. Also who carried each and who handed it
    to the department, as the ledger's custody events name them."""
    rows, parties = [], []
    for day_no in range(days - LAG):
        sent = FIRST_DAY + timedelta(days=day_no + 1)
        for slot, department in enumerate(departments):
            number = day_no * len(departments) + slot + 1
            route = PAPER_ROUTES[department]
            courier = COURIER if route == "courier" else ""
            waybill = _waybill(number) if courier else ""
            rows.append(
                (
                    number,
                    f"LZ{HALL}-{sent:%Y%m%d}-{slot + 1:03d}",
                    department,
                    route,
                    "confirmed",
                    BACK.name,
                    encoder.moment(_moment(sent, 9)),
                    BACK.name,
                    encoder.moment(_moment(sent, 10)),
                    courier,
                    waybill,
                    "",
                    "null" if courier else json_dumps(MESSENGER),
                    encoder.day(deadlines.due(sent, 3)),
                    receipt_sha,
                    BACK.name,
                    encoder.moment(_moment(sent + timedelta(days=1), 15)),
                )
            )
            parties.append(
                {
                    "batch_id": number,
                    "carrier": f"{courier}（{waybill}）"
                    if courier
                    else f"{department} {MESSENGER['name']}",
                    "source": courier or WINDOW,
                }
            )
    return rows, parties


def _copied(
    connection: Connection, templates: Sequence[Template], slots: dict[str, int], count: int
) -> None:
    """The cases' items, materials, papers and custody events, copied from the templates in
    SQL, ``CASE_CHUNK`` cases a transaction. An item is as after acceptance until its case is
    completed; a paper is signed for when its day's batch exists (all but the last days)."""
    c, i, m, b = CASES.c, ITEMS.c, MATERIALS.c, BATCHES.c
    done = c.completed_at.is_not(None)
    batch_id = (c.id - 1) // PER_DAY * len(slots) + PAPERS.c.slot + 1
    for low in range(1, count + 1, CASE_CHUNK):
        copy = functools.partial(
            _copy, connection, c.id.between(low, low + CASE_CHUNK - 1), len(templates)
        )
        copy(
            CASE_ITEMS,
            ITEMS,
            state=case((done, i.state), else_=i.open_state),
            dispatched_at=case((i.open_state == "dispatched", c.accepted_at), else_=c.completed_at),
            decided_at=c.completed_at,
            decision=case((done, i.decision), else_=None),
        )
        copy(CASE_MATERIALS, MATERIALS, received_at=case((m.received == 1, c.created_at)))
        first = (connection.scalar(select(func.max(TRANSFER_ITEMS.c.id))) or 0) + 1
        copy(
            TRANSFER_ITEMS,
            PAPERS,
            (BATCHES, b.id == batch_id),
            receipt_no=c.receipt_no,
            direction=_text("out"),
            kind=_text("material"),
            state=case((b.id.is_not(None), "received"), else_="waiting"),
            batch_id=b.id,
            promised_date=c.promised_date,
            created_at=c.accepted_at,
            updated_at=func.coalesce(b.confirmed_at, c.accepted_at),
        )
        _custody(connection, TRANSFER_ITEMS.c.id >= first)
        connection.commit()


def _text(value: str) -> ColumnElement[str]:
    return literal(value, type_=String)


def _copy(
    connection: Connection,
    chunk: ColumnElement[bool],
    variants: int,
    target: Table,
    source: Table,
    outer: tuple[Table, ColumnElement[bool]] | None = None,
    **computed: Any,
) -> None:
    """INSERT … SELECT of the chunk's cases joined with their template's rows in ``source``:
    the columns named alike copied, the ``computed`` ones given."""
    alike = {column.name: column for column in source.c if column.name in target.c}
    values = {"case_id": CASES.c.id} | alike | computed
    joined = CASES.join(source, source.c.variant == CASES.c.id % variants)
    if outer is not None:
        joined = joined.outerjoin(*outer)
    query = select(*values.values()).select_from(joined).where(chunk)
    connection.execute(insert(target).from_select(list(values), query))


def _custody(connection: Connection, chunk: ColumnElement[bool]) -> None:
    """Received at the window, then batched, sent and signed for (see ``Ledger._handed``)."""
    columns = [
        "item_id",
        "case_id",
        "at",
        "action",
        "from_party",
        "to_party",
        "batch_no",
        "actor",
        "terminal",
        "note",
    ]
    i, b, p = TRANSFER_ITEMS.c, BATCHES.c, PARTIES.c
    received = select(
        i.id,
        i.case_id,
        i.created_at,
        *map(_text, ("received", APPLICANT, WINDOW, "", "", "", "窗口受理时收取")),
    )
    connection.execute(insert(EVENTS).from_select(columns, received.where(chunk)))
    steps: list[tuple[str, Any, Any, Any]] = [
        ("batched", b.created_at, _text(WINDOW), _text(WINDOW)),
        ("sent", b.sent_at, _text(WINDOW), p.carrier),
        ("received_by_department", b.confirmed_at, p.source, b.department),
    ]
    by = [_text(value) for value in (BACK.name, BACK.terminal, "")]
    for action, moment, source, target in steps:
        handed = select(i.id, i.case_id, moment, _text(action), source, target, b.batch_no, *by)
        joined = handed.join_from(TRANSFER_ITEMS, BATCHES, b.id == i.batch_id).join(
            PARTIES, p.batch_id == b.id
        )
        connection.execute(insert(EVENTS).from_select(columns, joined.where(chunk)))


@contextmanager
def _loader(url: str) -> Iterator[Engine]:
    """An engine of its own for the bulk load, with foreign keys unchecked (the rows are made
    consistent) and, on SQLite, no fsync and a large page cache. The measurements run on the
    core's engine, as the app leaves it."""
    engine = make_engine(url)

    @event.listens_for(engine, "connect")
    def _bulk(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if engine.dialect.name == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        else:
            for pragma in ("foreign_keys=OFF", "synchronous=OFF", "cache_size=-262144"):
                cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    try:
        yield engine
    finally:
        engine.dispose()


LOADED = ("cases", "case_items", "case_materials", "transfer_items", "custody_events")
INDEXES = {
    "sqlite": "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
    "AND tbl_name IN ({})",
    "postgresql": "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND "
    "tablename IN ({}) AND indexname NOT IN (SELECT conname FROM pg_constraint)",
}


@contextmanager
def _indexes_rebuilt(engine: Engine) -> Iterator[None]:
    """The loaded tables' secondary indexes (as the migrations made them) dropped for the load
    and built again after it: sorting once is far quicker than inserting a row at a time."""
    names = ", ".join(f"'{name}'" for name in LOADED)
    with engine.begin() as connection:
        found = connection.exec_driver_sql(INDEXES[engine.dialect.name].format(names)).all()
        for name, _ in found:
            connection.exec_driver_sql(f"DROP INDEX {name}")
    yield
    with engine.begin() as connection:
        for _, sql in found:
            connection.exec_driver_sql(sql)


def _load(core: Core, templates: Sequence[Template], count: int) -> dict[str, Any]:
    """The history in the core's database; returns its size and how long it took."""
    started = time.perf_counter()
    db, encoder, deadlines = core.db, Encoder(core.db.dialect), Deadlines(core.calendar)
    days = -(-count // PER_DAY)
    end = _moment(FIRST_DAY + timedelta(days=days), 0)
    sha = core.files.put(RECEIPT_SCAN)
    with db.transaction() as session:
        session.add(StoredFile(sha256=sha, size=len(RECEIPT_SCAN), mime="application/pdf"))
    departments = sorted({p["department"] for t in templates for p in t.papers})
    slots = {d: n for n, d in enumerate(departments)}
    batches, parties = _batches(days, departments, encoder, deadlines, sha)
    with _loader(core.settings.database_url) as engine, _indexes_rebuilt(engine):
        bulk_insert(
            engine,
            "cases",
            HISTORY_COLUMNS,
            _history_cases(count, encoder, templates, deadlines, end),
        )
        bulk_insert(engine, "transfer_batches", BATCH_COLUMNS, batches)
        with engine.connect() as connection:
            SCRATCH.create_all(connection)
            for scratch, key in ((ITEMS, "items"), (MATERIALS, "materials"), (PAPERS, "papers")):
                rows = [
                    {
                        "variant": v,
                        **row,
                        **({"slot": slots[row["department"]]} if scratch is PAPERS else {}),
                    }
                    for v, t in enumerate(templates)
                    for row in getattr(t, key)
                ]
                connection.execute(insert(scratch), rows)
            connection.execute(insert(PARTIES), parties)
            connection.commit()
            _copied(connection, templates, slots, count)
            SCRATCH.drop_all(connection)
            connection.commit()
    if db.dialect == "postgresql":  # what autovacuum would do, before the measurements start
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    with db.read() as session:
        counts = {
            t.name: session.scalar(select(func.count()).select_from(t))
            for t in (CASES, CASE_ITEMS, CASE_MATERIALS, TRANSFER_ITEMS, EVENTS, BATCHES)
        }
    return {"rows": counts, "days": days, "load_s": round(time.perf_counter() - started, 1)}


# -- the measurements -----------------------------------------------------------------------------
def _batch(core: Core, sizes: Sizes) -> dict[str, float]:
    """Open a batch for one department, add the cases by receipt number, print the slip. The
    cases are accepted through the service first (not timed)."""
    ledger, letterhead = core.transfers, Letterhead.of(core.settings)

    def accept_one() -> str:
        return accepted(core.cases, core.catalog).receipt_no

    def build(count: int) -> tuple[float, float, list[float], float, int]:
        """The batch picked from the waiting list (one add of every case), then the same size
        scanned case by case as the batch builder does it (each scan's changes applied to the
        batch in hand): each with its slip."""
        picked = [accept_one() for _ in range(count)]
        start = time.perf_counter_ns()
        batch = ledger.open_batch(BACK, MEDICAL)
        batch = ledger.add_cases(BACK, batch.batch_no, picked)
        slip_ms, pdf = timed(lambda: render_slip(batch, ledger.applicants(batch), letterhead))
        whole = ms_since(start)
        assert batch.cases == count and pdf.startswith(b"%PDF-"), batch.batch_no
        scanned = [accept_one() for _ in range(count)]
        start = time.perf_counter_ns()
        batch = ledger.open_batch(BACK, MEDICAL)
        adds = []
        for receipt in scanned:
            took, changes = timed(functools.partial(ledger.put_in, BACK, batch.batch_no, [receipt]))
            batch = changes.applied(batch)
            adds.append(took)
        render_slip(batch, ledger.applicants(batch), letterhead)
        scanned_ms = ms_since(start)
        assert batch == ledger.batch(batch.batch_no), batch.batch_no
        return whole, scanned_ms, adds, slip_ms, len(pdf)

    build(WARM_UP)
    runs = [build(sizes.batch) for _ in range(sizes.rounds)]
    return {
        "batch_ms": round(statistics.median(r[0] for r in runs), 1),
        "scanned_batch_ms": round(statistics.median(r[1] for r in runs), 1),
        "add_case_ms": round(statistics.median(ms for r in runs for ms in r[2]), 3),
        "slip_ms": round(statistics.median(r[3] for r in runs), 1),
        "slip_kb": round(runs[-1][4] / 1024, 1),
    }


def _traces(core: Core, templates: Sequence[Template], count: int, rounds: int) -> float:
    """Median Ledger.trace of random generated cases that have papers."""
    rng = random.Random(SEED)
    picks: list[int] = []
    while len(picks) < rounds + WARM_UP:
        n = rng.randrange(count)
        if templates[(n + 1) % len(templates)].papers:
            picks.append(n)
    samples = []
    for k, n in enumerate(picks):
        took, trace = timed(functools.partial(core.transfers.trace, nth_receipt_no(n)))
        assert trace.items and len(trace.events) >= len(trace.items), nth_receipt_no(n)
        if k >= WARM_UP:
            samples.append(took)
    return statistics.median(samples)


def _report(core: Core, period: Period, rounds: int) -> tuple[float, int]:
    """Median effectiveness_report over ``period``, as ``onestop report effectiveness`` calls
    it (one warm-up call); and how many cases it counted as completed."""
    samples, completed = [], 0
    call = functools.partial(effectiveness_report, core.db, core.catalog, core.calendar, period)
    for k in range(rounds + 1):
        took, report = timed(call)
        completed = sum(row.completed for row in report.rows)
        assert completed > 0, period
        if k:
            samples.append(took)
    return statistics.median(samples), completed


def _month(days: int) -> Period:
    """The calendar month in the middle of the history."""
    middle = FIRST_DAY + timedelta(days=days // 2)
    first = middle.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Period(first, following - timedelta(days=1))


def _measured(
    core: Core, templates: Sequence[Template], sizes: Sizes, setup: dict[str, Any]
) -> dict[str, float]:
    """The three measurements on a loaded database (the batch's cases are made "today", the
    day after the history)."""
    period = _month(setup["days"])
    report_ms, completed = _report(core, period, sizes.reports)
    trace_ms = _traces(core, templates, sizes.cases, sizes.traces)
    setup.update(report_month=f"{period.first:%Y-%m}", report_completed_cases=completed)
    core.cases.clock = core.transfers.clock = WallClock(
        _moment(FIRST_DAY + timedelta(days=setup["days"]), 10)
    )
    figures = _batch(core, sizes)
    setup.update(batch_cases=sizes.batch, batch_department=MEDICAL, batch_rounds=sizes.rounds)
    return {
        **figures,
        "trace_ms": round(trace_ms, 3),
        "effectiveness_month_ms": round(report_ms, 1),
    }


@contextmanager
def _postgres_url() -> Iterator[str]:
    """A database on a throw-away server (tests/postgres.py), for as long as the context."""
    with postgres.running_server() as server:
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(text("CREATE DATABASE bench_backoffice"))
        finally:
            admin.dispose()
        yield f"{server.rsplit('/', 1)[0]}/bench_backoffice"


def run(quick: bool = False) -> dict[str, Any]:
    sizes = Sizes.of(quick)
    notes: list[str] = []
    setup: dict[str, Any] = {}
    figures: dict[str, float] = {}
    goals = dict(GOALS)
    with (
        tempfile.TemporaryDirectory(prefix="onestop-bench-backoffice-") as tmp,
        ExitStack() as stack,
    ):
        folder = Path(tmp)
        started = time.perf_counter()
        templates = _templates(folder, load_catalog())
        setup.update(templates=len(templates), templates_s=round(time.perf_counter() - started, 1))
        backends = {"sqlite": _settings(folder / "sqlite")}
        if postgres.server_bin() is None:
            notes.append("PostgreSQL binaries not found (tests/postgres.py): pg_ figures skipped.")
        else:
            backends["postgresql"] = _settings(folder / "pg", stack.enter_context(_postgres_url()))
        cores = {
            name: stack.enter_context(closing(build_core(settings)))
            for name, settings in backends.items()
        }
        # Both histories load at once (SQLite and the server work mostly outside the GIL);
        # the measurements run one backend after the other.
        with ThreadPoolExecutor(len(cores)) as pool:
            loads = {
                name: pool.submit(_load, core, templates, sizes.cases)
                for name, core in cores.items()
            }
            setup.update({name: load.result() for name, load in loads.items()})
        for name, core in cores.items():
            prefix = "pg_" if name == "postgresql" else ""
            measured = _measured(core, templates, sizes, setup[name])
            figures.update({prefix + key: value for key, value in measured.items()})
            goals.update({prefix + key: goal for key, goal in GOALS.items()})
    notes.append(
        "batch_ms: open_batch, add_cases of the cases picked from the waiting list, applicants "
        "and render_slip of the open batch (cases accepted before timing); scanned_batch_ms "
        "the same with put_in per scanned receipt, its changes applied to the batch in hand, "
        "as the batch builder does (a person scans one every few seconds); add_case_ms the "
        "median of those scans, slip_ms the slip alone. load_s: both backends "
        "load at once."
    )
    met = {key: meets(figures[key], goal) for key, goal in goals.items()}
    return {
        "benchmark": "backoffice",
        "quick": quick,
        "setup": setup,
        "figures": figures,
        "goals": {k: f"{op} {value:g}" for k, (op, value) in goals.items()},
        "met": met,
        "notes": notes,
    }
