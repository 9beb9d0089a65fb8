"""Sync in the background: the sender, the receiver, the catalog check and the audit anchors in
worker threads, for the app (never on the GUI thread) and for ``onestop sync run`` on the machine
that sends for a hall. ``status`` is what ``onestop sync status`` and the app's online indicator
show. Stopping sends the audit chain's head once more (:meth:`SyncWorker.stop`). Once a day it
also clears what the hall's retention period no longer allows it to keep
(:meth:`SyncWorker.run_retention`): on its own thread, so a failure there never holds up
sending."""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import Any

from app.bootstrap import Core
from app.cases.audit import SYSTEM, Actor
from app.cases.receipts import hall_day
from app.cases.retention import Retention, RetentionRun
from app.cases.supplements import Lapsed, Supplements, lapse_overdue
from app.catalog.versions import CatalogStore
from app.db.base import utcnow
from app.errors import OneStopError, SettingsError, StopWriting
from sync import state
from sync.anchors import AnchorSender
from sync.catalogs import Pulled, pull
from sync.client import AuthFailed, HttpPlatform, Platform, PlatformError
from sync.receiver import Receiver
from sync.sender import PROBE_S, Asked, Sender
from sync.state import SyncState

log = logging.getLogger(__name__)
RETENTION = "retention"  # sync_state: the hall day retention last ran
LAPSES = "lapses"  # sync_state: the hall day missed 容缺 deadlines were last handled
RETENTION_CHECK_S = 3600.0


def platform_of(core: Core) -> HttpPlatform:
    settings = core.settings.platform
    if not settings.url or not settings.token:
        raise SettingsError(
            "没有配置省级平台的地址或本终端的凭证，无法同步；办件会留在本机队列中。",
            hint="请在 settings.toml 的 [platform] 中填写 url 和 token。",
        )
    return HttpPlatform(settings.url, settings.token, timeout_s=settings.timeout_s)


class SyncWorker:
    def __init__(self, core: Core, platform: Platform) -> None:
        self.core = core
        self.platform = platform
        self.notes = SyncState(core.db)
        settings = core.settings.platform
        self.sender = Sender(
            core.outbox,
            platform,
            core.files,
            self.notes,
            name=core.settings.terminal.name,
            batch=settings.batch,
        )
        self.receiver = Receiver(core.cases, platform, self.notes)
        self.catalogs = CatalogStore(core.settings.catalogs_dir)
        self.anchors = AnchorSender(
            core.anchors, platform, self.notes, terminal=core.settings.terminal.name
        )
        self.retention = Retention(core.db, core.files, keep_days=core.settings.retention.keep_days)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def run_retention(self, *, now: datetime | None = None) -> RetentionRun | None:
        """Purge the cases whose retention period is up, once per hall day (the day is noted in
        ``sync_state``, tried or not); None when it already ran today or failed — a failure is
        logged, never raised: sending goes on."""
        now = now or utcnow()
        today = hall_day(now).isoformat()
        try:
            with self.core.db.connect() as connection:
                if (state.get(connection, RETENTION) or {}).get("day") == today:
                    return None
                state.put(connection, RETENTION, {"day": today, "at": now.isoformat()}, at=now)
            done = self.retention.run(Actor(SYSTEM, self.core.settings.terminal.name), now=now)
        except Exception:
            log.exception("retention run failed; tried again tomorrow")
            return None
        if done.failed:
            log.warning("retention: %d cases not purged, tried again tomorrow", len(done.failed))
        return done

    def run_lapses(self, *, now: datetime | None = None) -> Lapsed | None:
        """The catalog's outcome for the 容缺 promises whose date has passed, once per hall day
        when ``[supplements] lapse = "daily"``; None when not due or failed (logged, not
        raised)."""
        if self.core.settings.supplements.lapse != "daily":
            return None
        now = now or utcnow()
        today = hall_day(now).isoformat()
        try:
            with self.core.db.connect() as connection:
                if (state.get(connection, LAPSES) or {}).get("day") == today:
                    return None
                state.put(connection, LAPSES, {"day": today, "at": now.isoformat()}, at=now)
            rows = Supplements(self.core.db, self.core.catalog, clock=lambda: now).open()
            actor = Actor(SYSTEM, self.core.settings.terminal.name)
            done = lapse_overdue(rows, self.core.cases.lapse, actor)
        except Exception:
            log.exception("lapse run failed; tried again tomorrow")
            return None
        for receipt_no, why in done.failed:
            log.warning("lapse of %s not done: %s", receipt_no, why)
        return done

    def pull_catalog(self) -> Pulled | None:
        """A newer published catalog, installed for the next cases; errors are noted, not raised
        (the terminal goes on with the catalog it has)."""
        try:
            pulled = pull(self.platform, self.catalogs)
        except (PlatformError, OneStopError) as exc:
            self.notes.error(f"目录更新失败：{exc}")
            return None
        if pulled is not None and pulled.changed:
            current, _ = self.catalogs.catalogs()
            if current is not None:
                self.core.cases.use_catalog(current)
                self.core.catalog = current
        return pulled

    def run_once(self, *, rounds: int = 1000) -> dict[str, Any]:
        """Send what is due, fetch what came back, check the catalog; then return. Like a
        sender starting, it first asks whether the platform answers (nothing more if not) and
        then sends what waits without waiting out its backoff (for a platform in maintenance:
        only what is due, like a message a person sent again). ``error`` is the last failure
        of the platform or the way to it (empty when all went well)."""
        sent: dict[str, Any] = {
            "delivered": 0,
            "retrying": 0,
            "rejected": 0,
            "events": 0,
            "error": "",
            "auth_failed": False,
        }
        away = self.sender.recover()  # a start: what waits goes now if the platform answers
        if away is not None and not isinstance(away, Asked):
            sent["error"] = str(away)
            return sent
        self._send_all(sent, rounds)
        for _ in range(rounds):
            try:
                got = self.receiver.receive_once()
            except PlatformError as exc:
                self.notes.error(str(exc))
                sent["error"] = str(exc)
                sent["auth_failed"] |= isinstance(exc, AuthFailed)
                break
            sent["events"] += got
            if got < self.receiver.page:
                break
        if sent["events"]:
            self._send_all(sent, rounds)  # what the decisions caused (dispatch of serial items)
        self.pull_catalog()
        self.run_retention()
        self.run_lapses()
        return sent

    def _send_all(self, sent: dict[str, Any], rounds: int) -> None:
        for _ in range(rounds):
            done = self.sender.send_once()
            sent["delivered"] += done.delivered
            sent["retrying"] += done.retrying
            sent["rejected"] += done.rejected
            if done.error:
                sent["error"] = done.error
                sent["auth_failed"] |= done.auth_failed
            if done.claimed == 0 or done.error:
                return

    def start(self) -> None:
        poll = self.core.settings.platform.poll_s
        self._threads = [
            threading.Thread(
                target=self.sender.run,
                args=(self._stop,),
                kwargs={"idle_s": min(poll, 1.0), "probe_s": min(poll, PROBE_S)},
                name="sync-sender",
                daemon=True,
            ),
            threading.Thread(
                target=self.receiver.run,
                args=(self._stop,),
                # Decisions come back as soon after an outage as the messages go.
                kwargs={"idle_s": poll, "max_pause_s": max(poll, PROBE_S)},
                name="sync-receiver",
                daemon=True,
            ),
            threading.Thread(target=self._catalog_loop, name="sync-catalog", daemon=True),
            self._anchor_thread(),
            threading.Thread(target=self._retention_loop, name="sync-retention", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    @property
    def stopped(self) -> StopWriting | None:
        """Why sync stopped by itself: this program may no longer write (the hall's database was
        upgraded past it, or another terminal took its SQLite database over)."""
        return self.sender.stopped or self.receiver.stopped

    def stop(self, timeout_s: float = 15.0) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout_s)
        self._final_anchor()

    def _anchor_thread(self) -> threading.Thread:
        return threading.Thread(
            target=self.anchors.run,
            args=(self._stop,),
            kwargs={"idle_s": min(self.core.settings.platform.poll_s, 5.0)},
            name="sync-audit-anchors",
            daemon=True,
        )

    def _final_anchor(self) -> None:
        """The audit chain's head as sync stops, sent once; errors are noted, not raised (what
        is not acknowledged now is sent at the next start)."""
        try:
            self.anchors.final()
        except OneStopError as exc:
            log.warning("final audit anchor not made: %s", exc)

    def _retention_loop(self) -> None:
        while True:
            self.run_retention()
            self.run_lapses()
            if self._stop.wait(RETENTION_CHECK_S):
                return

    def _catalog_loop(self) -> None:
        every = self.core.settings.platform.catalog_check_s
        while not self._stop.wait(every):
            self.pull_catalog()


def status(core: Core, *, now: datetime | None = None, waiting: int = 20) -> dict[str, Any]:
    """Counts per message state, the oldest unsent message's age, the next try of each message
    waiting after a failure (the ``waiting`` soonest), last contact, the last error while it is
    the last word (an error followed by a contact is history), the catalog in use and the event
    cursor."""
    now = now or utcnow()
    notes = SyncState(core.db).read()
    oldest = core.outbox.oldest_unsent()
    contact = notes.get(state.CONTACT) or {}
    error = (notes.get(state.ERROR) or {}) if state.offline(notes) else {}
    retry_at = state.retry_at(notes)
    return {
        "messages": core.outbox.counts(),
        "oldest_unsent_age_s": round((now - oldest).total_seconds(), 1) if oldest else None,
        "waiting": [
            {
                "id": m.id,
                "receipt_no": m.receipt_no,
                "kind": m.kind,
                "attempts": m.attempts,
                "next_attempt_at": m.next_attempt_at.isoformat(),
                "next_attempt_in_s": max(0.0, round((m.next_attempt_at - now).total_seconds(), 1)),
                "last_error": m.last_error,
            }
            for m in core.outbox.waiting(waiting)
        ],
        "last_contact": contact.get("at"),
        "last_error": error.get("message"),
        "last_error_at": error.get("at"),
        "platform_asks_retry_at": retry_at.isoformat() if retry_at else None,
        "online": bool(contact.get("at")) and not state.offline(notes),
        "catalog_version": core.catalog.version,
        "event_cursor": (notes.get(state.CURSOR) or {}).get("after", 0),
        "platform": core.settings.platform.url or None,
        "audit_anchors": core.anchors.summary(),
    }
