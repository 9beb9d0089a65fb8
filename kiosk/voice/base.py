"""What every voice is: the engines a setting may name, the :class:`Voice` and
:class:`Player` protocols, and the error of an engine that cannot speak here."""

from __future__ import annotations

import logging
from typing import Protocol

from app.errors import OneStopError

log = logging.getLogger("kiosk.voice")  # one logger for the whole voice, as staff read it


ENGINES = ("espeak-ng", "qt", "none")
# espeak-ng 1.51's "cmn" voice turns many characters into pinyin and reads that as English
# ("好" as "hao two"); the "latin as Pinyin" variant reads them as Mandarin (espeak-ng #1236).
ESPEAK_VOICE = "cmn-latn-pinyin"
MAX_CHARS = 400
# Each reads a WAV file from its stdin with these arguments.
PLAYERS: tuple[tuple[str, ...], ...] = (("pw-play", "-"), ("paplay",), ("aplay", "-q"))


class VoiceUnavailable(OneStopError):
    """An engine that cannot speak on this machine: the kiosk carries on with text only.
    ``detail`` (English) is what the log keeps."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            f"语音播报不可用（{detail}）",
            hint="终端照常使用，只显示文字；需要语音时请检查设置 [kiosk] voice 和语音引擎的安装。",
        )
        self.detail = detail


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
