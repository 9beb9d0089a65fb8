"""Work off the GUI thread (STYLE 7): a database write, a print job, a card read or a network call
runs on a worker; its result or error comes back by signal and the callback runs on the GUI thread.

A :class:`Tasks` lane runs one job at a time in the order given, so a screen's presenter is never
touched by two jobs at once (the clerk's "accept" waits for the material record before it).
Workers never touch widgets: ``work`` gets no widget and returns plain data.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from app.errors import OneStopError

log = logging.getLogger(__name__)

T = TypeVar("T")
Failed = Callable[[BaseException], None]


@dataclass
class _Job:
    done: Callable[[Any], None] | None
    failed: Failed | None
    label: str
    started: float


def _log_only(exc: BaseException) -> None:
    if isinstance(exc, OneStopError):  # expected, and its message may name a person
        log.warning("a forgotten job failed: %s", type(exc).__name__)
    else:
        log.warning("a forgotten job failed", exc_info=exc)


class _Relay(QObject):
    finished = Signal(int, object, object)  # job id, result, error


class _Runnable(QRunnable):
    def __init__(self, relay: _Relay, job_id: int, work: Callable[[], Any]) -> None:
        super().__init__()
        self.relay = relay
        self.job_id = job_id
        self.work = work

    def run(self) -> None:
        try:
            result = self.work()
        except BaseException as exc:  # every failure reaches the GUI thread, none is lost
            self.relay.finished.emit(self.job_id, None, exc)
            return
        self.relay.finished.emit(self.job_id, result, None)


class Tasks(QObject):
    """One lane of background work. ``failed`` of a job, or else ``on_error``, gets its error."""

    busy_changed = Signal(bool)
    idle = Signal()

    def __init__(
        self, on_error: Failed, parent: QObject | None = None, *, name: str = "tasks"
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.on_error = on_error
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._relay = _Relay(self)
        self._relay.finished.connect(self._finished)
        self._ids = itertools.count(1)
        self._jobs: dict[int, _Job] = {}

    @property
    def busy(self) -> bool:
        return bool(self._jobs)

    @property
    def running(self) -> list[str]:
        return [job.label for job in self._jobs.values()]

    def run(
        self,
        work: Callable[[], T],
        done: Callable[[T], None] | None = None,
        failed: Failed | None = None,
        *,
        label: str = "",
    ) -> None:
        job_id = next(self._ids)
        was_busy = self.busy
        self._jobs[job_id] = _Job(done, failed, label, time.monotonic())
        self.pool.start(_Runnable(self._relay, job_id, work))
        if not was_busy:
            self.busy_changed.emit(True)

    def _finished(self, job_id: int, result: object, error: object) -> None:
        job = self._jobs.pop(job_id)
        log.debug(
            "%s: %s took %.1f ms",
            self.objectName(),
            job.label,
            (time.monotonic() - job.started) * 1000,
        )
        try:
            if isinstance(error, BaseException):
                (job.failed or self.on_error)(error)
            elif job.done is not None:
                job.done(result)
        finally:
            if not self._jobs:
                self.busy_changed.emit(False)
                self.idle.emit()

    def forget(self) -> None:
        """The jobs under way still finish, but their results reach no screen: the session they
        belonged to has ended (a kiosk's wipe). Their errors are logged."""
        for job in self._jobs.values():
            job.done, job.failed = None, _log_only

    def wait(self, timeout_ms: int = 30_000) -> bool:
        """Block until the workers are done (closing the window, tests); results still arrive
        by signal, on the next turn of the event loop."""
        return self.pool.waitForDone(timeout_ms)
