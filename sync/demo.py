"""A demo hall in one command: a reference platform on a free loopback port in this process, a
fresh hall database registered with it, simulated devices, and (for the counter) a demo clerk and
some earlier cases to search. The counter's and the kiosk's ``--demo`` and the tests use it."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from app.accounts import Accounts, hash_password
from app.bootstrap import build_core
from app.calendar.workdays import WorkCalendar
from app.cases.audit import Actor
from app.cases.demo import SeedClock
from app.cases.demo_modes import (
    DEMO_VERSION,
    demo_catalog_files,
    seed_assistance,
    seed_commitments,
    seed_unresolved,
    seed_verifications,
)
from app.cases.kiosk_sessions import KioskSessions
from app.cases.unresolved import Unresolved
from app.catalog.versions import CatalogStore, files_digest
from app.db.base import utcnow
from app.security.keys import init_keys
from app.settings import Settings
from app.transfers.demo import DEMO_ROUTES
from sync import contract

DEMO_USER, DEMO_PASSWORD = "demo", "demo1234"
# The demo hall's other staff, same password: the back office and the hall's manager.
DEMO_STAFF = (("houtai", "刘洋", "backoffice"), ("guanli", "王静", "manager"))
DEMO_PIN = "2468"  # the demo kiosk's staff PIN (five taps on the hall's name, then this)


@dataclass
class Demo:
    settings: Settings
    folder: Path


@contextmanager
def demo_world(
    folder: Path | None = None,
    *,
    cases: int = 40,
    terminal: str = "counter-01",
    channel: str = "counter",
) -> Iterator[Demo]:
    """The demo hall for one terminal (``channel`` "counter" gets the demo clerk)."""
    from sync.server.app import RunningPlatform
    from sync.server.seed import seed
    from sync.server.store import PlatformStore

    with ExitStack() as stack:
        if folder is None:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="onestop-")))
        store = PlatformStore(folder / "platform", decide_after=timedelta(seconds=30))
        stack.callback(store.close)
        seed(store)
        # the demo hall's own 容缺受理清单: published by its platform, installed on the terminal
        files = demo_catalog_files()
        bundle = contract.CatalogBundle(
            version=DEMO_VERSION, sha256=files_digest(files), files=files
        )
        store.publish_catalog(bundle)
        settings = Settings(
            data_dir=folder / "hall",
            terminal={"name": terminal, "channel": channel},
            security={"key_file": folder / "hall-keys.toml"},
        )
        if not settings.key_file.exists():
            init_keys(settings.key_file)  # the demo's own, made now: never a known key
        catalogs = CatalogStore(settings.catalogs_dir)
        if catalogs.current_version() != DEMO_VERSION:
            catalogs.install(DEMO_VERSION, files, bundle.sha256)
        token = store.add_terminal(settings.terminal.name, settings.hall.code)
        platform = stack.enter_context(RunningPlatform(store))
        settings = settings.model_copy(
            update={
                "platform": settings.platform.model_copy(
                    update={"url": platform.url, "token": token}
                ),
                "devices": settings.devices.model_copy(
                    update={"id_reader": "simulated", "capture": "simulated"}
                ),
                "kiosk": settings.kiosk.model_copy(
                    update={"staff_pin_hash": hash_password(DEMO_PIN)}
                ),
                "transfers": settings.transfers.model_copy(update={"routes": DEMO_ROUTES}),
                # overdue 容缺 promises stay for the clerk to handle (按逾期处理) in the demo
                "supplements": settings.supplements.model_copy(update={"lapse": "by_hand"}),
            }
        )
        # the demo's cases are opened and decided on past working days (its reports show days)
        clock = SeedClock(
            WorkCalendar(settings.calendar.holidays, settings.calendar.workdays), utcnow()
        )
        core = build_core(settings, clock=clock)
        try:
            admin = Actor("演示初始化", settings.terminal.name)
            if channel == "counter":
                accounts = Accounts(core.db)
                accounts.add(DEMO_USER, "张敏", DEMO_PASSWORD, by=admin)
                for username, name, role in DEMO_STAFF:
                    accounts.add(username, name, DEMO_PASSWORD, role=role, by=admin)
            if cases:
                from app.cases.demo import seed_cases
                from app.transfers.demo import seed_back_office

                seed_cases(core.cases, core.catalog, cases, clock=clock)
                seed_back_office(core.cases, core.transfers, core.complaints, clock=clock)
                seed_commitments(core.cases, core.catalog, clock)
                seed_assistance(core.cases, core.catalog, clock, sessions=KioskSessions(core.db))
                seed_verifications(core.cases, core.catalog, clock)
                seed_unresolved(
                    Unresolved(core.db, hall_code=settings.hall.code, clock=clock), clock
                )
        finally:
            core.close()
        yield Demo(settings, folder)
