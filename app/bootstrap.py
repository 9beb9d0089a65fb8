"""The composition root: builds the database, file store, calendar, case services, the help
desk and the 差评 work items from the settings and hands them in. Nothing here runs at import
time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from app.calendar.workdays import WorkCalendar
from app.cases.access import AccessLog
from app.cases.complaints import Complaints
from app.cases.files import FileStore
from app.cases.outbox import Outbox
from app.cases.queries import CaseQueries
from app.cases.service import CaseService
from app.catalog.catalog import Catalog, load_catalog
from app.catalog.versions import CatalogStore
from app.db.base import utcnow
from app.db.engine import Database, make_engine
from app.db.migrate import upgrade
from app.help import HelpDesk
from app.security.keys import HallKeys, KeyRing, load_keys
from app.security.private import private_folder
from app.settings import Settings
from app.transfers.ledger import Ledger


def open_database(settings: Settings, *, migrate: bool = True) -> Database:
    """The hall's database, brought to the newest schema first (start-up runs the migrations)."""
    engine = make_engine(settings.database_url, busy_timeout_s=settings.database.busy_timeout_s)
    if migrate:
        upgrade(engine)
    return Database(engine)


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
    files = FileStore(settings.files_dir)
    files.sweep()  # what a power cut left half-written
    calendar = WorkCalendar(settings.calendar.holidays, settings.calendar.workdays)
    ledger = Ledger(
        db, files, calendar, settings.transfers, hall_code=settings.hall.code, clock=clock
    )
    complaints = Complaints(db, calendar, settings.evaluations, clock=clock)
    cases = CaseService(
        db,
        catalog,
        files,
        hall_code=settings.hall.code,
        calendar=calendar,
        older_catalogs=older,
        clock=clock,
        require_review=settings.counter.require_review_points,
        after_accept=ledger.accepted,  # papers wait for their department from acceptance on
        after_deliver=ledger.delivered,  # and go to the applicant with the delivery
        after_evaluate=complaints.rated,  # a 差评 opens its work item with the rating
    )
    outbox = Outbox(
        db,
        lease_s=settings.outbox.lease_s,
        first_retry_s=settings.outbox.first_retry_s,
        max_retry_s=settings.outbox.max_retry_s,
        clock=clock,
    )
    help_desk = HelpDesk(db, hall_code=settings.hall.code)
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
    )
