"""The receiver: the platform's event feed applied to local cases (GB/T 45836 §6.4.2 a) 3)).

It polls with the cursor it keeps in ``sync_state`` and applies each page in short transactions of
a few events each, every one with the cursor after its last event, so a crash between the two
cannot lose or repeat an event; applying an event twice changes nothing anyway (decisions are
compared, numbers set once). Short, so that no transaction of the receiver holds the rows it
writes — its audit chain's head, the cases it decides — for long while the counters work.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.orm import Session

from app.cases.audit import Actor
from app.cases.service import CaseService
from app.db.base import utcnow
from app.errors import StopWriting
from sync import state
from sync.client import Platform, PlatformError
from sync.state import SyncState

log = logging.getLogger(__name__)
PLATFORM = Actor("platform", "provincial-platform")
BATCH = 50  # events a transaction: ~30 ms of case locks at most; 10 halved the rate (fsyncs)


class Receiver:
    def __init__(
        self,
        service: CaseService,
        platform: Platform,
        notes: SyncState,
        *,
        page: int = 200,
        batch: int = BATCH,
    ) -> None:
        self.service = service
        self.platform = platform
        self.notes = notes
        self.page = page
        self.batch = batch
        self.stopped: StopWriting | None = None  # why :meth:`run` stopped for good

    def cursor(self) -> int:
        with self.service.db.read() as session:
            value = state.get(session.connection(), state.CURSOR)
        return int(value["after"]) if value else 0

    def receive_once(self) -> int:
        """Fetch and apply one page, a few events a transaction; returns how many events it
        held."""
        page = self.platform.events(self.cursor(), self.page)
        if not page.events:
            self.notes.contact()
            return 0
        for start in range(0, len(page.events), self.batch):
            events = page.events[start : start + self.batch]
            done = start + self.batch >= len(page.events)
            cursor = page.last_id if done else events[-1].id
            self.service.apply_platform_events(PLATFORM, events, after=_advance(cursor))
        return len(page.events)

    def run(
        self,
        stop: threading.Event,
        *,
        idle_s: float = 2.0,
        first_pause_s: float = 0.1,
        max_pause_s: float = 60.0,
    ) -> None:
        """Poll until ``stop`` is set, pausing longer while polls keep failing (``max_pause_s``
        at most, or as long as the platform asks)."""
        pause = 0.0
        while not stop.is_set():
            try:
                got = self.receive_once()
            except PlatformError as exc:
                now = utcnow()
                asked = now + timedelta(seconds=exc.retry_after_s) if exc.retry_after_s else None
                self.notes.error(str(exc), at=now, retry_at=asked)
                pause = min(max_pause_s, max(first_pause_s, pause * 2))
                stop.wait(max(pause * random.uniform(0.5, 1.0), exc.retry_after_s))
                continue
            except StopWriting as exc:  # superseded: trying again cannot help, stop sync
                log.error("receiver stopped: %s", exc)
                self.stopped = exc
                stop.set()
                return
            except Exception:
                log.exception("receiver round failed")
                stop.wait(idle_s)
                continue
            pause = 0.0
            if got < self.page:
                stop.wait(idle_s)


def _advance(cursor: int) -> Callable[[Session], None]:
    """Stores the feed's cursor (and the platform's contact) in the events' transaction."""

    def advance(session: Session) -> None:
        now = utcnow()
        state.put(session.connection(), state.CURSOR, {"after": cursor}, at=now)
        state.put(session.connection(), state.CONTACT, {"at": now.isoformat()}, at=now)

    return advance
