"""Sending the audit chain's anchors (:mod:`app.cases.anchors`) to the platform: the sync worker
makes one when it is due and sends what is pending, at intervals and once more when it stops.

Each anchor is settled on its own: acknowledged (``recorded`` or ``duplicate``), retried later
with a growing wait when the platform cannot be reached (or does not take this terminal's
credential, which is no fault of the anchor), or refused for good with the platform's reason —
a refusal means the platform holds another hash for that entry, which a person must look into.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from app.cases.anchors import Anchor, AuditAnchors
from app.db.base import utcnow
from sync import contract
from sync.client import AuthFailed, Platform, PlatformError
from sync.state import SyncState

log = logging.getLogger(__name__)


@dataclass
class AnchorRound:
    """What one round did."""

    made: list[Anchor] = field(default_factory=list)  # one per chain whose anchor was due
    acknowledged: int = 0
    retrying: int = 0
    refused: int = 0
    error: str = ""


def wire(anchor: Anchor) -> contract.AuditAnchor:
    return contract.AuditAnchor(
        chain=anchor.chain_id,
        entry_id=anchor.entry_id,
        entry_hash=anchor.entry_hash,
        key_id=anchor.key_id,
        at=anchor.entry_at,
    )


class AnchorSender:
    def __init__(
        self,
        anchors: AuditAnchors,
        platform: Platform,
        state: SyncState,
        *,
        terminal: str,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.anchors = anchors
        self.platform = platform
        self.state = state
        self.terminal = terminal
        self.clock = clock

    def send_once(self, *, reason: str | None = None) -> AnchorRound:
        """Make an anchor of each chain where one is due (always, with ``reason``, where the
        head moved), then send the pending ones whose time has come."""
        done = AnchorRound(made=self.anchors.make(self.terminal, reason=reason, now=self.clock()))
        for anchor in self.anchors.due(now=self.clock()):
            try:
                self.platform.anchor(wire(anchor))
            except PlatformError as exc:
                if exc.transient or isinstance(exc, AuthFailed):
                    self.anchors.failed(
                        anchor.id, str(exc), retry_after_s=exc.retry_after_s, now=self.clock()
                    )
                    done.retrying += 1
                    done.error = str(exc)
                    break  # the rest wait for the next round: the platform is not answering
                self.anchors.refused(anchor.id, str(exc), terminal=self.terminal)
                done.refused += 1
            else:
                self.anchors.acknowledged(anchor.id, at=self.clock())
                done.acknowledged += 1
        if done.error:
            self.state.error(f"审计锚点未能送达：{done.error}", at=self.clock())
        return done

    def final(self) -> AnchorRound:
        """When sync stops: the head as it is now, sent once (what is not acknowledged is sent
        at the next start)."""
        return self.send_once(reason="shutdown")

    def run(self, stop: threading.Event, *, idle_s: float = 2.0) -> None:
        """A round now and every ``idle_s`` until ``stop`` is set."""
        while not stop.is_set():
            try:
                self.send_once()
            except Exception:  # a database or programming error: log, go on
                log.exception("audit anchor round failed")
            stop.wait(idle_s)
