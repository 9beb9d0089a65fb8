"""What every voice is: the engines a setting may name, the :class:`Voice` and
:class:`Player` protocols, and the error of an engine that cannot speak here."""

from __future__ import annotations

import logging
from typing import Protocol

log = logging.getLogger("kiosk.voice")  # one logger for the whole voice, as staff read it


ENGINES = ("espeak-ng", "qt", "none")
# espeak-ng 1.51's "cmn" voice turns many characters into pinyin and reads that as English
# ("好" as "hao two"); the "latin as Pinyin" variant reads them as Mandarin (espeak-ng #1236).
ESPEAK_VOICE = "cmn-latn-pinyin"
MAX_CHARS = 400
# Each reads a WAV file from its stdin with these arguments.
PLAYERS: tuple[tuple[str, ...], ...] = (("pw-play", "-"), ("paplay",), ("aplay", "-q"))


class VoiceUnavailable(Exception):
    """An engine that cannot speak on this machine; the message (English) goes to the log."""


class Voice(Protocol):
    """Reads text aloud. ``say`` and ``stop`` return at once; ``close`` ends the engine."""

    engine: str

    def say(self, text: str) -> None:
        """Speak ``text`` instead of whatever is being spoken or waiting to be."""
        ...

    def stop(self) -> None:
        """Silence now; nothing is left waiting."""
        ...

    def close(self) -> None:
        """Silence and end the engine's worker (bounded wait); ``say`` does nothing after."""
        ...


class Player(Protocol):
    """Plays WAV audio. Both calls must return promptly: the sound goes on in the background."""

    def play(self, wav: bytes) -> None:
        """Start playing ``wav``, cutting off what was playing."""
        ...

    def stop(self) -> None:
        """Cut off what is playing; nothing happens when nothing is."""
        ...


# -- text -------------------------------------------------------------------------------------
