"""Voice guidance: the kiosk reads each question, option and result aloud (适老化).

Three engines behind one :class:`Voice`, chosen by a setting: espeak-ng run as a program (needs no
daemon and no sound server), Qt's text-to-speech through speech-dispatcher, and none. A new
``say`` cuts off the old words at once: the screen they belonged to is gone. A missing engine is
not an error; :func:`make_voice` logs it and the kiosk carries on with text only.

Nothing spoken reaches the disk or the log: the text goes to espeak-ng on its stdin (not its
command line, which ``ps`` shows to everyone) and the audio to the player through a pipe.
"""

from __future__ import annotations

import logging

from kiosk.voice.base import (
    ENGINES,
    ESPEAK_VOICE,
    MAX_CHARS,
    PLAYERS,
    Player,
    Voice,
    VoiceUnavailable,
)
from kiosk.voice.espeak import EspeakVoice
from kiosk.voice.players import PipePlayer, find_player, with_sizes
from kiosk.voice.qt import QtVoice, mandarin_rank
from kiosk.voice.text import speakable

log = logging.getLogger("kiosk.voice")

__all__ = [
    "ENGINES",
    "ESPEAK_VOICE",
    "MAX_CHARS",
    "PLAYERS",
    "EspeakVoice",
    "NoVoice",
    "PipePlayer",
    "Player",
    "QtVoice",
    "Voice",
    "VoiceUnavailable",
    "find_player",
    "make_voice",
    "mandarin_rank",
    "speakable",
    "with_sizes",
]


class NoVoice:
    """Text only: the kiosk's screens say everything anyway."""

    engine: str = "none"

    def say(self, text: str) -> None:
        pass

    def stop(self) -> None:
        pass

    def close(self) -> None:
        pass


def make_voice(name: str, *, player: Player | None = None) -> Voice:
    """The voice the setting names; :class:`NoVoice` (and one log line) when it cannot speak.

    Call it on the GUI thread ("qt" creates a QObject). ``player`` is for "espeak-ng" only.
    """
    if name not in ENGINES:
        choices = "、".join(ENGINES)
        raise ValueError(f"未知的语音引擎“{name}”，可选：{choices}。请改正设置后重新启动。")
    try:
        if name == "espeak-ng":
            return EspeakVoice(player=player)
        if name == "qt":
            return QtVoice()
    except VoiceUnavailable as exc:
        log.warning(
            "voice engine %s is missing (%s); the kiosk falls back to text only", name, exc.detail
        )
    except RuntimeError as exc:
        log.warning("voice engine %s is missing (%s); the kiosk falls back to text only", name, exc)
    return NoVoice()
