"""The sender: delivers due outbox messages to the platform, in order per case, exactly once as
the platform sees it (GB/T 45836 §6.4).

A round claims a batch (at most one message per case), uploads the files the messages name
(resuming what the platform already has), sends the rest in one request and settles every outcome
in one transaction: applied or duplicate → delivered; out of order or any network trouble → retry
later with capped, jittered backoff; a permanent refusal → needs attention with the platform's
reason. A sender that dies mid-round leaves its messages to be claimed again after the lease; the
platform's idempotency keys make the resend harmless.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection

from app.cases.files import FileStore
from app.cases.outbox import Message, Outbox, Outcome
from app.db.base import utcnow
from sync import state
from sync.client import AuthFailed, Platform, PlatformError, Refused
from sync.contract import Attachment, Envelope
from sync.state import SyncState
from sync.wire import NotSendable, attachment_of, envelope

log = logging.getLogger(__name__)
OUT_OF_ORDER_RETRY_S = 2.0


@dataclass
class Round:
    """What one round did."""

    claimed: int = 0
    delivered: int = 0
    retrying: int = 0
    rejected: int = 0
    error: str = ""  # the whole batch failed: network, platform down, credential
    auth_failed: bool = False
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

    def send_once(self) -> Round:
        messages = self.outbox.claim(self.name, self.batch, now=self.clock())
        done = Round(claimed=len(messages))
        if not messages:
            return done
        outcomes: list[Outcome] = []
        previous = self.outbox.previous_sent(messages)
        announced = self._announced(messages)
        ready: list[tuple[Message, Envelope]] = []
        for message in messages:
            try:
                wire = envelope(
                    message,
                    attachments=announced.get(message.receipt_no, ()),
                    prev_seq=previous[message.id],
                )
                if message.file_sha256:
                    self._upload(message)
            except NotSendable as exc:
                outcomes.append(Outcome(message.id, "rejected", str(exc)))
            except PlatformError as exc:
                outcomes.append(
                    Outcome(
                        message.id,
                        "failed" if exc.transient else "rejected",
                        str(exc),
                        exc.retry_after_s,
                    )
                )
                done.auth_failed |= isinstance(exc, AuthFailed)
            else:
                ready.append((message, wire))
        if ready:
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
        path = self.files.path(sha)
        if not path.exists():
            raise NotSendable(
                f"本地找不到材料文件 {message.payload.get('file_name', sha)}，无法上传。"
            )
        self.platform.upload(sha, path, str(message.payload.get("mime", "application/pdf")))

    def _send(self, ready: list[tuple[Message, Envelope]], done: Round) -> list[Outcome]:
        try:
            results = self.platform.send([wire for _, wire in ready])
        except Refused as exc:
            if len(ready) > 1:  # the platform refused the request: find the message it minds
                return [o for one in ready for o in self._send([one], done)]
            ((message, _),) = ready
            return [Outcome(message.id, "rejected", str(exc))]
        except PlatformError as exc:
            done.error = str(exc)
            done.auth_failed |= isinstance(exc, AuthFailed)
            # Not the messages' fault, so a credential problem is retried too, not parked.
            return [Outcome(m.id, "failed", str(exc), exc.retry_after_s) for m, _ in ready]
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
                state.note_error(connection, done.error, now)
            elif done.delivered or done.rejected:
                state.note_contact(connection, now)

        self.outbox.settle(
            self.name, outcomes, now=now, platform_numbers=done.platform_numbers, after=notes
        )

    def run(
        self,
        stop: threading.Event,
        *,
        idle_s: float = 1.0,
        first_pause_s: float = 0.1,
        max_pause_s: float = 60.0,
    ) -> None:
        """Send until ``stop`` is set: at once while there is work, every ``idle_s`` when there
        is none. A failed round pauses ``first_pause_s``, doubling (with jitter) while rounds
        keep failing, so a flaky platform is retried soon and a dead one is not hammered; the
        failed messages themselves wait their own backoff in the outbox."""
        pause = 0.0
        while not stop.is_set():
            try:
                done = self.send_once()
            except Exception as exc:  # a database or programming error: log, pause, go on
                log.exception("sender round failed")
                done = Round(error=str(exc))
            if done.error:
                pause = min(max_pause_s, max(first_pause_s, pause * 2))
                stop.wait(pause * random.uniform(0.5, 1.0))
            else:
                pause = 0.0
                if done.claimed < self.batch:
                    stop.wait(idle_s)
