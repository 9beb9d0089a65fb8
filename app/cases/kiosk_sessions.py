"""Kiosk sessions counted (GB/T 45836 §8.1 d: what was done for older people): one row per
citizen's use of a kiosk — when, whether in 长辈模式 at any moment, whether it ended in a
pre-application — and nothing about who. The kiosk writes one when a session is wiped; the
assistance report counts them (:mod:`app.reports.assistance`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert

from app.db.engine import Database
from app.db.models import KioskSessionRow

_ADD = insert(KioskSessionRow)


class KioskSessions:
    def __init__(self, db: Database) -> None:
        self.db = db

    def record(
        self,
        terminal: str,
        started_at: datetime,
        ended_at: datetime,
        *,
        elderly: bool,
        submitted: bool,
    ) -> None:
        with self.db.transaction() as session:
            session.execute(
                _ADD,
                {
                    "terminal": terminal,
                    "started_at": started_at,
                    "ended_at": max(ended_at, started_at),
                    "elderly": elderly,
                    "submitted": submitted,
                },
            )
