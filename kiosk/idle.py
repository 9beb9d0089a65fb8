"""When a kiosk session ends by itself (GB/T 45836 §6.2.2; WCAG 2.2.1): a citizen who walks away
must not leave their data for the next one, and one who is still reading must not lose it.

:class:`IdleWatch` is the rule without Qt. After the screen's idle time a countdown of at least
20 s asks "还需要更多时间吗？"; one touch starts the time again; when the countdown runs out the
session is over. The form and the camera screens get the longer limit, 长辈模式 multiplies both,
and the quiet start screen has no limit at all. The clock is injected, so tests run it out.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from app.settings import KioskSettings


class Phase(Enum):
    QUIET = "quiet"  # the start screen: nothing to wipe, nothing counts
    ACTIVE = "active"
    WARNING = "warning"  # the countdown is on screen
    EXPIRED = "expired"  # wipe now


@dataclass(frozen=True)
class Idle:
    phase: Phase
    seconds_left: float  # until the countdown (ACTIVE) or until the wipe (WARNING)


class IdleWatch:
    def __init__(
        self, settings: KioskSettings, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.long = False
        self.elderly = False
        self.quiet = True
        self._last = clock()

    def touch(self) -> None:
        """The citizen did something: the whole time starts again."""
        self._last = self.clock()

    def begin(self, *, long: bool = False) -> None:
        """A screen of a session is shown (``long``: the form or the camera)."""
        if self.quiet or long != self.long:
            self.touch()
        self.quiet = False
        self.long = long

    def end(self) -> None:
        """Back to the quiet start screen."""
        self.quiet = True
        self.long = False
        self.touch()

    @property
    def limit_s(self) -> float:
        """Seconds of stillness before the countdown starts."""
        base = self.settings.long_idle_s if self.long else self.settings.idle_s
        return base * (self.settings.elderly_factor if self.elderly else 1.0)

    @property
    def countdown_s(self) -> float:
        factor = self.settings.elderly_factor if self.elderly else 1.0
        return self.settings.countdown_s * factor

    def state(self) -> Idle:
        if self.quiet:
            return Idle(Phase.QUIET, 0.0)
        still = self.clock() - self._last
        if still < self.limit_s:
            return Idle(Phase.ACTIVE, self.limit_s - still)
        left = self.limit_s + self.countdown_s - still
        return Idle(Phase.WARNING, left) if left > 0 else Idle(Phase.EXPIRED, 0.0)
