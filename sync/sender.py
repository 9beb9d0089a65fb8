"""The sender: delivers due outbox messages to the platform, in order per case, exactly once as
the platform sees it (GB/T 45836 §6.4).

A round claims a batch (at most one message per case), uploads the files the messages name
(resuming what the platform already has), sends the rest in one request and settles every outcome
in one transaction: applied or duplicate → delivered; out of order or any network trouble → retry
later with capped, jittered backoff; a permanent refusal → needs attention with the platform's
reason. A sender that dies mid-round leaves its messages to be claimed again after the lease; the
platform's idempotency keys make the resend harmless.

Backoff keeps a failing message from being hammered, but after an outage it would keep the hall's
messages waiting long after the platform is back (up to the outbox's cap, half an hour). So while
the platform is away the sender sends nothing and asks its ``/health`` every few seconds; when it
answers again, the waiting messages become due at once, in the database, for every sender of the
hall. A platform in maintenance that said when to come back (``Retry-After``) is not called
before then, by the probe either.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection

from app.cases.files import FileStore
from app.cases.outbox import Message, Outbox, Outcome
from app.cases.receipts import hall_time
from app.db.base import utcnow
from app.errors import StopWriting
from sync import state
from sync.client import AuthFailed, Platform, PlatformError, Refused
from sync.contract import Attachment, EncodedEnvelope
from sync.state import SyncState
from sync.wire import NotSendable, attachment_of, encoded

log = logging.getLogger(__name__)
OUT_OF_ORDER_RETRY_S = 2.0
# While the platform is away, ask its /health this often (jittered down to half): the hall's
# messages reach it within seconds of its return, whatever the outbox's backoff has grown to.
PROBE_S = 3.0
MAX_PAUSE_S = 60.0  # between rounds that fail on this side (the database), not the platform's


class Asked(PlatformError):
    """The platform's last answer asked not to be called before ``until`` (maintenance)."""

    def __init__(self, until: datetime, now: datetime) -> None:
        super().__init__(
            f"平台正在维护，要求 {hall_time(until, '%H:%M:%S')} 之后再联系；届时自动发送。",
            retry_after_s=(until - now).total_seconds(),
        )
        self.until = until


@dataclass
class Round:
    """What one round did."""

    claimed: int = 0
    delivered: int = 0
    retrying: int = 0
    rejected: int = 0
    error: str = ""  # the whole batch failed: network, platform down, credential
    auth_failed: bool = False
    retry_after_s: float = 0.0  # the platform asked not to be called again before this
    platform_numbers: dict[str, str] = field(default_factory=dict)


class Sender:
    def __init__(
        self,
        outbox: Outbox,
        platform: Platform,
        files: FileStore,
        state: SyncState,
        *,
        name: str,
        batch: int = 100,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.outbox = outbox
        self.platform = platform
        self.files = files
        self.state = state
        self.name = name
        self.batch = batch
        self.clock = clock
        # Whether the next answer of /health ends an outage: a probe failed since the last
        # release, or this sender has not probed yet (it may start after an outage it missed).
        self._outage = True
        self.stopped: StopWriting | None = None  # why :meth:`run` stopped for good

    def send_once(self) -> Round:
        messages = self.outbox.claim(self.name, self.batch, now=self.clock())
        done = Round(claimed=len(messages))
        if not messages:
            return done
        outcomes: list[Outcome] = []
        previous = self.outbox.previous_sent(messages)
        announced = self._announced(messages)
        ready: list[tuple[Message, EncodedEnvelope]] = []
        away: PlatformError | None = None  # an upload found the platform away: the rest wait
        for message in messages:
            try:
                wire = encoded(
                    message,
                    attachments=announced.get(message.receipt_no, ()),
                    prev_seq=previous[message.id],
                )
                if message.file_sha256 and away is None:
                    self._upload(message)
            except NotSendable as exc:
                outcomes.append(Outcome(message.id, "rejected", str(exc)))
            except PlatformError as exc:
                if exc.transient or isinstance(exc, AuthFailed):
                    away = exc
                    outcomes.append(Outcome(message.id, "failed", str(exc), exc.retry_after_s))
                else:  # the platform refuses this file
                    outcomes.append(Outcome(message.id, "rejected", str(exc)))
            else:
                ready.append((message, wire))
        if away is not None:
            outcomes += self._failed(ready, away, done)
        elif ready:
            outcomes += self._send(ready, done)
        self._settle(outcomes, done)
        return done

    def _announced(self, messages: Sequence[Message]) -> dict[str, list[Attachment]]:
        """For each case whose submission (or update) is in the batch, the scans queued for it
        and not cancelled: the platform then knows which files are still to come, and a window
        does not pick the pre-application up half-way (the messages go one per case a round)."""
        announcing = [m for m in messages if m.kind in ("submission", "update")]
        return {
            receipt_no: [a for m in scans if (a := attachment_of(m))]
            for receipt_no, scans in self.outbox.queued_scans(announcing).items()
        }

    def _upload(self, message: Message) -> None:
        sha = message.file_sha256 or ""
        if not self.files.has(sha):
            raise NotSendable(
                f"本地找不到材料文件 {message.payload.get('file_name', sha)}，无法上传。"
            )
        data = self.files.read(sha)  # opened from the sealed store, in memory only
        self.platform.upload(sha, data, str(message.payload.get("mime", "application/pdf")))

    def _send(self, ready: list[tuple[Message, EncodedEnvelope]], done: Round) -> list[Outcome]:
        try:
            results = self.platform.send([wire for _, wire in ready])
        except Refused as exc:
            if len(ready) > 1:  # the platform refused the request: find the message it minds
                return [o for one in ready for o in self._send([one], done)]
            ((message, _),) = ready
            return [Outcome(message.id, "rejected", str(exc))]
        except PlatformError as exc:
            return self._failed(ready, exc, done)
        outcomes = []
        for (message, _), result in zip(ready, results, strict=True):
            if result.platform_no:
                done.platform_numbers[message.receipt_no] = result.platform_no
            if result.outcome in ("applied", "duplicate"):
                outcomes.append(Outcome(message.id, "delivered"))
            elif result.outcome == "out_of_order":
                outcomes.append(Outcome(message.id, "failed", result.reason, OUT_OF_ORDER_RETRY_S))
            else:
                outcomes.append(
                    Outcome(message.id, "rejected", result.reason or "平台拒收，未说明原因。")
                )
        return outcomes

    @staticmethod
    def _failed(
        ready: list[tuple[Message, EncodedEnvelope]], exc: PlatformError, done: Round
    ) -> list[Outcome]:
        """The platform or the way to it failed the round: not the messages' fault, so they are
        retried (a credential problem too, not parked)."""
        done.error = str(exc)
        done.auth_failed |= isinstance(exc, AuthFailed)
        done.retry_after_s = max(done.retry_after_s, exc.retry_after_s)
        return [Outcome(m.id, "failed", str(exc), exc.retry_after_s) for m, _ in ready]

    def _settle(self, outcomes: list[Outcome], done: Round) -> None:
        for outcome in outcomes:
            if outcome.result == "delivered":
                done.delivered += 1
            elif outcome.result == "failed":
                done.retrying += 1
            else:
                done.rejected += 1
        now = self.clock()

        def notes(connection: Connection) -> None:  # in the same commit as the outcomes
            if done.error:
                retry_at = now + timedelta(seconds=done.retry_after_s)
                state.note_error(connection, done.error, now, retry_at=retry_at)
            elif done.delivered or done.rejected:
                state.note_contact(connection, now)

        self.outbox.settle(
            self.name, outcomes, now=now, platform_numbers=done.platform_numbers, after=notes
        )

    def recover(self) -> PlatformError | None:
        """Ask the platform's ``/health`` whether it answers (None: it does, send). If it does
        after an outage — a probe failed since the last release, the platform's last answer
        was a maintenance one, or this sender has just started — the messages waiting out their
        backoff become due now, for every sender of the hall. Before the time a platform in
        maintenance asked for (``Retry-After``), it asks nothing and answers :class:`Asked`."""
        now = self.clock()
        asked = state.retry_at(self.state.read())
        if asked is not None and asked > now:
            return Asked(asked, now)
        try:
            self.platform.health()
        except PlatformError as exc:
            self._outage = True
            later = now + timedelta(seconds=exc.retry_after_s) if exc.retry_after_s else None
            self.state.error(str(exc), at=now, retry_at=later)
            return exc
        if self._outage or asked is not None:
            released = self.outbox.release(now)
            if released:
                log.info("the platform answers again: %d waiting messages due now", released)
        self._outage = False
        return None

    def run(
        self,
        stop: threading.Event,
        *,
        idle_s: float = 1.0,
        probe_s: float = PROBE_S,
        first_pause_s: float = 0.1,
    ) -> None:
        """Send until ``stop`` is set: at once while there is work, every ``idle_s`` when there
        is none. A failed round is followed by a pause — ``first_pause_s``, doubling (with
        jitter) while rounds keep failing, at most ``probe_s`` — and a probe (:meth:`recover`);
        while the platform does not answer, nothing is sent and it is asked again every
        ``probe_s`` (jittered), so a dead platform gets one small request every few seconds and
        the hall's messages go within seconds of its return. A platform in maintenance is
        probed (and the waiting messages released) once the time it gave has come. The probe's
        interval is its own: the outbox's backoff cap (half an hour) has no say in it. A round
        that fails on this side (the database) is logged and the pause doubles up to
        :data:`MAX_PAUSE_S`."""
        pause = trouble = 0.0
        probing = True  # a sender starting after an outage gives the waiting messages a try
        while not stop.is_set():
            if probing:
                try:
                    away = self.recover()
                except Exception:  # the database: log, ask again later
                    log.exception("sender probe failed")
                    away = PlatformError("")
                if away is None:
                    probing = False
                elif not isinstance(away, Asked):  # away: send nothing, ask again soon
                    stop.wait(probe_s * random.uniform(0.5, 1.0))
                    continue
                # Asked to wait: the waiting messages stay until then (the probe too); what is
                # due now goes, once each — a new case's, one a person sent again.
            try:
                done = self.send_once()
            except StopWriting as exc:  # superseded: trying again cannot help, stop sync
                log.error("sender stopped: %s", exc)
                self.stopped = exc
                stop.set()
                return
            except Exception:  # a database or programming error: log, pause (longer), go on
                log.exception("sender round failed")
                trouble = min(MAX_PAUSE_S, max(first_pause_s, trouble * 2))
                stop.wait(trouble * random.uniform(0.5, 1.0))
                continue
            trouble = 0.0
            if done.error:
                pause = min(probe_s, max(first_pause_s, pause * 2))
                stop.wait(pause * random.uniform(0.5, 1.0))
                probing = True
            else:
                pause = 0.0
                if done.claimed < self.batch:
                    stop.wait(idle_s)
