"""A migrated database (SQLite and PostgreSQL), a hand-moved clock and a case service on them;
the cases themselves come from :mod:`tests.helpers.cases`."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cases.service import CaseService
from app.catalog.catalog import Catalog
from app.db.engine import Database
from tests.helpers.cases import make_service
from tests.helpers.clock import MONDAY, WallClock


@pytest.fixture
def clock() -> WallClock:
    return WallClock(MONDAY)


@pytest.fixture
def service(db: Database, catalog: Catalog, tmp_path: Path, clock: WallClock) -> CaseService:
    return make_service(db, catalog, tmp_path, clock)
