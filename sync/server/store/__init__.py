"""The reference platform's durable storage: what it has been told, in order, exactly once.

:class:`PlatformStore` is the platform's side of the contract (``sync/openapi.json``), one method
per thing a terminal or the operator asks of it. Whatever a hall sends or gets back — cases,
messages and their idempotency keys, files, events — is kept under the hall's code, and every
method a terminal reaches takes the hall it asks for: nothing of another hall is found, changed
or counted. Each part lives in its own module:

- ``schema``: the tables, and the folder holding the database and the uploaded files;
  ``upgrade`` brings an older folder up to date;
- ``terminals``: the terminals, their halls and tokens;
- ``messages``: receiving messages — idempotency, order within a case, whose hall it is;
  ``handlers``: what each kind of message changes in a case;
- ``cases``: a case and its items, and the pre-application a window picks up;
- ``events``: what the platform sends back — decisions, completions, the event feed;
- ``anchors``: the heads of each audit trail of a hall, kept to check the trails against;
- ``files``, ``catalogs``, ``persons`` (shared data and e-licences), ``counters`` (``/stats``);
- ``errors``: what the platform refuses.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sync import contract
from sync.contract import Envelope, MessageResult
from sync.server.store import (
    anchors,
    cases,
    catalogs,
    counters,
    events,
    files,
    messages,
    persons,
    terminals,
)
from sync.server.store.errors import AuthError, NotPreApplication, OffsetMismatch, Rejected
from sync.server.store.schema import Storage
from sync.server.store.terminals import Terminal

__all__ = [
    "AuthError",
    "NotPreApplication",
    "OffsetMismatch",
    "PlatformStore",
    "Rejected",
    "Terminal",
]


class PlatformStore:
    """The platform's storage in one folder. ``decide_after`` (how long departments take) and
    ``reject_receipts`` (cases refused for testing) may be changed while it runs."""

    def __init__(self, folder: Path, *, decide_after: timedelta = timedelta(seconds=2)) -> None:
        self.folder = folder
        self.storage = Storage(folder)
        self.files_dir = self.storage.files_dir
        self.engine = self.storage.engine
        self.decide_after = decide_after
        self.reject_receipts: set[str] = set()

    def close(self) -> None:
        self.storage.close()

    # -- terminals --------------------------------------------------------------------------------
    def add_terminal(self, terminal_id: str, hall_code: str, *, role: str = "terminal") -> str:
        return terminals.add_terminal(self.storage, terminal_id, hall_code, role)

    def disable_terminal(self, terminal_id: str) -> None:
        terminals.disable_terminal(self.storage, terminal_id)

    def authenticate(self, authorization: str | None) -> Terminal:
        return terminals.authenticate(self.storage, authorization)

    # -- messages ---------------------------------------------------------------------------------
    def apply(self, terminal: Terminal, batch: Sequence[Envelope]) -> list[MessageResult]:
        return messages.apply(
            self.storage,
            terminal,
            batch,
            decide_after=self.decide_after,
            reject_receipts=self.reject_receipts,
        )

    # -- departments and the event feed -----------------------------------------------------------
    def decide_due(self, now: datetime | None = None, *, limit: int = 500) -> int:
        return events.decide_due(self.storage, now, limit=limit, decide_after=self.decide_after)

    def events_after(self, hall_code: str, after: int, limit: int) -> contract.EventPage:
        return events.events_after(self.storage, hall_code, after, limit)

    # -- pre-applications picked up at a window --------------------------------------------------
    def pre_application(self, hall_code: str, receipt_no: str) -> contract.PreApplication:
        return cases.pre_application(self.storage, hall_code, receipt_no)

    def case_file(self, hall_code: str, sha256: str) -> Path | None:
        return files.case_file(self.storage, hall_code, sha256)

    # -- files, each a hall's own -----------------------------------------------------------------
    def file_path(self, sha256: str) -> Path:
        """Where whole files with these bytes are kept (for the operator and the tests)."""
        return files.file_path(self.storage, sha256)

    def start_file(self, hall_code: str, sha256: str, size: int, mime: str) -> contract.FileStatus:
        return files.start_file(self.storage, hall_code, sha256, size, mime)

    def file_status(self, hall_code: str, sha256: str) -> contract.FileStatus | None:
        return files.file_status(self.storage, hall_code, sha256)

    def append_file(
        self, hall_code: str, sha256: str, offset: int, chunk: bytes
    ) -> contract.FileStatus:
        return files.append_file(self.storage, hall_code, sha256, offset, chunk)

    # -- catalogs ---------------------------------------------------------------------------------
    def publish_catalog(self, bundle: contract.CatalogBundle) -> contract.CatalogInfo:
        return catalogs.publish_catalog(self.storage, bundle)

    def latest_catalog(self) -> contract.CatalogInfo | None:
        return catalogs.latest_catalog(self.storage)

    def catalog(self, version: str) -> contract.CatalogBundle | None:
        return catalogs.catalog(self.storage, version)

    # -- shared data and e-licences ---------------------------------------------------------------
    def seed_person(
        self,
        id_number: str,
        facts: dict[str, Any],
        *,
        source: str,
        licences_: Sequence[tuple[str, str, str, str]] = (),
    ) -> None:
        persons.seed_person(self.storage, id_number, facts, source=source, licences_=licences_)

    def facts(self, id_number: str) -> contract.Facts:
        return persons.facts(self.storage, id_number)

    def licence(self, id_number: str, licence: str) -> contract.LicenceCheck:
        return persons.licence(self.storage, id_number, licence)

    # -- the halls' audit anchors ---------------------------------------------------------------
    def record_anchor(
        self, terminal: Terminal, anchor: contract.AuditAnchor
    ) -> contract.AnchorReceipt:
        return anchors.record_anchor(self.storage, terminal, anchor)

    def latest_anchors(self, hall_code: str) -> list[contract.AnchorRecord]:
        return anchors.latest_anchors(self.storage, hall_code)

    # -- what it holds ----------------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        return counters.stats(self.storage)
