"""Clocks a test moves by hand, so nothing depends on when or how fast the tests run: the seconds
clock of idle watches, debouncers and watchdogs (``time.monotonic``'s stand-in), and the wall
clock that stamps cases, leases and sign-ins (``utcnow``'s stand-in)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

MONDAY = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # a working Monday, 10:00 in Changsha


class Clock:
    """Seconds, as ``time.monotonic`` gives them; starts at ``start``."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class WallClock:
    """An aware datetime, as ``app.db.base.utcnow`` gives it; starts at ``start``."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)
