"""Telling a keyboard-wedge barcode scanner from a person typing.

A wedge scanner "types" the whole code faster than any hand (a few milliseconds a key) and ends
with Enter. :class:`WedgeDetector` is fed every key with its time; it answers a finished scan, or
hands back what was typed by hand so that it goes where it was meant to go. It looks at key presses,
not at committed text, so it works while a Chinese input method is active.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_GAP_S = 0.035  # slower than this between two keys: a person
MIN_LENGTH = 4  # shorter bursts are a person's quick double tap


@dataclass(frozen=True)
class Fed:
    scan: str | None = None  # a complete scan
    typed: str = ""  # keys that turned out to be a person's, to pass on


@dataclass
class WedgeDetector:
    max_gap_s: float = MAX_GAP_S
    min_length: int = MIN_LENGTH
    _buffer: list[str] = field(default_factory=list)
    _last: float | None = None

    def feed(self, key: str, at: float) -> Fed:
        """One key press (``"\\n"`` for Enter) at monotonic time ``at``."""
        gap_ok = self._last is None or at - self._last <= self.max_gap_s
        self._last = at
        if key in ("\n", "\r"):
            text, self._buffer = "".join(self._buffer), []
            if gap_ok and len(text) >= self.min_length:
                return Fed(scan=text)
            return Fed(typed=text + key)
        if not gap_ok and self._buffer:  # a pause: what came before was typed by hand
            typed, self._buffer = "".join(self._buffer), [key]
            return Fed(typed=typed)
        self._buffer.append(key)
        return Fed()

    def flush(self) -> str:
        """Keys still held when no more come (call after a quiet moment): a person's."""
        text, self._buffer, self._last = "".join(self._buffer), [], None
        return text
