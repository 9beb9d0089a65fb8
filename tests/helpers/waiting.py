"""Waiting for something another process or thread does (a server, cups-pdf, a sender, a real
window), bounded: the one loop of "check, sleep, give up at a deadline" the tests share."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def waited(check: Callable[[], T], within_s: float, *, every_s: float = 0.05) -> T:
    """Call ``check`` until it returns something true, ``every_s`` apart, for ``within_s`` at
    most; its last answer (false when the time ran out)."""
    deadline = time.monotonic() + within_s
    while True:
        answer = check()
        if answer or time.monotonic() >= deadline:
            return answer
        time.sleep(every_s)


def eventually(check: Callable[[], T], within_s: float, what: str, *, every_s: float = 0.05) -> T:
    """:func:`waited`, failing the test with ``what`` (what did not happen) if the time runs out."""
    answer = waited(check, within_s, every_s=every_s)
    if not answer:
        raise AssertionError(f"{what} (waited {within_s:g} s)")
    return answer
