"""Qt's text-to-speech (speech-dispatcher on Linux), with the best Mandarin voice it offers."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtTextToSpeech import QTextToSpeech

from kiosk.voice.base import VoiceUnavailable
from kiosk.voice.text import speakable

log = logging.getLogger("kiosk.voice")  # one logger for the whole voice, as staff read it


def mandarin_rank(name: str) -> int:
    """How well a voice name suits Mandarin: 0 not at all, 3 best ("latin as Pinyin")."""
    lowered = name.lower()
    if any(other in lowered for other in ("cantonese", "yue", "hakka", "min nan", "wu ")):
        return 0
    if "mandarin" in lowered or "cmn" in lowered:
        return 3 if "pinyin" in lowered else 2
    return 1 if "chinese" in lowered else 0


class QtVoice:
    """Qt's text-to-speech (speech-dispatcher does the speaking in its own process).

    Create, use and close it on the GUI thread: QTextToSpeech is a QObject. ``voice_name``
    picks a voice by a part of its name; by default the best Mandarin voice, since speechd
    reports every voice's locale as "C".
    """

    engine: str = "qt"

    def __init__(
        self, engine_name: str = "speechd", *, voice_name: str = "", rate: float = -0.2
    ) -> None:
        try:
            from PySide6.QtTextToSpeech import QTextToSpeech
        except ImportError as exc:
            raise VoiceUnavailable(f"QtTextToSpeech is not installed: {exc}") from None
        if engine_name not in QTextToSpeech.availableEngines():
            raise VoiceUnavailable(f"Qt has no text-to-speech engine {engine_name!r}")
        tts = QTextToSpeech(engine_name)
        if tts.state() == QTextToSpeech.State.Error:
            raise VoiceUnavailable(f"Qt {engine_name}: {tts.errorString()}")
        voices = tts.availableVoices()
        if voice_name:
            chosen = next((v for v in voices if voice_name.lower() in v.name().lower()), None)
        else:
            ranked = sorted(voices, key=lambda v: mandarin_rank(v.name()), reverse=True)
            chosen = ranked[0] if ranked and mandarin_rank(ranked[0].name()) else None
        if chosen is None:
            wanted = repr(voice_name) if voice_name else "Mandarin"
            raise VoiceUnavailable(f"Qt {engine_name} has no {wanted} voice")
        tts.setVoice(chosen)
        tts.setRate(rate)  # a little slower than normal, for elderly listeners
        self.voice_name = chosen.name()
        self._tts: QTextToSpeech | None = tts

    def say(self, text: str) -> None:
        spoken = speakable(text)
        if self._tts is None:
            return
        if spoken:
            self._tts.say(spoken)  # stops what is being read first
        else:
            self._tts.stop()

    def stop(self) -> None:
        if self._tts is not None:
            self._tts.stop()

    def close(self) -> None:
        if self._tts is not None:
            self._tts.stop()
            self._tts = None
