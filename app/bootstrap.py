"""The composition root: builds the database (with the hall's audit keys), file store, calendar,
case services, the help desk, the 差评 work items and the audit anchors from the settings and
hands them in. Nothing here runs at import time."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError

from app.backfills import run_backfills
from app.calendar.workdays import WorkCalendar
from app.cases.access import AccessLog
from app.cases.anchors import AuditAnchors
from app.cases.audit import key_chain
from app.cases.catalogs import CaseCatalogs
from app.cases.complaints import Complaints
from app.cases.files import FileStore
from app.cases.outbox import Outbox
from app.cases.queries import CaseQueries
from app.cases.service import CaseService
from app.cases.unresolved import Unresolved
from app.catalog.catalog import Catalog, load_catalog
from app.catalog.versions import CatalogStore
from app.db.backup import BeforeUpgrade
from app.db.base import utcnow
from app.db.engine import Database, make_engine
from app.db.migrate import head_revision, upgrade
from app.db.one_terminal import TerminalClaim
from app.errors import KeysError, StorageError
from app.help import HelpDesk
from app.security.data_keys import DataKeys
from app.security.keys import AuditKeys, HallKeys, KeyRing, load_keys
from app.security.private import private_folder
from app.security.resealing import seal_existing
from app.settings import Settings
from app.transfers.ledger import Ledger

log = logging.getLogger(__name__)


def open_database(settings: Settings, *, migrate: bool = True) -> Database:
    """The hall's database, brought to the newest schema first (start-up runs the migrations),
    its audit chain keyed with the hall's audit key from the key file and its personal data
    sealed with the hall's data keys. Every database the programs open is keyed so: an entry
    needs the audit key, read when first needed; without the key file, personal data can be
    neither written nor read (reports, which need none, still work)."""
    engine = make_engine(settings.database_url, busy_timeout_s=settings.database.busy_timeout_s)
    # Writes check that the schema is still the one this program knows (another terminal may
    # upgrade the hall's database while this one runs).
    schema = head_revision() if migrate else None
    db = Database(engine, audit_keys=AuditKeys(settings.key_file), schema=schema)
    if migrate:
        claim = TerminalClaim(settings.terminal.name) if db.dialect == "sqlite" else None
        if claim is not None:
            _free_before_upgrade(db, claim)
        upgrade(engine, backup=before_upgrade(settings))
        if claim is not None:
            with db.connect() as connection:
                claim.take(connection)
            db.check_writes(claim.check)
    attach_data_keys(db, settings, create=migrate)
    if migrate:
        start_keyed_chain(db, settings.terminal.name)
    return db


def before_upgrade(settings: Settings) -> BeforeUpgrade | None:
    """The backup an upgrade takes first (``[database] backup_before_upgrade``)."""
    if not settings.database.backup_before_upgrade:
        return None
    return BeforeUpgrade(settings.backups_dir, settings.database.keep_backups)


def _free_before_upgrade(db: Database, claim: TerminalClaim) -> None:
    """A SQLite database another terminal holds is left alone, not even upgraded."""
    try:
        with db.read() as session:
            if inspect(session.connection()).has_table("sync_state"):
                claim.free(session.connection())
    except StorageError:
        raise
    except SQLAlchemyError as exc:  # an unreadable file: the upgrade says what is wrong
        log.info("could not read the SQLite claim before upgrading: %s", exc)


def attach_data_keys(db: Database, settings: Settings, *, create: bool) -> DataKeys | None:
    """Seal with the hall's data keys, unwrapped with the key file's data ring (the first ones
    made now with ``create``); without them, refuse to touch personal data, saying why."""
    try:
        data_keys = DataKeys(db, load_keys(settings.key_file).data)
        db.seal_with(data_keys.sealer(create=create))
        return data_keys
    except (KeysError, StorageError) as exc:
        db.seal_with(None, exc if isinstance(exc, KeysError) else KeysError(exc.message))
        log.info("personal data not available: %s", exc.message)
        return None


def start_keyed_chain(db: Database, terminal: str) -> str | None:
    """Key the chain now if the key file can be read (a database upgraded from before keyed
    chains gets its switch point at once). Without a readable key file it waits: the programs
    that write refuse to start, and the first entry says what to do."""
    try:
        with db.connect() as connection:
            return key_chain(connection, terminal)
    except KeysError as exc:
        log.info("audit chain not keyed yet: %s", exc.message)
        return None


def catch_up(
    db: Database, settings: Settings, catalogs: CaseCatalogs, complaints: Complaints
) -> dict[str, Any] | None:
    """What the upgrades left for the cases from before them (:mod:`app.backfills`); without
    the hall's keys it waits for a start that has them, as the sealing does."""
    try:
        return run_backfills(db, catalogs, settings.transfers, complaints, settings.terminal.name)
    except KeysError as exc:
        log.info("cases from before the upgrade not caught up yet: %s", exc.message)
        return None


def file_store(db: Database, settings: Settings) -> FileStore:
    """The file store, sealing with the database's data keys (refusing, as it does, without)."""
    refusal = (
        None
        if db.sealer
        else KeysError(
            "没有本大厅的数据密钥，扫描件无法加密保存。",
            hint="请确认大厅密钥文件在位（onestop keys show），再重新启动。",
        )
    )
    return FileStore(settings.files_dir, db.sealer, refusal=refusal)


@dataclass
class Core:
    settings: Settings
    db: Database
    catalog: Catalog
    files: FileStore
    calendar: WorkCalendar
    cases: CaseService
    queries: CaseQueries
    outbox: Outbox
    help: HelpDesk  # the kiosks' calls for staff (请工作人员协助)
    transfers: Ledger  # the paper trail of materials and results (材料流转)
    complaints: Complaints  # the work items every 差评 opens
    access: AccessLog  # who opened whose personal data (个人信息保护法 第五十一条)
    anchors: AuditAnchors  # the audit chain's head, sent to the platform now and then
    unresolved: Unresolved  # 办不成事 反映: taken, answered by a deadline, closed

    @cached_property
    def keys(self) -> HallKeys:
        """The hall's keys, read from the key file on first use (refused, with what to do, when
        the file is missing or others can read it)."""
        return load_keys(self.settings.key_file)

    @property
    def receipt_keys(self) -> KeyRing:
        return self.keys.receipt

    def close(self) -> None:
        self.db.dispose()


def open_accounts_database(settings: Settings) -> Database:
    """For a terminal in 培训模式: the hall's own database, where its operators' accounts are
    (they sign in as themselves; their sign-ins go into the hall's audit trail). The cases stay
    in the terminal's practice database."""
    terminal = settings.terminal.model_copy(update={"training": False})
    return open_database(settings.model_copy(update={"terminal": terminal}))


def catalogs(settings: Settings) -> tuple[Catalog, list[Catalog]]:
    """The catalog new cases use — the newest the platform published to this terminal, else
    the built-in one — and the other versions, which cases started under them keep."""
    builtin = load_catalog()
    current, older = CatalogStore(settings.catalogs_dir).catalogs()
    if current is None:
        return builtin, older
    kept = {c.version for c in (current, *older)}
    return current, [*older, *([builtin] if builtin.version not in kept else [])]


def build_core(
    settings: Settings, catalog: Catalog | None = None, *, clock: Callable[[], datetime] = utcnow
) -> Core:
    """``clock`` stamps what the services do (the demo seeding sets past days with it)."""
    private_folder(settings.data_dir)  # the service user's alone, whatever made it before
    db = open_database(settings)
    older: list[Catalog] = []
    if catalog is None:
        catalog, older = catalogs(settings)
    files = file_store(db, settings)
    files.sweep()  # what a power cut left half-written
    try:
        seal_existing(
            db, DataKeys(db, load_keys(settings.key_file).data), files, settings.terminal.name
        )
    except KeysError as exc:  # the programs that need the keys refuse to start, saying this
        log.info("personal data not sealed in place: %s", exc.message)
    calendar = WorkCalendar(settings.calendar.holidays, settings.calendar.workdays)
    ledger = Ledger(
        db, files, calendar, settings.transfers, hall_code=settings.hall.code, clock=clock
    )
    complaints = Complaints(db, calendar, settings.evaluations, clock=clock)
    cases = CaseService(
        db,
        catalog,
        files,
        hall_code=settings.receipt_hall_code,  # PX… in training: its own numbers
        calendar=calendar,
        older_catalogs=older,
        clock=clock,
        require_review=settings.counter.require_review_points,
        after_accept=ledger.accepted,  # papers wait for their department from acceptance on
        after_deliver=ledger.delivered,  # and go to the applicant with the delivery
        after_evaluate=complaints.rated,  # a 差评 opens its work item with the rating
        verify_days=settings.verification.due_days,
    )
    catch_up(db, settings, cases.catalogs, complaints)  # the cases from before an upgrade
    outbox = Outbox(
        db,
        lease_s=settings.outbox.lease_s,
        first_retry_s=settings.outbox.first_retry_s,
        max_retry_s=settings.outbox.max_retry_s,
        clock=clock,
    )
    help_desk = HelpDesk(db, hall_code=settings.hall.code)
    anchors = AuditAnchors(
        db,
        every_entries=settings.audit.anchor_every_entries,
        every_s=settings.audit.anchor_every_s,
        first_retry_s=settings.outbox.first_retry_s,
        max_retry_s=settings.outbox.max_retry_s,
        clock=clock,
    )
    return Core(
        settings,
        db,
        catalog,
        files,
        calendar,
        cases,
        CaseQueries(db),
        outbox,
        help_desk,
        ledger,
        complaints,
        AccessLog(db, clock=clock),
        anchors,
        Unresolved(db, hall_code=settings.hall.code, clock=clock),
    )
